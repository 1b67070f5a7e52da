/**
 * The simulator's camera: photographs the rendered phone face (display.ts) the way a cheap USB camera mounted over
 * the phone would. Seeded per phone: the mount (perspective, position, scale), a glare spot, the exposure and its
 * drift, blur, sensor noise. SimCamera then delivers frames on the run's clock at a frame rate, late by a latency,
 * now and then dropping one or tearing one (the top rows still from the previous frame).
 */
import type { Clock } from '../../clock/clock.js';
import { Listeners } from '../../bench/listeners.js';
import type { ScreenObservation } from '../../bench/types.js';
import type { Frame, FrameSource } from '../../image/frames.js';
import { applyHomography, boxBlur, homography, warp, type Point, type Quad, type Raster } from '../../image/raster.js';
import { Rng } from '../rng.js';
import type { SimDevice } from '../device.js';
import { renderDisplay, renderFace, styleForModel, ledColour, type DisplayStyle, type FaceLayout } from './display.js';

import type { Degradation } from './degradations.js';
export { DEGRADATIONS, type Degradation } from './degradations.js';

interface LevelSpec {
  /** Corner displacement, as a fraction of the face's size on the frame (perspective and tilt). */
  tilt: number;
  /** Rotation, radians (max). */
  rotate: number;
  blurRadius: number;
  blurPasses: number;
  /** Sensor noise, standard deviation in 8-bit levels. */
  noise: number;
  /** Peak glare added, 0..1 of full scale. */
  glare: number;
  /** Exposure gain range. */
  exposure: [number, number];
  /** Exposure drift amplitude over time (fraction). */
  drift: number;
  /** Calibration error: the corners a technician would set are off by up to this many px. */
  calibrationPx: number;
  dropP: number;
  tornP: number;
}

const LEVELS: Record<Degradation, LevelSpec> = {
  none: { tilt: 0, rotate: 0, blurRadius: 0, blurPasses: 0, noise: 0, glare: 0, exposure: [1, 1], drift: 0, calibrationPx: 0, dropP: 0, tornP: 0 },
  mild: { tilt: 0.03, rotate: 0.02, blurRadius: 1, blurPasses: 1, noise: 4, glare: 0.12, exposure: [0.9, 1.1], drift: 0.04, calibrationPx: 1, dropP: 0.01, tornP: 0.01 },
  moderate: { tilt: 0.06, rotate: 0.04, blurRadius: 1, blurPasses: 2, noise: 8, glare: 0.25, exposure: [0.78, 1.2], drift: 0.08, calibrationPx: 2, dropP: 0.03, tornP: 0.02 },
  severe: { tilt: 0.1, rotate: 0.07, blurRadius: 1, blurPasses: 3, noise: 14, glare: 0.4, exposure: [0.62, 1.35], drift: 0.14, calibrationPx: 3, dropP: 0.06, tornP: 0.04 },
};

export interface CameraModelOptions {
  seed: number | string;
  level?: Degradation;
  /** Frame size (default 640 x 480, a UVC camera's usual mode). */
  width?: number;
  height?: number;
}

/** What a calibration of this mount gives: the display's corners and each LED's centre, in frame pixels. */
export interface SimCalibration {
  corners: Quad;
  leds: Record<string, Point>;
}

/** One camera mounted over one phone: a fixed geometry and lighting; noise and drift vary frame to frame. */
export class CameraModel {
  readonly level: Degradation;
  readonly width: number;
  readonly height: number;
  private readonly spec: LevelSpec;
  private readonly rng: Rng;
  private readonly noiseRng: Rng;
  private readonly mount: { scale: number; cx: number; cy: number; rot: number; jitter: Point[] };
  private readonly glareSpot: { x: number; y: number; r: number; peak: number };
  private readonly baseGain: number;
  private readonly driftPeriod: number;
  /**
   * The last few clean (pre-noise) photographs, by what they show: the face does not change between most frames, and
   * a blinking LED takes it back and forth between two (memoised only: the same key is the same picture).
   */
  private readonly cache = new Map<string, Raster>();

  constructor(options: CameraModelOptions) {
    this.level = options.level ?? 'moderate';
    this.width = options.width ?? 640;
    this.height = options.height ?? 480;
    this.spec = LEVELS[this.level];
    this.rng = new Rng(options.seed).fork('camera');
    this.noiseRng = this.rng.fork('noise');
    const r = this.rng;
    const s = this.spec;
    const between = (a: number, b: number) => a + (b - a) * r.float();
    this.mount = {
      scale: between(0.82, 0.92),
      cx: this.width / 2 + between(-0.04, 0.04) * this.width,
      cy: this.height / 2 + between(-0.04, 0.04) * this.height,
      rot: between(-s.rotate, s.rotate),
      jitter: Array.from({ length: 4 }, () => ({ x: between(-s.tilt, s.tilt), y: between(-s.tilt, s.tilt) })),
    };
    this.glareSpot = {
      x: between(0.2, 0.8) * this.width,
      y: between(0.2, 0.7) * this.height,
      r: between(0.08, 0.2) * this.width,
      peak: s.glare * between(0.6, 1),
    };
    this.baseGain = between(s.exposure[0], s.exposure[1]);
    this.driftPeriod = between(4_000, 15_000);
  }

