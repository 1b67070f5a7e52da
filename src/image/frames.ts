/**
 * Frames: the physical interface between a camera (ffmpeg capture, or the simulator's camera model) and the reader.
 */
import type { Raster } from './raster.js';

export interface Frame {
  raster: Raster;
  /** Capture time on the run's clock (ms). */
  t: number;
  /** 0, 1, 2... in delivery order. */
  seq: number;
}

/** A camera: delivers frames at its rate until stopped; reports a failure (stall, lost device) once. */
export interface FrameSource {
  /** e.g. `ffmpeg:/dev/video0`, `sim-camera`. */
  readonly name: string;
  start(): Promise<void>;
  /** Stops and frees the device. Safe to call twice. */
  stop(): Promise<void>;
  onFrame(listener: (frame: Frame) => void): () => void;
  /** The camera stopped delivering (a BenchError): the run must fail as a bench failure. */
  onError(listener: (err: Error) => void): () => void;
}
