import { getTextEntryProfile } from '../text-entry/profiles.js';
import { POLYCOM_SCREENS, TIMING_PROFILES } from './profiles.js';
import type { ComboOption, Family, PhoneModel } from './types.js';

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
    'seed 001: "VVX 500, 501, VVX 600, 601, SpectraLink 8400, VVX 150, 250, 300, 301, 310, 350, 400, 401, 410, 411, 450 or Trio 8300: dial pad keys 0, 1, and dial pad keys" (the third key is cut off in the seed; 3 is the documented VVX reboot combo)',
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
  'Units on the new hardware of UC Software 6.4.3 and later (EA210826) use a changed combo that seed 001 does not give; this entry is for the older hardware.';

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
    ...(spec.reboot ? { rebootCombo: spec.reboot } : {}),
    timing: TIMING_PROFILES[vvxLike ? 'vvx' : 'soundpoint']!,
    textEntry: getTextEntryProfile(vvxLike ? 'vvx' : 'soundpoint'),
    screens: POLYCOM_SCREENS,
    sources: spec.sources,
    notes: spec.notes ?? [],
  };
}

export const MODELS: PhoneModel[] = SPECS.map(build);
