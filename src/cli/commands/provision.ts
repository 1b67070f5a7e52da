import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { Redactor } from '../../batch/redact.js';
import { fixtureFor } from '../../bench/jigs.js';
import { SERVER_TYPES, type ServerType } from '../../catalog/provisioning.js';
import { ConfigError } from '../../errors/errors.js';
import { runProvision, type ProvisionRequest } from '../../machines/provision.js';
import { parseMac } from '../../text-entry/mac.js';
import { EXIT, exitCodeForOutcome } from '../exit-codes.js';
import { checkOutput } from '../../batch/outputs.js';
import type { CommandContext } from '../main.js';
import { headline, writeJson } from '../output.js';
import { wantsColour } from '../../progress/render.js';
import { addProfilesOption, chooseModel } from '../profiles-option.js';
import { simModelFor } from '../sim-model.js';
import { addPlaceOptions, keepRun, onPort, onSimulator, refuseSimOptions, simSeed, type OnePhoneOpts } from './reset.js';
import { addPortBenchOptions, type PortBenchOpts } from './port-bench.js';
import type { Fixture } from '../../bench/fixture.js';
import type { PhoneModel } from '../../catalog/types.js';
import type { SingleRecord } from '../../batch/runs.js';

interface ProvisionOpts extends OnePhoneOpts, PortBenchOpts {
  serverType: ServerType;
  server: string;
  user: string;
  password?: string;
  passwordEnv?: string;
  passwordStdin?: boolean;
  sntp?: string;
}

function parseServerType(value: string): ServerType {
  const type = value.toUpperCase();
  if (!(SERVER_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError('bad-server-type', `--server-type '${value}'`, `give one of ${SERVER_TYPES.join(', ')} (seed 002 uses HTTP, seed 003 HTTPS)`);
  }
  return type as ServerType;
}

export function registerProvision(program: Command, ctx: CommandContext): void {
  const cmd = addPortBenchOptions(addPlaceOptions(
    program
      .command('provision')
      .description("point a phone at a provisioning server through its Setup menu (seeds 002, 003); on the simulator unless --port is given")
      .requiredOption('--model <model>', 'phone model, e.g. "VVX 410" or "IP 335"')
      .requiredOption('--server-type <type>', `provisioning protocol: ${SERVER_TYPES.join(' or ')}`, parseServerType)
      .requiredOption('--server <address>', 'server address without the protocol, e.g. provision.example.com/cfg')
      .requiredOption('--user <name>', 'server user')
      .option('--password-env <var>', 'read the server password from this environment variable (never shown: output, records and logs say ***)')
      .option('--password-stdin', 'read the server password from the first line of standard input')
      .option('--password <secret>', 'the server password on the command line (visible in shell history and the process list: prefer the two above)')
      .option('--sntp <host>', 'SNTP server address, e.g. pool.ntp.org (seed 003)'),
    'serial port of the bench board, e.g. /dev/ttyUSB0 (with --camera: the Setup menus are found by what it reads)',
  ))
    .option('--sim-mac <mac>', "the simulated phone's MAC (default: one drawn from the seed)")
    .option('--sim-admin-password <p>', "the simulated phone's admin password (default: one of 456, 789, 1966, drawn from the seed)")
    .option('--inspect <file>', 'write every XState inspection event to FILE as JSON lines (secrets redacted)');
  addProfilesOption(cmd).action(async (opts: ProvisionOpts) => {
    if (opts.inspect) checkOutput(opts.inspect, '--inspect', 'file');
    const password = await serverPassword(opts, process.env, process.stdin);
    const redactor = new Redactor([password]);
    try {
      await provision(opts, password, ctx, redactor);
    } catch (err) {
      // Whatever went wrong, the message that reaches the terminal holds no secret.
      throw redactor.error(err);
    }
  });
}

/** The server password from the one place the options name: --password-env, --password-stdin or --password. */
export async function serverPassword(opts: Pick<ProvisionOpts, 'password' | 'passwordEnv' | 'passwordStdin'>, env: NodeJS.ProcessEnv, stdin: Readable): Promise<string> {
  const given = [
    ...(opts.passwordEnv !== undefined ? ['--password-env'] : []),
    ...(opts.passwordStdin ? ['--password-stdin'] : []),
    ...(opts.password !== undefined ? ['--password'] : []),
  ];
  if (given.length === 0) {
    throw new ConfigError('no-password', 'the server password is missing', 'give it with --password-env VAR (from an environment variable) or --password-stdin (a line on standard input)');
  }
  if (given.length > 1) {
    throw new ConfigError('bad-option', `${given.join(' and ')} each give the server password`, 'give only one of them');
  }
  if (opts.passwordEnv !== undefined) {
    const name = opts.passwordEnv;
    const value = env[name];
    if (value === undefined) throw new ConfigError('no-password', `--password-env ${name}: the environment variable ${name} is not set`, `set it first (read -rs ${name} && export ${name}), or name the variable that holds it`);
    if (value === '') throw new ConfigError('no-password', `--password-env ${name}: the environment variable ${name} is empty`, "set it to the password; for an empty password give --password ''");
    return value;
  }
  if (opts.passwordStdin) {
    const line = await firstLine(stdin);
    if (line === undefined) throw new ConfigError('no-password', '--password-stdin: standard input ended before a line came', "pipe the password in, e.g. from a secrets manager: pass show pbx | resetbot provision ... --password-stdin");
    if (line === '') throw new ConfigError('no-password', '--password-stdin: the first line of standard input is empty', "give the password on it; for an empty password give --password ''");
    return line;
  }
  return opts.password!;
}

/**
 * The first line of a stream, without its line end (undefined when it ends empty). The stream is closed then: nothing
 * more is read from it, and a pipe left open (`(echo pw; sleep 60) | resetbot ...`) does not keep resetbot running.
 */
function firstLine(stream: Readable): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (line: string | undefined) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.destroy();
      resolve(line?.replace(/\r$/, ''));
    };
    const onData = (chunk: string | Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) finish(text.slice(0, end));
    };
    const onEnd = () => finish(text === '' ? undefined : text);
    const onError = (err: Error) => {
      finish(undefined);
      reject(err);
    };
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

