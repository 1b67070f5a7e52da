/**
 * Reads one camera frame: the display cut out by its four corners (perspective-corrected), whether it is lit, its text
 * lines, the labels of the bottom softkey strip (N equal cells), and the LEDs at calibrated points.
 *
 * Made for frames we did not draw: any font, light text on dark or dark on light, coloured backlights, blur, noise,
 * glare (removed with the local background), a display at an angle inside a larger frame.
 *
 * Preprocessing for LCD text (DESIGN.md), in two passes. The layout is found on the display rectified at about the size
 * it has on the frame (greyscale, polarity to dark-on-light, a threshold on each pixel's depth below its local
 * background, against the local contrast and the sensor's noise): the text lines, the softkey strip and its cells.
 * Only the crops OCR reads are then rectified again, straight from the frame, at the size the recogniser reads best
 * (upscaled: one resampling), their background flattened and everything away from the ink whited out; the crops are
 * stacked and read by one OCR call.
 */
import {
  applyHomography,
  composeHomography,
  homography,
  warp,
  warpGrey,
  toGrey,
  type Homography,
  createGrey,
  encodePgm,
  integral,
  quadSize,
  type Grey,
  type Point,
  type Quad,
  type Raster,
} from '../../image/raster.js';
import { knownLabel } from './labels.js';
import type { OcrLine, OcrPool } from './ocr.js';
import { editDistance } from '../../errors/errors.js';

export interface ReadOptions {
  /** The display's corners on the frame, clockwise from the top-left; absent: the frame is the display. */
  corners?: Quad | undefined;
  /** Cells in the bottom softkey strip (default 4); 0: no strip. */
  softkeys?: number | undefined;
  /** LED centres on the frame, by name. */
  leds?: Record<string, Point> | undefined;
  /**
   * One camera's memory of the lines it read (the observer keeps one per station): a line or label whose part of the
   * display looks as it did on the frame it was read from (displaySignature, over its box) keeps that reading, and
   * only the lines that changed are read by OCR.
   */
  memory?: LineMemory | undefined;
  /** This frame's displaySignature, when the caller has it already (with `memory`). */
  signature?: Float32Array | undefined;
}

/** What `readFrame` remembers of a camera's last reading (see ReadOptions.memory). Create one per camera. */
export class LineMemory {
  /** @internal */
  slots: { box: Box; target: Slot['target']; words: string[]; conf: number[]; sig: Float32Array }[] = [];
  /** @internal Layout size the boxes are in. */
  size = '';
  /** Lines and labels read by OCR / kept from an earlier frame, for benchmarks. */
  readonly stats = { read: 0, kept: 0 };
}

export interface FrameReading {
  lit: boolean;
  lines: string[];
  softkeys: string[];
  /** By name: 'off' or the colour seen ('green', 'red', 'amber', 'blue', 'white'). */
  leds: Record<string, string>;
  /** 0..1. */
  confidence: number;
  /** Time the read took, ms (wall clock). */
  ms: number;
}

/** What the reader worked on, for `camera snapshot` and debugging. */
export interface ReadDetail {
  display: Raster;
  binary: Grey;
  stripTop: number;
}

const LOGO_LINE = '[Poly logo]';
/**
 * The logo's word as OCR reads it: 'poly', 'p0ly', 'polv', or with one letter lost at either end ('oly p': the mark
 * beside it can take the first letter). Only a logo-tall band is asked.
 */
const isLogo = (text: string) => {
  const t = text.replace(/\s/g, '').toLowerCase();
  return t.length <= 6 && /p[o0]l[yv]|[o0]l[yv]|p[o0]l/.test(t);
};
/**
 * A line of two words or more none of which OCR read with this confidence is noise (a dark glass's sensor noise, the
 * display's edge under glare: 'woven SRETERREY cer an', 36 at most), not text. A single word is kept whatever its
 * confidence: a short real line ('[123]', 'Welcome') is often read at 20 to 45.
 */
const NOISE_CONFIDENCE = 50;
/** The same within the display's rim (its outer 8 %, top or bottom), where glare on the edge makes most of the noise. */
const RIM_NOISE_CONFIDENCE = 60;

function percentile(values: Uint8ClampedArray | number[], p: number): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < values.length; i++) hist[values[i]!]!++;
  const target = p * values.length;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i]!;
    if (acc >= target) return i;
  }
  return 255;
}

/**
 * The glass's colour, from the frame's pixels at every other layout pixel (nearest, through the layout's map; outside
 * the frame: black): `bright`, the median of max(R, G, B) (a coloured backlight is bright in one channel even where
 * its luma is low); `chroma`, how coloured the whole picture is, the spread of its mean R, G and B (0 for grey; glare,
 * being white, adds none). Sampled: the reader works on grey and never resamples the colour picture.
 */
function glassColour(frame: Raster, toFrame: Homography, width: number, height: number): { bright: number; chroma: number } {
  const values: number[] = [];
  let R = 0;
  let G = 0;
  let B = 0;
  const h = toFrame;
  const d = frame.data;
  for (let y = 0.5; y < height; y += 2) {
    for (let x = 0.5; x < width; x += 2) {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      const sx = Math.floor((h[0]! * x + h[1]! * y + h[2]!) / w);
      const sy = Math.floor((h[3]! * x + h[4]! * y + h[5]!) / w);
      if (sx < 0 || sy < 0 || sx >= frame.width || sy >= frame.height) {
        values.push(0);
        continue;
      }
      const i = (sy * frame.width + sx) * 4;
      values.push(Math.max(d[i]!, d[i + 1]!, d[i + 2]!));
      R += d[i]!;
      G += d[i + 1]!;
      B += d[i + 2]!;
    }
  }
  const n = Math.max(1, values.length);
  return { bright: percentile(values, 0.5), chroma: (Math.max(R, G, B) - Math.min(R, G, B)) / n };
}

/**
 * The bezel caught at the display's edges (corners set a pixel or two outside the glass) replaced by the nearest row or
 * column of glass. Dark next to a light glass, it would pull the local mean of a thresholding window down, and thin
 * text near that edge would fall above the threshold and be lost; on a display of light text (inverted, the bezel
 * bright) it would lift the background, and the glass beside it would read as noise. A bezel row (column) is mostly
 * darker than the glass's median; a row of text is not (its ink is sparse). Only the outer 3 % of each side is looked
 * at; in the outer 1 % of the sides and the top, a mix of bezel and glass counts too.
 */
function fillBezel(g: Grey, inverted: boolean): void {
  const { width: w, height: h } = g;
  const median = percentile(g.data, 0.5);
  const dark = median * 0.6;
  // Where the corners cut the bezel, a column or the top row is a mix of bezel and glass: not dark by half, but darker
  // (on a display of light text, brighter once inverted) than the glass a little further in. Only the outer 1 %: text
  // may start 2 % in. (Not the bottom rows: there a row's level is the softkeys' boxes' as much as the glass's.)
  const level = (v: number) => (inverted ? 255 - v : v);
  // Darker by a tenth and by 8 levels: on a dark glass (levels of 10 or 20), a tenth is the sensor's noise.
  const mixed = (v: number, ref: number) => v < ref * 0.9 && v < ref - 8;
  const colLevel = (x: number) => {
    const col = new Uint8ClampedArray(h);
    for (let y = 0; y < h; y++) col[y] = g.data[y * w + x]!;
    return level(percentile(col, 0.5));
  };
  const rimX = Math.ceil(w * 0.01);
  const colRef = [colLevel(Math.ceil(w * 0.03)), colLevel(w - 1 - Math.ceil(w * 0.03))];
  const rowLevel = (y: number) => level(percentile(g.data.subarray(y * w, (y + 1) * w), 0.5));
  const topRef = rowLevel(Math.ceil(h * 0.03));
  const rimY = Math.ceil(h * 0.01);
  const rowDark = (y: number) => {
    if (y < rimY && mixed(rowLevel(y), topRef)) return true;
    let n = 0;
    for (let x = 0; x < w; x++) if (g.data[y * w + x]! < dark) n++;
    return n > w * 0.5;
  };
  const colDark = (x: number) => {
    if ((x < rimX || x >= w - rimX) && mixed(colLevel(x), colRef[x < w / 2 ? 0 : 1]!)) return true;
    let n = 0;
    for (let y = 0; y < h; y++) if (g.data[y * w + x]! < dark) n++;
    return n > h * 0.5;
  };
  const depthY = Math.ceil(h * 0.03);
  const depthX = Math.ceil(w * 0.03);
  let top = 0;
  while (top < depthY && rowDark(top)) top++;
  let bottom = h;
  while (bottom > h - depthY && rowDark(bottom - 1)) bottom--;
  for (let y = 0; y < top; y++) g.data.copyWithin(y * w, top * w, (top + 1) * w);
  for (let y = bottom; y < h; y++) g.data.copyWithin(y * w, (bottom - 1) * w, bottom * w);
  let left = 0;
  while (left < depthX && colDark(left)) left++;
  let right = w;
  while (right > w - depthX && colDark(right - 1)) right--;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < left; x++) g.data[o + x] = g.data[o + left]!;
    for (let x = right; x < w; x++) g.data[o + x] = g.data[o + right - 1]!;
  }
}

