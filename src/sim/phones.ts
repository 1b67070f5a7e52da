/**
 * The simulated phones' TRUTH: how each model really behaves, modelled on the four seed documents in
 * /work/shared/seeds/ (000, 001, 002, 003), never on the controller's catalog. The controller never reads this file;
 * it only sees the simulated phone's screen.
 *
 * Where the seeds disagree (a model's combo, whether the MAC's letters must be lower case), the truth lists every
 * seed-backed option and each simulated phone picks one per instance from its seeded RNG, so the controller must
 * handle both.
 *
 * Figures with no seed behind them are marked "assumption" and kept inside what the seeds make plausible.
 */
import type { Key } from '../bench/keys.js';
import { ConfigError, nearest } from '../errors/errors.js';
import type { SimKeypadSpec } from './keypad.js';
import type { Range } from './rng.js';
import type { SimMode as Mode } from './variants.js';

/** A phone family, as the simulator groups its models (its own names). */
export type Family = 'vvx' | 'spectralink' | 'trio' | 'edge' | 'soundpoint-ip' | 'soundstation-ip';
/** How the MAC password's letters must be cased on a phone. */
export type CaseRule = 'lower' | 'upper' | 'either';

/** Firmware platforms: they differ in keypad, softkey layout and timings. SoundStation runs the SoundPoint firmware. */
export type SimPlatform = 'vvx' | 'soundpoint';

/** One seed-backed key combination. */
export interface ComboTruth {
  keys: Key[];
  sources: string[];
}

/** Boot timeline figures, ms, each drawn afresh from its range on every boot. */
export interface BootTimings {
  /** Power applied (or automatic reboot) to the Updater screen; the display is dark meanwhile. */
  powerOnToUpdaterMs: Range;
  /** Updater screen to "Loading application". */
  updaterMs: Range;
  /** "Loading application" shown, before the Cancel softkey appears. */
  cancelDelayMs: Range;
  /** How long the Cancel softkey stays before the application starts loading. */
  cancelShownMs: Range;
  /** Cancel pressed to the countdown screen. */
  cancelToCountdownMs: Range;
  /** "Starting application" to the idle screen. */
  appStartMs: Range;
}

/** Timings of the reset itself (seed 002), ms. */
export interface ResetTimings {
  /** "Resetting Configuration please wait". */
  resettingMs: Range;
  /** "Configuration Reset", before the automatic reboot. */
  resetDoneMs: Range;
  /** The application runs this long after the first reboot before the second automatic reboot. */
  firstRunMs: Range;
}

/** Everything a platform's firmware does the same way on every model. */
export interface PlatformTruth {
  platform: SimPlatform;
  boot: BootTimings;
  reset: ResetTimings;
  /** The combo must be held, every key down together, this long (per phone instance; small jitter per attempt). */
  comboHoldMs: Range;
  /** The password field's cursor timeout (per phone instance). */
  cursorTimeoutMs: Range;
  /** "Invalid password" stays this long, then the application loads. */
  invalidPasswordMs: Range;
  /** The password field, without its cursor timeout (drawn per instance). */
  keypad: Omit<SimKeypadSpec, 'cursorTimeoutMs'>;
  /** Softkeys that also step the field's mode (the key "directly beneath" the mode image, seed 000). */
  altModeKeys: Key[];
  /** Label of the mode softkey on the password prompt, per mode. */
  modeLabels: Record<Mode, string>;
  /** The softkey that shows "Cancel" on the "Loading application" screen. */
  cancelSoftkey: Key;
  /** The softkey labelled "OK" on the password prompt. */
  okSoftkey: Key;
  /** Case rules the seeds allow for the MAC password; each instance picks one. */
  caseRules: CaseRule[];
  /** The application version a phone runs unless told otherwise (UC Software 4.0.0 or later: a full reset). */
  software: string;
}

