/**
 * The `firmata` driver (johnny-five over firmata-io) against the real StandardFirmata image in avr8js, through a real
 * SerialPortStream. Every check reads the emulated Uno's pins or the simulated phone.
 */
import { fileURLToPath } from 'node:url';
import { SerialPortStream } from '@serialport/stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadFixture } from '../../src/bench/fixture.js';
import {
  FIRMATA_CHANNEL_PINS,
  FIRMATA_RELAY_PIN,
  FirmataDriver,
  createFirmataDriver,
} from '../../src/bench/firmata.js';
import type { DriverEvent } from '../../src/bench/types.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { BenchError, ConfigError } from '../../src/errors/errors.js';
import { createAvrBinding } from '../../src/sim/avr/binding.js';
import { AvrBoard } from '../../src/sim/avr/board.js';
import { loadStandardFirmataHex, UNO_PINS } from '../../src/sim/avr/firmata-uno.js';
import { edgeOf, FIRMATA_JIG, firmataRig, idle, type FirmataRig } from './helpers.js';

const BENCH_PINS = [...FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN];
const pinOf = (channel: number): number => FIRMATA_CHANNEL_PINS[channel]!;

let rig: FirmataRig | undefined;

afterEach(async () => {
  if (rig) {
    await rig.run(rig.driver.close()).catch(() => {});
    rig.dispose();
    rig = undefined;
  }
});

async function opened(opts: Parameters<typeof firmataRig>[0] = {}): Promise<FirmataRig> {
  rig = firmataRig(opts);
  await rig.run(rig.driver.open());
  return rig;
}

/** What a promise settled with, letting virtual time run. */
async function settled<T>(r: FirmataRig, work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return r.run(work.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })));
}

