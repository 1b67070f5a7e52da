/**
 * StandardFirmata in the loop: a whole factory reset, run by the real machine (runReset) through the `firmata`
 * driver, johnny-five, firmata-io and a SerialPortStream, into StandardFirmata running in avr8js, whose pins move the
 * jig over a simulated phone. It passes only on the simulator's truth: the phone is at factory defaults.
 *
 * Slow by nature: StandardFirmata never sleeps, so avr8js executes every cycle of the ~3.5 minutes of bench time
 * (about 4x faster than real time here).
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { runReset } from '../../src/machines/run-reset.js';
import { FIRMATA_RELAY_PIN } from '../../src/bench/firmata.js';
import { firmataRig } from './helpers.js';

describe('StandardFirmata in the loop', () => {
  it('factory-resets a simulated VVX 410 through the firmata driver', { timeout: 600_000 }, async () => {
    const model = getCatalog().find('VVX 410');
    const rig = firmataRig({ modelId: model.id, seed: 7 });
    await rig.run(rig.driver.open());
    const record = await rig.run(runReset({ model, mac: '0004f2aa814c', bench: rig.bench, clock: rig.clock }), 30 * 60_000);

    const truth = rig.phone.truth();
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.resets).toBe(1);
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
