/**
 * The simulated phone's display, drawn as pixels: what the glass shows for a screen (lines of text in the family's
 * font, the softkey strip with its boxes and labels, the backlight colour, dark when unlit), and the phone's face
 * around it with its indicator LEDs. The camera model (camera.ts) then photographs the face.
 *
 * Only the physical interface is used: the unit's ScreenObservation (lines, softkeys, LEDs, lit). The `[Poly logo]`
 * line is the Poly wordmark, drawn as one.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import type { ScreenObservation } from '../../bench/types.js';
import type { Point, Raster } from '../../image/raster.js';

/** How one family's display looks. */
export interface DisplayStyle {
  name: string;
  width: number;
  height: number;
  font: string;
  /** Text size in px at the display's own resolution. */
  textPx: number;
  background: string;
  /** Backlight off: the glass is dark but not black. */
  unlit: string;
  text: string;
  softkeyFill: string;
  softkeyBorder: string;
  softkeyText: string;
  /** Softkey strip height as a fraction of the display's. */
  strip: number;
  /** Left margin of text lines, px. */
  margin: number;
  /** Centre text lines (CCX, Trio) rather than left-align them. */
  center: boolean;
}

const FONT_FILES: Record<string, string> = {
  'Sim Sans': 'DejaVuSans.ttf',
  'Sim Mono': 'DejaVuSansMono-Bold.ttf',
  'Sim Condensed': 'DejaVuSansCondensed.ttf',
  'Sim Serif': 'DejaVuSerifCondensed.ttf',
  'Sim Bold': 'DejaVuSans-Bold.ttf',
};

let fontsLoaded = false;
/** Registers the fonts the display styles use (DejaVu, shipped by the dejavu-fonts-ttf package). */
function loadFonts(): void {
  if (fontsLoaded) return;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  for (const [family, file] of Object.entries(FONT_FILES)) GlobalFonts.registerFromPath(join(dir, file), family);
  fontsLoaded = true;
}

/** One style a family (a colour LCD: VVX; a grey-green monochrome LCD: SoundPoint; a dark theme: Edge; Trio, CCX). */
export const DISPLAY_STYLES: Record<string, DisplayStyle> = {
  vvx: {
    name: 'vvx', width: 320, height: 200, font: 'Sim Sans', textPx: 17, background: '#e9f0f7', unlit: '#15181b', text: '#18202a',
    softkeyFill: '#c9d6e4', softkeyBorder: '#5d7189', softkeyText: '#101820', strip: 0.18, margin: 8, center: false,
  },
  soundpoint: {
    name: 'soundpoint', width: 256, height: 128, font: 'Sim Mono', textPx: 13, background: '#b7c29c', unlit: '#1c1f19', text: '#1c2314',
    softkeyFill: '#b7c29c', softkeyBorder: '#1c2314', softkeyText: '#1c2314', strip: 0.2, margin: 5, center: false,
  },
  edge: {
    name: 'edge', width: 320, height: 200, font: 'Sim Condensed', textPx: 18, background: '#1d2633', unlit: '#0c0e11', text: '#f2f5f8',
    softkeyFill: '#2f3f55', softkeyBorder: '#8fa3bd', softkeyText: '#ffffff', strip: 0.18, margin: 10, center: false,
  },
  trio: {
    name: 'trio', width: 400, height: 240, font: 'Sim Sans', textPx: 20, background: '#0f4a86', unlit: '#0b0d10', text: '#ffffff',
    softkeyFill: '#1d5f9f', softkeyBorder: '#d0e0f0', softkeyText: '#ffffff', strip: 0.16, margin: 12, center: true,
  },
  ccx: {
    name: 'ccx', width: 400, height: 240, font: 'Sim Serif', textPx: 20, background: '#f5f5f2', unlit: '#101010', text: '#222222',
    softkeyFill: '#e0e0dc', softkeyBorder: '#6a6a66', softkeyText: '#222222', strip: 0.16, margin: 12, center: true,
  },
};

/** The display style of a simulated unit, by its model id (the simulator's own ids, not the catalog's). */
export function styleForModel(modelId: string): DisplayStyle {
  const id = modelId.toLowerCase();
  if (id.startsWith('edge')) return DISPLAY_STYLES.edge!;
  if (id.startsWith('trio') || id.startsWith('rove') || id.includes('base')) return DISPLAY_STYLES.trio!;
  if (id.startsWith('ccx')) return DISPLAY_STYLES.ccx!;
  if (id.startsWith('vvx')) return DISPLAY_STYLES.vvx!;
  return DISPLAY_STYLES.soundpoint!;
}

const LOGO = '[Poly logo]';

function fitFont(g: SKRSContext2D, text: string, family: string, px: number, maxWidth: number, weight = ''): number {
  let size = px;
  for (; size > 8; size--) {
    g.font = `${weight}${size}px "${family}"`;
    if (g.measureText(text).width <= maxWidth) break;
  }
  return size;
}