async function provision(opts: ProvisionOpts, password: string, ctx: CommandContext, redactor: Redactor): Promise<void> {
  const choice = await chooseModel(opts.model, opts.profiles);
  const model = choice.model;
  const request: ProvisionRequest = {
    serverType: opts.serverType,
    serverAddress: opts.server,
    serverUser: opts.user,
    serverPassword: password,
    ...(opts.sntp !== undefined ? { sntpAddress: opts.sntp } : {}),
  };
  const fixture = fixtureFor(model, opts.fixture);
  if (opts.port !== undefined) {
    await provisionOnPort(opts.port, opts, model, request, fixture, ctx, redactor);
    return;
  }
  const stray = (['camera', 'screen', 'softkeys', 'led', 'driver'] as const).find((k) => opts[k] !== undefined);
  if (stray) throw new ConfigError('port-option-on-sim', `--${stray} is for a bench on --port`, `give --port, or drop --${stray} (on the simulator, --sim-camera sees through a simulated camera)`);

  const seed = simSeed(opts);
  const mac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : `0004f2${(seed % 0x1000000).toString(16).padStart(6, '0')}`;
  const { result: record, sim } = await onSimulator(
    opts,
    {
      modelId: simModelFor(choice, opts.simModel),
      mac,
      fixture,
      seed,
      ...(opts.simAdminPassword !== undefined ? { options: { adminPassword: opts.simAdminPassword } } : {}),
    },
    (on) => runProvision({ model, request, ...on }),
    (text) => redactor.text(text),
  );

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
          passwordSet: sim.phone.setup?.passwordIs(password) ?? false,
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
        `${headline(model.name, undefined, record, { what: 'provisioning', colour: wantsColour(process.stdout) })}\n` +
          `  ${record.summary}\n` +
          `  simulator (seed ${seed}): the phone holds ${holds}\n`,
      ),
    );
  }
  keepRun(opts, { kind: 'provision', modelName: model.name, station: 'simulator', record: redactor.value({ ...record, simulator }) as unknown as SingleRecord });
  ctx.setExit(opts.outputFailed ? EXIT.io : exitCodeForOutcome(record.outcome, record.failure?.class));
}

/**
 * Provisioning on a bench on --port: the machine finds its way through the Setup menus by what the camera over the
 * display reads, so --camera is required. `pass` means the phone showed the menus the settings were entered in and
 * saved them; what the phone then does with the server is its own business (the record says so).
 */
async function provisionOnPort(
  port: string,
  opts: ProvisionOpts,
  model: PhoneModel,
  request: ProvisionRequest,
  fixture: Fixture,
  ctx: CommandContext,
  redactor: Redactor,
): Promise<void> {
  refuseSimOptions(opts, ['realtime', 'simSeed', 'simMac', 'simModel', 'simAdminPassword', 'simCamera']);
  if (opts.camera === undefined) {
    throw new ConfigError(
      'needs-camera',
      'provisioning on --port finds its way through the Setup menus by what the screen shows, and no --camera was given',
      'give --camera SOURCE (with --screen) for the camera over the display; or provision by hand with the steps in README, Provisioning',
    );
  }
  const record = await onPort(port, fixture, opts, model, (on) => runProvision({ model, request, ...on }), { redact: (text) => redactor.text(text) });
  if (opts.json) {
    writeJson(redactor.value(record));
  } else {
    const fw = record.bench.firmware;
    process.stdout.write(
      redactor.text(
        `${headline(model.name, undefined, record, { what: 'provisioning', colour: wantsColour(process.stdout) })}\n` +
          `  ${record.summary}\n` +
          `  bench: ${record.bench.driver} on ${port}${fw ? ` (${fw.name} ${fw.version}, protocol ${fw.protocol})` : ''}, camera ${opts.camera}\n`,
      ),
    );
  }
  keepRun(opts, { kind: 'provision', modelName: model.name, station: port, record: redactor.value(record) as unknown as SingleRecord });
  ctx.setExit(opts.outputFailed ? EXIT.io : exitCodeForOutcome(record.outcome, record.failure?.class));
}
