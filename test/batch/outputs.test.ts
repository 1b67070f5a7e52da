import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/batch/journal.js';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import type { BatchSummary } from '../../src/batch/report.js';
import { writeFileAtomic } from '../../src/batch/atomic.js';
import { Journal } from '../../src/batch/journal.js';
import { OutputError } from '../../src/batch/outputs.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/in-process.js';
import { cli, endState, finished, jsonLines, spawnCli, tempDir, until, whileRunning, type TruthLine } from './cli-helpers.js';

/*
 * What resetbot writes, through its CLI as an operator runs it: one writer per journal, every output checked before
 * anything moves, a disk that fills mid-batch (a small tmpfs, as root), and --resume refusing what is not the same
 * batch. Every failure path ends with every channel released, as the simulator's jig trace (--sim-truth) shows.
 */

const MODELS = ['VVX 410', 'VVX 311', 'SoundPoint IP 335', 'VVX 500'];

function batchFile(dir: string, count: number, name = 'jobs.csv'): { path: string; macs: string[] } {
  const macs = Array.from({ length: count }, (_, i) => `0004f2${(0x200 + i).toString(16).padStart(6, '0')}`);
  const path = join(dir, name);
  writeFileSync(path, ['mac,model', ...macs.map((m, i) => `${m.toUpperCase()},${MODELS[i % MODELS.length]}`)].join('\n') + '\n');
  return { path, macs };
}

/** The one line on stderr of a refused command. */
function oneLine(r: { stderr: string }): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return lines[0]!;
}

/** Every file in a folder whose name says it is a temporary one. */
const strays = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.includes('.resetbot-probe')) : []);

/** Every line of a file is whole JSON (no torn line). */
function wholeLines(path: string): number {
  const text = readFileSync(path, 'utf8');
  if (text === '') return 0;
  expect(text.endsWith('\n'), `${path} ends on a whole line`).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  for (const l of lines) expect(() => JSON.parse(l), `a line of ${path}`).not.toThrow();
  return lines.length;
}

describe('one writer per journal', () => {
  it('a second batch on a journal being written is refused at once, exit 2, naming the holder; the first finishes whole', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const journal = join(out, 'journal.jsonl');
    const { path, macs } = batchFile(dir, 4);
    // Two stations: the four phones in two rounds (about 4 s at this pace), time enough for the other two batches to be
    // refused while it runs, and it is done sooner after.
    const first = spawnCli(['batch', path, '--out', out, '--sim-stations', '2', '--sim-pace', '100', '--sim-seed', '4', '--quiet', '--json'], dir);
    const running = finished(first);
    await until(whileRunning(running, () => jsonLines<JournalEntry>(journal).some((e) => e.type === 'started')), 'the first batch running');

    // The operator resumes it in another terminal: refused before anything moves.
    const second = await cli(['batch', '--resume', '--out', out, '--quiet'], dir);
    expect(second.code).toBe(EXIT.usage);
    expect(oneLine(second)).toMatch(new RegExp(`journal ${journal} is being written by another batch \\(pid ${first.pid} on .+, since .+\\): wait for that batch to end`));
    expect(second.stdout).toBe('');
    // A new batch given the same journal is refused too.
    const third = await cli(['batch', path, '--journal', journal, '--out', join(dir, 'other'), '--quiet'], dir);
    expect(third.code).toBe(EXIT.usage);
    expect(oneLine(third)).toMatch(/is being written by another batch/);

    const done = await running;
    expect(done.code, done.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
    const entries = jsonLines<JournalEntry>(journal);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1)); // one writer: no mixed lines
    expect(entries.every((e) => e.session === 1)).toBe(true);
    expect(entries.filter((e) => e.type === 'final')).toHaveLength(macs.length);
    expect(existsSync(`${journal}.lock`)).toBe(false); // released at the end
  });

  it('a lock left by a batch that died (kill -9) is stale: the resume takes it over with a note and finishes', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const journal = join(out, 'journal.jsonl');
    const { path, macs } = batchFile(dir, 4);
    const child = spawnCli(['batch', path, '--out', out, '--sim-pace', '100', '--sim-seed', '8', '--quiet'], dir);
    const running = finished(child);
    await until(whileRunning(running, () => jsonLines<JournalEntry>(journal).some((e) => e.type === 'final')), 'a phone done');
    child.kill('SIGKILL');
    await running;
    expect(JSON.parse(readFileSync(`${journal}.lock`, 'utf8'))).toMatchObject({ pid: child.pid });

    const resumed = await cli(['batch', '--resume', '--out', out, '--json'], dir);
    expect(resumed.code, resumed.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
    expect(resumed.stderr).toMatch(new RegExp(`note: the journal's lock of pid ${child.pid} .* was stale`));
    const summary = JSON.parse(resumed.stdout) as BatchSummary;
    expect(jsonLines<BatchRecord>(summary.records).map((r) => r.mac).sort()).toEqual([...macs].sort());
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });
});

