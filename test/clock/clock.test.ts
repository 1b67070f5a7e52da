import { describe, expect, it } from 'vitest';
import { ClockStallError, sleep, VirtualClock } from '../../src/clock/clock.js';

describe('VirtualClock', () => {
  it('fires timers in time order, then insertion order', () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimeout(() => seen.push('b@20'), 20);
    clock.setTimeout(() => seen.push('a@10'), 10);
    clock.setTimeout(() => seen.push('c@20'), 20);
    clock.advance(15);
    expect(seen).toEqual(['a@10']);
    expect(clock.now()).toBe(15);
    clock.advance(10);
    expect(seen).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('cleared timers never fire', () => {
    const clock = new VirtualClock();
    let fired = false;
    const id = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(id);
    clock.advance(10);
    expect(fired).toBe(false);
  });

  it('runUntil lets promise chains run between timers and jumps time', async () => {
    const clock = new VirtualClock();
    const work = (async () => {
      await sleep(clock, 180_000);
      await Promise.resolve();
      await sleep(clock, 1);
      return clock.now();
    })();
    await expect(clock.runUntil(work)).resolves.toBe(180_001);
  });

  it('runUntil reports a deadlock instead of hanging', async () => {
    const clock = new VirtualClock();
    await expect(clock.runUntil(new Promise(() => {}))).rejects.toBeInstanceOf(ClockStallError);
  });

  it('sleep rejects when aborted and its timer goes away', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const p = sleep(clock, 1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
  });
});
