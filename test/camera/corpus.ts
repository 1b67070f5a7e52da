import type { ScreenObservation } from '../../src/bench/types.js';
import type { RunChoices } from '../../src/machines/run-reset.js';
import type { OcrPool } from '../../src/observe/camera/ocr.js';
import { matchPhrase, readFrame, type FrameReading } from '../../src/observe/camera/reader.js';
import { CameraModel, faceOf, type Degradation } from '../../src/sim/render/camera.js';
import { styleForModel } from '../../src/sim/render/display.js';
import type { SimPhoneOptions } from '../../src/sim/phone.js';
import { simRun } from '../machines/helpers.js';

/*
 * Every screen state the simulated phones show: harvested by running each procedure kind on the simulator with its
 * perfect screen and keeping every distinct screen it drew (with the unit that drew it, for its display style).
 */

export interface ScreenState {
  simModel: string;
  screen: ScreenObservation;
}

/** One model per procedure kind (and the display families), with the run choices each needs. */
export const PROCEDURE_RUNS: { model: string; kind: string; choices?: RunChoices; options?: SimPhoneOptions }[] = [
  { model: 'VVX 410', kind: 'cancel-combo' },
  { model: 'SoundPoint IP 335', kind: 'cancel-combo' },
  // The admin password proves nothing of which phone it is: the operator vouches for the label (as a bench would).
  { model: 'VVX 410', kind: 'menu-reset', choices: { procedure: 'menu-reset', adminPassword: '456', trustLabel: true }, options: { adminPassword: '456' } },
  { model: 'Edge E300', kind: 'led-combo' },
  { model: 'Edge B20', kind: 'power-on-hold' },
  { model: 'Trio 8800', kind: 'touch-hold' },
  { model: 'CCX 400', kind: 'touch-hold' },
  { model: 'Trio VisualPro', kind: 'long-press' },
];

/** The run choices and phone options a procedure run needs, as simRun takes them (none where it has none). */
export function setupOf(r: { choices?: RunChoices | undefined; options?: SimPhoneOptions | undefined }): { choices?: RunChoices; options?: SimPhoneOptions } {
  return { ...(r.choices ? { choices: r.choices } : {}), ...(r.options ? { options: r.options } : {}) };
}

export async function harvestScreens(seeds = [1, 2]): Promise<ScreenState[]> {
  const seen = new Map<string, ScreenState>();
  for (const run of PROCEDURE_RUNS) {
    for (const seed of seeds) {
      await simRun({
        model: run.model,
        seed,
        ...setupOf(run),
        bench: (sim) => {
          const keep = (screen: ScreenObservation) => {
            const key = JSON.stringify([sim.phone.modelId, screen.lit, screen.lines, screen.softkeys]);
            if (!seen.has(key)) seen.set(key, { simModel: sim.phone.modelId, screen: { ...screen, leds: {} } });
          };
          keep(sim.phone.screen());
          sim.phone.onScreen(keep);
          return sim.bench;
        },
      });
    }
  }
  return [...seen.values()];
}

