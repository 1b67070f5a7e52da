import { describe, expect, it } from 'vitest';
import type { ScreenObservation } from '../../src/bench/types.js';
import { displaySignature, signatureDistance } from '../../src/observe/camera/reader.js';
import { CameraModel, faceOf, type Degradation } from '../../src/sim/render/camera.js';
import { styleForModel } from '../../src/sim/render/display.js';

/*
 * The observer reads a frame by OCR only when its signature differs from the last frame read (SAME_PICTURE, 0.4). A
 * small change must count: a SoundPoint's mode label turning from '1 -> Aa' to 'A -> a1' (missed, the machine waited
 * for a mode it never saw: `mode-unreachable`), a countdown's digit. The same screen on a later frame (new noise,
 * exposure drifted) must not.
 */
const SAME_PICTURE = 0.4;

const prompt = (mode: string, stars: number): ScreenObservation => ({
  lit: true,
  lines: ['Password', '*'.repeat(stars)],
  softkeys: ['OK', mode, '', 'Cancel'],
  leds: {},
});
const countdown = (s: number): ScreenObservation => ({
  lit: true,
  lines: ['Press Setup to configure', `Booting in ${s}`],
  softkeys: ['Start', 'Setup', 'About', ''],
  leds: {},
});
const dark: ScreenObservation = { lit: false, lines: [], softkeys: [], leds: {} };

function distance(cam: CameraModel, a: ScreenObservation, ta: number, b: ScreenObservation, tb: number): number {
  const style = styleForModel('soundpoint-ip-335');
  const shot = (s: ScreenObservation, t: number) => {
    const { face, layout, key } = faceOf(s, style, t);
    return displaySignature(cam.photograph(face, layout, t, key), cam.calibration(layout).corners);
  };
  return signatureDistance(shot(a, ta), shot(b, tb));
}

describe('display signature: what makes a frame worth reading again', () => {
  for (const level of ['mild', 'moderate', 'severe'] as Degradation[]) {
    it(`${level}: a changed mode label or star${level === 'severe' ? '' : ' or countdown digit'} is a new picture${level === 'severe' ? '' : '; the same screen later is not'}`, () => {
      for (const mount of ['sig-a', 'sig-b', 'sig-c']) {
        const cam = new CameraModel({ seed: `${mount}:${level}`, level });
        expect(distance(cam, prompt('1 -> Aa', 3), 1000, prompt('A -> a1', 3), 1250)).toBeGreaterThan(SAME_PICTURE);
        expect(distance(cam, prompt('A -> a1', 3), 1000, prompt('A -> a1', 4), 1250)).toBeGreaterThan(SAME_PICTURE);
        // A severe camera (blur, drift) may miss a countdown's one-pixel digit change until the next second, and may
        // read the same screen again: a late or extra reading, not a wrong one.
        if (level === 'severe') continue;
        expect(distance(cam, countdown(12), 1000, countdown(11), 2000)).toBeGreaterThan(SAME_PICTURE);
        expect(distance(cam, prompt('A -> a1', 3), 1000, prompt('A -> a1', 3), 31_000)).toBeLessThan(SAME_PICTURE);
        expect(distance(cam, countdown(12), 1000, countdown(12), 21_000)).toBeLessThan(SAME_PICTURE);
        expect(distance(cam, dark, 1000, dark, 41_000)).toBeLessThan(SAME_PICTURE);
      }
    });
  }
});
