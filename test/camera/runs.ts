import { holdClock } from '../../src/clock/clock.js';
import type { ScreenObservation } from '../../src/bench/types.js';
import type { RunChoices } from '../../src/machines/run-reset.js';
import { simCameraBench, type SimCameraBench } from '../../src/observe/camera/sim.js';
import type { Degradation } from '../../src/sim/render/camera.js';
import type { SimPhoneOptions } from '../../src/sim/phone.js';
import { simRun } from '../machines/helpers.js';
import { setupOf, type PROCEDURE_RUNS } from './corpus.js';

/*
 * One run through the rendered camera path (simulated phone -> rendered display -> camera model -> the reader -> the
 * camera observer -> the machine), and the perfect observer's run of the same procedure kind on the same seed: the
 * camera suite (sim-camera.test.ts) and the outcome benchmark (bench/camera-outcomes.ts) share them.
 */

export type ProcedureRun = (typeof PROCEDURE_RUNS)[number];

export interface CameraRunExtra {
  stallAtMs?: number;
  level?: Degradation;
  choices?: RunChoices;
  options?: SimPhoneOptions;
}

/** One line of a run's screen timeline: what the simulator drew (`sim`) or what the camera came to believe (`camera`). */
export interface ScreenMoment {
  t: number;
  who: 'sim' | 'camera';
  screen: ScreenObservation;
}

/** The perfect observer's run (the simulator's own screen). */
export function perfectRun(r: ProcedureRun, seed: number) {
  return simRun({ model: r.model, seed, ...setupOf(r) });
}

/**
 * A run seen through the simulated camera; `timeline` holds every screen the simulator drew and every screen the
 * camera came to believe, in bench time (to find why a camera run differs from the perfect observer's).
 */
export async function cameraRun(model: string, seed: number, extra: CameraRunExtra = {}) {
  let cam: SimCameraBench | undefined;
  const timeline: ScreenMoment[] = [];
  const run = await simRun({
    model,
    seed,
    ...setupOf(extra),
    bench: (sim, clock) => {
      cam = simCameraBench(sim, clock, { seed, level: extra.level ?? 'mild', ...(extra.stallAtMs !== undefined ? { stallAtMs: extra.stallAtMs } : {}) });
      timeline.push({ t: clock.now(), who: 'sim', screen: sim.phone.screen() });
      sim.phone.onScreen((screen) => timeline.push({ t: clock.now(), who: 'sim', screen }));
      cam.observer.subscribe((o) => {
        if (o.kind === 'screen') timeline.push({ t: clock.now(), who: 'camera', screen: o.screen });
      });
      void holdClock(clock, cam.observer.start());
      return cam.bench;
    },
  });
  await cam!.observer.stop();
  return { ...run, cam: cam!, timeline };
}

/** A timeline as text, a screen a line: `  12.3 s sim    lit | line / line | [key|key] | leds`. */
export function formatTimeline(timeline: ScreenMoment[]): string {
  return timeline
    .map(({ t, who, screen: s }) => {
      const leds = Object.entries(s.leds ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      return `${(t / 1000).toFixed(2).padStart(8)} s ${who.padEnd(6)} ${s.lit ? 'lit ' : 'dark'} | ${s.lines.join(' / ')} | [${s.softkeys.join('|')}]${leds ? ` | ${leds}` : ''}`;
    })
    .join('\n');
}