/** A model: its family, platform, seed-backed combos and countdown length. */
export interface ModelTruth {
  id: string;
  name: string;
  family: Family;
  platform: SimPlatform;
  /** Seed-backed combos; more than one where the seeds disagree. */
  combos: ComboTruth[];
  /** The autoboot countdown after Cancel (per phone instance; small jitter per boot). */
  countdownMs: Range;
  /** The reboot combo of seed 001 "Rebooting the Phone", where it gives one. */
  rebootCombo?: ComboTruth;
  /**
   * How the combo's window opens: `updater` (the Cancel softkey at "Loading application", or the BootROM's own
   * countdown before the Updater), `edge-leds` (Poly Edge E: the Handsfree and Headset lights go off). Default updater.
   */
  window?: 'updater' | 'edge-leds';
  /** The application version, where it differs from the platform's. */
  software?: string;
}

/** A model with its platform's truth merged in: what one SimPhone is built from. */
export type SimPhoneSpec = ModelTruth & PlatformTruth;

const ITU_LETTERS: Record<Key, string> = {
  '2': 'abc',
  '3': 'def',
  '4': 'ghi',
  '5': 'jkl',
  '6': 'mno',
  '7': 'pqrs',
  '8': 'tuv',
  '9': 'wxyz',
};

/** Timings both platforms share (only the keypad and the countdown differ between them). */
const COMMON_BOOT: BootTimings = {
  // Seed 002: "you will see a loading application screen almost immediately upon initial reboot"; seed 000: "While
  // phone is powering back up (you have about 5-10 seconds to complete this step)". Dark + Updater + delay + window
  // below spans 6.5 to 15 s from power-on.
  powerOnToUpdaterMs: { min: 1_500, max: 3_000 },
  // Seed 001: "during the Updater/BootROM countdown process"; the Updater precedes "Loading application". Assumption.
  updaterMs: { min: 2_000, max: 5_000 },
  // Seed 000: "While the phone is in the starting application wait for the cancel button to appear then press it."
  cancelDelayMs: { min: 500, max: 2_000 },
  // Seed 000: "you have about 5-10 seconds to complete this step" (from power-up): the window itself is shorter.
  cancelShownMs: { min: 3_000, max: 6_000 },
  // Seed 002: "Immediately after cancel is selected, press and hold ..."; the countdown follows at once. Assumption.
  cancelToCountdownMs: { min: 200, max: 800 },
  // Assumption: the application takes tens of seconds to start (no seed figure).
  appStartMs: { min: 20_000, max: 40_000 },
};

const COMMON_RESET: ResetTimings = {
  // Seed 002: 'you should see "Resetting Configuration please wait" on the next screen'. Duration: assumption.
  resettingMs: { min: 4_000, max: 10_000 },
  // Seed 002: 'You should also see a "Configuration Reset" message and shortly after the phone should reboot'.
  resetDoneMs: { min: 1_500, max: 3_000 },
  // Seed 002: "Give the phone a few minutes for a second automatic reboot".
  firstRunMs: { min: 30_000, max: 90_000 },
};

// Seed 000: "Continue holding down the numbers for few seconds, until you are prompted to enter the admin password."
const COMBO_HOLD: Range = { min: 2_000, max: 3_500 };
// Assumption: about 1 to 1.6 s; seed 001 waits "two seconds for the blinking cursor to return", an upper bound.
const CURSOR_TIMEOUT: Range = { min: 1_000, max: 1_600 };
// Assumption: the rejection shows for a few seconds before the application loads.
const INVALID_PASSWORD: Range = { min: 2_000, max: 4_000 };
// Seed 000: "(not case sensitive)", "This is not key sensitive"; seed 002: "Make sure all letters are lower case";
// seed 003: "For letters in lowercase"; seed 001 (Edge E): "the MAC address in lower case". Upper-case acceptance is
// public too (https://helpdesk.myjelltel.com/support/solutions/articles/44002603133-factory-resetting-a-polycom-phone:
// "We recommend using only the '1->Aa' and 'A->a1' keypad entry modes ... numbers or upper-case characters"), which is
// 'either'. No source has a phone that takes upper case only: 'upper' is a forced option (SimPhoneOptions.caseRule),
// for a controller whose text-entry profile does not know the rule.
const CASE_RULES: CaseRule[] = ['lower', 'either'];

