import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../support/bin.js';

/** Runs the built resetbot CLI as a child process and collects everything it writes. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Its standard input (default: none: at once at its end). */
  input?: string;
  /** Leave standard input open after `input`, as a pipe whose writer has not finished. */
  keepStdinOpen?: boolean;
  /** Added to its environment. */
  env?: Record<string, string>;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', RESETBOT_DEBUG: '', ...opts.env },
  });
  child.stdin.on('error', () => {}); // it may exit without reading its input
  if (opts.keepStdinOpen) child.stdin.write(opts.input ?? '');
  else child.stdin.end(opts.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, stdout, stderr });
    }),
  );
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'resetbot-provision-'));
}

export const fixturePath = (rel: string) => join(ROOT, 'fixtures', rel);
