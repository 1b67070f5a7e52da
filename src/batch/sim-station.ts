import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { outputError, writeAllSync, type OutputError } from './outputs.js';
import { dirname } from 'node:path';
import type { Fixture } from '../bench/fixture.js';
import { fixtureFor } from '../bench/jigs.js';
import type { DriverInfo } from '../bench/types.js';
import type { Clock } from '../clock/clock.js';
import { getCatalog } from '../catalog/catalog.js';
import { BenchError, ConfigError } from '../errors/errors.js';
import { createSimBench, type SimBench } from '../sim/driver.js';
import { holdClock } from '../clock/clock.js';
import { loadSimCamera } from '../observe/ocr-loaded.js';
import type { SimPhoneOptions } from '../sim/phone.js';
import { parseMac } from '../text-entry/mac.js';
import { Rng } from '../sim/rng.js';
import { NetworkObserver } from '../observe/network/observer.js';
import { createSimLink, netnsUnavailable } from '../sim/net/link.js';
import { SimNetPhone } from '../sim/net/net-phone.js';
import type { Job } from './jobs.js';
import { fixtureOf, type StationFactory } from './stations.js';

/** The model of the stand-in phone a health check places in the jig: the board is probed, not the phone. */
const PROBE_MODEL = 'vvx-410';
const PROBE_MAC = '0004f2000000';

/**
 * A simulated station: a simulated board and jig with the station's fixture (or, without one, the jig made for each
 * job's model); each job places a fresh simulated unit of its model (its real MAC from `realMacs`, else the label's)
 * in the jig. What the row says of the phone is true of the simulated one: its admin password and its software
 * version, unless the station's `sim.options` say otherwise. The station's serial line is one: once it drops (a
 * `linkLostAtMs` fault), it stays down, and the station fails its next health check.
 */
export const simStation: StationFactory = (spec, env) => {
  const sim = spec.sim ?? {};
  const { linkLost, ...faults } = sim.faults ?? {};
  const realMacs = new Map<string, string>();
  for (const [label, real] of Object.entries(sim.realMacs ?? {})) {
    try {
      realMacs.set(parseMac(label).mac, parseMac(real).mac);
    } catch (e) {
      throw new ConfigError('bad-stations', `station ${spec.name}: realMacs: ${(e as Error).message}`, 'give both MACs as 12 hex digits');
    }
  }
  let lost: string | undefined;
  let current: SimBench | undefined;

  const place = (modelId: string, fixture: Fixture, mac: string, realMac: string, seed: string, options: SimPhoneOptions): SimBench => {
    const s = createSimBench({
      modelId,
      mac,
      realMac,
      fixture,
      clock: env.clock,
      seed,
      faults,
      options,
      ...(sim.maxHoldMs !== undefined ? { maxHoldMs: sim.maxHoldMs } : {}),
      ...(sim.blind ? { blind: true } : {}),
    });
    s.driver.onEvent((e) => {
      if (e.kind === 'link-lost') lost ??= `serial link lost: ${e.reason}`;
    });
    return s;
  };

  return {
    async open(): Promise<DriverInfo> {
      if (linkLost) throw new BenchError('link-lost', 'the simulated board never answered (fault linkLost)', 'remove the fault');
      const why = sim.network ? netnsUnavailable() : undefined;
      if (why) throw new BenchError('netns-unavailable', `station ${spec.name}: its simulated network cannot be built: ${why}`, 'run as root, or drop "network" from its sim settings');
      if (lost) throw new BenchError('link-lost', lost, 'the station stays out for the rest of the batch');
      const probeFixture = spec.fixture ?? fixtureFor(getCatalog().find(PROBE_MODEL));
      const probe = place(PROBE_MODEL, probeFixture, PROBE_MAC, PROBE_MAC, `${env.seed}:${spec.name}:probe`, sim.options ?? {});
      await probe.driver.open();
      await probe.driver.readSensor(); // a command: the line must carry it
      await probe.driver.close();
      return { ...probe.driver.info, port: `sim:${spec.name}` };
    },
    async load(job, run) {
      if (lost) throw new BenchError('link-lost', lost, 'check the station\'s board and cable');
      const seed = `${env.seed}:${sim.seed ?? spec.name}:${job.mac}:${run}`;
      // A row without a MAC: the phone in the jig has one of its own (drawn from the seed); only its network says which.
      const realMac = realMacs.get(job.mac) ?? (job.auto ? `0004f2${new Rng(seed).fork('mac').int(0, 0xffffff).toString(16).padStart(6, '0')}` : job.mac);
      if (job.auto && !sim.network) {
        throw new ConfigError('mac-from-network', `line ${job.line} has no MAC, and station ${spec.name} has no network to hear it from`, 'give the MAC, or run it on a station with "network": true');
      }
      if (!job.model && !(sim.network && sim.model)) {
        throw new ConfigError('model-from-network', `line ${job.line} names no model, and station ${spec.name} ${sim.network ? 'seats no phone for such rows' : 'has no network to hear it from'}`, 'give the model, or run it on a station with "network": true and the "model" it seats');
      }
      const unit = job.model ? job.simModel : sim.model;
      if (unit === undefined) {
        throw new ConfigError('no-sim-model', `the simulator has no unit for the ${job.model?.name ?? 'row'}`, 'run it on a real station, or define the model with "extends" in the profiles file');
      }
      const s = place(unit, fixtureOf(spec, job), job.auto ? realMac : job.mac, realMac, seed, phoneOptions(sim.options ?? {}, job));
      await s.driver.open();
      current = s;
      const net = sim.network ? await holdClock(env.clock, phoneNetwork(s, realMac, env.clock, seed)) : undefined;
      // `sim.camera`: the phone seen through the rendered camera path instead of its perfect screen.
      const seen = sim.camera && !sim.blind ? (await loadSimCamera()).simCameraBench(s, env.clock, { seed, level: sim.camera }) : undefined;
      if (seen) await holdClock(env.clock, seen.observer.start());
      return {
        bench: seen ? seen.bench : s.bench,
        ...(net ? { network: net.observer } : {}),
        finish: async () => {
          await seen?.observer.stop();
          if (net) await holdClock(env.clock, net.close());
          await s.driver.close();
          if (current === s) current = undefined;
          // The simulator's own account of the phone: tests judge the controller's records by it.
          env.simTruth?.({ station: spec.name, mac: job.mac, run, seed, realMac, truth: s.phone.truth(), trace: s.jig.trace() });
        },
      };
    },
    async releaseAll() {
      await current?.driver.releaseAll();
    },
    lost: () => lost,
    async close() {
      await current?.driver.close();
    },
  };
};