/** What both platforms share: the timings above. */
const COMMON_PLATFORM = {
  boot: COMMON_BOOT,
  reset: COMMON_RESET,
  comboHoldMs: COMBO_HOLD,
  cursorTimeoutMs: CURSOR_TIMEOUT,
  invalidPasswordMs: INVALID_PASSWORD,
};

export const PLATFORMS: Record<SimPlatform, PlatformTruth> = {
  vvx: {
    platform: 'vvx',
    ...COMMON_PLATFORM,
    keypad: {
      // Seed 000: "Press the 2nd soft key that corresponds to the mode"; "On a VVX-series depress "mode"".
      modeKey: 'softkey2',
      // Seed 001: "Select the input modifier once to toggle into lower case letter mode", "twice to toggle back into
      // numeric mode": 123 -> abc -> ABC -> 123. Seed 000: "By default, the phone is on number mode (1->abc)".
      cycle: ['123', 'abc', 'ABC'],
      initialMode: '123',
      letters: ITU_LETTERS,
      // Assumption (no seed says): a fourth tap of 2 gives '2', as on most phones' multi-tap.
      digitInCycle: true,
      // Seed 002: "Use * for . and # for /"; seed 003: "* for the period # for the /".
      symbols: { '*': '.', '#': '/' },
    },
    altModeKeys: [],
    // Seed 000: "(1->abc)" number mode, "(A->abc)" upper case, "( a->abc )" lower case.
    modeLabels: { '123': '1->abc', abc: 'a->abc', ABC: 'A->abc' },
    // Assumption: Cancel on the first softkey; on the countdown screen that softkey is "Start" (a double press of
    // Cancel starts the application).
    cancelSoftkey: 'softkey1',
    // Seed 002: "Click Ok when done"; seed 003: "Press OK".
    okSoftkey: 'softkey1',
    caseRules: CASE_RULES,
    // Assumption: a late VVX release.
    software: '5.9.6',
  },
  soundpoint: {
    platform: 'soundpoint',
    ...COMMON_PLATFORM,
    keypad: {
      // Seed 000: "Depress the # key or the button directly beneath this image on the phone screen (1/A/a) for
      // Soundpoint IP".
      modeKey: '#',
      // Seed 000: "(1/A/a)": 123 -> ABC -> abc; seed 003: "(a -> 1A)" is the same cycle seen from 'abc'.
      cycle: ['123', 'ABC', 'abc'],
      initialMode: '123',
      letters: ITU_LETTERS,
      // Assumption, as on VVX.
      digitInCycle: true,
      // Seed 003: "* for the period"; '#' is the mode key on this prompt, so it types no '/'.
      symbols: { '*': '.' },
    },
    // Seed 000: "or the button directly beneath this image on the phone screen (1/A/a)".
    altModeKeys: ['softkey2'],
    // Seed 003: "(a -> 1A)" for lower case; the others follow its pattern.
    modeLabels: { '123': '1 -> Aa', ABC: 'A -> a1', abc: 'a -> 1A' },
    // Assumption: Cancel on the third softkey (SoundStation IP 6000 has three).
    cancelSoftkey: 'softkey3',
    // Seed 003: "Press OK and wait for the set to respond".
    okSoftkey: 'softkey1',
    caseRules: CASE_RULES,
    // Assumption: the SoundPoint IP line's last UC Software branch.
    software: '4.0.15',
  },
};

// Seed 000: "The phone will show a 7 seconds count down" (VVX, SoundPoint IP, Conference Phone); other sources give
// 5 to 15 s for the SoundPoint/SoundStation BootROM autoboot.
const COUNTDOWN_VVX: Range = { min: 6_000, max: 8_000 };
const COUNTDOWN_SOUNDPOINT: Range = { min: 5_000, max: 15_000 };

