/**
 * A run with the network observer around it (issue 10), without changing the machines: the lead folds this into them
 * later. It wraps a machine run (any procedure kind) in two network steps:
 *
 *  1. before anything is typed (before the machine starts at all, so procedures that hold keys at power-on are covered
 *     too): the phone is powered on and its identity heard on the network (DHCP option 60, else a provisioning
 *     request). A MAC that differs from the label ends the run here, as a failure naming the MAC seen, with no typing
 *     step. `auto` takes the MAC from the network. Optionally, a baseline probe of the default login once the
 *     application is up (a locked phone whose admin password happens to be 456 cannot be proven reset by the probe).
 *  2. after the machine: the reset's reboots counted on the network and the default-login probe (proof.ts). On a
 *     blind bench an `unverified` run that the probe proves ends `pass`; a phone that still refuses the factory
 *     password after its reboots ends `fail` (it came back with its old configuration).
 * The record gains `evidence`: each proof of identity and reset, with its source.
 */
import type { Failure, ResetRecord, StepRecord } from '../../batch/record.js';
import type { Bench } from '../../bench/types.js';
import type { RunPlan } from '../../machines/run-reset.js';
import { benchNeeds, requireFit } from '../../machines/needs.js';
import type { Fixture } from '../../bench/fixture.js';
import { getCatalog } from '../../catalog/catalog.js';
import { ConfigError, ResetbotError } from '../../errors/errors.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { PhoneModel } from '../../catalog/types.js';
import { modelFromNetwork } from './model-name.js';
import { sleep, type Clock } from '../../clock/clock.js';
import type { Evidence } from '../evidence.js';
import { PhoneError } from '../../errors/errors.js';
import type { BootSeen, IdentitySeen, Observation, ProbeSeen } from '../types.js';
import { checkIdentity, identityBeforeTyping, proveReset, rebootsDone, waitFor, type NetworkSource } from './proof.js';

export interface NetworkedRunOptions {
  bench: Bench;
  clock: Clock;
  observer: NetworkSource;
  /** The label's MAC (12 lower-case hex digits), or `auto`: the network's. */
  labelMac: string | 'auto';
  /** How long to wait for the phone to say who it is after power-on (clock ms). */
  identityTimeoutMs: number;
  /** Probe the default login once before the reset (waits for the application to come up). */
  baseline: boolean;
  /**
   * The procedure types the MAC as its password: with a camera the identity is then checked just before it is typed,
   * inside the procedure's own first boot. Procedures that type no MAC are checked before the machine starts at all
   * (nothing else would stop them resetting a phone the label does not name).
   */
  typesMac?: boolean;
  /** The reboots a reset makes and how long they may take (the model's profile). */
  reboots: number;
  rebootTimeoutMs: number;
  /**
   * Runs the machine for this MAC; the machine starts by cutting the power. `beforeTyping` (inline identity) is the
   * check the machine awaits before it types the MAC.
   */
  run: (mac: string, hooks: RunHooks) => Promise<ResetRecord>;
  /** A record for a run that ends before the machine starts (the MAC is wrong, or unknown). */
  earlyRecord: (mac: string, failure: { code: string; reason: string }, steps: StepRecord[]) => Omit<ResetRecord, 'identity' | 'evidence'>;
  signal?: AbortSignal;
  /**
   * Clock time the run began, when the phone was already powered on and heard before this call (`--model auto`:
   * identifyModel); what the network heard since then counts. Default: now.
   */
  since?: number;
}

/**
 * The part of NetworkedRunOptions a run's plan decides: whether it types the MAC, the reboots its reset makes (the
 * keypad reset's, seed 002: two; a step procedure's unit restarts once, and a probe refused between two restarts waits
 * for the next one anyway), how long they may take, and the record of a run that ends before the machine starts.
 */
