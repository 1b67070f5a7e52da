import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../src/bench/fixture.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import type { PhoneModel } from '../../src/catalog/types.js';
import { ConfigError } from '../../src/errors/errors.js';
import { stepMachine } from '../../src/machines/steps.js';
import type { SimPhoneTruth } from '../../src/sim/phone.js';
import { machineStates, simRun, statePaths, type SimRun } from '../machines/helpers.js';

/*
 * The controller on the simulated bench, for every procedure: a `pass` only when the simulated unit's own truth says
 * it reset; a blind bench never passes; a gesture the bench could not complete (a misfiring solenoid, a hold cut by
 * the board, a wrong password) fails, classified, and leaves the unit as it was.
 */

const STEP_MODELS = ['Edge B30', 'Trio C60', 'Trio 8800', 'Trio 8500', 'CCX 500', 'CCX 600', 'CCX 700', 'CCX 400', 'Rove B1', 'Rove B2', 'VVX D60', 'VVX D230', 'VisualPro'];

describe('step procedures on the simulator: pass exactly when the unit reset', () => {
  const cases = STEP_MODELS.flatMap((model) => [11, 12, 13].map((seed) => ({ model, seed })));
  it.each(cases)('$model seed $seed (labels trusted)', async ({ model, seed }) => {
    const { record, truth } = await simRun({ model, seed, choices: { trustLabel: true } });
    expect(record.outcome, `${record.summary} ${JSON.stringify(record.failure)}`).toBe('pass');
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.resets).toBe(1);
    expect(record.resetKind).toBe('factory');
    expect(record.attempts).toBe(1);
  });

  it.each(STEP_MODELS)('%s without --trust-label: the unit resets, but nothing proved which it was: unverified, identity by label', async (model) => {
    const { record, truth } = await simRun({ model, seed: 11 });
    expect(truth.factoryDefaults).toBe(true);
    expect(record.outcome).toBe('unverified');
    expect(record.failure?.code).toBe('identity-unproven');
    expect(record.identity).toEqual({ by: 'label', mac: '0004f2aa814c' });
  });

  it.each(STEP_MODELS)('%s with a misread label: never pass, even though the unit in the jig reset', async (model) => {
    const { record, truth } = await simRun({ model, seed: 12, realMac: '0004f2000001' });
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.mac).toBe('0004f2000001');
    expect(record.outcome).not.toBe('pass');
  });

  it.each(STEP_MODELS)('%s on a blind bench: unverified, never pass', async (model) => {
    const { record } = await simRun({ model, seed: 21, blind: true });
    expect(record.outcome).toBe('unverified');
    expect(record.observed).toBe(false);
    expect(record.resetKind).toBeUndefined();
  });

  it('every step is in the record, with what it did', async () => {
    const { record } = await simRun({ model: 'CCX 400', seed: 3 });
    expect(record.steps.map((s) => `${s.step}: ${s.detail ?? ''}`)).toEqual([
      'power-cycle: ',
      'wait-for: the Poly logo',
      'press: corner-tl+corner-tr+corner-bl+corner-br for 1500 ms',
      'wait-for: the MWI LED is red',
      'hold: corner-tl+corner-tr+corner-bl+corner-br',
      'wait-for: the screen goes blank',
      'release: corner-tl+corner-tr+corner-bl+corner-br',
      'confirm: the Poly logo, then the Android "erasing" screen, then the idle screen',
    ]);
    expect(record.attemptLog[0]!.combo).toEqual(['corner-tl', 'corner-tr', 'corner-bl', 'corner-br']);
    expect(record.attemptLog[0]!.macCase).toBeUndefined();
  });
});

