import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBatch, report, startBatch } from '../src/batch/batch.js';
import { Journal } from '../src/batch/journal.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { mulberry } from './random.js';

/**
 * A batch of simulated phones over simulated stations, in virtual time, through the whole batch layer (validation,
 * health checks, the journal, records and reports): the host's CPU time and peak memory by batch size, each size in
 * a process of its own (peak RSS is the process's own `maxRSS`), and the journal's flushes to disk a phone.
 *
 *   npx tsx bench/batch.ts 1000 10000 100000     the sizes given, each run whole (default 1,000 and 10,000, then 100,000 sampled)
 *   npx tsx bench/batch.ts --sampled 100000      one size, sampled (see makeSampled)
 */
export interface BatchFigures {
  phones: number;
  passed: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  /** Peak RSS of the same process before the batch (the code loaded): the batch's own share is the difference. */
  baseRssMb: number;
  syncsPerPhone: number;
  journalMb: number;
  phonesPerHour: number | null;
  perPhoneCpuMs: number;
}

/** Runs one batch of `phones` in this process and returns its figures. */
export async function oneBatch(phones: number, stations = 16): Promise<BatchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-batch-'));
  try {
    // The models the factory-reset machine runs (the main procedure of the seeds).
    const models = getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');
    const rand = mulberry(7);
    const macs = new Set<string>();
    while (macs.size < phones) macs.add('0004f2' + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join(''));
    const file = join(dir, 'jobs.csv');
    writeFileSync(file, 'mac,model\n' + [...macs].map((m, i) => `${m},${models[i % models.length]!.name}`).join('\n') + '\n');
    macs.clear();
    const baseRssMb = process.resourceUsage().maxRSS / 1024;

    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    const prepared = prepareBatch({
      file,
      simStations: stations,
      outDir: join(dir, 'out'),
      seed: 1,
      newBatchId: () => 'bench',
      wallClock: () => new Date(),
      resetbotVersion: 'bench',
    });
    let syncs = 0;
    const append = Journal.prototype.appendMany;
    // Counts the journal's flushes (Journal.syncs) whichever journal object the batch opens.
    Journal.prototype.appendMany = function (this: Journal, entries) {
      const before = this.syncs;
      const out = append.call(this, entries);
      syncs += this.syncs - before;
      return out;
    };
    const { summary } = await startBatch(prepared, { signal: new AbortController().signal });
    Journal.prototype.appendMany = append;
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      phones: summary.total,
      passed: summary.byOutcome.pass,
      wallMs,
      cpuMs,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      baseRssMb,
      syncsPerPhone: syncs / summary.total,
      journalMb: statSync(summary.journal).size / 1024 / 1024,
      phonesPerHour: summary.phonesPerHour,
      perPhoneCpuMs: cpuMs / summary.total,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A batch of `phones` without running them all (makeSampled, then measureSampled in a fresh process): the parts of a batch whose memory grows with its size, at that size.
 * A real batch of `sample` phones runs first (16 simulated stations, as above); its journal is then copied out to
 * `phones` phones (each sampled phone's queued, started, step and final lines again under a new MAC and line, in
 * order), and this process validates and plans the `phones`-row batch file (prepareBatch: every job pending) and
 * writes the reports from the `phones`-phone journal (report: the journal streamed). Its peak RSS is what the batch
 * holds for its size; what the stations hold while they run is per station, measured by the real runs.
 */
export async function makeSampled(phones: number, dir: string, sample = 200): Promise<void> {
  const models = getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');
  const macOf = (i: number) => '0004f2' + i.toString(16).padStart(6, '0');
  const rows = (n: number) => 'mac,model\n' + Array.from({ length: n }, (_, i) => `${macOf(i)},${models[i % models.length]!.name}`).join('\n') + '\n';
  const small = join(dir, 'small.csv');
  writeFileSync(small, rows(sample));
  const ran = prepareBatch({ ...SAMPLED_SETUP, file: small, outDir: join(dir, 'small') });
  await startBatch(ran, { signal: new AbortController().signal });

  // The journal of `phones` phones: the sample's per-phone lines again and again, renumbered.
  const lines = readFileSync(ran.journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const head = lines.filter((e) => !('job' in e) && e.type !== 'end');
  const byJob = new Map<string, Record<string, unknown>[]>();
  for (const e of lines) if (typeof e.job === 'string') byJob.set(e.job, [...(byJob.get(e.job) ?? []), e]);
  const perPhone = [...byJob.values()];
  writeFileSync(join(dir, 'jobs.csv'), rows(phones));
  const fd = openSync(join(dir, 'journal.jsonl'), 'w');
  let seq = 0;
  const put = (e: Record<string, unknown>) => writeSync(fd, JSON.stringify({ ...e, seq: ++seq }) + '\n');
  for (const e of head) put(e);
  for (let i = 0; i < phones; i++) {
    const mac = macOf(i);
    for (const e of perPhone[i % perPhone.length]!) {
      const copy: Record<string, unknown> = { ...e, job: mac };
      if (e.type === 'queued') copy.line = i + 2;
      if (e.type === 'final') copy.record = { ...(e.record as object), mac, line: i + 2 };
      put(copy);
    }
  }
  put(lines.at(-1)!);
  closeSync(fd);
}

const SAMPLED_SETUP = { simStations: 16, seed: 1, newBatchId: () => 'bench', wallClock: () => new Date(), resetbotVersion: 'bench' };

/** The measuring half of a sampled batch (see makeSampled), in a process of its own. */
export function measureSampled(phones: number, dir: string, sample: number): BatchFigures & { sampled: number } {
  const file = join(dir, 'jobs.csv');
  const journal = join(dir, 'journal.jsonl');
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const prepared = prepareBatch({ ...SAMPLED_SETUP, file, outDir: join(dir, 'out') });
  const pending = prepared.pending.length;
  const { summary } = report('bench', 'bench', file, journal, join(dir, 'out'), [], []);
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (pending !== phones || summary.total !== phones) throw new Error(`sampled batch: ${pending} pending, ${summary.total} reported, of ${phones}`);
  return {
    phones,
    sampled: sample,
    passed: summary.byOutcome.pass,
    wallMs: performance.now() - wallStart,
    cpuMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baseRssMb,
    syncsPerPhone: NaN,
    journalMb: statSync(journal).size / 1024 / 1024,
    phonesPerHour: summary.phonesPerHour,
    perPhoneCpuMs: cpuMs / phones,
  };
}

/** Each size in a fresh process (so one size's peak is not another's), one line each. */
export async function benchBatch(sizes: number[] = [1000, 10000], sampled: number[] = [100_000]): Promise<void> {
  console.log('batch: simulated phones over 16 simulated stations in virtual time, each size in a process of its own');
  const child = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench batch ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BatchFigures & { sampled?: number };
  };
  const rows: BatchFigures[] = sizes.map((n) => child(['--one', String(n)]));
  for (const f of rows) {
    console.log(
      `  ${String(f.phones).padStart(7)} phones: peak RSS ${f.peakRssMb.toFixed(0)} MB (${f.baseRssMb.toFixed(0)} MB loaded before the batch), ` +
        `${f.passed} passed, wall ${(f.wallMs / 1000).toFixed(1)} s, ${f.perPhoneCpuMs.toFixed(2)} ms CPU a phone, ` +
        `${f.syncsPerPhone.toFixed(2)} journal flushes a phone (was one a line, about 14), journal ${f.journalMb.toFixed(1)} MB`,
    );
  }
  if (rows.length > 1) {
    const a = rows[0]!;
    const b = rows.at(-1)!;
    console.log(`  peak RSS ${b.phones} / ${a.phones} phones: ${(b.peakRssMb / a.peakRssMb).toFixed(2)}x for ${(b.phones / a.phones).toFixed(0)}x the phones (flat: 1.00x)`);
  }
  for (const n of sampled) {
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-sampled-'));
    let f: BatchFigures & { sampled?: number };
    try {
      child(['--make-sampled', String(n), dir]);
      f = child(['--measure-sampled', String(n), dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `  ${String(f.phones).padStart(7)} phones, sampled (${f.sampled} run, their journal lines copied out to ${f.phones}; the file validated and ` +
        `planned, the reports written from a ${f.journalMb.toFixed(0)} MB journal): peak RSS ${f.peakRssMb.toFixed(0)} MB (${f.baseRssMb.toFixed(0)} MB before), goal 150 MB`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    const f = await oneBatch(Number(args[1]));
    console.log(JSON.stringify(f));
  } else if (args[0] === '--make-sampled') {
    await makeSampled(Number(args[1]), args[2]!);
    console.log('{}');
  } else if (args[0] === '--measure-sampled') {
    console.log(JSON.stringify(measureSampled(Number(args[1]), args[2]!, 200)));
  } else if (args[0] === '--sampled') {
    await benchBatch([], [Number(args[1])]);
  } else {
    await benchBatch(args.length > 0 ? args.map(Number) : undefined);
  }
}
