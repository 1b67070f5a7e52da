import type { Command } from 'commander';
import type { PhoneModel } from '../../catalog/types.js';
import { ConfigError } from '../../errors/errors.js';
import { parseMac } from '../../text-entry/mac.js';
import { planMac } from '../../text-entry/planner.js';
import type { CommandContext } from '../main.js';
import { seconds, table, writeJson } from '../output.js';
import { addProfilesOption, chooseModel } from '../profiles-option.js';

export function registerPlan(program: Command, _ctx: CommandContext): void {
  const cmd = program
    .command('plan')
    .description("print the key sequence that types a phone's MAC password")
    .requiredOption('--model <model>', 'phone model, e.g. "VVX 410" or "IP 335"')
    .requiredOption('--mac <mac>', 'the MAC address on the label, e.g. 0004F2AA814C')
    .option('--json', 'one JSON object on stdout');
  addProfilesOption(cmd).action(async (opts: { model: string; mac: string; json?: boolean; profiles?: string }) => {
    const { model } = await chooseModel(opts.model, opts.profiles);
    requireTypedPassword(model);
    const { mac, warnings } = parseMac(opts.mac);
    for (const w of warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
    const profile = model.textEntry;
    const text = profile.macCase === 'upper' ? mac.toUpperCase() : mac;
    const plan = planMac(text, profile);
    if (opts.json) {
      writeJson({ model: model.id, text: plan.text, steps: plan.steps, durationMs: plan.durationMs });
      return;
    }
    const rows = plan.steps.map((s, i) => [
      String(i + 1),
      s.kind === 'wait' ? 'wait' : s.kind === 'mode' ? `mode key (${s.key}) -> ${s.mode}` : `key ${s.key}`,
      String(s.ms),
    ]);
    process.stdout.write(`${model.name}: type "${plan.text}" with the ${profile.id} text-entry profile\n\n`);
    process.stdout.write(table(['#', 'action', 'ms'], rows) + '\n\n');
    process.stdout.write(`${plan.steps.length} steps, ${seconds(plan.durationMs)}\n`);
  });
}

/** Only the keypad procedures (cancel-combo, led-combo) type the MAC: for any other there is nothing to plan. */
function requireTypedPassword(model: PhoneModel): void {
  const p = model.procedure;
  if (p.kind === 'cancel-combo' || p.kind === 'led-combo') return;
  const hint = "plan is for the models whose reset types the MAC (cancel-combo, led-combo); 'resetbot models' shows each model's procedure";
  if (p.kind === 'unsupported') {
    throw new ConfigError('nothing-to-plan', `the ${model.name} has no procedure in the catalog (${p.reason}), so it types no password to plan`, hint);
  }
  throw new ConfigError('nothing-to-plan', `the ${model.name}'s ${p.kind} procedure types no password, so there is nothing to plan`, hint);
}
