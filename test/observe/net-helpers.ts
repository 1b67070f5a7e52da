import { VirtualClock, sleep } from '../../src/clock/clock.js';
import { NetworkObserver } from '../../src/observe/network/observer.js';
import type { Observation } from '../../src/observe/types.js';
import { createSimLink, netnsUnavailable, type SimLink } from '../../src/sim/net/link.js';
import { SimNetPhone, type SimNetOptions } from '../../src/sim/net/net-phone.js';
import { SimPhone, type SimPhoneOptions } from '../../src/sim/phone.js';
import { execFileSync } from 'node:child_process';

/** Why the namespaced tests cannot run here (root, Linux, dnsmasq), or undefined. */
export function netSkipReason(): string | undefined {
  const why = netnsUnavailable();
  if (why) return why;
  try {
    execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'dnsmasq is not installed (apt-get install dnsmasq)';
  }
  return undefined;
}

export interface NetBench {
  clock: VirtualClock;
  phone: SimPhone;
  link: SimLink;
  net: SimNetPhone;
  observer: NetworkObserver;
  seen: Observation[];
  close(): Promise<void>;
}

/** A simulated phone in its namespace facing a NetworkObserver (dnsmasq + provisioning server) on the bench end. */
export async function netBench(opts: { modelId?: string; mac?: string; seed?: number; options?: SimPhoneOptions; net?: SimNetOptions } = {}): Promise<NetBench> {
  const clock = new VirtualClock();
  const mac = opts.mac ?? '0004f2aa814c';
  const phone = new SimPhone({ modelId: opts.modelId ?? 'vvx-410', mac, clock, seed: opts.seed ?? 1, ...(opts.options ? { options: opts.options } : {}) });
  const link = await createSimLink({ mac });
  // Torn down phone first (its traffic in flight finishes against the bench's dnsmasq, as the CLI does), then the
  // observer, then the link.
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of [...closers, () => link.destroy()]) await c().catch(() => undefined);
  };
  try {
    const net = new SimNetPhone({ device: phone, clock, link, seed: opts.seed ?? 1, ...(opts.net ? { options: opts.net } : {}) });
    await net.start();
    closers.push(() => net.stop());
    const observer = new NetworkObserver({ clock, interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' }, probeTimeoutMs: 1000 });
    closers.push(() => observer.stop());
    await observer.start();
    const seen: Observation[] = [];
    observer.subscribe((o) => seen.push(o));
    return { clock, phone, link, net, observer, seen, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs virtual time for `ms`. */
export function runFor(clock: VirtualClock, ms: number): Promise<void> {
  return clock.runUntil(sleep(clock, ms));
}

import { holdClock } from '../../src/clock/clock.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import { resolveRun, runPlan } from '../../src/machines/run-reset.js';
import { networkOptionsFor, runWithNetwork, type NetworkedRun } from '../../src/observe/network/networked-run.js';
import { createSimBench } from '../../src/sim/driver.js';
import type { SimDeviceTruth } from '../../src/sim/device.js';
import type { SimNetTruth } from '../../src/sim/net/net-phone.js';

export interface NetRunResult extends NetworkedRun {
  truth: SimDeviceTruth;
  net: SimNetTruth;
  seen: Observation[];
}

/**
 * A whole run as `reset --sim-network` makes it, with the simulated phone's network variants forced: the sim bench
 * (blind or not), the phone on its namespaced link, the observer, runWithNetwork around the model's machine.
 */
export async function networkedRun(o: {
  model: string;
  labelMac: string | 'auto';
  realMac: string;
  seed?: number;
  blind?: boolean;
  options?: SimPhoneOptions;
  net?: SimNetOptions;
}): Promise<NetRunResult> {
  const model = getCatalog().find(o.model);
  const clock = new VirtualClock();
  const fixture = fixtureFor(model);
  const sim = createSimBench({ modelId: model.id, mac: o.realMac, fixture, clock, seed: o.seed ?? 1, ...(o.blind ? { blind: true } : {}), ...(o.options ? { options: o.options } : {}) });
  await sim.driver.open();
  let link: SimLink | undefined;
  let net: SimNetPhone | undefined;
  let observer: NetworkObserver | undefined;
  try {
    link = await createSimLink({ mac: o.realMac });
    net = new SimNetPhone({ device: sim.phone, clock, link, seed: o.seed ?? 1, ...(o.net ? { options: o.net } : {}) });
    await net.start();
    observer = new NetworkObserver({ clock, interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' } });
    await observer.start();
    const seen: Observation[] = [];
    observer.subscribe((x) => seen.push(x));
    const obs = observer;
    const result = await clock.runUntil(
      runWithNetwork({
        bench: sim.bench,
        clock,
        observer: obs,
        labelMac: o.labelMac,
        identityTimeoutMs: 120_000,
        baseline: true,
        // What the plan decides of the networked run (its reboots, their timeout, the early record), as the CLI's.
        ...networkOptionsFor(resolveRun(model, o.labelMac === 'auto' ? o.realMac : o.labelMac, {}), sim.bench),
        run: (mac, hooks) => runPlan(resolveRun(model, mac, {}), { mac, bench: sim.bench, clock, ...hooks }),
      }).then(async (r) => {
        await holdClock(clock, sim.bench.releaseAll());
        return r;
      }),
    );
    return { ...result, truth: sim.phone.truth(), net: net.truth(), seen };
  } finally {
    await net?.stop().catch(() => undefined);
    await observer?.stop().catch(() => undefined);
    await link?.destroy().catch(() => undefined);
    await sim.driver.close().catch(() => undefined);
  }
}
