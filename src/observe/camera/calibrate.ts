/**
 * Calibration helpers: finding the display on a frame (the largest bright region: a lit display is the brightest
 * thing a camera over a phone sees), and drawing the calibrated regions on a frame for `camera snapshot`.
 */
import { createCanvas } from '@napi-rs/canvas';
import { applyHomography, homography, type Point, type Quad, type Raster } from '../../image/raster.js';

/** Otsu's threshold of a 256-bin histogram. */
function otsu(hist: Uint32Array, total: number): number {
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/**
 * The corners of the largest bright region of the frame (the lit display), clockwise from the top-left, or undefined
 * when nothing stands out. The corners are the region's extreme points along the diagonals.
 */
export function findDisplay(frame: Raster): Quad | undefined {
  const { width: w, height: h } = frame;
  const v = new Uint8Array(w * h);
  const hist = new Uint32Array(256);
  for (let i = 0, j = 0; j < v.length; i += 4, j++) {
    v[j] = Math.max(frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!);
    hist[v[j]!]!++;
  }
  const t = otsu(hist, v.length);
  const label = new Int32Array(w * h).fill(-1);
  let bestSize = 0;
  let bestPixels: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < v.length; start++) {
    if (v[start]! <= t || label[start] !== -1) continue;
    const pixels: number[] = [];
    label[start] = start;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % w;
      const y = (p - x) / w;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const q = ny * w + nx;
        if (label[q] !== -1 || v[q]! <= t) continue;
        label[q] = start;
        stack.push(q);
      }
    }
    if (pixels.length > bestSize) {
      bestSize = pixels.length;
      bestPixels = pixels;
    }
  }
  if (bestSize < w * h * 0.02) return undefined;
  let tl = { s: Infinity, p: { x: 0, y: 0 } };
  let br = { s: -Infinity, p: { x: 0, y: 0 } };
  let tr = { s: -Infinity, p: { x: 0, y: 0 } };
  let bl = { s: Infinity, p: { x: 0, y: 0 } };
  for (const p of bestPixels) {
    const x = p % w;
    const y = (p - x) / w;
    if (x + y < tl.s) tl = { s: x + y, p: { x, y } };
    if (x + y > br.s) br = { s: x + y, p: { x: x + 1, y: y + 1 } };
    if (x - y > tr.s) tr = { s: x - y, p: { x: x + 1, y } };
    if (x - y < bl.s) bl = { s: x - y, p: { x, y: y + 1 } };
  }
  return [tl.p, tr.p, br.p, bl.p];
}

/** The frame with the calibrated regions drawn on it: the display outline, the softkey cells, the LED points. */
export function drawRegions(frame: Raster, cal: { corners: Quad; softkeys: number; leds?: Record<string, Point> | undefined; stripTop?: number }): Buffer {
  const canvas = createCanvas(frame.width, frame.height);
  const g = canvas.getContext('2d');
  const id = g.createImageData(frame.width, frame.height);
  id.data.set(frame.data);
  g.putImageData(id, 0, 0);
  const h = homography(
    [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
      { x: 0, y: 1 },
    ],
    cal.corners,
  );
  const line = (a: Point, b: Point, colour: string, width = 2) => {
    const p = applyHomography(h, a);
    const q = applyHomography(h, b);
    g.strokeStyle = colour;
    g.lineWidth = width;
    g.beginPath();
    g.moveTo(p.x, p.y);
    g.lineTo(q.x, q.y);
    g.stroke();
  };
  const corners: Point[] = [
    { x: 0, y: 0 },
    { x: 1, y: 0 },
    { x: 1, y: 1 },
    { x: 0, y: 1 },
  ];
  corners.forEach((c, i) => line(c, corners[(i + 1) % 4]!, '#00ff66', 3));
  if (cal.softkeys > 0) {
    const top = cal.stripTop ?? 0.82;
    line({ x: 0, y: top }, { x: 1, y: top }, '#ffcc00');
    for (let i = 1; i < cal.softkeys; i++) line({ x: i / cal.softkeys, y: top }, { x: i / cal.softkeys, y: 1 }, '#ffcc00');
  }
  g.font = '12px sans-serif';
  for (const [name, p] of Object.entries(cal.leds ?? {})) {
    g.strokeStyle = '#ff00ff';
    g.lineWidth = 2;
    g.beginPath();
    g.arc(p.x, p.y, 7, 0, Math.PI * 2);
    g.stroke();
    g.fillStyle = '#ff00ff';
    g.fillText(name, p.x + 9, p.y - 9);
  }
  const tl = cal.corners[0];
  g.fillStyle = '#00ff66';
  g.fillText('display', tl.x + 4, Math.max(12, tl.y - 6));
  return canvas.toBuffer('image/png');
}