export function networkOptionsFor(plan: RunPlan, bench: Bench): Pick<NetworkedRunOptions, 'typesMac' | 'reboots' | 'rebootTimeoutMs' | 'earlyRecord'> {
  return {
    typesMac: plan.machine === 'keypad' && !plan.typesAdminPassword,
    reboots: plan.machine === 'keypad' ? plan.model.timing.resetReboots : 1,
    rebootTimeoutMs: plan.model.timing.rebootTimeoutMs,
    earlyRecord: (mac, failure, steps) =>
      recordBeforeMachine(bench, {
        model: plan.model.id,
        mac,
        procedure: plan.kind,
        durationMs: steps.at(-1)?.endMs ?? 0,
        failure: { class: failure.code === 'mac-mismatch' ? 'config' : 'phone', ...failure },
        steps,
      }),
  };
}

/** The record of a run that ended before its machine started: nothing pressed, nothing typed. */
function recordBeforeMachine(
  bench: Bench,
  r: { model: string; mac: string; procedure: string; durationMs: number; failure: Failure; summary?: string; steps: StepRecord[] },
): Omit<ResetRecord, 'identity' | 'evidence'> {
  return {
    outcome: 'fail',
    model: r.model,
    mac: r.mac,
    procedure: r.procedure,
    attempts: 0,
    durationMs: r.durationMs,
    failure: r.failure,
    summary: r.summary ?? r.failure.reason,
    attemptLog: [],
    steps: r.steps,
    bench: bench.driver.info,
    observed: bench.observer !== undefined,
  };
}

/** A record's first step when the phone was heard before the machine: what the network heard since power-on. */
function identityStep(identity: IdentitySeen | undefined, endMs: number): StepRecord {
  return {
    attempt: 0,
    step: 'network-identity',
    startMs: 0,
    endMs,
    detail: identity ? `heard ${identity.mac}${identity.model ? ` (${identity.model})` : ''} by ${identity.source}` : 'nothing heard',
  };
}

/** What the network gives the machine during its run (machines/runner.ts RunOn). */
export interface RunHooks {
  /** The identity check before the MAC is typed (inline identity only). */
  beforeTyping?: (signal: AbortSignal) => Promise<void>;
  /** True once the network saw the reset's reboots end: a blind machine stops waiting there. */
  rebootsSeen?: (since: number, signal: AbortSignal) => Promise<boolean>;
}

export interface NetworkedRun {
  record: ResetRecord;
  /** The MAC the network heard, if any. */
  heardMac?: string;
  identity?: IdentitySeen;
}

/** Steps that end the typing or the procedure's own work: the reset's reboots are counted after the last of them. */
const RESET_STARTED = ['confirm', 'type-password', 'type-admin-password', 'release-combo', 'hold-combo'];
const PROBE_RETRY_MS = 5_000;
/** The least time the proof after the machine waits for the reboots and the probe's answer. */
const PROOF_GRACE_MS = 60_000;

async function baselineProbe(o: NetworkedRunOptions, mac: string, deadline: number): Promise<ProbeSeen | undefined> {
  const { clock, observer } = o;
  const since = clock.now();
  const app = await waitFor(observer, clock, (x): x is BootSeen => x.kind === 'boot' && x.mac === mac && x.stage === 'application' && x.t >= since, deadline - clock.now(), o.signal);
  if (!app || !observer.probe) return undefined;
  let p = await observer.probe(mac, o.signal);
  while (p.verdict === 'no-answer' && clock.now() + PROBE_RETRY_MS < deadline) {
    await sleep(clock, PROBE_RETRY_MS, o.signal);
    p = await observer.probe(mac, o.signal);
  }
  return p;
}

export async function runWithNetwork(o: NetworkedRunOptions): Promise<NetworkedRun> {
  const start = o.since ?? o.clock.now();
  try {
    return await networkedRun(o, start);
  } catch (err) {
    // Ctrl-C before the machine started (while the network was being heard): the run is aborted, nothing was typed.
    if (!o.signal?.aborted) throw err;
    const record = o.earlyRecord(o.labelMac === 'auto' ? '000000000000' : o.labelMac, { code: 'aborted', reason: 'stopped by the operator' }, []);
    const { failure: _none, ...rest } = record;
    return { record: { identity: { by: 'label', mac: record.mac }, evidence: [], ...rest, outcome: 'aborted', summary: 'stopped by the operator before anything was typed; every solenoid released', durationMs: o.clock.now() - start } };
  }
}

