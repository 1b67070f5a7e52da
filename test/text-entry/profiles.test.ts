import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/errors.js';
import { TEXT_ENTRY_PROFILES, getTextEntryProfile } from '../../src/text-entry/profiles.js';
import { parseTextEntryProfile, textEntryProfileSchema } from '../../src/text-entry/profile-schema.js';
import type { Mode, TextEntryProfile } from '../../src/text-entry/types.js';

function copy(p: TextEntryProfile): Record<string, unknown> {
  return JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
}

function rejection(raw: unknown): ConfigError {
  try {
    parseTextEntryProfile(raw, 'profiles.json#custom');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('bad-text-entry-profile');
    return err as ConfigError;
  }
  throw new Error('expected the profile to be rejected');
}

/** Mode-key taps to get from one mode to another under a profile's cycle. */
function presses(p: TextEntryProfile, from: Mode, to: Mode): number {
  const i = p.cycle.indexOf(from);
  const j = p.cycle.indexOf(to);
  return (j - i + p.cycle.length) % p.cycle.length;
}

describe('built-in text-entry profiles', () => {
  it('all pass their own schema, unchanged, and through JSON', () => {
    for (const [id, profile] of Object.entries(TEXT_ENTRY_PROFILES)) {
      expect(profile.id).toBe(id);
      expect(parseTextEntryProfile(copy(profile), `built-in ${id}`)).toEqual(profile);
      expect(profile.sources.length).toBeGreaterThan(0);
      for (const s of profile.sources) expect(s).toMatch(/seed 00[0-3]/);
    }
  });

  it('vvx: one mode tap from digits to lower case, two back (seed 001 table)', () => {
    const vvx = getTextEntryProfile('vvx');
    expect(vvx.initialMode).toBe('123');
    expect(presses(vvx, '123', 'abc')).toBe(1);
    expect(presses(vvx, 'abc', '123')).toBe(2);
    expect(vvx.modeKey).toBe('softkey2');
  });

  it('soundpoint: # steps 1 -> A -> a (seed 000 "(1/A/a)")', () => {
    const sp = getTextEntryProfile('soundpoint');
    expect(sp.modeKey).toBe('#');
    expect(sp.cycle).toEqual(['123', 'ABC', 'abc']);
    expect(presses(sp, '123', 'ABC')).toBe(1);
  });

  it('soundpoint-provisioning types . with * and / with # (seeds 002, 003)', () => {
    const prov = getTextEntryProfile('soundpoint-provisioning');
    expect(prov.symbols).toEqual({ '.': '*', '/': '#' });
    expect(prov.modeKey).not.toBe('#');
  });
});

describe('getTextEntryProfile', () => {
  it('names the nearest profiles for an unknown id', () => {
    try {
      getTextEntryProfile('vxx');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.code).toBe('unknown-text-entry-profile');
      expect(e.message).toContain("'vxx'");
      expect(e.hint).toContain("'vvx'");
    }
    expect(() => getTextEntryProfile('toString')).toThrow(ConfigError);
  });

  it('looks up in a caller-supplied table', () => {
    const custom = { ...TEXT_ENTRY_PROFILES.vvx!, id: 'custom' };
    expect(getTextEntryProfile('custom', { custom })).toBe(custom);
    expect(() => getTextEntryProfile('vvx', { custom })).toThrow(/unknown text-entry profile 'vvx'/);
  });
});

describe('textEntryProfileSchema', () => {
  const base = () => copy(TEXT_ENTRY_PROFILES.vvx!);

  it('requires the cycle to hold the initial mode, once each', () => {
    expect(rejection({ ...base(), cycle: ['abc', 'ABC'] }).message).toContain(
      "field 'cycle': must contain initialMode '123'",
    );
    expect(rejection({ ...base(), cycle: ['123', 'abc', 'abc'] }).message).toContain(
      "field 'cycle': lists mode 'abc' twice",
    );
    expect(rejection({ ...base(), cycle: ['123', 'xyz'] }).message).toContain("field 'cycle[1]'");
  });

  it('keeps the mode key off the keys that type', () => {
    expect(rejection({ ...base(), modeKey: '2' }).message).toContain("field 'modeKey': '2' is a letter key");
    expect(rejection({ ...base(), modeKey: '1' }).message).toContain("field 'modeKey'");
    expect(rejection({ ...base(), modeKey: 'softkey9' }).message).toContain("field 'modeKey': is not a known key name");
    expect(rejection({ ...base(), symbols: { '.': 'softkey2' } }).message).toContain('is the mode key');
  });

  it('wants positive timings', () => {
    for (const field of ['tapMs', 'gapMs', 'commitMs']) {
      expect(rejection({ ...base(), [field]: 0 }).message).toContain(`field '${field}': must be a positive`);
      expect(rejection({ ...base(), [field]: -5 }).message).toContain(`field '${field}'`);
      expect(rejection({ ...base(), [field]: '120' }).message).toContain(`field '${field}'`);
    }
  });

  it('checks letters and symbols', () => {
    const b = base();
    expect(rejection({ ...b, letters: { ...(b.letters as object), '*': 'xy' } }).message).toContain(
      `field 'letters["*"]': letters must sit on digit keys`,
    );
    expect(rejection({ ...b, letters: { '2': 'ABC' } }).message).toContain(`field 'letters["2"]'`);
    expect(rejection({ ...b, symbols: { ab: '*' } }).message).toContain('one character');
    expect(rejection({ ...b, symbols: { '.': '*', ',': '*' } }).message).toContain("key '*' already types '.'");
    expect(rejection({ ...b, symbols: { '.': '1' } }).message).toContain('digit key');
  });

  it('names missing and unknown fields, and lists every problem at once', () => {
    const b = base();
    delete b.commitMs;
    expect(rejection(b).message).toContain("field 'commitMs' is missing");
    expect(rejection({ ...base(), tapms: 5 }).message).toContain("unknown field 'tapms'");
    const both = rejection({ ...base(), tapMs: 0, macCase: 'mixed' }).message;
    expect(both).toContain("field 'tapMs'");
    expect(both).toContain("field 'macCase'");
    expect(rejection('not an object').message).toContain('profiles.json#custom');
  });

  it('accepts a technician-made profile', () => {
    const raw = {
      id: 'letters-first',
      description: 'starts in lower case, two modes',
      sources: [],
      modeKey: 'softkey1',
      cycle: ['abc', '123'],
      initialMode: 'abc',
      letters: { '2': 'abc', '3': 'def' },
      digitInCycle: false,
      symbols: { '-': '*' },
      tapMs: 80,
      gapMs: 70,
      commitMs: 1500,
      macCase: 'either',
    };
    expect(textEntryProfileSchema.safeParse(raw).success).toBe(true);
    expect(parseTextEntryProfile(raw, 'x.json')).toEqual(raw);
  });
});
