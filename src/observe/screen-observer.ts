/**
 * The machines' Observer (bench/types.ts: current() and subscribe() of plain screens) over any screen-making
 * ObservationSource: the machines stay as they are, whichever observer sees the screen.
 */
import type { Observer, ScreenObservation } from '../bench/types.js';
import type { Clock } from '../clock/clock.js';
import type { ObservationSource } from './types.js';

const DARK: ScreenObservation = { lines: [], softkeys: [], leds: {}, lit: false };

export function screenObserverOf(source: ObservationSource): Observer {
  return {
    kind: 'screen',
    // The record's evidence names the observer that saw each screen (`camera:ffmpeg:/dev/video0`, not just "screen").
    name: source.name,
    current: () => {
      const s = source.current?.() ?? DARK;
      return { lines: [...s.lines], softkeys: [...s.softkeys], leds: { ...s.leds }, lit: s.lit };
    },
    subscribe: (listener) =>
      source.subscribe((o) => {
        if (o.kind === 'screen') listener(o.screen);
      }),
    lookAgain: () => source.lookAgain?.(),
  };
}

/**
 * The first screen, shown now or to come, that `accepts`; undefined when none comes within `deadlineMs` of the clock.
 * A camera shows a key's effect some frames after the tap (frame interval, latency, frames that must agree), so what
 * acts on the screen a tap makes waits for it here instead of reading the observer once.
 */
export function nextScreen(
  observer: Observer,
  clock: Clock,
  accepts: (s: ScreenObservation) => boolean,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<ScreenObservation | undefined> {
  return new Promise<ScreenObservation | undefined>((resolve, reject) => {
    let settled = false;
    const finish = (s: ScreenObservation | undefined, err?: unknown) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve(s);
    };
    const look = (s: ScreenObservation) => {
      if (accepts(s)) finish(s);
    };
    const onAbort = () => finish(undefined, signal!.reason);
    const unsubscribe = observer.subscribe(look);
    const deadline = clock.setTimeout(() => finish(undefined), deadlineMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    else look(observer.current());
  });
}