async function networkedRun(o: NetworkedRunOptions, start: number): Promise<NetworkedRun> {
  const { clock, observer } = o;
  const early = o.earlyRecord;
  // A record that ends before the machine ran names the phone by the label, or by what the network heard.
  o = { ...o, earlyRecord: (mac, failure, steps) => ({ identity: { by: 'label', mac }, evidence: [], ...early(mac, failure, steps) }) as ResetRecord };
  const evidence: Evidence = [];
  // With a camera and a label, the identity is heard during the machine's own first boot (the Updater's DHCP comes
  // long before the prompt) and checked just before the MAC is typed: no boot of its own. The default-login baseline
  // is then left out: the camera sees the reset itself.
  if (o.typesMac === true && o.bench.observer !== undefined && o.labelMac !== 'auto') return inlineRun(o, start, evidence);
  await o.bench.power(true);
  const identity = await identityBeforeTyping(observer, clock, o.identityTimeoutMs, o.signal, start);
  const idStep = identityStep(identity, clock.now() - start);
  if (!identity) {
    if (o.labelMac === 'auto') {
      const record = o.earlyRecord('000000000000', { code: 'no-identity', reason: `the phone said nothing on the bench's network within ${Math.round(o.identityTimeoutMs / 1000)} s of power-on: its MAC is unknown` }, [idStep]);
      return { record: { ...record, identity: { by: 'label', mac: record.mac }, evidence } };
    }
  }
  let mac = o.labelMac;
  if (identity) {
    if (mac === 'auto') {
      mac = identity.mac;
      evidence.push({ ...checkIdentity(identity, mac).entry, detail: `MAC taken from the network: ${checkIdentity(identity, mac).entry.detail}` });
    } else {
      const check = checkIdentity(identity, mac);
      evidence.push(check.entry);
      if (!check.matches) {
        const record = o.earlyRecord(mac, { code: 'mac-mismatch', reason: `the phone on the network is ${identity.mac}, not the label's ${mac}: nothing was typed` }, [idStep]);
        return { record: { ...record, identity: { by: 'network', mac: identity.mac }, evidence }, heardMac: identity.mac, identity };
      }
    }
  }
  const labelMac = mac as string;
  let baseline: ProbeSeen | undefined;
  if (o.baseline && identity) {
    baseline = await baselineProbe(o, labelMac, clock.now() + o.rebootTimeoutMs);
    if (baseline) {
      evidence.push({
        about: 'reset',
        proof: 'probe',
        source: baseline.source,
        t: baseline.t,
        holds: false,
        detail: `before the reset: ${baseline.detail}`,
      });
    }
  }
  const runStart = clock.now();
  const record = await o.run(labelMac, { rebootsSeen: rebootsSeenBy(o, labelMac) });
  // The machine's times are from its own start; the record's are from the run's (the identity step first).
  const shift = runStart - start;
  const out: ResetRecord = {
    ...record,
    steps: [{ ...idStep }, ...record.steps.map((s) => ({ ...s, startMs: s.startMs + shift, endMs: s.endMs + shift }))],
    attemptLog: record.attemptLog.map((a) => ({ ...a, startMs: a.startMs + shift, endMs: a.endMs + shift })),
  };
  return afterRun(o, { start, runStart, record, out, identity, labelMac, evidence, ...(baseline ? { baseline } : {}) });
}

/** The reset's reboots as the network sees them, for a machine that cannot see them itself. */
function rebootsSeenBy(o: NetworkedRunOptions, mac: string): RunHooks['rebootsSeen'] {
  return (since, signal) => rebootsDone(o.observer, o.clock, mac, { since, reboots: o.reboots, timeoutMs: o.rebootTimeoutMs, signal });
}

/** How long the check before typing waits for an identity not heard yet (the Updater's DHCP is normally long past). */
const GATE_WAIT_MS = 2_000;

