/**
 * The serial driver against VirtualFirmware (the firmware's protocol in TypeScript; test/serial/conformance.test.ts
 * holds it to the real firmware), on a VirtualClock. Every assertion about the bench is made on the board's own
 * record (its outputs, relay and received bytes), not on what the driver believes.
 */
import { describe, expect, it } from 'vitest';
import { SerialDriver } from '../../src/bench/serial.js';
import { BenchError, ConfigError, ResetbotError } from '../../src/errors/errors.js';
import { FIRMWARE_NAME, FIRMWARE_VERSION, STOP_BYTE } from '../../src/protocol/version.js';
import { virtualRig } from './helpers.js';

const STOP = String.fromCharCode(STOP_BYTE);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('handshake', () => {
  it('reads the banner, reports the firmware, and starts from the safe state', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    expect(r.driver.info).toEqual({
      driver: 'serial',
      firmware: { name: FIRMWARE_NAME, version: FIRMWARE_VERSION, protocol: 1 },
      channels: 32,
      maxHoldMs: 20000,
      port: 'virtual:bench',
    });
    // The banner was enough: no version query; the safe state is the stop byte, then power off.
    expect(r.received()).toBe(`${STOP}power 1 off\n`);
    await r.run(r.driver.open()); // idempotent
    expect(r.received()).toBe(`${STOP}power 1 off\n`);
    await r.run(r.driver.close());
  });

  it('asks with version when the board does not reset on open (no banner)', async () => {
    const r = virtualRig({ bannerWaitMs: 2500 }, {}, false);
    r.board.powerOn(); // powered before the port opens: its banner is long gone
    await r.wait(10);
    const opened = r.driver.open();
    await r.run(opened);
    expect(r.clock.now()).toBeGreaterThanOrEqual(2500);
    expect(r.received()).toBe(`version 1\n${STOP}power 2 off\n`);
    expect(r.driver.info.firmware?.version).toBe(FIRMWARE_VERSION);
    await r.run(r.driver.close());
  });

  it('puts a board left energised by an earlier session into the safe state', async () => {
    const r = virtualRig({ bannerWaitMs: 0 }, {}, false);
    r.board.powerOn();
    r.board.write('power 1 on\nhold 2 4,5\n');
    await r.wait(5);
    expect(r.board.channels()).toEqual([4, 5]);
    await r.run(r.driver.open());
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    await r.run(r.driver.close());
  });

  it('refuses another firmware, another protocol, a pinned version it does not run, too few channels', async () => {
    const wrongName = virtualRig({}, { identity: 'grbl 1.1h proto=1 channels=32 maxhold=20000 watchdog=3000' });
    expect(await rejection(wrongName.run(wrongName.driver.open()))).toMatchObject({ code: 'wrong-firmware', failureClass: 'bench' });

    const wrongProto = virtualRig({}, { identity: `${FIRMWARE_NAME} 9.0.0 proto=9 channels=32 maxhold=20000 watchdog=3000` });
    const proto = await rejection(wrongProto.run(wrongProto.driver.open()));
    expect(proto).toMatchObject({ code: 'protocol-mismatch' });
    expect((proto as Error).message).toMatch(/protocol 9/);

    const pinned = virtualRig({ firmwareVersion: '0.9.0' });
    expect(await rejection(pinned.run(pinned.driver.open()))).toMatchObject({ code: 'firmware-version' });

    const small = virtualRig({ needChannels: 33 });
    const e = await rejection(small.run(small.driver.open()));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/drives 32/);

    // Each failed open closed the port: the board can be opened again.
    const again = virtualRig();
    await again.run(again.driver.open());
    await again.run(again.driver.close());
    for (const r of [wrongName, wrongProto, pinned, small]) expect(r.board.channels()).toEqual([]);
  });

  it('a silent board: no banner and no reply to version, said plainly', async () => {
    const r = virtualRig({ bannerWaitMs: 500, replyTimeoutMs: 300 });
    r.board.mute(); // the port's open powers it up: its banner goes nowhere
    const e = await rejection(r.run(r.driver.open()));
    expect(e).toBeInstanceOf(BenchError);
    expect(e).toMatchObject({ code: 'no-banner' });
    expect((e as Error).message).toMatch(/no banner within 500 ms and no reply to 'version'/);
  });

  it('names what it heard when the board prints something else', async () => {
    const r = virtualRig({ bannerWaitMs: 100, replyTimeoutMs: 100 }, {}, false);
    r.board.powerOn();
    await r.wait(5);
    const opened = r.driver.open();
    r.clock.setTimeout(() => r.board.inject('Grbl 1.1h [\'$\' for help]\n'), 20);
    r.clock.setTimeout(() => r.board.mute(), 21);
    const e = await rejection(r.run(opened));
    expect((e as Error).message).toMatch(/it printed: "Grbl 1\.1h/);
  });

  it('cannot open a port that does not exist, and says how to find it', async () => {
    const r = virtualRig();
    const other = new SerialDriver({ path: 'virtual:nope', clock: r.clock, binding: r.binding });
    const e = await rejection(r.run(other.open()));
    expect(e).toMatchObject({ code: 'port-open-failed', failureClass: 'bench' });
  });
});

