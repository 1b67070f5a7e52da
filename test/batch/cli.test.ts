import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/batch/journal.js';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import type { BatchSummary } from '../../src/batch/report.js';
import { cli, endState, finished, fixture, jsonLines, spawnCli, tempDir, truthFor, until, whileRunning, type TruthLine } from './cli-helpers.js';

/*
 * `resetbot batch` through its CLI, as child processes, on simulated stations. Outcomes are judged by the simulator's
 * own account of each phone (--sim-truth), never by the controller's records alone.
 */

const MODELS = ['VVX 410', 'VVX 311', 'SoundPoint IP 335', 'VVX 500', 'SoundPoint IP 650', 'VVX 600'];

function batchFile(dir: string, count: number, extra: (i: number) => string = () => ''): { path: string; macs: string[] } {
  const macs = Array.from({ length: count }, (_, i) => `0004f2${(0x100 + i).toString(16).padStart(6, '0')}`);
  const path = join(dir, 'jobs.csv');
  writeFileSync(path, ['mac,model,station', ...macs.map((m, i) => `${m.toUpperCase()},${MODELS[i % MODELS.length]},${extra(i)}`)].join('\n') + '\n');
  return { path, macs };
}

/** Every pass must be a phone the simulator says is at factory defaults. */
function expectTruthAgrees(records: BatchRecord[], truths: TruthLine[]): void {
  for (const r of records.filter((x) => x.outcome === 'pass')) {
    const t = truthFor(truths, r);
    expect(t, `simulator account of ${r.mac} run ${r.run}`).toBeDefined();
    expect(t!.truth.factoryDefaults, `${r.mac} passed: the simulator must agree`).toBe(true);
  }
}

