import type { Key } from '../bench/keys.js';
import type { ComboOption, MenuResetChoice, MenuResetProcedure, ProcedureStep, Sign, StepProcedure } from './types.js';

/*
 * The step procedures, as data: each step is one of the building blocks of catalog/types.ts ProcedureStep, and cites
 * the sentence of its source it follows. Waits that a source does not give are marked "assumption"; every deadline is
 * the longest the controller waits with an observer (a camera), every `blindMs` what a bench without one waits
 * instead (it cannot see the sign, so its runs end `unverified`).
 *
 * Sources:
 *   seed 001: Poly community FAQ "How can I reset / Factory default my Phones configuration?" and its replies
 *   seed 003: "Reusing Polycom Phones with 8x8"
 *   NOCTEL: https://noctel.com/help/plugins/viewsource/viewpagesrc.action?pageId=31064130 ("Other Trio Devices (8500 &
 *           8800)"), the public text of the restore seed 001 shows only as a picture (TrioReset.png).
 *   XARIOS: https://support.xarios.com/support/solutions/articles/16000124467-polycom-reboot-default-shortcut
 */

export const NOCTEL_TRIO =
  'https://noctel.com/help/plugins/viewsource/viewpagesrc.action?pageId=31064130: "Other Trio Devices (8500 & 8800) ... 1. Power on the system. 2. When the Poly logo shows on the screen, press and hold the four corners of the LCD screen. 3. Let go when the Mute keys begin flashing."';
export const XARIOS_REBOOT =
  'https://support.xarios.com/support/solutions/articles/16000124467-polycom-reboot-default-shortcut: "Press and hold the dial pad keys 0, 1, and 3 simultaneously for about three seconds, or until you hear a confirmation tone."';

export const CORNERS: Key[] = ['corner-tl', 'corner-tr', 'corner-bl', 'corner-br'];

/** The signs the step procedures look for. A logo is what a camera reports as the line `[Poly logo]`. */
export const SIGNS = {
  ready: { what: 'the idle screen', meaning: 'idle' },
  dark: { what: 'the screen goes dark (the unit restarts)', lit: false },
  blank: { what: 'the screen goes blank', lit: false },
  lit: { what: 'the screen lights up', lit: true },
  blankLit: { what: 'the screen lights up before the Poly logo', blank: true },
  logo: { what: 'the Poly logo', screen: '^\\[poly logo\\]$' },
  mwiBlink: { what: 'the MWI LED blinks', leds: { mwi: '^blink$' } },
  mwiRed: { what: 'the MWI LED is red', leds: { mwi: '^red$' } },
  muteFlash: { what: 'the Mute keys flash', leds: { mute: '^flash$' } },
  factoryMode: { what: '"Factory mode initiated"', screen: 'factory mode initiated' },
  erasing: { what: 'the Android "erasing" screen', screen: 'erasing' },
  statusOff: { what: 'the status LED goes off (the base restarts)', leds: { status: '^off$' } },
  statusOn: { what: 'the status LED is on again', leds: { status: '^on$' } },
} satisfies Record<string, Sign>;

/** The usual end of a reset that reboots the unit by itself: it goes dark, then comes back to its idle screen. */
const RESTART_TO_IDLE: Sign[] = [SIGNS.dark, SIGNS.ready];

/** Poly Edge B (seed 001, "Factory Reset / Factory Default a Poly Edge B phone"). */
export function edgeBProcedure(): StepProcedure {
  const keys = ['back', 'home'];
  const S = 'seed 001 (Edge B): "While connecting power to the phone, press and hold the back and home keys until the MWI LED starts to blink, then let go."';
  return {
    kind: 'power-on-hold',
    resets: 'factory',
    steps: [
      { do: 'power-off', why: 'seed 001 (Edge B): "Power off the phone"' },
      { do: 'hold', keys, why: S },
      { do: 'power-on', why: S },
      // The keys stay held while waiting: the deadline stays below the reference board's 20 s hold limit.
      { do: 'wait-for', sign: SIGNS.mwiBlink, deadlineMs: 15_000, blindMs: 12_000, failCode: 'no-mwi-blink', why: S },
      { do: 'release', keys, why: S },
      // Assumption: the reset reboots the phone to its idle screen within a few minutes, as the VVX family does.
      { do: 'confirm', signs: RESTART_TO_IDLE, deadlineMs: 5 * 60_000, why: 'assumption: the phone restarts to its idle screen' },
    ],
  };
}

