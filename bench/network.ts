import { execFileSync } from 'node:child_process';
import { fixtureFor } from '../src/bench/jigs.js';
import { getCatalog } from '../src/catalog/catalog.js';
import { VirtualClock } from '../src/clock/clock.js';
import { resolveRun, runPlan } from '../src/machines/run-reset.js';
import { runWithNetwork } from '../src/observe/network/networked-run.js';
import { NetworkObserver } from '../src/observe/network/observer.js';
import type { ResetRecord } from '../src/batch/record.js';
import { createSimBench } from '../src/sim/driver.js';
import { createSimLink, netnsUnavailable } from '../src/sim/net/link.js';
import { SimNetPhone } from '../src/sim/net/net-phone.js';

interface Run {
  record: ResetRecord;
  reset: boolean;
  /** Virtual ms from power-on to the identity heard, and to the probe's proof (network runs). */
  toIdentityMs?: number;
  toProofMs?: number;
  /** Real ms those cost (the network exchanges the virtual clock waited for, and the run's own work). */
  realIdentityMs?: number;
  realProofMs?: number;
  wallMs: number;
}

async function plain(i: number, blind: boolean): Promise<Run> {
  const model = getCatalog().find('VVX 410');
  const mac = `0004f2${(0xa00000 + i).toString(16)}`;
  const clock = new VirtualClock();
  const sim = createSimBench({ modelId: model.id, mac, fixture: fixtureFor(model), clock, seed: i, options: { adminPassword: '789' }, ...(blind ? { blind: true } : {}) });
  await sim.driver.open();
  const t0 = performance.now();
  const record = await clock.runUntil(runPlan(resolveRun(model, mac, {}), { mac, bench: sim.bench, clock }));
  return { record, reset: sim.phone.truth().factoryDefaults, wallMs: performance.now() - t0 };
}

async function networked(i: number): Promise<Run> {
  const model = getCatalog().find('VVX 410');
  const mac = `0004f2${(0xa00000 + i).toString(16)}`;
  const clock = new VirtualClock();
  const sim = createSimBench({ modelId: model.id, mac, fixture: fixtureFor(model), clock, seed: i, blind: true, options: { adminPassword: '789' } });
  await sim.driver.open();
  const link = await createSimLink({ mac });
  const net = new SimNetPhone({ device: sim.phone, clock, link, seed: i });
  const observer = new NetworkObserver({ clock, interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' } });
  try {
    await net.start();
    await observer.start();
    let realIdentity: number | undefined;
    let machineEnd = 0;
    const t0 = performance.now();
    observer.subscribe((o) => {
      if (o.kind === 'identity' && realIdentity === undefined) realIdentity = performance.now() - t0;
    });
    const result = await clock.runUntil(
      runWithNetwork({
        bench: sim.bench,
        clock,
        observer,
        labelMac: mac,
        identityTimeoutMs: 120_000,
        baseline: true,
        reboots: model.timing.resetReboots,
        rebootTimeoutMs: model.timing.rebootTimeoutMs,
        run: (m) => runPlan(resolveRun(model, m, {}), { mac: m, bench: sim.bench, clock }).finally(() => (machineEnd = performance.now())),
        earlyRecord: () => {
          throw new Error('the label is right in this benchmark');
        },
      }),
    );
    const wallMs = performance.now() - t0;
    const probe = result.record.evidence?.filter((e) => e.proof === 'probe').at(-1);
    return {
      record: result.record,
      reset: sim.phone.truth().factoryDefaults,
      toIdentityMs: result.identity?.t,
      ...(probe ? { toProofMs: probe.t } : {}),
      ...(realIdentity !== undefined ? { realIdentityMs: realIdentity } : {}),
      realProofMs: performance.now() - machineEnd,
      wallMs,
    };
  } finally {
    await observer.stop();
    await net.stop();
    await link.destroy();
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * The network observer: time from power-on to the phone's identity and to the probe's proof (virtual, and the real
 * time they cost), and the mean bench time a phone on a blind bench with the network, against blind alone and the
 * camera (the simulator's perfect screen), same phones and seeds.
 */
export async function benchNetwork(count = 8): Promise<void> {
  const why = netnsUnavailable() ?? (() => {
    try {
      execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'dnsmasq is not installed (apt-get install dnsmasq)';
    }
  })();
  if (why) {
    console.log(`network: skipped (${why})`);
    return;
  }
  const net: Run[] = [];
  const blind: Run[] = [];
  const camera: Run[] = [];
  for (let i = 0; i < count; i++) {
    net.push(await networked(i));
    blind.push(await plain(i, true));
    camera.push(await plain(i, false));
  }
  const line = (name: string, runs: Run[]): string => {
    const pass = runs.filter((r) => r.record.outcome === 'pass').length;
    const right = runs.filter((r) => (r.record.outcome === 'pass') === r.reset).length;
    return `  ${name.padEnd(16)} mean bench time ${(mean(runs.map((r) => r.record.durationMs)) / 1000).toFixed(1)} s a phone; ${pass}/${runs.length} pass, ${right}/${runs.length} outcomes agree with the simulator's truth; ${mean(runs.map((r) => r.wallMs)).toFixed(0)} ms real a run`;
  };
  console.log(`network: ${count} VVX 410 resets (seeds 0..${count - 1}), each phone in its own namespace facing dnsmasq`);
  const ids = net.flatMap((r) => (r.toIdentityMs !== undefined ? [r.toIdentityMs] : []));
  const proofs = net.flatMap((r) => (r.toProofMs !== undefined ? [r.toProofMs] : []));
  console.log(`  power-on to identity: ${(mean(ids) / 1000).toFixed(1)} s bench time (min ${(Math.min(...ids) / 1000).toFixed(1)}, max ${(Math.max(...ids) / 1000).toFixed(1)}), costing ${mean(net.flatMap((r) => (r.realIdentityMs !== undefined ? [r.realIdentityMs] : []))).toFixed(0)} ms real`);
  console.log(`  power-on to proof:    ${(mean(proofs) / 1000).toFixed(1)} s bench time, the proof after the machine costing ${mean(net.map((r) => r.realProofMs ?? 0)).toFixed(0)} ms real`);
  console.log(line('blind + network', net));
  console.log(line('blind', blind));
  console.log(line('camera', camera));
  const nb = mean(net.map((r) => r.record.durationMs));
  console.log(`  bench time ratios: blind+network / blind = ${(nb / mean(blind.map((r) => r.record.durationMs))).toFixed(2)}, blind+network / camera = ${(nb / mean(camera.map((r) => r.record.durationMs))).toFixed(2)}`);
}
