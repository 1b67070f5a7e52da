/**
 * Frames from a real camera through ffmpeg (Debian package `ffmpeg`): a V4L2 device (`/dev/video0`), an RTSP or
 * HTTP camera URL, a folder of image files (replay and tests: played in name order), or an ffmpeg `lavfi:` test
 * source (files and test sources are played at their frame rate, `-re`). ffmpeg writes raw RGBA frames at the configured rate on a pipe; the frame size comes from ffmpeg's own
 * account of its output stream. A camera that stops delivering is caught by the observer's stall watchdog; ffmpeg
 * exiting with an error is reported at once (a BenchError with ffmpeg's last line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import type { Frame, FrameSource } from '../../image/frames.js';
import { Listeners } from '../../bench/listeners.js';

export interface FfmpegCameraOptions {
  /** `/dev/videoN`, `rtsp://...`, `http(s)://...`, a folder of .png/.jpg files, or `lavfi:<filtergraph>`. */
  source: string;
  clock: Clock;
  /** Frames a second delivered (default 4). */
  fps?: number;
  /** The ffmpeg executable (default `ffmpeg`). */
  ffmpeg?: string;
  /** A folder replays in a loop instead of ending (default false). */
  loop?: boolean;
}

const IMAGE = /\.(png|jpe?g|bmp|webp)$/i;

/** ffmpeg's input arguments for a source, or ConfigError. */
export function inputArgs(source: string, fps: number, loop = false): string[] {
  if (source.startsWith('lavfi:')) return ['-re', '-f', 'lavfi', '-i', source.slice('lavfi:'.length)];
  if (/^(rtsp|rtsps):\/\//i.test(source)) return ['-rtsp_transport', 'tcp', '-i', source];
  // An HTTP camera's MJPEG stream carries no timestamps: ffmpeg would assume 25 frames a second, and the fps filter
  // would then keep one frame in six of a 4-frame camera. Each frame is stamped with the time it arrived instead.
  if (/^https?:\/\//i.test(source)) return ['-use_wallclock_as_timestamps', '1', '-i', source];
  if (source.startsWith('/dev/video')) return ['-f', 'v4l2', '-i', source];
  if (existsSync(source) && statSync(source).isDirectory()) {
    const files = readdirSync(source).filter((f) => IMAGE.test(f)).sort();
    if (files.length === 0) throw new ConfigError('no-frames', `camera folder '${source}' has no .png or .jpg files`, 'put the frames to replay in it, named in order');
    const ext = files[0]!.replace(/^.*\./, '');
    return ['-re', ...(loop ? ['-stream_loop', '-1'] : []), '-framerate', String(fps), '-pattern_type', 'glob', '-i', join(source, `*.${ext}`)];
  }
  throw new ConfigError(
    'bad-camera',
    `camera source '${source}' is not a V4L2 device, an rtsp:// or http:// URL, or a folder of frames`,
    'give e.g. /dev/video0, rtsp://camera/stream, or a folder of PNG files',
  );
}

export class FfmpegCamera implements FrameSource {
  readonly name: string;
  private readonly opts: FfmpegCameraOptions;
  private readonly fps: number;
  private readonly frames = new Listeners<[Frame]>();
  private readonly errors = new Listeners<[Error]>();
  private child: ChildProcess | undefined;
  private seq = 0;
  private stopping = false;

  constructor(opts: FfmpegCameraOptions) {
    this.opts = opts;
    this.fps = opts.fps ?? 4;
    this.name = `ffmpeg:${opts.source}`;
    if (!(this.fps > 0 && this.fps <= 60)) throw new ConfigError('bad-fps', `camera frame rate ${this.fps}`, 'give 1 to 60 frames a second');
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.add(listener);
  }

  onError(listener: (err: Error) => void): () => void {
    return this.errors.add(listener);
  }

  /** Starts ffmpeg; resolves once it has said the frame size (rejects if it cannot start or open the source). */
  start(): Promise<void> {
    if (this.child) return Promise.resolve();
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', ...inputArgs(this.opts.source, this.fps, this.opts.loop), '-an', '-vf', `fps=${this.fps}`, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'];
    const child = spawn(this.opts.ffmpeg ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      let size: { w: number; h: number } | undefined;
      let stderr = '';
      let lastLine = '';
      let pending: Buffer = Buffer.alloc(0);
      let started = false;
      const fail = (err: BenchError) => {
        if (!started) reject(err);
        else if (!this.stopping) this.errors.emit(err);
      };
      child.on('error', (err: NodeJS.ErrnoException) => {
        fail(
          err.code === 'ENOENT'
            ? new BenchError('no-ffmpeg', 'ffmpeg is not installed (the camera needs it)', 'install it: apt-get install ffmpeg')
            : new BenchError('camera-failed', `cannot start ffmpeg: ${err.message}`, 'check the ffmpeg installation'),
        );
      });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        stderr += text;
        const lines = stderr.split('\n');
        stderr = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim()) lastLine = line.trim();
          if (!size && /Output #0/.test(line)) size = { w: 0, h: 0 };
          const m = size && size.w === 0 ? /Video: rawvideo.*?, (\d+)x(\d+)/.exec(line) : null;
          if (m) {
            size = { w: Number(m[1]), h: Number(m[2]) };
            started = true;
            resolve();
          }
        }
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        if (!size || size.w === 0) return;
        const frameBytes = size.w * size.h * 4;
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= frameBytes) {
          const data = new Uint8ClampedArray(frameBytes);
          data.set(pending.subarray(0, frameBytes));
          pending = pending.subarray(frameBytes);
          this.frames.emit({ raster: { width: size.w, height: size.h, data }, t: this.opts.clock.now(), seq: this.seq++ });
        }
      });
      child.on('exit', (code, signal) => {
        this.child = undefined;
        if (this.stopping) return;
        if (code === 0) fail(new BenchError('camera-ended', `camera ${this.opts.source}: the source ended (no more frames)`, 'check the camera; a folder of frames replays once unless looped'));
        else fail(new BenchError('camera-failed', `camera ${this.opts.source}: ffmpeg stopped (${signal ?? `exit ${code}`}): ${lastLine || 'no message'}`, 'check the camera, its cable or URL'));
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
