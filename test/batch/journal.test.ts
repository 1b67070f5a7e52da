import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, journalAsScanned, needsRun, readJournal, readJournalHeader, replay, scanJournal, type JournalEntry, type NewEntry } from '../../src/batch/journal.js';
import { sameJournalAsRead } from '../../src/batch/batch.js';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import { ConfigError } from '../../src/errors/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'resetbot-journal-'));
let n = 0;
const path = () => join(dir, `j${n++}.jsonl`);
/** Every whole entry of a (small) journal, in order. */
const entriesOf = (p: string): JournalEntry[] => {
  const out: JournalEntry[] = [];
  scanJournal(p, (e) => out.push(e));
  return out;
};

const header: NewEntry = {
  type: 'batch',
  mode: 'file',
  file: '/lab/jobs.csv',
  fileHash: 'abc',
  stationsFile: null,
  outDir: dir,
  resetbot: '0.1.0',
  at: '2025-01-01T00:00:00.000Z',
};
const queued = (mac: string, line: number): NewEntry => ({
  type: 'queued',
  job: mac,
  run: 0,
  attempt: 0,
  line,
  model: 'vvx-410',
  station: null,
  procedure: 'cancel-combo',
  options: {},
});
const started = (mac: string, run: number): NewEntry => ({ type: 'started', job: mac, run, attempt: 0, station: 's1', at: 'now' });
const final = (mac: string, run: number, outcome: BatchRecord['outcome']): NewEntry => ({
  type: 'final',
  job: mac,
  run,
  attempt: 1,
  outcome,
  record: { mac, outcome, run } as BatchRecord,
});

describe('checking a journal without scanning it whole', () => {
  it('its header is its first line; a file that is not a journal is said so', () => {
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    j.appendMany([header, queued('aa', 2), started('aa', 1)]);
    j.close();
    expect(readJournalHeader(p)).toMatchObject({ type: 'batch', fileHash: 'abc', seq: 1 });
    const other = path();
    writeFileSync(other, 'mac,model\n0004f2aa814c,VVX 410\n');
    expect(() => readJournalHeader(other)).toThrow(/is not a resetbot batch journal/);
    writeFileSync(other, '');
    expect(() => readJournalHeader(other)).toThrow(/is not a resetbot batch journal/);
  });

  it('a journal another batch wrote to after it was read is caught: a line appended, or a torn tail cut', () => {
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    j.appendMany([header, queued('aa', 2), started('aa', 1)]);
    j.close();
    const read = readJournal(p);
    expect(journalAsScanned(read)).toBe(true);
    expect(() => sameJournalAsRead(read)).not.toThrow();

    // Another batch resumed it meanwhile and wrote a line.
    const other = Journal.resume(readJournal(p), () => 0);
    other.append(started('aa', 2));
    other.close();
    expect(journalAsScanned(read)).toBe(false);
    expect(() => sameJournalAsRead(read)).toThrow(/changed while this batch was getting ready/);

    // A torn tail read, then cut by another batch's resume: the size differs.
    const q = path();
    const k = Journal.create(q, 'b1', () => 0);
    k.appendMany([header, queued('aa', 2)]);
    k.close();
    appendFileSync(q, '{"seq":3,"batch":"b1","ses');
    const torn = readJournal(q);
    expect(journalAsScanned(torn)).toBe(true);
    truncateSync(q, torn.validBytes);
    expect(journalAsScanned(torn)).toBe(false);

    // The same size but another last line (a journal replaced by one as long): its sequence number tells.
    const r = path();
    writeFileSync(r, readFileSync(p, 'utf8'));
    const readR = readJournal(r);
    const text = readFileSync(r, 'utf8');
    writeFileSync(r, text.replace(/"seq":4,/, '"seq":9,'));
    expect(readFileSync(r).length).toBe(readR.totalBytes);
    expect(journalAsScanned(readR)).toBe(false);
  });
});

