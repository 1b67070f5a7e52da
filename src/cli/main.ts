import { Command, CommanderError, Option } from 'commander';
import { ResetbotError } from '../errors/errors.js';
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
  registerCamera(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code. Never throws, never prints a stack trace (unless RESETBOT_DEBUG is set). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram({ setExit: (c) => (code = c) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err, argv);
  } finally {
    // The OCR workers (camera runs) would keep the process alive.
    await stopSharedOcr().catch(() => {});
  }
}

function reportError(err: unknown, argv: string[]): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
      return EXIT.ok;
    }
    const sub = argv.find((a) => !a.startsWith('-'));
    const text = err.message.replace(/^error: /, '');
    process.stderr.write(`resetbot: ${text} (run 'resetbot ${sub ? sub + ' ' : ''}--help' for usage)\n`);
    return EXIT.usage;
  }
  if (err instanceof ResetbotError) {
    process.stderr.write(`resetbot: ${err.oneLine()}\n`);
    if (process.env.RESETBOT_DEBUG) process.stderr.write(`${err.stack}\n`);
    return err.failureClass === 'config' ? EXIT.usage : err.failureClass === 'bench' ? EXIT.bench : EXIT.internal;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`resetbot: internal error: ${message} (please report it; set RESETBOT_DEBUG=1 for details)\n`);
  if (process.env.RESETBOT_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.internal;
}

export { Option };
