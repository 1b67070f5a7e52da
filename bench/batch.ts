import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBatch, startBatch } from '../src/batch/batch.js';
import type { BatchSummary } from '../src/batch/report.js';
import { createHash } from 'node:crypto';
import { getCatalog } from '../src/catalog/catalog.js';

/**
 * A batch of simulated phones over simulated stations, in virtual time, through the whole batch layer (validation,
 * health checks, the journal, records and reports), as an operator runs it: `resetbot batch` (the built CLI, dist/;
 * `npm run bench` builds it first) in a process of its own, each size in its own process. Peak memory is that
 * process's own maxRSS (bench/peak.mjs reports it at exit, with its CPU time and fsync calls); no TypeScript loader
 * runs in it.
 *
 *   npx tsx bench/batch.ts 1000 10000            the sizes given, each run whole, then 100,000 sampled
 *   npx tsx bench/batch.ts --sampled 100000      one size, sampled (see makeSampled)
 */
export interface BatchFigures {
  phones: number;
  passed: number;
  /** Phones this process ran (the others of a sampled batch were in its journal already). */
  ran: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  fsyncsPerPhone: number;
  journalMb: number;
  phonesPerHour: number | null;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'resetbot.js');
const PEAK = join(ROOT, 'bench', 'peak.mjs');
const STATIONS = 16;

