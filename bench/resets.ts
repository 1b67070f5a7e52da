import { fixtureFor } from '../src/bench/jigs.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { VirtualClock } from '../src/clock/clock.js';
import { runReset } from '../src/machines/run-reset.js';
import { createSimBench } from '../src/sim/driver.js';
import { mulberry } from './random.js';

/** How many simulated resets a second the machine and the simulator run in virtual time, one after another. */
export async function benchResets(count = 300): Promise<void> {
  const models = getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');
  const rand = mulberry(99);
  let passes = 0;
  let benchMs = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  // The second half alone: the first warms the JIT and the caches of screens seen (a campaign runs warm).
  const half = Math.floor(count / 2);
  let cpuHalf: NodeJS.CpuUsage | undefined;
  for (let i = 0; i < count; i++) {
    if (i === half) cpuHalf = process.cpuUsage();
    const model = models[i % models.length]!;
    const mac = '0004f2' + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
    const clock = new VirtualClock();
    const sim = createSimBench({ modelId: model.id, mac, fixture: fixtureFor(model), clock, seed: i });
    await sim.driver.open();
    const record = await clock.runUntil(runReset({ model, mac, bench: sim.bench, clock }));
    if (record.outcome === 'pass' && sim.phone.truth().factoryDefaults) passes++;
    benchMs += record.durationMs;
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  console.log(`resets: ${count} simulated resets over ${models.length} models, one after another in virtual time`);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `  ${(count / (wallMs / 1000)).toFixed(0)} resets a second of wall time, ${(count / (cpuMs / 1000)).toFixed(0)} a second of CPU ` +
      `(one core; goal 1,000): wall ${wallMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms`,
  );
  if (cpuHalf && count - half > 0) {
    const warm = process.cpuUsage(cpuHalf);
    const warmMs = (warm.user + warm.system) / 1000;
    console.log(
      `  the second ${count - half} alone (warm: the first ${half} compiled the code and filled the screen caches): ` +
        `${((count - half) / (warmMs / 1000)).toFixed(0)} a second of CPU, ${(warmMs / (count - half)).toFixed(2)} ms each`,
    );
  }
  console.log(`  ${passes}/${count} passed on the simulator's truth; mean bench time ${(benchMs / count / 1000).toFixed(1)} s a phone`);
  console.log(`  speed-up over real time: ${(benchMs / wallMs).toFixed(0)}x`);
}
