import { getTextEntryProfile } from '../text-entry/profiles.js';
import {
  NOCTEL_TRIO,
  ccx400Procedure,
  ccxProcedure,
  dectBaseProcedure,
  edgeBProcedure,
  menuResetProcedure,
  roveProcedure,
  trio8800Procedure,
  trioC60Procedure,
  visualProProcedure,
  XARIOS_REBOOT,
} from './procedures.js';
import { POLYCOM_SCREENS, TIMING_PROFILES } from './profiles.js';
import type { ComboOption, Family, PhoneModel, Procedure } from './types.js';

/*
 * Every phone model of the seeds, as data. Each combo and each model cites the seed lines it comes from:
 *   seed 000: a refurbisher's how-to ("Factory Reset" and "How to Perform a Hard Reset")
 *   seed 001: Poly community FAQ "How can I reset / Factory default my Phones configuration?"
 *   seed 002: "Resetting to Factory Default & Provisioning" (a provider's guide)
 *   seed 003: "Reusing Polycom Phones with 8x8", Appendix A
 * Where the seeds disagree on a model's combo, the model lists every seed-backed combo: the machine tries them in
 * order on successive attempts when the countdown passes without a password prompt.
 */

const C135: ComboOption = {
  keys: ['1', '3', '5'],
  sources: [
    'seed 001: "VVX 500, 501, VVX 600, 601, SpectraLink 8400, VVX 150, 250, 300, 301, 310, 350, 400, 401, 410, 411, 450 or Trio 8300: 1, 3, and 5 dial pad keys"',
    'seed 000: "For VVX-Series phones press and hold the dial pad keys 1, 3, 5 simultaneously"',
    'seed 002: "VVX 300, 310, 400, 410, VVX 500, VVX600 and SpectraLink 8400 Series: 1, 3, and 5 dial pad keys"',
    'seed 003: "VVX 300, 310, 400, and 410: 1, 3, and 5 dial pad keys"; "VVX 500 and 600: 1, 3, and 5"',
  ],
};
const C1357: ComboOption = {
  keys: ['1', '3', '5', '7'],
  sources: [
    'seed 001: "SoundPoint IP 321, 331, 335, 450, SoundStation 5000, 7000 and SoundStation Duo: 1, 3, 5, and 7 dial pad keys"',
    'seed 000: "For SoundPoint IP 320, 321, 330. 331, 335, 430, and 450 press and hold the 1, 3, 5, and 7"',
  ],
};
const C468S: ComboOption = {
  keys: ['4', '6', '8', '*'],
  sources: [
    'seed 001: "SoundPoint IP 550, 560, and 650, and VVX 1500: 4, 6, 8, and * dial pad keys"',
    'seed 000: "For SoundPoint IP 301, 501, 550, 600, 601, and 650 press and hold the 4, 6, 8, *"',
    'seed 003: "SoundPoint IP 550 and 670, and VVX 1500: 4, 6, 8, and * dial pad keys"',
  ],
};
const C68S: ComboOption = {
  keys: ['6', '8', '*'],
  sources: [
    'seed 001: "SoundStation IP 6000: 6, 8, and * dial pad key"',
    'seed 000: "For SoundStation IP 4000, 500, and 6000: 6, 8 and * dial pad keys"',
    'seed 003: "SoundStation 4000 and 6000: 6, 8, and * dial pad keys"',
  ],
};

interface Spec {
  id: string;
  name: string;
  family: Family;
  combos: ComboOption[];
  aliases?: string[];
  reboot?: ComboOption;
  sources: string[];
  notes?: string[];
}

const VVX_REBOOT: ComboOption = {
  keys: ['0', '1', '3'],
  sources: [
    'seed 001: "VVX 500, 501, VVX 600, 601, SpectraLink 8400, VVX 150, 250, 300, 301, 310, 350, 400, 401, 410, 411, 450 or Trio 8300: dial pad keys 0, 1, and dial pad keys" (the third key is cut off in the seed)',
    XARIOS_REBOOT,
  ],
};

