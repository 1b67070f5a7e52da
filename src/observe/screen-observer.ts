/**
 * The machines' Observer (bench/types.ts: current() and subscribe() of plain screens) over any screen-making
 * ObservationSource: the machines stay as they are, whichever observer sees the screen.
 */
import type { Observer, ScreenObservation } from '../bench/types.js';
import type { ObservationSource } from './types.js';

const DARK: ScreenObservation = { lines: [], softkeys: [], leds: {}, lit: false };

export function screenObserverOf(source: ObservationSource): Observer {
  return {
    kind: 'screen',
    current: () => {
      const s = source.current?.() ?? DARK;
      return { lines: [...s.lines], softkeys: [...s.softkeys], leds: { ...s.leds }, lit: s.lit };
    },
    subscribe: (listener) =>
      source.subscribe((o) => {
        if (o.kind === 'screen') listener(o.screen);
      }),
  };
}
