/**
 * Test helpers that drive a SimPhone by hand on a VirtualClock, the way a technician follows the seeds. They read
 * the phone's screen only to know when to act (as a person would); the tests then check the phone's truth.
 */
import type { VirtualClock } from '../../src/clock/clock.js';
import type { ScreenObservation } from '../../src/bench/types.js';
import type { Key } from '../../src/bench/keys.js';
import type { Mode } from '../../src/text-entry/types.js';
import type { SimPhone } from '../../src/sim/phone.js';

/** A key to tap, or a pause. */
export type Step = Key | { wait: number };

/** Something keys can be tapped on: a phone or a bare MultiTapField. */
export interface Tappable {
  keyDown(key: Key): unknown;
  keyUp(key: Key): void;
}

/** A technician's tap: key down for `downMs`, then up, then `gapMs` before the next. */
export function tap(target: Tappable, clock: VirtualClock, key: Key, downMs = 80, gapMs = 170): void {
  target.keyDown(key);
  clock.advance(downMs);
  target.keyUp(key);
  clock.advance(gapMs);
}

export function play(target: Tappable, clock: VirtualClock, steps: Step[]): void {
  for (const s of steps) {
    if (typeof s === 'string') tap(target, clock, s);
    else clock.advance(s.wait);
  }
}

/**
 * Seed 001's exact keystrokes for 00-04-F2-AA-81-4C ("Character / Actions" table), with `mode` for "Select the input
 * modifier" and the seed's own "Wait for two seconds for the blinking cursor to return".
 */
export function seed001Keystrokes(mode: Key): Step[] {
  return [
    '0', '0', '0', '4',
    mode, '3', '3', '3', // f: "Select the input modifier once ... Press the '3' key three times quickly"
    mode, mode, '2', // 2: "Select the input modifier twice to toggle back into numeric mode"
    mode, '2', // a
    { wait: 2000 }, // "Wait for two seconds for the blinking cursor to return"
    '2', // a
    mode, mode, '8', '1', '4',
    mode, '2', '2', '2', // c
  ];
}

const LETTER_KEYS: Record<string, [Key, number]> = {
  a: ['2', 1], b: ['2', 2], c: ['2', 3], d: ['3', 1], e: ['3', 2], f: ['3', 3],
};

/**
 * The keystrokes a technician uses for a hex string, following seed 001's method: digits in numeric mode, each letter
 * in `letterMode` with its key tapped 1 to 3 times, a two-second wait between two letters on one key.
 */
export function technicianKeystrokes(text: string, modeKey: Key, cycle: Mode[], letterMode: 'abc' | 'ABC'): Step[] {
  const steps: Step[] = [];
  let mode: Mode = cycle[0]!;
  let lastLetterKey: Key | undefined;
  const switchTo = (target: Mode): void => {
    while (mode !== target) {
      steps.push(modeKey);
      mode = cycle[(cycle.indexOf(mode) + 1) % cycle.length]!;
      lastLetterKey = undefined;
    }
  };
  for (const ch of text.toLowerCase()) {
    const letter = LETTER_KEYS[ch];
    if (letter) {
      switchTo(letterMode);
      const [key, taps] = letter;
      if (lastLetterKey === key) steps.push({ wait: 2000 });
      for (let i = 0; i < taps; i++) steps.push(key);
      lastLetterKey = key;
    } else {
      switchTo('123');
      steps.push(ch);
      lastLetterKey = undefined;
    }
  }
  return steps;
}

/** Fires timers one by one until `done()` holds; throws if none is left or `limitMs` passes first. */
export function runUntil(clock: VirtualClock, done: () => boolean, limitMs = 15 * 60_000): void {
  const deadline = clock.now() + limitMs;
  while (!done()) {
    const at = clock.nextAt();
    if (at === undefined) throw new Error('runUntil: nothing left to happen, and the condition never held');
    if (at > deadline) throw new Error(`runUntil: condition not met within ${limitMs} ms`);
    clock.step();
  }
}

/** Fires timers until nothing is scheduled or `limitMs` passes (the phone settles at idle). */
export function runOut(clock: VirtualClock, limitMs = 15 * 60_000): void {
  const deadline = clock.now() + limitMs;
  for (;;) {
    const at = clock.nextAt();
    if (at === undefined || at > deadline) return;
    clock.step();
  }
}

export const text = (s: ScreenObservation): string => s.lines.join('\n');
export const hasSoftkey = (s: ScreenObservation, label: string): boolean => s.softkeys.includes(label);
export const isIdle = (s: ScreenObservation): boolean => s.lit && s.softkeys[0] === 'New Call';

export function waitFor(clock: VirtualClock, phone: SimPhone, pred: (s: ScreenObservation) => boolean, limitMs?: number): void {
  runUntil(clock, () => pred(phone.screen()), limitMs);
}

export function holdKeys(phone: SimPhone, keys: Key[]): void {
  for (const k of keys) phone.keyDown(k);
}

export function releaseKeys(phone: SimPhone, keys: Key[]): void {
  for (const k of keys) phone.keyUp(k);
}

/** Power on, wait for the Cancel softkey, tap it, wait for the countdown. */
export function bootToCountdown(phone: SimPhone, clock: VirtualClock): void {
  phone.setPower(true);
  waitFor(clock, phone, (s) => hasSoftkey(s, 'Cancel'));
  tap(phone, clock, phone.spec.cancelSoftkey);
  waitFor(clock, phone, (s) => /Autoboot in \d+ s/.test(text(s)));
}

/** From the countdown: hold the phone's true combo until the password prompt, then release it. */
export function comboToPrompt(phone: SimPhone, clock: VirtualClock): void {
  const combo = phone.truth().combo;
  holdKeys(phone, combo);
  waitFor(clock, phone, (s) => s.lines[0] === 'Password:');
  releaseKeys(phone, combo);
  clock.advance(300);
}

/** Types a password with the technician's keystrokes on the phone's own keypad (mode key and cycle of its platform). */
export function typePassword(phone: SimPhone, clock: VirtualClock, password: string, letterMode: 'abc' | 'ABC' = 'abc'): void {
  const k = phone.spec.keypad;
  play(phone, clock, technicianKeystrokes(password, k.modeKey, k.cycle, letterMode));
}

/** The whole manual procedure of seeds 000-003, ending with OK. */
export function manualReset(phone: SimPhone, clock: VirtualClock, password: string, letterMode: 'abc' | 'ABC' = 'abc'): void {
  bootToCountdown(phone, clock);
  comboToPrompt(phone, clock);
  typePassword(phone, clock, password, letterMode);
  tap(phone, clock, phone.spec.okSoftkey);
}

export function happened(phone: SimPhone, prefix: string): boolean {
  return phone.truth().events.some((e) => e.what.startsWith(prefix));
}
