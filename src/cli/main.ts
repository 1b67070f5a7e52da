import { Command, CommanderError, Help, Option } from 'commander';
import { OutputError } from '../batch/outputs.js';
import { editDistance, nearest, ResetbotError } from '../errors/errors.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from './version.js';
import { stopOcrIfLoaded } from '../observe/ocr-loaded.js';
/** What a command's action reports back to main: the process exit code. */
export interface CommandContext {
  setExit(code: number): void;
}

/** A command's registration, loaded only when the command runs (or its help is asked for). */
type Register = (program: Command, ctx: CommandContext) => void;

interface CommandEntry {
  name: string;
  /** How the top-level help lists it ("plan [options]", "batch [options] [file]"). */
  term: string;
  description: string;
  load: () => Promise<Register>;
}

/**
 * Every command, in help order. Start-up cost: only the command argv names is imported (its code pulls zod, xstate,
 * the camera...); the others stand in as a name and a description for the help and for commander's suggestions.
 * test/cli/lazy.test.ts checks these terms and descriptions against the commands' own.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'plan', term: 'plan [options]', description: "print the key sequence that types a phone's MAC password", load: async () => (await import('./commands/plan.js')).registerPlan },
  { name: 'reset', term: 'reset [options]', description: 'factory-reset one phone (on the simulator unless --port is given)', load: async () => (await import('./commands/reset.js')).registerReset },
  { name: 'models', term: 'models [options]', description: "list the phone models resetbot knows, with their aliases, procedure and key combo (and a profiles file's, with --profiles)", load: async () => (await import('./commands/models.js')).registerModels },
  { name: 'demo', term: 'demo [options]', description: 'reset a few simulated phones of different models and show a summary', load: async () => (await import('./commands/demo.js')).registerDemo },
  { name: 'batch', term: 'batch [options] [file]', description: 'reset a batch of phones from a CSV or JSON file (or scanned one by one with --scan), unattended, on one or more stations', load: async () => (await import('./commands/batch.js')).registerBatch },
  { name: 'provision', term: 'provision [options]', description: "point a phone at a provisioning server through its Setup menu (seeds 002, 003); on the simulator unless --port is given", load: async () => (await import('./commands/provision.js')).registerProvision },
  { name: 'ports', term: 'ports [options]', description: "list the serial ports, to find the bench board's", load: async () => (await import('./commands/ports.js')).registerPorts },
  { name: 'doctor', term: 'doctor [options]', description: 'check a bench: the board answers, its firmware, channels against the fixture, a relay click, the sensor; --jog presses each key once to align the jig', load: async () => (await import('./commands/doctor.js')).registerDoctor },
  { name: 'sim', term: 'sim', description: 'the simulator as a bench: `sim serve` puts a virtual bench on a pseudo-terminal', load: async () => (await import('./commands/sim.js')).registerSim },
  { name: 'reboot', term: 'reboot [options]', description: 'reboot one phone with its reboot key combo (seed 001); the same combo power-cycles phones on a fixture without relay', load: async () => (await import('./commands/reboot.js')).registerReboot },
  { name: 'check-fixture', term: 'check-fixture [options]', description: "say which keys, touch points, buttons or relay a model's procedure needs that a fixture lacks (exit 2 if any)", load: async () => (await import('./commands/check-fixture.js')).registerCheckFixture },
  { name: 'calibrate', term: 'calibrate [options]', description: "reset one phone and keep what it shows of its model's keypad and timings in the calibration file", load: async () => (await import('./commands/calibrate.js')).registerCalibrate },
  { name: 'runs', term: 'runs [options]', description: 'list the runs kept (batches and single resets): id, date, stations, counts by outcome', load: async () => (await import('./commands/runs.js')).registerRuns },
  { name: 'net', term: 'net', description: "the bench's own network: DHCP (dnsmasq), provisioning, the default-login probe", load: async () => (await import('./commands/net.js')).registerNet },
  { name: 'camera', term: 'camera', description: "the camera over a phone's display: read a frame, see the calibrated regions, find the display", load: async () => (await import('./commands/camera.js')).registerCamera },
];

function baseProgram(): Command {
  return new Command('resetbot')
    .description('Factory-resets locked Polycom/Poly desk phones at the keypad with a relay and solenoids.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own error text is replaced by one line of ours (see main); help and version go to stdout.
      writeErr: () => {},
    });
}

/** The whole program, every command loaded (tests, and the check that the lazy help says the same). */
export async function buildProgram(ctx: CommandContext): Promise<Command> {
  const program = baseProgram();
  for (const entry of COMMANDS) (await entry.load())(program, ctx);
  return program;
}