/** The phone on its own namespaced link, its network stack following it, and the station's observer on the other end. */
async function phoneNetwork(s: SimBench, realMac: string, clock: Clock, seed: string): Promise<{ observer: NetworkObserver; close: () => Promise<void> }> {
  const link = await createSimLink({ mac: realMac });
  const net = new SimNetPhone({ device: s.phone, clock, link, seed });
  const observer = new NetworkObserver({ clock, interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' }, name: 'network' });
  const close = async (): Promise<void> => {
    // The phone first: its traffic in flight finishes against the station's dnsmasq, still up (see reset-network).
    await net.stop().catch(() => undefined);
    await observer.stop().catch(() => undefined);
    await link.destroy().catch(() => undefined);
  };
  try {
    await net.start();
    await observer.start();
  } catch (err) {
    await close();
    throw err;
  }
  return { observer, close };
}

/** The simulated phone's options: the station's, and what the row says of the phone where the station says nothing. */
function phoneOptions(station: SimPhoneOptions, job: Job): SimPhoneOptions {
  const { adminPassword, software } = job.options;
  return {
    ...(typeof adminPassword === 'string' && station.adminPassword === undefined ? { adminPassword } : {}),
    ...(typeof software === 'string' && station.software === undefined && !station.oldSoftware ? { software } : {}),
    ...station,
  };
}

/**
 * The simulator's account of every phone a batch ran, as JSON lines (`--sim-truth FILE`), each flushed to disk before
 * the phone's record is journaled. The controller never reads it.
 */
export function openSimTruthLog(path: string, onFailure: (err: OutputError) => void = () => {}): { write: (line: Record<string, unknown>) => void; close: () => void } {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  let size = fstatSync(fd).size;
  let failed = false;
  return {
    // A write that fails (disk full) is cut back to the last whole line, and stops the batch (onFailure): the
    // simulator's account would be incomplete. Nothing more is written.
    write: (line) => {
      if (failed) return;
      const bytes = Buffer.from(JSON.stringify(line) + '\n');
      try {
        writeAllSync(fd, bytes);
        fsyncSync(fd);
        size += bytes.length;
      } catch (err) {
        failed = true;
        try {
          ftruncateSync(fd, size);
        } catch {
          // the disk is failing
        }
        onFailure(outputError(err, path, 'the --sim-truth file'));
      }
    },
    close: () => closeSync(fd),
  };
}