const C135: Key[] = ['1', '3', '5'];
const C1357: Key[] = ['1', '3', '5', '7'];
const C468S: Key[] = ['4', '6', '8', '*'];
const C68S: Key[] = ['6', '8', '*'];

const S001_VVX = 'seed 001: "VVX 500, 501, VVX 600, 601, SpectraLink 8400, VVX 150, 250, 300, 301, 310, 350, 400, 401, 410, 411, 450 or Trio 8300: 1, 3, and 5 dial pad keys"';
const S000_VVX = 'seed 000: "For VVX-Series phones press and hold the dial pad keys 1, 3, 5"; "VVX series (VVX300, 301, 310, 311, etc): press and hold 1 3 5"';
const S002_VVX = 'seed 002: "VVX 300 , 310, 400, 410 , VVX 500, VVX600 and SpectraLink 8400 Series: 1, 3, and 5 dial pad keys"';
const S003_VVX = 'seed 003: "VVX 300, 310, 400, and 410: 1, 3, and 5"; "VVX 500 and 600: 1, 3, and 5"';
const S000_SP1357 = 'seed 000: "For SoundPoint IP 320, 321, 330. 331, 335, 430, and 450 press and hold the 1, 3, 5, and 7"';
const S001_SP1357 = 'seed 001: "SoundPoint IP 321, 331, 335, 450, SoundStation 5000 , 7000 and SoundStation Duo: 1, 3, 5, and 7"';
const S002_SP1357 = 'seed 002: "SoundPoint IP 321, 331, 335, 450, SoundStation 5000 , 7000 and SoundStation Duo: 1, 3, 5, and 7"';
const S003_1357 = 'seed 003: "SoundPoint IP 335 and 560: 1, 3, 5, and 7"; "SoundStation 5000 and 7000: 1, 3, 5, and 7"';
const S000_HARD_335 = 'seed 000: "Sound Point IP 335: press and hold 1 3 5 7"';
const S000_HARD_CONF = 'seed 000: "Conference Phone IP5000, 6000, 7000: press and hold 1 3 5 7"';
const S000_SP468 = 'seed 000: "For SoundPoint IP 301, 501, 550, 600, 601, and 650 press and hold the 4, 6, 8, *"';
const S000_HARD_5XX = 'seed 000: "Sound Point IP series (IP550,560,570, etc): press and hold 4 6 8*"';
const S001_468 = 'seed 001: "SoundPoint IP 550, 560, and 650, and VVX 1500: 4, 6, 8, and * dial pad keys"';
const S002_468 = 'seed 002: "SoundPoint IP 550, 560, and 650, and VVX 1500: 4, 6, 8, and * dial pad keys"';
const S003_468 = 'seed 003: "SoundPoint IP 550 and 670, and VVX 1500: 4, 6, 8, and * dial pad keys"';
const S000_SS68 = 'seed 000: "For SoundStation IP 4000, 500, and 6000: 6, 8 and * dial pad keys"';
const S001_SS68 = 'seed 001: "SoundStation IP 6000: 6, 8, and * dial pad key"';
const S002_SS68 = 'seed 002: "SoundStation IP 6000: 6, 8, and * dial pad key"';
const S003_SS68 = 'seed 003: "SoundStation 4000 and 6000: 6, 8, and * dial pad keys"';

