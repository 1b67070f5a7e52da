/**
 * Progress as a technician sees it: in a real terminal (a pseudo-terminal made by `script`, the screen rebuilt from
 * what was written) and piped (in this process). The words of the vocabulary, a countdown on every long wait, the
 * outcome in colour on a terminal and never when piped or with NO_COLOR, aligned columns for long model names.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/batch/progress.js';
import type { Job } from '../../src/batch/jobs.js';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { describeState } from '../../src/progress/vocabulary.js';
import { runCli } from '../support/in-process.js';
import { screen } from '../support/screen.js';
import { needs } from '../support/system.js';
import { BIN } from '../support/bin.js';

const pty = needs('script', 'bsdutils', 'the tests in a pseudo-terminal');

const COLOUR = /\x1b\[3\dm/;
const PHONE = ['--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', '4'];

/** `resetbot ARGS` in a pseudo-terminal (stdout and stderr both a terminal): everything it wrote. */
function inTerminal(args: string[], env: Record<string, string> = {}): { code: number; raw: string } {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, RESETBOT_DEBUG: '', NO_COLOR: '', TERM: 'xterm', COLUMNS: '160', ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, raw: r.stdout };
}

describe('reset in a terminal', () => {
  it.skipIf(pty.skip)('each step in words on a line of its own, the last redrawn; PASS in green' + pty.note, () => {
    const r = inTerminal(['reset', ...PHONE]);
    expect(r.code).toBe(0);
    const shown = screen(r.raw);
    const steps = shown.filter((l) => /^\s+\d+\.\d s {2}attempt \d {2}/.test(l)).map((l) => l.replace(/^\s+\d+\.\d s {2}attempt \d {2}/, ''));
    expect(steps[0]).toBe('powering off, 10 s');
    expect(steps).toContain('waiting for Cancel, up to 2:00');
    expect(steps).toContain('holding 1+3+5, up to 16 s');
    expect(steps).toContain('typing the password, 12 characters');
    expect(steps.some((s) => /^waiting for reboot 2 of 2, up to \d:\d\d$/.test(s))).toBe(true);
    expect(steps.at(-1)).toBe('finished, observed');
    // No raw state names, ever.
    expect(shown.join('\n')).not.toMatch(/offWait|comboWait|awaitReboots|\bstep$/m);
    // The step line is rewritten in place (carriage return, erase line) for its countdown.
    expect(r.raw).toMatch(/\r\x1b\[2K +\d+\.\d s {2}attempt 1 {2}powering off, \d+ s left/);
    expect(r.raw).toContain('VVX 410 0004F2AA814C: \x1b[32mPASS\x1b[0m after ');
    expect(shown.join('\n')).toMatch(/VVX 410 0004F2AA814C: PASS after \d+ attempts?, [\d:]+ bench time/);
  });

  it.skipIf(pty.skip)('NO_COLOR: the same words, no colour' + pty.note, () => {
    const r = inTerminal(['reset', ...PHONE, '--sim-mac', '0004F2AA8150'], { NO_COLOR: '1' });
    expect(r.code).toBe(1);
    expect(r.raw).not.toMatch(COLOUR);
    expect(screen(r.raw)).toContain('VVX 410 0004F2AA814C: FAIL after 4 attempts, ' + screen(r.raw).find((l) => l.startsWith('VVX 410'))!.split(', ').at(-1));
  });

  it.skipIf(pty.skip)('a failure in red' + pty.note, () => {
    const r = inTerminal(['reset', ...PHONE, '--sim-mac', '0004F2AA8150']);
    expect(r.code).toBe(1);
    expect(r.raw).toContain('\x1b[31mFAIL\x1b[0m');
  });
});

describe('demo in a terminal', () => {
  it.skipIf(pty.skip)('the summary table stays aligned with its outcomes in colour' + pty.note, () => {
    const r = inTerminal(['demo']);
    expect(r.code).toBe(0);
    expect(r.raw).toContain('\x1b[32mPASS\x1b[0m');
    expect(r.raw).toContain('\x1b[31mFAIL\x1b[0m');
    const shown = screen(r.raw);
    const head = shown.findIndex((l) => /^station +model +MAC +outcome +tries/.test(l));
    const rows = shown.slice(head + 2, head + 8);
    expect(rows).toHaveLength(6);
    const at = shown[head]!.indexOf('tries');
    for (const row of rows) expect(row.slice(at - 2, at), row).toBe('  ');
    // Each phone's attempts: a whole number (the phones' keypads differ; some need a retry).
    for (const row of rows) expect(row.slice(at).split(' ')[0]).toMatch(/^[1-9]$/);
    // The progress lines: a model column as wide as the longest name, so the attempts line up.
    const progress = shown.filter((l) => /^ +\d+\.\d s {2}station \d/.test(l));
    expect(new Set(progress.map((l) => l.indexOf('attempt'))).size).toBe(1);
  });
});

describe('piped', () => {
  it('reset: a line a step in words with its length, no control codes; --json keeps the same words beside their ids', async () => {
    const r = await runCli(['reset', ...PHONE]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\x1b/);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => !/^\s+\d+\.\d s {2}attempt \d {2}\S/.test(l))).toEqual([]);
    expect(lines[0]).toMatch(/attempt 1 {2}powering off, 10 s$/);
    const json = await runCli(['reset', ...PHONE, '--json']);
    const record = JSON.parse(json.stdout) as { progress: { t: number; id: string; words: string }[] };
    expect(json.stderr).toBe('');
    expect(record.progress.map((p) => p.words)).toEqual(lines.map((l) => l.replace(/^\s+\d+\.\d s {2}attempt \d {2}/, '')));
    expect(record.progress.map((p) => p.id).slice(0, 4)).toEqual(['power-off', 'power-on', 'await-cancel', 'press-cancel']);
    expect(record.progress.map((p) => p.id)).toContain('hold-combo');
  });

  it('a blind reset counts down its reboots instead of sitting on a state name', async () => {
    const r = await runCli(['reset', ...PHONE, '--sim-blind']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/attempt 1 {2}waiting for the reset reboots \(no camera: by the clock\), 6:00\n/);
  });

  it('reboot and long-press runs say each step, not `step`', async () => {
    const reboot = await runCli(['reboot', ...PHONE]);
    expect(reboot.code).toBe(0);
    expect(reboot.stderr).toMatch(/holding .*\+.* until the screen goes dark/);
    expect(reboot.stderr).not.toMatch(/ step\n/);
    const base = await runCli(['reset', '--model', 'VVX D60', '--mac', '0004F2AA814C', '--sim-seed', '4', '--trust-label']);
    expect(base.stderr).toMatch(/holding pinhole reset, \d+ s/);
    expect(base.stdout).toMatch(/^VVX D60 Base Station 0004F2AA814C: PASS/m);
  });

  it('provisioning says which field it types, and never the password', async () => {
    const r = await runCli(['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', '10.0.0.5', '--user', 'bob', '--password-env', 'RB_PW', '--sim-seed', '2'], {
      env: { RB_PW: 'hunter2hunter2' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/typing the Server Address, 8 characters/);
    expect(r.stderr).toMatch(/typing the Server User, 3 characters/);
    expect(r.stderr).toMatch(/typing the Server Password, 14 characters/);
    expect(r.stderr + r.stdout).not.toMatch(/hunter2/);
  });

  it('a batch says each phone\'s steps in the same words: no `attempt 0 start` for the step procedures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-words-'));
    const file = join(dir, 'jobs.csv');
    writeFileSync(file, 'mac,model\n0004F2000001,Trio C60\n0004F2000002,VVX D60\n0004F2000003,VVX 410\n');
    const r = await runCli(['batch', file, '--out', join(dir, 'out'), '--sim-stations', '3', '--sim-seed', '5', '--trust-label']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b|attempt 0|: start\b/);
    expect(r.stdout).toMatch(/0004F2000001 Trio C60: attempt 1 {2}holding the four corners until the Mute keys flash, up to 15 s/);
    expect(r.stdout).toMatch(/0004F2000003 VVX 410: attempt 1 {2}waiting for reboot 2 of 2/);
    expect(r.stdout).toMatch(/0004F2000002 VVX D60 Base Station: PASS/);
  });
});