describe('resetbot batch', () => {
  it('reports each bad row with its line, stops without --skip-bad, and runs the good rows with it', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const file = fixture('batches/bad-rows.csv'); // BOM, CRLF, a bad MAC, an unknown model, a duplicate, a short row, an unknown station

    const stopped = await cli(['batch', file, '--out', out, '--quiet'], dir);
    expect(stopped.code).toBe(2);
    for (const [line, why] of [
      [3, /10 hex digits/],
      [4, /unknown model 'VVX 999'/],
      [5, /already on line 2/],
      [6, /2 fields, the header has 3/],
      [7, /unknown station 'nowhere'/],
    ] as const) {
      expect(stopped.stderr).toMatch(new RegExp(`line ${line}: .*${why.source}`));
    }
    expect(stopped.stderr).toMatch(/5 bad rows .* nothing was run: .* --skip-bad/);
    expect(existsSync(out)).toBe(false); // nothing written, nothing moved

    const truthPath = join(dir, 'truth.jsonl');
    const ran = await cli(['batch', file, '--out', out, '--skip-bad', '--json', '--sim-seed', '11', '--sim-truth', truthPath], dir);
    expect(ran.stderr).toMatch(/line 3: /);
    const summary = JSON.parse(ran.stdout) as BatchSummary;
    expect(summary.total).toBe(2);
    expect(summary.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(Object.values(summary.byOutcome).reduce((a, b) => a + b, 0)).toBe(2);
    const records = jsonLines<BatchRecord>(summary.records);
    expect(records.map((r) => [r.line, r.mac])).toEqual([
      [2, '0004f2aa814c'],
      [8, '0004f2aa8153'],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ model: expect.any(String), station: 'sim-1', outcome: expect.any(String) });
      expect(r.versions.resetbot).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.steps.length).toBeGreaterThan(0);
    }
    expectTruthAgrees(records, jsonLines<TruthLine>(truthPath));
    expect(ran.code).toBe(summary.byOutcome.pass === 2 ? 0 : 6);
    // The CSV and JSON reports are there, whole.
    expect(JSON.parse(readFileSync(summary.summaryJson, 'utf8'))).toEqual(summary);
    expect(readFileSync(summary.summaryCsv, 'utf8').split('\r\n')[0]).toBe('group,name,total,pass,unverified,fail,error,aborted');
  });

  it('refuses a file without a required column, in one line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.csv'), 'mac,station\n0004F2AA814C,\n');
    const r = await cli(['batch', 'x.csv'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/has no 'model' column/);
  });

  it('after a kill -9 mid-run, --resume finishes: one final record per phone, none run twice, the simulator agrees', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const journalPath = join(out, 'journal.jsonl');
    const truthPath = join(dir, 'truth.jsonl');
    const { path, macs } = batchFile(dir, 9);

    // Paced so that the batch lasts seconds of real time; killed once a few phones are done.
    const child = spawnCli(['batch', path, '--out', out, '--sim-stations', '3', '--sim-pace', '300', '--sim-seed', '5', '--sim-truth', truthPath, '--quiet'], dir);
    const exited = finished(child);
    await until(whileRunning(exited, () => jsonLines<JournalEntry>(journalPath).filter((e) => e.type === 'final').length >= 2), 'two final records');
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');

    const before = jsonLines<JournalEntry>(journalPath);
    const finalBefore = new Set(before.flatMap((e) => (e.type === 'final' ? [e.job] : [])));
    const cutOff = new Set(before.flatMap((e) => (e.type === 'started' && !finalBefore.has(e.job) ? [e.job] : [])));
    expect(finalBefore.size).toBeGreaterThanOrEqual(2);
    expect(cutOff.size).toBeGreaterThan(0); // the kill landed mid-procedure on some phone

    const resumed = await cli(['batch', path, '--resume', '--journal', journalPath, '--sim-stations', '3', '--sim-seed', '5', '--sim-truth', truthPath, '--json'], dir);
    const summary = JSON.parse(resumed.stdout) as BatchSummary;
    const journal = jsonLines<JournalEntry>(journalPath);
    const records = jsonLines<BatchRecord>(summary.records);

    // Every phone has exactly one record, and the summary counts each once.
    expect(records.map((r) => r.mac).sort()).toEqual([...macs].sort());
    expect(summary.total).toBe(9);
    expect(Object.values(summary.byOutcome).reduce((a, b) => a + b, 0)).toBe(9);
    expect(summary.complete).toBe(true);
    expect(summary.sessions).toBe(2);

    // Phones done before the kill were not started again.
    const session2Starts = journal.filter((e) => e.type === 'started' && e.session === 2).map((e) => (e as { job: string }).job);
    for (const mac of finalBefore) expect(session2Starts).not.toContain(mac);
    // Phones cut off were started again from power-off, as run 2, and say so.
    for (const mac of cutOff) {
      const r = records.find((x) => x.mac === mac)!;
      expect(r.run).toBe(2);
      expect(r.interruptedRuns).toBe(1);
      expect(r.attemptLog.length === 0 || r.steps[0]!.step === 'power-off').toBe(true);
    }
    // One final per job in the whole journal (none aborted here), sequence numbers only grow.
    const finals = journal.filter((e) => e.type === 'final');
    expect(finals).toHaveLength(9);
    expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => i + 1));

    expectTruthAgrees(records, jsonLines<TruthLine>(truthPath));
  });

  it('runs stations in parallel; a station whose bench fails, or fails its check, is taken out and the others carry on', async () => {
    const dir = tempDir();
    const truthPath = join(dir, 'truth.jsonl');
    // Station file: good, drops (its serial line drops during its first phone), dead (never answers), mislabelled
    // (its phone 0004F2AA814C is really 0004F2AA814D).
    const stations = fixture('stations/sim-faulty.json');
    const rows = ['mac,model,station', '0004F2AA814C,VVX 410,mislabelled', '0004F2000003,VVX 311,dead'];
    for (let i = 0; i < 8; i++) rows.push(`0004F2100${i}00,${MODELS[i % 2 === 0 ? 0 : 3]},`);
    writeFileSync(join(dir, 'jobs.csv'), rows.join('\n') + '\n');

    const r = await cli(['batch', 'jobs.csv', '--stations', stations, '--out', 'out', '--sim-seed', '3', '--sim-truth', truthPath, '--json'], dir);
    const summary = JSON.parse(r.stdout) as BatchSummary;
    const records = jsonLines<BatchRecord>(summary.records);
    const truths = jsonLines<TruthLine>(truthPath);
    expect(r.code).toBe(6);
    expect(records).toHaveLength(10);

    const status = Object.fromEntries(summary.stations.map((s) => [s.name, s]));
    expect(status.good!.status).toBe('ok');
    expect(status.mislabelled!.status).toBe('ok');
    expect(status.dead).toMatchObject({ status: 'out', reason: expect.stringMatching(/does not answer/) });
    expect(status.drops).toMatchObject({ status: 'out', reason: expect.stringMatching(/bench failed.*link lost/) });

    // The job pinned to the dead station: an error that says why; it never touched a bench.
    const pinned = records.find((x) => x.mac === '0004f2000003')!;
    expect(pinned).toMatchObject({ outcome: 'error', station: 'dead', failure: { class: 'bench', code: 'station-out' } });
    expect(truths.some((t) => t.mac === pinned.mac)).toBe(false);
    // The phone on the station that dropped its line: a bench error, and that station ran nothing more.
    const onDrops = records.filter((x) => x.station === 'drops');
    expect(onDrops).toHaveLength(1);
    expect(onDrops[0]).toMatchObject({ outcome: 'error', failure: { class: 'bench', code: 'link-lost' } });
    // The mislabelled phone: the simulator says it was not reset, and the record says it failed.
    const wrong = records.find((x) => x.mac === '0004f2aa814c')!;
    expect(wrong.outcome).not.toBe('pass');
    expect(truthFor(truths, wrong)!.realMac).toBe('0004f2aa814d');
    expect(truthFor(truths, wrong)!.truth.factoryDefaults).toBe(false);
    // Every other phone ran on a healthy station, and every pass is a reset phone.
    for (const x of records.filter((y) => !['0004f2000003', '0004f2aa814c'].includes(y.mac) && y.station !== 'drops')) {
      expect(['good', 'mislabelled']).toContain(x.station);
    }
    expect(records.filter((x) => x.outcome === 'pass').length).toBeGreaterThanOrEqual(6);
    expectTruthAgrees(records, truths);
  });

  it('Ctrl-C during a hold releases every channel and the relay on every station, then --resume finishes', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const journalPath = join(out, 'journal.jsonl');
    const truthPath = join(dir, 'truth.jsonl');
    const { path, macs } = batchFile(dir, 6);

    const child = spawnCli(['batch', path, '--out', out, '--sim-stations', '3', '--sim-pace', '10', '--sim-seed', '2', '--sim-truth', truthPath, '--quiet'], dir);
    const exited = finished(child);
    let held = '';
    await until(
      whileRunning(exited, () => {
        // A job whose latest step is the hold: its combo is held right now.
        const last = new Map<string, string>();
        for (const e of jsonLines<JournalEntry>(journalPath)) if (e.type === 'step') last.set(e.job, e.step);
        held = [...last].find(([, step]) => step === 'holding')?.[0] ?? '';
        return held !== '';
      }),
      'a combo held',
    );
    child.kill('SIGINT');
    const done = await exited;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(/releasing every solenoid/);

    const records = jsonLines<BatchRecord>(join(out, 'records.jsonl'));
    expect(records.map((r) => r.mac).sort()).toEqual([...macs].sort());
    expect(records.every((r) => r.outcome === 'aborted')).toBe(true);

    // The simulator's trace of every phone placed in a jig: nothing left energised, the relay off.
    const truths = jsonLines<TruthLine>(truthPath);
    expect(truths.length).toBe(3); // one phone per station had started
    for (const t of truths) {
      expect(endState(t.trace), `${t.station} ${t.mac}`).toEqual({ on: [], relay: false });
      expect(t.truth.factoryDefaults).toBe(false);
    }
    // The phone that was holding its combo: the hold was never released by the procedure, only by the abort, and the
    // combo's channels went off together with the relay.
    const holder = records.find((r) => r.mac === held)!;
    const steps = holder.steps.map((s) => s.step);
    expect(steps.slice(-2)).toEqual(['hold-combo', 'abort']);
    const trace = truths.find((t) => t.mac === held)!.trace;
    const relayOff = trace.filter((e) => e.channel === 'relay' && !e.on).at(-1)!;
    const releasedWithIt = trace.filter((e) => e.channel !== 'relay' && !e.on && e.t === relayOff.t);
    expect(releasedWithIt.length).toBeGreaterThanOrEqual(3);
    for (const e of releasedWithIt) expect(trace.some((x) => x.channel === e.channel && x.on && x.t <= e.t)).toBe(true);

    // Aborted phones run again on --resume; each still ends with one record.
    const resumed = await cli(['batch', path, '--resume', '--out', out, '--sim-stations', '3', '--sim-truth', truthPath, '--json'], dir);
    const summary = JSON.parse(resumed.stdout) as BatchSummary;
    const after = jsonLines<BatchRecord>(summary.records);
    expect(after.map((r) => r.mac).sort()).toEqual([...macs].sort());
    expect(summary.byOutcome.aborted).toBe(0);
    expect(after.filter((r) => r.mac === held)[0]!.run).toBe(2);
    expectTruthAgrees(after, jsonLines<TruthLine>(truthPath));
  });

  it('scan mode: scanned labels become jobs one by one; a phone that passed is not run again', async () => {
    const dir = tempDir();
    const truthPath = join(dir, 'truth.jsonl');
    const input = ['0004F2AA814C', '', 'not-a-mac', '0004-f2aa-814d vvx 311', '', '0004F2AA814C', '0004F2AA814E', 's', 'q', '0004F2AA814F', ''].join('\n') + '\n';
    const r = await cli(['batch', '--scan', '--model', 'VVX 410', '--out', 'out', '--sim-seed', '7', '--sim-truth', truthPath, '--json'], dir, input);
    const summary = JSON.parse(r.stdout) as BatchSummary;
    const records = jsonLines<BatchRecord>(summary.records);
    expect(records.map((x) => [x.mac, x.model])).toEqual([
      ['0004f2aa814c', 'vvx-410'],
      ['0004f2aa814d', 'vvx-311'],
    ]);
    expect(r.stderr).toMatch(/Not accepted: MAC 'not-a-mac'/);
    expect(r.stderr).toMatch(/0004F2AA814C already passed in this batch/);
    expect(records[0]!.outcome).toBe('pass');
    expectTruthAgrees(records, jsonLines<TruthLine>(truthPath));
    // The scanned phone that was skipped, and the one after "q", were never run.
    expect(jsonLines<TruthLine>(truthPath).map((t) => t.mac).sort()).toEqual(['0004f2aa814c', '0004f2aa814d']);
  });
});
