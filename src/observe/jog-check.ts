import { DIAL_KEYS } from '../bench/keys.js';
import type { Observer, ScreenObservation } from '../bench/types.js';
import type { Clock } from '../clock/clock.js';
import { nextScreen } from './screen-observer.js';

/*
 * `doctor --jog` with a camera: each key pressed once on the phone's idle screen, and what the screen did about it.
 * A dial-pad key starts (or goes on with) a number on a desk phone's idle screen: the key's own character must appear
 * at the end of a line that changed. Any other key is judged only by whether the picture changed (a softkey, a menu
 * key and a volume key change it on most phones; a line key may not), so no change there is said, not failed.
 */

/** What the screen showed after one jog press. */
export interface JogSeen {
  /**
   * shown: a dial-pad key's character appeared; other-key: a dial-pad key made another character appear (a solenoid
   * over the wrong key, or channels crossed); changed: the picture changed (a key that is not on the dial pad);
   * not-seen: nothing changed within the wait.
   */
  verdict: 'shown' | 'other-key' | 'changed' | 'not-seen';
  /** The character a dial-pad key made appear instead of its own (other-key). */
  appeared?: string;
  /** The screen's lines after the press. */
  lines: string[];
}

const DIAL_PAD = new Set<string>(DIAL_KEYS);

export const isDialPadKey = (key: string | null): boolean => key !== null && DIAL_PAD.has(key);

const sameScreen = (a: ScreenObservation, b: ScreenObservation): boolean =>
  a.lit === b.lit &&
  a.lines.join('\n') === b.lines.join('\n') &&
  a.softkeys.join('\n') === b.softkeys.join('\n') &&
  JSON.stringify(a.leds) === JSON.stringify(b.leds);

/** The dial-pad character a changed line ends with, if a line changed and ends with one. */
function appearedCharacter(before: ScreenObservation, after: ScreenObservation): string | undefined {
  for (let i = after.lines.length - 1; i >= 0; i--) {
    const line = after.lines[i]!.trim();
    if (line === (before.lines[i] ?? '').trim()) continue;
    const last = line.at(-1);
    if (last !== undefined && DIAL_PAD.has(last)) return last;
  }
  return undefined;
}

/**
 * Presses one key (`press`) with the observer watching, and waits up to `settleMs` for what the screen does: for a
 * dial-pad key, until its character (or another) appears; for any other key, until the picture changes.
 */
export async function pressWatched(o: {
  observer: Observer;
  clock: Clock;
  key: string | null;
  press: () => Promise<void>;
  settleMs: number;
  signal?: AbortSignal;
}): Promise<JogSeen> {
  const before = o.observer.current();
  const dial = isDialPadKey(o.key);
  // A dial-pad key is decided by its own character (another one is kept, in case its own still comes); any other key
  // by a change of the picture.
  let otherKey: JogSeen | undefined;
  const decides = (now: ScreenObservation): boolean => {
    if (!dial) return !sameScreen(before, now);
    const c = appearedCharacter(before, now);
    if (c !== undefined && c !== o.key) otherKey ??= { verdict: 'other-key', appeared: c, lines: now.lines };
    return c === o.key;
  };
  // What the screen shows while the key is down counts too.
  let during: ScreenObservation | undefined;
  const unsubscribe = o.observer.subscribe((s) => {
    if (during === undefined && decides(s)) during = s;
  });
  try {
    await o.press();
  } finally {
    unsubscribe();
  }
  const decided = during ?? (await nextScreen(o.observer, o.clock, decides, o.settleMs, o.signal));
  if (decided) return { verdict: dial ? 'shown' : 'changed', lines: decided.lines };
  return otherKey ?? { verdict: 'not-seen', lines: o.observer.current().lines };
}

/** A line for the technician: what the screen did after a key's jog press. */
export function describeSeen(key: string | null, s: JogSeen): string {
  switch (s.verdict) {
    case 'shown':
      return `the screen showed '${key}'`;
    case 'other-key':
      return `the screen showed '${s.appeared}', not '${key}': this solenoid presses another key, or its channel is crossed with that key's`;
    case 'changed':
      return 'the screen changed';
    case 'not-seen':
      return isDialPadKey(key)
        ? `the screen did not show '${key}': check that the solenoid reaches the key and presses it fully`
        : 'no change seen (some keys show nothing on the idle screen)';
  }
}
