/**
 * `reset --sim-network` (and `reboot --sim-network`): the simulated phone in its own network namespace, on a veth link
 * that carries its real MAC, facing the bench's network observer (dnsmasq, the provisioning server, the probe) on the
 * link's other end; the run wrapped by observe/network/networked-run.ts: the phone's identity is checked before
 * anything is typed (`--mac auto` takes it from the network), and the reset is proven by the probe. Needs root.
 */
import type { ResetRecord } from '../../batch/record.js';
import type { RunOn } from '../../machines/runner.js';
import { fixtureFor } from '../../bench/jigs.js';
import { holdClock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import { benchNeeds, requireFit } from '../../machines/needs.js';
import { runPlan, type RunPlan } from '../../machines/run-reset.js';
import type { PhoneModel } from '../../catalog/types.js';
import { networkOptionsFor, runWithNetwork } from '../../observe/network/networked-run.js';
import { NetworkObserver } from '../../observe/network/observer.js';
import { createSimLink, netnsUnavailable, type SimLink } from '../../sim/net/link.js';
import { SimNetPhone } from '../../sim/net/net-phone.js';
import { Rng } from '../../sim/rng.js';
import { parseMac } from '../../text-entry/mac.js';
import { exitCodeForOutcome } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { writeJson } from '../output.js';
import { chooseModel } from '../profiles-option.js';
import { simModelFor } from '../sim-model.js';
import { onSimulator, simPhoneOptions, simSeed, type ResetOpts, type SimOutcome } from './reset.js';

/** How long the phone has to say who it is after power-on (clock ms): its Updater's DHCP comes within seconds. */
const IDENTITY_TIMEOUT_MS = 120_000;

/**
 * A planned run with the network observer around it (observe/network/networked-run.ts), as `reset --sim-network` and
 * `reset --port --network` make it: the phone named on the network before anything is typed (`label` undefined: its
 * MAC taken from there), the reset proven by the probe; every solenoid released after. `plan` plans the run for the
 * MAC the network names. The record carries `networkMac`, the MAC heard.
 */
export async function runPlanWithNetwork(a: {
  on: RunOn;
  observer: NetworkObserver;
  label: string | undefined;
  firstPlan: RunPlan;
  plan: (mac: string) => RunPlan;
}): Promise<ResetRecord> {
  const { on } = a;
  const result = await runWithNetwork({
    bench: on.bench,
    clock: on.clock,
    observer: a.observer,
    labelMac: a.label ?? 'auto',
    identityTimeoutMs: IDENTITY_TIMEOUT_MS,
    baseline: true,
    ...networkOptionsFor(a.firstPlan, on.bench),
    ...(on.signal ? { signal: on.signal } : {}),
    run: (mac, hooks) => runPlan(a.plan(mac), { ...on, mac, ...hooks }),
  });
  await on.bench.releaseAll();
  return result.heardMac ? { ...result.record, networkMac: result.heardMac } : result.record;
}

export async function runOnePhoneNetworked(
  opts: ResetOpts,
  ctx: CommandContext,
  decide: (model: PhoneModel, mac: string) => RunPlan,
  report: (run: SimOutcome) => { json: unknown; text: string },
): Promise<void> {
  if (opts.port !== undefined) throw new ConfigError('sim-option-on-port', '--sim-network applies to the simulator only, not to a bench on --port', 'drop --sim-network, or drop --port');
  if (opts.realtime) throw new ConfigError('sim-network-realtime', '--sim-network runs in virtual time only', 'drop --realtime');
  const auto = opts.mac.toLowerCase() === 'auto';
  const choice = await chooseModel(opts.model, opts.profiles);
  const model = choice.model;
  let label: string | undefined;
  if (!auto) {
    const parsed = parseMac(opts.mac);
    for (const w of parsed.warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
    label = parsed.mac;
  }
  const seed = simSeed(opts);
  // The phone's real MAC: --sim-mac (a misread label), else the label's, else (with --mac auto) one drawn from the seed.
  const realMac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : (label ?? `0004f2${new Rng(seed).fork('mac').int(0, 0xffffff).toString(16).padStart(6, '0')}`);
  const fixture = fixtureFor(model, opts.fixture);
  // Everything that can be checked before anything moves: the plan for the label's MAC (or the phone's, for auto).
  const firstPlan = decide(model, label ?? realMac);
  requireFit(firstPlan, fixture);
  if (opts.simBlind && benchNeeds(firstPlan).observer) {
    throw new ConfigError('needs-observer', `the ${model.name} ${firstPlan.label} finds its way by what the screen shows: it needs an observer (a camera)`, 'drop --sim-blind');
  }
  const why = netnsUnavailable();
  if (why) throw new BenchError('netns-unavailable', `--sim-network cannot build the simulated phone's network: ${why}`, 'run as root on Linux, or drop --sim-network');

  let netTruth: unknown;
  let heard: string | undefined;
  const { result: record, sim } = await onSimulator(
    opts,
    {
      modelId: simModelFor(choice, opts.simModel),
      mac: label ?? realMac,
      realMac,
      fixture,
      seed,
      options: simPhoneOptions(opts),
      ...(opts.simBlind ? { blind: true } : {}),
    },
    async (on, sim): Promise<ResetRecord> => {
      const clock = on.clock;
      let link: SimLink | undefined;
      let net: SimNetPhone | undefined;
      let observer: NetworkObserver | undefined;
      const teardown = async (): Promise<void> => {
        await observer?.stop().catch(() => undefined);
        await net?.stop().catch(() => undefined);
        netTruth = net?.truth();
        await link?.destroy().catch(() => undefined);
      };
      try {
        await holdClock(
          clock,
          (async () => {
            link = await createSimLink({ mac: realMac });
            net = new SimNetPhone({ device: sim.phone, clock, link, seed });
            await net.start();
            observer = new NetworkObserver({ clock, interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' }, name: 'network' });
            await observer.start();
          })(),
        );
        const record = await runPlanWithNetwork({ on, observer: observer!, label, firstPlan, plan: (mac) => (mac === (label ?? realMac) ? firstPlan : decide(model, mac)) });
        heard = record.networkMac;
        return record;
      } finally {
        await holdClock(clock, teardown());
      }
    },
  );
  const mac = record.mac;
  const out = report({ model, mac, realMac, record, truth: sim.phone.truth(), seed });
  if (opts.json) {
    const json = out.json as Record<string, unknown>;
    writeJson({ ...json, simulator: { ...(json.simulator as Record<string, unknown>), network: netTruth } });
  } else {
    process.stdout.write(out.text);
    for (const e of record.evidence ?? []) process.stdout.write(`  evidence (${e.about}, ${e.proof}${e.holds ? '' : ', against'}): ${e.detail}\n`);
  }
  ctx.setExit(exitCodeForOutcome(record.outcome, record.failure?.class));
}