/**
 * Power on, wait for the window, hold the four corners until the Mute keys flash, let go: the Trio C60 (seed 001) and
 * the Trio 8800/8500 (NocTel) differ only in the sign that opens the window and in their sources' words.
 */
function cornerHold(window: { sign: Sign; blindMs: number; failCode: string }, words: { powerOn: string; window: string; hold: string; letGo: string }): StepProcedure {
  return {
    kind: 'touch-hold',
    resets: 'factory',
    steps: [
      { do: 'power-cycle', why: words.powerOn },
      { do: 'wait-for', sign: window.sign, deadlineMs: 60_000, blindMs: window.blindMs, failCode: window.failCode, why: words.window },
      { do: 'hold', keys: CORNERS, why: words.hold },
      // The corners stay held while waiting: the deadline stays below the reference board's 20 s hold limit.
      { do: 'wait-for', sign: SIGNS.muteFlash, deadlineMs: 15_000, blindMs: 12_000, failCode: 'no-mute-flash', why: words.letGo },
      { do: 'release', keys: CORNERS, why: words.letGo },
      { do: 'confirm', signs: RESTART_TO_IDLE, deadlineMs: 10 * 60_000, why: 'assumption: the system restarts to its idle screen' },
    ],
  };
}

/** Poly Trio C60 (seed 001, "Factory restores Poly Trio C60"). */
export function trioC60Procedure(): StepProcedure {
  return cornerHold(
    // Blind: a guess at when the screen lights (tune per bench).
    { sign: SIGNS.blankLit, blindMs: 2_600, failCode: 'no-screen-light' },
    {
      powerOn: 'seed 001 (Trio C60): "1. Power on the system."',
      window: 'seed 001 (Trio C60): "When the Screen lights up before the Poly logo shows on the screen"',
      hold: 'seed 001 (Trio C60): "press and hold the four corners of the LCD screen"',
      letGo: 'seed 001 (Trio C60): "Let go when the Mute keys begin flashing in different colours."',
    },
  );
}

/** Poly Trio 8800 and 8500: the picture of seed 001, in NocTel's words. */
export function trio8800Procedure(): StepProcedure {
  return cornerHold(
    { sign: SIGNS.logo, blindMs: 4_000, failCode: 'no-logo' },
    {
      powerOn: `${NOCTEL_TRIO} (step 1)`,
      window: 'NocTel: "When the Poly logo shows on the screen"',
      hold: 'NocTel: "press and hold the four corners of the LCD screen"',
      letGo: 'NocTel: "Let go when the Mute keys begin flashing."',
    },
  );
}

/** CCX 500, 600, 700 (seed 001, "For the CCX 500 & CCX 600 & CCX 700"). */
export function ccxProcedure(): StepProcedure {
  return {
    kind: 'touch-hold',
    resets: 'factory',
    steps: [
      { do: 'power-cycle', why: 'seed 001 (CCX 500/600/700): "1. Power up the CCX"' },
      {
        do: 'wait-for',
        sign: SIGNS.logo,
        nth: 2,
        deadlineMs: 90_000,
        blindMs: 8_500,
        failCode: 'no-second-logo',
        why: 'seed 001 (CCX): "2. The 1st time the logo appears and then disappears 3. Once the Logo appears the 2nd time"',
      },
      { do: 'hold', keys: CORNERS, why: 'seed 001 (CCX): "press all 4 corners of the screen for around 2 seconds"' },
      {
        do: 'wait-for',
        sign: SIGNS.factoryMode,
        deadlineMs: 6_000,
        // Blind: "around 2 seconds", with margin.
        blindMs: 3_000,
        failCode: 'no-factory-mode',
        why: 'seed 001 (CCX): "4. "Factory mode initiated" message will appear"',
      },
      { do: 'release', keys: CORNERS, why: 'seed 001 (CCX): "for around 2 seconds"' },
      {
        do: 'confirm',
        signs: RESTART_TO_IDLE,
        deadlineMs: 10 * 60_000,
        why: 'seed 001 (CCX): "5. The unit will reboot and factory reset process will commence"',
      },
    ],
  };
}