const identitySince = (since: number) => (x: Observation): x is IdentitySeen => x.kind === 'identity' && x.t >= since;

/** The machine runs at once; the identity heard on its first boot is checked before it types the MAC. */
async function inlineRun(o: NetworkedRunOptions, start: number, evidence: Evidence): Promise<NetworkedRun> {
  const { clock, observer } = o;
  const labelMac = o.labelMac as string;
  const beforeTyping = async (signal: AbortSignal): Promise<void> => {
    const id = await waitFor(observer, clock, identitySince(start), GATE_WAIT_MS, signal);
    if (id && !checkIdentity(id, labelMac).matches) {
      throw new PhoneError('mac-mismatch', `the phone on the network is ${id.mac}, not the label's ${labelMac}: nothing was typed`, 'check the label: the phone in the jig is another one');
    }
  };
  const record = await o.run(labelMac, { beforeTyping, rebootsSeen: rebootsSeenBy(o, labelMac) });
  const identity = await waitFor(observer, clock, identitySince(start), 0, o.signal);
  if (identity) {
    const check = checkIdentity(identity, labelMac);
    if (!check.matches) {
      evidence.push(check.entry);
      const out: ResetRecord = { ...record, identity: { by: 'network', mac: identity.mac }, evidence: [...record.evidence.filter((e) => e.proof !== 'label'), ...evidence] };
      if (out.outcome === 'pass') {
        // Heard too late for the check before typing, and another phone than the one that took the password: the
        // proofs disagree, so nothing is claimed.
        out.outcome = 'unverified';
        out.failure = { class: 'phone', code: 'identity-conflict', reason: `the phone took ${labelMac} as its password, but the network heard ${identity.mac}` };
        out.summary = `${record.summary}; but ${out.failure.reason}`;
      }
      return { record: out, heardMac: identity.mac, identity };
    }
    evidence.push(check.entry);
  }
  return afterRun(o, { start, runStart: start, record, out: { ...record }, identity, labelMac, evidence });
}

