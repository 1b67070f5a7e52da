import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFixturePath } from '../../src/bench/jigs.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { runCli as cli } from '../support/in-process.js';
import { expectOneLineError, type CliResult } from './run-cli.js';

/*
 * Every model of the catalog through the CLI on the simulator, as a user runs it (main() in this process: a child
 * process per run added a Node start-up and nothing else; test/cli/cli.test.ts runs the built command itself): a `pass` only on the simulator's
 * truth (its `simulator` account in the JSON), the exit code of the outcome, refusals with exit 2 before anything
 * moves. `reboot` and `check-fixture` the same way.
 */

/** The JSON a run printed; on anything else, a failure that shows what the command said. */
function json<T>(r: CliResult, what: string): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${what}: exit ${r.code}, no JSON on stdout; stderr: ${r.stderr.slice(0, 2000)}`);
  }
}

/** Runs the jobs at most `n` at a time, in order. */
async function pool<T, R>(items: T[], n: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await job(items[i]!);
      }
    }),
  );
  return out;
}

interface ResetJson {
  outcome: string;
  model: string;
  procedure: string;
  attempts: number;
  resetKind?: string;
  software?: string;
  failure?: { class: string; code: string; reason: string };
  steps: { step: string }[];
  simulator: { factoryDefaults: boolean; resets: number; reboots: number; deviceResetOnly?: boolean; events: { what: string }[] };
}

const models = getCatalog().models;
const runnable = models.filter((m) => m.procedure.kind !== 'unsupported');
const refused = models.filter((m) => m.procedure.kind === 'unsupported');

describe('resetbot reset: every model of the catalog on the simulator', () => {
  it('passes every runnable model, each pass on the simulator\'s truth, with exit 0', { timeout: 240_000 }, async () => {
    const jobs = runnable.flatMap((m) => [101, 202].map((seed) => ({ id: m.id, seed })));
    // --trust-label: the procedures that type no MAC cannot prove which phone they reset (tested on their own elsewhere).
    const results = await pool(jobs, 1, async ({ id, seed }) => ({ id, seed, r: await cli(['reset', '--model', id, '--mac', '0004F2AA814C', '--sim-seed', String(seed), '--trust-label', '--json']) }));
    for (const { id, seed, r } of results) {
      const out = json<ResetJson>(r, `${id} seed ${seed}`);
      const where = `${id} seed ${seed}: ${out.outcome} ${JSON.stringify(out.failure)}`;
      // The contract's fields (README "Commands"), then the truth.
      for (const k of ['outcome', 'model', 'mac', 'attempts', 'durationMs', 'steps', 'simulator']) expect(out, where).toHaveProperty(k);
      expect(out.model, where).toBe(id);
      expect(out.outcome, where).toBe('pass');
      expect(out.simulator.factoryDefaults, where).toBe(true);
      expect(out.simulator.resets, where).toBe(1);
      expect(out.resetKind, where).toBe('factory');
      expect(r.code, where).toBe(0);
      // A phone that took its own MAC as the password proved who it is; the others rest on the trusted label.
      const typesMac = out.procedure === 'cancel-combo' || out.procedure === 'led-combo';
      expect((out as ResetJson & { identity: { by: string } }).identity.by, where).toBe(typesMac ? 'password' : 'label');
    }
  });

  it.each(refused.map((m) => m.name))('%s: refused with exit 2, one line citing the seed, nothing run', async (name) => {
    const r = await cli(['reset', '--model', name, '--mac', '0004F2AA814C', '--sim-seed', '1']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/cannot reset .*seed 001.*--profiles/);
    expect(r.stdout).toBe('');
  });

  it('a blind bench (--sim-blind) never passes: unverified, exit 3, for each kind of procedure', { timeout: 120_000 }, async () => {
    const names = ['VVX 410', 'IP 335', 'Edge E350', 'Edge B30', 'Trio C60', 'CCX 500', 'CCX 400', 'Trio 8800', 'Rove B1', 'VVX D60', 'VisualPro'];
    const results = await pool(names, 1, async (name) => ({ name, r: await cli(['reset', '--model', name, '--mac', '0004F2AA814C', '--sim-seed', '5', '--sim-blind', '--json']) }));
    for (const { name, r } of results) {
      const out = json<ResetJson & { observed: boolean }>(r, name);
      expect(out.outcome, name).toBe('unverified');
      expect(out.observed, name).toBe(false);
      expect(r.code, name).toBe(3);
    }
  });

  it('before UC Software 4.0.0 the combo does a device reset only: its own outcome, never pass, exit 8, and the way forward', async () => {
    const r = await cli(['reset', '--model', 'IP 335', '--mac', '0004F2AA814C', '--sim-seed', '3', '--sim-software', '3.2.7', '--json']);
    const out = JSON.parse(r.stdout) as ResetJson;
    expect(out.outcome).toBe('device-reset');
    expect(out.failure?.code).toBe('device-reset-only');
    expect(out.failure?.reason).toMatch(/4\.0\.0 or later/);
    expect(out.resetKind).toBe('device-reset');
    expect(out.software).toBe('3.2.7');
    expect(out.simulator.factoryDefaults).toBe(false);
    expect(out.simulator.deviceResetOnly).toBe(true);
    expect(out.steps.map((s) => s.step)).toContain('countdown-without-cancel');
    expect(r.code).toBe(8);
  });

  it('a phone that takes upper case only, with a profile that knows lower case: fails, untouched', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', '3', '--sim-case', 'upper', '--json']);
    const out = JSON.parse(r.stdout) as ResetJson;
    expect(out.outcome).toBe('fail');
    expect(out.failure?.code).toBe('password-rejected');
    expect(out.simulator.factoryDefaults).toBe(false);
    expect(r.code).toBe(1);
  });
});

describe('resetbot reset --procedure menu-reset', () => {
  it.each(['factory', 'local', 'web', 'device', 'format', 'reboot'])('--menu-reset %s passes on the simulator, and says which', async (choice) => {
    // The admin password proves nothing of which phone this is: the operator vouches for the label (--trust-label).
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', '4', '--procedure', 'menu-reset', '--admin-password', '456', '--menu-reset', choice, '--trust-label', '--json']);
    const out = JSON.parse(r.stdout) as ResetJson & { choice: string; simulator: { config: Record<string, boolean> } };
    expect(out.outcome).toBe('pass');
    expect(out.procedure).toBe('menu-reset');
    expect(out.choice).toBe(choice);
    expect(out.simulator.factoryDefaults).toBe(choice === 'factory');
    expect(out.simulator.events.some((e) => e.what === 'menu-opened')).toBe(true);
    expect(r.code).toBe(0);
  });

  it('a wrong admin password: fail, exit 1, nothing reset', async () => {
    const r = await cli(['reset', '--model', 'IP 335', '--mac', '0004F2AA814C', '--sim-seed', '4', '--procedure', 'menu-reset', '--admin-password', '789', '--sim-admin-password', '456', '--json']);
    const out = JSON.parse(r.stdout) as ResetJson;
    expect(out.failure?.code).toBe('admin-password-rejected');
    expect(out.simulator.factoryDefaults).toBe(false);
    expect(r.code).toBe(1);
  });

  it.each([
    [['--procedure', 'menu-reset'], /needs its admin password.*--admin-password/],
    [['--procedure', 'menu-reset', '--admin-password', '456', '--sim-blind'], /needs an observer/],
    [['--procedure', 'touch-hold'], /has no procedure 'touch-hold'/],
    [['--menu-reset', 'local'], /--menu-reset is for the menu reset/],
  ])('%j: exit 2, one line', async (extra, message) => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', '1', ...extra]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(message);
  });
});

describe('resetbot reboot', () => {
  const withCombo = models.filter((m) => m.rebootCombo);

  it('reboots every model the seeds give a reboot combo, each pass on the simulator\'s truth', { timeout: 120_000 }, async () => {
    const results = await pool(withCombo, 1, async (m) => ({ id: m.id, r: await cli(['reboot', '--model', m.id, '--mac', '0004F2AA814C', '--sim-seed', '9', '--json']) }));
    for (const { id, r } of results) {
      const out = json<ResetJson>(r, id);
      expect(out.outcome, id).toBe('pass');
      expect(out.procedure, id).toBe('reboot');
      expect(out.simulator.reboots, id).toBe(1);
      expect(out.simulator.factoryDefaults, id).toBe(false);
      expect(r.code, id).toBe(0);
    }
  });

  it('a model without a reboot combo in the seeds: exit 2, saying so', async () => {
    const r = await cli(['reboot', '--model', 'IP 320', '--mac', '0004F2AA814C']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/no reboot combo/);
  });

  it('prints what happened without --json', async () => {
    const r = await cli(['reboot', '--model', 'IP 650', '--mac', '0004F2AA814C', '--sim-seed', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/reboot PASS/);
    expect(r.stdout).toMatch(/rebooted 1 time\(s\) by its combo/);
  });
});

describe('a fixture without relay: the power cycle is the reboot combo', () => {
  it('VVX 410 on fixtures/vvx-jig-poe.json: passes on the truth, having rebooted by its combo', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', '6', '--fixture', 'fixtures/vvx-jig-poe.json', '--json']);
    const out = JSON.parse(r.stdout) as ResetJson;
    expect(out.outcome).toBe('pass');
    expect(out.steps[0]!.step).toBe('reboot-combo');
    expect(out.simulator.reboots).toBeGreaterThanOrEqual(1);
    expect(out.simulator.factoryDefaults).toBe(true);
  });

  it('IP 320 (no reboot combo in the seeds) on it: refused, exit 2', async () => {
    const r = await cli(['reset', '--model', 'IP 320', '--mac', '0004F2AA814C', '--fixture', 'fixtures/vvx-jig-poe.json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/has no relay, and the sources give the SoundPoint IP 320 no reboot combo/);
    expect(r.stdout).toBe('');
  });
});

describe('resetbot check-fixture', () => {
  it('every runnable model fits its default jig (exit 0)', { timeout: 120_000 }, async () => {
    // The jig `reset` picks by default (src/bench/jigs.ts).
    const results = await pool(runnable, 1, async (m) => ({ id: m.id, r: await cli(['check-fixture', '--model', m.id, '--fixture', defaultFixturePath(m), '--json']) }));
    for (const { id, r } of results) {
      const out = json<{ fit: boolean; problems: string[] }>(r, id);
      expect(out.problems, id).toEqual([]);
      expect(out.fit, id).toBe(true);
      expect(r.code, id).toBe(0);
    }
  });

  it('names what a fixture lacks: the corners on a desk jig, exit 2', async () => {
    const r = await cli(['check-fixture', '--model', 'Trio C60', '--fixture', 'fixtures/vvx-jig.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/LACKS: .*'corner-tl', 'corner-tr', 'corner-bl', 'corner-br'/);
  });

  it('the hold a board cannot make: the Rove on a jig with the reference firmware', async () => {
    const f = JSON.parse(readFileSync('fixtures/base-station-jig.json', 'utf8')) as Record<string, unknown>;
    delete f.maxHoldMs;
    const path = join(mkdtempSync(join(tmpdir(), 'rb-fixture-')), 'jig.json');
    writeFileSync(path, JSON.stringify(f));
    const r = await cli(['check-fixture', '--model', 'Rove B2', '--fixture', path, '--json']);
    const out = JSON.parse(r.stdout) as { fit: boolean; problems: string[]; needs: { longestHoldMs: number } };
    expect(out.fit).toBe(false);
    expect(out.needs.longestHoldMs).toBe(22_000);
    expect(out.problems.join(' ')).toMatch(/at most 20 s .* 22 s/);
    expect(r.code).toBe(2);
    // And reset refuses that fixture, before anything moves.
    const reset = await cli(['reset', '--model', 'Rove B2', '--mac', '0004F2AA814C', '--fixture', path]);
    expect(reset.code).toBe(2);
    expect(reset.stdout).toBe('');
  });

  it('Edge B needs the relay: a fixture without one is named', async () => {
    const f = JSON.parse(readFileSync('fixtures/edge-jig.json', 'utf8')) as Record<string, unknown>;
    const path = join(mkdtempSync(join(tmpdir(), 'rb-fixture-')), 'jig.json');
    writeFileSync(path, JSON.stringify({ ...f, relay: false }));
    const r = await cli(['check-fixture', '--model', 'Edge B30', '--fixture', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/LACKS: the fixture has no relay, but the Edge B30 reset switches the power itself/);
  });

  it('the menu reset and the reboot can be checked too', async () => {
    const menu = await cli(['check-fixture', '--model', 'VVX 410', '--fixture', 'fixtures/vvx-jig.json', '--procedure', 'menu-reset', '--json']);
    const m = JSON.parse(menu.stdout) as { needs: { keys: string[]; observer: boolean }; fit: boolean };
    expect(m.fit).toBe(true);
    expect(m.needs.observer).toBe(true);
    for (const k of ['menu', 'up', 'down', 'select', 'softkey1']) expect(m.needs.keys).toContain(k);
    const reboot = await cli(['check-fixture', '--model', 'VVX 1500', '--fixture', 'fixtures/soundpoint-jig.json', '--procedure', 'reboot']);
    expect(reboot.code).toBe(0);
    expect(reboot.stdout).toMatch(/needs: delete, volume-down, volume-up, select/);
  });
});
