import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import { checkIdentity, identityBeforeTyping, type NetworkSource } from '../../src/observe/network/proof.js';
import type { IdentitySeen, Observation } from '../../src/observe/types.js';

/** An observer whose observations the test makes (the proof's logic alone, no network). */
function fakeObserver(): NetworkSource & { emit(o: Observation): void } {
  const log: Observation[] = [];
  const listeners = new Set<(o: Observation) => void>();
  return {
    name: 'fake',
    provides: new Set(['identity', 'boot', 'probe']),
    start: async () => {},
    stop: async () => {},
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    observations: () => [...log],
    emit(o) {
      log.push(o);
      for (const l of listeners) l(o);
    },
  };
}

const id = (mac: string, t: number): IdentitySeen => ({ kind: 'identity', source: 'network:dhcp', confidence: 1, t, mac, model: 'VVX_410' });

describe('identityBeforeTyping', () => {
  it("takes the first identity heard from `since` on, not the previous phone's", async () => {
    const clock = new VirtualClock(1_000);
    const obs = fakeObserver();
    obs.emit(id('0004f2000001', 500));
    clock.setTimeout(() => obs.emit(id('0004f2000002', clock.now())), 2_000);
    const seen = await clock.runUntil(identityBeforeTyping(obs, clock, 10_000));
    expect(seen?.mac).toBe('0004f2000002');
    expect(seen?.t).toBe(3_000);
  });

  it('is undefined when nothing is heard in time, after exactly the timeout', async () => {
    const clock = new VirtualClock();
    const seen = await clock.runUntil(identityBeforeTyping(fakeObserver(), clock, 60_000));
    expect(seen).toBeUndefined();
    expect(clock.now()).toBe(60_000);
  });
});

describe('checkIdentity', () => {
  it('names the MAC heard when it is not the label', () => {
    const r = checkIdentity(id('0004f2bbbbbb', 0), '0004f2aaaaaa');
    expect(r.matches).toBe(false);
    expect(r.entry).toMatchObject({ about: 'identity', proof: 'dhcp', holds: false, detail: expect.stringContaining("names 0004f2bbbbbb, not the label's 0004f2aaaaaa") });
    expect(checkIdentity(id('0004f2aaaaaa', 0), '0004F2AAAAAA').matches).toBe(true);
  });
});