/** `resetbot batch ARGS --json --quiet` in a process of its own: its summary, peak RSS, CPU time and fsyncs. */
function cliBatch(args: string[], dir: string): { summary: BatchSummary; wallMs: number; peak: { maxRssMb: number; cpuMs: number; fsyncs: number } } {
  const peakFile = join(dir, `peak-${Date.now()}.json`);
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--import', PEAK, CLI, 'batch', ...args, '--json', '--quiet', '--calibration', join(dir, 'calibration.json')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, RESETBOT_BENCH_PEAK: peakFile, RESETBOT_RUNS: dir },
  });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`bench batch: resetbot batch ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return { summary: JSON.parse(r.stdout) as BatchSummary, wallMs, peak: JSON.parse(readFileSync(peakFile, 'utf8')) as { maxRssMb: number; cpuMs: number; fsyncs: number } };
}

/** The models the factory-reset machine runs (the main procedure of the seeds). */
const comboModels = () => getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');
const macOf = (i: number) => '0004f2' + i.toString(16).padStart(6, '0');
const rows = (n: number) => {
  const models = comboModels();
  return 'mac,model\n' + Array.from({ length: n }, (_, i) => `${macOf(i)},${models[i % models.length]!.name}`).join('\n') + '\n';
};

/** Runs one whole batch of `phones` through the CLI and returns its figures. */
export function oneBatch(phones: number): BatchFigures {
  const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-batch-'));
  try {
    const file = join(dir, 'jobs.csv');
    writeFileSync(file, rows(phones));
    const { summary, wallMs, peak } = cliBatch([file, '--sim-stations', String(STATIONS), '--sim-seed', '1', '--out', join(dir, 'out')], dir);
    return {
      phones: summary.total,
      passed: summary.byOutcome.pass,
      ran: summary.total,
      wallMs,
      cpuMs: peak.cpuMs,
      peakRssMb: peak.maxRssMb,
      fsyncsPerPhone: peak.fsyncs / summary.total,
      journalMb: statSync(summary.journal).size / 1024 / 1024,
      phonesPerHour: summary.phonesPerHour,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A batch of `phones` without running them all: a real batch of `sample` phones runs first (16 simulated stations);
 * its journal is then copied out to `phones` phones (each sampled phone's queued, started, step and final lines again
 * under a new MAC and line, in order), except that the last `run` phones have only their queued line, as if the batch
 * had been killed before their turn. `resetbot batch --resume` then does all that grows with the batch's size, at
 * that size, in one process: validates the `phones`-row file, replays the `phones`-phone journal, runs the `run`
 * phones left with every other job held, and writes the reports from the whole journal (streamed).
 */
export async function makeSampled(phones: number, dir: string, sample = 200, run = 1000): Promise<string> {
  const small = join(dir, 'small.csv');
  writeFileSync(small, rows(sample));
  const ran = prepareBatch({ ...SAMPLED_SETUP, file: small, outDir: join(dir, 'small'), calibration: join(dir, 'small-calibration.json') });
  await startBatch(ran, { signal: new AbortController().signal });

  // The journal of `phones` phones: the sample's per-phone lines again and again, renumbered, for the batch file of
  // `phones` rows (the header names it, and its hash).
  const lines = readFileSync(ran.journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const file = join(dir, 'jobs.csv');
  writeFileSync(file, rows(phones));
  const head = lines.filter((e) => !('job' in e) && e.type !== 'end').map((e) => (e.type === 'batch' ? { ...e, file, fileHash: createHash('sha256').update(readFileSync(file)).digest('hex'), outDir: join(dir, 'out') } : e));
  const byJob = new Map<string, Record<string, unknown>[]>();
  for (const e of lines) if (typeof e.job === 'string') byJob.set(e.job, [...(byJob.get(e.job) ?? []), e]);
  const perPhone = [...byJob.values()];
  const journal = join(dir, 'journal.jsonl');
  const fd = openSync(journal, 'w');
  let seq = 0;
  const put = (e: Record<string, unknown>) => writeSync(fd, JSON.stringify({ ...e, seq: ++seq }) + '\n');
  for (const e of head) put(e);
  for (let i = 0; i < phones; i++) {
    const mac = macOf(i);
    for (const e of perPhone[i % perPhone.length]!) {
      if (i >= phones - run && e.type !== 'queued') continue;
      const copy: Record<string, unknown> = { ...e, job: mac };
      if (e.type === 'queued') copy.line = i + 2;
      if (e.type === 'final') copy.record = { ...(e.record as object), mac, line: i + 2 };
      put(copy);
    }
  }
  put(lines.at(-1)!);
  closeSync(fd);
  return journal;
}

const SAMPLED_SETUP = { simStations: STATIONS, seed: 1, newBatchId: () => 'bench', wallClock: () => new Date(), resetbotVersion: 'bench' };

/** The measuring half of a sampled batch (see makeSampled): `resetbot batch --resume` in a process of its own. */
export function measureSampled(phones: number, dir: string, run: number): BatchFigures {
  const journal = join(dir, 'journal.jsonl');
  const journalMb = statSync(journal).size / 1024 / 1024;
  const { summary, wallMs, peak } = cliBatch(['--resume', '--journal', journal], dir);
  if (summary.total !== phones) throw new Error(`sampled batch: ${summary.total} reported, of ${phones}`);
  return {
    phones,
    passed: summary.byOutcome.pass,
    ran: run,
    wallMs,
    cpuMs: peak.cpuMs,
    peakRssMb: peak.maxRssMb,
    fsyncsPerPhone: peak.fsyncs / run,
    journalMb,
    phonesPerHour: summary.phonesPerHour,
  };
}

/** The peak memory goal of issue 13 at 100,000 phones. */
const GOAL_MB = 150;

/** Each size in a fresh process (so one size's peak is not another's), one line each, then the ratios. */
export async function benchBatch(sizes: number[] = [1000], sampled: number[] = [100_000]): Promise<void> {
  console.log(`batch: \`resetbot batch\` (built CLI) over ${STATIONS} simulated stations in virtual time, each size in a process of its own; peak = its maxRSS`);
  const rowsOut: BatchFigures[] = [];
  for (const n of sizes) {
    const f = oneBatch(n);
    rowsOut.push(f);
    console.log(
      `  ${String(f.phones).padStart(7)} phones, run whole: peak RSS ${f.peakRssMb.toFixed(0)} MB, ${f.passed} passed, wall ${(f.wallMs / 1000).toFixed(1)} s, ` +
        `${(f.cpuMs / f.ran).toFixed(2)} ms CPU a phone, ${f.fsyncsPerPhone.toFixed(2)} fsyncs a phone (journal and reports), journal ${f.journalMb.toFixed(1)} MB`,
    );
  }
  for (const n of sampled) {
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-sampled-'));
    const run = Math.min(1000, n);
    let f: BatchFigures;
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--make-sampled', String(n), dir, String(run)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench batch --make-sampled ${n}: ${r.stderr}`);
      f = measureSampled(n, dir, run);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    rowsOut.push(f);
    console.log(
      `  ${String(f.phones).padStart(7)} phones, sampled (a 200-phone run's journal copied out to ${f.phones} phones, ${f.ran} left to run; \`--resume\` validates ` +
        `the ${f.phones}-row file, replays the ${f.journalMb.toFixed(0)} MB journal, runs the ${f.ran}, writes the reports): peak RSS ${f.peakRssMb.toFixed(0)} MB, ` +
        `${f.passed} passed, ${(f.cpuMs / 1000).toFixed(1)} s CPU`,
    );
  }
  if (rowsOut.length > 1) {
    const a = rowsOut[0]!;
    const b = rowsOut.at(-1)!;
    console.log(`  peak RSS ${b.phones} / ${a.phones} phones: ${(b.peakRssMb / a.peakRssMb).toFixed(2)}x for ${(b.phones / a.phones).toFixed(0)}x the phones (flat: 1.00x)`);
  }
  for (const f of rowsOut) console.log(`  peak RSS at ${f.phones} phones / the ${GOAL_MB} MB goal: ${(f.peakRssMb / GOAL_MB).toFixed(2)}x (met: <= 1.00x)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--make-sampled') {
    await makeSampled(Number(args[1]), args[2]!, 200, Number(args[3]));
  } else if (args[0] === '--sampled') {
    await benchBatch([], [Number(args[1])]);
  } else {
    await benchBatch(args.length > 0 ? args.map(Number) : undefined);
  }
}
