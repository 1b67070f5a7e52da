import { describe, expect, it } from 'vitest';
import { createBench } from '../../src/bench/bench.js';
import type { Bench, Observer, ScreenObservation } from '../../src/bench/types.js';
import type { VirtualClock } from '../../src/clock/clock.js';
import type { SimBench } from '../../src/sim/driver.js';
import { holdsExactly, simProvision } from './helpers.js';

/*
 * A camera can misread a picture that then stays the same: a menu's highlight '>' dropped by OCR, read the same on
 * every frame after, because an unchanged picture is not read again. Here an observer over the simulated phone's
 * screen reads every new menu picture without its '>' (what the camera did on SoundPoint IP 335, seed 2) and keeps
 * that reading until the machine asks it to look again. The run must still end with the phone holding exactly the
 * settings asked (the simulator's truth), by asking for fresh looks and by checking what a menu shows without needing
 * its highlight.
 */
function highlightBlind(sim: SimBench, clock: VirtualClock, stats: { looks: number }): Bench {
  const truth = sim.bench.observer!;
  const listeners = new Set<(s: ScreenObservation) => void>();
  let shown = '';
  let misread = true;
  const view = (s: ScreenObservation): ScreenObservation =>
    misread && s.lines.some((l) => /^>\s/.test(l)) ? { ...s, lines: s.lines.map((l) => l.replace(/^>\s*/, '').trim()) } : s;
  const emit = () => {
    const v = view(truth.current());
    for (const l of listeners) l(v);
  };
  truth.subscribe((s) => {
    const key = JSON.stringify(s);
    if (key !== shown) {
      shown = key;
      misread = true;
    }
    emit();
  });
  const observer: Observer = {
    kind: 'screen',
    name: 'camera:highlight-blind',
    current: () => view(truth.current()),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    lookAgain: () => {
      stats.looks++;
      if (!misread) return;
      misread = false;
      // A fresh reading comes a frame or two later.
      clock.setTimeout(emit, 500);
    },
  };
  return createBench(sim.bench.driver, sim.bench.fixture, observer);
}

describe('provisioning through an observer that misreads a menu until it looks again', () => {
  for (const model of ['VVX 410', 'SoundPoint IP 335']) {
    it(`${model}: the phone ends holding exactly the settings asked`, async () => {
      const stats = { looks: 0 };
      const { record, sim, request } = await simProvision({ model, seed: 1, bench: (s, clock) => highlightBlind(s, clock, stats) });
      expect(record.outcome, `${record.summary} ${JSON.stringify(record.failure)}`).toBe('pass');
      expect(holdsExactly(sim, request)).toBe(true);
      expect(stats.looks).toBeGreaterThan(0);
      expect(record.attempts).toBe(1);
    }, 120_000);
  }
});
