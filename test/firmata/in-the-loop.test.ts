/**
 * StandardFirmata in the loop: a whole factory reset, run by the real machine (runReset) through the `firmata`
 * driver, johnny-five, firmata-io and a SerialPortStream, into StandardFirmata running in avr8js, whose pins move the
 * jig over a simulated phone. It passes only on the simulator's truth: the phone is at factory defaults.
 *
 * Slow by nature: StandardFirmata never sleeps, so avr8js executes every cycle of the bench time (about 4x faster
 * than real time here). The phone boots on a quick timeline (quickBoot: its dark, Updater, application start and
 * reset screens pass 16x faster, and the controller's relay is off 2 s; its Cancel window, countdown, combo hold and keypad keep their own timings), so the
 * reset takes well under a minute of bench time instead of ~3.5 (the full timeline runs in test/serial and the
 * machine tests, on drivers that do not emulate every cycle).
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { runReset } from '../../src/machines/run-reset.js';
import { FIRMATA_RELAY_PIN } from '../../src/bench/firmata.js';
import { firmataRig } from './helpers.js';

describe('StandardFirmata in the loop', () => {
  it('factory-resets a simulated VVX 410 through the firmata driver', { timeout: 600_000 }, async () => {
    // The controller's side of the shortened timeline: the relay off 2 s instead of the seed's 10 s.
    const vvx = getCatalog().find('VVX 410');
    const model = { ...vvx, timing: { ...vvx.timing, powerOffMs: 2_000 } };
    const rig = firmataRig({ modelId: model.id, seed: 7, quickBoot: 1 / 16 });
    await rig.run(rig.driver.open());
    const record = await rig.run(runReset({ model, mac: '0004f2aa814c', bench: rig.bench, clock: rig.clock }), 30 * 60_000);

    const truth = rig.phone.truth();
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.resets).toBe(1);
    // The quick timeline took effect: the whole reset in under 40 s of bench time (about 190 s on the full one).
    expect(record.durationMs).toBeLessThan(40_000);
    expect(record.outcome).toBe('pass');
    expect(record.bench).toMatchObject({ driver: 'firmata', firmware: { name: 'StandardFirmata.ino', version: '2.4' } });
    // The phone's combo really was held through the Uno's pins: its keys went down together on the jig.
    const trace = rig.jig.trace();
    for (const key of truth.combo) expect(trace.some((e) => e.key === key && e.on)).toBe(true);
    // The bench ends with the phone powered and every solenoid off.
    expect(rig.pins.highPins()).toEqual([FIRMATA_RELAY_PIN]);

    await rig.run(rig.driver.close());
    expect(rig.pins.highPins()).toEqual([]);
    rig.dispose();
  });
});
