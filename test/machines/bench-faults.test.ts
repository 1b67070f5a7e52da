/**
 * The driver's unprompted news (a board reset, a lost link, the board's watchdog, a hold cut at its limit) fails the
 * attempt in progress as a bench failure with that code, whatever state it is in; the retry starts from power-off and
 * keeps what it was trying (a bench failure says nothing about the combo). Checked on the simulator (its driver's own
 * lost link and hold limit, and a board's reset and watchdog given by hand), and through the serial driver on the real
 * firmware in avr8js, where the board's banner comes after the camera has seen the phone go dark.
 */
import { describe, expect, it } from 'vitest';
import type { Key } from '../../src/bench/keys.js';
import type { Bench, DriverEvent } from '../../src/bench/types.js';
import { createBench } from '../../src/bench/bench.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import { SerialDriver } from '../../src/bench/serial.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { BenchError } from '../../src/errors/errors.js';
import { runReset } from '../../src/machines/run-reset.js';
import { benchFault } from '../../src/machines/runner.js';
import { createVirtualBench } from '../../src/sim/virtual-bench.js';
import { holdsExactly, simProvision } from '../provision/helpers.js';
import { newsBench, once, poll, simRun, type NewsBench } from './helpers.js';

const MAC = '0004f2aa814c';
/** IP 560: the seeds give two combos (4 6 8 *, then 1 3 5 7); this phone answers to the first. */
const IP560: { model: string; options: { combo: Key[] } } = { model: 'IP 560', options: { combo: ['4', '6', '8', '*'] } };

describe('the keypad machine on the simulator', () => {
  it('the link lost while the combo is held: a bench failure, not a missed window; the combo is not given up', async () => {
    const drop = once('holding', 1500, (s) => s.driver.dropLink('test: the USB cable pulled'));
    const { record, truth, sim } = await simRun({ ...IP560, seed: 3, onState: drop.onState });
    expect(drop.at).toBeGreaterThan(0);
    expect(record.attemptLog[0]).toMatchObject({ result: 'fail', combo: ['4', '6', '8', '*'], failure: { class: 'bench', code: 'link-lost' } });
    // Every retry fails on the dead link, each with the same combo: none was taken for the wrong one.
    expect(record.attemptLog.length).toBeGreaterThan(1);
    for (const a of record.attemptLog) expect(a).toMatchObject({ combo: ['4', '6', '8', '*'], failure: { class: 'bench', code: 'link-lost' } });
    expect(record.outcome).toBe('error');
    expect(truth.factoryDefaults).toBe(false);
    expect(sim.jig.energised()).toEqual([]);
  });

  for (const announceFirst of [false, true]) {
    it(`a board reset while the combo is held (${announceFirst ? 'reported before' : 'reported after'} the screen goes dark): a bench failure; the retry holds the same combo and passes`, async () => {
      let resetAt = -1;
      const { record, truth } = await simRun({
        ...IP560,
        seed: 3,
        bench: (sim, clock) => {
          const news = newsBench(sim);
          poll(
            clock,
            () => sim.jig.energised().length === 4,
            () => {
              resetAt = clock.now();
              news.boardReset(announceFirst);
            },
          );
          return news.bench;
        },
      });
      expect(resetAt).toBeGreaterThan(0);
      expect(record.attemptLog.map((a) => [a.result, a.failure?.code, a.combo.join(' ')])).toEqual([
        ['fail', 'board-reset', '4 6 8 *'],
        ['pass', undefined, '4 6 8 *'],
      ]);
      expect(record.attemptLog[0]!.failure!.class).toBe('bench');
      expect(record.attemptLog[0]!.endMs).toBeGreaterThanOrEqual(resetAt);
      expect(record.outcome).toBe('pass');
      expect(truth.factoryDefaults).toBe(true);
      expect(truth.resets).toBe(1);
    });
  }

  it("the board's watchdog while the password is typed: a bench failure, then a pass from power-off", async () => {
    let news!: NewsBench;
    const fire = once('typing', 1000, () => news.watchdog());
    const { record, truth } = await simRun({ seed: 5, bench: (sim) => (news = newsBench(sim)).bench, onState: fire.onState });
    expect(fire.at).toBeGreaterThan(0);
    expect(record.attemptLog[0]).toMatchObject({ result: 'fail', failure: { class: 'bench', code: 'watchdog' } });
    expect(record.outcome).toBe('pass');
    expect(record.attempts).toBe(2);
    expect(record.steps.find((s) => s.attempt === 2)!.step).toBe('power-off');
    expect(truth.factoryDefaults).toBe(true);
  });

  it('a hold cut at the board limit that the run did not plan: a bench failure', async () => {
    const { record, truth } = await simRun({
      ...IP560,
      seed: 3,
      bench: (sim, clock) => {
        const news = newsBench(sim);
        poll(clock, () => sim.jig.energised().length === 4, () => news.holdLimit());
        return news.bench;
      },
    });
    expect(record.attemptLog[0]).toMatchObject({ result: 'fail', combo: ['4', '6', '8', '*'], failure: { class: 'bench', code: 'hold-limit' } });
    expect(record.attemptLog[1]).toMatchObject({ result: 'pass', combo: ['4', '6', '8', '*'] });
    expect(truth.factoryDefaults).toBe(true);
  });

  it('a hold the run plans to the board limit (blind, the combo held as long as the board allows): its cut is no fault', async () => {
    const comboHoldMs = getCatalog().find('VVX 410').timing.comboHoldMs;
    const events: DriverEvent[] = [];
    const { record } = await simRun({
      seed: 3,
      blind: true,
      maxHoldMs: comboHoldMs,
      bench: (sim) => {
        sim.driver.onEvent((e) => events.push(e));
        return sim.bench;
      },
    });
    expect(events.map((e) => e.kind)).toContain('hold-limit');
    expect(record.outcome).toBe('unverified');
    expect(record.attempts).toBe(1);
  });
});