/** CCX 400 (seed 001, "Factory Reset / Factory Default a CCX400"). */
export function ccx400Procedure(): StepProcedure {
  return {
    kind: 'touch-hold',
    resets: 'factory',
    steps: [
      { do: 'power-cycle', why: 'seed 001 (CCX400): "Power up the CCX400"' },
      {
        do: 'wait-for',
        sign: SIGNS.logo,
        deadlineMs: 60_000,
        blindMs: 3_000,
        failCode: 'no-logo',
        why: 'seed 001 (CCX400): "and wait until the Poly Logo appears"',
      },
      { do: 'press', keys: CORNERS, ms: 1_500, why: 'seed 001 (CCX400): "Hold 4 fingers for 1-2 seconds and then let go"' },
      {
        do: 'wait-for',
        sign: SIGNS.mwiRed,
        deadlineMs: 10_000,
        blindMs: 2_000,
        failCode: 'no-mwi-red',
        why: 'seed 001 (CCX400): "Once the MWI LED becomes Red"',
      },
      { do: 'hold', keys: CORNERS, why: 'seed 001 (CCX400): "hold 4 fingers again until the screen goes blank"' },
      {
        do: 'wait-for',
        sign: SIGNS.blank,
        deadlineMs: 18_000,
        blindMs: 12_000,
        failCode: 'no-blank',
        why: 'seed 001 (CCX400): "until the screen goes blank"',
      },
      { do: 'release', keys: CORNERS, why: 'seed 001 (CCX400): "Let go"' },
      {
        do: 'confirm',
        signs: [SIGNS.logo, SIGNS.erasing, SIGNS.ready],
        deadlineMs: 10 * 60_000,
        why: 'seed 001 (CCX400): "Let go and a Poly Logo will appear. After this the Android "erasing" screen will show and the unit is reset"',
      },
    ],
  };
}

/** A button held for a while on a running unit: the Rove base, the VVX D60/D230 base. */
function longPress(key: Key, ms: number, why: string): StepProcedure {
  return {
    kind: 'long-press',
    resets: 'factory',
    steps: [
      { do: 'power-on', why: 'the base must be running (on a fixture without relay it is on its own supply)' },
      // Assumption: the base shows it runs by its status LED; blind, its boot is given half a minute.
      { do: 'wait-for', sign: SIGNS.statusOn, deadlineMs: 60_000, blindMs: 30_000, failCode: 'not-running', why: 'the base must be running' },
      { do: 'press', keys: [key], ms, why },
      // Assumption: the base restarts (its status LED goes off, then on) once the reset takes.
      { do: 'confirm', signs: [SIGNS.statusOff, SIGNS.statusOn], deadlineMs: 2 * 60_000, why: 'assumption: the base restarts' },
    ],
  };
}

/** Poly Rove base station: "at least 20 seconds", held 22 s (10% margin). Needs a board whose hold limit allows it. */
export function roveProcedure(): StepProcedure {
  return longPress(
    'pair',
    22_000,
    'seed 001 (Rove): "A Poly Rove Base Station can be factory defaulted via pressing the Pair Button on the top for at least 20 seconds." (held 22 s: 10% margin)',
  );
}

/** VVX D60 / D230 base station: the pinhole "long press for 7 sec", held 8 s. */
export function dectBaseProcedure(): StepProcedure {
  return longPress(
    'pinhole-reset',
    8_000,
    'seed 001 (VVX D60 / VVX D230 Base Station): "there is a reset button beside the power socket, use pin/paper clip to long press for 7 sec." (held 8 s: margin)',
  );
}

/** Poly Trio VisualPro (seed 001, "Factory restore a Poly VisualPro"). */
export function visualProProcedure(): StepProcedure {
  return {
    kind: 'long-press',
    resets: 'factory',
    steps: [
      { do: 'power-off', why: 'seed 001 (VisualPro): "1. Power off the system."' },
      // Assumption: with power back, the system waits in standby for its power button.
      { do: 'power-on', why: 'assumption: power restored, the system waits in standby for its power button' },
      { do: 'hold', keys: ['restore'], why: 'seed 001 (VisualPro): "3. Using the paper clip, press and hold the restore button."' },
      { do: 'press', keys: ['power'], ms: 300, why: 'seed 001 (VisualPro): "4. While continuing to hold the restore button, press the power button once."' },
      { do: 'wait', ms: 11_000, why: 'seed 001 (VisualPro): "5. Keep holding the restore button for 10 more seconds" (11 s: margin)' },
      { do: 'release', keys: ['restore'], why: 'seed 001 (VisualPro): "then release it."' },
      {
        do: 'confirm',
        signs: [{ what: 'the factory restore screen', screen: 'factory restore' }, SIGNS.dark, { what: 'the setup wizard of a fresh system', screen: '^\\s*welcome' }],
        deadlineMs: 10 * 60_000,
        why: 'assumption: the monitor shows the restore, the system restarts into its first-run setup',
      },
    ],
  };
}

