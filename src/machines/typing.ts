import type { Bench } from '../bench/types.js';
import { sleep, type Clock } from '../clock/clock.js';
import type { Plan, TextEntryProfile } from '../text-entry/types.js';

/**
 * Types a plan on the bench: each press or mode step is one tap (the key held for the profile's tapMs, then released
 * for the rest of the step's time), each wait step a pause. The tap itself is timed on the board.
 */
export async function typePlan(
  bench: Bench,
  plan: Plan,
  profile: TextEntryProfile,
  clock: Clock,
  signal?: AbortSignal,
): Promise<void> {
  for (const step of plan.steps) {
    signal?.throwIfAborted();
    if (step.kind === 'wait') {
      await sleep(clock, step.ms, signal);
      continue;
    }
    const hold = Math.min(profile.tapMs, step.ms);
    await bench.press([step.key], hold, signal);
    await sleep(clock, step.ms - hold, signal);
  }
}
