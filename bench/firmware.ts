/**
 * The `serial` driver with resetbot's own firmware (firmware/resetbot.hex in avr8js, through a SerialPortStream on the
 * emulated USART):
 * - the round-trip time of one command (`ping`, and a `press` up to its `ok`), in the emulated board's time (the
 *   115200-baud line and the firmware; what a real board adds on top is its USB-serial chip's latency) and on the
 *   real clock (the emulator sharing the host's event loop, as under `sim serve --firmware`);
 * - the key skew of one combo: the time from the first to the last key going down, read off the decoded 74HC595
 *   outputs, for every combo in the catalog on its model's jig.
 *
 * Run alone: npx tsx bench/firmware.ts
 */
import { fileURLToPath } from 'node:url';
import { channelsFor, missingKeys } from '../src/bench/fixture.js';
import { fixtureFor } from '../src/bench/jigs.js';
import { SerialDriver } from '../src/bench/serial.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { RealClock, VirtualClock, type Clock } from '../src/clock/clock.js';
import { AvrBoard } from '../src/sim/avr/board.js';
import { AVR_PORT_PATH, createAvrBinding } from '../src/sim/avr/binding.js';
import { BAUD_RATE } from '../src/protocol/version.js';

interface Rig {
  clock: Clock;
  board: AvrBoard;
  driver: SerialDriver;
  /** Every change of the decoded outputs, in the board's emulated time. */
  outputs: { t: number; on: readonly number[] }[];
  run<T>(work: Promise<T>): Promise<T>;
}

function rig(clock: Clock): Rig {
  const board = new AvrBoard({ clock });
  const driver = new SerialDriver({ path: AVR_PORT_PATH, clock, binding: createAvrBinding(board) });
  const outputs: Rig['outputs'] = [];
  board.onChannels((on, t) => outputs.push({ t, on }));
  const run = <T>(work: Promise<T>): Promise<T> => (clock instanceof VirtualClock ? clock.runUntil(work, 600_000) : work);
  return { clock, board, driver, outputs, run };
}

function stats(values: number[]): { min: number; median: number; p95: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.floor(q * (s.length - 1))]!;
  return { min: at(0), median: at(0.5), p95: at(0.95), max: at(1) };
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;
const us = (v: number): string => `${(v * 1000).toFixed(1)} µs`;

/** Round trips of `command`, timed on the rig's clock; with wall time per command for the virtual clock. */
async function roundTrips(r: Rig, count: number, command: () => Promise<void>): Promise<{ rtt: number[]; wallPerCommand: number }> {
  const rtt: number[] = [];
  const wallStart = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = r.clock.now();
    await r.run(command());
    rtt.push(r.clock.now() - t0);
  }
  return { rtt, wallPerCommand: (performance.now() - wallStart) / count };
}

/** Presses `channels`; the skew of their switch-on at the decoded outputs (first to last channel on). */
async function comboSkew(r: Rig, channels: number[], holdMs: number): Promise<number> {
  const from = r.outputs.length;
  await r.run(r.driver.press(channels, holdMs));
  const changes = r.outputs.slice(from);
  const onAt = channels.map((c) => changes.find((o) => o.on.includes(c))!.t);
  return Math.max(...onAt) - Math.min(...onAt);
}

export async function benchFirmware(): Promise<void> {
  console.log('firmware: the serial driver and firmware/resetbot.hex in avr8js');

  // Virtual clock: the board's own time, deterministic.
  const v = rig(new VirtualClock());
  await v.run(v.driver.open());
  const ping = await roundTrips(v, 300, () => v.driver.ping());
  const p = stats(ping.rtt);
  // The bytes themselves: `ping 123\n` out and `ok 123\n` back, 10 bits a byte at 115200 baud (computed, not measured).
  const wireMs = ((`ping 123\n`.length + `ok 123\n`.length) * 10 * 1000) / BAUD_RATE;
  console.log(`  ping round trip, emulated time, 300 pings: median ${ms(p.median)}, max ${ms(p.max)}`);
  console.log(`    (the bytes on the wire take ${ms(wireMs)}; the firmware answers within its ~1 ms loop; the emulator hands`);
  console.log(`    bytes to the host once an emulated millisecond, so the figure is a whole number of ms)`);
  console.log(`    emulator cost: ${ms(ping.wallPerCommand)} of wall time a command`);
  const pressOk = await roundTrips(v, 100, () => v.driver.hold([1, 3, 5, 7]).then(() => v.driver.release([1, 3, 5, 7])));
  const h = stats(pressOk.rtt.map((t) => t / 2));
  console.log(`  hold/release round trip (a 4-channel command to its ok), emulated time: median ${ms(h.median)}, max ${ms(h.max)}`);

  const combos = new Map<string, { keys: string[]; model: string }>();
  for (const m of getCatalog().models) {
    const pr = m.procedure;
    if (pr.kind !== 'cancel-combo' && pr.kind !== 'led-combo') continue;
    for (const c of pr.combos) {
      const name = [...c.keys].sort().join('+');
      if (!combos.has(name)) combos.set(name, { keys: [...c.keys], model: m.id });
    }
  }
  console.log('  combo skew (first to last key down) at the decoded 74HC595 outputs, emulated time:');
  for (const [name, { keys, model }] of combos) {
    const fixture = fixtureFor(getCatalog().find(model));
    if (missingKeys(fixture, keys).length > 0) continue;
    const channels = channelsFor(fixture, keys);
    const skews: number[] = [];
    for (let i = 0; i < 5; i++) skews.push(await comboSkew(v, channels, 150));
    console.log(`    ${`combo ${name} on ${fixture.name} (channels ${channels.join(',')})`.padEnd(52)} skew max ${us(Math.max(...skews))} over ${skews.length} presses`);
  }
  const all = [...Array(32).keys()];
  console.log(`    ${'all 32 channels at once'.padEnd(52)} skew ${us(await comboSkew(v, all, 150))}`);
  await v.run(v.driver.close());
  v.board.powerOff();

  // Real clock: the emulator keeps pace with the wall clock on the host's event loop.
  const real = rig(new RealClock());
  await real.driver.open();
  const realPing = await roundTrips(real, 100, () => real.driver.ping());
  const rp = stats(realPing.rtt);
  const skews: number[] = [];
  for (let i = 0; i < 20; i++) skews.push(await comboSkew(real, [1, 3, 5], 150));
  await real.driver.close();
  real.board.powerOff();
  console.log(`  real clock (the emulator on this event loop, as under \`sim serve --firmware\`), 100 pings:`);
  console.log(`    round trip min ${ms(rp.min)}, median ${ms(rp.median)}, p95 ${ms(rp.p95)}, max ${ms(rp.max)}`);
  console.log(`    combo 1+3+5 skew max ${us(Math.max(...skews))} over ${skews.length} presses (one latch edge: the keys cannot skew)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchFirmware().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