/** Lower case, letters and digits and single spaces: phrases are told apart by their words. */
export function phraseText(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** One phrase (a line or a softkey label) read right: within edit distance 20 % of the truth's length. */
export function phraseRead(truth: string, got: string | undefined): boolean {
  const t = phraseText(truth);
  const g = phraseText(got ?? '');
  if (t === '') return g === '';
  return matchPhrase(g, [t], 0.8) !== undefined;
}

/** The screens the machines act on, by what the display shows. */
export function offersCancel(s: { lines: string[]; softkeys: string[]; lit: boolean }): boolean {
  return s.lit && s.softkeys.some((k) => phraseText(k) === 'cancel' || (k !== '' && matchPhrase(phraseText(k), ['cancel'], 0.8) !== undefined));
}

export function promptsPassword(s: { lines: string[]; lit: boolean }): boolean {
  return s.lit && s.lines.some((l) => /passw/.test(phraseText(l)) || matchPhrase(phraseText(l).split(' ').slice(-1)[0] ?? '', ['password'], 0.75) !== undefined);
}

export interface Score {
  phrases: number;
  right: number;
  frames: number;
  framesAllRight: number;
  falseCancel: number;
  falsePrompt: number;
  litWrong: number;
  /** Lines read where the display shows none (noise read as text, a line split in two). */
  extraLines: number;
}

export function emptyScore(): Score {
  return { phrases: 0, right: 0, frames: 0, framesAllRight: 0, falseCancel: 0, falsePrompt: 0, litWrong: 0, extraLines: 0 };
}

/** A password field's line: asterisks only. */
const isStars = (line: string) => /^\s*\*+\s*$/.test(line);

/** Scores one reading against the screen the simulator drew. */
export function scoreReading(score: Score, truth: ScreenObservation, got: FrameReading): string[] {
  const wrong: string[] = [];
  score.frames++;
  if (got.lit !== truth.lit) {
    score.litWrong++;
    wrong.push(`lit ${truth.lit}->${got.lit}`);
  }
  // Lines: each line of words the display shows must be read, in order; a password field's asterisks must be read
  // as that many asterisks (the machines count them); a blank line is no phrase. Softkeys: cell by cell, and a cell
  // the display leaves blank must read blank.
  const readLines = got.lit ? got.lines : [];
  const matched = new Set<number>();
  let from = 0;
  for (const t of truth.lines) {
    const stars = isStars(t);
    if (phraseText(t) === '' && !stars) continue;
    score.phrases++;
    const at = readLines.findIndex((g, i) => i >= from && (stars ? g.trim() === t.trim() : phraseRead(t, g)));
    if (at >= 0) {
      score.right++;
      matched.add(at);
      from = at + 1;
    } else wrong.push(`${JSON.stringify(t)}->${JSON.stringify(readLines.slice(from))}`);
  }
  // A line read that no line of the display accounts for (neither one read right, nor near one read wrong).
  const shown = truth.lit ? truth.lines.filter((t) => t.trim() !== '') : [];
  readLines.forEach((g, i) => {
    if (matched.has(i) || g.trim() === '') return;
    if (shown.some((t) => matchPhrase(phraseText(g), [phraseText(t)], 0.4) !== undefined || (isStars(t) && isStars(g)))) return;
    score.extraLines++;
    wrong.push(`extra line ${JSON.stringify(g)}`);
  });
  truth.softkeys.forEach((t, i) => {
    score.phrases++;
    const g = got.softkeys[i];
    if (phraseRead(t, g)) score.right++;
    else wrong.push(`key${i + 1} ${JSON.stringify(t)}->${JSON.stringify(g ?? '')}`);
  });
  if (wrong.length === 0) score.framesAllRight++;
  if (offersCancel(got) && !offersCancel(truth)) score.falseCancel++;
  if (promptsPassword(got) && !promptsPassword(truth)) score.falsePrompt++;
  return wrong;
}

/** Reads `frames` rendered frames per degradation level, cycling through the states; the score of each level. */
export async function measureAccuracy(
  states: ScreenState[],
  levels: readonly Degradation[],
  framesPerLevel: number,
  ocr: OcrPool,
  onWrong?: (level: Degradation, state: ScreenState, wrong: string[]) => void,
): Promise<{ scores: Record<string, Score>; readMs: number[] }> {
  const scores: Record<string, Score> = {};
  const readMs: number[] = [];
  for (const level of levels) {
    const score = (scores[level] = emptyScore());
    for (let i = 0; i < framesPerLevel; i++) {
      // Spread the frames over every state, and over the mounts: a prime stride mixes states and seeds.
      const state = states[(i * 7919) % states.length]!;
      const cam = new CameraModel({ seed: `${level}:${i}`, level });
      const { face, layout, key } = faceOf(state.screen, styleForModel(state.simModel), i * 97);
      const frame = cam.photograph(face, layout, i * 97, key);
      const cal = cam.calibration(layout);
      const softkeys = Math.max(state.screen.softkeys.length, 4);
      const got = await readFrame(frame, ocr, { corners: cal.corners, softkeys });
      readMs.push(got.ms);
      const truth = { ...state.screen, softkeys: state.screen.softkeys.length ? state.screen.softkeys : ['', '', '', ''] };
      const wrong = scoreReading(score, truth, got);
      if (wrong.length) onWrong?.(level, state, wrong);
    }
  }
  return { scores, readMs };
}

/**
 * Reads every state once, the degradation levels in turn (state i at level i mod the levels, on its own mount): the
 * suite's corpus, every screen state and every level in about as many frames as there are states. `npm run bench`
 * reads 1,000+ frames with measureAccuracy.
 */
export async function readEveryState(
  states: ScreenState[],
  levels: readonly Degradation[],
  ocr: OcrPool,
  onWrong?: (level: Degradation, state: ScreenState, wrong: string[]) => void,
): Promise<Record<string, Score>> {
  const scores: Record<string, Score> = {};
  for (const level of levels) scores[level] = emptyScore();
  for (let i = 0; i < states.length; i++) {
    const state = states[i]!;
    const level = levels[i % levels.length]!;
    const cam = new CameraModel({ seed: `suite:${level}:${i}`, level });
    const { face, layout, key } = faceOf(state.screen, styleForModel(state.simModel), i * 97);
    const frame = cam.photograph(face, layout, i * 97, key);
    const cal = cam.calibration(layout);
    const got = await readFrame(frame, ocr, { corners: cal.corners, softkeys: Math.max(state.screen.softkeys.length, 4) });
    const truth = { ...state.screen, softkeys: state.screen.softkeys.length ? state.screen.softkeys : ['', '', '', ''] };
    const wrong = scoreReading(scores[level]!, truth, got);
    if (wrong.length) onWrong?.(level, state, wrong);
  }
  return scores;
}
