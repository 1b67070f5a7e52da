import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/batch/journal.js';
import { proceduresOf } from '../../src/batch/options.js';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import type { BatchSummary } from '../../src/batch/report.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import { getCatalog } from '../../src/catalog/catalog.js';
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
    // Five rows never ran: the exit code says the batch did not do all it was given, and failures.csv lists them.
    expect(ran.code).toBe(6);
    const failures = readFileSync(summary.failuresCsv, 'utf8').split('\r\n').filter(Boolean);
    const notRun = failures.filter((l) => l.includes(',not-run,'));
    expect(notRun.map((l) => l.split(',')[3])).toEqual(['3', '4', '5', '6', '7']);
    expect(notRun[1]).toMatch(/^0004F2AA8150,VVX 999,,4,not-run,config,bad-row,.*unknown model 'VVX 999'/);
    const human = await cli(['batch', file, '--out', join(dir, 'again'), '--skip-bad', '--quiet', '--sim-seed', '11'], dir);
    expect(human.code).toBe(6);
    expect(human.stdout.trim().split('\n').at(-1)).toMatch(/^5 rows of the batch file did not run \(bad rows, listed in failures.csv\)/);
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
    // Step lines are written at once but not flushed on their own (src/batch/journal.ts): a kill -9 loses none of
    // them; every phone done before the kill has its steps in the journal.
    for (const mac of finalBefore) expect(before.some((e) => e.type === 'step' && e.job === mac)).toBe(true);

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

  it('a batch learns each model in the calibration file and plans the next phone of the model by it', async () => {
    const dir = tempDir();
    const truthPath = join(dir, 'truth.jsonl');
    const cal = join(dir, 'bench-calibration.json');
    const path = join(dir, 'jobs.csv');
    const macs = ['0004f2a10001', '0004f2a10002', '0004f2a10003'];
    writeFileSync(path, ['mac,model', ...macs.map((m) => `${m},VVX 410`)].join('\n') + '\n');
    const r = await cli(['batch', path, '--sim-stations', '1', '--out', 'out', '--sim-seed', '5', '--sim-truth', truthPath, '--json', '--quiet', '--calibration', cal], dir);
    const records = jsonLines<BatchRecord>((JSON.parse(r.stdout) as BatchSummary).records);
    expectTruthAgrees(records, jsonLines<TruthLine>(truthPath));
    expect(records.map((x) => x.outcome)).toEqual(['pass', 'pass', 'pass']);
    // The file holds what the three phones taught (a camera saw each keypad's labels).
    const learned = JSON.parse(readFileSync(cal, 'utf8')) as { models: Record<string, { phones: number; keypad: { cycle?: string[] } }> };
    expect(learned.models['vvx-410']!.phones).toBe(3);
    expect(learned.models['vvx-410']!.keypad.cycle?.[0]).toBe('123');
    // The first phone ran on the catalog's profile; the later ones on what the earlier ones taught.
    expect(records[0]!.calibration).toBeUndefined();
    expect(records[1]!.calibration?.phones).toBe(1);
    expect(records[2]!.calibration?.phones).toBe(2);
    // A damaged calibration file stops the batch before anything moves, in one line.
    writeFileSync(cal, '{not json');
    const bad = await cli(['batch', path, '--sim-stations', '1', '--out', 'out2', '--calibration', cal], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^resetbot: calibration file .* is damaged/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'out2'))).toBe(false);
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

  it('a mixed batch: each model on its own simulated unit in the jig made for its procedure, options applied; every pass agrees with the simulator', async () => {
    const dir = tempDir();
    const truthPath = join(dir, 'truth.jsonl');
    // VVX, IP 335, Edge E, CCX 500, Rove, two menu resets, an old-software VVX, an admin password typed for the MAC,
    // Edge B, Trio, VisualPro, a DECT base, CCX 400.
    const r = await cli(['batch', fixture('batches/lab-mixed.csv'), '--sim-stations', '3', '--out', 'out', '--sim-seed', '8', '--sim-truth', truthPath, '--json', '--quiet', '--trust-label'], dir);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout) as BatchSummary;
    const records = jsonLines<BatchRecord>(summary.records);
    const truths = jsonLines<MixedTruth>(truthPath);
    // The summary counts how each phone was named, and the passes that rest on the label alone (trusted here).
    for (const by of ['password', 'network', 'screen', 'label'] as const) {
      expect(summary.byIdentity[by], by).toBe(records.filter((x) => x.outcome !== 'aborted' && x.identity.by === by).length);
    }
    expect(summary.labelOnly.passedTrusted).toBe(records.filter((x) => x.outcome === 'pass' && x.identity.by === 'label').length);
    expect(summary.labelOnly.passedTrusted).toBeGreaterThan(0);
    // Which phone ran what: the batch file's. Their outcomes are judged by each simulated unit's truth below (a
    // phone's keypad variant may cost it a retry; --trust-label vouches for the procedures that type no MAC).
    expect(records.map((x) => [x.line, x.model, x.procedure])).toEqual([
      [3, 'vvx-410', 'cancel-combo'],
      [4, 'soundpoint-ip-335', 'cancel-combo'],
      [5, 'edge-e350', 'led-combo'],
      [6, 'ccx-500', 'touch-hold'],
      [7, 'rove-b1', 'long-press'],
      [8, 'vvx-311', 'menu-reset'],
      [9, 'soundpoint-ip-650', 'menu-reset'],
      [10, 'vvx-500', 'cancel-combo'],
      [11, 'vvx-600', 'cancel-combo'],
      [12, 'edge-b20', 'power-on-hold'],
      [13, 'trio-8800', 'touch-hold'],
      [14, 'trio-visualpro', 'long-press'],
      [15, 'vvx-d60-base', 'long-press'],
      [16, 'ccx-400', 'touch-hold'],
    ]);
    // Nearly every phone passes (on the truth, checked below); a failure must leave its phone as it was.
    expect(records.filter((x) => x.outcome === 'pass').length).toBeGreaterThanOrEqual(12);
    // The old-software VVX: a device reset, never a pass (seed 001 NOTE).
    expect(records.find((x) => x.line === 10)!.outcome).not.toBe('pass');
    expect(r.code).not.toBe(5);
    for (const rec of records) {
      const t = truthFor(truths, rec);
      expect(t, `simulator account of ${rec.model}`).toBeDefined();
      // Its own simulated unit, in the jig `resetbot reset` would choose for its model and procedure.
      expect(t!.truth.modelId).toBe(rec.model);
      const base = getCatalog().find(rec.model);
      const jig = fixtureFor({ ...base, procedure: proceduresOf(base).find((p) => p.kind === rec.procedure)! });
      expect((rec.config.station as { fixture: { name: string } }).fixture.name, rec.model).toBe(jig.name);
      expectResetAsRecorded(rec, t!);
    }
    // What the rows said of the phones reached the simulated ones: the admin passwords and the old software.
    const byLine = (line: number) => truthFor(truths, records.find((x) => x.line === line)!)!;
    expect([byLine(8).truth.adminPassword, byLine(9).truth.adminPassword, byLine(11).truth.adminPassword]).toEqual(['456', '789', '1966']);
    expect(byLine(10).truth.software).toBe('3.2.7');
    expect(records.find((x) => x.line === 10)!.config).toMatchObject({ options: { software: '3.2.7', maxAttempts: 3 }, timing: { maxAttempts: 3 } });
  });

  it('an admin password given in a batch row appears nowhere in the records, the journal, the summaries, stdout or stderr', async () => {
    const dir = tempDir();
    const truthPath = join(dir, 'truth.jsonl');
    const secrets = ['Adm1nPw77', 'Vvx600pw91', 'Bad€pw33'];
    writeFileSync(
      join(dir, 'jobs.csv'),
      [
        'mac,model,procedure,admin_password,options',
        `0004F2C30001,VVX 311,menu-reset,${secrets[0]},`, // the menu reset, its password as a column
        `0004F2C30002,VVX 600,,,adminPassword=${secrets[1]}; maxAttempts=2`, // typed instead of the MAC, in the options
        `0004F2C30003,VVX 311,menu-reset,${secrets[2]},`, // a bad row: a password the keypad cannot type
      ].join('\n') + '\n',
    );
    // Progress (not --quiet) goes to stderr with --json: it is checked too.
    const r = await cli(['batch', 'jobs.csv', '--out', 'out', '--skip-bad', '--json', '--sim-seed', '3', '--sim-truth', truthPath, '--trust-label'], dir);
    expect(r.stderr).toMatch(/line 4: the admin password has a character the VVX 311's keypad cannot type/);
    const summary = JSON.parse(r.stdout) as BatchSummary;
    const records = jsonLines<BatchRecord>(summary.records);
    // Both phones ran (a keypad without upper case cannot type a password with capitals: that phone fails, and says
    // so); the secret must be nowhere whatever the outcome.
    expect(records.map((x) => x.model)).toEqual(['vvx-311', 'vvx-600']);
    expect(r.code).toBe(6); // the bad row did not run
    expect(readFileSync(summary.failuresCsv, 'utf8')).toMatch(/,4,not-run,config,bad-row,/);
    // The simulated phones had the rows' passwords, and were reset: the passwords were typed.
    const truths = jsonLines<MixedTruth>(truthPath);
    expect(records.map((x) => truthFor(truths, x)!.truth.adminPassword)).toEqual(secrets.slice(0, 2));
    for (const x of records) expectResetAsRecorded(x, truthFor(truths, x)!);

    const written = readdirSync(join(dir, 'out')).sort();
    expect(written).toEqual(['failures.csv', 'journal.jsonl', 'records.jsonl', 'summary.csv', 'summary.json']);
    const texts: [string, string][] = [...written.map((f): [string, string] => [f, readFileSync(join(dir, 'out', f), 'utf8')]), ['stdout', r.stdout], ['stderr', r.stderr]];
    for (const [where, text] of texts) for (const secret of secrets) expect(text, `${where} holds ${secret}`).not.toContain(secret);
    // Where they would have been, the one marker.
    expect(records.map((x) => (x.config.options as Record<string, unknown>).adminPassword)).toEqual(['***', '***']);
    const queued = jsonLines<JournalEntry>(join(dir, 'out', 'journal.jsonl')).filter((e) => e.type === 'queued');
    expect(queued.map((e) => (e as { options: Record<string, unknown> }).options.adminPassword)).toEqual(['***', '***']);
  });

  it('--profiles: a row names a user-defined model, which runs on the simulated unit it extends; `models --profiles` lists it', async () => {
    const dir = tempDir();
    const truthPath = join(dir, 'truth.jsonl');
    const profiles = fixture('batches/lab-profiles.json');
    const file = fixture('batches/lab-user-models.csv');

    const without = await cli(['batch', file, '--out', 'out0', '--quiet'], dir);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/line 2: unknown model 'Lot 7 VVX'/);

    const r = await cli(['batch', file, '--profiles', profiles, '--out', 'out', '--sim-seed', '6', '--sim-truth', truthPath, '--json', '--quiet'], dir);
    const summary = JSON.parse(r.stdout) as BatchSummary;
    const records = jsonLines<BatchRecord>(summary.records);
    expect(records.map((x) => [x.model, x.outcome])).toEqual([
      ['vvx-410-slow-lot', 'pass'],
      ['vvx-410-slow-lot', 'pass'],
      ['vvx-410', 'pass'],
    ]);
    expect(r.code).toBe(0);
    // The user model's own timing profile ran.
    expect(records[0]!.config).toMatchObject({ timing: { id: 'vvx-slow-lot', cancelDeadlineMs: 180000, maxAttempts: 2 }, profiles });
    const truths = jsonLines<MixedTruth>(truthPath);
    for (const x of records) {
      expect(truthFor(truths, x)!.truth.modelId).toBe('vvx-410');
      expectResetAsRecorded(x, truthFor(truths, x)!);
    }

    const models = await cli(['models', '--profiles', profiles, '--json'], dir);
    expect(models.code).toBe(0);
    const list = JSON.parse(models.stdout) as { id: string; aliases: string[]; profiles?: string }[];
    expect(list.filter((m) => m.profiles === profiles).map((m) => m.id)).toEqual(['vvx-410-slow-lot', 'lab-desk-phone']);
    expect(list.find((m) => m.id === 'vvx-410-slow-lot')!.aliases).toContain('Lot 7 VVX');
    expect(list.length).toBe(getCatalog().models.length + 2);
  });

  it('--resume keeps --sim-stations and the seed from the journal, and refuses a conflicting value in one line', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const journalPath = join(out, 'journal.jsonl');
    const truthPath = join(dir, 'truth.jsonl');
    const { path, macs } = batchFile(dir, 6);

    // Stopped with Ctrl-C once all three stations have a phone: every phone is left to run again.
    const child = spawnCli(['batch', path, '--out', out, '--sim-stations', '3', '--sim-pace', '10', '--sim-seed', '12', '--quiet'], dir);
    const exited = finished(child);
    await until(whileRunning(exited, () => jsonLines<JournalEntry>(journalPath).filter((e) => e.type === 'started').length >= 3), 'three phones started');
    child.kill('SIGINT');
    expect((await exited).code).toBe(130);
    const before = readFileSync(journalPath, 'utf8');

    for (const [flag, value, message] of [
      ['--sim-stations', '2', /--sim-stations 2 conflicts with batch \S+, which runs on 3 simulated stations \(no station file\)/],
      ['--sim-seed', '13', /--sim-seed 13 conflicts with batch \S+, which runs with seed 12/],
      ['--stations', fixture('stations/sim-four.json'), /--stations .*sim-four\.json conflicts with batch \S+, which runs on 3 simulated stations/],
    ] as const) {
      const refused = await cli(['batch', path, '--resume', '--journal', journalPath, flag, value], dir);
      expect(refused.code, `${flag} ${value}`).toBe(2);
      expect(refused.stderr.trim().split('\n'), refused.stderr).toHaveLength(1);
      expect(refused.stderr).toMatch(message);
    }
    expect(readFileSync(journalPath, 'utf8')).toBe(before); // nothing was run or written

    // Resumed without the options: three stations again, the same seed.
    const resumed = await cli(['batch', path, '--resume', '--journal', journalPath, '--sim-truth', truthPath, '--json', '--quiet'], dir);
    const summary = JSON.parse(resumed.stdout) as BatchSummary;
    expect(summary).toMatchObject({ complete: true, sessions: 2 });
    const journal = jsonLines<JournalEntry>(journalPath);
    const session2 = journal.find((e) => e.type === 'session' && e.session === 2) as Extract<JournalEntry, { type: 'session' }>;
    expect(session2.stations.map((s) => (s as { name: string }).name)).toEqual(['sim-1', 'sim-2', 'sim-3']);
    const usedIn2 = new Set(journal.filter((e) => e.type === 'started' && e.session === 2).map((e) => (e as { station: string }).station));
    expect([...usedIn2].sort()).toEqual(['sim-1', 'sim-2', 'sim-3']);
    const records = jsonLines<BatchRecord>(summary.records);
    expect(records.map((x) => x.mac).sort()).toEqual([...macs].sort());
    expect(records.every((x) => x.config.simSeed === 12)).toBe(true);
    expectTruthAgrees(records, jsonLines<TruthLine>(truthPath));
  });
});

