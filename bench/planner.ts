import { compareStrategies, planMac } from '../src/text-entry/planner.js';
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
  console.log(`  ours / naive ${(r.optimalMeanMs / r.naiveMeanMs).toFixed(2)}x, ours / lower bound ${(r.optimalMeanMs / r.lowerBoundMeanMs).toFixed(2)}x`);

  // Seed 001's own keystroke table for 00-04-F2-AA-81-4C (test/text-entry/planner.test.ts encodes it step by step and
  // checks it types the MAC): 24 taps (mode selections included) and one two-second wait, then the last letter
  // committed before OK as after our plans (one mode tap under vvx's rules).
  const T = profile.tapMs + profile.gapMs;
  const seedMs = 24 * T + profile.commitMs + Math.min(T, profile.commitMs);
  const ours = planMac('00-04-F2-AA-81-4C', profile);
  console.log(
    `  00-04-F2-AA-81-4C: ours ${(ours.durationMs / 1000).toFixed(2)} s (${ours.steps.length} steps, ` +
      `${ours.steps.filter((s) => s.kind === 'wait').length} pauses) against seed 001's table ${(seedMs / 1000).toFixed(2)} s: ${(ours.durationMs / seedMs).toFixed(2)}x`,
  );
}
