/**
 * The serial driver against the real firmware: firmware/resetbot.hex in avr8js, through a real SerialPortStream on the
 * emulated USART (src/sim/avr/binding.ts), on a VirtualClock. What the bench did is read off the decoded 74HC595
 * outputs and the relay pin.
 */
import { describe, expect, it } from 'vitest';
import { FIRMWARE_VERSION, STOP_BYTE } from '../../src/protocol/version.js';
import { avrRig } from './helpers.js';

const STOP = String.fromCharCode(STOP_BYTE);

describe('serial driver on the real firmware', () => {
  it('opens on the banner the DTR reset prints, and the firmware agrees with what it reports', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    expect(r.driver.info.firmware).toEqual({ name: 'resetbot-fw', version: FIRMWARE_VERSION, protocol: 1 });
    expect(r.driver.info.channels).toBe(32);
    expect(r.received()).toBe(`${STOP}power 1 off\n`);
    await r.run(r.driver.close());
    r.board.powerOff();
  });

  it('a combo press switches every key at one latch edge, for its time', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    const from = r.outputs.length;
    await r.run(r.driver.press([1, 3, 5, 7], 3000));
    const changes = r.outputs.slice(from);
    expect(changes.map((c) => c.value)).toEqual([[1, 3, 5, 7], []]);
    const held = changes[1]!.t - changes[0]!.t;
    expect(held).toBeGreaterThanOrEqual(3000);
    expect(held).toBeLessThan(3002);
    await r.run(r.driver.close());
    r.board.powerOff();
  });

  it('a hold outlasts the firmware\'s watchdog because the driver keeps it fed', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    await r.run(r.driver.hold([2, 4]));
    await r.wait(10_000);
    expect(r.board.channels()).toEqual([2, 4]);
    await r.run(r.driver.release([2, 4]));
    expect(r.board.channels()).toEqual([]);
    await r.run(r.driver.close());
    r.board.powerOff();
  });

  it('Ctrl-C mid-press: the abort releases, the stop byte goes first, every decoded output and the relay go off', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    await r.run(r.driver.hold([1, 3, 5]));
    const ac = new AbortController();
    const pressed = r.driver.press([20, 21], 8000, ac.signal);
    let abortedAt = 0;
    let sentBefore = 0;
    r.clock.setTimeout(() => {
      abortedAt = r.clock.now();
      sentBefore = r.received().length;
      ac.abort(new Error('interrupted'));
      // what reset.ts does on Ctrl-C: abort the run, whose last act is releaseAll
      void r.driver.releaseAll();
    }, 2000);
    await expect(r.run(pressed)).rejects.toThrow('interrupted');
    await r.wait(50);
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    // after the abort: the press's own release, then releaseAll: the stop byte first, then power off
    expect(r.received().slice(sentBefore)).toMatch(new RegExp(`^release \\d+ 20,21\n${STOP}power \\d+ off\n$`));
    // everything went off within a few milliseconds of the abort, channels and relay at the same instant (the stop)
    const lastOff = r.outputs.at(-1)!;
    expect(lastOff.value).toEqual([]);
    expect(lastOff.t - abortedAt).toBeLessThan(5);
    expect(r.relay.at(-1)!.value).toBe(false);
    expect(r.relay.at(-1)!.t - abortedAt).toBeLessThan(5);
    await r.run(r.driver.close());
    r.board.powerOff();
  });

  it('close() releases before it closes: outputs and relay off long before the firmware\'s watchdog would act', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    await r.run(r.driver.hold([0, 8, 16, 24, 31]));
    const t = r.clock.now();
    await r.run(r.driver.close());
    expect(r.board.channels()).toEqual([]);
    // the firmware's watchdog never switches the relay off: only the driver's release did
    expect(r.board.relay()).toBe(false);
    expect(r.clock.now() - t).toBeLessThan(50);
    r.board.powerOff();
  });

  it('the board resetting mid-run is a bench failure: the waiting press rejects, board-reset is reported', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    await r.run(r.driver.setPower(true));
    const pressed = r.driver.press([1, 3, 5], 5000);
    r.clock.setTimeout(() => r.board.reset(), 1500); // a brown-out, or the reset button
    await expect(r.run(pressed)).rejects.toMatchObject({ code: 'board-reset', failureClass: 'bench' });
    expect(r.events.map((e) => e.kind)).toEqual(['board-reset']);
    expect(r.board.channels()).toEqual([]);
    expect(r.board.relay()).toBe(false);
    await r.run(r.driver.press([2], 100)); // the driver carries on with the new session
    await r.run(r.driver.close());
    r.board.powerOff();
  });

  it('reads the analog sensor', async () => {
    const r = avrRig();
    await r.run(r.driver.open());
    r.board.setAnalog(0, 700);
    expect(await r.run(r.driver.readSensor())).toBe(700);
    await r.run(r.driver.close());
    r.board.powerOff();
  });
});
