import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import { BIN } from '../support/bin.js';

/** Runs the built resetbot CLI as a child process, as a user would. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const fixture = (rel: string) => join(ROOT, 'fixtures', rel);

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'resetbot-batch-'));
}

export function spawnCli(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
}

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<Done> & { exited: () => Done | undefined } {
  let stdout = '';
  let stderr = '';
  let done: Done | undefined;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const p = new Promise<Done>((resolve) =>
    child.on('close', (code, signal) => {
      done = { code, signal, stdout, stderr };
      resolve(done);
    }),
  );
  return Object.assign(p, { exited: () => done });
}

/** A condition for `until` that fails at once, with the child's stderr, when the child has exited. */
export function whileRunning(run: ReturnType<typeof finished>, test: () => boolean): () => boolean {
  return () => {
    const done = run.exited();
    if (done) throw new Error(`the child exited (code ${done.code}) before the awaited moment: ${done.stderr}`);
    return test();
  };
}

export async function cli(args: string[], cwd: string, input = ''): Promise<Done> {
  const child = spawnCli(args, cwd);
  child.stdin!.end(input);
  return finished(child);
}

/** Polls (real time) until `test` holds; throws after `timeoutMs`. For waiting on a child, never for asserting time. */
export async function until(test: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function jsonLines<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return []; // a line being written right now
      }
    });
}

export interface TruthLine {
  station: string;
  mac: string;
  run: number;
  realMac: string;
  truth: { factoryDefaults: boolean; state: string; combo: string[] };
  trace: { t: number; channel: number | 'relay'; key: string | null; on: boolean }[];
}

/** The simulator's account of the run a record describes. */
export function truthFor<T extends TruthLine>(truths: T[], record: BatchRecord): T | undefined {
  return truths.filter((t) => t.mac === record.mac && t.run === record.run).at(-1);
}

/** Channels still energised, and the relay, at the end of a jig trace. */
export function endState(trace: TruthLine['trace']): { on: number[]; relay: boolean } {
  const on = new Set<number>();
  let relay = false;
  for (const e of trace) {
    if (e.channel === 'relay') relay = e.on;
    else if (e.on) on.add(e.channel);
    else on.delete(e.channel);
  }
  return { on: [...on].sort((a, b) => a - b), relay };
}
