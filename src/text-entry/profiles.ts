import { ConfigError, nearest } from '../errors/errors.js';
import type { TextEntryProfile } from './types.js';

/**
 * Text-entry profiles: how each firmware family's text fields take input at the keypad. Plain data, each citing the
 * seeds it comes from; a technician can add more from a JSON file (validated by `textEntryProfileSchema` in profile-schema.ts, kept apart so that planning loads no zod).
 */

/** The ITU E.161 letters on a dial pad (none on 0 and 1). */
const DIAL_PAD_LETTERS: Record<string, string> = {
  '2': 'abc',
  '3': 'def',
  '4': 'ghi',
  '5': 'jkl',
  '6': 'mno',
  '7': 'pqrs',
  '8': 'tuv',
  '9': 'wxyz',
};

const LETTER_SOURCES = [
  'seed 000: "you need to enter the letter "F" you will need to press the number "3" 3 times"',
  'seed 001 (for "c"): "Press the ‘2’ key three times quickly"',
];

/** Seed-free assumptions shared by all built-in profiles (solenoid tap and gap), in ms. */
const TAP_MS = 120;
const GAP_MS = 130;
/** seed 001: "Wait for two seconds for the blinking cursor to return" (between two letters on one key). */
const COMMIT_MS = 2000;

/**
 * How every built-in profile types, past its mode key and cycle: from 123 mode, letters by multi-tap on the dial pad
 * (the digit last in each key's cycle), no symbols, lower-case MACs, the timings above. A fresh object each call: no
 * two profiles share their letters or symbols.
 */
function dialPadEntry(): Omit<TextEntryProfile, 'id' | 'description' | 'sources' | 'modeKey' | 'cycle'> {
  return {
    initialMode: '123',
    letters: { ...DIAL_PAD_LETTERS },
    // No seed says whether a letter key's digit follows its letters: plans never rely on it.
    digitInCycle: false,
    // Seed 001's table: "f: Select the input modifier once ... Press the '3' key three times quickly; 2: Select the
    // input modifier twice to toggle back into numeric mode": the mode key commits the pending f. Phones that do not
    // are caught by the camera (typing.ts) and retried without it.
    modeCommits: true,
    symbols: {},
    tapMs: TAP_MS,
    gapMs: GAP_MS,
    commitMs: COMMIT_MS,
    macCase: 'lower',
  };
}

const SOUNDPOINT_CASE_AND_TIMING_SOURCES = [
  'seed 002: "Make sure all letters are lower case"; seed 003: "For letters in lowercase"',
  'seed 001: "Wait for two seconds for the blinking cursor to return" (commit pause)',
  ...LETTER_SOURCES,
];

const vvx: TextEntryProfile = {
  id: 'vvx',
  description:
    'VVX family: the 2nd softkey steps 123 -> abc -> ABC; the field starts in 123 (digits); letters by multi-tap',
  sources: [
    'seed 000: "Press the 2nd soft key that corresponds to the mode or (encoding) of the phone"',
    'seed 000: "By default, the phone is on number mode (1->abc)"',
    'seed 001: "f: Select the input modifier once to toggle into lower case letter mode"; ' +
      '"2: Select the input modifier twice to toggle back into numeric mode"',
    'seed 001: "Wait for two seconds for the blinking cursor to return" (a then a, both on key 2)',
    'seed 001: "enter the known phone password or the MAC address in lower case"; ' +
      'seed 002: "Make sure all letters are lower case" ' +
      '(seed 000 says "not case sensitive": the catalog may relax macCase per model)',
    ...LETTER_SOURCES,
  ],
  modeKey: 'softkey2',
  cycle: ['123', 'abc', 'ABC'],
  ...dialPadEntry(),
};

const soundpoint: TextEntryProfile = {
  id: 'soundpoint',
  description: 'SoundPoint IP family: # steps 123 -> ABC -> abc (the "1/A/a" label); the field starts in 123',
  sources: [
    'seed 000: "Depress the # key or the button directly beneath this image on the phone screen (1/A/a) ' +
      'for Soundpoint IP"',
    'seed 002: "Click on A->Aa soft key to change the options from numbers to capital or lower case letters"',
    'seed 003: "For letters in lowercase, use (a -> 1A)"',
    ...SOUNDPOINT_CASE_AND_TIMING_SOURCES,
  ],
  modeKey: '#',
  cycle: ['123', 'ABC', 'abc'],
  ...dialPadEntry(),
};

const soundpointProvisioning: TextEntryProfile = {
  ...soundpoint,
  id: 'soundpoint-provisioning',
  description:
    'SoundPoint IP setup menus (server addresses): the mode softkey steps 123 -> ABC -> abc; ' +
    'in 123, * types . and # types /',
  sources: [
    'seed 002: "Note: Use * for . and # for /"',
    'seed 003: "use (a -> 1A) * for the period # for the /"',
    'seed 002: "Click on A->Aa soft key to change the options from numbers to capital or lower case letters"',
    ...SOUNDPOINT_CASE_AND_TIMING_SOURCES,
  ],
  modeKey: 'softkey2',
  letters: { ...DIAL_PAD_LETTERS },
  symbols: { '.': '*', '/': '#' },
};

export const TEXT_ENTRY_PROFILES: Record<string, TextEntryProfile> = {
  vvx,
  soundpoint,
  'soundpoint-provisioning': soundpointProvisioning,
};

/** The profile with this id, or ConfigError `unknown-text-entry-profile` naming the nearest ids. */
export function getTextEntryProfile(
  id: string,
  profiles: Record<string, TextEntryProfile> = TEXT_ENTRY_PROFILES,
): TextEntryProfile {
  const profile = Object.hasOwn(profiles, id) ? profiles[id] : undefined;
  if (profile) return profile;
  const names = Object.keys(profiles);
  throw new ConfigError(
    'unknown-text-entry-profile',
    `unknown text-entry profile '${id}'`,
    `did you mean ${nearest(id, names)
      .map((n) => `'${n}'`)
      .join(' or ')}? (known: ${names.join(', ')})`,
  );
}
