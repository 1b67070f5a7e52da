/**
 * `reset --sim-network` (and `reboot --sim-network`): the simulated phone in its own network namespace, on a veth link
 * that carries its real MAC, facing the bench's network observer (dnsmasq, the provisioning server, the probe) on the
 * link's other end; the run wrapped by observe/network/networked-run.ts: the phone's identity is checked before
 * anything is typed (`--mac auto` takes it from the network), and the reset is proven by the probe. Needs root.
 */
import type { ResetRecord } from '../../batch/record.js';
import type { RunOn } from '../../machines/runner.js';
import type { RunHooks } from '../../observe/network/networked-run.js';
import { fixtureAt, fixtureFor } from '../../bench/jigs.js';
import { holdClock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import { benchNeeds, requireFit } from '../../machines/needs.js';
import { runPlan, type RunPlan } from '../../machines/run-reset.js';
import type { PhoneModel } from '../../catalog/types.js';
import { runPlanWithNetwork, type NetworkedModel } from '../../observe/network/networked-run.js';
import { getCatalog } from '../../catalog/catalog.js';
import { NetworkObserver } from '../../observe/network/observer.js';
import { createSimLink, netnsUnavailable, type SimLink } from '../../sim/net/link.js';
import { SimNetPhone } from '../../sim/net/net-phone.js';
import { Rng } from '../../sim/rng.js';
import { parseMac } from '../../text-entry/mac.js';
import { exitCodeForOutcome } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { headline, writeJson } from '../output.js';
import { wantsColour } from '../../progress/render.js';
import { chooseModel } from '../profiles-option.js';
import { simModelFor } from '../sim-model.js';
import { onSimulator, simPhoneOptions, simSeed, type ResetOpts, type SimOutcome } from './reset.js';


/** What runPlanWithNetwork takes of a one-phone command's run: its bench, clock and signal, and the machine run on it. */
export function networkedOn(on: RunOn): { bench: RunOn['bench']; clock: RunOn['clock']; signal?: AbortSignal; run: (plan: RunPlan, mac: string, hooks: RunHooks) => Promise<ResetRecord> } {
  return { bench: on.bench, clock: on.clock, ...(on.signal ? { signal: on.signal } : {}), run: (plan, mac, hooks) => runPlan(plan, { ...on, mac, ...hooks }) };
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
  // --model auto: the model the phone names on the network. The simulator must still be told which phone it seats.
  const modelAuto = opts.model.toLowerCase() === 'auto';
  if (modelAuto && opts.simModel === undefined) {
    throw new ConfigError('sim-model-needed', '--model auto takes the model from the network, but the simulator must be told which phone is in its jig', 'give --sim-model ID too (e.g. --sim-model vvx-410; `resetbot models` lists them)');
  }
  const choice = modelAuto ? undefined : await chooseModel(opts.model, opts.profiles);
  let label: string | undefined;
  if (!auto) {
    const parsed = parseMac(opts.mac);
    for (const w of parsed.warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
    label = parsed.mac;
  }
  const seed = simSeed(opts);
  // The phone's real MAC: --sim-mac (a misread label), else the label's, else (with --mac auto) one drawn from the seed.
  const realMac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : (label ?? `0004f2${new Rng(seed).fork('mac').int(0, 0xffffff).toString(16).padStart(6, '0')}`);
  const simModelId = simModelFor(choice, opts.simModel);
  // The simulated bench's jig: the given model's, or (--model auto) the one made for the unit the simulator seats.
  const jigModel = choice?.model ?? getCatalog().byId(simModelId);
  const fixture = jigModel ? fixtureFor(jigModel, opts.fixture) : fixtureAt(requireFixtureFlag(opts.fixture, simModelId));
  // Everything that can be checked before anything moves: the plan for the label's MAC (or the phone's, for auto).
  let given: NetworkedModel = 'auto';
  if (choice) {
    const firstPlan = decide(choice.model, label ?? realMac);
    requireFit(firstPlan, fixture);
    if (opts.simBlind && benchNeeds(firstPlan).observer) {
      throw new ConfigError('needs-observer', `the ${choice.model.name} ${firstPlan.label} finds its way by what the screen shows: it needs an observer (a camera)`, 'drop --sim-blind');
    }
    given = { model: choice.model, firstPlan };
  }
  const why = netnsUnavailable();
  if (why) throw new BenchError('netns-unavailable', `--sim-network cannot build the simulated phone's network: ${why}`, 'run as root on Linux, or drop --sim-network');

  let netTruth: unknown;
  let heard: string | undefined;
  let runModel: PhoneModel | undefined;
  const { result: record, sim } = await onSimulator(
    opts,
    {
      modelId: simModelId,
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
        // The phone first: its traffic in flight (a DHCP exchange) finishes against the bench's dnsmasq, still up,
        // instead of waiting out its timeout against a server already gone.
        await net?.stop().catch(() => undefined);
        await observer?.stop().catch(() => undefined);
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
        const ran = await runPlanWithNetwork({ ...networkedOn(on), observer: observer!, label, model: given, fixture, decide });
        heard = ran.record.networkMac;
        runModel = ran.model;
        return ran.record;
      } finally {
        await holdClock(clock, teardown());
      }
    },
  );
  const mac = record.mac;
  const truth = sim.phone.truth();
  // A run the network named no model for (it ended before anything was typed) is reported as its record says.
  const out = runModel
    ? report({ model: runModel, mac, realMac, record, truth, seed })
    : { json: { ...record, simulator: { seed, realMac, ...truth } }, text: `${headline(record.model, mac, record, { colour: wantsColour(process.stdout) })}\n  ${record.summary}\n` };
  if (opts.json) {
    const json = out.json as Record<string, unknown>;
    writeJson({ ...json, simulator: { ...(json.simulator as Record<string, unknown>), network: netTruth } });
  } else {
    process.stdout.write(out.text);
    for (const e of record.evidence ?? []) process.stdout.write(`  evidence (${e.about}, ${e.proof}${e.holds ? '' : ', against'}): ${e.detail}\n`);
  }
  ctx.setExit(exitCodeForOutcome(record.outcome, record.failure?.class));
}

/** --fixture, for a simulated unit the catalog has no jig for (a unit without a catalog model). */
function requireFixtureFlag(path: string | undefined, unit: string): string {
  if (path === undefined) throw new ConfigError('model-auto-needs-fixture', `the simulated unit ${unit} has no jig of its own`, 'give --fixture F');
  return path;
}
