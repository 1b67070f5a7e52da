import { getCatalog } from '../../src/catalog/catalog.js';
import { runProvision, type ProvisionRequest } from '../../src/machines/provision.js';
import type { SimBench } from '../../src/sim/driver.js';
import { hookRun, openSimBench, type RunHooks, type SimSetup } from '../machines/helpers.js';

export interface ProvisionRun extends SimSetup, RunHooks {
  model?: string;
  request?: Partial<ProvisionRequest>;
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
  const { sim, clock } = await openSimBench(model, '0004f2aa814c', run);
  const { states, options } = hookRun(sim, clock, run);
  const record = await clock.runUntil(runProvision({ model, request, ...options }));
  return { record, sim, request, model, clock, states };
}

/** Whether the simulated phone holds exactly the settings asked: its own truth, password included. */
export function holdsExactly(sim: SimBench, req: ProvisionRequest, sntpBefore = ''): boolean {
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