/** The command argv names: `plan`, or `help plan`'s `plan`. */
function namedCommand(argv: string[]): CommandEntry | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

/**
 * The program with only the command argv names loaded; every other command is its name and description (enough for
 * the top-level help and for "did you mean"), listed in the help under the term its real registration would show.
 */
export async function buildProgramFor(argv: string[], ctx: CommandContext): Promise<Command> {
  const program = baseProgram();
  const wanted = namedCommand(argv);
  const terms = new Map<Command, string>();
  for (const entry of COMMANDS) {
    if (entry === wanted) {
      (await entry.load())(program, ctx);
    } else {
      terms.set(program.command(entry.name).description(entry.description), entry.term);
    }
  }
  program.configureHelp({
    subcommandTerm(this: Help, cmd: Command) {
      return terms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
  return program;
}

/** Runs the CLI and returns the exit code. Never throws, never prints a stack trace (unless RESETBOT_DEBUG is set). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = await buildProgramFor(argv, { setExit: (c) => (code = c) });
  // Bare `resetbot`: what it can do, not silence.
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err, argv, program);
  } finally {
    // The OCR workers (camera runs) would keep the process alive; a run that never loaded the reader has none.
    await stopOcrIfLoaded();
  }
}

/** The (sub)command argv names, as far as it names known ones: ['sim', 'serve'], ['reset'], or []. */
export function commandPath(program: Command, argv: string[]): Command[] {
  const path: Command[] = [];
  let at = program;
  for (const a of argv) {
    if (a.startsWith('-')) continue;
    const next = at.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    path.push(next);
    at = next;
  }
  return path;
}

/** The first flag in argv that the command does not take (commander reports missing options before unknown ones). */
function unknownFlag(cmd: Command, argv: string[]): string | undefined {
  const known = new Set<string>(['--help', '-h']);
  for (const o of cmd.options) {
    if (o.long) known.add(o.long);
    if (o.short) known.add(o.short);
  }
  return argv.find((a) => a.startsWith('-') && a !== '-' && a !== '--' && !known.has(a.split('=')[0]!));
}

function reportError(err: unknown, argv: string[], program: Command): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
      return EXIT.ok;
    }
    const path = commandPath(program, argv);
    const cmd = path.at(-1);
    const usage = `run 'resetbot ${path.map((c) => c.name() + ' ').join('')}--help' for usage`;
    let text = err.message.replace(/^error: /, '');
    const stray = cmd && err.code === 'commander.missingMandatoryOptionValue' ? unknownFlag(cmd, argv) : undefined;
    if (stray !== undefined) {
      const flag = stray.split('=')[0]!;
      const near = nearest(flag, cmd!.options.map((o) => o.long).filter((l): l is string => !!l), 1)[0];
      const close = near !== undefined && editDistance(flag, near) <= Math.max(2, Math.floor(flag.length / 3));
      text = `unknown option '${stray}'${close ? ` (did you mean ${near}?)` : ''}`;
    }
    // Commander puts its suggestion on a line of its own: one line, ours.
    text = text.replace(/\s*\n\s*\(Did you mean (.*)\?\)/, ' (did you mean $1?)').replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`resetbot: ${text} (${usage})\n`);
    return EXIT.usage;
  }
  if (err instanceof ResetbotError) {
    process.stderr.write(`resetbot: ${err.oneLine()}\n`);
    if (process.env.RESETBOT_DEBUG) process.stderr.write(`${err.stack}\n`);
    if (err instanceof OutputError) return EXIT.io;
    return err.failureClass === 'config' ? EXIT.usage : err.failureClass === 'bench' ? EXIT.bench : EXIT.internal;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`resetbot: internal error: ${message} (please report it; set RESETBOT_DEBUG=1 for details)\n`);
  if (process.env.RESETBOT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.internal;
}

export { Option };
