/**
 * The firmware's safety rules, on the committed .hex in avr8js, measured on the decoded outputs and relay pin:
 * maximum hold per channel, host-silence watchdog, the out-of-band stop byte, the hardware watchdog, resets.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { STOP_BYTE } from '../../src/protocol/version.js';
import { FirmwareHarness } from './harness.js';

let h: FirmwareHarness;

beforeEach(() => {
  h = new FirmwareHarness();
  h.boot();
});

/** Keeps the host watchdog fed: one ping a second for `ms`. */
function chatter(ms: number, firstId: number): void {
  for (let t = 0; t < ms; t += 1000) {
    h.command(`ping ${firstId + t / 1000}`);
    h.clock.advance(1000 - 10);
  }
}

/** Time the outputs last went from including `channel` to excluding it. */
function offAt(channel: number): number | undefined {
  for (let i = h.channels.length - 1; i > 0; i--) {
    if (!h.channels[i]!.value.includes(channel) && h.channels[i - 1]!.value.includes(channel)) return h.channels[i]!.t;
  }
  return undefined;
}

function onAt(channel: number): number | undefined {
  for (let i = h.channels.length - 1; i >= 0; i--) {
    if (h.channels[i]!.value.includes(channel) && !(h.channels[i - 1]?.value.includes(channel) ?? false)) return h.channels[i]!.t;
  }
  return undefined;
}

describe('maximum hold per channel', () => {
  it('releases a held channel at 20 s with a limit event, even while the host chats', () => {
    h.command('hold 1 3');
    const on = onAt(3)!;
    chatter(21_000, 100);
    const off = offAt(3);
    expect(off).toBeDefined();
    expect(Math.abs(off! - on - 20_000)).toBeLessThan(2); // millis() resolution
    expect(h.events().map((e) => e.value)).toEqual([{ type: 'limit', channels: [3] }]);
  });

  it('times each channel from its own switch-on', () => {
    h.command('hold 1 1');
    chatter(5000, 50);
    h.command('hold 3 2');
    chatter(16_000, 100);
    expect(h.board.channels()).toEqual([2]);
    expect(Math.abs(offAt(1)! - onAt(1)! - 20_000)).toBeLessThan(2);
    chatter(5_000, 200);
    expect(Math.abs(offAt(2)! - onAt(2)! - 20_000)).toBeLessThan(2);
    expect(h.board.channels()).toEqual([]);
    expect(h.events().map((e) => e.value)).toEqual([
      { type: 'limit', channels: [1] },
      { type: 'limit', channels: [2] },
    ]);
  });
});

describe('host watchdog', () => {
  it('releases every channel after 3 s of silence, and leaves the relay on', () => {
    h.command('power 1 on');
    h.command('hold 2 4,6');
    const lastLine = h.clock.now();
    h.clock.advance(4000);
    const off = offAt(4)!;
    expect(offAt(6)).toBe(off);
    expect(off - lastLine).toBeGreaterThanOrEqual(3000 - 2);
    expect(off - lastLine).toBeLessThan(3002);
    expect(h.events().map((e) => e.value)).toEqual([{ type: 'watchdog', channels: [4, 6] }]);
    expect(h.board.relay()).toBe(true);
  });

  it('follows wd, and ends a silent press with a watchdog done event', () => {
    h.command('wd 1 500');
    h.command('press 2 10000 8');
    const lastLine = h.clock.now();
    h.clock.advance(1000);
    expect(offAt(8)! - lastLine).toBeLessThan(502);
    expect(h.events().map((e) => e.value)).toEqual([
      { type: 'watchdog', channels: [8] },
      { type: 'done', id: 2, reason: 'watchdog' },
    ]);
  });

  it('lets a long press run to its end while the host keeps talking', () => {
    h.command('press 1 5000 9');
    chatter(6000, 10);
    expect(offAt(9)! - onAt(9)!).toBeGreaterThanOrEqual(5000);
    expect(h.events().map((e) => e.value)).toEqual([{ type: 'done', id: 1, reason: 'time' }]);
  });

  it('does not fire while nothing is energised', () => {
    h.clock.advance(10_000);
    expect(h.events()).toEqual([]);
  });
});

describe('out-of-band stop byte', () => {
  it('releases every channel at one edge and switches the relay off, at once', () => {
    h.command('power 1 on');
    h.command('hold 2 0,10,20');
    h.command('press 3 10000 30,31');
    const sent = h.clock.now();
    const from = h.channels.length;
    h.send(Uint8Array.of(STOP_BYTE));
    h.clock.advance(50);
    const changes = h.channels.slice(from);
    expect(changes.map((c) => c.value)).toEqual([[]]);
    expect(changes[0]!.t - sent).toBeLessThan(1);
    expect(h.board.relay()).toBe(false);
    expect(h.events().map((e) => e.value)).toEqual([{ type: 'stop' }, { type: 'done', id: 3, reason: 'stop' }]);
  });

  it('works in the middle of a line, and drops that partial line', () => {
    h.command('hold 1 5');
    const from = h.lines.length;
    h.send('hold 2 6');
    h.send(Uint8Array.of(STOP_BYTE));
    h.send('\n');
    h.clock.advance(50);
    expect(h.board.channels()).toEqual([]);
    expect(h.repliesSince(from)).toEqual([]);
    expect(h.command('hold 3 7').kind).toBe('ok');
    expect(h.board.channels()).toEqual([7]);
  });
});

describe('resets', () => {
  it('a hung firmware is reset by the hardware watchdog: outputs and relay off, banner again', () => {
    h.command('power 1 on');
    h.command('hold 2 1,2');
    const resets: string[] = [];
    h.board.onReset((cause) => resets.push(cause));
    const hungAt = h.clock.now();
    h.board.injectHang();
    h.clock.advance(400);
    expect(h.board.channels()).toEqual([1, 2]); // nothing runs: only the hardware watchdog can help
    h.runUntilLine((l) => l.kind === 'banner', 1000);
    expect(resets).toEqual(['watchdog']);
    expect(offAt(1)! - hungAt).toBeLessThan(600);
    expect(h.board.channels()).toEqual([]);
    expect(h.board.relay()).toBe(false);
  });

  it('an external reset turns the outputs off at once (/OE pull-up) and they stay off through boot', () => {
    h.command('hold 1 3');
    const from = h.channels.length;
    h.clock.advance(5);
    const resetAt = h.clock.now();
    h.board.reset();
    h.runUntilLine((l) => l.kind === 'banner');
    const changes = h.channels.slice(from);
    expect(changes.map((c) => c.value)).toEqual([[]]);
    expect(changes[0]!.t).toBe(resetAt);
  });

  it('bytes sent while the bootloader runs are lost; the banner comes after it', () => {
    const slow = new FirmwareHarness({ bootloaderMs: 500 });
    slow.boot();
    slow.clock.advance(10);
    const resetAt = slow.clock.now();
    slow.board.reset();
    slow.send('hold 1 1\n');
    const banner = slow.runUntilLine((l) => l.kind === 'banner');
    expect(banner.t - resetAt).toBeGreaterThanOrEqual(500);
    expect(slow.repliesSince(0)).toEqual([]);
    expect(slow.board.stats.lostBytes).toBe('hold 1 1\n'.length);
    expect(slow.board.channels()).toEqual([]);
  });

  it('power off floats every pin: outputs and relay off', () => {
    h.command('power 1 on');
    h.command('hold 2 12');
    h.board.powerOff();
    expect(h.board.channels()).toEqual([]);
    expect(h.board.relay()).toBe(false);
  });
});
