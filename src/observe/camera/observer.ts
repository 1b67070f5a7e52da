/**
 * The camera observer: frames from a FrameSource (ffmpeg, or the simulator's camera) read by the reader, turned into
 * believed screens. A screen is believed only when `agree` consecutive frames read the same (lines, softkeys, lit and
 * LED states); LEDs are judged over the last few seconds of frames (on and off by turns: `blink`; two colours by
 * turns: `flash`). A frame whose display looks like the last one read (displaySignature) reuses that reading: OCR
 * runs only when the picture changes, and then only on the lines whose part of the display changed (LineMemory). On
 * a virtual clock each read holds the clock, so the simulated phone does not run ahead while a frame is read. A
 * camera that delivers no frame for `stallMs` fails with a BenchError.
 */
import type { ScreenObservation } from '../../bench/types.js';
import { holdClock, type Clock } from '../../clock/clock.js';
import { BenchError } from '../../errors/errors.js';
import type { Frame, FrameSource } from '../../image/frames.js';
import type { Point, Quad } from '../../image/raster.js';
import { Listeners } from '../../bench/listeners.js';
import type { Observation, ObservationKind, ObservationSource } from '../types.js';
import type { OcrPool } from './ocr.js';
import { sharedOcr } from './ocr.js';
import { displaySignature, ledAt, LineMemory, readFrame, SAME_PICTURE, signatureDistance, type FrameReading } from './reader.js';

export interface CameraCalibration {
  corners?: Quad | undefined;
  softkeys: number;
  leds?: Record<string, Point> | undefined;
}

export interface CameraObserverOptions {
  frames: FrameSource;
  clock: Clock;
  calibration: CameraCalibration;
  /** Consecutive frames that must agree before a screen is believed (default 2). */
  agree?: number;
  /** No frame for this long (clock ms) is a stalled camera (default 3000). */
  stallMs?: number;
  /** LED states are judged over this window (clock ms, default 2500). */
  ledWindowMs?: number;
  /** The OCR pool (default: the process's shared one). */
  ocr?: OcrPool;
}

/*
 * SAME_PICTURE (reader.ts): the signature distance under which a frame shows what the last read frame showed. Noise and
 * exposure drift stay under about 0.3 (a dark display's included); one changed character (a countdown's digit, a mode
 * label) is 0.5 or more.
 */

function keepLast(xs: number[], x: number): void {
  xs.push(x);
  if (xs.length > 10_000) xs.splice(0, xs.length - 10_000);
}

/** What an LED's recent samples say: 'off', 'on', a colour ('red', 'amber'), 'blink' or 'flash'. */
export function ledState(samples: string[]): string {
  if (samples.length === 0) return 'off';
  let changes = 0;
  let colourChanges = 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i] === samples[i - 1]) continue;
    changes++;
    if (samples[i] !== 'off' && samples[i - 1] !== 'off') colourChanges++;
  }
  if (colourChanges >= 2) return 'flash';
  if (changes >= 2) return 'blink';
  const last = samples[samples.length - 1]!;
  return last === 'green' || last === 'white' || last === 'blue' ? 'on' : last;
}

export class CameraObserver implements ObservationSource {
  readonly name: string;
  readonly provides: ReadonlySet<ObservationKind> = new Set<ObservationKind>(['screen']);
  private readonly opts: CameraObserverOptions;
  private readonly agree: number;
  private readonly stallMs: number;
  private readonly ledWindowMs: number;
  private readonly listeners = new Listeners<[Observation]>();
  private readonly failures = new Listeners<[BenchError]>();
  private ocr: OcrPool | undefined;
  private believed: ScreenObservation | undefined;
  private candidate: { key: string; count: number } | undefined;
  private lastRead: { sig: Float32Array; reading: FrameReading } | undefined;
  /** The next frame is read whole (lookAgain). */
  private fresh = false;
  private readonly ledSamples: { t: number; leds: Record<string, string> }[] = [];
  private busy = false;
  private pending: Frame | undefined;
  private lastFrameAt = 0;
  private watchdog: number | undefined;
  private offs: (() => void)[] = [];
  private stopped = true;
  private failure: BenchError | undefined;
  /**
   * Frames seen / read by OCR, for benchmarks: the time of each OCR read, and of each frame's whole handling (compare,
   * LEDs, OCR when the picture changed), wall ms; the last 10,000 of each.
   */
  readonly stats = { frames: 0, ocr: 0, fresh: 0, readMs: [] as number[], frameMs: [] as number[] };
  /** The lines this camera read, so that a frame where one line changed has only that line read by OCR. */
  readonly lines = new LineMemory();