const vvx = (n: string, extra: Partial<Spec> = {}): Spec => ({
  id: `vvx-${n}`,
  name: `VVX ${n}`,
  family: 'vvx',
  combos: [C135],
  reboot: VVX_REBOOT,
  sources: [`seed 001: VVX ${n} in "Resetting to Factory Defaults of previous older Phones"`],
  ...extra,
});

const sp = (n: string, combos: ComboOption[], sources: string[], extra: Partial<Spec> = {}): Spec => ({
  id: `soundpoint-ip-${n}`,
  name: `SoundPoint IP ${n}`,
  family: 'soundpoint-ip',
  combos,
  sources,
  ...extra,
});

const ss = (n: string, combos: ComboOption[], sources: string[], extra: Partial<Spec> = {}): Spec => ({
  id: `soundstation-ip-${n}`,
  name: `SoundStation IP ${n}`,
  family: 'soundstation-ip',
  combos,
  sources,
  ...extra,
});

const NEW_HW_NOTE =
  "Units on the new hardware of UC Software 6.4.3 and later (EA210826) use a changed combo that seed 001 does not give; this entry is for the older hardware (the new one is 'VVX 250 (new hardware)' and so on, which the catalog refuses).";

const SPECS: Spec[] = [
  ...['150', '300', '301', '310', '311', '400', '401', '410', '411', '500', '501', '600', '601'].map((n) => vvx(n)),
  ...['250', '350', '450'].map((n) => vvx(n, { notes: [NEW_HW_NOTE] })),
  {
    id: 'vvx-1500',
    name: 'VVX 1500',
    family: 'vvx',
    combos: [C468S],
    reboot: {
      keys: ['delete', 'volume-down', 'volume-up', 'select'],
      sources: ['seed 001: "VVX 1500: Delete, Volume-, Volume+, and Select"'],
    },
    sources: ['seed 001, 002, 003: VVX 1500 with 4, 6, 8, and *'],
  },
  {
    id: 'spectralink-8400',
    name: 'SpectraLink 8400',
    family: 'spectralink',
    combos: [C135],
    aliases: ['SpectraLink 8400 Series', 'SpectraLink 8440', 'SpectraLink 8450', 'SpectraLink 8452'],
    reboot: VVX_REBOOT,
    sources: ['seed 001 and seed 002 ("SpectraLink 8400 Series"): 1, 3, and 5'],
  },
  {
    id: 'trio-8300',
    name: 'Trio 8300',
    family: 'trio',
    combos: [C135],
    reboot: VVX_REBOOT,
    sources: ['seed 001: "... or Trio 8300: 1, 3, and 5 dial pad keys"'],
  },
  ...['320', '330', '430'].map((n) =>
    sp(n, [C1357], [`seed 000: "For SoundPoint IP 320, 321, 330. 331, 335, 430, and 450 press and hold the 1, 3, 5, and 7"`]),
  ),
  ...['321', '331', '335'].map((n) =>
    sp(n, [C1357], [`seed 000 and seed 001: SoundPoint IP ${n} with 1, 3, 5, and 7`], {
      reboot: {
        keys: ['volume-down', 'volume-up', 'hold', 'handsfree'],
        sources: ['seed 001: "IP 321, 331, 335: Volume-, Volume+, Hold, and Handsfree"'],
      },
    }),
  ),
  sp('450', [C1357], ['seed 000 and seed 001: SoundPoint IP 450 with 1, 3, 5, and 7'], {
    reboot: {
      keys: ['volume-down', 'volume-up', 'mute', 'messages'],
      sources: ['seed 001: "IP 450, 550, 560, and 650: Volume-, Volume+, Mute, and Messages"'],
    },
  }),
  ...['301', '501', '600', '601'].map((n) =>
    sp(n, [C468S], [`seed 000: "For SoundPoint IP 301, 501, 550, 600, 601, and 650 press and hold the 4, 6, 8, *"`]),
  ),
  ...['550', '650'].map((n) =>
    sp(n, [C468S], [`seed 000, seed 001 and seed 002: SoundPoint IP ${n} with 4, 6, 8, and *`], {
      reboot: {
        keys: ['volume-down', 'volume-up', 'mute', 'messages'],
        sources: ['seed 001: "IP 450, 550, 560, and 650: Volume-, Volume+, Mute, and Messages"'],
      },
    }),
  ),
  sp('670', [C468S], ['seed 003: "SoundPoint IP 550 and 670, and VVX 1500: 4, 6, 8, and * dial pad keys"']),
  sp('570', [C468S], ['seed 000: "Sound Point IP series (IP550,560,570, etc): press and hold 4 6 8* within the 7 second count down"']),
  sp(
    '560',
    [C468S, { keys: ['1', '3', '5', '7'], sources: ['seed 003: "SoundPoint IP 335 and 560: 1, 3, 5, and 7 dial pad keys"'] }],
    ['seed 001 and seed 002: "SoundPoint IP 550, 560, and 650 ...: 4, 6, 8, and *"; seed 003: "SoundPoint IP 335 and 560: 1, 3, 5, and 7"'],
    {
      notes: ['The seeds disagree on this model: 4, 6, 8, * is tried first, then 1, 3, 5, 7.'],
      reboot: {
        keys: ['volume-down', 'volume-up', 'mute', 'messages'],
        sources: ['seed 001: "IP 450, 550, 560, and 650: Volume-, Volume+, Mute, and Messages"'],
      },
    },
  ),
  ss('4000', [C68S], ['seed 000 and seed 003: SoundStation IP 4000 with 6, 8, and *']),
  ss(
    '6000',
    [C68S, { keys: ['1', '3', '5', '7'], sources: ['seed 000: "Conference Phone IP5000, 6000, 7000: press and hold 1 3 5 7"'] }],
    ['seed 000, 001, 002 and 003: SoundStation IP 6000 with 6, 8, and *; seed 000\'s hard-reset list gives 1, 3, 5, 7'],
    {
      aliases: ['Conference Phone IP 6000'],
      notes: ['The seeds disagree on this model: 6, 8, * is tried first, then 1, 3, 5, 7.'],
      reboot: { keys: ['*', '#', 'volume-up', 'select'], sources: ['seed 001: "IP 6000: *, #, Volume+, and Select"'] },
    },
  ),
  ss(
    '5000',
    [C1357, { keys: ['6', '8', '*'], sources: ['seed 000: "For SoundStation IP 4000, 500, and 6000: 6, 8 and * dial pad keys" (the "500" may mean the IP 5000)'] }],
    ['seed 001, 002, 003 and seed 000\'s hard-reset list: SoundStation (IP) 5000 with 1, 3, 5, and 7'],
    {
      aliases: ['SoundStation 5000', 'Conference Phone IP 5000', 'SoundStation IP 500'],
      notes: ['Seed 000 lists a "SoundStation IP 500" with 6, 8, *: taken to mean the IP 5000, whose 6, 8, * is tried after 1, 3, 5, 7.'],
      reboot: { keys: ['*', '#', 'volume-down', 'volume-up'], sources: ['seed 001: "IP 5000,700 and SoundStation Duo: *, #, Volume-, and Volume+"'] },
    },
  ),
  ss('7000', [C1357], ['seed 000 (hard reset), 001, 002, 003: SoundStation (IP) 7000 with 1, 3, 5, and 7'], {
    aliases: ['SoundStation 7000', 'Conference Phone IP 7000'],
    reboot: { keys: ['*', '#', 'volume-down', 'volume-up'], sources: ['seed 001: "IP 5000,700 and SoundStation Duo: *, #, Volume-, and Volume+" (the "700" read as 7000)'] },
  }),
  {
    id: 'soundstation-duo',
    name: 'SoundStation Duo',
    family: 'soundstation-ip',
    combos: [C1357],
    aliases: ['Duo', 'SoundStation IP Duo'],
    reboot: { keys: ['*', '#', 'volume-down', 'volume-up'], sources: ['seed 001: "IP 5000,700 and SoundStation Duo: *, #, Volume-, and Volume+"'] },
    sources: ['seed 001 and seed 002: SoundStation Duo with 1, 3, 5, and 7'],
  },
];

