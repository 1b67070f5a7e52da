import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareBatch, startBatch } from '../src/batch/batch.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { mulberry } from './random.js';

/**
 * A batch of simulated phones over simulated stations, in virtual time, through the whole batch layer (validation,
 * health checks, the journal fsync'd on every state change, records and reports): the host's CPU time and peak
 * memory, and the controller's overhead per phone as a share of the phone's own boot and reset time.
 */
export async function benchBatch(phones = 1000, stations = 16): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-batch-'));
  try {
    // The models the factory-reset machine runs (the main procedure of the seeds).
    const models = getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');
    const rand = mulberry(7);
    const macs = new Set<string>();
    while (macs.size < phones) macs.add('0004f2' + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join(''));
    const file = join(dir, 'jobs.csv');
    writeFileSync(file, 'mac,model\n' + [...macs].map((m, i) => `${m},${models[i % models.length]!.name}`).join('\n') + '\n');

    let peakRss = 0;
    let peakHeap = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    };
    sample();
    const sampler = setInterval(sample, 20);
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
    const { summary, records } = await startBatch(prepared, { signal: new AbortController().signal });

    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    clearInterval(sampler);
    sample();

    const cpuMs = (cpu.user + cpu.system) / 1000;
    const phoneMs = records.reduce((a, r) => a + r.durationMs, 0);
    const perPhoneCpu = cpuMs / records.length;
    const perPhoneBench = phoneMs / records.length;
    const journalBytes = statSync(summary.journal).size;
    const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

    console.log(`batch: ${records.length} simulated phones (${models.length} models) over ${stations} simulated stations, virtual time`);
    console.log(`  outcomes: ${Object.entries(summary.byOutcome).map(([o, n]) => `${o} ${n}`).join(', ')}`);
    console.log(`  bench time ${(summary.benchMs / 3_600_000).toFixed(1)} h, ${summary.phonesPerHour} phones/h over the ${stations} stations`);
    console.log(`  host: wall ${(wallMs / 1000).toFixed(1)} s, CPU ${(cpuMs / 1000).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s)`);
    console.log(`  peak memory: RSS ${mb(peakRss)} MB, heap ${mb(peakHeap)} MB (sampled every 20 ms)`);
    console.log(`  journal: ${(journalBytes / 1024 / 1024).toFixed(1)} MB, every line fsync'd`);
    console.log(
      `  per phone: ${perPhoneCpu.toFixed(1)} ms of host CPU (controller, simulator and journal together) against ` +
        `${(perPhoneBench / 1000).toFixed(0)} s of the phone's own boot and reset: ${((100 * perPhoneCpu) / perPhoneBench).toFixed(4)}%`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
