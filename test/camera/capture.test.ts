import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { BenchError } from '../../src/errors/errors.js';
import type { Frame } from '../../src/image/frames.js';
import { FfmpegCamera, inputArgs } from '../../src/observe/camera/capture.js';
import { writePng } from '../../src/observe/camera/image-file.js';
import { sharedOcr, stopSharedOcr } from '../../src/observe/camera/ocr.js';
import { CameraObserver } from '../../src/observe/camera/observer.js';
import { CameraModel, faceOf } from '../../src/sim/render/camera.js';
import { DISPLAY_STYLES } from '../../src/sim/render/display.js';

/* Real capture processes: ffmpeg's lavfi test source and a folder of frames. Needs the ffmpeg package (CI installs it). */
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const skip = hasFfmpeg ? '' : ' (skipped: ffmpeg is not installed; apt-get install ffmpeg)';
afterAll(() => stopSharedOcr());

const collect = (cam: FfmpegCamera) => {
  const frames: Frame[] = [];
  cam.onFrame((f) => frames.push(f));
  return frames;
};
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ffmpeg capture', () => {
  it('names what it cannot use in one line', () => {
    expect(() => inputArgs('/nonexistent/folder', 4)).toThrow(/not a V4L2 device/);
    expect(inputArgs('/dev/video0', 4)).toEqual(['-f', 'v4l2', '-i', '/dev/video0']);
    expect(inputArgs('rtsp://cam/stream', 4)).toContain('-rtsp_transport');
    // An MJPEG stream has no timestamps: each frame is stamped as it arrives (see doctor-camera's served stream).
    expect(inputArgs('http://cam/video.mjpg', 4)).toEqual(['-use_wallclock_as_timestamps', '1', '-i', 'http://cam/video.mjpg']);
  });

  it('a missing ffmpeg is one line saying how to install it', async () => {
    const cam = new FfmpegCamera({ source: 'lavfi:testsrc', clock: new RealClock(), ffmpeg: '/nonexistent/ffmpeg' });
    const err = await cam.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).oneLine()).toBe('ffmpeg is not installed (the camera needs it): install it: apt-get install ffmpeg');
  });

  it.skipIf(!hasFfmpeg)(`delivers frames of the source's size at the configured rate from lavfi${skip}`, async () => {
    const cam = new FfmpegCamera({ source: 'lavfi:testsrc=size=320x240:rate=25', clock: new RealClock(), fps: 5 });
    const frames = collect(cam);
    await cam.start();
    await wait(2000);
    await cam.stop();
    expect(frames[0]!.raster.width).toBe(320);
    expect(frames[0]!.raster.height).toBe(240);
    expect(frames[0]!.raster.data.length).toBe(320 * 240 * 4);
    // ~5 a second over ~2 s (start-up takes a little of it).
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(frames.length).toBeLessThanOrEqual(14);
  });

  it.skipIf(!hasFfmpeg)(`replays a folder of frames, read by the observer; a camera that then stops is a bench failure${skip}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-frames-'));
    const screen = { lines: ['Loading application...', 'UC Software 5.9.7'], softkeys: ['', '', 'Cancel', ''], leds: {}, lit: true };
    const { face, layout, key } = faceOf(screen, DISPLAY_STYLES.vvx!, 0);
    const model = new CameraModel({ seed: 'folder', level: 'mild' });
    for (let i = 0; i < 6; i++) await writePng(model.photograph(face, layout, i * 250, key), join(dir, `frame-${String(i).padStart(3, '0')}.png`));
    const cal = model.calibration(layout);
    const clock = new RealClock();
    const cam = new FfmpegCamera({ source: dir, clock, fps: 4 });
    const observer = new CameraObserver({ frames: cam, clock, calibration: { corners: cal.corners, softkeys: 4 }, stallMs: 1500, ocr: await sharedOcr() });
    const failures: BenchError[] = [];
    observer.onFailure((e) => failures.push(e));
    const seen: string[][] = [];
    observer.subscribe((o) => {
      if (o.kind === 'screen') seen.push(o.screen.softkeys);
    });
    await observer.start();
    await wait(4500);
    await observer.stop();
    expect(seen[0]?.[2]).toBe('Cancel');
    expect(observer.current()?.lit).toBe(true);
    // Six frames at 4 a second, then nothing: the folder ended.
    expect(failures.length).toBe(1);
    expect(failures[0]!.failureClass).toBe('bench');
    expect(failures[0]!.message).toMatch(/ended|no frame/);
  }, 30_000);
});