  constructor(opts: CameraObserverOptions) {
    this.opts = opts;
    this.name = `camera:${opts.frames.name}`;
    this.agree = opts.agree ?? 2;
    this.stallMs = opts.stallMs ?? 3000;
    this.ledWindowMs = opts.ledWindowMs ?? 2500;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.ocr = this.opts.ocr ?? (await sharedOcr());
    this.offs.push(this.opts.frames.onFrame((f) => this.onFrame(f)));
    this.offs.push(this.opts.frames.onError((e) => this.fail(e instanceof BenchError ? e : new BenchError('camera-failed', `camera ${this.opts.frames.name}: ${e.message}`, 'check the camera and its cable'))));
    this.lastFrameAt = this.opts.clock.now();
    this.armWatchdog();
    await this.opts.frames.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.clock.clearTimeout(this.watchdog);
    for (const off of this.offs.splice(0)) off();
    await this.opts.frames.stop();
  }

  subscribe(listener: (o: Observation) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Calls `listener` once if the camera fails (stalls, is lost). */
  onFailure(listener: (err: BenchError) => void): () => void {
    if (this.failure) listener(this.failure);
    return this.failures.add(listener);
  }

  current(): ScreenObservation | undefined {
    return this.believed;
  }

  /**
   * The next frame is read whole by OCR, even if its picture is the last one read: a misreading of a picture that
   * then stays the same (a dropped '>' of a menu's highlight) would otherwise stand as long as the picture does.
   * Another frame carries other sensor noise, and its reading is believed once the frames after it agree.
   */
  lookAgain(): void {
    this.fresh = true;
  }

  private armWatchdog(): void {
    this.opts.clock.clearTimeout(this.watchdog);
    const due = this.lastFrameAt + this.stallMs - this.opts.clock.now();
    this.watchdog = this.opts.clock.setTimeout(() => {
      if (this.stopped) return;
      if (this.opts.clock.now() - this.lastFrameAt >= this.stallMs) {
        this.fail(new BenchError('camera-stalled', `camera ${this.opts.frames.name} delivered no frame for ${Math.round(this.stallMs / 100) / 10} s`, 'check the camera, its cable and its source; then run again'));
      } else this.armWatchdog();
    }, Math.max(1, due));
  }

  private fail(err: BenchError): void {
    if (this.failure) return;
    this.failure = err;
    this.failures.emit(err);
  }

  private onFrame(frame: Frame): void {
    if (this.stopped) return;
    this.lastFrameAt = this.opts.clock.now();
    if (this.busy) {
      this.pending = frame; // keep only the newest
      return;
    }
    void this.process(frame);
  }

  private async process(first: Frame): Promise<void> {
    this.busy = true;
    let frame: Frame | undefined = first;
    try {
      while (frame && !this.stopped) {
        await holdClock(this.opts.clock, this.read(frame));
        frame = this.pending;
        this.pending = undefined;
      }
    } finally {
      this.busy = false;
    }
  }

  private async read(frame: Frame): Promise<void> {
    const started = performance.now();
    try {
      await this.readOne(frame);
    } finally {
      keepLast(this.stats.frameMs, performance.now() - started);
    }
  }

  private async readOne(frame: Frame): Promise<void> {
    const cal = this.opts.calibration;
    this.stats.frames++;
    const sig = displaySignature(frame.raster, cal.corners);
    let reading: FrameReading;
    const fresh = this.fresh;
    this.fresh = false;
    if (fresh) {
      this.lines.slots = [];
      this.stats.fresh++;
    }
    if (!fresh && this.lastRead && signatureDistance(sig, this.lastRead.sig) < SAME_PICTURE) {
      const leds: Record<string, string> = {};
      for (const [name, p] of Object.entries(cal.leds ?? {})) leds[name] = ledAt(frame.raster, p);
      reading = { ...this.lastRead.reading, leds };
    } else {
      reading = await readFrame(frame.raster, this.ocr!, { corners: cal.corners, softkeys: cal.softkeys, leds: cal.leds, memory: this.lines, signature: sig });
      this.stats.ocr++;
      keepLast(this.stats.readMs, reading.ms);
      this.lastRead = { sig, reading };
    }
    this.ledSamples.push({ t: frame.t, leds: reading.leds });
    while (this.ledSamples.length > 0 && this.ledSamples[0]!.t < frame.t - this.ledWindowMs) this.ledSamples.shift();
    const leds: Record<string, string> = {};
    for (const name of Object.keys(cal.leds ?? {})) {
      const state = ledState(this.ledSamples.map((s) => s.leds[name] ?? 'off'));
      if (state !== 'off') leds[name] = state;
    }
    const screen: ScreenObservation = { lines: reading.lit ? reading.lines : [], softkeys: reading.lit ? reading.softkeys : [], leds, lit: reading.lit };
    const key = JSON.stringify([screen.lit, screen.lines, screen.softkeys, Object.entries(leds).sort()]);
    if (this.candidate?.key === key) this.candidate.count++;
    else this.candidate = { key, count: 1 };
    if (this.candidate.count >= this.agree && this.candidate.key !== this.believedKey) {
      this.believedKey = key;
      this.believed = screen;
      this.listeners.emit({ kind: 'screen', source: this.name, confidence: reading.confidence, t: frame.t, screen });
    }
  }

  private believedKey: string | undefined;
}