describe('the step machine and the provisioning machine on the simulator', () => {
  it('Trio C60: a board reset with the corners held fails that attempt as a bench failure; the next passes', async () => {
    const { record, truth } = await simRun({
      model: 'Trio C60',
      seed: 11,
      bench: (sim, clock) => {
        const news = newsBench(sim);
        poll(clock, () => sim.jig.energised().length === 4, () => news.boardReset());
        return news.bench;
      },
    });
    expect(record.attemptLog.map((a) => [a.result, a.failure?.class, a.failure?.code])).toEqual([
      ['fail', 'bench', 'board-reset'],
      ['pass', undefined, undefined],
    ]);
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.resets).toBe(1);
  });

  it('provisioning: a board reset in the Setup menu fails that attempt as a bench failure; the retry, with the same admin password, sets everything', async () => {
    let news!: NewsBench;
    const reset = once('pressSelect', 100, () => news.boardReset());
    const { record, sim, request } = await simProvision({
      seed: 8,
      options: { adminPassword: '456' },
      bench: (s) => (news = newsBench(s)).bench,
      onState: reset.onState,
    });
    expect(reset.at).toBeGreaterThan(0);
    expect(record.attemptLog.map((a) => [a.result, a.failure?.code, a.adminPasswordIndex])).toEqual([
      ['fail', 'board-reset', 0],
      ['pass', undefined, 0],
    ]);
    expect(record.outcome).toBe('pass');
    expect(holdsExactly(sim, request)).toBe(true);
  });
});

describe('through the serial driver on the real firmware in avr8js', () => {
  it('the board resets while the combo is held: recorded as a bench failure board-reset, the same combo next, and a pass on the phone\'s truth', async () => {
    const model = getCatalog().find(IP560.model);
    const clock = new VirtualClock();
    const fixture = fixtureFor(model);
    // The firmware in avr8js: the phone's boot waits pass 8 times faster (quickBoot; never a window or a countdown).
    const vb = createVirtualBench({ board: 'firmware', clock, modelId: model.id, mac: MAC, fixture, seed: 11, phoneOptions: IP560.options, quickBoot: 1 / 8 });
    const driver = new SerialDriver({ path: vb.path, clock, binding: vb.binding });
    await clock.runUntil(driver.open());
    const news: string[] = [];
    driver.onEvent((e) => news.push(e.kind));
    let resetAt = -1;
    const record = await clock.runUntil(
      runReset({
        model,
        mac: MAC,
        bench: createBench(driver, fixture, vb.observer),
        clock,
        onState: (state, attempt) => {
          if (state !== 'holding' || attempt !== 1 || resetAt !== -1) return;
          resetAt = 0;
          clock.setTimeout(() => {
            resetAt = clock.now();
            vb.board.reset(); // a brown-out: every output and the relay off, the banner once the firmware restarts
          }, 1500);
        },
      }),
    );
    expect(resetAt).toBeGreaterThan(0);
    expect(news).toContain('board-reset');
    expect(record.attemptLog.map((a) => [a.result, a.failure?.class, a.failure?.code, a.combo.join(' ')])).toEqual([
      ['fail', 'bench', 'board-reset', '4 6 8 *'],
      ['pass', undefined, undefined, '4 6 8 *'],
    ]);
    expect(record.outcome).toBe('pass');
    const truth = vb.phone.truth();
    expect(truth.factoryDefaults).toBe(true);
    expect(truth.resets).toBe(1);
    expect(vb.board.channels()).toEqual([]);
    await clock.runUntil(driver.close());
    vb.dispose();
  });
});

describe('the runner', () => {
  it('turns board resets, lost links and watchdogs into bench faults; a sensor reading never; a hold cut only when not planned', () => {
    expect(benchFault({ kind: 'board-reset', banner: '# resetbot-fw' }, false)).toMatchObject({ type: 'BENCH_FAULT', code: 'board-reset' });
    expect(benchFault({ kind: 'link-lost', reason: 'unplugged' }, true)).toMatchObject({ code: 'link-lost', reason: expect.stringMatching(/unplugged/) });
    expect(benchFault({ kind: 'watchdog' }, false)).toMatchObject({ code: 'watchdog' });
    expect(benchFault({ kind: 'hold-limit', channels: [3, 4] }, false)).toMatchObject({ code: 'hold-limit', reason: expect.stringMatching(/channels 3, 4/) });
    expect(benchFault({ kind: 'hold-limit', channels: [3] }, true)).toBeUndefined();
    expect(benchFault({ kind: 'sensor', value: 512 }, false)).toBeUndefined();
  });
});
