/**
 * What the machines ask of the network observer (issue 10), as plain functions over any ObservationSource that
 * makes network observations:
 *
 *  - identityBeforeTyping(observer, clock, timeoutMs): the phone's identity as it said it itself (DHCP option 60, or a
 *    provisioning request), waiting up to `timeoutMs` of the clock; undefined when nothing was heard;
 *  - checkIdentity(seen, labelMac): an Evidence entry and whether the phone is the one on the label;
 *  - proveReset(observer, clock, mac, options): after a reset, waits for the reset's reboots as the network sees them
 *    (the Updater's DHCP of each boot), for the application to be up, then probes the default login: the phone at
 *    factory defaults accepts 456. A baseline probe taken before the reset that already accepted 456 makes the probe
 *    prove nothing (a locked phone whose admin password happens to be 456), and the proof says so.
 */
import { sleep, type Clock } from '../../clock/clock.js';
import type { Evidence, EvidenceEntry } from '../evidence.js';
import type { BootSeen, IdentitySeen, Observation, ObservationSource, ProbeSeen } from '../types.js';

/** Between two probes of a phone whose web server does not answer yet. */
const PROBE_RETRY_MS = 5_000;

export type NetworkSource = ObservationSource & { observations?(): Observation[] };

function past(observer: NetworkSource): Observation[] {
  return observer.observations?.() ?? [];
}

/**
 * Resolves with the first observation `match` accepts (among those already made, then those to come), or undefined
 * after `timeoutMs` of the clock.
 */
