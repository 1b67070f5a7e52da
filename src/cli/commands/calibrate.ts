import type { Command } from 'commander';
import { CalibrationStore, defaultCalibrationPath, type ModelCalibration } from '../../calibration/calibration.js';
import { resolveRun } from '../../machines/run-reset.js';
import type { CommandContext } from '../main.js';
import { headline, writeJson } from '../output.js';
import { wantsColour } from '../../progress/render.js';
import { addProfilesOption } from '../profiles-option.js';
import { addRunOptions, runOnePhone, type ResetOpts } from './reset.js';

/** What calibration knows of a model, in words. */
export function describeCalibration(c: ModelCalibration): string {
  const k = c.keypad;
  const parts: string[] = [];
  if (k.cycle) parts.push(`mode cycle ${k.cycle.join(' -> ')}`);
  if (k.initialMode) parts.push(`starts in ${k.initialMode}`);
  if (k.modeCommits !== undefined) parts.push(k.modeCommits ? 'the mode key commits a letter' : 'letters must commit by the cursor timeout');
  if (c.seen.countdownMs !== undefined) parts.push(`countdown at least ${c.seen.countdownMs / 1000} s`);
  if (c.seen.resetMs !== undefined) parts.push(`a reset took up to ${Math.round(c.seen.resetMs / 1000)} s`);
  for (const [kind, w] of Object.entries(c.seen.confirms ?? {})) parts.push(`the ${kind} restart took up to ${Math.round(w.ms / 1000)} s (${w.phones} phone${w.phones === 1 ? '' : 's'})`);
  return `${parts.join('; ') || 'nothing yet'} (${c.phones} phone${c.phones === 1 ? '' : 's'}, ${c.updatedAt})`;
}

/**
 * `resetbot calibrate --model M --mac X`: runs a phone through its reset with a camera and keeps what it learned of the
 * model (mode cycle, first mode, the mode key's commit rule, the countdown) in the calibration file, for the next phone.
 */
export function registerCalibrate(program: Command, ctx: CommandContext): void {
  const cmd = addRunOptions(
    program.command('calibrate').description("reset one phone and keep what it shows of its model's keypad and timings in the calibration file"),
  );
  addProfilesOption(cmd).action((opts: ResetOpts) =>
    runOnePhone(
      opts,
      ctx,
      (model, mac) => resolveRun(model, mac, {}),
      ({ model, mac, record, truth, seed }) => {
        const store = new CalibrationStore(opts.calibration ?? defaultCalibrationPath());
        const entry = store.get(model.id);
        return {
          json: { ...record, calibration: entry ?? null, calibrationFile: store.path, simulator: { seed, ...truth } },
          text:
            `${headline(model.name, mac, record, { colour: wantsColour(process.stdout) })}\n` +
            `  ${record.summary}\n` +
            `  calibration of the ${model.name} (${store.path}): ${entry ? describeCalibration(entry) : 'nothing learned (a blind bench sees nothing)'}\n`,
        };
      },
    ),
  );
}
