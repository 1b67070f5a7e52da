import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { DEFAULT_ADMIN_PASSWORDS } from '../../src/catalog/provisioning.js';
import type { PhoneModel } from '../../src/catalog/types.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { ConfigError } from '../../src/errors/errors.js';
import { planProvisioning, runProvision } from '../../src/machines/provision.js';
import { createSimBench } from '../../src/sim/driver.js';
import type { SimPhoneTruth } from '../../src/sim/phone.js';
import { simModelIds } from '../../src/sim/phones.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import { holdsExactly, SEED_002, simProvision } from './helpers.js';

/** Every catalog model with a Setup menu in the seeds that the simulator has a phone for. */
const provisionable = getCatalog().models.filter((m) => {
  try {
    planProvisioning(m, SEED_002);
    return simModelIds().includes(m.id);
  } catch {
    return false;
  }
});

describe('provisioning on the simulated phone', () => {
  it('covers the VVX and the SoundPoint/SoundStation Setup menus', () => {
    const families = new Set(provisionable.map((m) => m.family));
    expect(families).toContain('vvx');
    expect(families).toContain('soundpoint-ip');
    expect(families).toContain('soundstation-ip');
  });

  it.each(provisionable.map((m, i) => ({ id: m.id, seed: 100 + i })))(
    '$id seed $seed: the phone ends with exactly the settings asked, and pass means it does',
    async ({ id, seed }) => {
      const request = { serverType: 'HTTPS' as const, serverAddress: 'pccfg.8x8.com/polycomuc/', serverUser: 'u8x8', serverPassword: 'Pw.9/z', sntpAddress: 'pool.ntp.org' };
      const { record, sim } = await simProvision({ model: id, seed, request });
      if (!(sim.phone.truth() as SimPhoneTruth).variant.cycle!.includes('ABC')) {
        // This phone's keypad has no upper case (a two-mode 123 <-> abc field): the P of the password cannot be typed.
        // It must fail and say so, with nothing saved.
        expect(record.outcome).toBe('fail');
        expect(record.failure?.code).toBe('mode-unreachable');
        expect(sim.phone.truth().setup!.saves).toBe(0);
        return;
      }
      expect(record.outcome, `${record.summary} ${JSON.stringify(record.failure)}`).toBe('pass');
      expect(holdsExactly(sim, request)).toBe(true);
      expect(sim.phone.truth().setup!.saves).toBe(1);
      // Nothing else happened to the phone: no reset.
      expect(sim.phone.truth().resets).toBe(0);
    },
  );

  it('leaves the SNTP address as it is when none is asked', async () => {
    const { record, sim, request } = await simProvision({ seed: 8 });
    expect(record.outcome).toBe('pass');
    expect(holdsExactly(sim, request, '')).toBe(true);
  });

  it('replaces values the phone already holds (it clears each field first)', async () => {
    const first = await simProvision({ seed: 21, request: { serverAddress: 'old.example.com/x', serverUser: 'olduser', serverPassword: 'oldpassword', sntpAddress: 'old.ntp' } });
    expect(first.record.outcome).toBe('pass');
    // The same phone again, with shorter values: leftovers of the old ones would show.
    const clock = first.clock;
    const request = { serverType: 'HTTPS' as const, serverAddress: 'new.io', serverUser: 'nu', serverPassword: 'np', sntpAddress: 'n.ntp' };
    const record = await clock.runUntil(runProvision({ model: first.model, request, bench: first.sim.bench, clock }));
    expect(record.outcome).toBe('pass');
    expect(holdsExactly(first.sim, request)).toBe(true);
    expect(first.sim.phone.truth().setup!.saves).toBe(2);
  });
});

