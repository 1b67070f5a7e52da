/**
 * A set of listeners, for the bench drivers' events and the simulator's boards and units: `add` returns the
 * unsubscribe function; `emit` calls every listener subscribed when it starts (one that unsubscribes or subscribes
 * another meanwhile does not change that call).
 */
export class Listeners<A extends unknown[]> {
  private readonly fns = new Set<(...args: A) => void>();

  add(fn: (...args: A) => void): () => void {
    this.fns.add(fn);
    return () => {
      this.fns.delete(fn);
    };
  }

  emit(...args: A): void {
    for (const fn of [...this.fns]) fn(...args);
  }

  clear(): void {
    this.fns.clear();
  }
}
