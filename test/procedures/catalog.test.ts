import { describe, expect, it } from 'vitest';
import { fixtureFor } from '../../src/bench/jigs.js';
import { isKnownKey } from '../../src/bench/keys.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { MODELS } from '../../src/catalog/models.js';
import { softwareBefore } from '../../src/catalog/procedures.js';
import type { PhoneModel, ProcedureStep } from '../../src/catalog/types.js';
import { ConfigError } from '../../src/errors/errors.js';
import { benchNeeds, fixtureProblems, keysNeeded } from '../../src/machines/needs.js';
import { resolveReboot, resolveRun } from '../../src/machines/run-reset.js';
import { simUnitIds } from '../../src/sim/driver.js';

const catalog = getCatalog();

/** Every step list of a model: its procedure's, and each menu-reset choice's. */
function stepLists(m: PhoneModel): ProcedureStep[][] {
  return [m.procedure, ...(m.alternatives ?? [])].flatMap((p) =>
    p.kind === 'menu-reset' ? Object.values(p.choices).map((c) => c.steps) : 'steps' in p ? [p.steps] : [],
  );
}

describe('the names a technician types', () => {
  it.each([
    ['Edge E350', 'edge-e350'],
    ['E350', 'edge-e350'],
    ['Poly Edge E100', 'edge-e100'],
    ['edge-e550', 'edge-e550'],
    ['Edge B30', 'edge-b30'],
    ['B10', 'edge-b10'],
    ['CCX 500', 'ccx-500'],
    ['CCX400', 'ccx-400'],
    ['Poly CCX 700', 'ccx-700'],
    ['Trio C60', 'trio-c60'],
    ['C60', 'trio-c60'],
    ['Trio 8800', 'trio-8800'],
    ['RealPresence Trio 8500', 'trio-8500'],
    ['Visual+', 'trio-visual-plus'],
    ['RealPresence Trio Visual+', 'trio-visual-plus'],
    ['VisualPro', 'trio-visualpro'],
    ['Poly Trio VisualPro', 'trio-visualpro'],
    ['Rove B2', 'rove-b2'],
    ['Poly Rove B1 Base Station', 'rove-b1'],
    ['VVX D60', 'vvx-d60-base'],
    ['D230 base', 'vvx-d230-base'],
    ['VVX 250 new hardware', 'vvx-250-nh'],
    ['VVX 450 (new hardware)', 'vvx-450-nh'],
    ['VVX 250', 'vvx-250'],
  ])('%s is %s', (typed, id) => {
    expect(catalog.find(typed).id).toBe(id);
  });
});

