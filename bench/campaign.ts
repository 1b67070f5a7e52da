/**
 * The campaign: many randomised resets over every model the simulator has a unit for, every per-phone variant
 * (src/sim/variants.ts) and every fault, each judged by the simulated phone's own truth, never by the controller's
 * belief. It counts false passes (a `pass` on a phone that is not at factory defaults, or not the phone the record
 * names: must be 0), the pass rate by fault class and by variant, and the attempts each pass took.
 *
 *   npm run campaign                 10,000 resets
 *   npm run campaign -- 2000 7       2,000 resets, seed 7
 *   npm run campaign -- 2000 7 --jobs 2   the same resets, shared among 2 worker threads (the same results)
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fixtureFor } from '../src/bench/jigs.js';
import { getCatalog } from '../src/catalog/catalog.js';
import type { PhoneModel } from '../src/catalog/types.js';
import { VirtualClock } from '../src/clock/clock.js';
import { runReset } from '../src/machines/run-reset.js';
import { createSimBench, simUnitIds, type SimFaults } from '../src/sim/driver.js';
import type { SimPhoneTruth } from '../src/sim/phone.js';
import { Rng } from '../src/sim/rng.js';

export type FaultClass =
  | 'none'
  | 'misfire-5%'
  | 'bounce-3%'
  | 'slow-boot'
  | 'short-cancel'
  | 'camera-latency'
  | 'neighbour'
  | 'stuck-on'
  | 'miswired'
  | 'link-lost'
  | 'misread-label';

export const FAULT_CLASSES: FaultClass[] = [
  'none',
  'misfire-5%',
  'bounce-3%',
  'slow-boot',
  'short-cancel',
  'camera-latency',
  'neighbour',
  'stuck-on',
  'miswired',
  'link-lost',
  'misread-label',
];

export interface CampaignRun {
  model: string;
  fault: FaultClass;
  outcome: string;
  attempts: number;
  falsePass: boolean;
  factoryDefaults: boolean;
  variant: Record<string, string>;
  benchMs: number;
}

export interface CampaignResult {
  runs: CampaignRun[];
  wallMs: number;
}

function randomMac(rng: Rng): string {
  return '0004f2' + Array.from({ length: 6 }, () => rng.pick([...'0123456789abcdef'])).join('');
}

/** The faults of a class, drawn for one phone in its jig. */
function faultsFor(cls: FaultClass, model: PhoneModel, rng: Rng): SimFaults {
  const fixture = fixtureFor(model);
  const keys = Object.keys(fixture.keys);
  const channels = Object.values(fixture.keys);
  switch (cls) {
    case 'misfire-5%':
      return { misfire: keys.map((key) => ({ key, p: 0.05 })) };
    case 'bounce-3%':
      return { bounce: 0.03 };
    case 'slow-boot':
      return { slowBoot: 1 + rng.float() };
    case 'short-cancel':
      return { shortCancelWindowMs: rng.int(400, 1500) };
    case 'camera-latency':
      return { observerLatencyMs: rng.int(50, 400) };
    case 'neighbour':
      return { neighbour: [{ channel: rng.pick(channels), p: 0.3 }] };
    case 'stuck-on':
      return { stuckOn: [rng.pick(channels)] };
    case 'miswired': {
      const a = rng.pick(channels);
      const b = rng.pick(channels.filter((c) => c !== a));
      return { miswire: [[a, b]] };
    }
    case 'link-lost':
      return { linkLostAfterCommands: rng.int(3, 60) };
    default:
      return {};
  }
}

/** One reset of a campaign, every draw made: what the worker that runs it needs. */
interface RunSpec {
  i: number;
  modelId: string;
  fault: FaultClass;
  mac: string;
  realMac: string;
  faults: SimFaults;
}

/** Every draw of a campaign, in order (the same for any --jobs). */
function draws(count: number, seed: number): RunSpec[] {
  const units = new Set(simUnitIds());
  const models = getCatalog().models.filter((m) => m.procedure.kind !== 'unsupported' && units.has(m.id));
  const rng = new Rng(`campaign-${seed}`);
  const specs: RunSpec[] = [];
  for (let i = 0; i < count; i++) {
    const model = rng.pick(models);
    const fault = rng.pick(FAULT_CLASSES);
    const mac = randomMac(rng);
    const realMac = fault === 'misread-label' ? randomMac(rng) : mac;
    specs.push({ i, modelId: model.id, fault, mac, realMac, faults: faultsFor(fault, model, rng) });
  }
  return specs;
}

/** Runs one drawn reset and judges it by the simulated phone's truth. */
async function runOne(spec: RunSpec, seed: number): Promise<CampaignRun> {
  const model = getCatalog().find(spec.modelId);
  const { fault, mac } = spec;
  const clock = new VirtualClock();
  const sim = createSimBench({
    modelId: model.id,
    mac,
    realMac: spec.realMac,
    fixture: fixtureFor(model),
    clock,
    seed: `${seed}-${spec.i}`,
    faults: spec.faults,
  });
  await sim.driver.open();
  // The operator trusts labels, except where the label is the fault: a misread label must never pass.
  const record = await clock.runUntil(runReset({ model, mac, bench: sim.bench, clock, trustLabel: fault !== 'misread-label' }));
  const truth = sim.phone.truth() as SimPhoneTruth;
  const rightPhone = truth.mac === mac.toLowerCase();
  return {
    model: model.id,
    fault,
    outcome: record.outcome,
    attempts: record.attempts,
    falsePass: record.outcome === 'pass' && !(truth.factoryDefaults && rightPhone),
    factoryDefaults: truth.factoryDefaults,
    variant: truth.variant ?? {},
    benchMs: record.durationMs,
  };
}

