import type { Key } from '../bench/keys.js';

/** Input modes of a phone's text field: digits, lower-case letters, upper-case letters. */
export type Mode = '123' | 'abc' | 'ABC';

/** How a MAC password's letters must be cased for a firmware family (the seeds disagree; see catalog). */
export type CaseRule = 'lower' | 'upper' | 'either';

/**
 * How one firmware family's text fields take input. Data, not code: a technician can add one in a profiles file.
 */
export interface TextEntryProfile {
  id: string;
  description: string;
  /** Seed citations, e.g. `seed 001: "Select the input modifier once to toggle into lower case letter mode"`. */
  sources: string[];
  /** The key that steps through the modes (a softkey on VVX, `#` or a softkey on SoundPoint). */
  modeKey: Key;
  /** The modes in the order the mode key visits them; the cycle wraps. Must hold `initialMode`. */
  cycle: Mode[];
  /** The mode a fresh field starts in. */
  initialMode: Mode;
  /** Letters per key, lower case, in tap order: `{"2": "abc", "7": "pqrs", ...}`. */
  letters: Record<Key, string>;
  /** In a letter mode, whether one more tap after a key's last letter gives the key's digit before wrapping. */
  digitInCycle: boolean;
  /** Characters other than digits and letters typed with one tap in `123` mode, e.g. `{".": "*", "/": "#"}`. */
  symbols: Record<string, Key>;
  /** How long each tap holds the key down, ms. */
  tapMs: number;
  /** Minimum time between releasing a key and the next press, ms. */
  gapMs: number;
  /** Pause that lets the cursor timeout commit a pending letter before the same key is tapped again, ms. */
  commitMs: number;
  /**
   * True when a tap of the mode key commits a pending letter at once (seed 001's keystroke table relies on it). Absent
   * or false: the plan waits `commitMs` before a mode tap that follows a letter (phones differ: some ignore the mode
   * key while the cursor blinks, some drop the letter).
   */
  modeCommits?: boolean;
  /** Set by the bench's calibration when its camera saw the mode key commit on phones of the model: a blind bench may
   * then rely on it too. */
  modeCommitsWatched?: boolean;
  /** Case the MAC password's letters must have. */
  macCase: CaseRule;
  /**
   * False when no source settles the case rule: `macCase` (lower or upper) is then only the first guess. After a
   * rejected password the machine types the other case on the next attempt; the record's attempt log says which case
   * each attempt used, so the passing attempt shows which one worked. Absent means true.
   */
  macCaseKnown?: boolean;
}

/** One step of a key plan, as `resetbot plan --json` prints it. `ms` is the time the step occupies. */
export type PlanStep =
  | { kind: 'press'; key: Key; ms: number }
  | { kind: 'mode'; key: Key; mode: Mode; ms: number }
  | { kind: 'wait'; ms: number };

export interface Plan {
  /** The text the plan types. */
  text: string;
  /** The text-entry profile it was planned for. */
  profile: string;
  steps: PlanStep[];
  /** Sum of the steps' ms. */
  durationMs: number;
}
