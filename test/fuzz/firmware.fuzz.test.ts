/**
 * The committed firmware in avr8js (test/firmware/harness.ts) fed random bytes between valid commands: noise, lines
 * over the 127-byte limit, stop bytes mid-line, holds, presses, power, watchdog settings. Judged on the decoded
 * outputs and relay pin (the board's truth):
 * - no output stays energised past its limit: once the host falls silent, every solenoid is off within the host
 *   watchdog in force (and none was ever on longer than the 20 s maximum hold);
 * - it never stops answering: after the noise, a newline and a valid `ping` get their `ok` within 200 ms;
 * - the stop byte always releases everything (solenoids and relay) within 2 ms, wherever it lands.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STOP_BYTE } from '../../src/protocol/version.js';
import { FirmwareHarness } from '../firmware/harness.js';

export const RUNS = 50;
const MAX_HOLD_MS = 20_000;

type Step =
  | { kind: 'noise'; bytes: Uint8Array }
  | { kind: 'long'; length: number }
  | { kind: 'line'; text: string }
  | { kind: 'wd'; ms: number }
  | { kind: 'stop' }
  | { kind: 'wait'; ms: number };

const channels = fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 5 }).map((c) => c.join(','));
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes): Step => ({ kind: 'noise', bytes })),
  fc.integer({ min: 128, max: 600 }).map((length): Step => ({ kind: 'long', length })),
  fc.oneof(
    channels.map((c) => `hold {id} ${c}`),
    fc.tuple(fc.integer({ min: 1, max: 3000 }), channels).map(([ms, c]) => `press {id} ${ms} ${c}`),
    channels.map((c) => `release {id} ${c}`),
    fc.constantFrom('release {id} all', 'power {id} on', 'power {id} off', 'ping {id}', 'state {id}', 'sensor {id}'),
  ).map((text): Step => ({ kind: 'line', text })),
  fc.integer({ min: 200, max: 2500 }).map((ms): Step => ({ kind: 'wd', ms })),
  fc.constant<Step>({ kind: 'stop' }),
  fc.integer({ min: 0, max: 300 }).map((ms): Step => ({ kind: 'wait', ms })),
);

/** Longest continuous on-time of any channel in the decoded output changes, up to `end`. */
function longestOn(h: FirmwareHarness, end: number): number {
  const since = new Map<number, number>();
  let longest = 0;
  for (const { t, value } of h.channels) {
    for (const c of value) if (!since.has(c)) since.set(c, t);
    for (const [c, t0] of since) {
      if (!value.includes(c)) {
        longest = Math.max(longest, t - t0);
        since.delete(c);
      }
    }
  }
  for (const t0 of since.values()) longest = Math.max(longest, end - t0);
  return longest;
}

describe('firmware fuzzing in avr8js', () => {
  it(`random bytes between commands: outputs within their limits, always answering, the stop byte releases all (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), (steps) => {
        const h = new FirmwareHarness();
        h.boot();
        let id = 1;
        // Bytes take time on the wire (115200 baud: about 87 us each): the next step waits until they are through.
        const send = (data: string | Uint8Array) => {
          h.send(data);
          h.clock.advance(Math.ceil(data.length * 0.1) + 3);
        };
        let wdMs = 3000; // the firmware's default, from its banner
        const wdSent = new Map<number, number>();
        for (const s of steps) {
          switch (s.kind) {
            case 'noise':
              send(s.bytes);
              break;
            case 'long':
              send('x'.repeat(s.length) + '\n');
              break;
            case 'line':
              send(s.text.replace('{id}', String(id++)) + '\n');
              break;
            case 'wd':
              wdSent.set(id, s.ms);
              send(`wd ${id++} ${s.ms}\n`);
              break;
            case 'stop': {
              h.send(Uint8Array.of(STOP_BYTE));
              h.clock.advance(2);
              expect(h.board.channels(), 'the stop byte releases every solenoid').toEqual([]);
              expect(h.board.relay(), 'the stop byte switches the relay off').toBe(false);
              break;
            }
            case 'wait':
              h.clock.advance(s.ms);
              break;
          }
        }
        // The watchdog in force: the last `wd` the board accepted.
        for (const line of h.lines) {
          if (line.value.kind === 'ok' && wdSent.has(line.value.id)) wdMs = wdSent.get(line.value.id)!;
        }
        // The host falls silent: every solenoid is off within the watchdog (and the maximum hold was never passed).
        h.clock.advance(wdMs + 50);
        expect(h.board.channels(), `solenoids still on ${wdMs + 50} ms after the host fell silent`).toEqual([]);
        expect(longestOn(h, h.clock.now())).toBeLessThanOrEqual(MAX_HOLD_MS + 2);

        // Still answering: a newline ends whatever line the noise left open, then a valid ping is answered.
        send('\n');
        expect(h.command('ping 4000000', 4000000, 200).kind).toBe('ok');

        // The stop byte, mid-line, with a solenoid held and the relay on, releases everything.
        h.command('power 4000001 on', 4000001, 200);
        const held = h.command('hold 4000002 7', 4000002, 200);
        expect(held.kind).toBe('ok');
        send('hold 4000003 1,');
        h.send(Uint8Array.of(STOP_BYTE));
        h.clock.advance(2);
        expect(h.board.channels()).toEqual([]);
        expect(h.board.relay()).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});
