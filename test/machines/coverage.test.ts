import { describe, expect, it } from 'vitest';
import { factoryResetMachine } from '../../src/machines/factory-reset.js';
import { machineStates, simRun, statePaths, type SimRun } from './helpers.js';

/**
 * The scenarios the machine tests run, replayed here with every state recorded: together they must enter every state
 * of the machine, so no path of it goes untested against the simulator.
 */
const SCENARIOS: [string, SimRun][] = [
  ['pass', { mac: '0004f2aa814c', seed: 1 }],
  ['misread label', { mac: '0004f2aa814c', realMac: '0004f2aa814d', seed: 2 }],
  ['blind bench', { mac: '0004f2aa814c', seed: 3, blind: true }],
  ['combo of the other seed', { model: 'IP 560', mac: '0004f2123abc', seed: 3, options: { combo: ['1', '3', '5', '7'] } }],
  ['Cancel window missed', { mac: '0004f2aa814c', seed: 9, faults: { shortCancelWindowMs: 50, observerLatencyMs: 150 } }],
  ['OK never lands', { mac: '0004f2aa814c', seed: 104, model: 'IP 335', faults: { misfire: [{ key: 'softkey1', p: 1 }] } }],
  ['link lost', { mac: '0004f2aa814c', seed: 2, faults: { linkLostAfterCommands: 3 } }],
  ['slow boot past the reboot deadline', { mac: '0004f2aa814c', seed: 6, faults: { slowBoot: 3 } }],
  ['abort', { mac: '0004f2aa814c', seed: 4, abortWhen: (s) => s.jig.energised().length >= 3 }],
  // Poly Edge E (led-combo): its window is marked by LEDs.
  ['Edge E', { model: 'Edge E350', mac: '64167f0a1b2c', seed: 5 }],
  ['Edge E, blind', { model: 'Edge E350', mac: '64167f0a1b2c', seed: 5, blind: true }],
];

describe('state coverage of the factory-reset machine', () => {
  it('the scenarios together enter every state', async () => {
    const seen = new Set<string>();
    for (const [, run] of SCENARIOS) {
      const { states } = await simRun({ ...run, recordPaths: (v) => statePaths(v).forEach((p) => seen.add(p)) });
      expect(states.length).toBeGreaterThan(0);
    }
    const missing = machineStates(factoryResetMachine.root).filter((s) => !seen.has(s));
    expect(missing).toEqual([]);
  });
});
