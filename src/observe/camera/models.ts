/**
 * What the camera needs of a model: how many cells its softkey strip has. Softkey counts are not in the seeds; these
 * follow the phones' displays (a VVX, a SoundPoint and an Edge E show four softkeys at the bottom of the display; the
 * touch-screen units and base stations have none). A station's `camera.softkeys` overrides it.
 */
import type { Family } from '../../catalog/types.js';

const SOFTKEYS: Record<Family, number> = {
  vvx: 4,
  'soundpoint-ip': 4,
  'soundstation-ip': 4,
  spectralink: 0,
  trio: 0,
  edge: 4,
  ccx: 0,
  rove: 0,
  visualpro: 0,
  'dect-base': 0,
};

export function softkeyCount(family: Family): number {
  return SOFTKEYS[family];
}
