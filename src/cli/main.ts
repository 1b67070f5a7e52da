import { Command, CommanderError, Option } from 'commander';
import { OutputError } from '../batch/outputs.js';
import { editDistance, nearest, ResetbotError } from '../errors/errors.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from './version.js';
import { registerDemo } from './commands/demo.js';
import { registerModels } from './commands/models.js';
import { registerPlan } from './commands/plan.js';
import { registerReset } from './commands/reset.js';
import { registerBatch } from './commands/batch.js';
import { registerProvision } from './commands/provision.js';
import { registerPorts } from './commands/ports.js';
import { registerDoctor } from './commands/doctor.js';
import { registerSim } from './commands/sim.js';
import { registerReboot } from './commands/reboot.js';
import { registerCheckFixture } from './commands/check-fixture.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerRuns } from './commands/runs.js';
import { registerNet } from './commands/net.js';
import { registerCamera } from './commands/camera.js';
import { stopSharedOcr } from '../observe/camera/ocr.js';

/** What a command's action reports back to main: the process exit code. */
export interface CommandContext {
  setExit(code: number): void;
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('resetbot')
    .description('Factory-resets locked Polycom/Poly desk phones at the keypad with a relay and solenoids.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own error text is replaced by one line of ours (see main); help and version go to stdout.
      writeErr: () => {},
    });
  registerPlan(program, ctx);
  registerReset(program, ctx);
  registerModels(program, ctx);
  registerDemo(program, ctx);
  registerBatch(program, ctx);
  registerProvision(program, ctx);
  registerPorts(program, ctx);
  registerDoctor(program, ctx);
  registerSim(program, ctx);
  registerReboot(program, ctx);
  registerCheckFixture(program, ctx);
  registerCalibrate(program, ctx);
  registerRuns(program, ctx);
  registerNet(program, ctx);
  registerCamera(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code. Never throws, never prints a stack trace (unless RESETBOT_DEBUG is set). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram({ setExit: (c) => (code = c) });
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
    // The OCR workers (camera runs) would keep the process alive.
    await stopSharedOcr().catch(() => {});
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
