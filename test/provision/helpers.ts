import { fixtureFor } from '../../src/bench/jigs.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { runProvision, type ProvisionRequest } from '../../src/machines/provision.js';
import { createSimBench, type SimFaults } from '../../src/sim/driver.js';
import type { SimPhoneOptions } from '../../src/sim/phone.js';

export interface ProvisionRun {
  model?: string;
  request?: Partial<ProvisionRequest>;
  seed: number;
  options?: SimPhoneOptions;
  faults?: SimFaults;
  blind?: boolean;
  /** Abort the run once this predicate over the simulator says so (checked every 50 ms of bench time). */
  abortWhen?: (sim: ReturnType<typeof createSimBench>) => boolean;
}

/** seed 002's settings, with a password of our own (seed 002's is the same as its user). */
export const SEED_002: ProvisionRequest = {
  serverType: 'HTTP',
  serverAddress: 'provision.activepbx.com/cfg',
  serverUser: 'apbx',
  serverPassword: 'hunter2.x/y',
};

/** Provisions one simulated phone in virtual time; returns the record and the simulator. */
export async function simProvision(run: ProvisionRun) {
  const model = getCatalog().find(run.model ?? 'VVX 410');
  const request: ProvisionRequest = { ...SEED_002, ...run.request };
  const clock = new VirtualClock();
  const sim = createSimBench({
    modelId: model.id,
    mac: '0004f2aa814c',
    fixture: fixtureFor(model),
    clock,
    seed: run.seed,
    ...(run.options ? { options: run.options } : {}),
    ...(run.faults ? { faults: run.faults } : {}),
    ...(run.blind ? { blind: true } : {}),
  });
  await sim.driver.open();
  const abort = new AbortController();
  if (run.abortWhen) {
    const check = () => {
      if (run.abortWhen!(sim)) abort.abort(new Error('test abort'));
      else clock.setTimeout(check, 50);
    };
    clock.setTimeout(check, 50);
  }
  const record = await clock.runUntil(runProvision({ model, request, bench: sim.bench, clock, signal: abort.signal }));
  return { record, sim, request, model, clock };
}

/** Whether the simulated phone holds exactly the settings asked: its own truth, password included. */
export function holdsExactly(sim: ReturnType<typeof createSimBench>, req: ProvisionRequest, sntpBefore = ''): boolean {
  const t = sim.phone.truth().setup;
  return (
    !!t &&
    t.serverType === req.serverType &&
    t.serverAddress === req.serverAddress &&
    t.serverUser === req.serverUser &&
    t.sntpAddress === (req.sntpAddress ?? sntpBefore) &&
    sim.phone.setup!.passwordIs(req.serverPassword)
  );
}
