/**
 * Pixels and plane geometry, shared as a plain library (like src/clock) by the simulator's camera model (which draws a
 * display seen at an angle) and the camera reader (which undoes it). It holds no knowledge of phones or screens.
 *
 * A Raster is RGBA, 8 bits a channel, row-major: the layout of canvas ImageData and of ffmpeg's `rgba` pixel format.
 * A Grey is one float-free byte a pixel.
 */

export interface Raster {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA. */
  data: Uint8ClampedArray;
}

export interface Grey {
  width: number;
  height: number;
  /** width * height bytes. */
  data: Uint8ClampedArray;
}

export interface Point {
  x: number;
  y: number;
}

/** Four corners, clockwise from the top-left: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

export function createRaster(width: number, height: number): Raster {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

export function createGrey(width: number, height: number): Grey {
  return { width, height, data: new Uint8ClampedArray(width * height) };
}

/** Luma (Rec. 601) of every pixel. */
export function toGrey(r: Raster): Grey {
  const g = createGrey(r.width, r.height);
  const s = r.data;
  const d = g.data;
  for (let i = 0, j = 0; j < d.length; i += 4, j++) d[j] = (s[i]! * 77 + s[i + 1]! * 150 + s[i + 2]! * 29) >> 8;
  return g;
}

/** A 3x3 projective transform, row-major, h[8] = 1. */
export type Homography = Float64Array;

/** Solves A x = b (n x n, Gaussian elimination with partial pivoting). Throws on a singular system. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) throw new Error('degenerate quadrilateral');
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

/** The homography that maps each `from[i]` onto `to[i]`. */
export function homography(from: readonly Point[], to: readonly Point[]): Homography {
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  const h = solve(a, b);
  return Float64Array.from([...h, 1]);
}

/** The product a * b of two homographies (b applied first). */
export function composeHomography(a: Homography, b: Homography): Homography {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  return out;
}

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/**
 * Draws `src` into an outW x outH raster through `dstToSrc` (a homography from output pixels to source pixels),
 * sampling bilinearly; outside the source, `fill` (RGBA).
 */
export function warp(src: Raster, dstToSrc: Homography, outW: number, outH: number, fill: [number, number, number, number] = [0, 0, 0, 255]): Raster {
  const out = createRaster(outW, outH);
  const d = out.data;
  const s = src.data;
  const sw = src.width;
  const sh = src.height;
  const h = dstToSrc;
  for (let y = 0; y < outH; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < outW; x++) {
      const xc = x + 0.5;
      const w = h[6]! * xc + h[7]! * yc + h[8]!;
      const sx = (h[0]! * xc + h[1]! * yc + h[2]!) / w - 0.5;
      const sy = (h[3]! * xc + h[4]! * yc + h[5]!) / w - 0.5;
      const o = (y * outW + x) * 4;
      if (!(sx >= -0.5 && sy >= -0.5 && sx <= sw - 0.5 && sy <= sh - 0.5)) {
        d[o] = fill[0];
        d[o + 1] = fill[1];
        d[o + 2] = fill[2];
        d[o + 3] = fill[3];
        continue;
      }
      const x0 = Math.max(0, Math.floor(sx));
      const y0 = Math.max(0, Math.floor(sy));
      const x1 = Math.min(sw - 1, x0 + 1);
      const y1 = Math.min(sh - 1, y0 + 1);
      const fx = Math.min(1, Math.max(0, sx - x0));
      const fy = Math.min(1, Math.max(0, sy - y0));
      const i00 = (y0 * sw + x0) * 4;
      const i10 = (y0 * sw + x1) * 4;
      const i01 = (y1 * sw + x0) * 4;
      const i11 = (y1 * sw + x1) * 4;
      for (let c = 0; c < 4; c++) {
        const top = s[i00 + c]! + (s[i10 + c]! - s[i00 + c]!) * fx;
        const bot = s[i01 + c]! + (s[i11 + c]! - s[i01 + c]!) * fx;
        d[o + c] = top + (bot - top) * fy;
      }
    }
  }
  return out;
}

/**
 * `warp` straight to grey (toGrey's luma): each output pixel the bilinear mix of its four source pixels' luma. The
 * same picture as toGrey(warp(...)) to a level, without resampling three channels and alpha that are then dropped.
 */
