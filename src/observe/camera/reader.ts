/**
 * Reads one camera frame: the display cut out by its four corners (perspective-corrected), whether it is lit, its text
 * lines, the labels of the bottom softkey strip (N equal cells), and the LEDs at calibrated points.
 *
 * Made for frames we did not draw: any font, light text on dark or dark on light, coloured backlights, blur, noise,
 * glare (removed with the local background), a display at an angle inside a larger frame.
 *
 * Preprocessing for LCD text (DESIGN.md): greyscale, upscale (the display is rectified at about twice the size it has
 * on the frame), polarity to dark-on-light, local (Sauvola) threshold. Then one OCR call per frame on the text area
 * with the softkey strip (borders erased) below it; words in the strip go to the cell under their centre.
 */
import {
  applyHomography,
  homography,
  createGrey,
  cropGrey,
  scaleGrey,
  encodePgm,
  integral,
  quadSize,
  rectify,
  toGrey,
  type Grey,
  type Point,
  type Quad,
  type Raster,
} from '../../image/raster.js';
import type { OcrLine, OcrPool } from './ocr.js';

export interface ReadOptions {
  /** The display's corners on the frame, clockwise from the top-left; absent: the frame is the display. */
  corners?: Quad | undefined;
  /** Cells in the bottom softkey strip (default 4); 0: no strip. */
  softkeys?: number | undefined;
  /** LED centres on the frame, by name. */
  leds?: Record<string, Point> | undefined;
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

function percentile(values: Uint8ClampedArray | number[], p: number): number {
  const hist = new Uint32Array(256);
  for (const v of values) hist[v]!++;
  const target = p * values.length;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i]!;
    if (acc >= target) return i;
  }
  return 255;
}

/** Max(R, G, B) a pixel: a coloured backlight is bright in one channel even where its luma is low. */
function valueChannel(r: Raster): Uint8ClampedArray {
  const out = new Uint8ClampedArray(r.width * r.height);
  for (let i = 0, j = 0; j < out.length; i += 4, j++) out[j] = Math.max(r.data[i]!, r.data[i + 1]!, r.data[i + 2]!);
  return out;
}

/** How coloured the whole picture is: the spread of its mean R, G and B (0 for grey; glare, being white, adds none). */
function meanChroma(r: Raster): number {
  let R = 0;
  let G = 0;
  let B = 0;
  for (let i = 0; i < r.data.length; i += 4) {
    R += r.data[i]!;
    G += r.data[i + 1]!;
    B += r.data[i + 2]!;
  }
  const n = Math.max(1, r.data.length / 4);
  return (Math.max(R, G, B) - Math.min(R, G, B)) / n;
}

/**
 * Calls `each` for every pixel of a w x h image with its index, the pixel count of the (2r+1)-square window around it
 * (clipped at the edges), and `box`: a table's sum over that window, from the table's integral image (`integral`).
 */
function eachWindow(w: number, h: number, r: number, each: (i: number, n: number, box: (table: ArrayLike<number>) => number) => void): void {
  const W = w + 1;
  let x0 = 0;
  let x1 = 0;
  let y0 = 0;
  let y1 = 0;
  const box = (t: ArrayLike<number>): number => t[y1 * W + x1]! - t[y0 * W + x1]! - t[y1 * W + x0]! + t[y0 * W + x0]!;
  for (let y = 0; y < h; y++) {
    y0 = Math.max(0, y - r);
    y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      x0 = Math.max(0, x - r);
      x1 = Math.min(w, x + r + 1);
      each(y * w + x, (x1 - x0) * (y1 - y0), box);
    }
  }
}

/** Sauvola binarisation: ink (0) where darker than the local mean by a margin scaled by the local contrast. */
function sauvola(g: Grey, window: number, k: number): Grey {
  const w = g.width;
  const h = g.height;
  const sum = integral(g);
  const sq = integral(g, true);
  const out = createGrey(w, h);
  eachWindow(w, h, Math.max(2, Math.floor(window / 2)), (i, n, box) => {
    const mean = box(sum) / n;
    const sd = Math.sqrt(Math.max(0, box(sq) / n - mean * mean));
    const t = mean * (1 + k * (sd / 128 - 1));
    // A flat region (sd small) is background, whatever its level: no speckle from noise or glare.
    out.data[i] = g.data[i]! < t && sd > 12 ? 0 : 255;
  });
  return out;
}

/**
 * The bezel caught at the display's edges (corners set a pixel or two outside the glass) replaced by the nearest row or
 * column of glass. Dark next to a light glass, it would pull the local mean of a thresholding window down, and thin
 * text near that edge would fall above the threshold and be lost. A bezel row (column) is mostly darker than the
 * glass's median; a row of text is not (its ink is sparse). Only the outer 3 % of each side is looked at.
 */