describe('commands', () => {
  it('press: the channels go on at one instant and off after the time, timed on the board', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    const from = r.outputs.length;
    const t0 = r.clock.now();
    await r.run(r.driver.press([5, 1, 3], 3000));
    const changes = r.outputs.slice(from);
    expect(changes.map((c) => c.value)).toEqual([[1, 3, 5], []]);
    expect(changes[1]!.t - changes[0]!.t).toBe(3000);
    // press resolved when the board said done, not before
    expect(r.clock.now()).toBeGreaterThanOrEqual(t0 + 3000);
    await r.run(r.driver.close());
  });

  it('keeps the board\'s watchdog fed while a hold lasts longer than it', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.hold([7]));
    await r.wait(15_000); // five watchdog periods
    expect(r.board.channels()).toEqual([7]);
    expect(r.received().match(/ping \d+/g)!.length).toBeGreaterThanOrEqual(5);
    await r.run(r.driver.release([7]));
    expect(r.board.channels()).toEqual([]);
    expect(r.events).toEqual([]);
    await r.run(r.driver.close());
  });

  it('power, sensor and state', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    expect(r.board.relay()).toBe(true);
    r.board.setAnalog(0, 612);
    expect(await r.run(r.driver.readSensor())).toBe(612);
    await r.run(r.driver.hold([2]));
    expect(await r.run(r.driver.state())).toEqual({ on: [2], power: true, watchdogMs: 3000, presses: [] });
    await r.run(r.driver.close());
  });

  it('a press longer than the board\'s maximum hold is cut at it, with a hold-limit event', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    const from = r.outputs.length;
    await r.run(r.driver.press([4], 25_000));
    const changes = r.outputs.slice(from);
    expect(changes[1]!.t - changes[0]!.t).toBe(20_000);
    expect(r.events).toEqual([{ kind: 'hold-limit', channels: [4] }]);
    await r.run(r.driver.close());
  });

  it('a hold left past the maximum is cut by the board, and the driver reports it', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.hold([9, 8]));
    await r.wait(21_000);
    expect(r.board.channels()).toEqual([]);
    expect(r.events).toEqual([{ kind: 'hold-limit', channels: [8, 9] }]);
    await r.run(r.driver.close());
  });

  it('a refused command: a channel the board lacks is a config error, a protocol misuse is a bug', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    const range = await rejection(r.run(r.driver.hold([40])));
    expect(range).toBeInstanceOf(ConfigError);
    expect((range as Error).message).toMatch(/refused 'hold \d+ 40': channel out of range \(error 5\)/);
    await r.run(r.driver.hold([3]));
    const busy = await rejection(r.run(r.driver.press([3], 100)));
    expect(busy).toBeInstanceOf(ResetbotError);
    expect(busy).toMatchObject({ failureClass: 'bug', code: 'board-busy' });
    // the refused press did not leave a waiter behind: the next commands work
    await r.run(r.driver.release([3]));
    await r.run(r.driver.press([3], 100));
    await r.run(r.driver.close());
  });

  it('aborting a press releases its channels on the board and rejects with the reason', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    const ac = new AbortController();
    const pressed = r.driver.press([1, 2], 5000, ac.signal);
    r.clock.setTimeout(() => ac.abort(new Error('operator')), 1000);
    const e = await rejection(r.run(pressed));
    expect((e as Error).message).toBe('operator');
    await r.wait(10);
    expect(r.board.channels()).toEqual([]);
    const off = r.outputs.at(-1)!;
    expect(off.value).toEqual([]);
    expect(off.t).toBeLessThan(1100);
    await r.run(r.driver.close());
  });

  it('a stale reply (to a command of an earlier session) is ignored', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    r.board.inject('ok 2\nerr 3 7 channel already on\n'); // ids the next commands will use
    await r.wait(1);
    await r.run(r.driver.hold([6]));
    await r.run(r.driver.release([6]));
    expect(r.board.channels()).toEqual([]);
    await r.run(r.driver.close());
  });
});