export function warpGrey(src: Raster, dstToSrc: Homography, outW: number, outH: number, fill = 0): Grey {
  const out = createGrey(outW, outH);
  const d = out.data;
  const s = src.data;
  const sw = src.width;
  const sh = src.height;
  const h = dstToSrc;
  const luma = (i: number) => (s[i]! * 77 + s[i + 1]! * 150 + s[i + 2]! * 29) / 256;
  for (let y = 0; y < outH; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < outW; x++) {
      const xc = x + 0.5;
      const w = h[6]! * xc + h[7]! * yc + h[8]!;
      const sx = (h[0]! * xc + h[1]! * yc + h[2]!) / w - 0.5;
      const sy = (h[3]! * xc + h[4]! * yc + h[5]!) / w - 0.5;
      const o = y * outW + x;
      if (!(sx >= -0.5 && sy >= -0.5 && sx <= sw - 0.5 && sy <= sh - 0.5)) {
        d[o] = fill;
        continue;
      }
      const x0 = Math.max(0, Math.floor(sx));
      const y0 = Math.max(0, Math.floor(sy));
      const x1 = Math.min(sw - 1, x0 + 1);
      const y1 = Math.min(sh - 1, y0 + 1);
      const fx = Math.min(1, Math.max(0, sx - x0));
      const fy = Math.min(1, Math.max(0, sy - y0));
      const a = luma((y0 * sw + x0) * 4);
      const b = luma((y0 * sw + x1) * 4);
      const c = luma((y1 * sw + x0) * 4);
      const e = luma((y1 * sw + x1) * 4);
      const top = a + (b - a) * fx;
      const bot = c + (e - c) * fx;
      d[o] = top + (bot - top) * fy;
    }
  }
  return out;
}

/** The quad's mean width and height in pixels (the size a rectified copy keeps its resolution at). */
export function quadSize(q: Quad): { width: number; height: number } {
  const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
  return { width: (dist(q[0], q[1]) + dist(q[3], q[2])) / 2, height: (dist(q[0], q[3]) + dist(q[1], q[2])) / 2 };
}

/** The region inside `quad` of `src`, straightened to outW x outH. */
export function rectify(src: Raster, quad: Quad, outW: number, outH: number): Raster {
  const rect: Point[] = [
    { x: 0, y: 0 },
    { x: outW, y: 0 },
    { x: outW, y: outH },
    { x: 0, y: outH },
  ];
  // Corners name pixel positions; the pixel grid's edges are half a pixel out, which matters little at these sizes.
  return warp(src, homography(rect, quad), outW, outH, [0, 0, 0, 255]);
}

/**
 * One horizontal then one vertical box blur of radius r (each channel); three passes approximate a Gaussian. Running
 * sums (exact integers) along each row, four channels at once, then down all columns at once, row by row (the order
 * memory lies in); each sum's rounded mean from a table (the clamped array's own rounding of sum / span).
 */
