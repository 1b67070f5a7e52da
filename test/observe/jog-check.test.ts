/**
 * `doctor --jog` with a camera: each key pressed once on the phone's idle screen, judged by what the screen did. A
 * dial-pad key must make its own character appear (the desk phone's dialer); a solenoid over the wrong key, or two
 * crossed channels, make another appear; a solenoid that does not press makes nothing appear. The simulated jig is
 * built with those faults (the fixture file does not know of them); its own trace says what was really pressed.
 */
import { describe, expect, it } from 'vitest';
import { fixtureFor } from '../../src/bench/jigs.js';
import type { Bench, Observer } from '../../src/bench/types.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { sleep, VirtualClock } from '../../src/clock/clock.js';
import { describeSeen, pressWatched, type JogSeen } from '../../src/observe/jog-check.js';
import { readScreen } from '../../src/observe/meaning.js';
import { nextScreen } from '../../src/observe/screen-observer.js';
import { createSimBench, type SimFaults } from '../../src/sim/driver.js';

const model = getCatalog().find('VVX 410');
const fixture = fixtureFor(model);
const DIAL = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'];

async function untilIdle(clock: VirtualClock, observer: Observer): Promise<void> {
  const idle = await clock.runUntil(nextScreen(observer, clock, (s) => readScreen(s, model.screens).kind === 'idle', 10 * 60_000));
  expect(idle, 'the phone reached its idle screen').toBeDefined();
}

/** A VVX 410 on the simulator, powered and at its idle screen; each dial-pad key jogged once, watched. */
async function jogDialPad(faults: SimFaults = {}): Promise<{ seen: Map<string, JogSeen>; pressedKeys: string[] }> {
  const clock = new VirtualClock();
  const sim = createSimBench({ modelId: model.id, mac: '0004f2aa814c', fixture, clock, seed: 5, faults, options: { variant: 'classic' } });
  await sim.driver.open();
  const bench: Bench = sim.bench;
  const observer = bench.observer!;
  await clock.runUntil(bench.power(true));
  await untilIdle(clock, observer);
  const seen = new Map<string, JogSeen>();
  for (const key of DIAL) {
    const s = await clock.runUntil(pressWatched({ observer, clock, key, press: () => bench.press([key], 300), settleMs: 1_500 }));
    seen.set(key, s);
    await clock.runUntil(sleep(clock, 200));
  }
  const pressedKeys = sim.jig.trace().filter((e) => e.on && e.key !== null).map((e) => e.key!);
  return { seen, pressedKeys };
}

describe('doctor --jog with a camera: each key checked against the screen', () => {
  it('a jig that presses what its fixture says: every dial-pad key shows its own character', async () => {
    const { seen, pressedKeys } = await jogDialPad();
    for (const key of DIAL) expect(seen.get(key)!.verdict, `${key}: ${describeSeen(key, seen.get(key)!)}`).toBe('shown');
    expect(pressedKeys).toEqual(DIAL); // the jig's own account: each key once, in order
  });

  it('two crossed channels: each of the two keys shows the other one\'s character, named in the line', async () => {
    const five = fixture.keys['5']!;
    const eight = fixture.keys['8']!;
    const { seen } = await jogDialPad({ miswire: [[five, eight]] });
    expect(seen.get('5')).toMatchObject({ verdict: 'other-key', appeared: '8' });
    expect(seen.get('8')).toMatchObject({ verdict: 'other-key', appeared: '5' });
    expect(describeSeen('5', seen.get('5')!)).toMatch(/showed '8', not '5'/);
    for (const key of DIAL.filter((k) => k !== '5' && k !== '8')) expect(seen.get(key)!.verdict, key).toBe('shown');
  });

  it('a solenoid that never moves: its key shows nothing, said as a check of the solenoid', async () => {
    const { seen } = await jogDialPad({ stuckOff: [fixture.keys['3']!] });
    expect(seen.get('3')!.verdict).toBe('not-seen');
    expect(describeSeen('3', seen.get('3')!)).toMatch(/did not show '3'.*solenoid/);
    for (const key of DIAL.filter((k) => k !== '3')) expect(seen.get(key)!.verdict, key).toBe('shown');
  });

  it('a key off the dial pad is judged by whether the picture changed, and no change is not a fault', async () => {
    const clock = new VirtualClock();
    const sim = createSimBench({ modelId: model.id, mac: '0004f2aa814c', fixture, clock, seed: 5, options: { variant: 'classic' } });
    await sim.driver.open();
    const observer = sim.bench.observer!;
    await clock.runUntil(sim.bench.power(true));
    await untilIdle(clock, observer);
    await clock.runUntil(sim.bench.press(['4'], 300));
    // In the dialer, its Cancel softkey (the fourth) goes back to idle: a change.
    const cancel = await clock.runUntil(pressWatched({ observer, clock, key: 'softkey4', press: () => sim.bench.press(['softkey4'], 300), settleMs: 1_500 }));
    expect(cancel.verdict).toBe('changed');
    // On the idle screen the simulated phone shows nothing for its volume key: said, not failed.
    const volume = await clock.runUntil(pressWatched({ observer, clock, key: 'volume-up', press: () => sim.bench.press(['volume-up'], 300), settleMs: 1_500 }));
    expect(volume.verdict).toBe('not-seen');
    expect(describeSeen('volume-up', volume)).toMatch(/no change seen/);
  });
});
