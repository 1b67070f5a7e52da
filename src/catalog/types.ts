import type { Key } from '../bench/keys.js';
import type { TextEntryProfile } from '../text-entry/types.js';

/** A key combination and the seeds that give it. */
export interface ComboOption {
  keys: Key[];
  sources: string[];
}

/**
 * What the controller expects of a model's timing. Every delay a machine uses comes from here, never from a literal.
 * All figures in ms.
 */
export interface TimingProfile {
  id: string;
  /** Relay off at least this long (seed 000: "unplug it count to 10"). */
  powerOffMs: number;
  /** With an observer: longest wait from power-on for the Cancel softkey. */
  cancelDeadlineMs: number;
  /** Blind: press Cancel this long after power-on. */
  cancelAfterMs: number;
  /** Nominal countdown after Cancel (seed 000: "a 7 seconds count down"); the sim varies it per model. */
  countdownMs: number;
  /** Blind: hold the combo this long. With an observer: the longest hold while waiting for the password prompt. */
  comboHoldMs: number;
  /** Delay between Cancel and pressing the combo. */
  comboAfterCancelMs: number;
  /** After releasing the combo, wait this long before typing (prompt settles). */
  promptSettleMs: number;
  /** Longest wait from OK to the phone's answer (reset started, or password rejected). */
  answerTimeoutMs: number;
  /** Longest wait for the reset reboots to finish (seed 002: "Give the phone a few minutes for a second automatic reboot"). */
  rebootTimeoutMs: number;
  /** Reboots the phone makes by itself after "Configuration Reset" (seed 002: it reboots, then "a second automatic reboot"). */
  resetReboots: number;
  /** A tap of a single key outside text entry (Cancel, OK), hold time. */
  keyTapMs: number;
  /** Minimum gap between two key actions. */
  keyGapMs: number;
  /** Attempts at most per job, and the deadline for all of them together. */
  maxAttempts: number;
  jobDeadlineMs: number;
}

/** Screen text the controller recognises (with a camera, or the simulator standing in for one): regex sources,
 * matched case-insensitively with ^ and $ at each line. */
export interface ScreenPatterns {
  loading: string;
  cancelSoftkey: string;
  countdown: string;
  passwordPrompt: string;
  rejected: string;
  resetting: string;
  resetDone: string;
  ready: string;
}

/** The reset procedures of the seeds. Issue 3 adds the rest. */
export type Procedure = CancelComboProcedure;

/**
 * Power-cycle, Cancel at "Loading application", hold the combo inside the countdown until the password prompt, type
 * the MAC, OK, await the reset reboots (seeds 000, 001, 002, 003).
 */
export interface CancelComboProcedure {
  kind: 'cancel-combo';
  /** The key under the Cancel softkey on the "Loading application" screen. */
  cancelKey: Key;
  /** The key that confirms the password. */
  okKey: Key;
  /** Combos to try, in order: the first is the one most seeds give; the others are where seeds disagree. */
  combos: ComboOption[];
}

export type Family =
  | 'vvx'
  | 'soundpoint-ip'
  | 'soundstation-ip'
  | 'spectralink'
  | 'trio'
  | 'edge'
  | 'ccx'
  | 'rove'
  | 'visualpro'
  | 'dect-base';

export interface PhoneModel {
  /** Catalog id, e.g. `vvx-410`, `soundpoint-ip-335`. */
  id: string;
  /** Display name, e.g. `VVX 410`. */
  name: string;
  family: Family;
  /** Extra names beyond the spellings generated from `name` (case, spaces, dashes, family prefixes). */
  aliases: string[];
  procedure: Procedure;
  /** The reboot combo of seed 001, where it gives one. */
  rebootCombo?: ComboOption;
  timing: TimingProfile;
  textEntry: TextEntryProfile;
  screens: ScreenPatterns;
  /** Where this entry comes from, e.g. `seed 001: "VVX 500, 501, ... : 1, 3, and 5 dial pad keys"`. */
  sources: string[];
  /** Caveats a technician should know. */
  notes: string[];
}
