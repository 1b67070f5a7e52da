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

  it('runUntil paced: the same timers in the same order, and virtual time never ahead of real time x pace', async () => {
    const pace = 100;
    const clock = new VirtualClock();
    const seen: [string, number, number][] = [];
    const t0 = performance.now();
    const note = (what: string) => seen.push([what, clock.now(), (performance.now() - t0) * pace]);
    clock.setTimeout(() => note('b'), 600);
    clock.setTimeout(() => note('a'), 300);
    const work = (async () => {
      await sleep(clock, 1000);
      note('end');
      return clock.now();
    })();
    await expect(clock.runUntil(work, undefined, { pace })).resolves.toBe(1000);
    expect(seen.map(([what, at]) => [what, at])).toEqual([
      ['a', 300],
      ['b', 600],
      ['end', 1000],
    ]);
    for (const [, at, realTimesPace] of seen) expect(at).toBeLessThanOrEqual(realTimesPace);
  });

  it('runUntil paced: virtual time flows while the work waits on something outside the clock', async () => {
    const pace = 1000;
    const clock = new VirtualClock();
    let farFired = false;
    clock.setTimeout(() => (farFired = true), 1e9);
    const t0 = performance.now();
    const work = new Promise<number>((resolve) => setTimeout(() => resolve(clock.now()), 20));
    const at = await clock.runUntil(work, undefined, { pace });
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThanOrEqual((performance.now() - t0) * pace);
    expect(farFired).toBe(false);
  });

  it('runUntil refuses a pace that is not positive', async () => {
    const clock = new VirtualClock();
    await expect(clock.runUntil(Promise.resolve(1), undefined, { pace: 0 })).rejects.toBeInstanceOf(RangeError);
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

describe('VirtualClock.hold', () => {
  it('no timer fires while real work it holds is in flight, and time does not move for it', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 10);
    let readAt = -1;
    // Real work (20 ms of wall time) started at virtual 0: the 10 ms timer must wait for it.
    const real = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => {
      readAt = clock.now();
      expect(fired).toEqual([]);
    });
    clock.hold(real);
    expect(clock.held()).toBe(1);
    await clock.runUntil(sleep(clock, 50));
    expect(readAt).toBe(0);
    expect(fired).toEqual([10]);
    expect(clock.held()).toBe(0);
  });

  it('a held promise that rejects releases time too, and its rejection stays with its owner', async () => {
    const clock = new VirtualClock();
    const failing = clock.hold(new Promise<void>((_, reject) => setTimeout(() => reject(new Error('x')), 5)));
    await expect(failing).rejects.toThrow('x');
    await clock.runUntil(sleep(clock, 5));
    expect(clock.held()).toBe(0);
  });
});
