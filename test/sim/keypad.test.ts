import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import { MultiTapField, type SimKeypadSpec } from '../../src/sim/keypad.js';
import { PLATFORMS } from '../../src/sim/phones.js';
import { planMac } from '../../src/text-entry/planner.js';
import { TEXT_ENTRY_PROFILES } from '../../src/text-entry/profiles.js';
import type { Plan, TextEntryProfile } from '../../src/text-entry/types.js';
import { Rng } from '../../src/sim/rng.js';
import { play, seed001Keystrokes, tap } from './helpers.js';

const TIMEOUT = 1200;
const VVX: SimKeypadSpec = { ...PLATFORMS.vvx.keypad, cursorTimeoutMs: TIMEOUT };
const SP: SimKeypadSpec = { ...PLATFORMS.soundpoint.keypad, cursorTimeoutMs: TIMEOUT };

function field(spec: SimKeypadSpec = VVX): { f: MultiTapField; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { f: new MultiTapField(spec, clock), clock };
}

describe('MultiTapField', () => {
  it('starts in numeric mode and types digits at once', () => {
    const { f, clock } = field();
    expect(f.mode).toBe('123');
    play(f, clock, ['0', '0', '4']);
    expect(f.committed).toBe('004');
    expect(f.pending).toBeUndefined();
  });

  it('gives f for three taps of 3 in lower-case letter mode (seed 000)', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2', '3', '3', '3']);
    expect(f.mode).toBe('abc');
    expect(f.value).toBe('f');
    expect(f.committed).toBe('');
    expect(f.pending).toMatchObject({ key: '3', taps: 3, char: 'f' });
  });

  it('merges two quick taps of one key into one letter; the cursor timeout separates them', () => {
    const quick = field();
    play(quick.f, quick.clock, ['softkey2', '2', '2']);
    expect(quick.f.value).toBe('b');

    const waited = field();
    play(waited.f, waited.clock, ['softkey2', '2', { wait: 2000 }, '2']);
    expect(waited.f.value).toBe('aa');
  });

  it('measures the cursor timeout from the last tap key-down, to the millisecond', () => {
    // Just short of the timeout: the second tap still advances the letter.
    const early = field();
    early.f.keyDown('softkey2');
    early.f.keyUp('softkey2');
    early.f.keyDown('2');
    early.clock.advance(100);
    early.f.keyUp('2');
    early.clock.advance(TIMEOUT - 101);
    early.f.keyDown('2');
    expect(early.f.value).toBe('b');

    // At the timeout: committed, the tap starts a new letter.
    const onTime = field();
    onTime.f.keyDown('softkey2');
    onTime.f.keyUp('softkey2');
    onTime.f.keyDown('2');
    onTime.clock.advance(TIMEOUT);
    expect(onTime.f.committed).toBe('a');
    onTime.f.keyUp('2');
    onTime.f.keyDown('2');
    expect(onTime.f.value).toBe('aa');
  });

  it('counts the timeout from key-down even while the key is still held', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2']);
    f.keyDown('2');
    clock.advance(TIMEOUT + 300); // held past the timeout
    f.keyUp('2');
    clock.advance(50);
    f.keyDown('2');
    expect(f.value).toBe('aa');
  });

  it('commits the pending letter when the mode key is pressed', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2', '2', '2']);
    expect(f.committed).toBe('');
    play(f, clock, ['softkey2']);
    expect(f.committed).toBe('b');
    expect(f.mode).toBe('ABC');
    play(f, clock, ['2']);
    expect(f.value).toBe('bA');
  });

  it('commits the pending letter when a different key is tapped', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2', '2', '3']);
    expect(f.committed).toBe('a');
    expect(f.value).toBe('ad');
  });

  it('gives the key digit after its letters when digitInCycle, then wraps', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2', '2', '2', '2', '2']);
    expect(f.value).toBe('2');
    play(f, clock, ['2']);
    expect(f.value).toBe('a');

    const seven = field();
    play(seven.f, seven.clock, ['softkey2', '7', '7', '7', '7', '7']);
    expect(seven.f.value).toBe('7');
  });

  it('wraps straight back to the first letter without digitInCycle', () => {
    const { f, clock } = field({ ...VVX, digitInCycle: false });
    play(f, clock, ['softkey2', '2', '2', '2', '2']);
    expect(f.value).toBe('a');
  });

  it('types upper case in ABC', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2', 'softkey2', '3', '3', '3', '2']);
    expect(f.mode).toBe('ABC');
    expect(f.value).toBe('FA');
  });

  it('types the digit at once for a key without letters in a letter mode, committing the pending letter', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2', '2', '0', '1']);
    expect(f.committed).toBe('a01');
    expect(f.pending).toBeUndefined();
  });

  it('types symbols in numeric mode and ignores keys that mean nothing to the field', () => {
    const { f, clock } = field();
    play(f, clock, ['1', '*', '#', 'up', 'softkey3', '2']);
    expect(f.value).toBe('1./2');
  });

  it('does not repeat a held key: a tap needs a key-up first', () => {
    const { f, clock } = field();
    play(f, clock, ['softkey2']);
    expect(f.keyDown('2')).toBe(true);
    expect(f.keyDown('2')).toBe(false);
    expect(f.value).toBe('a');
    f.keyUp('2');
    clock.advance(100);
    f.keyDown('2');
    expect(f.value).toBe('b');
  });

  it("cycles 123 -> ABC -> abc with '#' on SoundPoint (seed 000 '(1/A/a)'), where '#' types no '/'", () => {
    const { f, clock } = field(SP);
    play(f, clock, ['#']);
    expect(f.mode).toBe('ABC');
    play(f, clock, ['#']);
    expect(f.mode).toBe('abc');
    play(f, clock, ['3', '3', '3', '#']);
    expect(f.mode).toBe('123');
    expect(f.value).toBe('f');
  });

  it('clear() empties the field and returns to the initial mode', () => {
    const { f, clock } = field();
    play(f, clock, ['1', 'softkey2', '2']);
    f.clear();
    expect(f.value).toBe('');
    expect(f.mode).toBe('123');
  });

  it("yields 0004f2aa814c for seed 001's exact keystrokes for 00-04-F2-AA-81-4C", () => {
    for (const timeout of [1000, 1300, 1600]) {
      const clock = new VirtualClock();
      const f = new MultiTapField({ ...VVX, cursorTimeoutMs: timeout }, clock);
      // Realistic timing: 80 ms down, 170 ms up ("three times quickly": 250 ms per tap).
      for (const s of seed001Keystrokes('softkey2')) {
        if (typeof s === 'string') tap(f, clock, s, 80, 170);
        else clock.advance(s.wait);
      }
      expect(f.value).toBe('0004f2aa814c');
    }
  });

  it('does not yield the MAC when the two-second wait is left out of the seed 001 keystrokes', () => {
    const clock = new VirtualClock();
    const f = new MultiTapField(VVX, clock);
    play(f, clock, seed001Keystrokes('softkey2').filter((s) => typeof s === 'string'));
    expect(f.value).toBe('0004f2b814c');
  });

  it('rejects a spec whose cycle lacks the initial mode', () => {
    expect(() => new MultiTapField({ ...VVX, cycle: ['abc', 'ABC'] }, new VirtualClock())).toThrow(/initial mode/);
  });
});