// Seed 001, "Rebooting the Phone": "press and hold the following keys simultaneously until you hear a confirmation
// tone (for about three seconds)".
const REBOOT_VVX: ComboTruth = {
  keys: ['0', '1', '3'],
  sources: [
    'seed 001: "VVX 500, 501, VVX 600, 601, SpectraLink 8400, VVX 150, 250, 300, 301, 310, 350, 400, 401, 410, 411, 450 or Trio 8300: dial pad keys 0, 1, and dial pad keys" (cut off)',
    'https://support.xarios.com/support/solutions/articles/16000124467-polycom-reboot-default-shortcut: "Press and hold the dial pad keys 0, 1, and 3 simultaneously"',
  ],
};
const REBOOT_1500: ComboTruth = { keys: ['delete', 'volume-down', 'volume-up', 'select'], sources: ['seed 001: "VVX 1500: Delete, Volume-, Volume+, and Select"'] };
const REBOOT_SP3XX: ComboTruth = { keys: ['volume-down', 'volume-up', 'hold', 'handsfree'], sources: ['seed 001: "IP 321, 331, 335: Volume-, Volume+, Hold, and Handsfree"'] };
const REBOOT_SP5XX: ComboTruth = { keys: ['volume-down', 'volume-up', 'mute', 'messages'], sources: ['seed 001: "IP 450, 550, 560, and 650: Volume-, Volume+, Mute, and Messages"'] };
const REBOOT_6000: ComboTruth = { keys: ['*', '#', 'volume-up', 'select'], sources: ['seed 001: "IP 6000: *, #, Volume+, and Select"'] };
const REBOOT_5000: ComboTruth = { keys: ['*', '#', 'volume-down', 'volume-up'], sources: ['seed 001: "IP 5000,700 and SoundStation Duo: *, #, Volume-, and Volume+"'] };

/** Seed 001's reboot combos by model id (the "700" of "IP 5000,700" read as the SoundStation IP 7000). */
const REBOOT_COMBOS: Record<string, ComboTruth> = {
  'vvx-1500': REBOOT_1500,
  'soundpoint-ip-321': REBOOT_SP3XX,
  'soundpoint-ip-331': REBOOT_SP3XX,
  'soundpoint-ip-335': REBOOT_SP3XX,
  'soundpoint-ip-450': REBOOT_SP5XX,
  'soundpoint-ip-550': REBOOT_SP5XX,
  'soundpoint-ip-560': REBOOT_SP5XX,
  'soundpoint-ip-650': REBOOT_SP5XX,
  'soundstation-ip-6000': REBOOT_6000,
  'soundstation-ip-5000': REBOOT_5000,
  'soundstation-ip-7000': REBOOT_5000,
  'soundstation-duo': REBOOT_5000,
};

/**
 * Poly Edge E (seed 001): "Power up the phone and the Handsfree and Headset buttons should illuminate ... and once they
 * turn off press the 1, 5 and 3 Key at the same time until the below menu appears". Assumptions: the lights stay on
 * 3 to 6 s (the Poly logo showing); the window after they go off lasts 5 to 8 s, keys already down when it opens do
 * not count ("once they turn off press"), and the keys must then be held as on a VVX.
 */
export const EDGE_E_BOOT = {
  ledsOnMs: { min: 3_000, max: 6_000 } satisfies Range,
  windowMs: { min: 5_000, max: 8_000 } satisfies Range,
  leds: ['handsfree', 'headset'],
  // Assumption: the Edge E line runs UC Software 8.
  software: '8.0.1',
};
const S001_EDGE_E = 'seed 001: "Poly Edge E Series: ... once they turn off press the 1, 5 and 3 Key at the same time until the below menu appears ... enter the known phone password or the MAC address in lower case"';

function vvx(id: string, name: string, family: Family, sources: string[]): ModelTruth {
  // Every VVX-platform phone of seed 001's reboot list takes 0, 1, 3; the xarios page gives it for Polycom VVX phones
  // in general, which covers the VVX 311 too.
  return { id, name, family, platform: 'vvx', combos: [{ keys: C135, sources }], countdownMs: COUNTDOWN_VVX, rebootCombo: REBOOT_VVX };
}

function edgeE(n: string): ModelTruth {
  // Edge E runs the VVX family's software: its password prompt and reset are a VVX's (seed 001: "as explained above").
  return { id: `edge-${n.toLowerCase()}`, name: `Poly Edge ${n}`, family: 'edge', platform: 'vvx', combos: [{ keys: C135, sources: [S001_EDGE_E] }], countdownMs: COUNTDOWN_VVX, window: 'edge-leds', software: EDGE_E_BOOT.software };
}

