export type { CaseRule, Mode, Plan, PlanStep, TextEntryProfile } from './types.js';
export { POLY_OUIS, formatMac, parseMac, type MacStyle, type ParsedMac } from './mac.js';
export { TEXT_ENTRY_PROFILES, getTextEntryProfile } from './profiles.js';
export { parseTextEntryProfile, textEntryProfileSchema } from './profile-schema.js';
export {
  compareStrategies,
  naivePlan,
  planMac,
  planText,
  tapLowerBoundMs,
  type PlanOptions,
  type StrategyComparison,
} from './planner.js';