describe("the planner's plans, replayed on the simulator's own fields", () => {
  // The fields are the simulator's (its platforms and its per-phone variants), never built from the controller's
  // profile: the oracle is the phone.
  function replay(plan: Plan, spec: SimKeypadSpec, tapMs: number): string {
    const clock = new VirtualClock();
    const f = new MultiTapField(spec, clock);
    for (const step of plan.steps) {
      if (step.kind === 'wait') {
        clock.advance(step.ms);
        continue;
      }
      f.keyDown(step.key);
      clock.advance(tapMs);
      f.keyUp(step.key);
      clock.advance(step.ms - tapMs);
    }
    return f.value;
  }

  const rng = new Rng('planner-replay');
  const macs = ['0004f2aa814c', '64167fccccee', '0004f2000000', 'abcdefabcdef', '0004f2a1b2c3'];
  for (let i = 0; i < 20; i++) macs.push(Array.from({ length: 12 }, () => rng.pick([...'0123456789abcdef'])).join(''));
  const cases = (['vvx', 'soundpoint'] as const).flatMap((platform) =>
    (['commit', 'ignore-mode', 'discard'] as const).flatMap((pendingOnMode) =>
      [true, false].map((digitInCycle) => ({ platform, pendingOnMode, digitInCycle })),
    ),
  );

  it.each(cases)(
    'a safe plan types every MAC on the $platform field (mode key on a pending letter: $pendingOnMode, digit in cycle: $digitInCycle)',
    ({ platform, pendingOnMode, digitInCycle }) => {
      const profile = TEXT_ENTRY_PROFILES[platform]!;
      for (const cursorTimeoutMs of [800, 1900]) {
        const spec: SimKeypadSpec = { ...PLATFORMS[platform].keypad, pendingOnMode, digitInCycle, cursorTimeoutMs };
        for (const mac of macs) expect(replay(planMac(mac, { ...profile, modeCommits: false }), spec, profile.tapMs)).toBe(mac);
      }
    },
  );

  it.each(['vvx', 'soundpoint'] as const)('the fast plan (the mode key commits, seed 001) types every MAC on a %s field that commits', (platform) => {
    const profile = TEXT_ENTRY_PROFILES[platform]!;
    expect(profile.modeCommits).toBe(true);
    const spec: SimKeypadSpec = { ...PLATFORMS[platform].keypad, pendingOnMode: 'commit', cursorTimeoutMs: 1200 };
    for (const mac of macs) expect(replay(planMac(mac, profile), spec, profile.tapMs)).toBe(mac);
  });

  it('the fast plan goes wrong on a phone that ignores or drops on the mode key (so the controller must observe or retry)', () => {
    const profile = TEXT_ENTRY_PROFILES.vvx!;
    const plan = planMac('0004f2aa814c', profile);
    expect(plan.steps.some((s, i) => s.kind === 'mode' && plan.steps[i - 1]?.kind === 'press' && /[2-9]/.test(plan.steps[i - 1]!.kind === 'press' ? (plan.steps[i - 1] as { key: string }).key : ''))).toBe(true);
    for (const pendingOnMode of ['ignore-mode', 'discard'] as const) {
      const spec: SimKeypadSpec = { ...PLATFORMS.vvx.keypad, pendingOnMode, cursorTimeoutMs: 1200 };
      expect(replay(plan, spec, profile.tapMs)).not.toBe('0004f2aa814c');
    }
  });
});