/**
 * Grey with the text dark on light. Text is sparse: its strokes stand far out from the local mean on one side, while
 * the glass around them lies a little on the other. So the sign of the third moment (skew) of each pixel's difference
 * from its local mean (a window about a line of text high) tells the text's polarity; glare and exposure, smooth
 * across such a window, do not enter into it.
 */
function darkOnLight(g: Grey, window: number): { grey: Grey; inverted: boolean } {
  const { width: w, height: h } = g;
  const sum = integral(g);
  const W = w + 1;
  const r = Math.max(2, Math.round(window / 4));
  let skew = 0;
  for (let y = 0; y < h; y++) {
    const a = Math.max(0, y - r) * W;
    const b = Math.min(h, y + r + 1) * W;
    const ny = Math.min(h, y + r + 1) - Math.max(0, y - r);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const mean = (sum[b + x1]! - sum[a + x1]! - sum[b + x0]! + sum[a + x0]!) / ((x1 - x0) * ny);
      const d = g.data[y * w + x]! - mean;
      skew += d * d * d;
    }
  }
  if (skew > 0) {
    const out = createGrey(w, h);
    for (let i = 0; i < g.data.length; i++) out.data[i] = 255 - g.data[i]!;
    return { grey: out, inverted: true };
  }
  return { grey: g, inverted: false };
}

/**
 * The local background level of each pixel: the max over a window of radius r about it (text is dark). It changes
 * slowly, so it is worked out on a grid of 4 x 4 blocks (each block's max, then the max over the window's blocks) and
 * read back bilinearly.
 */
function background(g: Grey, r: number): Float32Array {
  const w = g.width;
  const h = g.height;
  const B = 4;
  const pw = Math.ceil(w / B);
  const ph = Math.ceil(h / B);
  const pooled = new Float32Array(pw * ph);
  for (let y = 0; y < h; y++) {
    const row = ((y / B) | 0) * pw;
    for (let x = 0; x < w; x++) {
      const i = row + ((x / B) | 0);
      const v = g.data[y * w + x]!;
      if (v > pooled[i]!) pooled[i] = v;
    }
  }
  const rr = Math.max(1, Math.round(r / B));
  const tmp = new Float32Array(pw * ph);
  for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) {
    let m = 0;
    for (let k = Math.max(0, x - rr); k <= Math.min(pw - 1, x + rr); k++) m = Math.max(m, pooled[y * pw + k]!);
    tmp[y * pw + x] = m;
  }
  const grid = new Float32Array(pw * ph);
  for (let x = 0; x < pw; x++) for (let y = 0; y < ph; y++) {
    let m = 0;
    for (let k = Math.max(0, y - rr); k <= Math.min(ph - 1, y + rr); k++) m = Math.max(m, tmp[k * pw + x]!);
    grid[y * pw + x] = m;
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(ph - 1, Math.max(0, (y + 0.5) / B - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(ph - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(pw - 1, Math.max(0, (x + 0.5) / B - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(pw - 1, x0 + 1);
      const tx = fx - x0;
      const top = grid[y0 * pw + x0]! * (1 - tx) + grid[y0 * pw + x1]! * tx;
      const bottom = grid[y1 * pw + x0]! * (1 - tx) + grid[y1 * pw + x1]! * tx;
      out[y * w + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * An OCR crop's grey, dark text on white: each pixel's depth below its local background (over a window a third of
 * `window`: glare and exposure divide out), from the crop's glass (its median depth: a line's ink is sparse) to
 * `saturate` of its ink's depth (its 99th percentile) mapped onto white to black. Ink deeper than that is black, so the
 * thin strokes of a blurred or over-exposed line keep a grey the recogniser sees, not the near-white the ink's full
 * depth range would leave them. (Saturated much harder, strokes run together into blobs tesseract may take for a
 * picture and not read at all.)
 */
function normalise(g: Grey, window: number, saturate = 0.8): Grey {
  const bg = background(g, Math.max(3, Math.floor(window / 3)));
  const out = createGrey(g.width, g.height);
  const depth = new Uint8ClampedArray(g.data.length);
  for (let i = 0; i < depth.length; i++) depth[i] = 255 * Math.max(0, 1 - g.data[i]! / Math.max(8, bg[i]!));
  const base = percentile(depth, 0.5);
  const peak = percentile(depth, 0.99);
  const full = Math.max(8, (peak - base) * saturate);
  for (let i = 0; i < depth.length; i++) out.data[i] = 255 * (1 - Math.min(1, Math.max(0, (depth[i]! - base) / full)));
  return out;
}

/** dst[i] = the max of src over [i - r, i + r] along one line of n values (van Herk / Gil-Werman: O(1) a value). */
function maxLine(src: Float32Array, dst: Float32Array, start: number, step: number, n: number, r: number, f: Float32Array, g: Float32Array): void {
  const k = 2 * r + 1;
  for (let i = 0; i < n; i++) f[i] = i % k === 0 ? src[start + i * step]! : Math.max(f[i - 1]!, src[start + i * step]!);
  for (let i = n - 1; i >= 0; i--) g[i] = i === n - 1 || (i + 1) % k === 0 ? src[start + i * step]! : Math.max(g[i + 1]!, src[start + i * step]!);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - r);
    const hi = Math.min(n - 1, i + r);
    // [lo, hi] spans at most two blocks of k: the suffix max of the first and the prefix max of the second.
    dst[start + i * step] = Math.floor(lo / k) === Math.floor(hi / k) ? maxRange(src, start, step, lo, hi) : Math.max(g[lo]!, f[hi]!);
  }
}

function maxRange(src: Float32Array, start: number, step: number, lo: number, hi: number): number {
  let m = -Infinity;
  for (let i = lo; i <= hi; i++) m = Math.max(m, src[start + i * step]!);
  return m;
}

/** The max of `v` over a (2r+1)-square window about each pixel (rows, then columns). */
function localMax(v: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const f = new Float32Array(Math.max(w, h));
  const g = new Float32Array(Math.max(w, h));
  for (let y = 0; y < h; y++) maxLine(v, tmp, y * w, 1, w, r, f, g);
  for (let x = 0; x < w; x++) maxLine(tmp, out, x, w, h, r, f, g);
  return out;
}

/**
 * Ink (0) and background (255) of an LCD's picture, whatever its exposure, glare and contrast. Each pixel's depth is
 * how much darker it is than its local background (0..1 of the background's level: glare and exposure divide out),
 * less the glass's own mean depth about it (the background estimate rides the noise's crests). The contrast about a
 * pixel is the deepest depth within `reach` (about a character). Where that contrast does not stand out from the
 * sensor's noise (5 sigma, and 8 % at least), there is no ink: flat glass stays background, whatever its level.
 * Otherwise, two thresholds on the depth:
 * - `core`: at least half the contrast, the midpoint between glass and ink where a blurred stroke's true edge lies (for
 *   shapes that are counted and measured: a password field's marks);
 * - `ink`: a quarter of it (and 4 sigma), so that thin strokes, blurred to a fraction of a bold stroke's depth beside
 *   them, are found too (for finding text and where OCR looks).
 */
function binarise(g: Grey, window: number, reach: number): { ink: Grey; core: Grey } {
  const w = g.width;
  const h = g.height;
  const bg = background(g, Math.max(3, Math.floor(window / 3)));
  const depth = new Float32Array(w * h);
  for (let i = 0; i < depth.length; i++) depth[i] = Math.max(0, 1 - g.data[i]! / Math.max(8, bg[i]!));
  // The noise of the depth: the median difference of pixels three apart (beyond the smoothing's reach), as a sigma.
  const lag = 3;
  const diffs = new Uint8ClampedArray(Math.max(1, (w - lag) * h));
  let n = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x + lag < w; x++) diffs[n++] = Math.min(255, Math.abs(depth[y * w + x]! - depth[y * w + x + lag]!) * 1000);
  const sigma = percentile(diffs.subarray(0, n), 0.5) / 1000 / 0.954;
  const floor = Math.max(0.08, 5 * sigma);
  const pixelFloor = 4 * sigma;
  const peak = localMax(depth, w, h, Math.max(2, Math.round(reach)));
  const sum = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += depth[y * w + x]!;
      sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1]! + row;
    }
  }
  const r = Math.max(2, Math.floor(window / 2));
  const W = w + 1;
  const ink = createGrey(w, h);
  const core = createGrey(w, h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const base = (sum[y1 * W + x1]! - sum[y0 * W + x1]! - sum[y1 * W + x0]! + sum[y0 * W + x0]!) / ((x1 - x0) * (y1 - y0));
      const i = y * w + x;
      const contrast = peak[i]! - base;
      const d = depth[i]! - base;
      const stands = contrast >= floor;
      ink.data[i] = stands && d >= Math.max(contrast * 0.25, pixelFloor) ? 0 : 255;
      core.data[i] = stands && d >= contrast * 0.5 ? 0 : 255;
    }
  }
  return { ink, core };
}

