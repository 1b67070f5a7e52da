/**
 * Per-phone variants: everything the seeds disagree on or do not say, drawn once per simulated phone from its seeded
 * RNG, so that the controller must cope with each of them (by observing which one the phone is, or by retrying).
 * Each choice names its source, or says it is an assumption. None of this is shared with the controller: a variant is
 * what a real phone of that model might do, not what the controller expects.
 */
import type { Rng, Range } from './rng.js';

/** The password field's modes, as the simulator names them. */
export type SimMode = '123' | 'abc' | 'ABC';

/** What a mode-key tap does to a letter still pending (being multi-tapped). */
export type PendingOnMode = 'commit' | 'ignore-mode' | 'discard';

export interface KeypadVariant {
  /** Modes in the order the mode key visits them. */
  cycle: SimMode[];
  initialMode: SimMode;
  /** One more tap after a key's last letter gives its digit before wrapping. */
  digitInCycle: boolean;
  /**
   * `commit`: the mode key commits the pending letter (seed 001's keystroke table relies on it: "f: Select the input
   * modifier once ... Press the '3' key three times quickly; 2: Select the input modifier twice"). `ignore-mode`: the
   * mode key does nothing while the cursor blinks (assumption: seed 001 itself waits "two seconds for the blinking
   * cursor to return" between two letters). `discard`: the pending letter is dropped (assumption, an adversary).
   */
  pendingOnMode: PendingOnMode;
  /** The mode softkey's label in each mode. */
  labels: Record<SimMode, string>;
}

/** The words each screen shows (one wording per phone). */
export interface Wording {
  updater: string[];
  loading: string;
  /** The countdown's lines for N seconds left. */
  countdown: (n: number) => string[];
  /** Shown between the combo's acceptance and the prompt, when the phone has that extra screen. */
  prelude: string[];
  prompt: string;
  rejected: string;
  resetting: string[];
  resetDone: string[];
  starting: string;
  /** Idle screen's second line: configured, and wiped. */
  idleConfigured: string;
  idleWiped: string;
}

export interface PhoneVariant {
  keypad: KeypadVariant;
  wording: Wording;
  /** The extra "please wait" screen before the prompt lasts this long (0: no such screen). */
  preludeMs: number;
  /** The autoboot countdown, ms (per phone; jittered per boot). */
  countdownMs: number;
  /** How long the Cancel softkey stays up, per boot. */
  cancelShownMs: Range;
  /** A power cut shorter than this does not reboot the phone (its supply rides through). */
  minPowerOffMs: number;
  /** Names of the choices, for the campaign's tables. */
  names: Record<string, string>;
}

const CYCLES: Array<{ name: string; cycle: SimMode[]; source: string }> = [
  // Seed 001's table: "once to toggle into lower case letter mode", "twice to toggle back into numeric mode".
  { name: '123-abc-ABC', cycle: ['123', 'abc', 'ABC'], source: 'seed 001' },
  // Seed 000: "(1/A/a)"; seed 003 "(a -> 1A)".
  { name: '123-ABC-abc', cycle: ['123', 'ABC', 'abc'], source: 'seed 000, seed 003' },
  // Seed 000: "On a VVX-series depress "mode" to switch between alpha and numeric": two modes (assumption).
  { name: '123-abc', cycle: ['123', 'abc'], source: 'seed 000 (alpha and numeric), assumption' },
];

const LABELS: Array<{ name: string; labels: Record<SimMode, string> }> = [
  // Seed 000: "(1->abc)", "(A->abc or a->abc)".
  { name: 'x->abc', labels: { '123': '1->abc', abc: 'a->abc', ABC: 'A->abc' } },
  // Seed 003: "(a -> 1A)".
  { name: 'x -> next', labels: { '123': '1 -> Aa', abc: 'a -> 1A', ABC: 'A -> a1' } },
  // Seed 002: "Click on A->Aa soft key".
  { name: 'x->Aa', labels: { '123': '1->Aa', abc: 'a->Aa', ABC: 'A->Aa' } },
  // Assumption: the mode's own name.
  { name: 'plain', labels: { '123': '123', abc: 'abc', ABC: 'ABC' } },
];

/** Several wordings of each screen: the seeds quote some, the rest are assumptions in the phones' style. */
const UPDATERS = [['Polycom Updater', 'Please wait...'], ['Updater', 'Initializing...'], ['Poly Updater', 'Please wait']];
// Seed 000 "loading application"; seed 002 "loading application screen".
const LOADINGS = ['Loading application...', 'Loading Application', 'Loading application, please wait', 'Application loading...'];
// Seed 000: "a 7 seconds count down"; seed 002: 'the next "Welcome" window'.
const COUNTDOWNS: Array<(n: number) => string[]> = [
  (n) => ['Welcome', `Autoboot in ${n} s`],
  (n) => [`Starting: ${n}`],
  (n) => ['Welcome', `Autoboot in ${n} seconds`],
  (n) => ['Press Setup to configure', `Booting in ${n}`],
  (n) => [`Countdown: ${n}`],
];
// Seed 001: "The following prompt will appear ... requires the Admin password".
const PROMPTS = ['Password:', 'Enter Password', 'Admin Password', 'Enter admin password:', 'Password'];
const REJECTIONS = ['Invalid password', 'Incorrect password', 'Password incorrect', 'Wrong password', 'Access denied'];
// Seed 002: 'you should see "Resetting Configuration please wait"', 'a "Configuration Reset" message'.
const RESETTINGS = [['Resetting Configuration', 'please wait...'], ['Resetting configuration'], ['Restoring factory defaults', 'Please wait'], ['Resetting to defaults...']];
const RESET_DONES = [['Configuration Reset'], ['Configuration reset complete'], ['Factory reset complete'], ['Reset complete', 'Restarting...']];
const STARTINGS = ['Starting application...', 'Starting Application', 'Application starting...'];
const PRELUDES = [['Please wait...'], ['Checking...'], ['One moment please']];
const IDLES: Array<[string, string]> = [
  ['Line 1: 1013', 'Line 1: unregistered'],
  ['1013', 'Unregistered'],
  ['Ext. 1013', 'No line registered'],
];

