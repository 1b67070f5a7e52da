/**
 * The camera's figures: phrase accuracy of the reader by degradation level over CAMERA_FRAMES rendered frames
 * (default 1,000: 250 a level) of every harvested screen state, per-frame read latency, how many stations one host
 * can watch at 4 frames a second, and the bench time per phone with --sim-camera against the perfect observer.
 */
import { availableParallelism } from 'node:os';
import { holdClock } from '../src/clock/clock.js';
import { sharedOcr, stopSharedOcr } from '../src/observe/camera/ocr.js';
import { simCameraBench, type SimCameraBench } from '../src/observe/camera/sim.js';
import { DEGRADATIONS } from '../src/sim/render/camera.js';
import { harvestScreens, measureAccuracy, PROCEDURE_RUNS } from '../test/camera/corpus.js';
import { simRun } from '../test/machines/helpers.js';

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) + ' %' : '-');
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

export async function benchCamera(): Promise<void> {
  const total = Number(process.env.CAMERA_FRAMES ?? 1000);
  const perLevel = Math.ceil(total / DEGRADATIONS.length);
  console.log(`camera: reader on ${perLevel * DEGRADATIONS.length} rendered frames (${perLevel} a level), OCR workers: 1`);
  const states = await harvestScreens([1, 2]);
  const ocr = await sharedOcr();
  const { scores, readMs } = await measureAccuracy(states, DEGRADATIONS, perLevel, ocr);
  console.log(`  ${states.length} screen states from ${PROCEDURE_RUNS.length} procedure runs`);
  console.log('  level      phrases right       frames all right   false Cancel  false prompt  lit wrong  lines of noise');
  for (const level of DEGRADATIONS) {
    const s = scores[level]!;
    console.log(
      `  ${level.padEnd(9)}  ${`${s.right}/${s.phrases}`.padEnd(9)} ${pct(s.right, s.phrases).padEnd(8)}  ${pct(s.framesAllRight, s.frames).padEnd(17)}  ${String(s.falseCancel).padEnd(12)}  ${String(s.falsePrompt).padEnd(12)}  ${String(s.litWrong).padEnd(9)}  ${s.extraLines}`,
    );
  }
  const median = quantile(readMs, 0.5);
  const p95 = quantile(readMs, 0.95);
  console.log(`  read latency a frame (full OCR read): median ${median} ms, p95 ${p95} ms`);

  // Resets through the rendered camera path against the perfect observer, on the same seeds.
  const runs = (process.env.CAMERA_RESETS ?? 'VVX 410,SoundPoint IP 335,Edge E300').split(',');
  let perfectMs = 0;
  let cameraMs = 0;
  let frames = 0;
  let ocrFrames = 0;
  let linesRead = 0;
  let linesKept = 0;
  let passed = 0;
  const frameMs: number[] = [];
  for (const model of runs) {
    const perfect = await simRun({ model, seed: 11 });
    let cam: SimCameraBench | undefined;
    const seen = await simRun({
      model,
      seed: 11,
      bench: (sim, clock) => {
        cam = simCameraBench(sim, clock, { seed: 11, level: 'moderate' });
        void holdClock(clock, cam.observer.start());
        return cam.bench;
      },
    });
    await cam!.observer.stop();
    if (seen.record.outcome === 'pass' && seen.truth.factoryDefaults) passed++;
    perfectMs += perfect.record.durationMs ?? 0;
    cameraMs += seen.record.durationMs ?? 0;
    frames += cam!.observer.stats.frames;
    ocrFrames += cam!.observer.stats.ocr;
    linesRead += cam!.observer.lines.stats.read;
    linesKept += cam!.observer.lines.stats.kept;
    frameMs.push(...cam!.observer.stats.frameMs);
  }
  console.log(`  --sim-camera (moderate) resets: ${passed}/${runs.length} passed with the simulator's truth at factory defaults`);
  console.log(`  bench time a phone, --sim-camera / perfect observer: ${(cameraMs / Math.max(1, perfectMs)).toFixed(2)}x (${(cameraMs / runs.length / 1000).toFixed(1)} s vs ${(perfectMs / runs.length / 1000).toFixed(1)} s)`);
  // The observer's cost a frame as a station sees it: every frame is compared with the last one read (and its LEDs
  // sampled); a frame whose picture changed is read by OCR. Measured as the wall time of each frame's handling.
  const meanFrame = frameMs.reduce((a, b) => a + b, 0) / Math.max(1, frameMs.length);
  console.log(`  frames needing OCR in a reset: ${pct(ocrFrames, frames)} (${ocrFrames}/${frames}); of their lines and labels, ${pct(linesKept, linesRead + linesKept)} unchanged and not read again (${linesKept}/${linesRead + linesKept})`);
  console.log(`  observer latency a frame (compare, LEDs, OCR when the picture changed): median ${quantile(frameMs, 0.5).toFixed(1)} ms, p95 ${quantile(frameMs, 0.95).toFixed(1)} ms, mean ${meanFrame.toFixed(1)} ms`);
  const cores = Math.min(2, availableParallelism());
  const stationsAll = Math.floor((cores * 1000) / (4 * median));
  console.log(`  stations one ${cores}-core host can watch at 4 frames/s: ${Math.floor((cores * 1000) / (4 * Math.max(0.1, meanFrame)))} at the observer's mean cost a frame; ${stationsAll} if every frame needed a full read (median)`);
  await stopSharedOcr();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchCamera().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