describe('the batch journal', () => {
  it('numbers every line, carries the batch, session and clock, and refuses to overwrite a journal', () => {
    const p = path();
    let t = 0;
    const j = Journal.create(p, 'b1', () => t);
    j.appendMany([header, queued('aa', 2)]);
    t = 1500;
    j.append(started('aa', 1));
    j.close();
    const lines = readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.batch, l.session, l.clockMs, l.type])).toEqual([
      [1, 'b1', 1, 0, 'batch'],
      [2, 'b1', 1, 0, 'queued'],
      [3, 'b1', 1, 1500, 'started'],
    ]);
    expect(() => Journal.create(p, 'b2', () => 0)).toThrow(/already exists/);
  });

  it('cuts a torn last line off before a new session appends, and goes on numbering', () => {
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    j.appendMany([header, queued('aa', 2), started('aa', 1)]);
    j.close();
    appendFileSync(p, '{"seq":4,"batch":"b1","ses'); // a kill -9 in the middle of a write
    const read = readJournal(p);
    expect(entriesOf(p)).toHaveLength(3);
    const again = Journal.resume(read, () => 0);
    again.append(started('aa', 2));
    again.close();
    const lines = readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.session, l.type])).toEqual([
      [1, 1, 'batch'],
      [2, 1, 'queued'],
      [3, 1, 'started'],
      [4, 2, 'started'],
    ]);
  });

  it('refuses a journal damaged in the middle', () => {
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    j.appendMany([header, queued('aa', 2)]);
    j.close();
    const text = readFileSync(p, 'utf8').split('\n');
    writeFileSync(p, [text[0], '{garbage', text[1], ''].join('\n'));
    expect(() => readJournal(p)).toThrow(ConfigError);
    expect(() => readJournal(p)).toThrow(/line 2 is damaged/);
  });

  it('replays: the last final counts; a run cut off is counted as interrupted and runs again; aborted runs again', () => {
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    j.appendMany([header, queued('aa', 2), queued('bb', 3), queued('cc', 4), queued('dd', 5)]);
    j.append(started('aa', 1));
    j.append(final('aa', 1, 'pass'));
    j.append(started('bb', 1)); // cut off: no final
    j.append(started('cc', 1));
    j.append(final('cc', 1, 'aborted'));
    j.close();
    const first = readJournal(p).jobs;
    expect([...first.values()].map((h) => [h.mac, h.runs, h.interrupted, h.final?.outcome, needsRun(h)])).toEqual([
      ['aa', 1, 0, 'pass', false],
      ['bb', 1, 1, undefined, true],
      ['cc', 1, 0, 'aborted', true],
      ['dd', 0, 0, undefined, true],
    ]);

    const k = Journal.resume(readJournal(p), () => 0);
    k.append(started('bb', 2));
    k.append(final('bb', 2, 'fail'));
    k.append(started('cc', 2));
    k.append(final('cc', 2, 'pass'));
    k.close();
    const second = readJournal(p).jobs;
    expect([...second.values()].map((h) => [h.mac, h.runs, h.interrupted, h.final?.outcome, needsRun(h)])).toEqual([
      ['aa', 1, 0, 'pass', false],
      ['bb', 2, 1, 'fail', false],
      ['cc', 2, 0, 'pass', false],
      ['dd', 0, 0, undefined, true],
    ]);
  });

  it('flushes to disk on the lines resume depends on, not on step lines; a power cut loses only steps of an open run', () => {
    const step = (mac: string, run: number, name: string): NewEntry => ({ type: 'step', job: mac, run, attempt: 1, station: 's1', step: name });
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    j.appendMany([header, queued('aa', 2), queued('bb', 3)]);
    expect(j.syncs).toBe(1);
    j.append(started('aa', 1));
    for (const name of ['power-off', 'power-on', 'cancel', 'combo', 'type', 'confirm']) j.append(step('aa', 1, name));
    expect(j.syncs).toBe(2); // the started line only
    expect(j.syncedBytes).toBeLessThan(readFileSync(p).length); // the steps are written, not yet flushed
    j.append(final('aa', 1, 'pass'));
    expect(j.syncs).toBe(3);
    expect(j.syncedBytes).toBe(readFileSync(p).length); // the final's flush carries the steps before it
    j.append(started('bb', 1));
    j.append(step('bb', 1, 'power-off'));
    j.append(step('bb', 1, 'power-on'));
    expect(j.syncs).toBe(4);
    const durable = j.syncedBytes;
    j.close();

    // A power cut now: the file is what the last flush put on disk.
    const whole = readJournal(p).jobs;
    truncateSync(p, durable);
    const cut = entriesOf(p);
    expect(cut.filter((e) => e.type === 'step').map((e) => (e as { job: string }).job)).toEqual(['aa', 'aa', 'aa', 'aa', 'aa', 'aa']);
    const after = replay(cut).jobs;
    // Resume sees exactly what it would have seen without the cut: aa done, bb cut off and to run again.
    expect([...after.values()].map((h) => [h.mac, h.runs, h.interrupted, h.final?.outcome, needsRun(h)])).toEqual(
      [...whole.values()].map((h) => [h.mac, h.runs, h.interrupted, h.final?.outcome, needsRun(h)]),
    );
    expect(after.get('bb')).toMatchObject({ runs: 1, interrupted: 1 });
  });

  it('resumes a journal many times the size it is read in (streamed, replayed as read) and loses nothing', () => {
    // 4,000 phones, each with step lines long enough that the journal spans several of the scan's 1 MiB chunks (lines
    // straddle their edges): every fourth phone passed, every fourth was stopped (aborted), every fourth was cut off
    // mid-run, every fourth never started; then a second session, and a torn last line (a kill -9 mid-write).
    const p = path();
    const j = Journal.create(p, 'b1', () => 0);
    const macs = Array.from({ length: 4000 }, (_, i) => i.toString(16).padStart(12, '0'));
    j.appendMany([header, ...macs.map((m, i) => queued(m, i + 2))]);
    expect(j.syncs).toBe(1); // written a chunk at a time, flushed once
    expect(j.written).toBe(4001);
    const words = 'x'.repeat(300);
    macs.forEach((m, i) => {
      if (i % 4 === 3) return;
      j.append(started(m, 1));
      for (const step of ['power-off', 'power-on', 'cancel']) j.append({ type: 'step', job: m, run: 1, attempt: 1, station: 's1', step, words });
      if (i % 4 === 0) j.append(final(m, 1, 'pass'));
      if (i % 4 === 1) j.append(final(m, 1, 'aborted'));
    });
    j.close();
    const k = Journal.resume(readJournal(p), () => 0);
    k.append(started(macs[2]!, 2)); // run again after its cut-off, and cut off again
    k.close();
    appendFileSync(p, '{"seq":99999999,"batch":"b1","ses');
    expect(readFileSync(p).length).toBeGreaterThan(4 * 1024 * 1024);

    // What a naive reader of the whole file (every whole line parsed) makes of it.
    const whole = readFileSync(p, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as JournalEntry);
    const expected = replay(whole).jobs;
    const read = readJournal(p);
    expect(read.lastSeq).toBe(whole.at(-1)!.seq);
    expect(read.sessions).toBe(2);
    expect(read.jobs.size).toBe(4000);
    const view = (jobs: typeof expected) => [...jobs.values()].map((h) => [h.mac, h.runs, h.interrupted, h.final?.outcome, needsRun(h)]);
    expect(view(read.jobs)).toEqual(view(expected));
    // And as built: 1,000 done; 1,000 aborted, 1,000 cut off, 1,000 never started, all to run again.
    expect([...read.jobs.values()].filter((h) => !needsRun(h))).toHaveLength(1000);
    expect(read.jobs.get(macs[2]!)).toMatchObject({ runs: 2, interrupted: 2, final: undefined });
    expect(read.jobs.get(macs[3]!)).toMatchObject({ runs: 0, interrupted: 0, final: undefined });
    expect(read.jobs.get(macs[1]!)).toMatchObject({ runs: 1, interrupted: 0, final: { outcome: 'aborted', run: 1 } });
  });
});
