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
  /**
   * Blind: keep the power on this long after OK for the reset and its reboots. Absent: rebootTimeoutMs (the seeds'
   * widest figure); the bench's calibration sets it from the resets its camera watched on phones of the model.
   */
  blindResetMs?: number;
  /** Blind: hold the combo this long. Absent: comboHoldMs; calibration sets it from the holds its camera watched. */
  blindHoldMs?: number;
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
  /** The application's version on a boot screen, its first capture group `x.y.z` (e.g. `UC Software 4.0.15`). */
  software?: string;
}

/**
 * The reset procedures of the seeds. `cancel-combo` and `led-combo` run on the keypad-password machine
 * (src/machines/factory-reset.ts); the step procedures on the step machine (src/machines/steps.ts); `unsupported`
 * never runs: it says why.
 */
export type Procedure = CancelComboProcedure | LedComboProcedure | MenuResetProcedure | StepProcedure | UnsupportedProcedure;
export type ProcedureKind = Procedure['kind'];

/**
 * Power-cycle, Cancel at "Loading application", hold the combo inside the countdown until the password prompt, type
 * the MAC, OK, await the reset reboots (seeds 000, 001, 002, 003). A phone whose BootROM predates the Updater (before
 * UCS 3.3.0, seed 001) shows the countdown by itself: the machine then holds the combo without Cancel.
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

/**
 * Like cancel-combo, but the combo's window opens when indicator LEDs that lit at power-up go off (Poly Edge E, seed
 * 001: "the Handsfree and Headset buttons should illuminate ... and once they turn off press the 1, 5 and 3 Key").
 */
export interface LedComboProcedure {
  kind: 'led-combo';
  /** LEDs that light at power-up; the window opens once they are all off again. */
  leds: string[];
  okKey: Key;
  combos: ComboOption[];
}

/** Which reset a run performs, as the record reports it. */
export type ResetKind =
  /** Factory defaults: flash parameters, logs, user data, cached data (seed 001 "Reset to Factory"). */
  | 'factory'
  /** The combo before UC Software 4.0.0: flash parameters and logs only (seed 001 NOTE). */
  | 'device-reset'
  /** Menu resets (seed 001 "Explanation of the individual Options"). */
  | 'local-config'
  | 'web-config'
  | 'device-settings'
  | 'file-system'
  /** No reset: a reboot (seed 001 "Rebooting the Phone"; seed 003 "Reboot Phone"). */
  | 'reboot';

/**
 * Something an observer (a camera, or the simulator's screen) can see. Every condition given must hold. Regexes are
 * matched case-insensitively, with ^ and $ at each line.
 */
export interface Sign {
  /** In words, for records and messages, e.g. `the MWI LED blinks`. */
  what: string;
  /** A regex source matched against the screen's lines (joined by newlines); implies a lit screen. */
  screen?: string;
  /** What the screen means, read by meaning whatever its wording (observe/meaning.ts): `idle`, `reset-done`... */
  meaning?: string;
  /** The display is lit (true) or dark (false). */
  lit?: boolean;
  /** A lit display with no text and no softkey labels (the screen "lights up" before any logo). */
  blank?: boolean;
  /** LED name -> regex source matched against its state (`blink`, `flash`, `on`, `off`, `red`, ...). */
  leds?: Record<string, string>;
}

/**
 * One step of a step procedure: the building blocks every such procedure is made of. `why` cites the seed or source
 * the step follows. Durations are ms; `blindMs` is what a bench without an observer waits instead of seeing the sign.
 */
export type ProcedureStep = { why?: string } & (
  /** Relay off for the timing profile's powerOffMs, then on; on a fixture without relay, the model's reboot combo. */
  | { do: 'power-cycle' }
  /** Relay off, then wait powerOffMs (needs the relay). */
  | { do: 'power-off' }
  /** Relay on (on a fixture without relay the unit is on its own supply: nothing to do). */
  | { do: 'power-on' }
  /** Keys go down and stay down. */
  | { do: 'hold'; keys: Key[] }
  | { do: 'release'; keys: Key[] }
  /** Keys down together for `ms` (default: the timing profile's keyTapMs), timed on the board. */
  | { do: 'press'; keys: Key[]; ms?: number }
  /** A pause (keys stay as they are). */
  | { do: 'wait'; ms: number }
  /**
   * Wait until the observer shows the sign (its `nth` appearance since the step began, default 1); a phone failure
   * `failCode` (with `failReason`, if given) after `deadlineMs`. Held keys stay held.
   */
  | { do: 'wait-for'; sign: Sign; nth?: number; deadlineMs: number; blindMs: number; failCode: string; failReason?: string }
  /** Select a menu item by its label: needs an observer (the highlighted item is the line starting with `>`). */
  | { do: 'menu'; item: string }
  /** Type the job's admin password with the model's text-entry profile. */
  | { do: 'type-admin-password' }
  /** Press the softkey labelled `label` (regex source); on a blind bench, `key`. */
  | { do: 'softkey'; label: string; key: Key }
  /**
   * The end: the signs that show the reset happened, in order, within `deadlineMs` of the step's start. A blind
   * bench cannot see them: the run is `unverified`.
   */
  | { do: 'confirm'; signs: Sign[]; deadlineMs: number }
);

/**
 * A procedure as a list of steps, run by the step machine: Poly Edge B (`power-on-hold`), the touch-screen phones
 * (`touch-hold`), base stations and pinholes (`long-press`), the admin menu (`menu-reset`, built per choice) and the
 * reboot combos (`reboot`).
 */
export interface StepProcedure {
  kind: 'power-on-hold' | 'touch-hold' | 'long-press' | 'menu-step' | 'reboot';
  steps: ProcedureStep[];
  /** What a run that ends with its `confirm` step has done. */
  resets: ResetKind;
}

/** The choices of the admin menu's Reset to Defaults (and Reboot Phone) a user picks from (seed 001). */
export type MenuResetChoice = 'factory' | 'local' | 'web' | 'device' | 'format' | 'reboot';

/**
 * The reset through the phone's menus when the admin password is known (seed 001 "Option 2 via the Phone GUI", seed
 * 003 "Reset Phone to Factory Defaults"): one step list per choice the menu offers.
 */
export interface MenuResetProcedure {
  kind: 'menu-reset';
  choices: Partial<Record<MenuResetChoice, { label: string; resets: ResetKind; steps: ProcedureStep[]; sources: string[] }>>;
}

/** A model whose procedure the sources do not give: the catalog refuses it, saying why, unless the user gives one. */
export interface UnsupportedProcedure {
  kind: 'unsupported';
  reason: string;
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
  /** Other procedures a user may pick instead (`reset --procedure`), e.g. the menu reset when the admin password is known. */
  alternatives?: Procedure[];
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
