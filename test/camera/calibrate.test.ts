import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePng } from '../../src/observe/camera/image-file.js';
import { CameraModel, faceOf } from '../../src/sim/render/camera.js';
import { DISPLAY_STYLES } from '../../src/sim/render/display.js';
import { cli, expectOneLineError } from '../cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'resetbot-calibrate-'));

async function frame(style: string, seed: string) {
  const screen = { lines: ['Welcome', 'Autoboot in 3 s'], softkeys: ['Start', 'Setup', 'About', ''], leds: { mwi: 'red' }, lit: true };
  const { face, layout, key } = faceOf(screen, DISPLAY_STYLES[style]!, 0);
  const cam = new CameraModel({ seed, level: 'mild' });
  const path = join(dir, `${style}-${seed}.png`);
  await writePng(cam.photograph(face, layout, 0, key), path);
  return { path, truth: cam.calibration(layout) };
}

describe('resetbot camera calibrate / snapshot', () => {
  for (const style of ['vvx', 'soundpoint', 'trio']) {
    it(`finds the lit display of a ${style} frame within a few pixels of where the camera model put it`, async () => {
      const { path, truth } = await frame(style, 'cal-1');
      const r = cli(['camera', 'calibrate', path, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const corners: number[] = JSON.parse(r.stdout).camera.corners;
      truth.corners.forEach((p, i) => {
        expect(Math.abs(corners[2 * i]! - p.x)).toBeLessThanOrEqual(6);
        expect(Math.abs(corners[2 * i + 1]! - p.y)).toBeLessThanOrEqual(6);
      });
    });
  }

  it('snapshot draws the station camera regions on a frame', async () => {
    const { path, truth } = await frame('vvx', 'snap');
    const stations = join(dir, 'stations.json');
    const corners = truth.corners.flatMap((p) => [Math.round(p.x), Math.round(p.y)]);
    writeFileSync(
      stations,
      JSON.stringify({ stations: [{ name: 'left-1', driver: 'serial', port: '/dev/ttyUSB0', fixture: 'vvx-jig', camera: { source: dir, corners, leds: { mwi: [Math.round(truth.leds.mwi!.x), Math.round(truth.leds.mwi!.y)] } } }] }),
    );
    const out = join(dir, 'snap.png');
    const r = cli(['camera', 'snapshot', '--station', 'left-1', '--stations', stations, '--image', path, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const missing = cli(['camera', 'snapshot', '--station', 'nope', '--stations', stations, '--out', out]);
    expect(missing.code).toBe(2);
    expect(expectOneLineError(missing)).toMatch(/has no station 'nope'/);
  });
});