/** Light smoothing against sensor noise before thresholding: the 3 x 3 binomial kernel, as two 1-2-1 passes. */
function smooth(g: Grey): Grey {
  const w = g.width;
  const h = g.height;
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const l = g.data[o + Math.max(0, x - 1)]!;
      const rgt = g.data[o + Math.min(w - 1, x + 1)]!;
      tmp[o + x] = (l + 2 * g.data[o + x]! + rgt) / 4;
    }
  }
  const out = createGrey(w, h);
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const dn = Math.min(h - 1, y + 1) * w;
    const o = y * w;
    for (let x = 0; x < w; x++) out.data[o + x] = (tmp[up + x]! + 2 * tmp[o + x]! + tmp[dn + x]!) / 4;
  }
  return out;
}

/**
 * The top of the softkey strip: the row of the cells' top border in the bottom 40 %, or, without one, a fixed 18 % of
 * the height. A border is long unbroken lines of ink (one a cell, with three rows OR-ed in against a slant) across
 * most of the width; a line of text is as wide, but broken between its letters.
 */
function findStripTop(b: Grey, cells: number): number {
  const { width: w, height: h } = b;
  const fallback = Math.round(h * 0.82);
  if (cells === 0) return h;
  const minRun = Math.max(8, Math.round(w / (cells * 4)));
  for (let y = Math.round(h * 0.6); y < h - 6; y++) {
    let long = 0;
    let run = 0;
    for (let x = 0; x <= w; x++) {
      const ink = x < w && (b.data[y * w + x] === 0 || b.data[(y + 1) * w + x] === 0 || b.data[(y + 2) * w + x] === 0);
      if (ink) run++;
      else {
        if (run >= minRun) long += run;
        run = 0;
      }
    }
    if (long > w * 0.55) return Math.max(0, y - 1);
  }
  return fallback;
}

function rowInk(b: Grey, y0: number, y1: number): number[] {
  const out = new Array<number>(b.height).fill(0);
  for (let y = y0; y < y1; y++) {
    let n = 0;
    for (let x = 0; x < b.width; x++) if (b.data[y * b.width + x] === 0) n++;
    out[y] = n;
  }
  return out;
}

/** Erases the strip's box borders (long rows and columns of ink), leaving the labels. */
function eraseBorders(b: Grey, top: number, cells: number): void {
  const { width: w, height: h } = b;
  if (top >= h) return;
  // Box edges are thin lines, a little slanted after rectification: a row (column) counts as a border when, with
  // its two neighbours OR-ed in, most of it is ink.
  const at = (x: number, y: number) => x >= 0 && y >= top && x < w && y < h && b.data[y * w + x] === 0;
  const clearRows: number[] = [];
  for (let y = top; y < h; y++) {
    let n = 0;
    for (let x = 0; x < w; x++) if (at(x, y - 2) || at(x, y - 1) || at(x, y) || at(x, y + 1) || at(x, y + 2)) n++;
    if (n > w * 0.6) clearRows.push(y);
  }
  const stripH = h - top;
  const clearCols: number[] = [];
  for (let x = 0; x < w; x++) {
    let n = 0;
    // A vertical edge leans by a few pixels over the strip's height when the corners are a little off: seven columns.
    for (let y = top; y < h; y++) if (at(x - 3, y) || at(x - 2, y) || at(x - 1, y) || at(x, y) || at(x + 1, y) || at(x + 2, y) || at(x + 3, y)) n++;
    if (n > stripH * 0.65) clearCols.push(x);
  }
  for (const y of clearRows) for (let yy = Math.max(top, y - 1); yy <= Math.min(h - 1, y + 1); yy++) b.data.fill(255, yy * w, (yy + 1) * w);
  for (const x of clearCols) for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) for (let y = top; y < h; y++) b.data[y * w + xx] = 255;
  // What is left of the borders next to each cell edge (rounded corners): small specks.
  const cellW = w / cells;
  const margin = Math.round(cellW * 0.07);
  for (let c = 0; c <= cells; c++) {
    const x = Math.round(c * cellW);
    for (let y = top; y < h; y++) for (let xx = Math.max(0, x - margin); xx < Math.min(w, x + margin); xx++) b.data[y * w + xx] = 255;
  }
  const band = Math.max(2, Math.round(stripH * 0.1));
  for (let y = top; y < Math.min(h, top + band); y++) b.data.fill(255, y * w, (y + 1) * w);
  for (let y = Math.max(top, h - band); y < h; y++) b.data.fill(255, y * w, (y + 1) * w);
}

/**
 * Erases, above the softkey strip, the ink that is the display's frame or bezel and not text, which would join the
 * rows of two lines (or of every line) into one band: whatever ink is connected to the display's left, right or top
 * edge (the text stands clear of them), and a narrow column of specks near a side spanning more than a line's height
 * (a border caught a few pixels inside the corners, broken up by the threshold).
 */
function eraseStray(b: Grey, bottom: number): void {
  const { width: w } = b;
  const h = Math.min(b.height, bottom);
  if (h <= 0) return;
  const d = b.data;
  const stack: number[] = [];
  const seed = (x: number, y: number) => {
    const i = y * w + x;
    if (d[i] === 0) {
      d[i] = 255;
      stack.push(i);
    }
  };
  for (let y = 0; y < h; y++) for (const x of [0, 1, w - 2, w - 1]) if (x >= 0 && x < w) seed(x, y);
  for (let y = 0; y < Math.min(2, h); y++) for (let x = 0; x < w; x++) seed(x, y);
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        if (nx >= 0 && nx < w) seed(nx, ny);
      }
    }
  }
  const cols = inkProfile(b, { x0: 0, y0: 0, x1: w, y1: h }, 'cols');
  for (const [a, z] of runs(cols, 1, Math.max(4, Math.round(w * 0.02)))) {
    if (z - a > w * 0.04 || (a > w * 0.15 && z < w * 0.85)) continue;
    let top = h;
    let last = -1;
    for (let y = 0; y < h; y++) {
      for (let x = a; x < z; x++) {
        if (d[y * w + x] === 0) {
          top = Math.min(top, y);
          last = y;
          break;
        }
      }
    }
    if (last - top < b.height * 0.25) continue;
    for (let y = 0; y < h; y++) d.fill(255, y * w + a, y * w + z);
  }
}

/** 1 where a pixel of `binary` lies within r px of ink, else 0: where an OCR crop keeps its pixels. */
function nearInk(binary: Grey, r: number): Uint8Array {
  const { width: w, height: h } = binary;
  const inkMask = createGrey(w, h);
  for (let i = 0; i < inkMask.data.length; i++) inkMask.data[i] = binary.data[i] === 0 ? 1 : 0;
  const t = integral(inkMask);
  const W = w + 1;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r) * W;
    const y1 = Math.min(h, y + r + 1) * W;
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      out[y * w + x] = t[y1 + x1]! - t[y0 + x1]! - t[y1 + x0]! + t[y0 + x0]! > 0 ? 1 : 0;
    }
  }
  return out;
}

/** A word worth keeping: some letter or digit, not a speck read as punctuation. */
function realWord(text: string, confidence: number, label = false): boolean {
  const t = text.trim();
  // A softkey cell's crop holds a label and nothing else (its borders and specks are gone): a short word read with
  // little confidence there ('a>' '1A' for 'a -> 1A') is still the label's, not a speck.
  if (label && /[A-Za-z0-9]/.test(t)) return true;
  // A mode label's arrow read as a word of its own ('A -> a1'): kept, or the label reads 'A a1'.
  if (/^-?>$/.test(t)) return confidence >= 40;
  // Symbols alone only when OCR is sure and they are what displays show: stars, arrows, a backspace label ('<<').
  if (!/[A-Za-z0-9]/.test(t)) return confidence > 80 && /^(?:[.*>:]+|<{1,2}|«)$/.test(t);
  return confidence >= 25 || t.length >= 3;
}