describe('a line garbled on its way to the board', () => {
  /** Changes the command word of the lines the host writes that `match` (the first `times` of them). */
  function garble(board: { write(data: Uint8Array | string): void }, match: RegExp, times: number): string[] {
    const seen: string[] = [];
    const write = board.write.bind(board);
    let left = times;
    board.write = (data: Uint8Array | string) => {
      const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
      if (left > 0 && match.test(text)) {
        left--;
        const bad = text.replace(match, (w) => w.replace(/[a-z]/, 'x'));
        seen.push(bad);
        write(bad);
        return;
      }
      write(data);
    };
    return seen;
  }

  it('refused as an unknown command, it is sent once more: the press happens once, in order', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    const garbled = garble(r.board, /press/, 1);
    const from = r.outputs.length;
    await r.run(r.driver.press([5], 300));
    expect(garbled).toHaveLength(1);
    expect(r.outputs.slice(from).map((c) => c.value)).toEqual([[5], []]);
    expect(r.driver.garbledLines).toBe(1);
    await r.run(r.driver.setPower(true));
    expect(r.board.relay()).toBe(true);
    await r.run(r.driver.close());
  });

  it('refused twice, it is a bug, said with the line', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    garble(r.board, /power/, 2);
    const err = await r.run(r.driver.setPower(true)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResetbotError);
    expect((err as ResetbotError).failureClass).toBe('bug');
    expect((err as Error).message).toMatch(/the board refused 'power \d+ on' \(sent twice\): unknown command/);
    expect(r.board.relay()).toBe(false);
    await r.run(r.driver.close());
  });
});

describe('release and close', () => {
  it('releaseAll sends the stop byte first, then power off; everything is off on the board', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    await r.run(r.driver.hold([1, 3, 5]));
    const before = r.received().length;
    await r.run(r.driver.releaseAll());
    expect(r.received().slice(before)).toMatch(new RegExp(`^${STOP}power \\d+ off\\n$`));
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    // The stop byte switched channels and relay off together, before the power command arrived.
    const t = r.outputs.at(-1)!.t;
    expect(r.relay.at(-1)).toEqual({ t, value: false });
    await r.run(r.driver.releaseAll()); // twice is fine
    await r.run(r.driver.close());
  });

  it('close releases everything before closing the port', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    await r.run(r.driver.hold([0, 31]));
    await r.run(r.driver.close());
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    // closed: commands are refused, and the port can be opened again
    expect(await rejection(r.run(r.driver.hold([1])))).toMatchObject({ code: 'not-open' });
    await r.run(r.driver.open());
    await r.run(r.driver.close());
  });

  it('releaseAll before open and after close does nothing and does not fail', async () => {
    const r = virtualRig();
    await r.run(r.driver.releaseAll());
    await r.run(r.driver.open());
    await r.run(r.driver.close());
    await r.run(r.driver.releaseAll());
    await r.run(r.driver.close());
  });
});

