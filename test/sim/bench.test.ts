import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sleep, VirtualClock } from '../../src/clock/clock.js';
import { parseFixture, type Fixture } from '../../src/bench/fixture.js';
import type { DriverEvent, Observer, ScreenObservation } from '../../src/bench/types.js';
import { BenchError, ConfigError } from '../../src/errors/errors.js';
import { createSimBench, normalizeSimMac, SIM_MAX_HOLD_MS, SimDriver } from '../../src/sim/driver.js';
import { VirtualJig } from '../../src/sim/jig.js';
import { SimPhone } from '../../src/sim/phone.js';
import { runOut, seed001Keystrokes, text } from './helpers.js';

function loadJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
}
const VVX_JIG = parseFixture(loadJson('../../fixtures/vvx-jig.json'), 'fixtures/vvx-jig.json');
const SP_JIG = parseFixture(loadJson('../../fixtures/soundpoint-jig.json'), 'fixtures/soundpoint-jig.json');
/** A small jig: keys 1, 3, 5 on channels 0 to 2, channel 3 wired to nothing. */
const SMALL: Fixture = parseFixture({ name: 'small', channels: 4, keys: { '1': 0, '3': 1, '5': 2 } }, 'small');

function rig(fixture: Fixture = SMALL, stuckOff: number[] = []) {
  const clock = new VirtualClock();
  const phone = new SimPhone({ modelId: 'vvx-410', mac: '0004f2aa814c', clock, seed: 3, options: { variant: 'classic' } });
  const jig = new VirtualJig({ fixture, phone, clock, faults: { stuckOff } });
  return { clock, phone, jig };
}