describe('firmata driver: handshake', () => {
  it('reads the firmware name and version from the board, and makes every bench pin a low output', async () => {
    rig = firmataRig();
    await idle(rig, 2500); // StandardFirmata is up: A0..A5 are still the analog inputs it starts with
    expect(FIRMATA_CHANNEL_PINS.filter((p) => p >= 14).map((p) => rig!.pins.mode(p))).toEqual(['input', 'input', 'input', 'input', 'input']);
    expect(rig.pins.mode(FIRMATA_RELAY_PIN)).toBe('input');

    await rig.run(rig.driver.open());
    expect(rig.driver.info).toEqual({
      driver: 'firmata',
      firmware: { name: 'StandardFirmata.ino', version: '2.4', protocol: 2 },
      channels: 16,
      maxHoldMs: 20_000,
      port: 'avr8js:uno-firmata',
    });
    expect(BENCH_PINS.map((p) => rig!.pins.mode(p))).toEqual(BENCH_PINS.map(() => 'low'));
    expect(rig.jig.trace()).toEqual([]); // opening moved nothing
  });

  it('fails with a bench error when the board does not answer in Firmata', async () => {
    const clock = new VirtualClock();
    const board = new AvrBoard({ clock }); // resetbot's own firmware: 115200 baud, its own protocol
    const port = new SerialPortStream({ binding: createAvrBinding(board), path: 'avr8js:uno', baudRate: 57600, autoOpen: false });
    const driver = createFirmataDriver({ port, clock, handshakeMs: 8000 });
    const started = clock.now();
    const error = await clock.runUntil(driver.open().then(() => undefined, (e: unknown) => e), 60_000);
    expect(error).toBeInstanceOf(BenchError);
    expect(error).toMatchObject({ code: 'no-handshake', failureClass: 'bench' });
    expect((error as BenchError).oneLine()).toMatch(/no Firmata answer from avr8js:uno within 8000 ms \(no version report\).*StandardFirmata/);
    expect(clock.now() - started).toBeLessThan(8100);
    expect(port.isOpen).toBe(false);
    board.powerOff();
  });

  it('asks for the version itself when the board does not announce it (auto-reset cut)', async () => {
    const clock = new VirtualClock();
    const board = new AvrBoard({ clock, hex: loadStandardFirmataHex(), lineBaud: 57600 });
    board.powerOn();
    clock.advance(3000); // StandardFirmata announced itself to nobody
    const port = new SerialPortStream({
      binding: createAvrBinding(board, { path: 'avr8js:no-reset', resetOnOpen: false }),
      path: 'avr8js:no-reset',
      baudRate: 57600,
      autoOpen: false,
    });
    const driver = createFirmataDriver({ port, clock });
    const started = clock.now();
    await clock.runUntil(driver.open(), 60_000);
    expect(clock.now() - started).toBeGreaterThanOrEqual(5000);
    expect(driver.info.firmware).toEqual({ name: 'StandardFirmata.ino', version: '2.4', protocol: 2 });
    await clock.runUntil(driver.close());
    board.powerOff();
  });

  it('the handshake is timed on the injected clock alone: the real clock running far ahead does not end it', async () => {
    // johnny-five keeps a 10 s connect timeout of its own on the real clock; on a busy host an emulated board can
    // take that long to boot, and that timer failed the handshake of a virtual-clock bench. Real timers are faked and
    // run 50 times faster than the board's while it boots: the handshake must still succeed.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const r = (rig = firmataRig());
      // Every 100 ms of the board's time, 5 s of real time pass.
      const tick = (): void => {
        vi.advanceTimersByTime(5_000);
        r.clock.setTimeout(tick, 100);
      };
      r.clock.setTimeout(tick, 100);
      await r.run(r.driver.open());
      expect(rig.driver.info.firmware).toEqual({ name: 'StandardFirmata.ino', version: '2.4', protocol: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a fixture wider than the bench, and commands before open()', async () => {
    const clock = new VirtualClock();
    const vvx = loadFixture(fileURLToPath(new URL('../../fixtures/vvx-jig.json', import.meta.url)));
    expect(() => new FirmataDriver({ port: '/dev/ttyACM0', clock, fixture: vvx })).toThrow(ConfigError);
    expect(() => new FirmataDriver({ port: '/dev/ttyACM0', clock, fixture: vvx })).toThrow(
      /puts 'menu' on channel 16, 'home' on channel 17, 'back' on channel 18 and 13 more keys above channel 15, but a Firmata bench drives channels 0 to 15 \(pins D2, D3, .*, D12, A0, A1, A2, A3, A4\)/,
    );
    const driver = new FirmataDriver({ port: '/dev/ttyACM0', clock, fixture: FIRMATA_JIG });
    await expect(driver.press([0], 100)).rejects.toMatchObject({ code: 'not-open' });
    await expect(driver.setPower(true)).rejects.toMatchObject({ code: 'not-open' });
    await driver.releaseAll(); // nothing to release: safe
  });
});

describe('firmata driver: keys', () => {
  it('presses a combo: every key goes down, and they switch at the same instant', async () => {
    const r = await opened();
    const from = r.clock.now();
    await r.run(r.bench.hold(['1', '3', '5']));
    expect(r.phone.keysDown().sort()).toEqual(['1', '3', '5']);
    const downs = [0, 1, 2].map((c) => edgeOf(r.edges, pinOf(c), true, from)!.t);
    // One Firmata port (D2..D7), one DIGITAL_MESSAGE: StandardFirmata writes the port register once.
    expect(Math.max(...downs) - Math.min(...downs)).toBe(0);

    await r.run(r.bench.release(['1', '3', '5']));
    expect(r.phone.keysDown()).toEqual([]);
    expect(r.pins.highPins()).toEqual([]);
  });

  it('spreads a combo over three Firmata ports by one 3-byte message (~0.52 ms at 57600 baud) per port', async () => {
    const r = await opened();
    const from = r.clock.now();
    await r.run(r.driver.press([0, 6, 13], 200)); // D2 (port 0), D8 (port 1), A2 (port 2)
    const downs = [0, 6, 13].map((c) => edgeOf(r.edges, pinOf(c), true, from)!.t);
    const ups = [0, 6, 13].map((c) => edgeOf(r.edges, pinOf(c), false, from)!.t);
    const skew = Math.max(...downs) - Math.min(...downs);
    expect(skew).toBeGreaterThan(2 * 0.5);
    expect(skew).toBeLessThan(2 * 0.6);
    // All three were down together, each for the press's time (timed by the host: both edges travel the same way).
    expect(Math.max(...downs)).toBeLessThan(Math.min(...ups));
    for (let i = 0; i < 3; i++) expect(ups[i]! - downs[i]!).toBeCloseTo(200, 0);
  });

  it('switches the relay on its own pin', async () => {
    const r = await opened();
    await r.run(r.driver.setPower(true));
    expect(r.pins.highPins()).toEqual([FIRMATA_RELAY_PIN]);
    expect(r.jig.relayOn()).toBe(true);
    await r.run(r.driver.setPower(false));
    expect(r.pins.highPins()).toEqual([]);
  });
});

describe('firmata driver: safety the host enforces', () => {
  it('cuts a hold at the host-side limit, and a press longer than the limit too', async () => {
    const r = await opened({ maxHoldMs: 1000 });
    const events: DriverEvent[] = [];
    r.driver.onEvent((e) => events.push(e));

    const from = r.clock.now();
    await r.run(r.bench.hold(['1', '4']));
    await idle(r, 900);
    expect(r.pins.highPins()).toEqual([pinOf(0), pinOf(6)]);
    await idle(r, 200);
    expect(r.pins.highPins()).toEqual([]);
    const on = edgeOf(r.edges, pinOf(0), true, from)!.t;
    const cut = edgeOf(r.edges, pinOf(0), false, from)!.t;
    expect(cut - on).toBeCloseTo(1000, 1); // both edges ride the same serial line: within microseconds
    expect(events).toEqual([{ kind: 'hold-limit', channels: [0, 6] }]);

    const from2 = r.clock.now();
    await r.run(r.driver.press([2], 5000));
    const on2 = edgeOf(r.edges, pinOf(2), true, from2)!.t;
    const off2 = edgeOf(r.edges, pinOf(2), false, from2)!.t;
    expect(off2 - on2).toBeCloseTo(1000, 0);
    expect(events.at(-1)).toEqual({ kind: 'hold-limit', channels: [2] });
  });

  it('releaseAll brings every solenoid pin and the relay low, and is safe twice', async () => {
    const r = await opened();
    await r.run(r.driver.hold([...Array(16).keys()]));
    await r.run(r.driver.setPower(true));
    expect(r.pins.highPins()).toEqual([...BENCH_PINS].sort((a, b) => a - b));
    expect(r.phone.keysDown()).toHaveLength(16);

    await r.run(r.driver.releaseAll());
    expect(r.pins.highPins()).toEqual([]);
    expect(r.phone.keysDown()).toEqual([]);
    expect(r.jig.relayOn()).toBe(false);
    await r.run(r.driver.releaseAll());
    expect(Array.from({ length: UNO_PINS }, (_, p) => p).filter((p) => r.pins.high(p))).toEqual([]);
  });

  it('notices a board reset mid-run, refuses commands until releaseAll sets the pins up again', async () => {
    const r = await opened();
    const events: DriverEvent[] = [];
    r.driver.onEvent((e) => events.push(e));
    await r.run(r.driver.hold([0]));
    await r.run(r.driver.setPower(true));

    r.board.reset(); // a brown-out, or the reset button
    expect(r.pins.highPins()).toEqual([]); // the MCU lets go of every pin at once
    await idle(r, 2500); // StandardFirmata blinks its version, then announces itself
    expect(events).toEqual([{ kind: 'board-reset', banner: 'Firmata 2.4' }]);
    const refused = await settled(r, r.driver.press([1], 100));
    expect(refused).toMatchObject({ ok: false, error: { code: 'board-reset', failureClass: 'bench' } });
    expect(r.pins.highPins()).toEqual([]);

    await r.run(r.driver.releaseAll());
    expect(BENCH_PINS.map((p) => r.pins.mode(p))).toEqual(BENCH_PINS.map(() => 'low'));
    await r.run(r.bench.hold(['softkey4'])); // A4: an analog pin by default after the reset, an output again now
    expect(r.pins.highPins()).toEqual([pinOf(15)]);
  });

  it('an unplugged Uno drives nothing: every pin reads low at once, and the jig lets go of the keys and the phone', async () => {
    const r = await opened();
    await r.run(r.driver.hold([0, 6]));
    await r.run(r.driver.setPower(true));
    expect(r.pins.highPins()).toEqual([pinOf(0), pinOf(6), FIRMATA_RELAY_PIN].sort((a, b) => a - b));
    expect(r.jig.energised()).toEqual([0, 6]);

    const unplugAt = r.clock.now();
    r.board.powerOff();
    expect(r.pins.highPins()).toEqual([]);
    expect(BENCH_PINS.map((p) => r.pins.mode(p))).toEqual(BENCH_PINS.map(() => 'input'));
    expect(r.edges.filter((e) => e.t >= unplugAt).map((e) => [e.pin, e.high])).toEqual(
      [pinOf(0), pinOf(6), FIRMATA_RELAY_PIN].sort((a, b) => a - b).map((pin) => [pin, false]),
    );
    expect(r.jig.energised()).toEqual([]);
    // The phone's supply rides through a short cut; unplugged for the seeds' ten seconds, it is off.
    r.clock.advance(10_000);
    expect(r.phone.state).toBe('off');
  });

  it('cannot release anything once the link is lost: StandardFirmata has no watchdog', async () => {
    const r = await opened({ maxHoldMs: 1000 });
    const events: DriverEvent[] = [];
    r.driver.onEvent((e) => events.push(e));
    await r.run(r.driver.hold([0]));
    // The port goes away under the driver (a pulled cable looks the same to it).
    await r.run(new Promise<void>((resolve) => r.port.close(() => resolve())));
    expect(events).toEqual([{ kind: 'link-lost', reason: 'serial port avr8js:uno-firmata closed' }]);

    const release = await settled(r, r.driver.releaseAll());
    expect(release).toMatchObject({ ok: false, error: { code: 'link-lost' } });
    expect((release as { error: BenchError }).error.message).toMatch(/no watchdog, so solenoids may still be energised/);
    await idle(r, 2000); // past the hold limit: the host's timer cannot reach the board
    expect(r.pins.highPins()).toEqual([pinOf(0)]); // the solenoid is still on

    await r.run(r.driver.open()); // reconnecting resets the Uno (DTR): everything off
    expect(r.pins.highPins()).toEqual([]);
    await r.run(r.driver.press([1], 50));
    expect(edgeOf(r.edges, pinOf(1), true)).toBeDefined();
  });
});