/** Seed 001 and 003's menu reset, for every phone of the Cancel-and-combo families (they share the UC Software menus). */
const MENU_RESET = menuResetProcedure();
const MENU_NOTE =
  'With the admin password known, `reset --procedure menu-reset --admin-password P --menu-reset CHOICE` resets through the menus (seeds 001, 003); it needs an observer.';

function build(spec: Spec): PhoneModel {
  const vvxLike = spec.family === 'vvx' || spec.family === 'spectralink' || spec.family === 'trio';
  return {
    id: spec.id,
    name: spec.name,
    family: spec.family,
    aliases: spec.aliases ?? [],
    procedure: {
      kind: 'cancel-combo',
      // Softkey positions are not in the seeds: a bench with a camera presses the softkey it sees labelled Cancel or
      // OK, and these are only the blind fallbacks (override them in a profiles file for your phones).
      cancelKey: vvxLike ? 'softkey1' : 'softkey3',
      okKey: 'softkey1',
      combos: spec.combos,
    },
    alternatives: [MENU_RESET],
    ...(spec.reboot ? { rebootCombo: spec.reboot } : {}),
    timing: TIMING_PROFILES[vvxLike ? 'vvx' : 'soundpoint']!,
    textEntry: getTextEntryProfile(vvxLike ? 'vvx' : 'soundpoint'),
    screens: POLYCOM_SCREENS,
    sources: spec.sources,
    notes: [...(spec.notes ?? []), MENU_NOTE],
  };
}