/**
 * The reboot by key combo (seed 001 "Rebooting the Phone": "press and hold the following keys simultaneously until you
 * hear a confirmation tone (for about three seconds)"): with the application running, hold the combo until the screen
 * goes dark, release, and see the phone come back.
 */
export function rebootProcedure(combo: ComboOption): StepProcedure {
  const why = `${combo.sources[0] ?? 'seed 001'}; seed 001: "until you hear a confirmation tone (for about three seconds)"`;
  return {
    kind: 'reboot',
    resets: 'reboot',
    steps: [
      { do: 'power-on', why: 'the phone must be running (on a fixture without relay it is on its own supply)' },
      { do: 'wait-for', sign: SIGNS.ready, deadlineMs: 4 * 60_000, blindMs: 75_000, failCode: 'not-running', why: 'the combo works while the application runs' },
      ...rebootSteps(combo.keys, why),
      { do: 'confirm', signs: [SIGNS.ready], deadlineMs: 3 * 60_000, why: 'the phone boots back to its idle screen' },
    ],
  };
}

/**
 * How long a reboot combo is held: until the screen goes dark, at most `deadlineMs`; blind, `blindMs` (seed 001: "for
 * about three seconds", with margin).
 */
export const REBOOT_HOLD = { deadlineMs: 8_000, blindMs: 4_000 } as const;

/**
 * Longest wait for the screen to answer a key in a menu (the highlight moves, the next screen opens). The phone
 * answers at once; a camera shows it some frames later (frame interval, latency, two frames that must agree, a
 * dropped or misread frame): an assumption with a margin over the ~1 s a 4 frames/s camera takes.
 */
export const MENU_ANSWER_MS = 5_000;

function rebootSteps(keys: Key[], why: string): ProcedureStep[] {
  return [
    { do: 'hold', keys, why },
    { do: 'wait-for', sign: SIGNS.dark, deadlineMs: REBOOT_HOLD.deadlineMs, blindMs: REBOOT_HOLD.blindMs, failCode: 'no-reboot', why },
    { do: 'release', keys, why },
  ];
}

/*
 * The admin menu (seed 001 "Option 2 via the Phone GUI": Menu, Settings, Advanced (password), Admin Settings, Reset to
 * Defaults; seed 003 "Reset Phone to Factory Defaults": Menu, Settings, Advanced, password and the Enter softkey,
 * Admin Settings, Reboot Phone). Items are selected by their label, so the menu reset needs an observer: a blind bench
 * would select by position, and a menu without "Reset to Factory" (before UC Software 4.0.0) would shift the positions
 * onto another reset.
 */
const S001_MENU = 'seed 001: "Option 2 via the Phone GUI: ... Press the Menu Key ... Select Settings ... Select Advanced (Password 456) ... Select Admin Settings ... Select Reset to Defaults"';
const S003_MENU = 'seed 003: "1. Press the Menu key. 2. Select the Settings option. 3. Select the Advanced option. 4. Enter the password 456 and press the Enter softkey. 5. Select Admin Settings. 6. Select Reboot Phone."';

const TO_ADMIN_SETTINGS: ProcedureStep[] = [
  { do: 'power-cycle', why: 'start from a known screen: the phone boots to its idle screen' },
  { do: 'wait-for', sign: SIGNS.ready, deadlineMs: 4 * 60_000, blindMs: 75_000, failCode: 'not-running', why: 'the menus work while the application runs' },
  { do: 'press', keys: ['menu'], why: S003_MENU },
  { do: 'menu', item: 'Settings', why: S003_MENU },
  { do: 'menu', item: 'Advanced', why: S001_MENU },
  {
    do: 'wait-for',
    sign: { what: 'the password prompt', screen: '^\\s*enter password' },
    deadlineMs: 10_000,
    blindMs: 1_000,
    failCode: 'no-password-prompt',
    why: S003_MENU,
  },
  { do: 'type-admin-password', why: S003_MENU },
  { do: 'softkey', label: '^\\s*enter\\s*$', key: 'softkey1', why: 'seed 003: "press the Enter softkey"' },
  {
    do: 'wait-for',
    // The Advanced menu offers Admin Settings: no other screen on the way does.
    sign: { what: 'the Advanced menu (the password was accepted)', screen: '^\\W*admin settings\\s*$' },
    deadlineMs: 10_000,
    blindMs: 1_500,
    failCode: 'admin-password-rejected',
    failReason: 'the phone did not accept the admin password (check --admin-password)',
    why: S001_MENU,
  },
  { do: 'menu', item: 'Admin Settings', why: S001_MENU },
];