export function boxBlur(src: Raster, r: number, passes = 1): Raster {
  if (r < 1) return { width: src.width, height: src.height, data: new Uint8ClampedArray(src.data) };
  const { width: w, height: h } = src;
  const W4 = w * 4;
  const span = 2 * r + 1;
  const mean = new Uint8ClampedArray(256 * span);
  for (let a = 0; a < mean.length; a++) mean[a] = a / span;
  const tmp = new Uint8ClampedArray(src.data.length);
  const bufs = [new Uint8ClampedArray(src.data.length), passes > 1 ? new Uint8ClampedArray(src.data.length) : undefined];
  const acc = new Int32Array(W4);
  let cur = src.data;
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) {
      const row = y * W4;
      const last = row + (w - 1) * 4;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let k = -r; k <= r; k++) {
        const i = row + (k < 0 ? 0 : k < w ? k : w - 1) * 4;
        a0 += cur[i]!;
        a1 += cur[i + 1]!;
        a2 += cur[i + 2]!;
        a3 += cur[i + 3]!;
      }
      for (let x = 0, i = row; x < w; x++, i += 4) {
        tmp[i] = mean[a0]!;
        tmp[i + 1] = mean[a1]!;
        tmp[i + 2] = mean[a2]!;
        tmp[i + 3] = mean[a3]!;
        const add = x + r + 1 < w ? i + (r + 1) * 4 : last;
        const sub = x - r > 0 ? i - r * 4 : row;
        a0 += cur[add]! - cur[sub]!;
        a1 += cur[add + 1]! - cur[sub + 1]!;
        a2 += cur[add + 2]! - cur[sub + 2]!;
        a3 += cur[add + 3]! - cur[sub + 3]!;
      }
    }
    const out = bufs[p % 2]!;
    acc.fill(0);
    for (let k = -r; k <= r; k++) {
      const o = (k < 0 ? 0 : k < h ? k : h - 1) * W4;
      for (let j = 0; j < W4; j++) acc[j] = acc[j]! + tmp[o + j]!;
    }
    for (let y = 0; y < h; y++) {
      const o = y * W4;
      const add = (y + r + 1 < h ? y + r + 1 : h - 1) * W4;
      const sub = (y - r > 0 ? y - r : 0) * W4;
      for (let j = 0; j < W4; j++) {
        const a = acc[j]!;
        out[o + j] = mean[a]!;
        acc[j] = a + tmp[add + j]! - tmp[sub + j]!;
      }
    }
    cur = out;
  }
  return { width: w, height: h, data: cur };
}

/** Summed-area table of a grey image ((w+1) x (h+1)), for box means in O(1). */
export function integral(g: Grey, squared = false): Float64Array {
  const w = g.width;
  const t = new Float64Array((w + 1) * (g.height + 1));
  for (let y = 0; y < g.height; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      const v = g.data[y * w + x]!;
      row += squared ? v * v : v;
      t[(y + 1) * (w + 1) + x + 1] = t[y * (w + 1) + x + 1]! + row;
    }
  }
  return t;
}

/** Grey image scaled by an integer-or-not factor, bilinear. */
export function scaleGrey(g: Grey, outW: number, outH: number): Grey {
  const out = createGrey(outW, outH);
  const sx = g.width / outW;
  const sy = g.height / outH;
  for (let y = 0; y < outH; y++) {
    const fy0 = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(g.height - 1, Math.floor(fy0));
    const y1 = Math.min(g.height - 1, y0 + 1);
    const fy = fy0 - y0;
    for (let x = 0; x < outW; x++) {
      const fx0 = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(g.width - 1, Math.floor(fx0));
      const x1 = Math.min(g.width - 1, x0 + 1);
      const fx = fx0 - x0;
      const a = g.data[y0 * g.width + x0]!;
      const b = g.data[y0 * g.width + x1]!;
      const c = g.data[y1 * g.width + x0]!;
      const d = g.data[y1 * g.width + x1]!;
      out.data[y * outW + x] = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
    }
  }
  return out;
}

/** A sub-rectangle of a grey image (clamped to it). */
export function cropGrey(g: Grey, x: number, y: number, w: number, h: number): Grey {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(g.width, Math.round(x + w));
  const y1 = Math.min(g.height, Math.round(y + h));
  const out = createGrey(Math.max(1, x1 - x0), Math.max(1, y1 - y0));
  for (let yy = y0; yy < y1; yy++) out.data.set(g.data.subarray(yy * g.width + x0, yy * g.width + x1), (yy - y0) * out.width);
  return out;
}

/** A PGM (P5) file of a grey image: the simplest format every image reader (leptonica, ffmpeg) takes. */
export function encodePgm(g: Grey): Buffer {
  const head = Buffer.from(`P5\n${g.width} ${g.height}\n255\n`, 'ascii');
  return Buffer.concat([head, Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength)]);
}

/** Grey image as RGBA (for drawing and PNG encoding). */
export function greyToRaster(g: Grey): Raster {
  const r = createRaster(g.width, g.height);
  for (let i = 0; i < g.data.length; i++) {
    const v = g.data[i]!;
    r.data[i * 4] = v;
    r.data[i * 4 + 1] = v;
    r.data[i * 4 + 2] = v;
    r.data[i * 4 + 3] = 255;
  }
  return r;
}