/*
 * The other procedures of seed 001 (and the public text of the one it shows only as a picture). These phones run
 * Poly's UC Software or PolyOS: where a field has no meaning for a unit without a keypad (a base station), it keeps the
 * VVX profile and is never used.
 */
interface OtherSpec {
  id: string;
  name: string;
  family: Family;
  aliases: string[];
  procedure: Procedure;
  timing: string;
  sources: string[];
  notes?: string[];
}

function buildOther(spec: OtherSpec): PhoneModel {
  return {
    id: spec.id,
    name: spec.name,
    family: spec.family,
    aliases: spec.aliases,
    procedure: spec.procedure,
    timing: TIMING_PROFILES[spec.timing]!,
    textEntry: getTextEntryProfile('vvx'),
    screens: POLYCOM_SCREENS,
    sources: spec.sources,
    notes: spec.notes ?? [],
  };
}

const S001_EDGE_E =
  'seed 001: "Poly Edge E Series: Power up the phone and the Handsfree and Headset buttons should illuminate (This may depend on the Edge E model) and once they turn off press the 1, 5 and 3 Key at the same time until the below menu appears ... Now either enter the known phone password or the MAC address in lower case as explained above"';
const S001_EDGE_B =
  'seed 001: "Poly Edge B phone ... Power off the phone. While connecting power to the phone, press and hold the back and home keys until the MWI LED starts to blink, then let go."';
const S001_CCX = 'seed 001: "For the CCX 500 & CCX 600 & CCX 700 ... Once the Logo appears the 2nd time press all 4 corners of the screen for around 2 seconds"';
const S001_NEW_HW =
  'seed 001: "Poly Unified Communications (UC) Software 6.4.3 A introduces support for hardware component changes to VVX 250, VVX 350, VVX 450 ... The new Hardware for VVX 250, VVX 350 and VVX 450 will not be able to run older Software ... the below-explained Multiple Key Combination Factory reset is inaccurate and has changed as outlined in this Video" (the video is not part of the seed)';

