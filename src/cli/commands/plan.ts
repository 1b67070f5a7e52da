import type { Command } from 'commander';
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
  addProfilesOption(cmd).action((opts: { model: string; mac: string; json?: boolean; profiles?: string }) => {
    const { model } = chooseModel(opts.model, opts.profiles);
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