describe('a gesture the bench cannot complete leaves the unit as it was, and the controller says so', () => {
  it('Trio C60 with one corner actuator that never lands: no Mute flash, a phone failure, retried, not reset', async () => {
    const { record, truth } = await simRun({ model: 'Trio C60', seed: 4, faults: { misfire: [{ key: 'corner-br', p: 1 }] } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.outcome).toBe('fail');
    expect(record.failure).toMatchObject({ class: 'phone', code: 'no-mute-flash' });
    expect(record.attempts).toBe(getCatalog().find('Trio C60').timing.maxAttempts);
  });

  it('Rove whose serial line drops 10 s into the Pair hold (a long press cut short by the watchdog): a bench error, not reset', async () => {
    // The same seed gives the same timeline: find when the Pair press starts, then drop the line 10 s into it.
    const probe = await simRun({ model: 'Rove B2', seed: 5 });
    const pressAt = probe.sim.jig.trace().find((t) => t.key === 'pair' && t.on)!.t;
    const { record, truth } = await simRun({ model: 'Rove B2', seed: 5, faults: { linkLostAtMs: pressAt + 10_000 } });
    expect(truth.factoryDefaults).toBe(false);
    expect(truth.events.some((e) => e.what === 'pair-released-too-soon')).toBe(true);
    expect(record.outcome).toBe('error');
    expect(record.failure).toMatchObject({ class: 'bench', code: 'link-lost' });
  });

  it('a board that cuts holds sooner than the procedure needs is refused before anything moves', async () => {
    await expect(simRun({ model: 'Rove B2', seed: 5, maxHoldMs: 15_000 })).rejects.toThrow(/cuts any hold at 15 s/);
  });

  it('Edge B whose Back key misfires: the MWI LED never blinks, not reset', async () => {
    const { record, truth } = await simRun({ model: 'Edge B30', seed: 6, faults: { misfire: [{ key: 'back', p: 1 }] } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.failure).toMatchObject({ class: 'phone', code: 'no-mwi-blink' });
  });

  it('CCX 500 whose corner solenoid is stuck off: no "Factory mode initiated", not reset', async () => {
    const fixture = fixtureFor(getCatalog().find('CCX 500'));
    const { record, truth } = await simRun({ model: 'CCX 500', seed: 7, faults: { stuckOff: [fixture.keys['corner-tl']!] } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.failure).toMatchObject({ class: 'phone', code: 'no-factory-mode' });
  });

  it('VisualPro whose restore pin misfires: a normal start, no restore screen, not reset', async () => {
    const { record, truth } = await simRun({ model: 'VisualPro', seed: 8, faults: { misfire: [{ key: 'restore', p: 1 }] } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.failure).toMatchObject({ class: 'phone', code: 'no-reset' });
  });

  it('a slow first attempt is retried from its first step, and then passes on the truth', async () => {
    const { record, truth } = await simRun({ model: 'CCX 400', seed: 9, faults: { misfire: [{ key: 'corner-tl', p: 0.3 }] }, choices: { trustLabel: true } });
    expect(record.outcome === 'pass').toBe(truth.factoryDefaults);
    for (const a of record.attemptLog.slice(1)) {
      expect(record.steps.find((s) => s.attempt === a.attempt)?.step).toBe('power-cycle');
    }
  });

  it('Ctrl-C with the corners held: every actuator released, the relay off', async () => {
    const { record, sim } = await simRun({ model: 'Trio C60', seed: 10, abortWhen: (s) => s.jig.energised().length === 4 });
    expect(record.outcome).toBe('aborted');
    expect(sim.jig.energised()).toEqual([]);
    expect(sim.jig.relayOn()).toBe(false);
  });

  it('the step machine: the scenarios above enter every one of its states', async () => {
    const seen = new Set<string>();
    const scenarios: SimRun[] = [
      { model: 'Trio C60', seed: 11 },
      { model: 'Trio C60', seed: 11, blind: true },
      { model: 'Trio C60', seed: 4, faults: { misfire: [{ key: 'corner-br', p: 1 }] } },
      { model: 'Trio C60', seed: 10, abortWhen: (s) => s.jig.energised().length === 4 },
    ];
    for (const run of scenarios) await simRun({ ...run, recordPaths: (v) => statePaths(v).forEach((p) => seen.add(p)) });
    expect(machineStates(stepMachine.root).filter((s) => !seen.has(s))).toEqual([]);
  });
});

describe('the menu reset (seeds 001 and 003), with the admin password known', () => {
  const choices = ['factory', 'local', 'web', 'device', 'format', 'reboot'] as const;
  const expected: Record<(typeof choices)[number], (t: SimPhoneTruth) => boolean> = {
    factory: (t) => t.factoryDefaults,
    local: (t) => t.config.localConfig && !t.config.webConfig && !t.factoryDefaults,
    web: (t) => t.config.webConfig && !t.config.localConfig && !t.factoryDefaults,
    device: (t) => t.config.deviceSettings && !t.config.webConfig && !t.factoryDefaults,
    format: (t) => t.config.fileSystemFormatted && !t.factoryDefaults,
    reboot: (t) => t.events.some((e) => e.what === 'menu-reboot') && !t.factoryDefaults,
  };
  it.each(choices.flatMap((c) => ['VVX 410', 'IP 335'].map((m) => ({ c, m }))))('$m, $c: passes, and the phone did exactly that', async ({ c, m }) => {
    const { record, truth } = await simRun({
      model: m,
      seed: 12,
      // The admin password proves nothing of which phone it is: the operator vouches for the label.
      choices: { procedure: 'menu-reset', adminPassword: '456', menuChoice: c, trustLabel: true },
      options: { adminPassword: '456' },
    });
    expect(record.outcome, `${record.summary} ${JSON.stringify(record.failure)}`).toBe('pass');
    expect(record.choice).toBe(c);
    expect(record.procedure).toBe('menu-reset');
    expect(expected[c](truth as SimPhoneTruth)).toBe(true);
  });

  it('a wrong admin password fails once, without retries, and resets nothing', async () => {
    const { record, truth } = await simRun({
      model: 'VVX 410',
      seed: 13,
      choices: { procedure: 'menu-reset', adminPassword: '123', menuChoice: 'factory' },
      options: { adminPassword: '456' },
    });
    expect(record.failure).toMatchObject({ class: 'phone', code: 'admin-password-rejected' });
    expect(record.attempts).toBe(1);
    expect(truth.factoryDefaults).toBe(false);
  });

  it('Reset to Factory on UC Software 3.x: the menu has no such item; the record says what it offers', async () => {
    const { record, truth } = await simRun({
      model: 'IP 335',
      seed: 14,
      choices: { procedure: 'menu-reset', adminPassword: '456' },
      options: { adminPassword: '456', software: '3.3.5' },
    });
    expect(record.failure?.code).toBe('menu-item-missing');
    expect(record.failure?.reason).toMatch(/no "Reset to Factory".*Format File System/);
    expect(record.attempts).toBe(1);
    expect(truth.factoryDefaults).toBe(false);
  });

  it('needs an observer: a blind bench is refused before anything moves', async () => {
    await expect(simRun({ model: 'VVX 410', seed: 15, blind: true, choices: { procedure: 'menu-reset', adminPassword: '456' } })).rejects.toThrow(
      /needs an observer/,
    );
  });
});

describe('the reboot combos (seed 001 "Rebooting the Phone")', () => {
  const withCombo = getCatalog().models.filter((m) => m.rebootCombo);
  it.each(withCombo.map((m) => m.id))('%s: pass only once the phone rebooted by its combo', async (id) => {
    const { record, truth } = await simRun({ model: id, seed: 16, reboot: true });
    expect(record.outcome, record.summary).toBe('pass');
    expect(truth.reboots).toBe(1);
    expect(record.resetKind).toBe('reboot');
  });

  it('a fixture without relay: the power cycle of the reset is the reboot combo, and the reset still passes on the truth', async () => {
    const base = fixtureFor(getCatalog().find('VVX 410'));
    const fixture = parseFixture({ name: 'poe', channels: base.channels, relay: false, keys: base.keys }, 'test');
    const { record, truth } = await simRun({ model: 'VVX 410', seed: 17, fixture });
    expect(record.outcome).toBe('pass');
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.reboots).toBeGreaterThanOrEqual(1);
    expect(record.steps[0]!.step).toBe('reboot-combo');
    expect(record.steps.some((s) => s.step === 'power-off')).toBe(false);
  });

  it('a fixture without relay, for a model the seeds give no reboot combo: refused before anything moves', async () => {
    const base = fixtureFor(getCatalog().find('IP 320'));
    const fixture = parseFixture({ name: 'poe', channels: base.channels, relay: false, keys: base.keys }, 'test');
    await expect(simRun({ model: 'IP 320', seed: 18, fixture })).rejects.toThrow(/no reboot combo/);
  });
});

describe('which reset happened: the software version (seed 001 NOTE)', () => {
  it.each([
    ['3.2.7', 'device-reset', ['countdown-without-cancel']],
    ['3.3.5', 'device-reset', ['press-cancel']],
    ['4.0.15', 'factory', ['press-cancel']],
  ] as const)('software %s: %s, and the truth agrees', async (software, kind, step) => {
    const { record, truth } = await simRun({ model: 'IP 335', seed: 19, options: { software } });
    const t = truth as SimPhoneTruth;
    // A device reset is not a factory reset: its own outcome (exit 8), never pass.
    expect(record.outcome).toBe(kind === 'factory' ? 'pass' : 'device-reset');
    expect(t.factoryDefaults).toBe(kind === 'factory');
    expect(record.software).toBe(software);
    expect(record.resetKind).toBe(kind);
    expect(kind === 'factory' ? t.factoryDefaults : t.events.some((e) => e.what === 'device-reset-complete')).toBe(true);
    for (const s of step) expect(record.steps.map((x) => x.step)).toContain(s);
  });

  it('a blind bench told the software is before 3.3.0 holds the combo without Cancel, and does not pass', async () => {
    const { record, truth } = await simRun({ model: 'IP 335', seed: 20, blind: true, options: { software: '3.2.7' }, choices: { software: '3.2.7' } });
    expect(record.outcome).toBe('unverified');
    expect(record.steps.map((s) => s.step)).not.toContain('press-cancel');
    expect((truth as SimPhoneTruth).events.some((e) => e.what === 'password-prompt')).toBe(true);
  });
});

describe('the MAC case when no source settles it (macCaseKnown false)', () => {
  const unsure = (name: string): PhoneModel => {
    const m = getCatalog().find(name);
    return { ...m, textEntry: { ...m.textEntry, macCase: 'lower', macCaseKnown: false } };
  };

  it('a phone that takes upper case only: lower is rejected, upper passes on the next attempt, and the log says so', async () => {
    const { record, truth } = await simRun({ model: unsure('VVX 410'), seed: 21, options: { caseRule: 'upper' } });
    expect(truth.factoryDefaults).toBe(true);
    expect(record.outcome).toBe('pass');
    expect(record.attemptLog.map((a) => [a.macCase, a.result, a.failure?.code])).toEqual([
      ['lower', 'fail', 'password-rejected'],
      ['upper', 'pass', undefined],
    ]);
  });

  it('a phone that takes lower case: the first attempt passes in lower case', async () => {
    const { record } = await simRun({ model: unsure('IP 335'), seed: 22, options: { caseRule: 'lower' } });
    expect(record.attemptLog.map((a) => a.macCase)).toEqual(['lower']);
    expect(record.outcome).toBe('pass');
  });

  it('a misread label: each case rejected in turn, never a pass', async () => {
    const { record, truth } = await simRun({ model: unsure('VVX 410'), seed: 23, realMac: '0004f2aa814d', options: { caseRule: 'upper' } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.outcome).toBe('fail');
    expect(record.attemptLog.map((a) => a.macCase)).toEqual(['lower', 'upper', 'lower', 'upper']);
  });

  it('a known lower-case rule never switches case, even when the phone wants upper', async () => {
    const { record, truth } = await simRun({ model: 'VVX 410', seed: 24, options: { caseRule: 'upper' } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.outcome).toBe('fail');
    expect(new Set(record.attemptLog.map((a) => a.macCase))).toEqual(new Set(['lower']));
  });

  it('the admin password typed instead of the MAC: no case in the record', async () => {
    const { record, truth } = await simRun({ model: 'VVX 410', seed: 25, choices: { adminPassword: '789' }, options: { adminPassword: '789' } });
    expect(truth.factoryDefaults).toBe(true);
    expect(record.attemptLog[0]!.macCase).toBeUndefined();
  });
});

describe('Poly Edge E (led-combo)', () => {
  it.each([1, 2, 3, 4])('seed %i: passes on the truth; typed in lower case (seed 001)', async (seed) => {
    const { record, truth } = await simRun({ model: 'Edge E350', seed });
    expect(record.outcome).toBe('pass');
    expect(truth.factoryDefaults).toBe(true);
    expect(record.steps.map((s) => s.step).slice(0, 4)).toEqual(['power-off', 'power-on', 'await-leds', 'hold-combo']);
    expect(record.attemptLog.every((a) => a.macCase === 'lower')).toBe(true);
  });

  it('a misread label: rejected every attempt, never a pass', async () => {
    const { record, truth } = await simRun({ model: 'Edge E100', seed: 5, realMac: '0004f2aa814d' });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.outcome).toBe('fail');
    expect(record.failure?.code).toBe('password-rejected');
  });
});

describe('refusals before anything moves', () => {
  it.each(['VVX 250 (new hardware)', 'VVX 350 NH', 'VVX 450 new hardware', 'Visual+'])('%s: the catalog refuses and says why, citing its source', async (name) => {
    const err = await simRun({ model: name, seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('unsupported-model');
    expect((err as ConfigError).message).toMatch(/seed 001/);
    expect((err as ConfigError).hint).toMatch(/--profiles/);
  });

  it('a Rove on a board that holds at most 20 s (the reference firmware): refused', async () => {
    const base = fixtureFor(getCatalog().find('Rove B1'));
    const fixture = parseFixture({ name: 'ref', channels: base.channels, keys: base.keys }, 'test');
    await expect(simRun({ model: 'Rove B1', seed: 1, fixture })).rejects.toThrow(/at most 20 s .* 22 s/);
  });

  it('a touch phone on the VVX jig: refused, naming the corners', async () => {
    const fixture = fixtureFor(getCatalog().find('VVX 410'));
    await expect(simRun({ model: 'CCX 500', seed: 1, fixture })).rejects.toThrow(/corner-tl.*corner-br/);
  });
});
