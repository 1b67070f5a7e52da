import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { mulberry } from '../../bench/random.js';
import { macFor, simRun } from './helpers.js';

const models = getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');

describe('factory reset on the simulated phone, every model, random MACs and jitter', () => {
  const rand = mulberry(7);
  const cases = models.flatMap((m) => [0, 1].map((i) => ({ id: m.id, mac: macFor(rand), seed: 1000 + Math.floor(rand() * 1e6) + i })));

  it.each(cases)('$id $mac seed $seed: passes, and only because the phone reset', async ({ id, mac, seed }) => {
    const { record, truth } = await simRun({ model: id, mac, seed });
    // The simulator decides: a pass must mean the phone is at factory defaults, and the reverse.
    expect(record.outcome === 'pass').toBe(truth.factoryDefaults);
    expect(record.outcome, `${record.summary} ${JSON.stringify(record.failure)}`).toBe('pass');
    expect(truth.resets).toBe(1);
  });
});

describe('the controller never claims what it did not see', () => {
  it('a misread label (the phone has another MAC) never passes', async () => {
    const rand = mulberry(11);
    for (let i = 0; i < 6; i++) {
      const mac = macFor(rand);
      const realMac = macFor(rand);
      const { record, truth } = await simRun({ mac, realMac, seed: i });
      expect(truth.factoryDefaults).toBe(false);
      expect(record.outcome).toBe('fail');
      expect(record.failure?.class).toBe('phone');
      expect(record.failure?.code).toBe('password-rejected');
      expect(record.attempts).toBe(getCatalog().find('VVX 410').timing.maxAttempts);
    }
  });

  it('a blind bench (no camera) that completes is unverified, even when the phone did reset', async () => {
    let sawReset = false;
    for (let seed = 0; seed < 8; seed++) {
      const { record, truth } = await simRun({ mac: '0004f2aa814c', seed, blind: true });
      expect(record.outcome).toBe('unverified');
      expect(record.observed).toBe(false);
      sawReset ||= truth.factoryDefaults;
    }
    // The blind schedule is a guess at the seeds' windows: it must at least sometimes land.
    expect(sawReset).toBe(true);
  });
});

describe('retries start again from power-off', () => {
  it('a Cancel solenoid that misfires is retried, and the retry begins with power-off', async () => {
    const { record, truth } = await simRun({
      mac: '0004f2aa814c',
      seed: 5,
      faults: { misfire: [{ key: 'softkey1', p: 0.6 }] },
    });
    expect(record.outcome === 'pass').toBe(truth.factoryDefaults);
    const failed = record.attemptLog.filter((a) => a.result === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const a of record.attemptLog.slice(1)) {
      const first = record.steps.find((s) => s.attempt === a.attempt);
      expect(first?.step).toBe('power-off');
    }
  });

  it('a missed window (Cancel window too short to catch) fails as a phone failure after every attempt', async () => {
    // A camera sees the softkey 150 ms late: a window of 50 ms is gone before Cancel can land.
    const { record, truth } = await simRun({ mac: '0004f2aa814c', seed: 9, faults: { shortCancelWindowMs: 50, observerLatencyMs: 150 } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.outcome).toBe('fail');
    expect(record.failure?.class).toBe('phone');
    expect(record.attempts).toBeGreaterThan(1);
  });

  it('where the seeds disagree on the combo, the next combo is tried when no prompt comes', async () => {
    // The simulated IP 560 truly takes 1+3+5+7 (seed 003), while the catalog tries 4+6+8+* first (seeds 001, 002).
    const { record, truth } = await simRun({ model: 'IP 560', mac: '0004f2123abc', seed: 3, options: { combo: ['1', '3', '5', '7'] } });
    expect(truth.factoryDefaults).toBe(true);
    expect(record.outcome).toBe('pass');
    expect(record.attemptLog[0]!.combo).toEqual(['4', '6', '8', '*']);
    expect(record.attemptLog[0]!.failure?.code).toBe('no-prompt');
    expect(record.attemptLog.at(-1)!.combo).toEqual(['1', '3', '5', '7']);
  });

  it('a lost serial link is a bench failure, retried; once the link stays down the run ends in error', async () => {
    const { record, truth } = await simRun({ mac: '0004f2aa814c', seed: 2, faults: { linkLostAfterCommands: 3 } });
    expect(truth.factoryDefaults).toBe(false);
    expect(record.outcome).toBe('error');
    expect(record.failure?.class).toBe('bench');
  });
});

describe('abort', () => {
  it('Ctrl-C during the combo hold releases every solenoid and switches the relay off', async () => {
    const { record, sim } = await simRun({
      mac: '0004f2aa814c',
      seed: 4,
      abortWhen: (s) => s.jig.energised().length >= 3,
    });
    expect(record.outcome).toBe('aborted');
    expect(sim.jig.energised()).toEqual([]);
    expect(sim.jig.relayOn()).toBe(false);
    const trace = sim.jig.trace();
    const last = new Map<string, boolean>();
    for (const t of trace) last.set(String(t.channel), t.on);
    for (const [channel, on] of last) expect(on, `channel ${channel}`).toBe(false);
  });
});

describe('the record', () => {
  it('holds every step with bench times, in order, and the attempt log', async () => {
    const { record, sim } = await simRun({ mac: '0004f2aa814c', seed: 1 });
    expect(record.outcome).toBe('pass');
    // The simulated phone's own account: reset, and the phone the record names.
    expect(sim.phone.truth()).toMatchObject({ factoryDefaults: true, mac: '0004f2aa814c' });
    const names = record.steps.map((s) => s.step);
    expect(names.slice(0, 3)).toEqual(['power-off', 'power-on', 'await-cancel']);
    expect(names).toContain('hold-combo');
    expect(names).toContain('type-password');
    expect(names.at(-1)).toBe('await-reboots');
    for (let i = 1; i < record.steps.length; i++) {
      expect(record.steps[i]!.startMs).toBeGreaterThanOrEqual(record.steps[i - 1]!.endMs);
    }
    expect(record.steps[0]!.endMs - record.steps[0]!.startMs).toBeGreaterThanOrEqual(0);
    expect(record.durationMs).toBeGreaterThan(60_000);
  });
});
