import { compareStrategies } from '../src/text-entry/planner.js';
import { getTextEntryProfile } from '../src/text-entry/profiles.js';
import { mulberry } from './random.js';

/** Typing time of our plan against a naive plan and the taps-only lower bound, for 1,000 random MACs. */
export function benchPlanner(): void {
  const rand = mulberry(2026);
  const macs = Array.from({ length: 1000 }, () =>
    Array.from({ length: 12 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join(''),
  );
  const profile = getTextEntryProfile('vvx');
  const r = compareStrategies(macs, profile);
  console.log(`planner: 1,000 random MACs, profile '${profile.id}' (tap ${profile.tapMs}+${profile.gapMs} ms, commit pause ${profile.commitMs} ms)`);
  console.log(`  our plan      mean ${(r.optimalMeanMs / 1000).toFixed(2)} s`);
  console.log(`  naive plan    mean ${(r.naiveMeanMs / 1000).toFixed(2)} s  (back to digits and a full pause after every letter)`);
  console.log(`  lower bound   mean ${(r.lowerBoundMeanMs / 1000).toFixed(2)} s  (taps alone)`);
}
