import { main } from '../../src/cli/main.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `resetbot ARGS` in this process (no spawn, no build): main() with process.stdout and stderr captured. `env`
 * is set for the call (NO_COLOR, RESETBOT_RUNS...) and restored after; `tty` makes both streams claim a terminal.
 * Calls must not overlap (vitest runs a file's tests one at a time).
 */
export async function runCli(args: string[], opts: { env?: Record<string, string | undefined>; tty?: boolean; columns?: number } = {}): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const saved: Record<string, string | undefined> = {};
  const tty = { out: process.stdout.isTTY, err: process.stderr.isTTY, cols: process.stdout.columns };
  for (const [k, v] of Object.entries({ RESETBOT_DEBUG: undefined, ...opts.env })) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.isTTY = opts.tty === true;
  process.stderr.isTTY = opts.tty === true;
  if (opts.columns !== undefined) process.stdout.columns = process.stderr.columns = opts.columns;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.stdout.isTTY = tty.out;
    process.stderr.isTTY = tty.err;
    process.stdout.columns = tty.cols;
    process.stderr.columns = tty.cols;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The one line on stderr (fails the test when there are more, or a stack trace). */
export function oneLine(r: InProcessResult): string {
  const lines = r.stderr.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got:\n${r.stderr}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`stack trace on stderr:\n${r.stderr}`);
  return lines[0]!;
}