  /** The face-to-frame homography for a face of this layout. */
  private placement(layout: FaceLayout): Float64Array {
    const m = this.mount;
    const k = Math.min((this.width * m.scale) / layout.width, (this.height * m.scale) / layout.height);
    const fw = layout.width * k;
    const fh = layout.height * k;
    const cos = Math.cos(m.rot);
    const sin = Math.sin(m.rot);
    const corners = [
      { x: -fw / 2, y: -fh / 2 },
      { x: fw / 2, y: -fh / 2 },
      { x: fw / 2, y: fh / 2 },
      { x: -fw / 2, y: fh / 2 },
    ].map((p, i) => {
      const j = m.jitter[i]!;
      const x = p.x + j.x * fw;
      const y = p.y + j.y * fh;
      return { x: m.cx + x * cos - y * sin, y: m.cy + x * sin + y * cos };
    });
    const face = [
      { x: 0, y: 0 },
      { x: layout.width, y: 0 },
      { x: layout.width, y: layout.height },
      { x: 0, y: layout.height },
    ];
    return homography(face, corners);
  }

  /** The calibration a technician would make of this mount (off by the level's calibration error). */
  calibration(layout: FaceLayout): SimCalibration {
    const h = this.placement(layout);
    const err = this.rng.fork('calibration');
    const e = () => (err.float() * 2 - 1) * this.spec.calibrationPx;
    const corners = layout.display.map((p) => {
      const q = applyHomography(h, p);
      return { x: q.x + e(), y: q.y + e() };
    }) as Quad;
    const leds: Record<string, Point> = {};
    for (const [name, p] of Object.entries(layout.leds)) leds[name] = applyHomography(h, p);
    return { corners, leds };
  }

  /** A photograph of the face at time t. */
  photograph(face: Raster, layout: FaceLayout, t: number, key?: string): Raster {
    let clean: Raster;
    const cached = key !== undefined ? this.cache.get(key) : undefined;
    if (cached) {
      clean = cached;
    } else {
      const toFrame = this.placement(layout);
      const faceCorners = [
        { x: 0, y: 0 },
        { x: layout.width, y: 0 },
        { x: layout.width, y: layout.height },
        { x: 0, y: layout.height },
      ];
      const fromFrame = homography(faceCorners.map((p) => applyHomography(toFrame, p)), faceCorners);
      clean = warp(face, fromFrame, this.width, this.height, [92, 84, 74, 255]);
      if (this.spec.blurPasses > 0) clean = boxBlur(clean, this.spec.blurRadius, this.spec.blurPasses);
      if (key !== undefined) remember(this.cache, key, clean);
    }
    return this.expose(clean, t);
  }

  /** The glare added at each pixel (a smooth spot; fixed for a mount). */
  private glareMap: Float32Array | undefined;
  /** A bank of sensor noise; each frame reads it from a random offset (cheap, and never the same twice in a row). */
  private noiseBank: Float32Array | undefined;

  private prepare(): { glare: Float32Array; noise: Float32Array } {
    if (!this.glareMap) {
      const g = this.glareSpot;
      const inv = 1 / (2 * g.r * g.r);
      this.glareMap = new Float32Array(this.width * this.height);
      if (g.peak > 0) {
        for (let y = 0; y < this.height; y++) {
          for (let x = 0; x < this.width; x++) {
            const d2 = (x - g.x) ** 2 + (y - g.y) ** 2;
            this.glareMap[y * this.width + x] = 255 * g.peak * Math.exp(-d2 * inv);
          }
        }
      }
      const n = this.width * this.height * 3 + 65_537;
      this.noiseBank = new Float32Array(n);
      const k = this.spec.noise * 2.449; // (u1 + u2 - 1) has sd 1/sqrt(6)
      for (let i = 0; i < n; i++) this.noiseBank[i] = (this.noiseRng.float() + this.noiseRng.float() - 1) * k;
    }
    return { glare: this.glareMap, noise: this.noiseBank! };
  }

  /** Exposure (with drift), glare and sensor noise on a clean photograph. */
  private expose(clean: Raster, t: number): Raster {
    const s = this.spec;
    const gain = this.baseGain * (1 + s.drift * Math.sin((2 * Math.PI * t) / this.driftPeriod));
    const { glare, noise } = this.prepare();
    const out = new Uint8ClampedArray(clean.data.length);
    const src = clean.data;
    let o = this.noiseRng.int(0, 65_536);
    for (let i = 0, p = 0; i < src.length; i += 4, p++) {
      const gl = glare[p]!;
      out[i] = src[i]! * gain + gl + noise[o++]!;
      out[i + 1] = src[i + 1]! * gain + gl + noise[o++]!;
      out[i + 2] = src[i + 2]! * gain + gl + noise[o++]!;
      out[i + 3] = 255;
    }
    return { width: clean.width, height: clean.height, data: out };
  }

