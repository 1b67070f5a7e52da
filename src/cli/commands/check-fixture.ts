import type { Command } from 'commander';
import { loadFixture } from '../../bench/fixture.js';
import { benchNeeds, fixtureProblems, REFERENCE_MAX_HOLD_MS } from '../../machines/needs.js';
import { resolveReboot, resolveRun, type RunPlan } from '../../machines/run-reset.js';
import type { PhoneModel } from '../../catalog/types.js';
import { parseMac } from '../../text-entry/mac.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { writeJson } from '../output.js';
import { addProfilesOption, chooseModel } from '../profiles-option.js';

interface CheckOpts {
  fixture: string;
  model: string;
  procedure?: string;
  menuReset?: string;
  mac?: string;
  adminPassword?: string;
  json?: boolean;
  profiles?: string;
}

/**
 * Stand-ins when the check is not given the MAC or the admin password: together they type every hex digit (and
 * every digit), so the check covers the keys any MAC or numeric password needs.
 */
const ANY_MACS = ['0123456789ab', 'cdef01234567'];
const ANY_PASSWORD = '0123456789';

/**
 * `resetbot check-fixture`: before anything moves, what the model's procedure needs of a jig (keys, touch points,
 * buttons, the relay, the longest hold) and what this fixture lacks. Exit 0 when it fits, 2 when it does not.
 */
export function registerCheckFixture(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('check-fixture')
    .description("say which keys, touch points, buttons or relay a model's procedure needs that a fixture lacks (exit 2 if any)")
    .requiredOption('--fixture <file>', 'the fixture file of the jig')
    .requiredOption('--model <model>', 'phone model, e.g. "Trio C60" or "VVX 410"')
    .option('--procedure <kind>', "a procedure other than the model's own: menu-reset, or reboot (the reboot combo)")
    .option('--menu-reset <choice>', 'with --procedure menu-reset: factory (default), local, web, device, format or reboot')
    .option('--mac <mac>', "the phone's MAC: check the keys of its password exactly (default: keys for any MAC)")
    .option('--admin-password <pw>', 'the admin password to be typed (default: keys for any numeric password)')
    .option('--json', 'one JSON object on stdout');
  addProfilesOption(cmd).action(async (opts: CheckOpts) => {
    const model = (await chooseModel(opts.model, opts.profiles)).model;
    const fixture = loadFixture(opts.fixture);
    const plans = plansToCheck(model, opts);
    const problems = [...new Set(plans.flatMap((p) => fixtureProblems(p, fixture)))];
    const needs = plans.map(benchNeeds);
    const keys = [...new Set(needs.flatMap((n) => n.keys))];
    const longestHoldMs = Math.max(...needs.map((n) => n.longestHoldMs));
    const relay = needs.some((n) => n.relay === 'required') ? 'required' : needs.some((n) => n.relay === 'power-cycle') ? 'power-cycle' : 'none';
    const observer = needs.some((n) => n.observer);
    const plan = plans[0]!;
    if (opts.json) {
      writeJson({
        fixture: fixture.source,
        model: model.id,
        procedure: plan.kind,
        needs: { keys, relay, longestHoldMs, observer },
        fit: problems.length === 0,
        problems,
      });
    } else {
      const relayText =
        relay === 'required'
          ? 'the power relay'
          : relay === 'power-cycle'
            ? `the power relay${model.rebootCombo ? ` (or, without it, the reboot combo ${model.rebootCombo.keys.join('+')})` : ''}`
            : 'no relay needed';
      process.stdout.write(
        `${model.name} ${plan.label} (${plan.kind}) on fixture ${fixture.source}:\n` +
          `  needs: ${keys.join(', ')}\n` +
          `         ${relayText}; holds of up to ${longestHoldMs / 1000} s (the board allows ${(fixture.maxHoldMs ?? REFERENCE_MAX_HOLD_MS) / 1000} s)` +
          (observer ? '; an observer (a camera)' : '') +
          '\n' +
          (problems.length === 0 ? '  the fixture has everything it needs\n' : problems.map((p) => `  LACKS: the fixture ${p}\n`).join('')),
      );
    }
    ctx.setExit(problems.length === 0 ? EXIT.ok : EXIT.usage);
  });
}

/** The runs to check: the one asked for, planned for the MAC given or for stand-ins that cover any MAC. */
function plansToCheck(model: PhoneModel, opts: CheckOpts): RunPlan[] {
  if (opts.procedure === 'reboot') return [resolveReboot(model)];
  const macs = opts.mac !== undefined ? [parseMac(opts.mac).mac] : ANY_MACS;
  const procedure = opts.procedure ?? model.procedure.kind;
  const needsPassword = procedure === 'menu-reset';
  return macs.map((mac) =>
    resolveRun(model, mac, {
      ...(opts.procedure !== undefined ? { procedure: opts.procedure } : {}),
      ...(opts.menuReset !== undefined ? { menuChoice: opts.menuReset } : {}),
      ...(opts.adminPassword !== undefined ? { adminPassword: opts.adminPassword } : needsPassword ? { adminPassword: ANY_PASSWORD } : {}),
    }),
  );
}
