import { missingKeys, type Fixture } from '../bench/fixture.js';
import { REBOOT_HOLD } from '../catalog/procedures.js';
import type { PhoneModel, ProcedureStep } from '../catalog/types.js';
import { ConfigError } from '../errors/errors.js';
import type { Plan } from '../text-entry/types.js';
import type { RunPlan } from './run-reset.js';

/** The reference firmware's longest hold per solenoid (firmware/resetbot/config.h MAX_HOLD_MS), for a fixture that
 * does not say its board's. */
export const REFERENCE_MAX_HOLD_MS = 20_000;

/** Keys the step machine's menu selection moves with. */
const MENU_KEYS = ['up', 'down', 'select'];

function stepKeys(steps: ProcedureStep[], plans: Plan[]): Set<string> {
  const keys = new Set<string>();
  for (const s of steps) {
    if (s.do === 'hold' || s.do === 'release' || s.do === 'press') for (const k of s.keys) keys.add(k);
    else if (s.do === 'softkey') keys.add(s.key);
    else if (s.do === 'menu') for (const k of MENU_KEYS) keys.add(k);
    else if (s.do === 'type-admin-password') for (const plan of plans) for (const p of plan.steps) if (p.kind !== 'wait') keys.add(p.key);
  }
  return keys;
}

/**
 * Every logical key a model's own procedure may press: Cancel, OK, every combo it may try, the mode key, and the keys
 * of the password plan (keypad procedures); the keys, touch points and buttons of its steps (step procedures). A
 * fixture must map all of them before anything moves. (A fixture without relay also needs the reboot combo: see
 * fixtureProblems.)
 */
export function keysNeeded(model: PhoneModel, plans: Plan[]): string[] {
  const p = model.procedure;
  const keys = new Set<string>();
  if (p.kind === 'cancel-combo' || p.kind === 'led-combo') {
    if (p.kind === 'cancel-combo') keys.add(p.cancelKey);
    keys.add(p.okKey);
    for (const c of p.combos) for (const k of c.keys) keys.add(k);
    keys.add(model.textEntry.modeKey);
    for (const plan of plans) for (const s of plan.steps) if (s.kind !== 'wait') keys.add(s.key);
  } else if (p.kind === 'menu-reset') {
    for (const choice of Object.values(p.choices)) for (const k of stepKeys(choice.steps, plans)) keys.add(k);
  } else if (p.kind !== 'unsupported') {
    for (const k of stepKeys(p.steps, plans)) keys.add(k);
  }
  return [...keys];
}

/** What a run asks of the bench. */
export interface BenchNeeds {
  keys: string[];
  /** `required`: the procedure switches the power off itself; `power-cycle`: the relay, or else the model's reboot combo. */
  relay: 'required' | 'power-cycle' | 'none';
  /** The longest any key stays down, ms (a hold waits at most its steps' deadlines). */
  longestHoldMs: number;
  /** The procedure reads the screen (menus): a blind bench cannot run it. */
  observer: boolean;
}

/** The longest stretch a key stays down in a step list: from its hold to its release, counting every wait between. */
function longestHold(steps: ProcedureStep[], tapMs: number): number {
  let longest = 0;
  let holding = false;
  let since = 0;
  for (const s of steps) {
    const span =
      s.do === 'press' ? (s.ms ?? tapMs) : s.do === 'wait' ? s.ms : s.do === 'wait-for' ? Math.max(s.deadlineMs, s.blindMs) : 0;
    if (s.do === 'press') longest = Math.max(longest, span);
    if (s.do === 'hold') holding = true;
    if (holding) since += span;
    if (s.do === 'release') {
      longest = Math.max(longest, since);
      holding = false;
      since = 0;
    }
  }
  return Math.max(longest, since);
}

export function benchNeeds(plan: RunPlan): BenchNeeds {
  const { model } = plan;
  const timing = model.timing;
  if (plan.machine === 'keypad') {
    const keys = keysNeeded(model, plan.plans);
    return { keys, relay: 'power-cycle', longestHoldMs: timing.comboHoldMs, observer: false };
  }
  const steps = plan.procedure.steps;
  return {
    keys: [...stepKeys(steps, plan.adminPlan ? [plan.adminPlan] : [])],
    relay: steps.some((s) => s.do === 'power-off') ? 'required' : steps.some((s) => s.do === 'power-cycle') ? 'power-cycle' : 'none',
    longestHoldMs: longestHold(steps, timing.keyTapMs),
    observer: steps.some((s) => s.do === 'menu'),
  };
}

/**
 * What the fixture lacks for this run, one sentence each: keys, touch points or buttons it does not map; a relay the
 * procedure needs (or, without one, the reboot combo's keys that stand in for it); a hold longer than its board
 * allows. Empty when the fixture fits.
 */
export function fixtureProblems(plan: RunPlan, fixture: Fixture): string[] {
  const needs = benchNeeds(plan);
  const { model } = plan;
  const problems: string[] = [];
  const missing = missingKeys(fixture, needs.keys);
  if (missing.length > 0) {
    const list = missing.map((k) => `'${k}'`).join(', ');
    problems.push(`has no channel for key${missing.length > 1 ? 's' : ''} ${list} that the ${model.name} ${plan.label} needs`);
  }
  let longest = needs.longestHoldMs;
  if (!fixture.relay) {
    if (needs.relay === 'required') {
      problems.push(`has no relay, but the ${model.name} ${plan.label} switches the power itself`);
    } else if (needs.relay === 'power-cycle') {
      const combo = model.rebootCombo;
      if (!combo) {
        problems.push(`has no relay, and the sources give the ${model.name} no reboot combo to power-cycle it with`);
      } else {
        longest = Math.max(longest, REBOOT_HOLD.deadlineMs);
        const lack = missingKeys(fixture, combo.keys);
        if (lack.length > 0) {
          problems.push(
            `has no relay, so the power cycle is the reboot combo ${combo.keys.join('+')}, but it has no channel for ${lack.map((k) => `'${k}'`).join(', ')}`,
          );
        }
      }
    }
  }
  const limit = fixture.maxHoldMs ?? REFERENCE_MAX_HOLD_MS;
  if (longest > limit) {
    problems.push(`allows holds of at most ${limit / 1000} s (its board's limit), but the ${model.name} ${plan.label} may hold a key ${longest / 1000} s`);
  }
  return problems;
}

/** Refuses, before anything moves, a fixture that lacks what the run needs: a ConfigError naming every problem. */
export function requireFit(plan: RunPlan, fixture: Fixture): void {
  const problems = fixtureProblems(plan, fixture);
  if (problems.length > 0) {
    throw new ConfigError(
      'fixture-unfit',
      `fixture ${fixture.source} ${problems.join('; it ')}`,
      'map the missing keys in the fixture\'s "keys", wire the relay, or use the jig made for this model (resetbot check-fixture lists what a fixture lacks)',
    );
  }
}