describe('bench failures', () => {
  it('the board reset mid-press: the press rejects, a board-reset event, then the driver carries on', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    const pressed = r.driver.press([1, 3, 5], 4000);
    r.clock.setTimeout(() => r.board.reset(), 1000);
    const e = await rejection(r.run(pressed));
    expect(e).toBeInstanceOf(BenchError);
    expect(e).toMatchObject({ code: 'board-reset' });
    expect(r.events.map((ev) => ev.kind)).toEqual(['board-reset']);
    expect(r.board.channels()).toEqual([]);
    await r.run(r.driver.press([2], 100)); // the new session works
    await r.run(r.driver.close());
  });

  it('the board reset while nothing waited: reported once, as the event; the next command goes to the new board', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    await r.run(r.driver.hold([1, 3, 5]));
    r.clock.setTimeout(() => r.board.reset(), 500);
    await r.wait(2000);
    expect(r.board.relay()).toBe(false);
    expect(r.events.map((e) => e.kind)).toEqual(['board-reset']);
    await r.run(r.driver.release([1, 3, 5])); // not failed again for the reset already reported
    await r.run(r.driver.setPower(true));
    expect(r.board.relay()).toBe(true);
    await r.run(r.driver.close());
  });

  it('a command in flight as the board resets is answered by the new board; the next command does not fail for it', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    r.clock.setTimeout(() => {
      r.board.reset();
      void r.driver.setPower(true).then(() => (answered = true));
    }, 100);
    let answered = false;
    await r.wait(200);
    expect(answered).toBe(true);
    expect(r.board.relay()).toBe(true);
    await r.run(r.driver.setPower(false));
    expect(r.board.relay()).toBe(false);
    expect(r.events.map((e) => e.kind)).toEqual(['board-reset']);
    await r.run(r.driver.close());
  });

  it('releaseAll after a board reset releases the new board, and nothing fails again for the reset', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    r.clock.setTimeout(() => r.board.reset(), 10);
    await r.wait(100);
    await r.run(r.driver.releaseAll());
    await r.run(r.driver.setPower(true));
    expect(r.board.relay()).toBe(true);
    await r.run(r.driver.close());
  });

  it('no reply within the timeout: the command rejects and names itself', async () => {
    const r = virtualRig({ replyTimeoutMs: 250 });
    await r.run(r.driver.open());
    r.board.mute();
    const e = await rejection(r.run(r.driver.setPower(true)));
    expect(e).toMatchObject({ code: 'no-reply', failureClass: 'bench' });
    expect((e as Error).message).toMatch(/did not answer 'power \d+ on' within 250 ms/);
    expect(r.board.relay()).toBe(true); // it did obey: only its answer was lost
    r.board.mute(false);
    await r.run(r.driver.setPower(false)); // a late or lost reply does not derail the next command
    expect(r.board.relay()).toBe(false);
    await r.run(r.driver.close());
  });

  it('the host stalls: the board\'s watchdog releases everything and the driver reports it', async () => {
    const r = virtualRig();
    await r.run(r.driver.open());
    await r.run(r.driver.hold([4]));
    r.clock.advance(5000); // synchronous: the driver's keepalive cannot run, as in a stalled process
    await r.wait(10);
    expect(r.board.channels()).toEqual([]);
    expect(r.events).toContainEqual({ kind: 'watchdog' });
    await r.run(r.driver.hold([4])); // reported once, as the event: the next hold goes through
    expect(r.board.channels()).toEqual([4]);
    await r.run(r.driver.close());
  });

  it('the cable is pulled and not plugged back: what waits rejects, link-lost once, commands fail once the driver gives up', async () => {
    const r = virtualRig({ reconnectMs: 3000, reconnectEveryMs: 500 });
    await r.run(r.driver.open());
    const pressed = r.driver.press([1], 3000);
    r.clock.setTimeout(() => r.binding.unplug(), 500);
    const e = await rejection(r.run(pressed));
    expect(e).toMatchObject({ code: 'link-lost', failureClass: 'bench' });
    expect(r.events.map((ev) => ev.kind)).toEqual(['link-lost']);
    expect(r.board.channels()).toEqual([]); // the board lost its USB power
    const t0 = r.clock.now();
    expect(await rejection(r.run(r.driver.setPower(true)))).toMatchObject({ code: 'link-lost' });
    expect(r.clock.now() - t0).toBeGreaterThanOrEqual(2500); // it waited for the reopening, which gave up
    expect(await rejection(r.run(r.driver.releaseAll()))).toMatchObject({ code: 'link-lost' });
    await r.run(r.driver.close()); // closing a lost link does not fail
    r.binding.replug();
    await r.run(r.driver.open()); // plugged back in
    await r.run(r.driver.press([1], 10));
    await r.run(r.driver.close());
  });

  it('the USB adapter is pulled and re-enumerates: the driver reopens the port, handshakes, and commands go on', async () => {
    const r = virtualRig({ reconnectMs: 10_000, reconnectEveryMs: 250 });
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    await r.run(r.driver.hold([2, 7]));
    r.clock.setTimeout(() => r.binding.unplug(), 100);
    r.clock.setTimeout(() => r.binding.replug(), 2100);
    await r.wait(200);
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    // A command given while the port is gone waits for it to come back, then reaches the board.
    await r.run(r.driver.setPower(true));
    expect(r.clock.now()).toBeGreaterThanOrEqual(2100);
    expect(r.board.relay()).toBe(true);
    expect(r.events.map((ev) => ev.kind)).toEqual(['link-lost', 'reconnected']);
    await r.run(r.driver.press([3], 50));
    await r.run(r.driver.releaseAll());
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    await r.run(r.driver.close());
  });

  it('close() while the driver is reopening a lost port stops the reopening', async () => {
    const r = virtualRig({ reconnectMs: 10_000, reconnectEveryMs: 250 });
    await r.run(r.driver.open());
    r.binding.unplug();
    await r.wait(600);
    await r.run(r.driver.close());
    r.binding.replug();
    await r.wait(2000);
    expect(r.events.map((ev) => ev.kind)).toEqual(['link-lost']);
    expect(await rejection(r.run(r.driver.setPower(true)))).toMatchObject({ code: 'not-open' });
  });
});