/** After the machine: the reset's reboots and the default-login probe (proof.ts), and the record's evidence. */
async function afterRun(
  o: NetworkedRunOptions,
  a: { start: number; runStart: number; record: ResetRecord; out: ResetRecord; identity: IdentitySeen | undefined; labelMac: string; evidence: Evidence; baseline?: ProbeSeen },
): Promise<NetworkedRun> {
  const { clock, observer } = o;
  const { start, runStart, record, out, identity, labelMac, evidence, baseline } = a;
  out.durationMs = record.durationMs + (runStart - start);
  if (record.observed && record.outcome === 'pass') {
    evidence.push({ about: 'reset', proof: 'screen', source: o.bench.observer?.name ?? 'screen', t: clock.now(), holds: true, detail: record.summary });
  }
  if (record.outcome === 'pass' || record.outcome === 'unverified') {
    const lastStarted = [...record.steps].reverse().find((s) => RESET_STARTED.includes(s.step));
    // From the start of that step: a step may span the reset itself (the menu reset's confirm waits for its reboots).
    const since = lastStarted ? runStart + lastStarted.startMs : runStart;
    const proof = await proveReset(observer, clock, labelMac, {
      since,
      reboots: lastStarted ? o.reboots : o.reboots + 1,
      // The reboots' deadline counts from the reset's start, as the machine's own wait did (a blind machine has waited
      // it out already when they never came); at least a minute more for the web server to answer the probe.
      timeoutMs: Math.max(since + o.rebootTimeoutMs - clock.now(), PROOF_GRACE_MS),
      ...(baseline ? { baseline } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    evidence.push(...proof.evidence);
    if (proof.proven && record.outcome === 'unverified') {
      out.outcome = 'pass';
      delete out.failure;
      out.summary = `${record.summary}; the network proved the reset: ${proof.probe.detail} after ${proof.boots} reboot(s)`;
    } else if (proof.refuted) {
      out.outcome = 'fail';
      out.failure = { class: 'phone', code: 'not-reset', reason: `after ${proof.boots} reboot(s) the phone is still not at factory defaults: it came back with its old configuration (${proof.probe.detail})` };
      out.summary = out.failure.reason;
    }
  }
  out.durationMs = clock.now() - start;
  // The machine's own proofs (the screen, the password it took) and the network's; the label's is moot once the
  // network has named the phone.
  const heard = identity !== undefined && identity.mac === labelMac;
  out.evidence = [...record.evidence.filter((e) => !(heard && e.proof === 'label')), ...evidence];
  if (heard && out.identity.by === 'label') out.identity = { by: 'network', mac: labelMac };
  if (heard && out.outcome === 'unverified' && out.failure?.code === 'identity-unproven') {
    // The camera saw the reset; the network proved which phone it was.
    out.outcome = 'pass';
    delete out.failure;
    out.summary = `${record.summary.split('; but nothing proved')[0]}; the network named the phone ${labelMac}`;
  }
  return { record: out, ...(identity ? { heardMac: identity.mac, identity } : {}) };
}

/** What the network made of a phone whose model was not given (`--model auto`): its model, or the record of why not. */
export type ModelHeard = { model: PhoneModel; identity: IdentitySeen; since: number; step: StepRecord } | { record: ResetRecord };

/**
 * `--model auto`: the phone is powered on and heard before anything else (DHCP option 60, else its provisioning
 * User-Agent), and the catalog model it names itself as is the run's model. A phone that says nothing, names a model
 * resetbot does not know (or several share the name), or whose MAC is not the label's, ends here, nothing typed.
 * The run then goes on with runWithNetwork({ since }), which finds the identity already heard.
 */
export async function identifyModel(o: {
  bench: Bench;
  clock: Clock;
  observer: NetworkSource;
  catalog: Catalog;
  labelMac: string | 'auto';
  identityTimeoutMs: number;
  signal?: AbortSignal;
}): Promise<ModelHeard> {
  const since = o.clock.now();
  await o.bench.power(true);
  const identity = await identityBeforeTyping(o.observer, o.clock, o.identityTimeoutMs, o.signal, since);
  const step = identityStep(identity, o.clock.now() - since);
  const fail = (code: string, reason: string, mac: string, evidence: Evidence = []): { record: ResetRecord } => ({
    record: {
      ...recordBeforeMachine(o.bench, {
        model: identity?.model ?? 'unknown',
        mac,
        procedure: 'unknown',
        durationMs: o.clock.now() - since,
        failure: { class: code === 'no-identity' ? 'phone' : 'config', code, reason },
        steps: [step],
      }),
      identity: { by: identity ? 'network' : 'label', mac },
      evidence,
      ...(identity ? { networkMac: identity.mac } : {}),
    },
  });
  const label = o.labelMac === 'auto' ? undefined : o.labelMac;
  if (!identity) {
    return fail('no-identity', `the phone said nothing on the bench's network within ${Math.round(o.identityTimeoutMs / 1000)} s of power-on: its model is unknown (give --model)`, label ?? '000000000000');
  }
  const check = checkIdentity(identity, label ?? identity.mac);
  if (!check.matches) {
    return fail('mac-mismatch', `the phone on the network is ${identity.mac}, not the label's ${label}: nothing was typed`, label!, [check.entry]);
  }
  if (!identity.model) return fail('model-unknown', `the phone ${identity.mac} did not name its model on the network: give --model`, identity.mac, [check.entry]);
  const found = modelFromNetwork(identity.model, o.catalog);
  if ('problem' in found) return fail('model-unknown', `${found.problem}: give --model`, label ?? identity.mac, [check.entry]);
  return { model: found.model, identity, since, step };
}

/** How long the phone has to say who it is after power-on (clock ms): its Updater's DHCP comes within seconds. */
export const IDENTITY_TIMEOUT_MS = 120_000;

/** The model a networked run resets: given (with its plan for the first MAC), or heard from the network (`auto`). */
export type NetworkedModel = { model: PhoneModel; firstPlan: RunPlan } | 'auto';

/**
 * A planned run with the network observer around it, as `reset --sim-network`, `reset --port --network` and a batch
 * station with the network make it: the phone named on the network before anything is typed (`label` undefined: its
 * MAC taken from there; `model` auto: its model too, identifyModel), the reset proven by the probe; every solenoid
 * released after. `decide` plans the run for a model and the MAC the network names; `run` runs a plan on the bench.
 * The record carries `networkMac`, the MAC heard; `model` is the run's model (undefined when the network named none
 * resetbot can reset).
 */
export async function runPlanWithNetwork(a: {
  bench: Bench;
  clock: Clock;
  signal?: AbortSignal;
  observer: NetworkSource;
  label: string | undefined;
  model: NetworkedModel;
  fixture: Fixture;
  decide: (model: PhoneModel, mac: string) => RunPlan;
  run: (plan: RunPlan, mac: string, hooks: RunHooks) => Promise<ResetRecord>;
}): Promise<{ record: ResetRecord; model?: PhoneModel }> {
  const { bench, clock } = a;
  let given = a.model;
  let since: number | undefined;
  let named: Evidence = [];
  if (given === 'auto') {
    const heard = await identifyModel({
      bench,
      clock,
      observer: a.observer,
      catalog: getCatalog(),
      labelMac: a.label ?? 'auto',
      identityTimeoutMs: IDENTITY_TIMEOUT_MS,
      ...(a.signal ? { signal: a.signal } : {}),
    });
    if ('record' in heard) {
      await bench.releaseAll();
      return { record: heard.record };
    }
    const model = heard.model;
    const heardSince = heard.since;
    since = heardSince;
    named = [{ about: 'identity', proof: heard.identity.source === 'network:dhcp' ? 'dhcp' : 'provisioning', source: heard.identity.source, t: heard.identity.t, holds: true, detail: `the model taken from the network: the phone names itself ${heard.identity.model}, the ${model.name}` }];
    try {
      // What `reset` checks before anything moves, now that the model is known: the plan, the jig, the observer.
      const firstPlan = a.decide(model, a.label ?? heard.identity.mac);
      requireFit(firstPlan, a.fixture);
      if (!bench.observer && benchNeeds(firstPlan).observer) {
        throw new ConfigError('needs-observer', `the ${model.name} ${firstPlan.label} finds its way by what the screen shows: it needs an observer (a camera)`, 'run it on a bench with one');
      }
      given = { model, firstPlan };
    } catch (err) {
      if (!(err instanceof ResetbotError)) throw err;
      await bench.releaseAll();
      const mac = a.label ?? heard.identity.mac;
      return {
        model,
        record: {
          ...recordBeforeMachine(bench, {
            model: model.id,
            mac,
            procedure: model.procedure.kind,
            durationMs: clock.now() - heardSince,
            failure: { class: err.failureClass, code: err.code, reason: err.message },
            summary: `the network named the ${model.name}, but ${err.oneLine()}`,
            steps: [heard.step],
          }),
          identity: { by: 'network', mac },
          evidence: named,
          networkMac: heard.identity.mac,
        },
      };
    }
  }
  const { model, firstPlan } = given;
  const result = await runWithNetwork({
    bench,
    clock,
    observer: a.observer,
    labelMac: a.label ?? 'auto',
    identityTimeoutMs: IDENTITY_TIMEOUT_MS,
    baseline: true,
    ...networkOptionsFor(firstPlan, bench),
    ...(a.signal ? { signal: a.signal } : {}),
    ...(since !== undefined ? { since } : {}),
    // Planned for the MAC the network confirmed or named (the planner is deterministic: the label's is firstPlan's).
    run: (mac, hooks) => a.run(a.decide(model, mac), mac, hooks),
  }).finally(() => bench.releaseAll());
  const record = named.length > 0 ? { ...result.record, evidence: [...named, ...result.record.evidence] } : result.record;
  return { model, record: result.heardMac ? { ...record, networkMac: result.heardMac } : record };
}