/** Draws one phone's variant. `countdown` and `cancelShown` are its platform's seed-backed ranges. */
export function drawVariant(rng: Rng, platform: { countdownMs: Range; cancelShownMs: Range }): PhoneVariant {
  const cycle = rng.pick(CYCLES);
  // Seed 000: "By default, the phone is on number mode (1->abc)"; a phone that starts in letters is an assumption.
  const initialMode: SimMode = rng.chance(0.15) ? cycle.cycle[1]! : '123';
  const digitInCycle = rng.chance(0.5); // no seed says
  const pendingOnMode = rng.pick<PendingOnMode>(['commit', 'commit', 'ignore-mode', 'discard']);
  const labels = rng.pick(LABELS);
  const countdownWords = rng.int(0, COUNTDOWNS.length - 1);
  const wording: Wording = {
    updater: rng.pick(UPDATERS),
    loading: rng.pick(LOADINGS),
    countdown: COUNTDOWNS[countdownWords]!,
    prelude: rng.pick(PRELUDES),
    prompt: rng.pick(PROMPTS),
    rejected: rng.pick(REJECTIONS),
    resetting: rng.pick(RESETTINGS),
    resetDone: rng.pick(RESET_DONES),
    starting: rng.pick(STARTINGS),
    idleConfigured: '',
    idleWiped: '',
  };
  [wording.idleConfigured, wording.idleWiped] = rng.pick(IDLES);
  // An extra screen on the way to the prompt (assumption: "an 800 ms Please wait... before the prompt").
  const preludeMs = rng.chance(0.3) ? rng.int(300, 1_500) : 0;
  // The countdown: the platform's seed figure, or anywhere from 3 to 15 s (other phones' BootROMs; assumption).
  const countdownMs = rng.chance(0.5) ? rng.jitter(platform.countdownMs) : rng.int(3_000, 15_000);
  // Short Cancel windows: some phones show Cancel for 1.5 to 3 s only (assumption).
  const shortCancel = rng.chance(0.2);
  const cancelShownMs: Range = shortCancel ? { min: 1_500, max: 3_000 } : platform.cancelShownMs;
  // Seed 000 counts to 10 with the phone unplugged; a supply that rides through up to 4 s is an assumption.
  const minPowerOffMs = rng.int(200, 4_000);
  return {
    keypad: { cycle: [...cycle.cycle], initialMode, digitInCycle, pendingOnMode, labels: { ...labels.labels } },
    wording,
    preludeMs,
    countdownMs,
    cancelShownMs,
    minPowerOffMs,
    names: {
      cycle: cycle.name,
      initialMode,
      digitInCycle: String(digitInCycle),
      pendingOnMode,
      labels: labels.name,
      countdown: `words ${countdownWords}, ${Math.round(countdownMs / 1000)} s`,
      prompt: wording.prompt,
      prelude: preludeMs > 0 ? 'yes' : 'no',
      cancelWindow: shortCancel ? 'short' : 'seed',
    },
  };
}

/**
 * The phone the seeds describe most plainly: seed 001's cycle and commit rule, seed 000's labels, seed 002's reset
 * wording, no extra screens, a supply with no ride-through. For tests of the simulator's own rules; campaigns and the
 * controller's tests draw variants instead.
 */
export function classicVariant(platform: { cycle: SimMode[]; labels: Record<SimMode, string>; countdownMs: number; cancelShownMs: Range }): PhoneVariant {
  return {
    keypad: { cycle: [...platform.cycle], initialMode: '123', digitInCycle: true, pendingOnMode: 'commit', labels: { ...platform.labels } },
    wording: {
      updater: ['Polycom Updater', 'Please wait...'],
      loading: 'Loading application...',
      countdown: (n) => ['Welcome', `Autoboot in ${n} s`],
      prelude: ['Please wait...'],
      prompt: 'Password:',
      rejected: 'Invalid password',
      resetting: ['Resetting Configuration', 'please wait...'],
      resetDone: ['Configuration Reset'],
      starting: 'Starting application...',
      idleConfigured: 'Line 1: 1013',
      idleWiped: 'Line 1: unregistered',
    },
    preludeMs: 0,
    countdownMs: platform.countdownMs,
    cancelShownMs: platform.cancelShownMs,
    minPowerOffMs: 0,
    names: { variant: 'classic' },
  };
}