const CONFIRM_YES: ProcedureStep = { do: 'softkey', label: '^\\s*yes\\s*$', key: 'softkey1', why: 'assumption: the phone asks to confirm' };

const RESET_ITEMS: Record<Exclude<MenuResetChoice, 'reboot'>, { label: string; source: string }> = {
  local: {
    label: 'Reset Local Configuration',
    source: 'seed 001: "Reset Local Configuration: To clear the Phones Configuration that has been changed using the Phones GUI."',
  },
  web: {
    label: 'Reset Web Configuration',
    source: 'seed 001: "Reset Web Configuration: To clear the Phones Configuration that has been changed using the Phones Web Interface."',
  },
  device: {
    label: 'Reset Device Settings',
    source: 'seed 001: "Reset Device Settings: The above specifically deletes all changes from the Device Setting as an example CDP/LLDP or VLAN"',
  },
  format: {
    label: 'Format File System',
    source: 'seed 001: "Format File System: To clear the phones\' memory and will require to download the Phones Software from a Provisioning Server."',
  },
  factory: {
    label: 'Reset to Factory',
    source: 'seed 001: "Reset to Factory (Only UC Software 4.0.0 or later!) Above clears the flash parameters and removes log files, user data, and cached data."',
  },
};

/** The menu reset, one step list per choice. */
export function menuResetProcedure(): MenuResetProcedure {
  const choices: MenuResetProcedure['choices'] = {};
  for (const [choice, item] of Object.entries(RESET_ITEMS) as [Exclude<MenuResetChoice, 'reboot'>, (typeof RESET_ITEMS)['local']][]) {
    const end: Sign[] =
      choice === 'factory'
        ? // As the combo's reset: "Configuration Reset", a reboot, then "a second automatic reboot" (seed 002).
          [{ what: '"Configuration Reset"', meaning: 'reset-done' }, SIGNS.dark, SIGNS.ready, SIGNS.dark, SIGNS.ready]
        : choice === 'format'
          ? // The software is gone: the Updater waits for a provisioning server.
            [SIGNS.dark, { what: 'the Updater finds no application', screen: 'application not found' }]
          : RESTART_TO_IDLE;
    choices[choice] = {
      label: item.label,
      resets: ({ local: 'local-config', web: 'web-config', device: 'device-settings', format: 'file-system', factory: 'factory' } as const)[choice],
      sources: [S001_MENU, item.source],
      steps: [
        ...TO_ADMIN_SETTINGS,
        { do: 'menu', item: 'Reset to Defaults', why: S001_MENU },
        { do: 'menu', item: item.label, why: item.source },
        CONFIRM_YES,
        { do: 'confirm', signs: end, deadlineMs: 8 * 60_000, why: item.source },
      ],
    };
  }
  choices.reboot = {
    label: 'Reboot Phone',
    resets: 'reboot',
    sources: [S003_MENU],
    steps: [
      ...TO_ADMIN_SETTINGS,
      { do: 'menu', item: 'Reboot Phone', why: S003_MENU },
      CONFIRM_YES,
      { do: 'confirm', signs: RESTART_TO_IDLE, deadlineMs: 4 * 60_000, why: S003_MENU },
    ],
  };
  return { kind: 'menu-reset', choices };
}

/** seed 001: "Since UCS 3.3.0 and the introduction of the Updater the starting of the Application has to be canceled". */
export const UPDATER_SINCE = '3.3.0';
/** seed 001: "NOTE: Before UC Software 4.0.0, this multiple key combinations performed a device reset only". */
export const FACTORY_RESET_SINCE = '4.0.0';

/** Whether version `v` (`x.y.z`, more or fewer parts) comes before `than`. */
export function softwareBefore(v: string, than: string): boolean {
  const a = v.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
