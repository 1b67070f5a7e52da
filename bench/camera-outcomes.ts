/**
 * Issue 9's outcome figures: full resets through the rendered camera path (--sim-camera) against the perfect
 * observer, for every procedure kind (PROCEDURE_RUNS) x seed x degradation level. A camera pass counts only when the
 * simulator's truth says factory defaults; a run agrees when the camera's outcome is the perfect observer's and the
 * simulator ends at factory defaults in both or neither. Prints per kind and overall: agreement, false passes (a
 * camera pass with the simulator not at factory defaults: must be 0), bench time camera / perfect, and wall time.
 *
 * A camera run reads hundreds of frames (about 5-30 s of wall time a run, 2 min for the 8 kinds at one seed), so the
 * default is one seed at moderate. CAMERA_OUTCOME_SEEDS=1-12 (or 1,5,9), CAMERA_OUTCOME_LEVELS=mild,moderate run more;
 * CAMERA_OUTCOME_KINDS=led-combo,long-press narrows the kinds; CAMERA_OUTCOME_TRACE=dir writes, for each disagreement
 * (and each camera run that took more attempts than the perfect observer's), the simulator's true screens next to the
 * screens the camera believed (one file a run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopSharedOcr } from '../src/observe/camera/ocr.js';
import { DEGRADATIONS, type Degradation } from '../src/sim/render/camera.js';
import { PROCEDURE_RUNS, setupOf } from '../test/camera/corpus.js';
import { cameraRun, formatTimeline, perfectRun } from '../test/camera/runs.js';

/** "1-12", "1,5,9" or "1-3,7": the numbers. */
export function parseSeeds(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!m) return [Number(part)];
    const out: number[] = [];
    for (let s = Number(m[1]); s <= Number(m[2]); s++) out.push(s);
    return out;
  });
}

interface Tally {
  runs: number;
  agree: number;
  falsePass: number;
  cameraPass: number;
  /** Camera runs that took more attempts than the perfect observer's on the same seed. */
  moreAttempts: number;
  perfectAtDefaults: number;
  perfectMs: number;
  cameraMs: number;
  wallMs: number;
}

const tally = (): Tally => ({ runs: 0, agree: 0, falsePass: 0, cameraPass: 0, moreAttempts: 0, perfectAtDefaults: 0, perfectMs: 0, cameraMs: 0, wallMs: 0 });
const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) + ' %' : '-');