/**
 * Runs `count` randomised resets; `seed` fixes every draw. `jobs` > 1: the resets are shared among that many worker
 * threads (each a core); the draws are made here first, so the runs and their order are the same for any `jobs`.
 */
export async function runCampaign(count: number, seed = 1, jobs = 1): Promise<CampaignResult> {
  const specs = draws(count, seed);
  const start = performance.now();
  if (jobs <= 1) {
    const runs: CampaignRun[] = [];
    for (const spec of specs) runs.push(await runOne(spec, seed));
    return { runs, wallMs: performance.now() - start };
  }
  const parts = Array.from({ length: jobs }, (_, w) => specs.filter((s) => s.i % jobs === w));
  const results = await Promise.all(
    parts.map(
      (part) =>
        new Promise<{ i: number; run: CampaignRun }[]>((resolve, reject) => {
          // The worker loads this file as TypeScript, through tsx's loader registered in the worker itself.
          const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); })`;
          const worker = new Worker(boot, { eval: true, workerData: { specs: part, seed } });
          worker.once('message', (m: { i: number; run: CampaignRun }[]) => resolve(m));
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`campaign worker exited with ${code}`));
          });
        }),
    ),
  );
  const runs: CampaignRun[] = new Array(count);
  for (const part of results) for (const { i, run } of part) runs[i] = run;
  return { runs, wallMs: performance.now() - start };
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} %`;
}

/** The campaign's tables, as text. */
export function campaignReport(result: CampaignResult): string {
  const { runs } = result;
  const out: string[] = [];
  const falsePasses = runs.filter((r) => r.falsePass).length;
  const passes = runs.filter((r) => r.outcome === 'pass');
  out.push(`campaign: ${runs.length} resets over ${new Set(runs.map((r) => r.model)).size} models in ${(result.wallMs / 1000).toFixed(1)} s`);
  out.push(`  false passes: ${falsePasses}`);
  out.push(`  pass: ${pct(passes.length, runs.length)}; attempts per pass: ${(passes.reduce((s, r) => s + r.attempts, 0) / Math.max(1, passes.length)).toFixed(2)}`);
  const outcomes = new Map<string, number>();
  for (const r of runs) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  out.push(`  outcomes: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}`);
  out.push('');
  out.push('  by fault class            runs   pass    truth reset  attempts/pass');
  for (const f of FAULT_CLASSES) {
    const rs = runs.filter((r) => r.fault === f);
    const ps = rs.filter((r) => r.outcome === 'pass');
    out.push(
      `  ${f.padEnd(24)} ${String(rs.length).padStart(5)}  ${pct(ps.length, rs.length).padStart(7)}  ${pct(rs.filter((r) => r.factoryDefaults).length, rs.length).padStart(11)}  ${(ps.reduce((s, r) => s + r.attempts, 0) / Math.max(1, ps.length)).toFixed(2).padStart(13)}`,
    );
  }
  // Variants: only the keypad phones have them; judged on the fault-free and camera-latency runs.
  const clean = runs.filter((r) => r.fault === 'none' && r.variant.cycle !== undefined);
  for (const dim of ['cycle', 'pendingOnMode', 'labels', 'initialMode', 'digitInCycle', 'prompt', 'prelude', 'cancelWindow']) {
    const values = [...new Set(clean.map((r) => r.variant[dim] ?? '?'))].sort();
    out.push('');
    out.push(`  variant ${dim} (no fault)`);
    for (const v of values) {
      const rs = clean.filter((r) => (r.variant[dim] ?? '?') === v);
      const ps = rs.filter((r) => r.outcome === 'pass');
      out.push(`    ${v.padEnd(26)} ${String(rs.length).padStart(5)}  pass ${pct(ps.length, rs.length).padStart(7)}  attempts/pass ${(ps.reduce((s, r) => s + r.attempts, 0) / Math.max(1, ps.length)).toFixed(2)}`);
    }
  }
  return out.join('\n');
}

if (!isMainThread && workerData && (workerData as { specs?: unknown }).specs) {
  // A worker of runCampaign: its share of the drawn resets, sent back with their places.
  const { specs, seed } = workerData as { specs: RunSpec[]; seed: number };
  const out: { i: number; run: CampaignRun }[] = [];
  for (const spec of specs) out.push({ i: spec.i, run: await runOne(spec, seed) });
  parentPort!.postMessage(out);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--jobs');
  const jobs = at >= 0 ? Number(args.splice(at, 2)[1]) : 1;
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error('campaign: --jobs takes a whole number of worker threads, 1 or more');
    process.exit(2);
  }
  const count = Number(args[0] ?? 10_000);
  const seed = Number(args[1] ?? 1);
  const result = await runCampaign(count, seed, jobs);
  console.log(campaignReport(result));
  if (result.runs.some((r) => r.falsePass)) process.exitCode = 1;
}