/** The display glass for a screen, as pixels. */
export function renderDisplay(screen: ScreenObservation, style: DisplayStyle): Raster {
  loadFonts();
  const { width: w, height: h } = style;
  const canvas = createCanvas(w, h);
  const g = canvas.getContext('2d');
  g.fillStyle = screen.lit ? style.background : style.unlit;
  g.fillRect(0, 0, w, h);
  if (screen.lit) {
    const labels = screen.softkeys;
    const stripH = labels.length > 0 ? Math.round(h * style.strip) : 0;
    const textH = h - stripH;
    g.textBaseline = 'alphabetic';
    g.fillStyle = style.text;
    let y = style.margin;
    for (const line of screen.lines) {
      if (line === LOGO) {
        const px = Math.round(textH * 0.38);
        g.font = `bold ${px}px "Sim Bold"`;
        const tw = g.measureText('poly').width;
        y += px * 0.95;
        g.fillText('poly', (w - tw) / 2, y);
        y += px * 0.3;
        continue;
      }
      const px = fitFont(g, line, style.font, style.textPx, w - 2 * style.margin);
      y += Math.round(style.textPx * 1.32);
      if (y > textH) break;
      const tw = g.measureText(line).width;
      g.fillText(line, style.center ? (w - tw) / 2 : style.margin, y - Math.round((style.textPx - px) / 2));
    }
    if (stripH > 0) {
      const cellW = w / labels.length;
      const pad = Math.max(2, Math.round(cellW * 0.04));
      labels.forEach((label, i) => {
        const x0 = Math.round(i * cellW) + pad;
        const y0 = textH + pad;
        const bw = Math.round(cellW) - 2 * pad;
        const bh = stripH - 2 * pad;
        g.fillStyle = style.softkeyFill;
        g.strokeStyle = style.softkeyBorder;
        g.lineWidth = 1.5;
        g.beginPath();
        g.roundRect(x0, y0, bw, bh, 4);
        g.fill();
        g.stroke();
        if (label === '') return;
        const px = fitFont(g, label, style.font, Math.round(style.textPx * 0.9), bw - 6);
        g.fillStyle = style.softkeyText;
        const tw = g.measureText(label).width;
        g.fillText(label, x0 + (bw - tw) / 2, y0 + bh / 2 + px * 0.36);
      });
    }
  }
  const img = g.getImageData(0, 0, w, h);
  return { width: w, height: h, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
}

/** Where things are on the rendered phone face. */
export interface FaceLayout {
  width: number;
  height: number;
  /** The display's corners on the face, clockwise from the top-left. */
  display: [Point, Point, Point, Point];
  /** Each LED's centre on the face. */
  leds: Record<string, Point>;
}

/** LED names every simulated unit may light, in the order they sit below the display. */
export const FACE_LEDS = ['mwi', 'mute', 'handsfree', 'headset', 'status', 'power'] as const;

/** The lit colour of an LED state, or undefined for off. Blinking and flashing LEDs alternate with time. */
export function ledColour(state: string | undefined, t: number): string | undefined {
  switch (state) {
    case undefined:
    case 'off':
      return undefined;
    case 'red':
      return '#ff2a1a';
    case 'amber':
      return '#ffa000';
    case 'blink':
      return Math.floor(t / 500) % 2 === 0 ? '#30ff50' : undefined;
    case 'flash':
      // "flashing in different colours" (seed 001, Trio C60): red and green by turns, about three times a second.
      return Math.floor(t / 150) % 2 === 0 ? '#30ff50' : '#ff2a1a';
    default:
      return '#30ff50';
  }
}

/** The phone's face: a dark bezel, the display inset, a row of LEDs below it. */
export function renderFace(display: Raster, leds: Record<string, string>, t: number): { face: Raster; layout: FaceLayout } {
  const bezel = Math.round(display.width * 0.12);
  const ledRow = Math.round(display.height * 0.22);
  const w = display.width + 2 * bezel;
  const h = display.height + 2 * bezel + ledRow;
  const canvas = createCanvas(w, h);
  const g = canvas.getContext('2d');
  g.fillStyle = '#2b2d31';
  g.fillRect(0, 0, w, h);
  g.fillStyle = '#1a1b1e';
  g.fillRect(bezel - 4, bezel - 4, display.width + 8, display.height + 8);
  const imageData = g.createImageData(display.width, display.height);
  imageData.data.set(display.data);
  g.putImageData(imageData, bezel, bezel);
  const ledY = bezel + display.height + bezel * 0.6 + ledRow * 0.3;
  const positions: Record<string, Point> = {};
  const step = display.width / FACE_LEDS.length;
  FACE_LEDS.forEach((name, i) => {
    const p = { x: bezel + step * (i + 0.5), y: ledY };
    positions[name] = p;
    const colour = ledColour(leds[name], t);
    g.beginPath();
    g.arc(p.x, p.y, Math.max(3, display.width * 0.018), 0, Math.PI * 2);
    g.fillStyle = colour ?? '#3a3c40';
    g.fill();
  });
  const img = g.getImageData(0, 0, w, h);
  const face = { width: w, height: h, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  const d = display;
  return {
    face,
    layout: {
      width: w,
      height: h,
      display: [
        { x: bezel, y: bezel },
        { x: bezel + d.width, y: bezel },
        { x: bezel + d.width, y: bezel + d.height },
        { x: bezel, y: bezel + d.height },
      ],
      leds: positions,
    },
  };
}