function fillBezel(g: Grey): void {
  const { width: w, height: h } = g;
  const median = percentile(g.data, 0.5);
  const dark = median * 0.6;
  const rowDark = (y: number) => {
    let n = 0;
    for (let x = 0; x < w; x++) if (g.data[y * w + x]! < dark) n++;
    return n > w * 0.5;
  };
  const colDark = (x: number) => {
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

/** Grey with the text dark on light: inverted when the bright extreme is further from the background than the dark. */
function darkOnLight(g: Grey): { grey: Grey; inverted: boolean } {
  const median = percentile(g.data, 0.5);
  const lo = percentile(g.data, 0.01);
  const hi = percentile(g.data, 0.99);
  if (hi - median > median - lo) {
    const out = createGrey(g.width, g.height);
    for (let i = 0; i < g.data.length; i++) out.data[i] = 255 - g.data[i]!;
    return { grey: out, inverted: true };
  }
  return { grey: g, inverted: false };
}

/**
 * Background flattened (divided by the local background level), contrast stretched: glare and gradients gone. The
 * background is the max over a window about the pixel (text is dark); it changes slowly, so it is worked out on a
 * grid of 4 x 4 blocks (each block's max, then the max over the window's blocks) and read back bilinearly.
 */
function normalise(g: Grey, window: number): Grey {
  const w = g.width;
  const h = g.height;
  const r = Math.max(3, Math.floor(window / 3));
  const B = 4;
  const pw = Math.ceil(w / B);
  const ph = Math.ceil(h / B);
  const pooled = new Float32Array(pw * ph);
  for (let y = 0; y < h; y++) {
    const row = (y / B) | 0;
    for (let x = 0; x < w; x++) {
      const i = row * pw + ((x / B) | 0);
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
  const bgGrid = new Float32Array(pw * ph);
  for (let x = 0; x < pw; x++) for (let y = 0; y < ph; y++) {
    let m = 0;
    for (let k = Math.max(0, y - rr); k <= Math.min(ph - 1, y + rr); k++) m = Math.max(m, tmp[k * pw + x]!);
    bgGrid[y * pw + x] = m;
  }
  const out = createGrey(w, h);
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
      const top = bgGrid[y0 * pw + x0]! * (1 - tx) + bgGrid[y0 * pw + x1]! * tx;
      const bottom = bgGrid[y1 * pw + x0]! * (1 - tx) + bgGrid[y1 * pw + x1]! * tx;
      const bg = top * (1 - ty) + bottom * ty;
      out.data[y * w + x] = Math.min(255, (255 * g.data[y * w + x]!) / Math.max(1, bg));
    }
  }
  const lo = percentile(out.data, 0.01);
  const span = Math.max(1, 230 - lo);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(255, Math.max(0, ((out.data[i]! - lo) * 255) / span));
  return out;
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

/** `grey` kept only near ink of `binary` (within r px), white elsewhere: borders erased, background noise gone. */
function keepNearInk(grey: Grey, binary: Grey, r: number): Grey {
  const w = grey.width;
  const h = grey.height;
  const inkMask = createGrey(w, h);
  for (let i = 0; i < inkMask.data.length; i++) inkMask.data[i] = binary.data[i] === 0 ? 1 : 0;
  const t = integral(inkMask);
  const out = createGrey(w, h);
  eachWindow(w, h, r, (i, _n, box) => {
    out.data[i] = box(t) > 0 ? grey.data[i]! : 255;
  });
  return out;
}

/** A word worth keeping: some letter or digit, not a speck read as punctuation. */
function realWord(text: string, confidence: number): boolean {
  const t = text.trim();
  // A mode label's arrow read as a word of its own ('A -> a1'): kept, or the label reads 'A a1'.
  if (/^-?>$/.test(t)) return confidence >= 40;
  if (!/[A-Za-z0-9]/.test(t)) return confidence > 80 && /^[.*>:]+$/.test(t);
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

/** The rectified display at a resolution OCR reads well: about twice its size on the frame, 560-1200 px wide. */
export function cutDisplay(frame: Raster, corners: Quad | undefined): Raster {
  const q: Quad =
    corners ??
    [
      { x: 0, y: 0 },
      { x: frame.width, y: 0 },
      { x: frame.width, y: frame.height },
      { x: 0, y: frame.height },
    ];
  const size = quadSize(q);
  const scale = Math.min(1200 / size.width, Math.max(2, 560 / size.width));
  return rectify(frame, q, Math.round(size.width * scale), Math.round(size.height * scale));
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
  const q: Quad = corners ?? [
    { x: 0, y: 0 },
    { x: frame.width, y: 0 },
    { x: frame.width, y: frame.height },
    { x: 0, y: frame.height },
  ];
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

/** Edit distance (Levenshtein), for phrase matching. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n]!;
}

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
 * The box of a line or label without the specks it caught (a remnant of a cell's border, glare, noise): small groups
 * of ink that lie wholly above or below the row of the largest. A speck makes the crop larger than the text, and the
 * recogniser then reads the text smaller than it is ('OK' as 'Cook').
 */
function withoutSpecks(b: Grey, box: Box): Box {
  const parts = blobs(b, box);
  if (parts.length < 2) return box;
  const biggest = parts.reduce((p, q) => (q.n > p.n ? q : p));
  const kept = parts.filter((o) => o.n >= biggest.n * 0.25 || (o.y1 > biggest.y0 && o.y0 < biggest.y1));
  if (kept.length === parts.length) return box;
  return {
    x0: Math.min(...kept.map((o) => o.x0)),
    y0: Math.min(...kept.map((o) => o.y0)),
    x1: Math.max(...kept.map((o) => o.x1)),
    y1: Math.max(...kept.map((o) => o.y1)),
  };
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
  const marks = all.filter((o) => o.n >= biggest * 0.15).sort((p, q) => p.x0 - q.x0);
  const hs = marks.map((o) => o.y1 - o.y0).sort((p, q) => p - q);
  const mh = hs[Math.floor(hs.length / 2)]!;
  // Marks apart are one glyph again and again: alike in width too (letters are not).
  const single = marks.filter((o) => o.x1 - o.x0 <= (o.y1 - o.y0) * 1.5).map((o) => o.x1 - o.x0).sort((p, q) => p - q);
  const mw = single[Math.floor(single.length / 2)] ?? 0;
  if (single.some((w) => Math.abs(w - mw) > mw * 0.3)) return 0;
  if (mh < textHeight * 0.18 || mh > textHeight * 0.7) return 0;
  const cy = (marks[0]!.y0 + marks[0]!.y1) / 2;
  let count = 0;
  for (let i = 0; i < marks.length; i++) {
    const o = marks[i]!;
    const h = o.y1 - o.y0;
    const w = o.x1 - o.x0;
    // Alike, in one row, side by side (no gap wider than two marks), each mostly solid (a letter's strokes, as in
    // o, c or x, leave more of its box empty).
    if (Math.abs(h - mh) > mh * 0.35 || w < h * 0.55) return 0;
    if (Math.abs((o.y0 + o.y1) / 2 - cy) > mh * 0.35) return 0;
    if (i > 0 && o.x0 - marks[i - 1]!.x1 > mh * 2) return 0;
    if (o.n < w * h * 0.35) return 0;
    // Marks that touch (a bold font, blur) make one wide blob: one column peak a mark.
    count += w > h * 1.5 ? columnPeaks(b, o, mh) : 1;
  }
  return count;
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
  const steps = at.slice(1).map((x, i) => x - at[i]!).sort((a, b) => a - b);
  const pitch = steps[Math.floor(steps.length / 2)]!;
  return Math.max(1, Math.round((box.x1 - box.x0) / pitch));
}

/** One crop to read and where its text goes. */
interface Slot {
  box: Box;
  target: { kind: 'line'; logo: boolean } | { kind: 'softkey'; index: number } | { kind: 'stars'; count: number };
}

const SLOT_H = 40;
const SLOT_GAP = 26;
const SLOT_PAD = 20;

/**
 * The crops, each scaled to one text height and stacked left-aligned with white between them: one OCR call reads
 * every line and label of a frame, each at a size the recogniser reads best.
 */
function stack(grey: Grey, slots: Slot[]): { image: Grey; ys: [number, number][] } {
  // A crop shorter than the frame's usual one (a label of capitals, 'OK') keeps its size relative to the other text:
  // enlarged to a full line's height, it reads as a different font ('OK' as '0] 4').
  // (The lower median of the crops other than a logo: with a logo and one line, the line's.)
  const heights = slots.filter((s) => !(s.target.kind === 'line' && s.target.logo)).map((s) => s.box.y1 - s.box.y0).sort((a, b) => a - b);
  const usual = (heights[Math.floor((heights.length - 1) / 2)] ?? 0) * 1.36 + 2;
  const scaled = slots.map((s) => {
    const padY = Math.round((s.box.y1 - s.box.y0) * 0.18) + 1;
    const padX = padY + 2;
    const crop = cropGrey(grey, s.box.x0 - padX, s.box.y0 - padY, s.box.x1 - s.box.x0 + 2 * padX, s.box.y1 - s.box.y0 + 2 * padY);
    // Only the text's own box (and a pixel or two around it) is kept: nothing of a neighbour, a border, a speck.
    const ox = Math.max(0, Math.round(s.box.x0 - padX));
    const oy = Math.max(0, Math.round(s.box.y0 - padY));
    const m = 2;
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) {
        const gx = x + ox;
        const gy = y + oy;
        if (gx < s.box.x0 - m || gx >= s.box.x1 + m || gy < s.box.y0 - m || gy >= s.box.y1 + m) crop.data[y * crop.width + x] = 255;
      }
    }
    const k = (SLOT_H * 1.36) / Math.max(crop.height, usual);
    return scaleGrey(crop, Math.max(1, Math.round(crop.width * k)), Math.round(crop.height * k));
  });
  const width = Math.max(...scaled.map((c) => c.width)) + 2 * SLOT_PAD;
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
  const display = cutDisplay(frame, options.corners);
  const leds: Record<string, string> = {};
  for (const [name, p] of Object.entries(options.leds ?? {})) leds[name] = ledAt(frame, p);

  const bright = percentile(valueChannel(display), 0.5);
  const { grey: raw } = darkOnLight(smooth(toGrey(display)));
  fillBezel(raw);
  const window = Math.max(15, Math.round(display.height / 6));
  const grey = normalise(raw, window);
  const binary = sauvola(raw, window, 0.2);
  const W = binary.width;
  const H = binary.height;
  const stripTop = findStripTop(binary, cells);
  eraseBorders(binary, stripTop, cells);
  const clean = keepNearInk(grey, binary, Math.max(2, Math.round(H * 0.007)));
  detail?.({ display, binary, stripTop });

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
  for (const [a, b] of allBands) {
    const band = { x0: textArea.x0, y0: a, x1: textArea.x1, y1: b };
    const stars = starCount(binary, band, textHeight);
    if (stars > 0) {
      slots.push({ box: band, target: { kind: 'stars', count: stars } });
      continue;
    }
    if (!tall(a, b)) continue;
    const box = inkBox(binary, band, minRowInk * 4);
    if (box) slots.push({ box, target: { kind: 'line', logo: b - a > H * 0.16 || (b - a > 1.7 * medianBand && bands.length > 1) } });
  }
  // Softkeys: the ink inside each cell of the strip.
  if (cells > 0 && stripTop < H) {
    const cellW = W / cells;
    for (let i = 0; i < cells; i++) {
      const box = inkBox(binary, { x0: Math.round(i * cellW), y0: stripTop, x1: Math.round((i + 1) * cellW), y1: H }, minRowInk * 4);
      if (box) slots.push({ box, target: { kind: 'softkey', index: i } });
    }
  }

  const lines: string[] = [];
  const softkeys = Array.from({ length: cells }, () => '');
  const confidences: number[] = [];
  const texts: string[][] = slots.map(() => []);
  const conf: number[][] = slots.map(() => []);
  const toRead = slots.map((s, i) => ({ s, i })).filter(({ s }) => s.target.kind !== 'stars');
  if (toRead.length > 0) {
    const { image, ys } = stack(clean, toRead.map(({ s }) => s));
    const read: OcrLine[] = await ocr.read(encodePgm(image));
    for (const line of read) {
      const cy = (line.bbox.y0 + line.bbox.y1) / 2;
      const j = ys.findIndex(([a, b]) => cy >= a - SLOT_GAP / 2 && cy < b + SLOT_GAP / 2);
      if (j < 0) continue;
      const i = toRead[j]!.i;
      for (const w of line.words) {
        if (!realWord(w.text, w.confidence)) continue;
        const t = letterOs(tidy(w.text));
        if (!t) continue;
        texts[i]!.push(t);
        conf[i]!.push(w.confidence);
      }
    }
  }
  slots.forEach((slot, i) => {
    if (slot.target.kind === 'stars') {
      lines.push('*'.repeat(slot.target.count));
      return;
    }
    let text = texts[i]!.join(' ');
    if (!text) return;
    confidences.push(...conf[i]!);
    if (slot.target.kind === 'softkey') {
      text = modeDigits(text);
      softkeys[slot.target.index] = softkeys[slot.target.index] ? `${softkeys[slot.target.index]} ${text}` : text;
      return;
    }
    if (slot.target.logo && /^p[o0]l[yv]$/i.test(text.replace(/\s/g, ''))) text = LOGO_LINE;
    lines.push(text);
  });
  const textSeen = confidences.some((c) => c >= 50);
  // Lit: text read, or a bright glass, or a coloured one. An unlit glass under glare and a bright exposure can look
  // as bright as a dark theme's backlight, but glare is white: a backlight's colour (a dark blue) survives it, and
  // the unlit glass has next to none.
  const lit = textSeen || bright > 100 || (bright > 30 && meanChroma(display) >= 11);
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
