import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStationFile } from '../../src/batch/stations.js';

const dir = mkdtempSync(join(tmpdir(), 'resetbot-camstations-'));
const file = (stations: unknown) => {
  const p = join(dir, `s-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify({ stations }));
  return p;
};

describe("a station's camera section", () => {
  it('gives the source, the display corners, the softkey count and LED points', () => {
    const [s] = loadStationFile(
      file([
        {
          name: 'left-1',
          driver: 'serial',
          port: '/dev/ttyUSB0',
          fixture: 'vvx-jig',
          camera: { source: '/dev/video0', corners: [100, 80, 520, 90, 515, 400, 95, 390], softkeys: 4, leds: { mwi: [600, 120] }, fps: 5 },
        },
      ]),
    );
    expect(s!.camera).toEqual({
      source: '/dev/video0',
      corners: [
        { x: 100, y: 80 },
        { x: 520, y: 90 },
        { x: 515, y: 400 },
        { x: 95, y: 390 },
      ],
      softkeys: 4,
      leds: { mwi: { x: 600, y: 120 } },
      fps: 5,
    });
  });

  it('says what is wrong with it', () => {
    const bad = (camera: unknown) => () => loadStationFile(file([{ name: 'a', driver: 'serial', port: '/dev/ttyUSB0', fixture: 'vvx-jig', camera }]));
    expect(bad({ corners: [1, 2, 3, 4, 5, 6, 7, 8] })).toThrow(/source/);
    expect(bad({ source: '/dev/video0', corners: [1, 2, 3] })).toThrow(/8 pixel coordinates/);
    expect(bad({ source: '/dev/video0', corners: [10, 10, 12, 78, 108, 80, 110, 12] })).toThrow(/clockwise/);
    expect(bad({ source: '/dev/video0', lens: 1 })).toThrow(/unknown field 'lens'/);
  });

  it('a simulated station may see through the rendered camera path', () => {
    const [s] = loadStationFile(file([{ name: 'sim-cam', driver: 'sim', fixture: 'vvx-jig', sim: { camera: 'moderate' } }]));
    expect(s!.sim?.camera).toBe('moderate');
    expect(() => loadStationFile(file([{ name: 'x', driver: 'sim', fixture: 'vvx-jig', sim: { camera: 'awful' } }]))).toThrow(/camera/);
  });
});
