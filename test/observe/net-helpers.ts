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
  const closers: (() => Promise<void>)[] = [() => link.destroy()];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const net = new SimNetPhone({ device: phone, clock, link, seed: opts.seed ?? 1, ...(opts.net ? { options: opts.net } : {}) });
    await net.start();
    closers.push(() => net.stop());
    const observer = new NetworkObserver({ clock, interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' } });
    await observer.start();
    closers.push(() => observer.stop());
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