async function openDriver(maxHoldMs?: number, faults = {}) {
  const r = rig();
  const driver = new SimDriver({ jig: r.jig, clock: r.clock, maxHoldMs, faults });
  const events: { t: number; e: DriverEvent }[] = [];
  driver.onEvent((e) => events.push({ t: r.clock.now(), e }));
  await driver.open();
  return { ...r, driver, events };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('VirtualJig', () => {
  it('presses and releases the key under a channel, and traces every change with its time', () => {
    const { clock, phone, jig } = rig();
    jig.setChannels([0, 2], true);
    expect(phone.keysDown().sort()).toEqual(['1', '5']);
    clock.advance(250);
    jig.setChannel(0, false);
    jig.setChannel(0, false); // no change: not traced
    expect(phone.keysDown()).toEqual(['5']);
    expect(jig.trace()).toEqual([
      { t: 0, channel: 0, key: '1', on: true },
      { t: 0, channel: 2, key: '5', on: true },
      { t: 250, channel: 0, key: '1', on: false },
    ]);
  });

  it('moves nothing on a channel with no key, and rejects a channel the jig does not have', () => {
    const { phone, jig } = rig();
    jig.setChannel(3, true);
    expect(phone.keysDown()).toEqual([]);
    expect(jig.trace()).toEqual([{ t: 0, channel: 3, key: null, on: true }]);
    expect(() => jig.setChannel(4, true)).toThrow(BenchError);
  });

  it('a stuck solenoid is traced but never presses its key', () => {
    const { phone, jig } = rig(SMALL, [1]);
    jig.setChannels([0, 1, 2], true);
    expect(phone.keysDown().sort()).toEqual(['1', '5']);
    expect(jig.trace()[1]).toEqual({ t: 0, channel: 1, key: '3', on: true, stuck: true });
  });

  it('drives the phone power through the relay', () => {
    const { clock, phone, jig } = rig();
    expect(phone.state).toBe('off');
    jig.setRelay(true);
    runOut(clock, 20_000);
    expect(phone.state).not.toBe('off');
    jig.setRelay(false);
    expect(phone.state).toBe('off');
    expect(jig.trace().map((e) => [e.channel, e.on])).toEqual([
      ['relay', true],
      ['relay', false],
    ]);
  });

  it('leaves the phone on its own supply when the fixture has no relay', () => {
    const { phone, jig } = rig(parseFixture({ name: 'norelay', channels: 4, relay: false, keys: { '1': 0 } }, 'norelay'));
    expect(phone.state).toBe('dark');
    jig.setRelay(false);
    expect(phone.state).toBe('dark');
  });
});

describe('SimDriver', () => {
  it('reports itself as the sim driver with the jig channels and the hold limit', async () => {
    const { driver } = await openDriver();
    expect(driver.info).toEqual({ driver: 'sim', channels: 4, maxHoldMs: SIM_MAX_HOLD_MS, port: 'sim' });
    expect(await driver.readSensor()).toBeUndefined();
  });

  it('rejects commands before open()', async () => {
    const r = rig();
    const driver = new SimDriver({ jig: r.jig, clock: r.clock });
    const err = await rejection(driver.hold([0]));
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).code).toBe('not-open');
  });

  it('press() energises all channels at one instant for ms, then releases them', async () => {
    const { clock, phone, jig, driver } = await openDriver();
    let during: string[] = [];
    const work = (async () => {
      const press = driver.press([0, 1, 2], 3000);
      await sleep(clock, 1500);
      during = phone.keysDown().sort();
      await press;
    })();
    await clock.runUntil(work);
    expect(during).toEqual(['1', '3', '5']);
    expect(phone.keysDown()).toEqual([]);
    expect(jig.trace().map((e) => [e.t, e.channel, e.on])).toEqual([
      [0, 0, true],
      [0, 1, true],
      [0, 2, true],
      [3000, 0, false],
      [3000, 1, false],
      [3000, 2, false],
    ]);
  });

  it('hold() and release() switch channels until told', async () => {
    const { clock, phone, driver } = await openDriver();
    await driver.hold([0, 2]);
    clock.advance(5000);
    expect(phone.keysDown().sort()).toEqual(['1', '5']);
    await driver.release([0]);
    expect(phone.keysDown()).toEqual(['5']);
  });

  it('cuts a hold at the limit and emits hold-limit', async () => {
    const { clock, jig, driver, events } = await openDriver();
    await driver.hold([0, 1, 2]);
    clock.advance(SIM_MAX_HOLD_MS - 1);
    expect(jig.energised()).toEqual([0, 1, 2]);
    clock.advance(1);
    expect(jig.energised()).toEqual([]);
    expect(events).toEqual([{ t: SIM_MAX_HOLD_MS, e: { kind: 'hold-limit', channels: [0, 1, 2] } }]);
  });

  it('cuts a press longer than the limit, but not one exactly at it', async () => {
    const long = await openDriver(5000);
    await long.clock.runUntil(long.driver.press([0], 8000));
    expect(long.clock.now()).toBe(5000);
    expect(long.events.map((x) => x.e)).toEqual([{ kind: 'hold-limit', channels: [0] }]);

    const exact = await openDriver(5000);
    await exact.clock.runUntil(exact.driver.press([0], 5000));
    expect(exact.events).toEqual([]);
    expect(exact.jig.energised()).toEqual([]);
  });

  it('keeps the limit running for a channel held before a later hold adds others', async () => {
    const { clock, driver, events } = await openDriver(10_000);
    await driver.hold([0]);
    clock.advance(4000);
    await driver.hold([0, 1]);
    clock.advance(6000);
    expect(events.map((x) => [x.t, x.e])).toEqual([[10_000, { kind: 'hold-limit', channels: [0] }]]);
    clock.advance(4000);
    expect(events.map((x) => [x.t, x.e])).toEqual([
      [10_000, { kind: 'hold-limit', channels: [0] }],
      [14_000, { kind: 'hold-limit', channels: [1] }],
    ]);
  });

  it('releases the channels when a press is aborted', async () => {
    const { clock, jig, driver } = await openDriver();
    const ac = new AbortController();
    const press = driver.press([0, 1], 3000, ac.signal);
    clock.setTimeout(() => ac.abort(new Error('stop')), 1000);
    const err = await clock.runUntil(rejection(press));
    expect((err as Error).message).toBe('stop');
    expect(clock.now()).toBe(1000);
    expect(jig.energised()).toEqual([]);
  });

  it('a dropped line: event, solenoids released, in-flight and next commands reject with link-lost; open() reconnects', async () => {
    const { clock, jig, driver, events } = await openDriver();
    await driver.setPower(true);
    await driver.hold([2]);
    const press = driver.press([0, 1], 3000);
    clock.setTimeout(() => driver.dropLink('cable pulled'), 1000);
    const err = await clock.runUntil(rejection(press));
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).code).toBe('link-lost');
    expect(events.map((x) => x.e)).toEqual([{ kind: 'link-lost', reason: 'cable pulled' }]);
    expect(jig.energised()).toEqual([]);
    for (const cmd of [() => driver.hold([0]), () => driver.release([0]), () => driver.setPower(false), () => driver.readSensor()]) {
      const e = await rejection(cmd());
      expect((e as BenchError).code).toBe('link-lost');
    }
    await driver.releaseAll(); // always safe
    await driver.open();
    expect(driver.linkUp).toBe(true);
    expect(jig.relayOn()).toBe(false);
    await driver.hold([0]);
    expect(jig.energised()).toEqual([0]);
  });

  it('drops the line after N commands, or at a given time, when asked', async () => {
    const n = await openDriver(undefined, { linkLostAfterCommands: 2 });
    await n.driver.hold([0]);
    await n.driver.release([0]);
    const err = await rejection(n.driver.hold([1]));
    expect((err as BenchError).code).toBe('link-lost');
    expect(n.jig.energised()).toEqual([]);

    const t = await openDriver(undefined, { linkLostAtMs: 2500 });
    await t.driver.hold([0]);
    t.clock.advance(2500);
    expect(t.events.map((x) => [x.t, x.e.kind])).toEqual([[2500, 'link-lost']]);
    expect((await rejection(t.driver.release([0])) as BenchError).code).toBe('link-lost');
  });

  it('releaseAll() switches everything off, relay included, and may be called twice', async () => {
    const { jig, driver } = await openDriver();
    await driver.setPower(true);
    await driver.hold([0, 1, 3]);
    await driver.releaseAll();
    await driver.releaseAll();
    expect(jig.energised()).toEqual([]);
    expect(jig.relayOn()).toBe(false);
  });
});

