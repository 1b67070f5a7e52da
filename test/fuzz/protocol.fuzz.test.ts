/**
 * The protocol parser (src/protocol) fed anything a serial line can carry: random bytes read as latin1 (as the driver
 * reads them) or UTF-8 (invalid sequences become U+FFFD), lines near and far over the firmware's 127-byte limit,
 * fragments of real lines, real lines with their ids and fields mangled. Never an exception from parseLine; a reply
 * or banner parsed from it is well formed; the data parsers and the identity check throw only a classified
 * BenchError. Run counts are printed (fast-check's numRuns).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BenchError } from '../../src/errors/errors.js';
import { checkIdentity, parseIdentity, parseLine, parseNumberList, parseSensorData, parseStateData } from '../../src/protocol/parse.js';

export const RUNS = 400;

const REAL = [
  '# resetbot-fw 1.0.0 proto=1 channels=32 maxhold=20000 watchdog=3000',
  'ok 17',
  'ok 4 a0=512',
  'ok 9 on=1,3 power=off wd=3000 presses=7',
  'err 12 3 unknown command',
  '! done 7 time',
  '! limit 1,3,5',
  '! watchdog 4',
  '! stop',
];

/** A line as the wire may bring it: a real one mangled, a fragment, noise, or an over-long line. */
const wireLine = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.tuple(fc.constantFrom(...REAL), fc.nat(80), fc.nat(80)).map(([l, a, b]) => l.slice(Math.min(a, b), Math.max(a, b))),
  fc.tuple(fc.constantFrom(...REAL), fc.string({ maxLength: 12 }), fc.nat(80)).map(([l, s, at]) => l.slice(0, at) + s + l.slice(at)),
  fc.tuple(fc.constantFrom('ok ', 'err ', '! done ', '# resetbot-fw '), fc.integer({ min: 120, max: 5000 })).map(([p, n]) => p + '9'.repeat(n)),
  fc.tuple(fc.constantFrom(...REAL), fc.constantFrom('-1', '4294967296', '99999999999999999999', '0x10', '1e3', '', ' ')).map(([l, id]) => l.replace(/\d+/, id)),
);

function classified(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BenchError);
    expect((e as BenchError).failureClass).toBe('bench');
  }
}

describe('protocol parser fuzzing', () => {
  it(`parseLine never throws and always classifies the line (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(wireLine, (line) => {
        const parsed = parseLine(line);
        expect(['banner', 'comment', 'ok', 'err', 'event', 'unparsable']).toContain(parsed.kind);
        expect(parsed.raw).toBe(line.replace(/\r$/, '')); // a CRLF line's CR is dropped
        if (parsed.kind === 'ok' || parsed.kind === 'err') {
          expect(Number.isInteger(parsed.id) && parsed.id >= 0 && parsed.id <= 0xffff_ffff).toBe(true);
        }
        if (parsed.kind === 'err') expect(Number.isInteger(parsed.code)).toBe(true);
        if (parsed.kind === 'event' && parsed.event.type === 'done') expect(Number.isInteger(parsed.event.id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it(`the data parsers and the identity check throw only a bench failure (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(wireLine, (text) => {
        classified(() => parseStateData(text));
        classified(() => parseSensorData(text));
        expect(() => parseNumberList(text)).not.toThrow();
        const identity = parseIdentity(text);
        if (identity) classified(() => checkIdentity(identity));
        const line = parseLine(text);
        if (line.kind === 'banner') classified(() => checkIdentity(line.identity));
      }),
      { numRuns: RUNS },
    );
  });
});