const EDGE_E_LED: Procedure = {
  kind: 'led-combo',
  leds: ['handsfree', 'headset'],
  okKey: 'softkey1',
  combos: [{ keys: ['1', '3', '5'], sources: [S001_EDGE_E] }],
};

const OTHERS: OtherSpec[] = [
  ...['E100', 'E220', 'E300', 'E320', 'E350', 'E400', 'E450', 'E500', 'E550'].map(
    (n): OtherSpec => ({
      id: `edge-${n.toLowerCase()}`,
      name: `Edge ${n}`,
      family: 'edge',
      // The seed names the series ("Poly Edge E Series"): its name runs the series' one procedure, on its first model.
      aliases: [n, `Poly Edge ${n}`, ...(n === 'E100' ? ['Edge E', 'Poly Edge E', 'Edge E Series', 'Poly Edge E Series'] : [])],
      procedure: EDGE_E_LED,
      timing: 'edge',
      sources: [S001_EDGE_E],
      notes: [
        'The MAC is typed in lower case with the VVX text-entry profile (seed 001: "in lower case as explained above", the keystroke table of the same post).',
        'Seed 001: the Handsfree and Headset lights "may depend on the Edge E model": a unit whose lights never come on fails with no-leds.',
      ],
    }),
  ),
  ...['B10', 'B20', 'B30'].map(
    (n): OtherSpec => ({
      id: `edge-${n.toLowerCase()}`,
      name: `Edge ${n}`,
      family: 'edge',
      // Seed 001: "a Poly Edge B phone": the series name runs its one procedure, on its first model.
      aliases: [n, `Poly Edge ${n}`, ...(n === 'B10' ? ['Edge B', 'Poly Edge B', 'Edge B Series'] : [])],
      procedure: edgeBProcedure(),
      timing: 'edge-b',
      sources: [S001_EDGE_B],
      notes: ['Needs the power relay: the keys must be held while power is connected.'],
    }),
  ),
  {
    id: 'trio-c60',
    name: 'Trio C60',
    family: 'trio',
    aliases: ['C60', 'Poly Trio C60'],
    procedure: trioC60Procedure(),
    timing: 'touch',
    sources: [
      'seed 001: "Factory restores Poly Trio C60: 1. Power on the system. ... 3. When the Screen lights up before the Poly logo shows on the screen, press and hold the four corners of the LCD screen. 4. Let go when the Mute keys begin flashing in different colours."',
    ],
  },
  ...['8800', '8500'].map(
    (n): OtherSpec => ({
      id: `trio-${n}`,
      name: `Trio ${n}`,
      family: 'trio',
      aliases: [`RealPresence Trio ${n}`, `Poly Trio ${n}`],
      procedure: trio8800Procedure(),
      timing: 'touch',
      sources: ['seed 001: "Factory Restore a Poly Trio 8800, 8500 or RealPresence Visual+" (shown only as a picture, TrioReset.png)', NOCTEL_TRIO],
      notes: ['Seed 001 shows this procedure only as a picture; the steps follow NocTel\'s public text of it.'],
    }),
  ),
  {
    id: 'trio-visual-plus',
    name: 'RealPresence Trio Visual+',
    family: 'trio',
    aliases: ['Trio Visual+', 'Visual+', 'RealPresence Visual+', 'Visual Plus'],
    procedure: {
      kind: 'unsupported',
      reason:
        'seed 001 gives the RealPresence Visual+ restore only as a picture ("Factory Restore a Poly Trio 8800, 8500 or RealPresence Visual+", TrioReset.png), and no public text of it was found: the Visual+ has no touch screen, so the Trio 8800/8500 four-corner hold (NocTel) cannot be it',
    },
    timing: 'touch',
    sources: ['seed 001: "Factory Restore a Poly Trio 8800, 8500 or RealPresence Visual+" (a picture only)'],
  },
  ...['500', '600', '700'].map(
    (n): OtherSpec => ({
      id: `ccx-${n}`,
      name: `CCX ${n}`,
      family: 'ccx',
      aliases: [`Poly CCX ${n}`],
      procedure: ccxProcedure(),
      timing: 'touch',
      sources: [S001_CCX],
    }),
  ),
  {
    id: 'ccx-400',
    name: 'CCX 400',
    family: 'ccx',
    aliases: ['Poly CCX 400'],
    procedure: ccx400Procedure(),
    timing: 'touch',
    sources: [
      'seed 001: "Factory Reset / Factory Default a CCX400: Power up the CCX400 and wait until the Poly Logo appears. Hold 4 fingers for 1-2 seconds and then let go. Once the MWI LED becomes Red hold 4 fingers again until the screen goes blank. Let go and a Poly Logo will appear. After this the Android "erasing" screen will show and the unit is reset"',
    ],
  },
  ...['B1', 'B2'].map(
    (n): OtherSpec => ({
      id: `rove-${n.toLowerCase()}`,
      name: `Rove ${n}`,
      family: 'rove',
      // Seed 001: "a Poly Rove Base Station": the series name runs its one procedure, on its first model.
      aliases: [`Poly Rove ${n}`, `Rove ${n} Base Station`, `Rove ${n} Base`, ...(n === 'B1' ? ['Rove', 'Poly Rove', 'Rove Base Station', 'Poly Rove Base Station'] : [])],
      procedure: roveProcedure(),
      timing: 'base',
      sources: ['seed 001: "A Poly Rove Base Station can be factory defaulted via pressing the Pair Button on the top for at least 20 seconds."'],
      notes: ['The 22 s hold is longer than the reference firmware\'s 20 s per-solenoid limit: the jig\'s board must allow it (fixture "maxHoldMs").'],
    }),
  ),
  ...['D60', 'D230'].map(
    (n): OtherSpec => ({
      id: `vvx-${n.toLowerCase()}-base`,
      name: `VVX ${n} Base Station`,
      family: 'dect-base',
      aliases: [`VVX ${n}`, n, `${n} base`, `VVX ${n} base`],
      procedure: dectBaseProcedure(),
      timing: 'base',
      sources: ['seed 001: "Factory Resetting of the VVX D60 / VVX D230 Base Station: ... there is a reset button beside the power socket, use pin/paper clip to long press for 7 sec."'],
    }),
  ),
  {
    id: 'trio-visualpro',
    name: 'Trio VisualPro',
    family: 'visualpro',
    aliases: ['VisualPro', 'Visual Pro', 'Poly VisualPro'],
    procedure: visualProProcedure(),
    timing: 'visualpro',
    sources: [
      'seed 001: "Factory restore a Poly VisualPro: 1. Power off the system. 2. Straighten a paper clip and insert it into the pinhole. 3. Using the paper clip, press and hold the restore button. 4. While continuing to hold the restore button, press the power button once. 5. Keep holding the restore button for 10 more seconds, then release it."',
    ],
  },
  ...['250', '350', '450'].map(
    (n): OtherSpec => ({
      id: `vvx-${n}-nh`,
      name: `VVX ${n} (new hardware)`,
      family: 'vvx',
      aliases: [`VVX ${n} new hardware`, `VVX ${n} NH`],
      procedure: {
        kind: 'unsupported',
        reason: `seed 001 says the factory-reset key combination of the VVX ${n} on the new hardware of UC Software 6.4.3 and later has changed, and does not say how`,
      },
      timing: 'vvx',
      sources: [S001_NEW_HW],
      notes: [`For a VVX ${n} on the older hardware use 'VVX ${n}'.`],
    }),
  ),
];

export const MODELS: PhoneModel[] = [...SPECS.map(build), ...OTHERS.map(buildOther)];
