import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keptSetup, type BatchSetup } from '../../src/batch/batch.js';
import type { JournalRead } from '../../src/batch/journal.js';
import { ConfigError } from '../../src/errors/errors.js';
import { fixture } from './cli-helpers.js';

/*
 * What --resume keeps from a journal's header: the options that shape the run. The CLI side (a batch interrupted,
 * then resumed without its options) is in cli.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), 'resetbot-resume-'));
const setup: BatchSetup = { newBatchId: () => 'b', wallClock: () => new Date(0), resetbotVersion: 'test' };
const header = (fields: Partial<JournalRead['header']>): JournalRead['header'] => ({
  seq: 1,
  batch: 'b1',
  session: 1,
  clockMs: 0,
  type: 'batch',
  mode: 'file',
  file: '/lab/jobs.csv',
  fileHash: 'abc',
  stationsFile: null,
  outDir: dir,
  resetbot: 'test',
  at: '2025-01-01T00:00:00.000Z',
  ...fields,
});

/** The one line the CLI prints for what `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.oneLine();
    throw e;
  }
  throw new Error('not refused');
}

describe('--resume keeps the options that shape the run', () => {
  it('keeps the number of simulated stations, the seed and --skip-bad, and refuses a conflicting value in one line', () => {
    const h = header({ simStations: 3, profiles: null, profilesHash: null, seed: 41, skipBad: true });
    expect(keptSetup(setup, h)).toMatchObject({ simStations: 3, seed: 41, skipBad: true });
    expect(keptSetup({ ...setup, simStations: 3, seed: 41 }, h)).toMatchObject({ simStations: 3, seed: 41 });

    const conflicts: [Partial<BatchSetup>, RegExp][] = [
      [{ simStations: 2 }, /^--sim-stations 2 conflicts with batch b1, which runs on 3 simulated stations \(no station file\): drop --sim-stations/],
      [{ stationsFile: 'stations.json' }, /^--stations stations\.json conflicts with batch b1, which runs on 3 simulated stations/],
      [{ seed: 7 }, /^--sim-seed 7 conflicts with batch b1, which runs with seed 41: drop --sim-seed/],
      [{ profiles: 'p.json' }, /^--profiles p\.json conflicts with batch b1, which runs without a profiles file/],
    ];
    for (const [given, message] of conflicts) {
      const line = refusal(() => keptSetup({ ...setup, ...given }, h));
      expect(line).toMatch(message);
      expect(line).not.toContain('\n');
    }
  });

  it('keeps the station file; --sim-stations or another station file is refused', () => {
    const stations = resolve(fixture('stations/sim-four.json'));
    const h = header({ stationsFile: stations, simStations: null, seed: 1 });
    expect(keptSetup(setup, h).stationsFile).toBe(stations);
    expect(keptSetup({ ...setup, stationsFile: stations }, h).stationsFile).toBe(stations);
    expect(refusal(() => keptSetup({ ...setup, simStations: 2 }, h))).toMatch(/^--sim-stations 2 conflicts with batch b1, which runs on the stations of .*sim-four\.json/);
    expect(refusal(() => keptSetup({ ...setup, stationsFile: fixture('stations/sim-faulty.json') }, h))).toMatch(/^--stations .*sim-faulty\.json conflicts/);
  });

  it('keeps the profiles file, and refuses it once changed', () => {
    const profiles = join(dir, 'profiles.json');
    copyFileSync(fixture('batches/lab-profiles.json'), profiles);
    const h = header({ simStations: 1, profiles, profilesHash: createHash('sha256').update(readFileSync(profiles)).digest('hex'), seed: 1 });
    expect(keptSetup(setup, h).profiles).toBe(profiles);
    expect(keptSetup({ ...setup, profiles }, h).profiles).toBe(profiles);
    expect(refusal(() => keptSetup({ ...setup, profiles: fixture('batches/lab-profiles.json') }, h))).toMatch(
      /^--profiles .*lab-profiles\.json conflicts with batch b1, which runs with the profiles of .*profiles\.json/,
    );
    // The file changed since the batch started: its models may have changed.
    writeFileSync(profiles, readFileSync(profiles, 'utf8').replace('"maxAttempts": 2', '"maxAttempts": 3'));
    expect(refusal(() => keptSetup(setup, h))).toMatch(/has changed since batch b1 started/);
  });

  it('a journal of an older version keeps only its station file: the other options are as given', () => {
    const h = header({});
    expect(keptSetup({ ...setup, simStations: 4, seed: 9 }, h)).toMatchObject({ simStations: 4, seed: 9 });
    expect(keptSetup(setup, h).simStations).toBeUndefined();
    expect(typeof keptSetup(setup, h).seed).toBe('number');
  });
});