/** A zero among letters is an O ("0K" -> "OK", "L0ading"): words of letters have no digits. */
function letterOs(word: string): string {
  if (!/[A-Za-z]/.test(word) || /[1-9]/.test(word)) return word;
  return word.replace(/0/g, (_, i: number) => (/[a-z]/.test(word[i - 1] ?? '') || /[a-z]/.test(word[i + 1] ?? '') ? 'o' : 'O'));
}

/**
 * A text field's mode label names modes after its arrow ('1 -> Aa', 'A -> a1'): there a stroke read as l, I or | is
 * the digit 1 ('A->al' is 'A->a1').
 */
function modeDigits(label: string): string {
  return label.replace(/((?:-\s*)?>\s*)([AaIl|1]{1,3})$/, (_, arrow: string, modes: string) => arrow + modes.replace(/[Il|]/g, '1'));
}

/** Characters OCR gives for box edges and glare at the ends of a word. */
function tidy(text: string): string {
  return text.replace(/^(?:[|{}_"'`~,\\/‘’“”]|-(?!>))+/, '').replace(/[|{}_"'`~\\/‘’“”]+$/, '').trim();
}

/** The colour name of a lit LED, or 'off'. */
export function ledAt(frame: Raster, p: Point): string {
  const r = Math.max(2, Math.round(Math.min(frame.width, frame.height) * 0.006));
  const sample = (rad0: number, rad1: number) => {
    let R = 0;
    let G = 0;
    let B = 0;
    let n = 0;
    for (let dy = -rad1; dy <= rad1; dy++) {
      for (let dx = -rad1; dx <= rad1; dx++) {
        const d = Math.hypot(dx, dy);
        if (d < rad0 || d > rad1) continue;
        const x = Math.round(p.x + dx);
        const y = Math.round(p.y + dy);
        if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) continue;
        const i = (y * frame.width + x) * 4;
        R += frame.data[i]!;
        G += frame.data[i + 1]!;
        B += frame.data[i + 2]!;
        n++;
      }
    }
    return n ? [R / n, G / n, B / n] : [0, 0, 0];
  };
  const [R, G, B] = sample(0, r) as [number, number, number];
  const around = sample(r * 3, r * 4);
  const v = Math.max(R, G, B);
  const vAround = Math.max(...around);
  if (v < 90 || v - vAround < 45) return 'off';
  const min = Math.min(R, G, B);
  const sat = (v - min) / v;
  if (sat < 0.25) return 'white';
  let hue: number;
  if (v === R) hue = (60 * ((G - B) / (v - min)) + 360) % 360;
  else if (v === G) hue = 60 * ((B - R) / (v - min)) + 120;
  else hue = 60 * ((R - G) / (v - min)) + 240;
  if (hue < 18 || hue >= 330) return 'red';
  if (hue < 55) return 'amber';
  if (hue < 170) return 'green';
  if (hue < 260) return 'blue';
  return 'red';
}

/** The display's quad on the frame (the whole frame without corners). */
function displayQuad(frame: Raster, corners: Quad | undefined): Quad {
  return (
    corners ?? [
      { x: 0, y: 0 },
      { x: frame.width, y: 0 },
      { x: frame.width, y: frame.height },
      { x: 0, y: frame.height },
    ]
  );
}

/**
 * The size the display's layout is found at: about its size on the frame, 480-640 px wide (a display small on the
 * frame is enlarged so that its text stays a dozen pixels high or more); and the map from it to the frame.
 */
function layoutGeometry(q: Quad): { width: number; height: number; toFrame: Homography } {
  const size = quadSize(q);
  const scale = Math.min(640 / size.width, Math.max(1, 480 / size.width));
  const width = Math.max(1, Math.round(size.width * scale));
  const height = Math.max(1, Math.round(size.height * scale));
  const rect: Point[] = [
    { x: 0, y: 0 },
    { x: width, y: 0 },
    { x: width, y: height },
    { x: 0, y: height },
  ];
  return { width, height, toFrame: homography(rect, q) };
}

/** The rectified display at the size its layout is found at (480-640 px wide). */
export function cutDisplay(frame: Raster, corners: Quad | undefined): Raster {
  const { width, height, toFrame } = layoutGeometry(displayQuad(frame, corners));
  return warp(frame, toFrame, width, height, [0, 0, 0, 255]);
}

/**
 * A box of the rectified display (its layout's pixels) cut again from the frame, `k` output pixels a layout pixel, in
 * grey: one bilinear resampling of the camera's pixels, as sharp as they allow.
 */
function cutBox(frame: Raster, toFrame: Homography, box: Box, k: number): Grey {
  const w = Math.max(1, Math.round((box.x1 - box.x0) * k));
  const h = Math.max(1, Math.round((box.y1 - box.y0) * k));
  const place = Float64Array.from([1 / k, 0, box.x0, 0, 1 / k, box.y0, 0, 0, 1]);
  // (Not warpGrey: its grey differs from this by rounding, and with it one --sim-camera reset (Edge E300, seed 11,
  // moderate) misread a frame while typing the MAC and was rejected once: kept as measured until that is understood.)
  return toGrey(warp(frame, composeHomography(toFrame, place), w, h, [0, 0, 0, 255]));
}

/** Sample points of a signature grid (pixel indices into the frame, -1 outside), kept per frame size and corners. */
const samplePlans = new Map<string, Int32Array>();

/** Cells across and down the display in a signature, and samples a cell (per side). */
const SIG_W = 96;
const SIG_H = 48;
const SIG_S = 3;

function samplePlan(width: number, height: number, q: Quad): Int32Array {
  const key = `${width}x${height}:${q.map((p) => `${p.x},${p.y}`).join(';')}`;
  let plan = samplePlans.get(key);
  if (plan) return plan;
  const h = homography(
    [
      { x: 0, y: 0 },
      { x: SIG_W, y: 0 },
      { x: SIG_W, y: SIG_H },
      { x: 0, y: SIG_H },
    ],
    q,
  );
  plan = new Int32Array(SIG_W * SIG_H * SIG_S * SIG_S);
  let k = 0;
  for (let gy = 0; gy < SIG_H; gy++) {
    for (let gx = 0; gx < SIG_W; gx++) {
      for (let sy = 0; sy < SIG_S; sy++) {
        for (let sx = 0; sx < SIG_S; sx++) {
          const p = applyHomography(h, { x: gx + (sx + 0.5) / SIG_S, y: gy + (sy + 0.5) / SIG_S });
          const x = Math.round(p.x);
          const y = Math.round(p.y);
          plan[k++] = x < 0 || y < 0 || x >= width || y >= height ? -1 : (y * width + x) * 4;
        }
      }
    }
  }
  if (samplePlans.size >= 64) samplePlans.clear();
  samplePlans.set(key, plan);
  return plan;
}

/**
 * An exposure-normalised picture of the display: 96 x 48 cells, each the mean of 3 x 3 points sampled through the
 * corners (the points worked out once per calibration). Fine enough that one changed character of a softkey label
 * changes some cell well beyond the noise (a mode label 'A -> a1' after '1 -> Aa'); two frames whose signatures
 * are close (signatureDistance) show the same screen, so the second needs no OCR.
 */
export function displaySignature(frame: Raster, corners: Quad | undefined): Float32Array {
  const q = displayQuad(frame, corners);
  const plan = samplePlan(frame.width, frame.height, q);
  const d = frame.data;
  const per = SIG_S * SIG_S;
  const sig = new Float32Array(SIG_W * SIG_H);
  for (let c = 0, k = 0; c < sig.length; c++) {
    let sum = 0;
    let n = 0;
    for (let j = 0; j < per; j++, k++) {
      const i = plan[k]!;
      if (i < 0) continue;
      sum += d[i]! * 0.3 + d[i + 1]! * 0.59 + d[i + 2]! * 0.11;
      n++;
    }
    sig[c] = n ? sum / n : 0;
  }
  let mean = 0;
  for (const v of sig) mean += v;
  mean /= sig.length;
  let sd = 0;
  for (const v of sig) sd += (v - mean) ** 2;
  sd = Math.sqrt(sd / sig.length);
  // A flat (dark or blank) display keeps its absolute level: scaling noise up would make every frame differ.
  const scale = Math.max(sd, 20);
  for (let i = 0; i < sig.length; i++) sig[i] = (sig[i]! - mean) / scale;
  return sig;
}

/**
 * How far apart two signatures are (Infinity when either is missing): the largest difference of a 2 x 2 block of
 * cells (a changed stroke darkens neighbouring cells together; noise in one cell is averaged down).
 */
export function signatureDistance(a: Float32Array | undefined, b: Float32Array | undefined): number {
  if (!a || !b || a.length !== b.length || a.length !== SIG_W * SIG_H) return Infinity;
  let max = 0;
  for (let y = 0; y + 1 < SIG_H; y++) {
    for (let x = 0; x + 1 < SIG_W; x++) {
      const i = y * SIG_W + x;
      const d = Math.abs(a[i]! - b[i]! + a[i + 1]! - b[i + 1]! + a[i + SIG_W]! - b[i + SIG_W]! + a[i + SIG_W + 1]! - b[i + SIG_W + 1]!) / 4;
      if (d > max) max = d;
    }
  }
  return max;
}

/**
 * signatureDistance over the cells that cover a box of the display (a layout of width x height px), and one cell
 * about them: whether that part of the display changed.
 */
function regionDistance(a: Float32Array, b: Float32Array, box: Box, width: number, height: number): number {
  const cx0 = Math.max(0, Math.floor((box.x0 / width) * SIG_W) - 1);
  const cx1 = Math.min(SIG_W - 1, Math.ceil((box.x1 / width) * SIG_W) + 1);
  const cy0 = Math.max(0, Math.floor((box.y0 / height) * SIG_H) - 1);
  const cy1 = Math.min(SIG_H - 1, Math.ceil((box.y1 / height) * SIG_H) + 1);
  let max = 0;
  for (let y = cy0; y < cy1; y++) {
    for (let x = cx0; x < cx1; x++) {
      const i = y * SIG_W + x;
      const d = Math.abs(a[i]! - b[i]! + a[i + 1]! - b[i + 1]! + a[i + SIG_W]! - b[i + SIG_W]! + a[i + SIG_W + 1]! - b[i + SIG_W + 1]!) / 4;
      if (d > max) max = d;
    }
  }
  return max;
}

/** Signature distance under which a part of the display shows what it showed (see the observer's SAME_PICTURE). */
export const SAME_PICTURE = 0.4;

/**
 * The phrase `text` most likely is, by edit distance over lower-cased, space-collapsed text: the phrase and a score
 * 0..1 (1 - distance / phrase length); undefined when none scores `min` or more.
 */
export function matchPhrase(text: string, phrases: readonly string[], min = 0.75): { phrase: string; score: number } | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  const t = norm(text);
  let best: { phrase: string; score: number } | undefined;
  for (const phrase of phrases) {
    const p = norm(phrase);
    const score = 1 - editDistance(t, p) / Math.max(p.length, 1);
    if (score >= min && (!best || score > best.score)) best = { phrase, score };
  }
  return best;
}

type Blob = Box & { n: number };

/** A blob no wider than one mark (at most 1.5 times as wide as high); wider, it is marks run together, or a strip. */
const oneMark = (o: Box) => o.x1 - o.x0 <= (o.y1 - o.y0) * 1.5;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Runs of rows (or columns) with ink, merged across gaps shorter than `gap`. */
function runs(profile: number[], min: number, gap: number): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  let last = -1;
  profile.forEach((v, i) => {
    if (v >= min) {
      if (start < 0) start = i;
      else if (i - last > gap) {
        out.push([start, last + 1]);
        start = i;
      }
      last = i;
    }
  });
  if (start >= 0) out.push([start, last + 1]);
  return out;
}

