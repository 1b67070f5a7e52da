import type { PhoneModel } from '../catalog/types.js';
import type { Plan } from '../text-entry/types.js';

/**
 * Every logical key a model's procedure may press: Cancel, OK, every combo it may try, the mode key, and the keys of
 * the password plan. A fixture must map all of them before anything moves.
 */
export function keysNeeded(model: PhoneModel, plans: Plan[]): string[] {
  const keys = new Set<string>();
  const p = model.procedure;
  keys.add(p.cancelKey);
  keys.add(p.okKey);
  for (const c of p.combos) for (const k of c.keys) keys.add(k);
  keys.add(model.textEntry.modeKey);
  for (const plan of plans) for (const s of plan.steps) if (s.kind !== 'wait') keys.add(s.key);
  return [...keys];
}
