/**
 * A USB serial adapter unplugged and plugged back mid-run, as on a real bench: `resetbot sim serve --pty P` (socat)
 * stands for the board, `resetbot reset --port P` runs in another process. The virtual bench is stopped (its pty P
 * vanishes, as a device node does when the adapter is pulled) while the first attempt runs, then started again on
 * the same P (the adapter re-enumerates under its name). The driver reopens P, does the handshake again, and the
 * machine starts its next attempt from power-off. Ctrl-C then ends the run; the bench's own trace of its outputs
 * shows every channel and the relay off.
 *
 * The phone is a VVX 410 whose power-off lasts 1 s instead of the profile's 10 s (a `--profiles` model, as a bench
 * whose phones drain fast would give): what is tested is the driver losing and finding its port, not the phone's
 * boot, and each attempt starts with a power-off the test would otherwise wait out in real time.
 *
 * Needs socat (`.ci/run` installs it) and the built CLI (`npm test` builds it first).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bg } from '../support/background.js';

type TraceLine = { t: number; channel?: number | 'relay'; on?: boolean; event?: string };

function readTrace(path: string): TraceLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine);
}

/** Channels on and the relay at the end of a trace. */
function endState(trace: TraceLine[]): { on: number[]; relay: boolean } {
  const on = new Set<number>();
  let relay = false;
  for (const l of trace) {
    if (l.channel === 'relay') relay = l.on === true;
    else if (typeof l.channel === 'number') {
      if (l.on) on.add(l.channel);
      else on.delete(l.channel);
    }
  }
  return { on: [...on], relay };
}

const running: Bg[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(pty: string, trace: string): Promise<Bg> {
  const server = new Bg(['sim', 'serve', '--pty', pty, '--trace', trace, '--seed', '3']);
  running.push(server);
  await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
  return server;
}

describe('a USB adapter pulled and plugged back while reset --port runs', () => {
  it('the driver reopens the recreated pty and handshakes; the machine starts again from power-off; Ctrl-C leaves everything off', async () => {
    const d = mkdtempSync(join(tmpdir(), 'resetbot-replug-'));
    dirs.push(d);
    const pty = join(d, 'ttyUSB0');
    const traceA = join(d, 'trace-a.jsonl');
    const traceB = join(d, 'trace-b.jsonl');
    const profiles = join(d, 'quick-off.json');
    writeFileSync(profiles, JSON.stringify({ models: [{ id: 'vvx-410-quick-off', name: 'VVX 410 quick off', extends: 'VVX 410', timing: { extends: 'vvx', powerOffMs: 1000 } }] }));
    const first = await serve(pty, traceA);
    const reset = new Bg(['reset', '--port', pty, '--profiles', profiles, '--model', 'VVX 410 quick off', '--mac', '0004F2AA814C']);
    running.push(reset);
    // Attempt 1 has switched the phone on: pull the adapter.
    await reset.until(() => readTrace(traceA).some((l) => l.channel === 'relay' && l.on), 'the phone powered in attempt 1');
    expect(await first.stop()).toBe(0);
    expect(existsSync(pty)).toBe(false); // the device node is gone
    await new Promise((r) => setTimeout(r, 1200)); // the driver tries to reopen it meanwhile, and fails: it is gone
    expect(reset.child.exitCode).toBeNull(); // still running, waiting for the port

    // Plugged back: the adapter comes back under the same name.
    await serve(pty, traceB);
    await reset.until(() => /attempt 2\s+\S+/.test(reset.stderr), 'attempt 2', 30_000);
    // The new board was handshaken (its `version` asked) and attempt 2 began from power-off on it.
    await reset.until(() => readTrace(traceB).some((l) => l.channel === 'relay' && l.on), 'attempt 2 powering the phone', 30_000);
    const attempt2 = reset.stderr.split('\n').filter((l) => /attempt 2/.test(l));
    expect(attempt2[0]).toMatch(/attempt 2\s+(powerOff|power-off|powering off)/);

    reset.child.kill('SIGINT');
    expect(await reset.exited).toBe(130);
    expect(reset.stdout).toMatch(/ABORTED after 2 attempt(s|\(s\))/);
    expect(reset.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const b = readTrace(traceB);
    expect(b.some((l) => l.event === '! stop')).toBe(true);
    expect(endState(b)).toEqual({ on: [], relay: false });
  }, 90_000);
});