describe('batch in a terminal', () => {
  it.skipIf(pty.skip)('ends once its phones are done (a live block that stopped drawing), and a resume says so once' + pty.note, () => {
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-tty-batch-'));
    const file = join(dir, 'jobs.csv');
    writeFileSync(file, 'mac,model\n0004F2000003,VVX 410\n0004F2000004,VVX 410\n');
    const first = inTerminal(['batch', file, '--out', join(dir, 'out'), '--sim-stations', '2', '--sim-seed', '5', '--trust-label'], { NO_COLOR: '1' });
    // A progress block left drawing kept the process alive: `script` then timed out (-1).
    expect(first.code).toBe(0);
    expect(screen(first.raw).join('\n')).toMatch(/Batch \S+: 2 phones/);
    const again = inTerminal(['batch', '--resume', '--journal', join(dir, 'out', 'journal.jsonl'), '--trust-label'], { NO_COLOR: '1' });
    expect(again.code).toBe(0);
    expect(again.raw.match(/Resuming batch/g)).toHaveLength(1);
  });
});

describe('the live batch block', () => {
  const catalog = getCatalog();
  const job = (mac: string, model: string, line: number) => ({ mac, model: catalog.find(model), line }) as unknown as Job;

  it('keeps its columns aligned for a long model name, counts down, and colours the outcomes', () => {
    let raw = '';
    const stream = { isTTY: true, columns: 160, write: (s: string) => ((raw += s), true) } as unknown as NodeJS.WriteStream;
    const clock = new VirtualClock();
    const jobs = [job('0004f2000001', 'VVX 410', 2), job('0004f2000002', 'VVX D60', 3)];
    const progress = createProgress({ stream, clock, stations: ['left', 'right-bench'], total: 2, done: 0, jobs, colour: true, fps: 1000 });
    const ctx = (m: Job) => ({ model: m.model!, bench: { fixture: { relay: true }, observer: {} }, procedure: m.model!.procedure, comboIndex: 0 });
    progress.onEvent({ type: 'started', station: 'left', job: jobs[0]!, run: 1 });
    progress.onEvent({ type: 'started', station: 'right-bench', job: jobs[1]!, run: 1 });
    progress.onEvent({ type: 'state', station: 'left', job: jobs[0]!, state: 'holding', attempt: 1, words: describeState('factoryReset', 'holding', ctx(jobs[0]!)) });
    progress.onEvent({ type: 'state', station: 'right-bench', job: jobs[1]!, state: 'awaitCancel', attempt: 2, words: describeState('factoryReset', 'awaitCancel', ctx(jobs[0]!)) });
    clock.advance(4_000);
    progress.note('redraw');
    const block = screen(raw).slice(-3);
    expect(block[0]).toMatch(/^left {9}0004F2000001 VVX 410 {2,}attempt 1 {2}holding 1\+3\+5, 12 s left$/);
    expect(block[1]).toMatch(/^right-bench {2}0004F2000002 VVX D60 Base Station {2}attempt 2 {2}waiting for Cancel, 1:56 left$/);
    expect(block[0]!.indexOf('attempt')).toBe(block[1]!.indexOf('attempt'));
    progress.onEvent({ type: 'final', station: 'left', job: jobs[0]!, record: { outcome: 'pass', startedAt: 'x' } as BatchRecord });
    progress.onEvent({ type: 'final', station: 'right-bench', job: jobs[1]!, record: { outcome: 'fail', startedAt: 'x', summary: 'no', failure: { class: 'phone', code: 'x', reason: 'the window closed' } } as BatchRecord });
    progress.stop();
    expect(raw).toContain('left 0004F2000001 VVX 410: \x1b[32mPASS\x1b[0m');
    expect(raw).toContain('right-bench 0004F2000002 VVX D60 Base Station: \x1b[31mFAIL\x1b[0m: the window closed');
    expect(screen(raw).at(-1)).toMatch(/^2\/2 done \| pass 1 {2}unverified 0 {2}fail 1 /);
  });
});


