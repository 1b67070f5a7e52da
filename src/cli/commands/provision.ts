import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { Redactor } from '../../batch/redact.js';
import { fixtureFor } from '../../bench/jigs.js';
import { SERVER_TYPES, type ServerType } from '../../catalog/provisioning.js';
import { RealClock, VirtualClock } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import { runProvision, type ProvisionRecord, type ProvisionRequest } from '../../machines/provision.js';
import { createSimBench } from '../../sim/driver.js';
import { parseMac } from '../../text-entry/mac.js';
import { exitCodeForOutcome } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import type { CommandContext } from '../main.js';
import { seconds, writeJson } from '../output.js';
import { addProfilesOption, chooseModel, simModelFor } from '../profiles-option.js';
import { inspectionLine, parseSeed } from './reset.js';

interface ProvisionOpts {
  model: string;
  serverType: ServerType;
  server: string;
  user: string;
  password: string;
  sntp?: string;
  profiles?: string;
  sim?: boolean;
  port?: string;
  fixture?: string;
  json?: boolean;
  realtime?: boolean;
  simSeed?: number;
  simMac?: string;
  simModel?: string;
  simAdminPassword?: string;
  inspect?: string;
}

function parseServerType(value: string): ServerType {
  const type = value.toUpperCase();
  if (!(SERVER_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError('bad-server-type', `--server-type '${value}'`, `give one of ${SERVER_TYPES.join(', ')} (seed 002 uses HTTP, seed 003 HTTPS)`);
  }
  return type as ServerType;
}

export function registerProvision(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('provision')
    .description("point a phone at a provisioning server through its Setup menu (seeds 002, 003); on the simulator unless --port is given")
    .requiredOption('--model <model>', 'phone model, e.g. "VVX 410" or "IP 335"')
    .requiredOption('--server-type <type>', `provisioning protocol: ${SERVER_TYPES.join(' or ')}`, parseServerType)
    .requiredOption('--server <address>', 'server address without the protocol, e.g. provision.example.com/cfg')
    .requiredOption('--user <name>', 'server user')
    .requiredOption('--password <secret>', 'server password (never shown: output, records and logs say ***)')
    .option('--sntp <host>', 'SNTP server address, e.g. pool.ntp.org (seed 003)')
    .addOption(new Option('--sim', 'run on the built-in simulator (the default without --port)').conflicts('port'))
    .option('--port <path>', 'serial port of the bench board, e.g. /dev/ttyUSB0')
    .option('--fixture <file>', "fixture file of the jig (default: the model family's jig in fixtures/)")
    .option('--json', 'one JSON object on stdout')
    .option('--realtime', 'on the simulator, run in real time instead of virtual time')
    .option('--sim-seed <n>', "seed of the simulator's randomness", parseSeed)
    .option('--sim-mac <mac>', "the simulated phone's MAC (default: one drawn from the seed)")
    .option('--sim-model <id>', 'the simulated phone model (default: the model, or the built-in model a --profiles model extends)')
    .option('--sim-admin-password <p>', "the simulated phone's admin password (default: one of 456, 789, 1966, drawn from the seed)")
    .option('--inspect <file>', 'write every XState inspection event to FILE as JSON lines (secrets redacted)');
  addProfilesOption(cmd).action(async (opts: ProvisionOpts) => {
    const redactor = new Redactor([opts.password]);
    try {
      await provision(opts, ctx, redactor);
    } catch (err) {
      // Whatever went wrong, the message that reaches the terminal holds no secret.
      throw redactor.error(err);
    }
  });
}

async function provision(opts: ProvisionOpts, ctx: CommandContext, redactor: Redactor): Promise<void> {
  const choice = chooseModel(opts.model, opts.profiles);
  const model = choice.model;
  const request: ProvisionRequest = {
    serverType: opts.serverType,
    serverAddress: opts.server,
    serverUser: opts.user,
    serverPassword: opts.password,
    ...(opts.sntp !== undefined ? { sntpAddress: opts.sntp } : {}),
  };
  const fixture = fixtureFor(model, opts.fixture);
  if (opts.port !== undefined) {
    throw new ConfigError('no-serial-driver', 'the serial bench driver is not part of this build yet', 'run on the simulator (omit --port)');
  }

  const seed = opts.simSeed ?? Math.floor(Math.random() * 2 ** 31);
  const mac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : `0004f2${(seed % 0x1000000).toString(16).padStart(6, '0')}`;
  const clock = opts.realtime ? new RealClock() : new VirtualClock();
  const sim = createSimBench({
    modelId: simModelFor(choice, opts.simModel),
    mac,
    fixture,
    clock,
    seed,
    ...(opts.simAdminPassword !== undefined ? { options: { adminPassword: opts.simAdminPassword } } : {}),
  });
  await sim.driver.open();
  const abort = new AbortController();
  const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => sim.driver.releaseAll());
  const inspectLines: string[] = [];
  const run = runProvision({
    model,
    request,
    bench: sim.bench,
    clock,
    signal: abort.signal,
    ...(opts.inspect ? { inspect: (e) => inspectLines.push(redactor.text(inspectionLine(e, clock.now()))) } : {}),
    onState: opts.json
      ? undefined
      : (state, attempt) => process.stderr.write(redactor.text(`${seconds(clock.now()).padStart(9)}  attempt ${attempt}  ${state}\n`)),
  });
  let record: ProvisionRecord;
  try {
    record = clock instanceof VirtualClock ? await clock.runUntil(run) : await run;
  } finally {
    stopInterrupt();
    await sim.driver.close();
    if (opts.inspect) writeFileSync(opts.inspect, inspectLines.join('\n') + '\n');
  }

  // The simulator's own account: the settings the phone holds now; of the password, only whether it is the one asked.
  const truth = sim.phone.truth();
  const held = truth.setup;
  const simulator = {
    seed,
    model: truth.modelId,
    mac: truth.mac,
    state: truth.state,
    provisioning: held
      ? {
          serverType: held.serverType,
          serverAddress: held.serverAddress,
          serverUser: held.serverUser,
          sntpAddress: held.sntpAddress,
          passwordSet: sim.phone.setup?.passwordIs(opts.password) ?? false,
          saves: held.saves,
        }
      : null,
  };
  if (opts.json) {
    writeJson(redactor.value({ ...record, simulator }));
  } else {
    const p = simulator.provisioning;
    const holds = p
      ? `server type ${p.serverType}, server ${p.serverAddress || '(none)'}, user ${p.serverUser || '(none)'}, ` +
        `password ${p.passwordSet ? 'as asked' : 'NOT as asked'}, SNTP ${p.sntpAddress || '(none)'}`
      : 'no Setup menu';
    process.stdout.write(
      redactor.text(
        `${model.name}: provisioning ${record.outcome.toUpperCase()} after ${record.attempts} attempt(s), ${seconds(record.durationMs)} bench time\n` +
          `  ${record.summary}\n` +
          `  simulator (seed ${seed}): the phone holds ${holds}\n`,
      ),
    );
  }
  ctx.setExit(exitCodeForOutcome(record.outcome, record.failure?.class));
}
