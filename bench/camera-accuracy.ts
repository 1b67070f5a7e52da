/**
 * The camera reader's accuracy alone (no --sim-camera resets), with every wrong phrase listed by level: the frames
 * bench/camera.ts reads (the same states, mounts and seeds by default), or other ones to check a change is no
 * overfitting to those. Environment:
 *   LEVELS=moderate,severe   levels to read (default: all)
 *   PER=250                  frames a level
 *   SEEDS=1,2                simulator seeds the screen states are harvested with (bench: 1,2)
 *   PREFIX=ho                prefix of each frame's camera seed ('' : the bench's own mounts)
 *   VERBOSE=1                list each frame with a wrong phrase, a false Cancel or a false password prompt
 *   FAKE_OCR=1               OCR answers nothing at once: the reader's own time a frame
 * npx tsx bench/camera-accuracy.ts
 */
import { sharedOcr, stopSharedOcr, type OcrPool } from '../src/observe/camera/ocr.js';
import { readFrame } from '../src/observe/camera/reader.js';
import { CameraModel, faceOf, DEGRADATIONS, type Degradation } from '../src/sim/render/camera.js';
import { styleForModel } from '../src/sim/render/display.js';
import { emptyScore, harvestScreens, scoreReading } from '../test/camera/corpus.js';

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
};

export async function cameraAccuracy(): Promise<void> {
  const levels = (process.env.LEVELS?.split(',') ?? DEGRADATIONS) as Degradation[];
  const per = Number(process.env.PER ?? 250);
  const seeds = (process.env.SEEDS ?? '1,2').split(',').map(Number);
  const prefix = process.env.PREFIX ?? '';
  const states = await harvestScreens(seeds);
  const fake: OcrPool = { workers: 1, read: () => Promise.resolve([]), terminate: () => Promise.resolve() };
  const ocr = process.env.FAKE_OCR ? fake : await sharedOcr();
  const all: number[] = [];
  for (const level of levels) {
    const score = emptyScore();
    const ms: number[] = [];
    for (let i = 0; i < per; i++) {
      // As measureAccuracy (test/camera/corpus.ts) picks them, with the camera seed's prefix.
      const state = states[(i * 7919) % states.length]!;
      const cam = new CameraModel({ seed: `${prefix}${level}:${i}`, level });
      const { face, layout, key } = faceOf(state.screen, styleForModel(state.simModel), i * 97);
      const frame = cam.photograph(face, layout, i * 97, key);
      const cal = cam.calibration(layout);
      const got = await readFrame(frame, ocr, { corners: cal.corners, softkeys: Math.max(state.screen.softkeys.length, 4) });
      ms.push(got.ms);
      const truth = { ...state.screen, softkeys: state.screen.softkeys.length ? state.screen.softkeys : ['', '', '', ''] };
      const { falseCancel, falsePrompt } = score;
      const wrong = scoreReading(score, truth, got);
      const flags = `${score.falseCancel > falseCancel ? ' FALSE-CANCEL' : ''}${score.falsePrompt > falsePrompt ? ' FALSE-PROMPT' : ''}`;
      if (process.env.VERBOSE && (wrong.length || flags)) console.log(`  ${level} #${i} ${state.simModel}: ${wrong.join(' | ')}${flags}`);
    }
    all.push(...ms);
    console.log(
      `${level.padEnd(9)} ${score.right}/${score.phrases} ${((100 * score.right) / score.phrases).toFixed(2)} %  frames all right ${score.framesAllRight}/${score.frames}  falseCancel ${score.falseCancel} falsePrompt ${score.falsePrompt} litWrong ${score.litWrong} extraLines ${score.extraLines}  ms median ${quantile(ms, 0.5)} p95 ${quantile(ms, 0.95)}`,
    );
  }
  console.log(`all: ms median ${quantile(all, 0.5)} p95 ${quantile(all, 0.95)} (${states.length} states, seeds ${seeds.join(',')}, camera seed prefix '${prefix}')`);
  await stopSharedOcr();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  cameraAccuracy().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