describe('admin password fallbacks (seed 002: "Enter 456 (if this doesn\'t work please try 789 or 1966)")', () => {
  it.each(DEFAULT_ADMIN_PASSWORDS.map((pw, i) => ({ pw, i, attempts: i + 1 })))(
    'a phone whose admin password is $pw is provisioned in $attempts attempt(s), trying the list in order',
    async ({ pw, i }) => {
      for (const model of ['VVX 410', 'IP 550']) {
        const { record, sim, request } = await simProvision({ model, seed: 30 + i, options: { adminPassword: pw } });
        expect(record.outcome).toBe('pass');
        expect(holdsExactly(sim, request)).toBe(true);
        expect(record.attempts).toBe(i + 1);
        expect(record.attemptLog.map((a) => a.adminPasswordIndex)).toEqual([0, 1, 2].slice(0, i + 1));
        expect(record.attemptLog.slice(0, i).every((a) => a.failure?.code === 'setup-password-rejected')).toBe(true);
        // Each rejection is the phone's own: it saw that many wrong passwords.
        expect(sim.phone.truth().events.filter((e) => e.what.startsWith('setup-password-submitted')).length).toBe(i);
      }
    },
  );

  it('a phone whose password is none of them fails after the three, untouched, and says why', async () => {
    const { record, sim } = await simProvision({ seed: 40, options: { adminPassword: '2468' } });
    expect(record.outcome).toBe('fail');
    expect(record.failure?.code).toBe('admin-password-rejected');
    expect(record.failure?.reason).toMatch(/456, 789, 1966/);
    expect(record.attempts).toBe(3);
    expect(sim.phone.truth().setup!.saves).toBe(0);
  });

  it('the fallbacks do not eat the retries for other failures', async () => {
    // A 1966 phone whose Cancel/OK softkey misfires now and then: two rejections and two other failures, then a
    // pass on the 5th attempt, one more than the timing profile's attempts.
    const { record, sim, request } = await simProvision({
      seed: 12,
      options: { adminPassword: '1966' },
      faults: { misfire: [{ key: 'softkey1', p: 0.15 }] },
    });
    expect(record.outcome).toBe('pass');
    expect(holdsExactly(sim, request)).toBe(true);
    const max = getCatalog().find('VVX 410').timing.maxAttempts;
    expect(record.attempts).toBeGreaterThan(max);
    const failures = record.attemptLog.filter((a) => a.result === 'fail');
    expect(failures.filter((a) => a.failure?.code === 'setup-password-rejected')).toHaveLength(2);
    expect(failures.filter((a) => a.failure?.code !== 'setup-password-rejected').length).toBeLessThan(max);
    expect(record.attemptLog.at(-1)!.adminPasswordIndex).toBe(2);
  });
});

describe('typing the fields: * for . and # for / (seeds 002, 003)', () => {
  for (const model of ['VVX 410', 'SoundPoint IP 335']) {
    it(`${model}: every . is a * and every / is a # on the jig, and the phone holds the dots and slashes`, async () => {
      const request = { serverAddress: 'a.b.c/d/e', serverUser: 'x.y', serverPassword: 'p/q', sntpAddress: 'n.t.p' };
      const { record, sim } = await simProvision({ model, seed: 50, request, options: { adminPassword: '456' } });
      expect(record.outcome).toBe('pass');
      expect(holdsExactly(sim, { ...SEED_002, ...request })).toBe(true);
      const presses = (key: string) => sim.jig.trace().filter((e) => e.key === key && e.on).length;
      const all = Object.values(request).join('');
      expect(presses('*')).toBe([...all].filter((c) => c === '.').length);
      expect(presses('#')).toBe([...all].filter((c) => c === '/').length);
    });
  }
});