  /** Chance that a frame is dropped / torn at this level. */
  get dropP(): number {
    return this.spec.dropP;
  }

  get tornP(): number {
    return this.spec.tornP;
  }
}

/** Keeps `value` under `key` in a small memo, forgetting the oldest entry beyond four. */
function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  memo.set(key, value);
  if (memo.size > 4) memo.delete(memo.keys().next().value!);
}

/** A key naming what a face shows at time t (blinking LEDs included): equal keys, equal pictures. */
export function faceKey(screen: ScreenObservation, style: DisplayStyle, t: number): string {
  const ledKey = Object.entries(screen.leds).map(([n, s]) => `${n}=${ledColour(s, t) ?? 'off'}`).join(',');
  return `${style.name}|${screen.lit}|${screen.lines.join('\n')}|${screen.softkeys.join('\t')}|${ledKey}`;
}

/** A unit's face for a screen at time t, and its key. */
export function faceOf(screen: ScreenObservation, style: DisplayStyle, t: number): { face: Raster; layout: FaceLayout; key: string } {
  const display = renderDisplay(screen, style);
  const { face, layout } = renderFace(display, screen.leds, t);
  return { face, layout, key: faceKey(screen, style, t) };
}

export interface SimCameraOptions {
  seed: number | string;
  level?: Degradation;
  /** Frames a second (default 4). */
  fps?: number;
  /** Capture-to-delivery latency, ms (default: drawn 60-180 ms). */
  latencyMs?: number;
  width?: number;
  height?: number;
  /** Stop delivering frames at this clock time (a stalled camera, for tests). */
  stallAtMs?: number;
}

/** The simulated camera over a simulated unit: a FrameSource on the run's clock. */
export class SimCamera implements FrameSource {
  readonly name = 'sim-camera';
  readonly model: CameraModel;
  readonly style: DisplayStyle;
  private readonly clock: Clock;
  private readonly phone: SimDevice;
  private readonly fps: number;
  private readonly latencyMs: number;
  private readonly stallAtMs: number | undefined;
  private readonly dice: Rng;
  private readonly frames = new Listeners<[Frame]>();
  private readonly errors = new Listeners<[Error]>();
  private readonly history: { t: number; screen: ScreenObservation }[] = [];
  private unsubscribe: (() => void) | undefined;
  private timer: number | undefined;
  private seq = 0;
  private previous: Raster | undefined;
  /** The last few faces drawn, by key (a blinking LED alternates two). */
  private readonly faces = new Map<string, { face: Raster; layout: FaceLayout; key: string }>();
  private running = false;

  constructor(phone: SimDevice, clock: Clock, options: SimCameraOptions) {
    this.phone = phone;
    this.clock = clock;
    this.style = styleForModel(phone.modelId);
    this.model = new CameraModel({ seed: options.seed, level: options.level, width: options.width, height: options.height });
    this.dice = new Rng(options.seed).fork('camera-frames');
    this.fps = options.fps ?? 4;
    this.latencyMs = options.latencyMs ?? this.dice.int(60, 180);
    this.stallAtMs = options.stallAtMs;
  }

  /** The calibration of this camera's mount over this unit (the corners and LED points a technician would set). */
  calibration(): SimCalibration {
    const { layout } = faceOf({ lines: [], softkeys: [], leds: {}, lit: false }, this.style, 0);
    return this.model.calibration(layout);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.history.push({ t: this.clock.now(), screen: this.phone.screen() });
    this.unsubscribe = this.phone.onScreen((screen) => {
      this.history.push({ t: this.clock.now(), screen });
      if (this.history.length > 64) this.history.splice(0, this.history.length - 64);
    });
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.add(listener);
  }

  onError(listener: (err: Error) => void): () => void {
    return this.errors.add(listener);
  }

  /** The screen the sensor saw at time t (the latest change at or before it). */
  private screenAt(t: number): ScreenObservation {
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]!.t <= t) return this.history[i]!.screen;
    return this.history[0]!.screen;
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => this.tick(), 1000 / this.fps);
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.clock.now();
    if (this.stallAtMs !== undefined && now >= this.stallAtMs) return; // a stalled camera: no more frames, ever
    this.schedule();
    if (this.dice.chance(this.model.dropP)) return;
    const t = now - this.latencyMs;
    const screen = this.screenAt(t);
    const key = faceKey(screen, this.style, t);
    let drawn = this.faces.get(key);
    if (!drawn) {
      drawn = faceOf(screen, this.style, t);
      remember(this.faces, key, drawn);
    }
    let raster = this.model.photograph(drawn.face, drawn.layout, t, key);
    if (this.previous && this.dice.chance(this.model.tornP)) {
      const rows = this.dice.int(1, raster.height - 1);
      const torn = new Uint8ClampedArray(raster.data);
      torn.set(this.previous.data.subarray(0, rows * raster.width * 4));
      raster = { width: raster.width, height: raster.height, data: torn };
    }
    this.previous = raster;
    this.frames.emit({ raster, t, seq: this.seq++ });
  }
}
