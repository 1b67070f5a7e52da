import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBatch, startBatch } from '../src/batch/batch.js';
import { Journal } from '../src/batch/journal.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { mulberry } from './random.js';

/**
 * A batch of simulated phones over simulated stations, in virtual time, through the whole batch layer (validation,
 * health checks, the journal, records and reports): the host's CPU time and peak memory by batch size, each size in
 * a process of its own (peak RSS is the process's own `maxRSS`), and the journal's flushes to disk a phone.
 *
 *   npx tsx bench/batch.ts 1000 10000 100000     the sizes given (default 1,000 and 10,000)
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

/** Each size in a fresh process (so one size's peak is not another's), one line each. */
export async function benchBatch(sizes: number[] = [1000, 10000]): Promise<void> {
  console.log('batch: simulated phones over 16 simulated stations in virtual time, each size in a process of its own');
  const rows: BatchFigures[] = [];
  for (const n of sizes) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(n)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench batch ${n}: ${r.stderr}`);
    rows.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BatchFigures);
  }
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    const f = await oneBatch(Number(args[1]));
    console.log(JSON.stringify(f));
  } else {
    await benchBatch(args.length > 0 ? args.map(Number) : undefined);
  }
}
