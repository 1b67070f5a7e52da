import type { Observer, ScreenObservation } from '../bench/types.js';
import { sleep, type Clock } from '../clock/clock.js';

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

const DIAL_PAD = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);

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
  let seen: JogSeen | undefined;
  const judge = (now: ScreenObservation): void => {
    if (seen?.verdict === 'shown') return;
    if (dial) {
      const c = appearedCharacter(before, now);
      if (c === o.key) seen = { verdict: 'shown', lines: now.lines };
      else if (c !== undefined) seen = { verdict: 'other-key', appeared: c, lines: now.lines };
    } else if (!sameScreen(before, now)) {
      seen = { verdict: 'changed', lines: now.lines };
    }
  };
  const unsubscribe = o.observer.subscribe(judge);
  try {
    await o.press();
    const end = o.clock.now() + o.settleMs;
    // A camera shows a press some frames later: wait for the verdict, at most settleMs after the press.
    while (seen?.verdict !== 'shown' && o.clock.now() < end) {
      if (seen && !dial) break;
      await sleep(o.clock, Math.min(50, end - o.clock.now()), o.signal);
    }
    judge(o.observer.current());
    return seen ?? { verdict: 'not-seen', lines: o.observer.current().lines };
  } finally {
    unsubscribe();
  }
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
