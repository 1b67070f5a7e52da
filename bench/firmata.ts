/**
 * The `firmata` driver's key skew: the time from the first to the last key of one combo going down, measured at the
 * pins of StandardFirmata running in avr8js (the emulated board's own cycle-exact time), driven through johnny-five,
 * firmata-io and a SerialPortStream. Also the error of host-timed presses, on the real clock.
 *
 * Run alone: npx tsx bench/firmata.ts
 */
import { fileURLToPath } from 'node:url';
import { FIRMATA_CHANNEL_PINS, FIRMATA_CHANNELS } from '../src/bench/firmata.js';
import { channelsFor, loadFixture, missingKeys } from '../src/bench/fixture.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { RealClock, sleep, VirtualClock, type Clock } from '../src/clock/clock.js';
import { createFirmataSimBench, type FirmataSimBench } from '../src/sim/avr/firmata-bench.js';

const JIG = loadFixture(fileURLToPath(new URL('../fixtures/firmata-jig.json', import.meta.url)));

interface Rig {
  sim: FirmataSimBench;
  clock: Clock;
  /** Emulated time of each pin's edges. */
  edges: { t: number; pin: number; high: boolean }[];
  run<T>(work: Promise<T>): Promise<T>;
}

function rig(clock: Clock): Rig {
  const sim = createFirmataSimBench({ modelId: 'vvx-410', mac: '0004f2aa814c', fixture: JIG, clock, seed: 1 });
  const edges: Rig['edges'] = [];
  sim.pins.onChange((high, changed, t) => {
    for (const pin of changed) edges.push({ t, pin, high: high[pin]! });
  });
  const run = <T>(work: Promise<T>): Promise<T> => (clock instanceof VirtualClock ? clock.runUntil(work, 60_000) : work);
  return { sim, clock, edges, run };
}

/** Presses `channels` for `ms`; returns the skew of their down edges and each channel's time down, at the pins. */
async function measuredPress(r: Rig, channels: number[], ms: number): Promise<{ skewMs: number; heldMs: number[] }> {
  const from = r.edges.length;
  await r.run(r.sim.driver.press(channels, ms));
  const edges = r.edges.slice(from);
  const down = channels.map((c) => edges.find((e) => e.pin === FIRMATA_CHANNEL_PINS[c] && e.high)!.t);
  const up = channels.map((c) => edges.find((e) => e.pin === FIRMATA_CHANNEL_PINS[c] && !e.high)!.t);
  return { skewMs: Math.max(...down) - Math.min(...down), heldMs: up.map((u, i) => u - down[i]!) };
}

function ports(channels: number[]): number {
  return new Set(channels.map((c) => FIRMATA_CHANNEL_PINS[c]! >> 3)).size;
}

const fmt = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;

export async function benchFirmata(): Promise<void> {
  console.log('firmata: key skew of one combo (first to last key down), at the pins of StandardFirmata in avr8js');

  // Virtual time: the skew that the protocol and the firmware themselves add (deterministic).
  const clock = new VirtualClock();
  const v = rig(clock);
  await v.run(v.sim.driver.open());
  const combos = new Map<string, string[]>();
  for (const m of getCatalog().models) {
    const p = m.procedure;
    if (p.kind === 'cancel-combo' || p.kind === 'led-combo') for (const c of p.combos) combos.set([...c.keys].sort().join('+'), [...c.keys]);
  }
  for (const [name, keys] of combos) {
    if (missingKeys(JIG, keys).length > 0) continue;
    const channels = channelsFor(JIG, keys);
    const { skewMs } = await measuredPress(v, channels, 150);
    console.log(`  ${`combo ${name} on the firmata jig (${ports(channels)} Firmata port)`.padEnd(52)} skew ${fmt(skewMs)}`);
  }
  const spreads: [string, number[]][] = [
    ['D12 + A0: one Firmata port, two AVR port registers', [10, 11]],
    ['D2 + D8: two Firmata ports', [0, 6]],
    ['D2 + D8 + A2: three Firmata ports', [0, 6, 13]],
    [`all ${FIRMATA_CHANNELS} channels: three Firmata ports`, [...Array(FIRMATA_CHANNELS).keys()]],
  ];
  for (const [name, channels] of spreads) {
    const { skewMs } = await measuredPress(v, channels, 150);
    console.log(`  ${name.padEnd(52)} skew ${fmt(skewMs)}`);
  }
  await v.run(v.sim.driver.close());
  v.sim.dispose();

  // Real time: the emulated board keeps pace with the wall clock; presses are timed by the host's event loop.
  const real = rig(new RealClock());
  await real.sim.driver.open();
  const skews: number[] = [];
  const errors: number[] = [];
  const combo = channelsFor(JIG, ['1', '3', '5', '7']);
  const count = 30;
  for (let i = 0; i < count; i++) {
    const { skewMs, heldMs } = await measuredPress(real, combo, 150);
    skews.push(skewMs);
    errors.push(heldMs[0]! - 150); // the keys of one combo share their edges
    await sleep(real.clock, 200);
  }
  await real.sim.driver.close();
  real.sim.dispose();
  const sorted = [...errors].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!;
  console.log(`  real clock, ${count} presses of 1+3+5+7 for 150 ms (host-timed):`);
  console.log(`    skew max ${fmt(Math.max(...skews))}`);
  console.log(
    `    time down minus 150 ms: min ${at(0).toFixed(2)}, median ${at(0.5).toFixed(2)}, p95 ${at(0.95).toFixed(2)}, ` +
      `max ${at(1).toFixed(2)} ms; ${errors.filter((e) => Math.abs(e) > 5).length}/${count} off by more than 5 ms`,
  );
  console.log('    (host event-loop stalls lengthen a press; the emulator shares that event loop, a real USB link adds its own latency)');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchFirmata().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
