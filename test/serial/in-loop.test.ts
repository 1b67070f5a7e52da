/**
 * Firmware in the loop: a full factory reset through every real layer, on one VirtualClock:
 *
 *   runReset -> Bench -> SerialDriver -> SerialPortStream + readline parser -> avr8js USART binding
 *     -> firmware/resetbot.hex -> 74HC595 chain decoded from the pins -> VirtualJig -> SimPhone
 *   SimPhone screen -> SimObserver (the camera) -> the machine;   SimPhone screen -> A0 (the light sensor)
 *
 * A pass counts only on the simulated phone's own truth (it reached factory defaults). A full reset is about 190 s
 * of bench time (less with the quick boot the avr8js run uses) and takes seconds of emulation here, so one model runs on the real firmware (VVX 410); other models
 * run through the same driver on VirtualFirmware, which test/serial/conformance.test.ts holds to the real firmware
 * (the firmware sees only channel numbers: what differs between models is the machine's and the phone's business).
 */
import { describe, expect, it } from 'vitest';
import { createBench } from '../../src/bench/bench.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import { SerialDriver } from '../../src/bench/serial.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { runReset } from '../../src/machines/run-reset.js';
import { createVirtualBench, type BoardBinding, type VirtualBoardKind } from '../../src/sim/virtual-bench.js';

const MAC = '0004f2aa814c';

function loop(modelName: string, board: VirtualBoardKind, seed = 11) {
  const model = getCatalog().find(modelName);
  const clock = new VirtualClock();
  const fixture = fixtureFor(model);
  // On avr8js every emulated millisecond costs CPU: the phone's boot waits pass 8 times faster there (quickBoot: never
  // its Cancel window, countdown, keypad or dark screens, so what the controller must catch in time is unchanged).
  const vb = createVirtualBench({ board, clock, modelId: model.id, mac: MAC, fixture, seed, ...(board === 'firmware' ? { quickBoot: 1 / 8 } : {}) });
  const driver = new SerialDriver({ path: vb.path, clock, binding: vb.binding });
  const bench = createBench(driver, fixture, vb.observer);
  return { model, clock, fixture, vb, driver, bench };
}

describe('a full reset through the serial driver', () => {
  const cases: [string, VirtualBoardKind][] = [
    ['VVX 410', 'firmware'],
    ['IP 335', 'protocol'],
    ['SoundStation IP 6000', 'protocol'],
  ];
  for (const [name, board] of cases) {
    it(`${name} on the ${board === 'firmware' ? 'real firmware in avr8js' : 'protocol board'}: passes, and the phone is at factory defaults by its own account`, async () => {
      const { model, clock, vb, driver, bench } = loop(name, board);
      await clock.runUntil(driver.open());
      const record = await clock.runUntil(runReset({ model, mac: MAC, bench, clock }));
      await clock.runUntil(driver.close());

      const truth = vb.phone.truth();
      expect(record.outcome).toBe('pass');
      expect(truth.factoryDefaults).toBe(true);
      expect(truth.resets).toBe(1);
      expect(truth.events.map((e) => e.what)).toContain(`password-accepted "${MAC}"`);
      expect(record.bench).toMatchObject({ driver: 'serial', firmware: { name: 'resetbot-fw', protocol: 1 } });

      // The combo went down at one latch edge: every key of it at the same instant on the jig.
      const byTime = new Map<number, string[]>();
      for (const e of vb.jig.trace()) if (e.on && e.key !== null) byTime.set(e.t, [...(byTime.get(e.t) ?? []), e.key]);
      const together = [...byTime.values()].map((keys) => [...keys].sort().join(' '));
      expect(together).toContain([...truth.combo].sort().join(' '));
      // and nothing is left on
      expect(vb.board.channels()).toEqual([]);
      expect(vb.board.relay()).toBe(false);
      vb.dispose();
    });
  }

  it('Ctrl-C while the combo is held: the run ends aborted, every decoded output and the relay are off', async () => {
    const { model, clock, vb, driver, bench } = loop('VVX 410', 'firmware');
    await clock.runUntil(driver.open());
    const abort = new AbortController();
    let abortedAt = 0;
    const run = runReset({
      model,
      mac: MAC,
      bench,
      clock,
      signal: abort.signal,
      onState: (state) => {
        if (state === 'holding' && abortedAt === 0) {
          abortedAt = -1;
          clock.setTimeout(() => {
            abortedAt = clock.now();
            abort.abort(new Error('interrupted'));
          }, 400);
        }
      },
    });
    const record = await clock.runUntil(run);
    expect(record.outcome).toBe('aborted');
    expect(abortedAt).toBeGreaterThan(0);
    // the board's own outputs and the phone's keys: nothing pressed, no power
    expect(vb.board.channels()).toEqual([]);
    expect(vb.board.relay()).toBe(false);
    expect(vb.phone.keysDown()).toEqual([]);
    const off = vb.jig.trace().filter((e) => !e.on && e.t >= abortedAt);
    expect(off.length).toBeGreaterThan(0);
    expect(Math.max(...off.map((e) => e.t)) - abortedAt).toBeLessThan(10);
    await clock.runUntil(driver.close());
    vb.dispose();
  });
});

