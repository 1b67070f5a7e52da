/**
 * VirtualFirmware (the protocol in TypeScript, served by `sim serve` without --firmware and used by the driver's
 * quick tests) against the real firmware (firmware/resetbot.hex in avr8js): one script of bytes, sent at the same
 * times to both, must give the same lines, in the same order, and the same output and relay changes at the same
 * times (to within 5 ms: the real board's line takes 87 us a byte and its loop runs every millisecond; the
 * TypeScript board's bytes take no time).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import { STOP_BYTE } from '../../src/protocol/version.js';
import { AvrBoard } from '../../src/sim/avr/board.js';
import { VirtualFirmware, type SerialBoard } from '../../src/sim/virtual-bench.js';

interface Transcript {
  lines: string[];
  outputs: { t: number; on: string }[];
  relay: { t: number; on: boolean }[];
}

const STOP = String.fromCharCode(STOP_BYTE);

/** [ms to wait before, bytes to send] */
const SCRIPT: [number, string][] = [
  [50, 'power 1 on\n'],
  [10, 'press 2 100 5,1,3\n'],
  [150, 'hold 3 4\n'],
  [10, 'state 4\n'],
  [10, 'hold 5 4\n'],
  [10, 'press 6 20001 1\n'],
  [10, 'press 7 200 4,9\n'],
  [10, 'release 8 all\n'],
  [10, 'bogus 9\n'],
  [10, 'sensor 10\n'],
  [10, 'version 11\n'],
  [10, 'ping\n'],
  [10, '\n  \r\n'],
  [10, `press 12 100 ${'1,'.repeat(80)}1\n`],
  [10, `${'x'.repeat(300)}\n`],
  [10, 'hold 13 32\n'],
  [10, 'press 14 100 1,,2\n'],
  [10, 'release 15 99999999999\n'],
  [10, 'ping 16 extra\n'],
  [10, 'power 17 maybe\n'],
  // several presses at once, ending at different times
  [10, 'press 18 300 10\n'],
  [5, 'press 19 100 11,12\n'],
  [5, 'press 20 200 13\n'],
  [400, 'state 21\n'],
  // the host watchdog, shortened
  [10, 'wd 22 500\n'],
  [10, 'hold 23 6\n'],
  [800, 'state 24\n'],
  // the stop byte, in the middle of a line
  [10, 'hold 25 7,8\n'],
  [10, 'press 26 5000 9\n'],
  [10, `hold 27 1${STOP}`],
  [10, 'state 28\n'],
  // the maximum hold, the watchdog fed meanwhile
  [10, 'wd 29 3000\n'],
  [10, 'hold 30 20\n'],
  ...Array.from({ length: 21 }, (_, i): [number, string] => [i === 0 ? 500 : 1000, `ping ${31 + i}\n`]),
  [10, 'state 60\n'],
  [10, 'power 61 off\n'],
];

function record(board: SerialBoard, clock: VirtualClock): Transcript {
  const t: Transcript = { lines: [], outputs: [], relay: [] };
  let partial = '';
  board.onSerialData((data) => {
    partial += data.toString('latin1');
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      t.lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
  });
  board.onChannels((on, at) => t.outputs.push({ t: at, on: on.join(',') }));
  board.onRelay((on, at) => t.relay.push({ t: at, on }));
  board.powerOn();
  clock.advance(20);
  board.setAnalog(0, 512);
  for (const [wait, bytes] of SCRIPT) {
    clock.advance(wait);
    board.write(bytes);
  }
  clock.advance(100);
  return t;
}

describe('VirtualFirmware speaks the firmware\'s protocol', () => {
  const avrClock = new VirtualClock();
  const avr = record(new AvrBoard({ clock: avrClock }), avrClock);
  const vfClock = new VirtualClock();
  const vf = record(new VirtualFirmware({ clock: vfClock }), vfClock);

  it('prints the same lines in the same order', () => {
    expect(avr.lines.length).toBeGreaterThan(60);
    expect(vf.lines).toEqual(avr.lines);
  });

  it('switches the same outputs, at the same times to within 5 ms', () => {
    expect(vf.outputs.map((o) => o.on)).toEqual(avr.outputs.map((o) => o.on));
    vf.outputs.forEach((o, i) => expect(Math.abs(o.t - avr.outputs[i]!.t), `output change ${i} (${o.on})`).toBeLessThanOrEqual(5));
  });

  it('switches the relay the same way', () => {
    expect(vf.relay.map((r) => r.on)).toEqual(avr.relay.map((r) => r.on));
    vf.relay.forEach((r, i) => expect(Math.abs(r.t - avr.relay[i]!.t)).toBeLessThanOrEqual(5));
  });
});
