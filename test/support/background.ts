import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { BIN } from './bin.js';

/** A resetbot process running in the background, with its output so far. */
export class Bg {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, RESETBOT_DEBUG: '', ...env } });
    this.child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
  }

  /** Resolves once `test` holds (polled), rejects if the process exits first or after `ms`. */
  async until(test: () => boolean, what: string, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (this.child.exitCode !== null) throw new Error(`exited (${this.child.exitCode}) before ${what}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<number> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    return this.exited;
  }
}

/**
 * A test file's background processes and temporary folders: `track` a process to have it stopped (Ctrl-C) after each
 * test, `dir()` a folder removed after the file. Registers the vitest hooks; call once, at the file's top level.
 */
export function scratch(prefix: string): { track: (bg: Bg) => Bg; dir: () => string } {
  const running: Bg[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop();
  });
  afterAll(() => {
    if (!process.env.KEEP_SCRATCH) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    track: (bg) => (running.push(bg), bg),
    dir: () => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
  };
}