describe('createSimBench', () => {
  function waitScreen(observer: Observer, pred: (s: ScreenObservation) => boolean): Promise<ScreenObservation> {
    return new Promise((resolve) => {
      if (pred(observer.current())) return resolve(observer.current());
      const off = observer.subscribe((s) => {
        if (pred(s)) {
          off();
          resolve(s);
        }
      });
    });
  }

  async function resetThroughBench(mac: string, realMac?: string) {
    const clock = new VirtualClock();
    const sim = createSimBench({
      modelId: 'vvx-410',
      mac,
      realMac,
      fixture: VVX_JIG,
      clock,
      seed: 11,
      options: { caseRule: 'lower', variant: 'classic' },
    });
    const { bench, phone } = sim;
    const observer = bench.observer!;
    const run = async () => {
      await bench.driver.open();
      await bench.power(false);
      await sleep(clock, 10_000); // seed 000: "unplug it count to 10"
      await bench.power(true);
      await waitScreen(observer, (s) => s.softkeys.includes('Cancel'));
      await bench.press(['softkey1'], 100);
      await waitScreen(observer, (s) => /Autoboot in \d+ s/.test(text(s)));
      const combo = (phone as SimPhone).truth().combo;
      await bench.hold(combo);
      await waitScreen(observer, (s) => s.lines[0] === 'Password:');
      await bench.release(combo);
      await sleep(clock, 300);
      for (const step of seed001Keystrokes('softkey2')) {
        if (typeof step === 'string') {
          await bench.press([step], 80);
          await sleep(clock, 170);
        } else await sleep(clock, step.wait);
      }
      await bench.press(['softkey1'], 100);
      await waitScreen(observer, (s) => s.softkeys[0] === 'New Call');
    };
    await clock.runUntil(run().then(() => runOut(clock)));
    return sim;
  }

  it('puts phone, jig and driver together: a full manual reset through the Bench API', async () => {
    const { phone, jig } = await resetThroughBench('00-04-F2-AA-81-4C');
    expect(phone.truth().factoryDefaults).toBe(true);
    expect(jig.trace().some((e) => e.key === '3' && e.on)).toBe(true);
  });

  it('uses the real MAC when the job gives another: the password is rejected', async () => {
    const { phone } = await resetThroughBench('00-04-F2-AA-81-4C', '0004.f2aa.814d');
    expect(phone.truth().mac).toBe('0004f2aa814d');
    expect(phone.truth().factoryDefaults).toBe(false);
    expect(phone.truth().events.some((e) => e.what.startsWith('password-rejected'))).toBe(true);
  });

  it('is blind when asked, and validates the MAC', () => {
    const clock = new VirtualClock();
    const blind = createSimBench({ modelId: 'soundpoint-ip-335', mac: '0004F2AA814C', fixture: SP_JIG, clock, seed: 1, blind: true });
    expect(blind.bench.observer).toBeUndefined();
    expect(normalizeSimMac('0004.F2AA.814C')).toBe('0004f2aa814c');
    expect(() => createSimBench({ modelId: 'vvx-410', mac: '0004F2AA81', fixture: VVX_JIG, clock, seed: 1 })).toThrow(ConfigError);
  });

  it('routes jig faults: a stuck solenoid under a combo key defeats the reset', async () => {
    const clock = new VirtualClock();
    const { bench, phone } = createSimBench({
      modelId: 'vvx-410',
      mac: '0004f2aa814c',
      fixture: VVX_JIG,
      clock,
      seed: 5,
      options: { variant: 'classic' },
      faults: { stuckOff: [VVX_JIG.keys['3']!] },
    });
    const observer = bench.observer!;
    const run = async () => {
      await bench.driver.open();
      await bench.power(true);
      await waitScreen(observer, (s) => s.softkeys.includes('Cancel'));
      await bench.press(['softkey1'], 100);
      await waitScreen(observer, (s) => /Autoboot/.test(text(s)));
      await bench.press(['1', '3', '5'], 9000);
    };
    await clock.runUntil(run().then(() => runOut(clock)));
    expect(phone.truth().events.some((e) => e.what === 'password-prompt')).toBe(false);
    expect(phone.state).toBe('idle');
  });
});