describe('every model says where it comes from, and every step why', () => {
  it.each(MODELS.map((m) => m.id))('%s', (id) => {
    const m = catalog.find(id);
    expect(m.sources.join(' ')).toMatch(/seed 00[0-3]|https:\/\//);
    for (const steps of stepLists(m)) {
      for (const s of steps) expect(s.why, `${id} ${s.do}`).toMatch(/seed 00[0-3]|NocTel|https:\/\/|assumption|must|start|combo|boots|menus/);
      expect(steps.at(-1)?.do, id).toBe('confirm');
      for (const s of steps) if ('keys' in s) for (const k of s.keys) expect(isKnownKey(k), `${id}: ${k}`).toBe(true);
    }
  });

  it('the seeds show the Trio 8800/8500 and Visual+ restore only as a picture: the catalog says so and cites its public source', () => {
    for (const id of ['trio-8800', 'trio-8500']) {
      const m = catalog.find(id);
      expect(m.sources.join(' ')).toMatch(/picture/);
      expect(m.sources.join(' ')).toMatch(/https:\/\/noctel\.com/);
    }
    const plus = catalog.find('Visual+');
    expect(plus.procedure.kind).toBe('unsupported');
  });

  it('the VVX 250/350/450 on new hardware are refused, citing seed 001', () => {
    for (const n of ['250', '350', '450']) {
      const err = (() => {
        try {
          resolveRun(catalog.find(`VVX ${n} (new hardware)`), '0004f2aa814c');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(new RegExp(`VVX ${n}.*6\\.4\\.3.*has changed, and does not say how`));
      expect(catalog.find(`VVX ${n} (new hardware)`).sources.join(' ')).toMatch(/seed 001.*6\.4\.3/);
    }
  });
});

describe('every runnable model runs on its default jig, and the simulator has it', () => {
  const runnable = MODELS.filter((m) => m.procedure.kind !== 'unsupported');
  it.each(runnable.map((m) => m.id))('%s', (id) => {
    const m = catalog.find(id);
    for (const mac of ['0123456789ab', 'cdef01234567']) expect(fixtureProblems(resolveRun(m, mac), fixtureFor(m))).toEqual([]);
    if (m.rebootCombo) expect(fixtureProblems(resolveReboot(m), fixtureFor(m))).toEqual([]);
    expect(simUnitIds()).toContain(id);
  });
});

describe('what a procedure needs of a bench', () => {
  it('keysNeeded for step procedures lists their keys, touch points and buttons', () => {
    expect(keysNeeded(catalog.find('Trio C60'), []).sort()).toEqual(['corner-bl', 'corner-br', 'corner-tl', 'corner-tr']);
    expect(keysNeeded(catalog.find('Rove B1'), [])).toEqual(['pair']);
    expect(keysNeeded(catalog.find('VisualPro'), []).sort()).toEqual(['power', 'restore']);
    expect(keysNeeded(catalog.find('Edge B20'), []).sort()).toEqual(['back', 'home']);
  });

  it('the relay: Edge B and VisualPro switch the power themselves; the touch phones power-cycle; the bases need none', () => {
    const relay = (name: string) => benchNeeds(resolveRun(catalog.find(name), '0004f2aa814c')).relay;
    expect(relay('Edge B30')).toBe('required');
    expect(relay('VisualPro')).toBe('required');
    expect(relay('Trio C60')).toBe('power-cycle');
    expect(relay('VVX 410')).toBe('power-cycle');
    expect(relay('Rove B1')).toBe('none');
  });

  it('the longest hold: the Rove holds 22 s (seed 001 "at least 20 seconds" with margin), more than the reference board allows', () => {
    expect(benchNeeds(resolveRun(catalog.find('Rove B2'), '0004f2aa814c')).longestHoldMs).toBe(22_000);
    expect(benchNeeds(resolveRun(catalog.find('Trio C60'), '0004f2aa814c')).longestHoldMs).toBeLessThanOrEqual(20_000);
  });

  it('menu resets need an observer; nothing else does', () => {
    const m = catalog.find('VVX 410');
    expect(benchNeeds(resolveRun(m, '0004f2aa814c', { procedure: 'menu-reset', adminPassword: '456' })).observer).toBe(true);
    expect(benchNeeds(resolveRun(m, '0004f2aa814c')).observer).toBe(false);
  });
});

describe('run choices are checked before anything moves', () => {
  const vvx = catalog.find('VVX 410');
  it.each([
    [{ procedure: 'touch-hold' }, /has no procedure 'touch-hold'.*cancel-combo, menu-reset/],
    [{ procedure: 'menu-reset' }, /needs its admin password/],
    [{ procedure: 'menu-reset', adminPassword: '456', menuChoice: 'wipe' }, /no choice 'wipe'.*local, web, device, format, factory, reboot/],
    [{ menuChoice: 'local' }, /--menu-reset is for the menu reset/],
    [{ adminPassword: '' }, /empty/],
  ])('%j', (choices, message) => {
    let err: unknown;
    try {
      resolveRun(vvx, '0004f2aa814c', choices);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).oneLine()).toMatch(message);
  });

  it('a password for a procedure that types none is refused', () => {
    expect(() => resolveRun(catalog.find('Trio C60'), '0004f2aa814c', { adminPassword: '456' })).toThrow(/types no password/);
  });

  it('a step procedure that does not end with confirm is refused: nothing could make it pass honestly', () => {
    const c60 = catalog.find('Trio C60');
    const p = c60.procedure.kind === 'touch-hold' ? c60.procedure : undefined;
    const broken = { ...c60, procedure: { ...p!, steps: p!.steps.slice(0, -1) } };
    expect(() => resolveRun(broken, '0004f2aa814c')).toThrow(/does not end with a 'confirm' step/);
  });

  it('a model without a reboot combo cannot reboot', () => {
    expect(() => resolveReboot(catalog.find('IP 320'))).toThrow(/no reboot combo/);
  });
});

describe('software versions', () => {
  it.each([
    ['3.2.7', '3.3.0', true],
    ['3.3.0', '3.3.0', false],
    ['3.10.0', '4.0.0', true],
    ['4.0.15', '4.0.0', false],
    ['4', '4.0.0', false],
    ['10.0.0', '4.0.0', false],
  ] as const)('%s before %s: %s', (v, than, before) => {
    expect(softwareBefore(v, than)).toBe(before);
  });
});