/** Ink pixels (0) per row / column of a box of a binary image. */
function inkProfile(b: Grey, box: Box, axis: 'rows' | 'cols'): number[] {
  const out: number[] = [];
  if (axis === 'rows') {
    for (let y = box.y0; y < box.y1; y++) {
      let n = 0;
      for (let x = box.x0; x < box.x1; x++) if (b.data[y * b.width + x] === 0) n++;
      out.push(n);
    }
  } else {
    for (let x = box.x0; x < box.x1; x++) {
      let n = 0;
      for (let y = box.y0; y < box.y1; y++) if (b.data[y * b.width + x] === 0) n++;
      out.push(n);
    }
  }
  return out;
}

/** The tight box of the ink inside `box`, or undefined when there is too little ink to be text. */
function inkBox(b: Grey, box: Box, minInk: number): Box | undefined {
  const rows = inkProfile(b, box, 'rows');
  const total = rows.reduce((a, v) => a + v, 0);
  if (total < minInk) return undefined;
  const rr = runs(rows, 1, Math.max(2, Math.round((box.y1 - box.y0) * 0.25)));
  // The tallest run of rows is the label; specks above or below it are not.
  const [ry0, ry1] = rr.reduce((best, r) => (r[1] - r[0] > best[1] - best[0] ? r : best), rr[0]!);
  const inner = { x0: box.x0, y0: box.y0 + ry0, x1: box.x1, y1: box.y0 + ry1 };
  const cols = inkProfile(b, inner, 'cols');
  const height = ry1 - ry0;
  if (height < 5) return undefined;
  // Column runs (a word's letters and the words of a line stay together); specks far from the text are dropped.
  const cr = runs(cols, 1, Math.max(4, height * 1.2)).map(([a, z]) => ({ a, z, mass: cols.slice(a, z).reduce((p, v) => p + v, 0) }));
  if (cr.length === 0) return undefined;
  const heaviest = Math.max(...cr.map((r) => r.mass));
  const kept = cr.filter((r) => r.mass >= heaviest * 0.15 || r.z - r.a > height * 0.6);
  const found = { x0: box.x0 + kept[0]!.a, y0: inner.y0, x1: box.x0 + kept[kept.length - 1]!.z, y1: inner.y1 };
  return withoutSpecks(b, found);
}

/**
 * A softkey cell's label box without what is left of the cell's border: undefined when no group of its ink is a
 * letter's size (a third of a line's height: the specks of a faint, broken border scattered over an empty cell, which
 * OCR reads as a word); a thin upright stroke at either end standing apart from the label (a remnant of a cell's side,
 * read as 'I') is dropped.
 */
function labelBox(b: Grey, box: Box, textHeight: number, cellW: number): Box | undefined {
  const parts = blobs(b, box).sort((p, q) => p.x0 - q.x0);
  if (!parts.some((o) => o.y1 - o.y0 >= textHeight * 0.35)) return undefined;
  // (Near the cell's side: a label's own '1' or 'l' is well inside its centred text.)
  const cellX0 = Math.floor(box.x0 / cellW) * cellW;
  const nearSide = (o: Box) => o.x0 - cellX0 < cellW * 0.15 || cellX0 + cellW - o.x1 < cellW * 0.15;
  const stroke = (o: Box) => o.x1 - o.x0 <= Math.max(2, (o.y1 - o.y0) * 0.15) && nearSide(o);
  const gap = textHeight * 0.4;
  const others = (o: Box) => parts.filter((p) => p !== o);
  let kept = parts;
  const first = kept[0]!;
  if (kept.length > 1 && stroke(first) && Math.min(...others(first).map((p) => p.x0)) - first.x1 >= gap) kept = kept.slice(1);
  const last = kept.reduce((p, q) => (q.x1 > p.x1 ? q : p));
  if (kept.length > 1 && stroke(last) && last.x0 - Math.max(...kept.filter((p) => p !== last).map((p) => p.x1)) >= gap) kept = kept.filter((p) => p !== last);
  return kept.length === parts.length ? box : boxAround(kept);
}

/** The smallest box holding every one of `boxes`. */
function boxAround(boxes: Box[]): Box {
  return {
    x0: Math.min(...boxes.map((o) => o.x0)),
    y0: Math.min(...boxes.map((o) => o.y0)),
    x1: Math.max(...boxes.map((o) => o.x1)),
    y1: Math.max(...boxes.map((o) => o.y1)),
  };
}

/**
 * The box of a line or label without the specks it caught (a remnant of a cell's border, glare, noise): small groups
 * of ink that lie wholly above or below the row of the largest. A speck makes the crop larger than the text, and the
 * recogniser then reads the text smaller than it is ('OK' as 'Cook').
 */
function withoutSpecks(b: Grey, box: Box): Box {
  const parts = blobs(b, box);
  if (parts.length < 2) return box;
  const biggest = parts.reduce((p, q) => (q.n > p.n ? q : p));
  const kept = parts.filter((o) => o.n >= biggest.n * 0.25 || (o.y1 > biggest.y0 && o.y0 < biggest.y1));
  return kept.length === parts.length ? box : boxAround(kept);
}