/** The simulator's account, with what the mixed tests read of it. */
interface MixedTruth extends TruthLine {
  truth: TruthLine['truth'] & {
    modelId: string;
    adminPassword?: string;
    software?: string;
    deviceResetOnly?: boolean;
    config?: { localConfig: boolean; webConfig: boolean; deviceSettings: boolean; fileSystemFormatted: boolean };
  };
}

/**
 * A pass is the reset the record names, as the simulator saw it done; a device-reset is what the simulator did; a fail
 * (the phone did not reset) is a phone the simulator did not reset either. Only `unverified` claims nothing.
 */
function expectResetAsRecorded(rec: BatchRecord, t: MixedTruth): void {
  if (rec.outcome === 'device-reset') {
    expect([t.truth.deviceResetOnly, t.truth.factoryDefaults], `${rec.model}: device-reset`).toEqual([true, false]);
    return;
  }
  if (rec.outcome === 'fail') {
    expect(t.truth.factoryDefaults, `${rec.model} failed: the simulator must not have reset it`).toBe(false);
    return;
  }
  if (rec.outcome !== 'pass') return;
  const what = `${rec.model} passed with ${rec.resetKind}: the simulator must agree`;
  switch (rec.resetKind) {
    case 'factory':
      expect(t.truth.factoryDefaults, what).toBe(true);
      break;
    case 'device-reset':
      expect([t.truth.deviceResetOnly, t.truth.factoryDefaults], what).toEqual([true, false]);
      break;
    case 'local-config':
      expect([t.truth.config?.localConfig, t.truth.config?.webConfig, t.truth.factoryDefaults], what).toEqual([true, false, false]);
      break;
    default:
      throw new Error(`no judge for reset kind ${rec.resetKind} (${what})`);
  }
}
