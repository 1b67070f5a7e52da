/** The firmware's generated headers are current with src/protocol/ (run `npm run gen:protocol` when this fails). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_ERRORS, protocolErrorByCode, protocolErrorCode } from '../../src/protocol/errors.js';
import { errorMacro, generatedHeaders } from '../../src/protocol/header.js';

describe('generated firmware headers', () => {
  for (const [path, text] of Object.entries(generatedHeaders())) {
    it(`${path} is what src/protocol/ generates`, () => {
      expect(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')).toBe(text);
    });
  }

  it('defines every error code for the firmware', () => {
    const errorsH = generatedHeaders()['firmware/resetbot/errors.h']!;
    for (const e of PROTOCOL_ERRORS) expect(errorsH).toContain(`#define ${errorMacro(e.name)} ${e.code} `);
  });
});

describe('error table', () => {
  it('has unique codes and names, numbered from 1 without gaps', () => {
    expect(PROTOCOL_ERRORS.map((e) => e.code)).toEqual(PROTOCOL_ERRORS.map((_, i) => i + 1));
    expect(new Set(PROTOCOL_ERRORS.map((e) => e.name)).size).toBe(PROTOCOL_ERRORS.length);
  });

  it('looks codes up both ways', () => {
    expect(protocolErrorCode('busy')).toBe(7);
    expect(protocolErrorByCode(5)?.name).toBe('channel-out-of-range');
    expect(protocolErrorByCode(99)).toBeUndefined();
  });
});

describe('firmware/PROTOCOL.md', () => {
  const doc = readFileSync(new URL('../../firmware/PROTOCOL.md', import.meta.url), 'utf8');

  it('lists every error of the table, as the table says', () => {
    const rows = [...doc.matchAll(/^\| (\d+) \| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({
      code: Number(m[1]),
      name: m[2],
      message: m[3]!.trim(),
      meaning: m[4]!.trim(),
    }));
    expect(rows).toEqual(PROTOCOL_ERRORS.map(({ code, name, message, meaning }) => ({ code, name, message, meaning })));
  });
});
