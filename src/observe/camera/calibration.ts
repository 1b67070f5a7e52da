/**
 * A camera's calibration, as given on the command line or in a station's `camera` section: the display's corners,
 * the softkey cell count, LED points.
 */
import { ConfigError } from '../../errors/errors.js';
import type { Point, Quad } from '../../image/raster.js';

/** `x1,y1,x2,y2,x3,y3,x4,y4`: top-left, top-right, bottom-right, bottom-left, in image pixels. */
export function parseCorners(text: string, what = '--screen'): Quad {
  const n = text.split(',').map((v) => Number(v.trim()));
  if (n.length !== 8 || n.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new ConfigError(
      'bad-corners',
      `${what} '${text}' is not eight pixel coordinates`,
      'give the display corners clockwise from the top-left as x1,y1,x2,y2,x3,y3,x4,y4 (resetbot camera calibrate finds them)',
    );
  }
  const q = [0, 1, 2, 3].map((i) => ({ x: n[2 * i]!, y: n[2 * i + 1]! })) as Quad;
  // Clockwise (in image coordinates, y down): the signed area is positive.
  let area = 0;
  for (let i = 0; i < 4; i++) area += q[i]!.x * q[(i + 1) % 4]!.y - q[(i + 1) % 4]!.x * q[i]!.y;
  if (!(area > 16)) {
    throw new ConfigError('bad-corners', `${what} '${text}' is not a display outline clockwise from the top-left`, 'list the corners top-left, top-right, bottom-right, bottom-left');
  }
  return q;
}

/** `name=x,y`. */
export function parseLedPoint(text: string): [string, Point] {
  const m = /^([a-z][\w-]*)=(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/i.exec(text.trim());
  if (!m) throw new ConfigError('bad-led', `LED point '${text}' is not name=x,y`, 'give an LED as its name and pixel position, e.g. --led mwi=512,300');
  return [m[1]!.toLowerCase(), { x: Number(m[2]), y: Number(m[3]) }];
}

export function parseSoftkeys(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 8) throw new ConfigError('bad-softkeys', `--softkeys '${text}' is not a count from 0 to 8`, 'give the number of softkey cells at the bottom of the display');
  return n;
}