describe('a board that resets in the middle of a run (the protocol board, for speed)', () => {
  it('fails that attempt as a bench failure; the run starts again from power-off and passes', async () => {
    const { model, clock, vb, driver, bench } = loop('VVX 410', 'protocol');
    await clock.runUntil(driver.open());
    let resetDone = false;
    const record = await clock.runUntil(
      runReset({
        model,
        mac: MAC,
        bench,
        clock,
        onState: (state) => {
          if (state === 'offWait' && !resetDone) {
            resetDone = true;
            clock.setTimeout(() => vb.board.reset(), 2000); // a brown-out while the phone is off
          }
        },
      }),
    );
    expect(record.attemptLog[0]).toMatchObject({ result: 'fail', failure: { class: 'bench', code: 'board-reset' } });
    expect(record.outcome).toBe('pass');
    expect(record.attempts).toBe(2);
    expect(vb.phone.truth().factoryDefaults).toBe(true);
    await clock.runUntil(driver.close());
    vb.dispose();
  });
});

describe('a USB adapter pulled and plugged back in the middle of a run (the protocol board)', () => {
  it('link-lost fails that attempt; the driver reopens the port and handshakes; the run starts again from power-off and passes', async () => {
    const { model, clock, vb, driver, bench } = loop('VVX 410', 'protocol');
    const binding = vb.binding as BoardBinding;
    await clock.runUntil(driver.open());
    const news: string[] = [];
    driver.onEvent((e) => news.push(e.kind));
    let pulledAt = -1;
    const states: [string, number][] = [];
    const record = await clock.runUntil(
      runReset({
        model,
        mac: MAC,
        bench,
        clock,
        onState: (state, attempt) => {
          states.push([state, attempt]);
          if (state === 'holding' && pulledAt < 0) {
            pulledAt = clock.now();
            clock.setTimeout(() => binding.unplug(), 500); // the combo is held: four solenoids on
            clock.setTimeout(() => binding.replug(), 3500); // the adapter is back under its name 3 s later
          }
        },
      }),
    );
    expect(pulledAt).toBeGreaterThan(0);
    expect(news).toEqual(['link-lost', 'reconnected']);
    expect(record.attemptLog[0]).toMatchObject({ result: 'fail', failure: { class: 'bench', code: 'link-lost' } });
    expect(record.attemptLog[1]).toMatchObject({ result: 'pass' });
    expect(states.find(([, a]) => a === 2)?.[0]).toBe('powerOff'); // the retry starts from power-off
    expect(record.outcome).toBe('pass');
    expect(vb.phone.truth().factoryDefaults).toBe(true);
    expect(vb.board.channels()).toEqual([]); // no solenoid left on; the phone stays powered until the bench closes
    await clock.runUntil(driver.close());
    expect(vb.board.relay()).toBe(false);
    vb.dispose();
  });
});

describe('a blind bench', () => {
  it('a blind bench (no camera) through the driver ends unverified, never pass', async () => {
    const { model, clock, vb, driver, fixture } = loop('IP 335', 'protocol');
    await clock.runUntil(driver.open());
    const record = await clock.runUntil(runReset({ model, mac: MAC, bench: createBench(driver, fixture), clock }));
    expect(record.outcome).toBe('unverified');
    expect(record.observed).toBe(false);
    await clock.runUntil(driver.close());
    vb.dispose();
  });
});