export function waitFor<T extends Observation>(
  observer: NetworkSource,
  clock: Clock,
  match: (o: Observation) => o is T,
  timeoutMs: number,
  signal?: AbortSignal,
  includePast = true,
): Promise<T | undefined> {
  const already = includePast ? past(observer).find(match) : undefined;
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const abort = new AbortController();
    const done = (v: T | undefined): void => {
      unsubscribe();
      abort.abort();
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = (): void => {
      unsubscribe();
      abort.abort();
      reject(signal?.reason);
    };
    const unsubscribe = observer.subscribe((o) => {
      if (match(o)) done(o);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    sleep(clock, timeoutMs, abort.signal).then(
      () => done(undefined),
      () => undefined,
    );
  });
}

/**
 * The phone's identity, heard on the network before anything is typed; undefined if none came within `timeoutMs`.
 * Only what was heard from `since` on counts (an observer that serves a station phone after phone has heard the ones
 * before); default: from now.
 */
export function identityBeforeTyping(
  observer: NetworkSource,
  clock: Clock,
  timeoutMs: number,
  signal?: AbortSignal,
  since: number = clock.now(),
): Promise<IdentitySeen | undefined> {
  return waitFor(observer, clock, (o): o is IdentitySeen => o.kind === 'identity' && o.t >= since, timeoutMs, signal);
}

function describeIdentity(seen: IdentitySeen): string {
  const parts = [`MAC ${seen.mac}`];
  if (seen.model) parts.push(`model ${seen.model}`);
  if (seen.software) parts.push(`${seen.stage === 'updater' ? 'Updater' : 'software'} ${seen.software}`);
  if (seen.partNumber) parts.push(`part ${seen.partNumber}`);
  return parts.join(', ');
}

/** Whether the phone heard is the one on the label, as an Evidence entry. */
export function checkIdentity(seen: IdentitySeen, labelMac: string): { matches: boolean; entry: EvidenceEntry } {
  const matches = seen.mac.toLowerCase() === labelMac.toLowerCase();
  const by = seen.source === 'network:dhcp' ? 'its DHCP request' : 'its provisioning request';
  return {
    matches,
    entry: {
      about: 'identity',
      proof: seen.source === 'network:dhcp' ? 'dhcp' : 'provisioning',
      source: seen.source,
      t: seen.t,
      holds: matches,
      detail: matches ? `${by} names it: ${describeIdentity(seen)}` : `${by} names ${seen.mac}, not the label's ${labelMac.toLowerCase()} (${describeIdentity(seen)})`,
    },
  };
}

export interface ProveOptions {
  /** Clock time the reset was started (the password confirmed, or the procedure run); boots before it do not count. */
  since: number;
  /** The reboots a reset makes (the model's profile). */
  reboots: number;
  /** How long to wait for them and for the application, ms of the clock. */
  timeoutMs: number;
  /** A probe taken before the reset, if any. */
  baseline?: ProbeSeen;
  signal?: AbortSignal;
}

export interface ResetProof {
  /** The reset is proven by the network. */
  proven: boolean;
  /** The network says it did NOT reset (the factory password refused after the reset's reboots). */
  refuted: boolean;
  /** Boots (application stages) seen since `since`. */
  boots: number;
  probe: ProbeSeen;
  evidence: Evidence;
}

function bootsSince(observer: NetworkSource, mac: string, since: number): BootSeen[] {
  return past(observer).filter((o): o is BootSeen => o.kind === 'boot' && o.mac === mac && o.t >= since);
}

/**
 * Waits until the network has seen the reset's reboots end (`reboots` boots since `since`, the last one up to its
 * application), or `timeoutMs` passes: true when it saw them.
 */
export async function rebootsDone(
  observer: NetworkSource,
  clock: Clock,
  mac: string,
  o: Pick<ProveOptions, 'since' | 'reboots' | 'timeoutMs' | 'signal'>,
): Promise<boolean> {
  const m = mac.toLowerCase();
  const deadline = clock.now() + o.timeoutMs;
  // Each boot ends with one application stage (its DHCP request with a SIP application version); an Updater stage
  // alone is a boot that did not finish (or a phone without an Updater: its boots have application stages only).
  const done = (): boolean => {
    const boots = bootsSince(observer, m, o.since);
    return boots.filter((b) => b.stage === 'application').length >= o.reboots && boots.at(-1)?.stage === 'application';
  };
  while (clock.now() < deadline && !done()) {
    // The next boot of this phone, or the deadline.
    await waitFor(observer, clock, (x): x is BootSeen => x.kind === 'boot' && x.mac === m, deadline - clock.now(), o.signal, false);
  }
  return done();
}

/** Waits for the reset's reboots and the application, then probes the default login. */
export async function proveReset(observer: NetworkSource, clock: Clock, mac: string, o: ProveOptions): Promise<ResetProof> {
  const m = mac.toLowerCase();
  const deadline = clock.now() + o.timeoutMs;
  const appBoots = (): number => bootsSince(observer, m, o.since).filter((b) => b.stage === 'application').length;
  await rebootsDone(observer, clock, m, o);
  if (!observer.probe) throw new Error('proveReset: the observer has no probe');
  // The web server comes up a while after the application's DHCP: no answer means try again a little later. A refusal
  // before the deadline may come between two reboots of a reset: wait for the next boot and ask again. Only the
  // deadline makes a refusal final.
  let probe = await observer.probe(m, o.signal);
  while (probe.verdict !== 'factory-defaults' && clock.now() < deadline) {
    if (probe.verdict === 'no-answer') {
      if (clock.now() + PROBE_RETRY_MS >= deadline) break;
      await sleep(clock, PROBE_RETRY_MS, o.signal);
    } else {
      const next = await waitFor(observer, clock, (x): x is BootSeen => x.kind === 'boot' && x.mac === m && x.stage === 'application', deadline - clock.now(), o.signal, false);
      if (!next) break;
    }
    probe = await observer.probe(m, o.signal);
  }
  const boots = appBoots();
  const evidence: Evidence = [
    {
      about: 'reboot',
      proof: 'network-reboots',
      source: 'network:dhcp',
      t: bootsSince(observer, m, o.since).at(-1)?.t ?? clock.now(),
      holds: boots >= o.reboots,
      detail: `${boots} reboot(s) seen on the network (the application's DHCP request, each boot); ${o.reboots} expected`,
    },
  ];
  const baselineAccepted = o.baseline?.verdict === 'factory-defaults';
  const accepted = probe.verdict === 'factory-defaults';
  const proven = accepted && !baselineAccepted && boots >= 1;
  // Refused at the deadline by a phone that rebooted: it came back with its old configuration.
  const refuted = probe.verdict === 'locked' && boots >= 1;
  evidence.push({
    about: 'reset',
    proof: 'probe',
    source: probe.source,
    t: probe.t,
    holds: proven,
    detail: baselineAccepted
      ? `${probe.detail}; but the factory password was accepted before the reset too, so the probe proves nothing`
      : probe.detail,
  });
  return { proven, refuted, boots, probe, evidence };
}