/** Connected groups of ink (8-neighbours) inside a box of a binary image: each one's box and its pixel count. */
function blobs(b: Grey, box: Box): { x0: number; y0: number; x1: number; y1: number; n: number }[] {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const seen = new Uint8Array(w * h);
  const out: { x0: number; y0: number; x1: number; y1: number; n: number }[] = [];
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (seen[i] || b.data[(box.y0 + y) * b.width + box.x0 + x] !== 0) continue;
      const blob = { x0: x, y0: y, x1: x + 1, y1: y + 1, n: 0 };
      seen[i] = 1;
      stack.push(i);
      while (stack.length > 0) {
        const j = stack.pop()!;
        const jx = j % w;
        const jy = (j - jx) / w;
        blob.n++;
        blob.x0 = Math.min(blob.x0, jx);
        blob.x1 = Math.max(blob.x1, jx + 1);
        blob.y0 = Math.min(blob.y0, jy);
        blob.y1 = Math.max(blob.y1, jy + 1);
        for (let dy = -1; dy <= 1; dy++) {
          const ny = jy + dy;
          if (ny < 0 || ny >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = jx + dx;
            if (nx < 0 || nx >= w) continue;
            const k = ny * w + nx;
            if (seen[k] || b.data[(box.y0 + ny) * b.width + box.x0 + nx] !== 0) continue;
            seen[k] = 1;
            stack.push(k);
          }
        }
      }
      out.push({ x0: blob.x0 + box.x0, y0: blob.y0 + box.y0, x1: blob.x1 + box.x0, y1: blob.y1 + box.y0, n: blob.n });
    }
  }
  return out;
}

/**
 * A password field's characters: a band whose ink is nothing but a row of small, alike, squat blobs, well under the
 * height of a line of text, side by side (asterisks or bullets, each a blob once blurred). OCR reads such rows badly
 * ("kk", "LER", or nothing at all), and the machines count them; so they are counted here. 0: not such a row.
 */
function starCount(b: Grey, band: Box, textHeight: number): number {
  if (textHeight <= 0 || band.y1 - band.y0 > textHeight * 0.7) return 0;
  const all = blobs(b, band);
  if (all.length === 0) return 0;
  const biggest = Math.max(...all.map((o) => o.n));
  const found = all.filter((o) => o.n >= biggest * 0.15).sort((p, q) => p.x0 - q.x0);
  // Side by side: no gap wider than two marks (small marks, bullets, stand further apart than their own height: the
  // gap is measured against the text's too).
  const marks = mainRun(found, Math.max(medianHeight(found) * 2, textHeight * 0.6), band);
  if (!marks) return 0;
  const mh = medianHeight(marks);
  // Marks apart are one glyph again and again: alike in width too (letters are not).
  const singles = marks.filter(oneMark);
  const single = singles.map((o) => o.x1 - o.x0).sort((p, q) => p - q);
  const mw = single[Math.floor(single.length / 2)] ?? 0;
  // (A pixel either way is the threshold's, not the glyph's: small marks of 5 or 6 px vary by two.)
  if (single.some((w) => Math.abs(w - mw) > Math.max(2, mw * 0.3))) return 0;
  if (mh < textHeight * 0.18 || mh > textHeight * 0.7) return 0;
  // One glyph again and again is one shape again and again; letters (bold capitals of a small LCD font, each as solid
  // and as tall as a blurred star: 'DHCP') are not.
  if (shapeSpread(b, singles) > STAR_SPREAD) return 0;
  // Typed into one field, marks stand at one pitch (the font's advance); specks of noise along an edge do not. (Marks
  // run together are measured by their column peaks instead.)
  if (singles.length === marks.length && !evenlySpaced(marks)) return 0;
  const cy = (marks[0]!.y0 + marks[0]!.y1) / 2;
  let count = 0;
  for (let i = 0; i < marks.length; i++) {
    const o = marks[i]!;
    const h = o.y1 - o.y0;
    const w = o.x1 - o.x0;
    // Alike, in one row, each mostly solid (a letter's strokes, as in o, c or x, leave more of its box empty).
    // (A small asterisk of a serif font, unblurred, is taller than wide: 4 x 7 px; l, i and 1 are narrower still.)
    if (Math.abs(h - mh) > mh * 0.35 || w < h * 0.4) return 0;
    if (Math.abs((o.y0 + o.y1) / 2 - cy) > mh * 0.35) return 0;
    if (o.n < w * h * 0.35) return 0;
    // Marks that touch (a bold font, blur) make one wide blob: one column peak a mark.
    count += oneMark(o) ? 1 : columnPeaks(b, o, mh);
  }
  return count;
}

/** The median height of blobs. */
function medianHeight(marks: Box[]): number {
  const hs = marks.map((o) => o.y1 - o.y0).sort((p, q) => p - q);
  return hs[Math.floor(hs.length / 2)]!;
}

/**
 * The marks of a row that stand together (no gap wider than `gap`: a field's characters are side by side), without a
 * speck or two apart from them (noise, or the display's edge caught in the band's rows at one end), each no wider
 * than a mark, and together less than a quarter of their ink or at an end of the band (the last 5 %: the display's
 * edge, a pixel or two inside the calibrated corners, leaves blobs as big as a mark there). Undefined when the row is
 * not one run (words apart, or two runs of ink alike).
 */
function mainRun(marks: Blob[], gap: number, band: Box): Blob[] | undefined {
  const runsOf: Blob[][] = [];
  for (const o of marks) {
    const last = runsOf[runsOf.length - 1];
    if (last && o.x0 - last[last.length - 1]!.x1 <= gap) last.push(o);
    else runsOf.push([o]);
  }
  if (runsOf.length === 1) return runsOf[0];
  const ink = (run: { n: number }[]) => run.reduce((a, o) => a + o.n, 0);
  const main = runsOf.reduce((best, run) => (ink(run) > ink(best) ? run : best));
  const strays = runsOf.filter((run) => run !== main);
  // A stray is a speck, or a stroke of the edge across the band; never a wide piece of ink (a strip of noise along an
  // edge breaks into several). At an end, it may be as big as a mark, if the marks are marks apart (two or more, none
  // run together): a bold 'FTP' whose F and T touch would pass for three stars with the display's edge taken away.
  const margin = (band.x1 - band.x0) * 0.05;
  const atEnd = (run: Blob[]) => main.length >= 2 && main.every(oneMark) && run.every((o) => o.x1 <= band.x0 + margin || o.x0 >= band.x1 - margin);
  return strays.every((run) => run.length <= 2 && run.every(oneMark) && (ink(run) < ink(main) * 0.25 || atEnd(run))) ? main : undefined;
}

/** The pitch of marks in a row: the median of the steps between neighbours. */
function pitchOf(steps: number[]): number {
  const sorted = [...steps].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A step between neighbouring marks at the row's pitch: within a third of it (two pixels at least). */
const atPitch = (step: number, pitch: number) => Math.abs(step - pitch) <= Math.max(2, pitch / 3);

/**
 * Whether marks (left to right, each one glyph) stand at one pitch: every distance between neighbours' centres at
 * their median. Fewer than three marks say nothing of it (true).
 */
function evenlySpaced(marks: Box[]): boolean {
  if (marks.length < 3) return true;
  const steps = marks.slice(1).map((o, i) => (o.x0 + o.x1) / 2 - (marks[i]!.x0 + marks[i]!.x1) / 2);
  const pitch = pitchOf(steps);
  return steps.every((g) => atPitch(g, pitch));
}

/**
 * The most a row of password marks' shapes differ (shapeSpread). Measured over 1,500 rendered password rows at every
 * degradation: at most 0.38 where the count was read right; menu rows of bold capitals taken for marks: 0.6 or more.
 */
const STAR_SPREAD = 0.45;

/**
 * How unlike one another the marks' shapes are: 1 - the overlap (intersection over union) of a mark's ink with the
 * most typical mark's (the one overlapping the others most), each laid on the other at the best shift of a pixel or
 * so about their centres; the least overlap of any mark. Copies of one glyph: near 0 (the threshold moves an edge by
 * a pixel); letters, even bold capitals as solid as a blurred star, overlap less (an H is not a D or a P).
 */
function shapeSpread(b: Grey, marks: Box[]): number {
  if (marks.length < 2) return 0;
  const masks = marks.map((o) => {
    const pts: number[] = [];
    let sx = 0;
    let sy = 0;
    for (let y = o.y0; y < o.y1; y++) for (let x = o.x0; x < o.x1; x++) if (b.data[y * b.width + x] === 0) { pts.push(x, y); sx += x; sy += y; }
    const n = pts.length / 2;
    const cx = Math.round(sx / Math.max(1, n));
    const cy = Math.round(sy / Math.max(1, n));
    const set = new Set<number>();
    for (let i = 0; i < pts.length; i += 2) set.add((pts[i + 1]! - cy + 64) * 128 + (pts[i]! - cx + 64));
    return set;
  });
  const overlap = (a: Set<number>, c: Set<number>) => {
    let best = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      let both = 0;
      for (const p of a) if (c.has(p + dy * 128 + dx)) both++;
      best = Math.max(best, both / (a.size + c.size - both));
    }
    return best;
  };
  const pair = masks.map(() => new Array<number>(masks.length).fill(1));
  for (let i = 0; i < masks.length; i++) for (let j = i + 1; j < masks.length; j++) pair[i]![j] = pair[j]![i] = overlap(masks[i]!, masks[j]!);
  const typical = pair.map((row) => row.reduce((a, v) => a + v, 0)).reduce((bi, v, i, all) => (v > all[bi]! ? i : bi), 0);
  return 1 - Math.min(...pair[typical]!);
}