function sp(id: string, name: string, family: Family, combos: ComboTruth[]): ModelTruth {
  return { id, name, family, platform: 'soundpoint', combos, countdownMs: COUNTDOWN_SOUNDPOINT };
}

const VVX_ALL = [S001_VVX, S000_VVX];
const VVX_WIDE = [S001_VVX, S000_VVX, S002_VVX, S003_VVX];

const MODEL_LIST: ModelTruth[] = [
  vvx('vvx-150', 'VVX 150', 'vvx', VVX_ALL),
  vvx('vvx-250', 'VVX 250', 'vvx', VVX_ALL),
  vvx('vvx-300', 'VVX 300', 'vvx', VVX_WIDE),
  vvx('vvx-301', 'VVX 301', 'vvx', VVX_ALL),
  vvx('vvx-310', 'VVX 310', 'vvx', VVX_WIDE),
  vvx('vvx-311', 'VVX 311', 'vvx', [S000_VVX]),
  vvx('vvx-350', 'VVX 350', 'vvx', VVX_ALL),
  vvx('vvx-400', 'VVX 400', 'vvx', VVX_WIDE),
  vvx('vvx-401', 'VVX 401', 'vvx', VVX_ALL),
  vvx('vvx-410', 'VVX 410', 'vvx', VVX_WIDE),
  vvx('vvx-411', 'VVX 411', 'vvx', VVX_ALL),
  vvx('vvx-450', 'VVX 450', 'vvx', VVX_ALL),
  vvx('vvx-500', 'VVX 500', 'vvx', VVX_WIDE),
  vvx('vvx-501', 'VVX 501', 'vvx', VVX_ALL),
  vvx('vvx-600', 'VVX 600', 'vvx', VVX_WIDE),
  vvx('vvx-601', 'VVX 601', 'vvx', VVX_ALL),
  vvx('spectralink-8400', 'SpectraLink 8400', 'spectralink', [S001_VVX, S002_VVX]),
  vvx('trio-8300', 'Trio 8300', 'trio', [S001_VVX]),
  {
    id: 'vvx-1500',
    name: 'VVX 1500',
    family: 'vvx',
    platform: 'vvx',
    combos: [{ keys: C468S, sources: [S001_468, S002_468, S003_468] }],
    countdownMs: COUNTDOWN_VVX,
  },
  ...['E100', 'E220', 'E300', 'E320', 'E350', 'E400', 'E450', 'E500', 'E550'].map(edgeE),
  // SoundPoint IP, 1 3 5 7.
  sp('soundpoint-ip-320', 'SoundPoint IP 320', 'soundpoint-ip', [{ keys: C1357, sources: [S000_SP1357] }]),
  sp('soundpoint-ip-321', 'SoundPoint IP 321', 'soundpoint-ip', [{ keys: C1357, sources: [S000_SP1357, S001_SP1357, S002_SP1357] }]),
  sp('soundpoint-ip-330', 'SoundPoint IP 330', 'soundpoint-ip', [{ keys: C1357, sources: [S000_SP1357] }]),
  sp('soundpoint-ip-331', 'SoundPoint IP 331', 'soundpoint-ip', [{ keys: C1357, sources: [S000_SP1357, S001_SP1357, S002_SP1357] }]),
  sp('soundpoint-ip-335', 'SoundPoint IP 335', 'soundpoint-ip', [
    { keys: C1357, sources: [S000_SP1357, S000_HARD_335, S001_SP1357, S002_SP1357, S003_1357] },
  ]),
  sp('soundpoint-ip-430', 'SoundPoint IP 430', 'soundpoint-ip', [{ keys: C1357, sources: [S000_SP1357] }]),
  sp('soundpoint-ip-450', 'SoundPoint IP 450', 'soundpoint-ip', [{ keys: C1357, sources: [S000_SP1357, S001_SP1357, S002_SP1357] }]),
  // SoundPoint IP, 4 6 8 *.
  sp('soundpoint-ip-301', 'SoundPoint IP 301', 'soundpoint-ip', [{ keys: C468S, sources: [S000_SP468] }]),
  sp('soundpoint-ip-501', 'SoundPoint IP 501', 'soundpoint-ip', [{ keys: C468S, sources: [S000_SP468] }]),
  sp('soundpoint-ip-550', 'SoundPoint IP 550', 'soundpoint-ip', [
    { keys: C468S, sources: [S000_SP468, S000_HARD_5XX, S001_468, S002_468, S003_468] },
  ]),
  sp('soundpoint-ip-600', 'SoundPoint IP 600', 'soundpoint-ip', [{ keys: C468S, sources: [S000_SP468] }]),
  sp('soundpoint-ip-601', 'SoundPoint IP 601', 'soundpoint-ip', [{ keys: C468S, sources: [S000_SP468] }]),
  sp('soundpoint-ip-650', 'SoundPoint IP 650', 'soundpoint-ip', [{ keys: C468S, sources: [S000_SP468, S001_468, S002_468] }]),
  sp('soundpoint-ip-670', 'SoundPoint IP 670', 'soundpoint-ip', [{ keys: C468S, sources: [S003_468] }]),
  sp('soundpoint-ip-570', 'SoundPoint IP 570', 'soundpoint-ip', [{ keys: C468S, sources: [S000_HARD_5XX] }]),
  // The seeds disagree on the IP 560.
  sp('soundpoint-ip-560', 'SoundPoint IP 560', 'soundpoint-ip', [
    { keys: C468S, sources: [S000_HARD_5XX, S001_468, S002_468] },
    { keys: C1357, sources: [S003_1357] },
  ]),
  // SoundStation IP.
  sp('soundstation-ip-4000', 'SoundStation IP 4000', 'soundstation-ip', [{ keys: C68S, sources: [S000_SS68, S003_SS68] }]),
  sp('soundstation-ip-5000', 'SoundStation IP 5000', 'soundstation-ip', [
    { keys: C1357, sources: [S001_SP1357, S002_SP1357, S003_1357, S000_HARD_CONF] },
    // Seed 000's "SoundStation IP 4000, 500, and 6000" read as 5000: a weak reading, kept so both are exercised.
    { keys: C68S, sources: [S000_SS68] },
  ]),
  sp('soundstation-ip-6000', 'SoundStation IP 6000', 'soundstation-ip', [
    { keys: C68S, sources: [S000_SS68, S001_SS68, S002_SS68, S003_SS68] },
    { keys: C1357, sources: [S000_HARD_CONF] },
  ]),
  sp('soundstation-ip-7000', 'SoundStation IP 7000', 'soundstation-ip', [
    { keys: C1357, sources: [S001_SP1357, S002_SP1357, S003_1357, S000_HARD_CONF] },
  ]),
  sp('soundstation-duo', 'SoundStation Duo', 'soundstation-ip', [{ keys: C1357, sources: [S001_SP1357, S002_SP1357] }]),
];

export const SIM_MODELS: ReadonlyMap<string, ModelTruth> = new Map(
  MODEL_LIST.map((m) => [m.id, REBOOT_COMBOS[m.id] && !m.rebootCombo ? { ...m, rebootCombo: REBOOT_COMBOS[m.id] } : m]),
);

/** The ids the simulator knows. */
export function simModelIds(): string[] {
  return [...SIM_MODELS.keys()];
}

/** A model's truth merged with its platform's; a ConfigError naming the nearest ids when the id is unknown. */
export function simPhoneSpec(modelId: string): SimPhoneSpec {
  const model = SIM_MODELS.get(modelId);
  if (!model) {
    throw new ConfigError(
      'unknown-model',
      `the simulator has no phone model '${modelId}'`,
      `use one of its model ids (nearest: ${nearest(modelId, SIM_MODELS.keys()).join(', ')})`,
    );
  }
  return { ...PLATFORMS[model.platform], ...model };
}
