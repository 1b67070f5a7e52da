import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { InspectionEvent } from 'xstate';
import { requireKeys } from '../../bench/fixture.js';
import { fixtureFor } from '../../bench/jigs.js';
import { getCatalog } from '../../catalog/catalog.js';
import { RealClock, VirtualClock } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import { keysNeeded } from '../../machines/needs.js';
import { planForModel, runReset } from '../../machines/run-reset.js';
import { createSimBench } from '../../sim/driver.js';
import { parseMac } from '../../text-entry/mac.js';
import { exitCodeForOutcome } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { seconds, writeJson } from '../output.js';
import { onInterrupt } from '../interrupt.js';

interface ResetOpts {
  model: string;
  mac: string;
  sim?: boolean;
  port?: string;
  fixture?: string;
  json?: boolean;
  realtime?: boolean;
  simSeed?: number;
  simMac?: string;
  inspect?: string;
}

export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new ConfigError('bad-seed', `--sim-seed '${value}' is not a whole number`, 'give a number such as 42');
  }
  return Number(value);
}

export function registerReset(program: Command, ctx: CommandContext): void {
  program
    .command('reset')
    .description('factory-reset one phone (on the simulator unless --port is given)')
    .requiredOption('--model <model>', 'phone model, e.g. "VVX 410" or "IP 335"')
    .requiredOption('--mac <mac>', 'the MAC address on the label, e.g. 0004F2AA814C')
    .addOption(new Option('--sim', 'run on the built-in simulator (the default without --port)').conflicts('port'))
    .option('--port <path>', 'serial port of the bench board, e.g. /dev/ttyUSB0')
    .option('--fixture <file>', 'fixture file of the jig (default: the model family\'s jig in fixtures/)')
    .option('--json', 'one JSON object on stdout')
    .option('--realtime', 'on the simulator, run in real time instead of virtual time')
    .option('--sim-seed <n>', 'seed of the simulator\'s randomness', parseSeed)
    .option('--sim-mac <mac>', 'the simulated phone\'s real MAC, when it differs from the label (a misread label)')
    .option('--inspect <file>', 'write every XState inspection event to FILE as JSON lines')
    .action(async (opts: ResetOpts) => {
      const model = getCatalog().find(opts.model);
      const { mac, warnings } = parseMac(opts.mac);
      const realMac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : mac;
      for (const w of warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
      const fixture = fixtureFor(model, opts.fixture);
      const planFor = planForModel(model, mac);
      requireKeys(fixture, keysNeeded(model, [planFor('lower')]), `the ${model.name} reset`);
      if (opts.port !== undefined) {
        throw new ConfigError('no-serial-driver', 'the serial bench driver is not part of this build yet', 'run on the simulator (omit --port)');
      }

      const seed = opts.simSeed ?? Math.floor(Math.random() * 2 ** 31);
      const virtual = !opts.realtime;
      const clock = virtual ? new VirtualClock() : new RealClock();
      const sim = createSimBench({ modelId: model.id, mac: realMac, fixture, clock, seed });
      await sim.driver.open();
      const abort = new AbortController();
      const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => sim.driver.releaseAll());
      const inspectLines: string[] = [];
      const run = runReset({
        model,
        mac,
        bench: sim.bench,
        clock,
        signal: abort.signal,
        ...(opts.inspect ? { inspect: (e) => inspectLines.push(inspectionLine(e, clock.now())) } : {}),
        onState: opts.json
          ? undefined
          : (state, attempt) => process.stderr.write(`${seconds(clock.now()).padStart(9)}  attempt ${attempt}  ${state}\n`),
      });
      let record;
      try {
        record = clock instanceof VirtualClock ? await clock.runUntil(run) : await run;
      } finally {
        stopInterrupt();
        await sim.driver.close();
        if (opts.inspect) writeFileSync(opts.inspect, inspectLines.join('\n') + '\n');
      }
      const truth = sim.phone.truth();
      if (opts.json) {
        writeJson({ ...record, simulator: { seed, realMac, ...truth } });
      } else {
        process.stdout.write(
          `${model.name} ${mac}: ${record.outcome.toUpperCase()} after ${record.attempts} attempt(s), ${seconds(record.durationMs)} bench time\n` +
            `  ${record.summary}\n` +
            `  simulator (seed ${seed}): the phone is ${truth.factoryDefaults ? 'at factory defaults' : 'NOT at factory defaults'}\n`,
        );
      }
      ctx.setExit(exitCodeForOutcome(record.outcome, record.failure?.class));
    });
}

/** One JSON line per inspection event: its bench time, kind, and the event or state it carries. */
function inspectionLine(e: InspectionEvent, t: number): string {
  const line: Record<string, unknown> = { t, type: e.type };
  if (e.type === '@xstate.event') line.event = e.event.type;
  if (e.type === '@xstate.snapshot') line.state = (e.snapshot as { value?: unknown }).value;
  return JSON.stringify(line);
}