/** Peaks of a blob's column ink profile (smoothed), at least 0.55 of its height apart: the marks run together. */
function columnPeaks(b: Grey, box: Box, h: number): number {
  const cols = inkProfile(b, box, 'cols');
  const r = Math.max(1, Math.round(h / 6));
  const sm = cols.map((_, i) => {
    let s = 0;
    let n = 0;
    for (let k = Math.max(0, i - r); k <= Math.min(cols.length - 1, i + r); k++, n++) s += cols[k]!;
    return s / n;
  });
  const top = Math.max(...sm);
  const at: number[] = [];
  for (let i = 0; i < sm.length; i++) {
    const v = sm[i]!;
    if (v < top * 0.5) continue;
    if (v >= (sm[i - 1] ?? -1) && v >= (sm[i + 1] ?? -1) && i - (at[at.length - 1] ?? -Infinity) >= h * 0.55) at.push(i);
  }
  if (at.length < 3) return Math.max(1, at.length);
  // Marks that touch repeat at one pitch: a stray peak at an end (a spoke of the last mark) does not add a mark.
  const steps = at.slice(1).map((x, i) => x - at[i]!);
  const median = pitchOf(steps);
  // Between the ends, every step is that pitch; a strip of noise along an edge peaks where it will: no marks.
  if (!steps.slice(1, -1).every((g) => atPitch(g, median))) return 0;
  // The pitch to a fraction of a pixel (the mean of the steps at it): a dozen small marks at 7.7 px measured at the
  // median's 8 px would count one short.
  const regular = steps.filter((g) => atPitch(g, median));
  const pitch = regular.reduce((a, g) => a + g, 0) / regular.length;
  // A mark a step (a spoke, well under a pitch from its mark's peak: none); a peak lost between two, one more.
  let count = 1 + steps.reduce((a, g) => a + (g < pitch * 0.75 ? 0 : Math.round(g / pitch)), 0);
  // An end mark whose peak merged into its neighbour's shoulder: that end of the blob reaches a pitch beyond the other.
  const left = at[0]!;
  const right = box.x1 - box.x0 - 1 - at[at.length - 1]!;
  count += Math.round(Math.abs(left - right) / pitch);
  return count;
}

/** One crop to read and where its text goes. */
interface Slot {
  box: Box;
  /** mark: one mark alone (a star or a letter); rim: a line wholly within the display's rim. */
  target: { kind: 'line'; logo: boolean; mark?: boolean; rim?: boolean } | { kind: 'softkey'; index: number } | { kind: 'stars'; count: number };
}

/**
 * The text height a line's crop is cut at (its padded crop is 1.36 times that): about the height tesseract's LSTM
 * scales a line to (36 px), so the recogniser resamples little; 40 read no better and cost some 10 % more a frame.
 */
const SLOT_H = 32;
const SLOT_GAP = 26;
const SLOT_PAD = 20;

/** Where the crops OCR reads come from: the frame, the layout's map onto it, and what the layout pass found. */
interface CropSource {
  frame: Raster;
  toFrame: Homography;
  /** The layout's size (px). */
  width: number;
  height: number;
  /** Light text on dark: crops are inverted to dark on light. */
  inverted: boolean;
  /** Near ink (nearInk), layout pixels. */
  near: Uint8Array;
  /** The thresholding window (layout px), for the background's scale. */
  window: number;
}

/**
 * The usual height of a crop of this frame: a crop shorter (a label of capitals, 'OK') keeps its size relative to the
 * other text; enlarged to a full line's height, it reads as a different font ('OK' as '0] 4'). The lower median of
 * the crops other than a logo: with a logo and one line, the line's.
 */
function usualHeight(slots: Slot[]): number {
  const heights = slots.filter((s) => !(s.target.kind === 'line' && s.target.logo)).map((s) => s.box.y1 - s.box.y0).sort((a, b) => a - b);
  return (heights[Math.floor((heights.length - 1) / 2)] ?? 0) * 1.36 + 2;
}

/**
 * The crops, each cut from the frame at one text height and stacked left-aligned with white between them: one OCR
 * call reads every line and label of a frame, each at a size the recogniser reads best.
 */
function stack(src: CropSource, slots: Slot[], usual: number): { image: Grey; ys: [number, number][] } {
  const scaled = slots.map((s) => {
    const padY = Math.round((s.box.y1 - s.box.y0) * 0.18) + 1;
    const padX = padY + 2;
    const outer = { x0: s.box.x0 - padX, y0: s.box.y0 - padY, x1: s.box.x1 + padX, y1: s.box.y1 + padY };
    const k = (SLOT_H * 1.36) / Math.max(outer.y1 - outer.y0, usual);
    const cut = cutBox(src.frame, src.toFrame, outer, k);
    if (src.inverted) for (let i = 0; i < cut.data.length; i++) cut.data[i] = 255 - cut.data[i]!;
    const crop = normalise(smooth(cut), src.window * k);
    // Only the text's own box (and a pixel around it), near its ink, is kept: nothing of a neighbour, a border, a
    // speck, the background's noise.
    const m = 1;
    for (let y = 0; y < crop.height; y++) {
      const ly = outer.y0 + (y + 0.5) / k;
      const yi = Math.floor(ly);
      const rowOut = ly < s.box.y0 - m || ly >= s.box.y1 + m || yi < 0 || yi >= src.height;
      for (let x = 0; x < crop.width; x++) {
        const lx = outer.x0 + (x + 0.5) / k;
        const xi = Math.floor(lx);
        if (rowOut || lx < s.box.x0 - m || lx >= s.box.x1 + m || xi < 0 || xi >= src.width || !src.near[yi * src.width + xi]) crop.data[y * crop.width + x] = 255;
      }
    }
    return crop;
  });
  // Never narrower than a few letters: Tesseract finds nothing on a page one small glyph wide (a field holding 'u').
  const width = Math.max(Math.max(...scaled.map((c) => c.width)) + 2 * SLOT_PAD, SLOT_H * 4);
  const height = scaled.reduce((a, c) => a + c.height + SLOT_GAP, SLOT_GAP);
  const image = createGrey(width, height);
  image.data.fill(255);
  const ys: [number, number][] = [];
  let y = SLOT_GAP;
  for (const c of scaled) {
    for (let r = 0; r < c.height; r++) image.data.set(c.data.subarray(r * c.width, (r + 1) * c.width), (y + r) * width + SLOT_PAD);
    ys.push([y, y + c.height]);
    y += c.height + SLOT_GAP;
  }
  return { image, ys };
}