describe('a lock of another host', () => {
  it('is never taken over: refused, naming the host, saying which file to remove once that batch is surely gone', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const { path } = batchFile(dir, 1);
    const first = await cli(['batch', path, '--out', out, '--sim-seed', '2', '--quiet'], dir);
    expect(first.code, first.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
    const lock = join(out, 'journal.jsonl.lock');
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'bench-pc-2', at: '2026-01-01T08:00:00.000Z', command: 'batch jobs.csv' }) + '\n');
    const r = await cli(['batch', '--resume', '--out', out, '--quiet'], dir);
    expect(r.code).toBe(EXIT.usage);
    expect(oneLine(r)).toMatch(
      new RegExp(`is being written by another batch \\(pid 1 on bench-pc-2, since 2026-01-01T08:00:00.000Z: resetbot batch jobs.csv\\): wait for that batch to end; if it is gone \\(its host crashed\\), remove ${lock}$`),
    );
    expect(existsSync(lock)).toBe(true); // left as it was
  });
});

describe('every output is checked before anything moves', () => {
  const dir = tempDir();
  const { path } = batchFile(dir, 2);
  const missing = '/nonexistent-dir-resetbot/x.jsonl';
  const readOnly = join(dir, 'ro');
  mkdirSync(readOnly);
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  // As root a mode-0555 folder can still be written: only a read-only mount or a missing folder refuses everything.
  chmodSync(readOnly, 0o555);
  const root = process.getuid?.() === 0;

  const cases: [string, string[], RegExp][] = [
    ['reset --inspect in a missing folder', ['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--inspect', missing], /^resetbot: --inspect \/nonexistent-dir-resetbot\/x\.jsonl: folder \/nonexistent-dir-resetbot does not exist: make it first/],
    ['reset --inspect naming a folder', ['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--inspect', dir], /^resetbot: --inspect .*: is a folder: give a file name/],
    ['provision --inspect in a missing folder', ['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', '10.0.0.1/cfg', '--user', 'bob', '--password-env', 'PATH', '--inspect', missing], /^resetbot: --inspect .*: folder .* does not exist/],
    ['sim serve --trace in a missing folder', ['sim', 'serve', '--pty', join(dir, 'pty'), '--trace', missing], /^resetbot: --trace .*: folder .* does not exist/],
    ['sim serve --truth in a missing folder', ['sim', 'serve', '--pty', join(dir, 'pty'), '--truth', missing], /^resetbot: --truth .*: folder .* does not exist/],
    ['batch --out under a file', ['batch', path, '--out', join(aFile, 'out')], /^resetbot: --out .*: .*a-file is a file, not a folder/],
    ['batch --out that is a file', ['batch', path, '--out', aFile], /^resetbot: --out .*: is a file, not a folder/],
    ['batch --journal naming a folder', ['batch', path, '--out', join(dir, 'o1'), '--journal', dir], /^resetbot: --journal .*: is a folder/],
    ['batch --sim-truth naming a folder', ['batch', path, '--out', join(dir, 'o2'), '--sim-truth', dir], /^resetbot: --sim-truth .*: is a folder/],
    ...(!root ? ([['batch --out in a read-only folder', ['batch', path, '--out', join(readOnly, 'out')], /^resetbot: --out .*: cannot write in .*ro: permission denied/]] as [string, string[], RegExp][]) : []),
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: one line, exit 2`, async () => {
      // main() in this process: the refusal comes before anything runs (a child process added only its start-up).
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(EXIT.usage);
      expect(oneLine(r)).toMatch(message);
      expect(r.stdout).toBe(''); // nothing ran: no outcome
      expect(strays(dir)).toEqual([]);
    });
  }
});

const socat = (() => {
  try {
    execFileSync('socat', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

/** A small tmpfs (root only): the disk that fills mid-batch. Mounted by each test, unmounted when it ends. */
function mountSmallDisk(): { dir: string; unmount: () => void } | string {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a small tmpfs';
  const dir = join(tempDir(), 'disk');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    return `mount -t tmpfs failed: ${(e as Error).message.split('\n')[0]}`;
  }
  return { dir, unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'pipe' }) };
}

/** Why a small tmpfs cannot be had here (tried once, unmounted at once), or undefined when it can. */
const noDisk: string | undefined = (() => {
  const d = mountSmallDisk();
  if (typeof d === 'string') return d;
  d.unmount();
  return undefined;
})();

/** The small tmpfs of the test running (mounted before each test of a describe that uses one, unmounted after). */
let disk: { dir: string; unmount: () => void } | undefined;
function useSmallDisk(): void {
  beforeEach(() => {
    if (noDisk !== undefined) return;
    const d = mountSmallDisk();
    if (typeof d !== 'string') disk = d;
  });
  afterEach(() => {
    disk?.unmount();
    disk = undefined;
  });
}

/** Fills a disk to its last byte. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  // The last few bytes too, one at a time.
  const fd2 = openSync(path, 'a');
  try {
    for (;;) writeSync(fd2, 'a');
  } catch {
    // full
  } finally {
    closeSync(fd2);
  }
}

describe('a disk that fills mid-batch', () => {
  useSmallDisk();

  it.skipIf(noDisk !== undefined)(
    `stops with every channel released, one line and exit ${EXIT.io}; no torn line, no temp file; --resume after space is freed finishes${noDisk !== undefined ? ` (skipped: ${noDisk})` : ''}`,
    async () => {
      const { dir: mount } = disk!;
      const work = tempDir();
      const out = join(mount, 'out');
      const journal = join(out, 'journal.jsonl');
      const truthPath = join(work, 'truth.jsonl'); // the simulator's account, on another disk
      const { path, macs } = batchFile(work, 8);
      const child = spawnCli(['batch', path, '--out', out, '--sim-stations', '2', '--sim-pace', '100', '--sim-seed', '6', '--sim-truth', truthPath, '--quiet'], work);
      const running = finished(child);
      await until(whileRunning(running, () => jsonLines<JournalEntry>(journal).filter((e) => e.type === 'final').length >= 2), 'two phones done');
      const filler = join(mount, 'filler');
      fill(filler);
      const done = await running;

      expect(done.code, done.stderr).toBe(EXIT.io);
      const line = oneLine(done);
      expect(line).toMatch(
        new RegExp(`^resetbot: cannot write the journal ${journal}: the disk is full \\(ENOSPC\\); the batch stopped and every station was released; the journal keeps \\d+ of 8 phone\\(s\\) done: free space .*, then resume with: resetbot batch --resume --journal ${journal}$`),
      );
      wholeLines(journal);
      if (existsSync(join(out, 'records.jsonl'))) wholeLines(join(out, 'records.jsonl'));
      expect(strays(out)).toEqual([]);
      expect(existsSync(`${journal}.lock`)).toBe(false);
      // The simulator's jig: every phone that ran ends with no solenoid on and the relay off.
      const truths = jsonLines<TruthLine>(truthPath);
      expect(truths.length).toBeGreaterThanOrEqual(2);
      for (const t of truths) expect(endState(t.trace), `${t.station} ${t.mac} run ${t.run}`).toEqual({ on: [], relay: false });

      // Space freed: the resume finishes, one record per phone.
      rmSync(filler);
      const resumed = await cli(['batch', '--resume', '--journal', journal, '--sim-truth', truthPath, '--json'], work);
      expect(resumed.code, resumed.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
      const summary = JSON.parse(resumed.stdout) as BatchSummary;
      const records = jsonLines<BatchRecord>(summary.records);
      expect(records.map((r) => r.mac).sort()).toEqual([...macs].sort());
      expect(summary.total).toBe(8);
      expect(wholeLines(join(out, 'records.jsonl'))).toBe(8);
      for (const r of records.filter((x) => x.outcome === 'pass')) {
        const t = truths.concat(jsonLines<TruthLine>(truthPath)).filter((x) => x.mac === r.mac && x.run === r.run).at(-1);
        expect(t?.truth.factoryDefaults, `${r.mac} passed: the simulator agrees`).toBe(true);
      }
      for (const t of jsonLines<TruthLine>(truthPath)) expect(endState(t.trace)).toEqual({ on: [], relay: false });
      expect(strays(out)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(noDisk !== undefined)(
    `the --sim-truth log on a disk that fills: the batch stops as on Ctrl-C, exit ${EXIT.io}, the journal whole; the resume finishes${noDisk !== undefined ? ` (skipped: ${noDisk})` : ''}`,
    async () => {
      const mount = disk!.dir;
      const work = tempDir();
      const out = join(work, 'out');
      const journal = join(out, 'journal.jsonl');
      const truthPath = join(mount, 'truth.jsonl');
      const { path, macs } = batchFile(work, 6);
      const child = spawnCli(['batch', path, '--out', out, '--sim-pace', '150', '--sim-seed', '12', '--sim-truth', truthPath, '--quiet'], work);
      const running = finished(child);
      await until(whileRunning(running, () => jsonLines<JournalEntry>(journal).some((e) => e.type === 'final')), 'a phone done');
      const filler = join(mount, 'filler4');
      fill(filler);
      const done = await running;
      expect(done.code, done.stderr).toBe(EXIT.io);
      expect(oneLine(done)).toMatch(/^resetbot: cannot write the --sim-truth file .*truth\.jsonl: the disk is full \(ENOSPC\); the batch stopped and every station was released; the journal keeps \d+ of 6 phone\(s\) done: .*resume with: resetbot batch --resume --journal /);
      wholeLines(journal);
      wholeLines(truthPath);
      for (const t of jsonLines<TruthLine>(truthPath)) expect(endState(t.trace)).toEqual({ on: [], relay: false });
      expect(existsSync(`${journal}.lock`)).toBe(false);
      rmSync(filler);
      const resumed = await cli(['batch', '--resume', '--journal', journal, '--sim-truth', truthPath, '--json'], work);
      expect(resumed.code, resumed.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
      const summary = JSON.parse(resumed.stdout) as BatchSummary;
      expect(jsonLines<BatchRecord>(summary.records).map((r) => r.mac).sort()).toEqual([...macs].sort());
    },
    60_000,
  );

  it.skipIf(noDisk !== undefined || !socat)(
    `sim serve --trace on a disk that fills: the bench stops, one line, exit ${EXIT.io}, no torn line${noDisk !== undefined ? ` (skipped: ${noDisk})` : !socat ? ' (skipped: socat is not installed)' : ''}`,
    async () => {
      const { dir: mount } = disk!;
      const work = tempDir();
      const pty = join(work, 'bench');
      const trace = join(mount, 'trace.jsonl');
      const server = spawnCli(['sim', 'serve', '--pty', pty, '--trace', trace, '--seed', '3'], work);
      const serving = finished(server);
      let out = '';
      server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      await until(whileRunning(serving, () => /^ready: /m.test(out)), 'the bench ready');
      const filler = join(mount, 'filler3');
      fill(filler);
      try {
        // The jog moves every key: each change is a trace line, which the full disk refuses.
        await cli(['doctor', '--port', pty, '--fixture', join(process.cwd(), 'fixtures/vvx-jig.json'), '--jog', '--jog-ms', '20', '--jog-gap-ms', '10'], work);
        const done = await serving;
        expect(done.code, done.stderr).toBe(EXIT.io);
        expect(oneLine(done)).toMatch(/^resetbot: cannot write the --trace file .*trace\.jsonl: the disk is full \(ENOSPC\): free space, then start the bench again$/);
        wholeLines(trace);
        expect(existsSync(pty)).toBe(false);
      } finally {
        rmSync(filler);
        if (server.exitCode === null) server.kill('SIGINT');
      }
    },
    60_000,
  );

  it.skipIf(noDisk !== undefined)(`a disk with too little room is refused before anything moves, exit 2${noDisk !== undefined ? ` (skipped: ${noDisk})` : ''}`, async () => {
    const { dir: mount } = disk!;
    const work = tempDir();
    const { path } = batchFile(work, 1);
    const filler = join(mount, 'filler2');
    fill(filler);
    try {
      const r = await cli(['batch', path, '--out', join(mount, 'full')], work);
      expect(r.code).toBe(EXIT.usage);
      expect(oneLine(r)).toMatch(/^resetbot: --out .*: (cannot write in .*: the disk is full \(ENOSPC\)|the disk holding .* has \d+ KiB free, less than the 1024 KiB a run needs)/);
      const i = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--inspect', join(mount, 'i.jsonl')], work);
      expect(i.code).toBe(EXIT.usage);
      expect(oneLine(i)).toMatch(/^resetbot: --inspect /);
      expect(i.stdout).toBe('');
    } finally {
      rmSync(filler);
    }
  });
});

describe('writes on a full disk leave no half line and no temporary file', () => {
  useSmallDisk();
  it.skipIf(noDisk !== undefined)(`the journal is cut back to its last whole line; an atomic write keeps the old file${noDisk !== undefined ? ` (skipped: ${noDisk})` : ''}`, () => {
    const { dir } = disk!;
    const path = join(dir, 'j.jsonl');
    const journal = Journal.create(path, 'b', () => 0);
    journal.append({ type: 'end', at: 'x', aborted: false });
    const report = join(dir, 'records.jsonl');
    writeFileAtomic(report, '{"old":true}\n');
    const filler = join(dir, 'filler');
    // Full to the last byte: the part of the next line that fits in the journal's last page is written (a short
    // write), the rest is not.
    fill(filler);
    const failures: unknown[] = [];
    journal.onFailure = (e) => failures.push(e);
    journal.append({ type: 'end', at: 'y'.repeat(64 * 1024), aborted: false });
    journal.append({ type: 'end', at: 'z', aborted: false }); // nothing more is written after a failure
    journal.close();
    expect(failures).toHaveLength(1);
    expect(journal.failure).toBeInstanceOf(OutputError);
    expect(journal.failure!.oneLine()).toMatch(/cannot write the journal .*: the disk is full \(ENOSPC\)/);
    expect(wholeLines(path)).toBe(1);
    expect(() => writeFileAtomic(report, '{"new":true}\n'.repeat(100_000))).toThrow(/cannot write the report .*records\.jsonl: the disk is full \(ENOSPC\)/);
    expect(readFileSync(report, 'utf8')).toBe('{"old":true}\n');
    expect(strays(dir)).toEqual([]);
    rmSync(filler);
    // A temporary file left by a writer that died mid-write (kill -9) goes at the next write; a live writer's stays.
    writeFileSync(join(dir, '.records.jsonl.999999.tmp'), '{"half":');
    writeFileSync(join(dir, `.records.jsonl.${process.ppid}.tmp`), '{"busy":');
    writeFileAtomic(report, '{"new":true}\n');
    expect(strays(dir)).toEqual([`.records.jsonl.${process.ppid}.tmp`]);
    rmSync(join(dir, `.records.jsonl.${process.ppid}.tmp`));
  });
});

describe('--resume refuses another batch or other options, naming what differs', () => {
  it('--out without a journal (never a sibling\'s), --skip-bad on a batch without it, another --out', async () => {
    const dir = tempDir();
    const { path } = batchFile(dir, 2);
    const runs = join(dir, 'runs');
    const first = await cli(['batch', path, '--out', join(runs, 'a'), '--sim-seed', '1', '--quiet'], dir);
    expect(first.code, first.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
    mkdirSync(join(runs, 'b'));

    const noJournal = await cli(['batch', path, '--resume', '--out', join(runs, 'b'), '--quiet'], dir);
    expect(noJournal.code).toBe(EXIT.usage);
    expect(oneLine(noJournal)).toMatch(/--resume --out .*runs\/b: there is no journal in that folder/);

    const skipBad = await cli(['batch', path, '--resume', '--out', join(runs, 'a'), '--skip-bad', '--quiet'], dir);
    expect(skipBad.code).toBe(EXIT.usage);
    expect(oneLine(skipBad)).toMatch(/--skip-bad conflicts with batch \S+, which started without it/);

    const otherOut = await cli(['batch', path, '--resume', '--journal', join(runs, 'a', 'journal.jsonl'), '--out', join(runs, 'b'), '--quiet'], dir);
    expect(otherOut.code).toBe(EXIT.usage);
    expect(oneLine(otherOut)).toMatch(/--out .*runs\/b conflicts with batch \S+, whose reports are in .*runs\/a/);

    const seed = await cli(['batch', path, '--resume', '--out', join(runs, 'a'), '--sim-seed', '2', '--quiet'], dir);
    expect(seed.code).toBe(EXIT.usage);
    expect(oneLine(seed)).toMatch(/--sim-seed 2 conflicts with batch \S+, which runs with seed 1/);

    writeFileSync(path, readFileSync(path, 'utf8') + '0004F2999999,VVX 410\n');
    const changed = await cli(['batch', path, '--resume', '--out', join(runs, 'a'), '--quiet'], dir);
    expect(changed.code).toBe(EXIT.usage);
    expect(oneLine(changed)).toMatch(/batch file .* has changed since batch/);
  });
});
