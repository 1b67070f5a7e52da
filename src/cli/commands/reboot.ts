import type { Command } from 'commander';
import { resolveReboot } from '../../machines/run-reset.js';
import type { CommandContext } from '../main.js';
import { headline } from '../output.js';
import { wantsColour } from '../../progress/render.js';
import { addProfilesOption } from '../profiles-option.js';
import { addRunOptions, runOnePhone, type ResetOpts } from './reset.js';

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
  addProfilesOption(cmd).action((opts: ResetOpts) =>
    runOnePhone(
      opts,
      ctx,
      (model) => resolveReboot(model),
      ({ model, mac, record, truth, seed }) => ({
        json: { ...record, simulator: { seed, ...truth } },
        text:
          `${headline(model.name, mac, record, { what: 'reboot', colour: wantsColour(process.stdout) })}\n` +
          `  ${record.summary}\n` +
          `  simulator (seed ${seed}): the phone rebooted ${truth.reboots} time(s) by its combo\n`,
      }),
    ),
  );
}