/** Reads one frame. */
export async function readFrame(frame: Raster, ocr: OcrPool, options: ReadOptions = {}, detail?: (d: ReadDetail) => void): Promise<FrameReading> {
  const started = performance.now();
  const cells = options.softkeys ?? 4;
  const geometry = layoutGeometry(displayQuad(frame, options.corners));
  const W = geometry.width;
  const H = geometry.height;
  const grey = warpGrey(frame, geometry.toFrame, W, H);
  const leds: Record<string, string> = {};
  for (const [name, p] of Object.entries(options.leds ?? {})) leds[name] = ledAt(frame, p);

  const { bright, chroma } = glassColour(frame, geometry.toFrame, W, H);
  const window = Math.max(15, Math.round(H / 6));
  const { grey: raw, inverted } = darkOnLight(smooth(grey), window);
  fillBezel(raw, inverted);
  const { ink: binary, core } = binarise(raw, window, window / 4);
  const stripTop = findStripTop(binary, cells);
  eraseBorders(binary, stripTop, cells);
  eraseStray(binary, stripTop);
  const near = nearInk(binary, Math.max(1, Math.round(H * 0.007)));
  if (detail) detail({ display: warp(frame, geometry.toFrame, W, H, [0, 0, 0, 255]), binary, stripTop });

  // Text lines: bands of rows with ink above the strip; each band's ink extent.
  const slots: Slot[] = [];
  const textArea = { x0: 0, y0: 0, x1: W, y1: Math.min(H, stripTop) };
  // Columns at the very edges are the bezel or the display's frame, not text.
  const edge = Math.round(W * 0.01);
  textArea.x0 = edge;
  textArea.x1 = W - edge;
  const rows = inkProfile(binary, textArea, 'rows');
  const minRowInk = Math.max(2, Math.round(W * 0.004));
  const allBands = runs(rows, minRowInk, Math.max(2, Math.round(H * 0.008)));
  const tall = (a: number, b: number) => b - a >= Math.max(6, H * 0.03);
  const bands = allBands.filter(([a, b]) => tall(a, b));
  const bandHeights = bands.map(([a, b]) => b - a).sort((a, b) => a - b);
  const medianBand = bandHeights[Math.floor(bandHeights.length / 2)] ?? 0;
  // The height of a line of text: the tallest band short of a logo's (a field's stars are shorter than its prompt),
  // or, with one line at most, at least what these displays use.
  const lineHeights = bandHeights.filter((h) => h <= H * 0.16);
  const textHeight = lineHeights.length > 1 ? lineHeights[lineHeights.length - 1]! : Math.max(lineHeights[0] ?? 0, H * 0.07);
  // A row of marks within the display's rim (its outer 8 %, top and bottom) is the edge's noise under glare, a pixel
  // or two inside the calibrated corners: a password field is never drawn there.
  const rim = Math.round(H * 0.08);
  for (const [a, b] of allBands) {
    const band = { x0: textArea.x0, y0: a, x1: textArea.x1, y1: b };
    const stars = starCount(core, band, textHeight);
    // One mark alone may as well be a small letter (a field holding 'u' or 'a'): OCR tells; if it finds no letter or
    // digit there, it is a star.
    if (stars === 1) {
      slots.push({ box: inkBox(binary, band, minRowInk) ?? band, target: { kind: 'line', logo: false, mark: true } });
      continue;
    }
    if (stars > 0 && a >= rim && b <= H - rim) {
      slots.push({ box: band, target: { kind: 'stars', count: stars } });
      continue;
    }
    if (!tall(a, b)) continue;
    const box = inkBox(binary, band, minRowInk * 4);
    const logo = b - a > H * 0.16 || (b - a > 1.7 * medianBand && bands.length > 1);
    if (box) slots.push({ box, target: { kind: 'line', logo, rim: b <= rim || a >= H - rim } });
  }
  // Softkeys: the ink inside each cell of the strip. A label is text of the display's size (capitals, as in 'OK', are
  // some two thirds of a line's band); ink a third of that or less is what is left of a cell's border, not a label.
  if (cells > 0 && stripTop < H) {
    const cellW = W / cells;
    for (let i = 0; i < cells; i++) {
      const found = inkBox(binary, { x0: Math.round(i * cellW), y0: stripTop, x1: Math.round((i + 1) * cellW), y1: H }, minRowInk * 4);
      const box = found && labelBox(binary, found, textHeight, cellW);
      if (box && box.y1 - box.y0 > textHeight * 0.3) slots.push({ box, target: { kind: 'softkey', index: i } });
    }
  }

  const lines: string[] = [];
  const softkeys = Array.from({ length: cells }, () => '');
  const confidences: number[] = [];
  const texts: string[][] = slots.map(() => []);
  const conf: number[][] = slots.map(() => []);
  const memory = options.memory;
  const size = `${W}x${H}`;
  const sig = memory ? (options.signature ?? displaySignature(frame, options.corners)) : undefined;
  const sigs: (Float32Array | undefined)[] = slots.map(() => sig);
  if (memory && memory.size !== size) {
    memory.slots = [];
    memory.size = size;
  }
  const sameTarget = (a: Slot['target'], b: Slot['target']) =>
    a.kind === b.kind && (a.kind !== 'softkey' || a.index === (b as typeof a).index) && (a.kind !== 'line' || a.logo === (b as typeof a).logo);
  const toRead = slots
    .map((s, i) => ({ s, i }))
    .filter(({ s, i }) => {
      if (s.target.kind === 'stars') return false;
      if (!memory || !sig) return true;
      // The same line in the same place (its box within a few pixels: thresholding moves an edge by one or two), on
      // a part of the display that has not changed since it was read: its reading stands.
      const tol = Math.max(2, Math.round((s.box.y1 - s.box.y0) * 0.15));
      const kept = memory.slots.find(
        (m) =>
          sameTarget(m.target, s.target) &&
          Math.abs(m.box.x0 - s.box.x0) <= tol &&
          Math.abs(m.box.x1 - s.box.x1) <= tol &&
          Math.abs(m.box.y0 - s.box.y0) <= tol &&
          Math.abs(m.box.y1 - s.box.y1) <= tol &&
          regionDistance(m.sig, sig, s.box, W, H) < SAME_PICTURE,
      );
      if (!kept) return true;
      texts[i]!.push(...kept.words);
      conf[i]!.push(...kept.conf);
      sigs[i] = kept.sig;
      memory.stats.kept++;
      return false;
    });
  // A lone glyph (a field holding one letter) read by itself is a page Tesseract finds nothing on: read a line of
  // text with it (the first other line, read again).
  if (toRead.length > 0 && toRead.every(({ s }) => s.target.kind === 'line' && s.target.mark)) {
    const other = slots.findIndex((s, i) => s.target.kind === 'line' && !s.target.mark && !toRead.some((r) => r.i === i));
    if (other >= 0) {
      texts[other] = [];
      conf[other] = [];
      sigs[other] = sig;
      toRead.push({ s: slots[other]!, i: other });
      toRead.sort((a, b) => a.i - b.i);
    }
  }
  if (toRead.length > 0) {
    if (memory) memory.stats.read += toRead.length;
    const src = { frame, toFrame: geometry.toFrame, width: W, height: H, inverted, near, window };
    const { image, ys } = stack(src, toRead.map(({ s }) => s), usualHeight(slots.filter((s) => s.target.kind !== 'stars')));
    const read: OcrLine[] = await ocr.read(encodePgm(image));
    for (const line of read) {
      const cy = (line.bbox.y0 + line.bbox.y1) / 2;
      const j = ys.findIndex(([a, b]) => cy >= a - SLOT_GAP / 2 && cy < b + SLOT_GAP / 2);
      if (j < 0) continue;
      const i = toRead[j]!.i;
      for (const w of line.words) {
        if (!realWord(w.text, w.confidence, toRead[j]!.s.target.kind === 'softkey')) continue;
        const t = letterOs(tidy(w.text));
        if (!t) continue;
        texts[i]!.push(t);
        conf[i]!.push(w.confidence);
      }
    }
  }
  if (memory && sig) {
    memory.slots = slots.flatMap((s, i) => (s.target.kind === 'stars' ? [] : [{ box: s.box, target: s.target, words: texts[i]!, conf: conf[i]!, sig: sigs[i]! }]));
  }
  slots.forEach((slot, i) => {
    if (slot.target.kind === 'stars') {
      lines.push('*'.repeat(slot.target.count));
      return;
    }
    let text = texts[i]!.join(' ');
    if (slot.target.kind === 'line' && slot.target.mark && !/[A-Za-z0-9]/.test(text)) {
      lines.push('*');
      return;
    }
    if (!text) return;
    const logo = slot.target.kind === 'line' && slot.target.logo && isLogo(text);
    if (slot.target.kind === 'line' && !logo && texts[i]!.length >= 2 && Math.max(...conf[i]!) < (slot.target.rim ? RIM_NOISE_CONFIDENCE : NOISE_CONFIDENCE)) return;
    confidences.push(...conf[i]!);
    if (slot.target.kind === 'softkey') {
      text = knownLabel(modeDigits(text));
      softkeys[slot.target.index] = softkeys[slot.target.index] ? `${softkeys[slot.target.index]} ${text}` : text;
      return;
    }
    if (logo) text = LOGO_LINE;
    lines.push(text);
  });
  // Text seen: a word of two letters or digits or more read with some confidence (the noise of an unlit glass under
  // glare, stacked, can read as a lone letter at 50 %).
  const textSeen = texts.some((ws, i) => ws.some((t, k) => conf[i]![k]! >= 50 && (t.match(/[A-Za-z0-9]/g)?.length ?? 0) >= 2));
  // Lit: text read, or a bright glass, or a coloured one. An unlit glass under glare and a bright exposure can look
  // as bright as a dark theme's backlight, but glare is white: a backlight's colour (a dark blue) survives it, and
  // the unlit glass has next to none.
  const lit = textSeen || bright > 100 || (bright > 30 && chroma >= 11);
  if (!lit) {
    lines.length = 0;
    softkeys.fill('');
  }
  const confidence = confidences.length
    ? confidences.reduce((a, b) => a + b, 0) / confidences.length / 100
    : lit
      ? 0.8
      : Math.min(1, 0.6 + (50 - bright) / 100);
  return { lit, lines, softkeys, leds, confidence: Math.round(confidence * 1000) / 1000, ms: Math.round(performance.now() - started) };
}