export async function benchCameraOutcomes(): Promise<void> {
  const seeds = parseSeeds(process.env.CAMERA_OUTCOME_SEEDS ?? '1');
  const levels = (process.env.CAMERA_OUTCOME_LEVELS ?? 'moderate').split(',') as Degradation[];
  for (const l of levels) if (!DEGRADATIONS.includes(l)) throw new Error(`CAMERA_OUTCOME_LEVELS: no level ${l} (${DEGRADATIONS.join(', ')})`);
  const kinds = process.env.CAMERA_OUTCOME_KINDS?.split(',');
  const runs = PROCEDURE_RUNS.filter((r) => !kinds || kinds.includes(r.kind) || kinds.includes(r.model));
  const traceDir = process.env.CAMERA_OUTCOME_TRACE;
  if (traceDir) mkdirSync(traceDir, { recursive: true });
  console.log(`camera outcomes: ${runs.length} procedure runs x seeds ${seeds.join(',')} x ${levels.join(',')}, perfect observer vs --sim-camera (sequential)`);
  const byKind = new Map<string, Tally>();
  const byLevel = new Map<string, Tally>();
  const all = tally();
  const disagreements: string[] = [];
  for (const level of levels) {
    for (const seed of seeds) {
      for (const r of runs) {
        const name = `${r.model} (${r.kind})`;
        const perfect = await perfectRun(r, seed);
        const started = performance.now();
        const seen = await cameraRun(r.model, seed, { ...setupOf(r), level });
        const wallMs = performance.now() - started;
        const agree = seen.record.outcome === perfect.record.outcome && seen.truth.factoryDefaults === perfect.truth.factoryDefaults;
        const falsePass = seen.record.outcome === 'pass' && !seen.truth.factoryDefaults;
        for (const t of [all, byKind.get(name) ?? byKind.set(name, tally()).get(name)!, byLevel.get(level) ?? byLevel.set(level, tally()).get(level)!]) {
          t.runs++;
          if (agree) t.agree++;
          if (falsePass) t.falsePass++;
          if (seen.record.outcome === 'pass') t.cameraPass++;
          if (seen.record.attempts > perfect.record.attempts) t.moreAttempts++;
          if (perfect.truth.factoryDefaults) t.perfectAtDefaults++;
          t.perfectMs += perfect.record.durationMs;
          t.cameraMs += seen.record.durationMs;
          t.wallMs += wallMs;
        }
        const retried = seen.record.attempts > perfect.record.attempts;
        if (!agree || falsePass || retried) {
          const line = `${name} seed ${seed} ${level}: perfect ${perfect.record.outcome}${perfect.truth.factoryDefaults ? ' (factory defaults)' : ''}${perfect.record.failure ? ` [${perfect.record.failure.reason}]` : ''}; camera ${seen.record.outcome}${seen.truth.factoryDefaults ? ' (factory defaults)' : ''}${seen.record.failure ? ` [${seen.record.failure.code}: ${seen.record.failure.reason}]` : ''}, attempts ${perfect.record.attempts} vs ${seen.record.attempts}`;
          if (!agree || falsePass) {
            disagreements.push(line);
            console.log(`  DISAGREE ${line}`);
          } else console.log(`  MORE ATTEMPTS ${line}; ${seen.record.attemptLog.map((a) => a.failure?.reason ?? a.result).join('; ')}`);
          if (traceDir) {
            const file = join(traceDir, `${r.kind}-${r.model.replace(/\W+/g, '_')}-${level}-${seed}.txt`);
            const steps = seen.record.steps.map((s) => `${(s.startMs / 1000).toFixed(2).padStart(8)} s step   a${s.attempt} ${s.step}${s.detail ? ` (${s.detail})` : ''}`);
            writeFileSync(file, `${line}\n\n--- camera run: steps ---\n${steps.join('\n')}\n\n--- camera run: screens (sim = truth, camera = believed) ---\n${formatTimeline(seen.timeline)}\n\n--- record ---\n${JSON.stringify(seen.record, null, 1)}\n`);
          }
        }
        if (process.env.CAMERA_OUTCOME_VERBOSE) console.log(`  ${name} seed ${seed} ${level}: ${perfect.record.outcome} / ${seen.record.outcome}, bench ${(seen.record.durationMs / 1000).toFixed(0)} s vs ${(perfect.record.durationMs / 1000).toFixed(0)} s, wall ${(wallMs / 1000).toFixed(1)} s`);
      }
    }
  }
  const row = (label: string, t: Tally) =>
    `  ${label.padEnd(34)} ${`${t.agree}/${t.runs}`.padEnd(8)} ${pct(t.agree, t.runs).padEnd(8)} ${String(t.falsePass).padEnd(11)} ${`${t.cameraPass}`.padEnd(12)} ${(t.cameraMs / Math.max(1, t.perfectMs)).toFixed(3).padEnd(6)}x  ${(t.wallMs / 1000).toFixed(0).padStart(6)} s  ${(t.wallMs / Math.max(1, t.runs) / 1000).toFixed(1).padStart(5)} s`;
  console.log(`  ${'procedure run'.padEnd(34)} agree    agree %  false pass  camera pass  bench time cam/perfect  wall (a run)`);
  for (const [name, t] of byKind) console.log(row(name, t));
  if (levels.length > 1) for (const [level, t] of byLevel) console.log(row(`all kinds, ${level}`, t));
  console.log(row('all', all));
  console.log(`  mean bench time a phone: ${(all.cameraMs / Math.max(1, all.runs) / 1000).toFixed(1)} s with --sim-camera vs ${(all.perfectMs / Math.max(1, all.runs) / 1000).toFixed(1)} s with the perfect observer (${(all.cameraMs / Math.max(1, all.perfectMs)).toFixed(3)}x)`);
  console.log(`  perfect observer at factory defaults: ${all.perfectAtDefaults}/${all.runs}; disagreements: ${disagreements.length}; camera runs that took more attempts than the perfect observer's: ${all.moreAttempts}`);
  await stopSharedOcr();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchCameraOutcomes().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
