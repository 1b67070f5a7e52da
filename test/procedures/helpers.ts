import type { Key } from '../../src/bench/keys.js';
import type { ScreenObservation } from '../../src/bench/types.js';
import type { VirtualClock } from '../../src/clock/clock.js';
import type { SimDevice } from '../../src/sim/device.js';
import { runUntil } from '../sim/helpers.js';

export { runOut, runUntil } from '../sim/helpers.js';

/* Driving a simulated unit by hand, as a technician follows the source. (Runs of the machines: ../machines/helpers.ts.) */

export function waitFor(clock: VirtualClock, unit: SimDevice, pred: (s: ScreenObservation) => boolean, limitMs?: number): void {
  runUntil(clock, () => pred(unit.screen()), limitMs);
}

export function down(unit: SimDevice, keys: Key[]): void {
  for (const k of keys) unit.keyDown(k);
}

export function up(unit: SimDevice, keys: Key[]): void {
  for (const k of keys) unit.keyUp(k);
}

export const isLogo = (s: ScreenObservation): boolean => s.lit && s.lines[0] === '[Poly logo]';
export const isIdle = (s: ScreenObservation): boolean => s.lit && /^Line 1: /.test(s.lines[1] ?? '');
export const happened = (unit: SimDevice, prefix: string): boolean => unit.truth().events.some((e) => e.what.startsWith(prefix));
export const CORNERS: Key[] = ['corner-tl', 'corner-tr', 'corner-bl', 'corner-br'];
