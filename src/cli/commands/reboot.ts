import type { Command } from 'commander';
import { fixtureFor } from '../../bench/jigs.js';
import { ConfigError } from '../../errors/errors.js';
import { requireFit } from '../../machines/needs.js';
import { resolveReboot } from '../../machines/run-reset.js';
import { parseMac } from '../../text-entry/mac.js';
import { exitCodeForOutcome } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { seconds, writeJson } from '../output.js';
import { addProfilesOption, chooseModel, simModelFor } from '../profiles-option.js';
import { addRunOptions, runOnPort, runPlanOnSim, type ResetOpts } from './reset.js';

/**
 * `resetbot reboot`: the reboot combo of seed 001 ("Rebooting the Phone": hold the model's keys "until you hear a
 * confirmation tone (for about three seconds)"), with the application running. On the simulator the outcome is `pass`
 * only when the phone was seen to go dark and come back to its idle screen.
 */
export function registerReboot(program: Command, ctx: CommandContext): void {
  const cmd = addRunOptions(
    program
      .command('reboot')
      .description('reboot one phone with its reboot key combo (seed 001); the same combo power-cycles phones on a fixture without relay'),
  );
  addProfilesOption(cmd).action(async (opts: ResetOpts) => {
    const choice = chooseModel(opts.model, opts.profiles);
    const model = choice.model;
    const { mac, warnings } = parseMac(opts.mac);
    for (const w of warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
    const fixture = fixtureFor(model, opts.fixture);
    const plan = resolveReboot(model);
    requireFit(plan, fixture);
    if (opts.driver !== undefined && opts.port === undefined) {
      throw new ConfigError('driver-without-port', '--driver names the driver of a board on --port', 'give --port too, or drop --driver');
    }
    if (opts.port !== undefined) {
      ctx.setExit(await runOnPort(opts.port, plan, mac, fixture, opts));
      return;
    }
    const { record, truth, seed } = await runPlanOnSim(plan, { modelId: simModelFor(choice, opts.simModel), mac, realMac: mac, fixture, opts });
    if (opts.json) {
      writeJson({ ...record, simulator: { seed, ...truth } });
    } else {
      process.stdout.write(
        `${model.name} ${mac}: reboot ${record.outcome.toUpperCase()} after ${record.attempts} attempt(s), ${seconds(record.durationMs)} bench time\n` +
          `  ${record.summary}\n` +
          `  simulator (seed ${seed}): the phone rebooted ${truth.reboots} time(s) by its combo\n`,
      );
    }
    ctx.setExit(exitCodeForOutcome(record.outcome, record.failure?.class));
  });
}