describe('failures', () => {
  it('key bounce and misfires while typing: fields are checked, retyped or retried; pass only with every visible value right', async () => {
    let passed = 0;
    let recovered = 0;
    for (let seed = 0; seed < 8; seed++) {
      const { record, sim, request } = await simProvision({
        seed: 200 + seed,
        options: { adminPassword: '456' },
        faults: { bounce: 0.005, misfire: [{ key: '2', p: 0.03 }] },
      });
      const t = sim.phone.truth().setup!;
      if (record.outcome === 'pass') {
        // The password shows only as stars: its length is all a pass can vouch for (see provision.ts).
        expect(t).toEqual({
          serverType: request.serverType,
          serverAddress: request.serverAddress,
          serverUser: request.serverUser,
          sntpAddress: '',
          serverPasswordLength: request.serverPassword.length,
          saves: 1,
        });
        passed++;
      } else {
        expect(t.saves).toBe(0); // a run that fails never saved anything
      }
      const mended = sim.phone.truth().events.some((e) => e.what.startsWith('key-')) && record.outcome === 'pass';
      if (mended) recovered++;
    }
    expect(passed).toBeGreaterThan(0);
    // Some runs met a fault and still ended with every setting right.
    expect(recovered).toBeGreaterThan(0);
  });

  it('a Cancel window too short to catch fails as a phone failure after every attempt, the phone untouched', async () => {
    // A camera sees the softkey 150 ms late: a 50 ms window is gone before Cancel can land.
    const { record, sim } = await simProvision({ seed: 3, options: { adminPassword: '456' }, faults: { shortCancelWindowMs: 50, observerLatencyMs: 150 } });
    expect(record.outcome).toBe('fail');
    expect(record.failure?.class).toBe('phone');
    expect(record.attempts).toBe(getCatalog().find('VVX 410').timing.maxAttempts);
    expect(sim.phone.truth().setup!.saves).toBe(0);
  });

  it('a serial line lost mid-run is a bench error', async () => {
    const { record } = await simProvision({ seed: 4, options: { adminPassword: '456' }, faults: { linkLostAfterCommands: 30 } });
    expect(record.outcome).toBe('error');
    expect(record.failure?.class).toBe('bench');
  });

  it('aborted mid-menu: everything released, relay off, nothing saved', async () => {
    const { record, sim } = await simProvision({ seed: 5, options: { adminPassword: '456' }, abortWhen: (s) => s.phone.state === 'setup' });
    expect(record.outcome).toBe('aborted');
    expect(sim.jig.energised()).toEqual([]);
    expect(sim.jig.relayOn()).toBe(false);
    expect(sim.phone.truth().setup!.saves).toBe(0);
  });

  it('refuses, before anything moves: a blind bench, a model without a Setup menu, untypeable text', async () => {
    const refusal = async (model: PhoneModel, request: Partial<typeof SEED_002>, blind = false) => {
      const clock = new VirtualClock();
      const sim = createSimBench({ modelId: 'vvx-410', mac: '0004f2aa814c', fixture: fixtureFor(model), clock, seed: 1, ...(blind ? { blind } : {}) });
      await sim.driver.open();
      try {
        await clock.runUntil(runProvision({ model, request: { ...SEED_002, ...request }, bench: sim.bench, clock }));
      } catch (err) {
        expect(sim.jig.trace()).toEqual([]);
        return err as ConfigError;
      }
      throw new Error('expected a refusal');
    };
    const vvx = getCatalog().find('VVX 410');
    expect((await refusal(vvx, {}, true)).code).toBe('provision-needs-observer');
    expect((await refusal({ ...vvx, family: 'ccx' }, {})).code).toBe('no-provisioning');
    expect((await refusal(vvx, { serverAddress: 'https://x.io' })).code).toBe('bad-server-address');
    const colon = await refusal(vvx, { serverAddress: 'x.io:8080' });
    expect(colon).toBeInstanceOf(ConfigError);
    expect(colon.message).toMatch(/^--server: character ':'/);
    const secret = await refusal(vvx, { serverPassword: 'top:secret' });
    expect(secret.message).toMatch(/^--password: the character at position 4 cannot be typed/);
    expect(secret.oneLine()).not.toContain('top:secret');
    expect(secret.oneLine()).not.toContain('secret');
  });

  it('the record never holds the password', async () => {
    const password = 'Zq.9/secretword';
    // Seed 8: a phone whose keypad has upper case (the password has a capital).
    const { record } = await simProvision({ seed: 8, request: { serverPassword: password }, options: { adminPassword: '789' } });
    expect(record.outcome).toBe('pass');
    expect(record.settings.serverPassword).toBe('***');
    expect(JSON.stringify(record)).not.toContain(password);
    expect(JSON.stringify(record)).not.toContain('secretword');
  });
});
