import { and, assign, setup } from 'xstate';
import type { AttemptRecord, Failure } from '../batch/record.js';
import type { Bench, ScreenObservation } from '../bench/types.js';
import type { PhoneModel, ProcedureStep, StepProcedure } from '../catalog/types.js';
import { MENU_ANSWER_MS } from '../catalog/procedures.js';
import { sleep, type Clock } from '../clock/clock.js';
import { PhoneError } from '../errors/errors.js';
import type { Plan } from '../text-entry/types.js';
import {
  attemptSpan,
  benchOp,
  benchStep,
  canRetry,
  closeStep,
  END_STATES,
  failureOf,
  newRunLog,
  nextAttempt,
  onBenchFault,
  runActions,
  runOutput,
  type RunLog,
} from './attempts.js';
import { awaitScreen, powerCycle, selectMenuItem, switchPower, tap, waitForSign, type BlockContext } from './blocks.js';
import type { ResetOutput, RunNotes } from './factory-reset.js';
import type { RunnerEvent } from './runner.js';
import { typePlan } from './typing.js';

/*
 * The step machine: runs a step procedure (catalog/types.ts StepProcedure: Poly Edge B, the touch-screen phones, the
 * base stations, the VisualPro, the menu reset, the reboot combo) one building block at a time.
 *
 *   attempt: step 0 -> step 1 -> ... -> last step (its `confirm`) -> passed | unverified (blind bench)
 *   any failure, or a fault the driver reports -> recover (every solenoid released) -> a new attempt from step 0,
 *   or failed;   ABORT anywhere -> aborting (everything released) -> aborted   (attempts.ts)
 *
 * Each step is one invoked promise (blocks.ts); leaving its state (a failure elsewhere, an abort) aborts it. The
 * record names every step with its building block and, in `detail`, what it did or waited for.
 */

export interface StepRunInput {
  model: PhoneModel;
  mac: string;
  bench: Bench;
  clock: Clock;
  procedure: StepProcedure;
  /** The key plan of the admin password, for `type-admin-password` steps. */
  adminPlan?: Plan;
  /** On a blind bench: the network saw the reset's reboots end (runner.ts RunOn.rebootsSeen). */
  rebootsSeen?: (since: number, signal: AbortSignal) => Promise<boolean>;
  /** On a blind bench: how long to wait out the `confirm` (calibration's watched restarts), if shorter than its deadline. */
  blindConfirmMs?: number;
}

interface Ctx extends StepRunInput, RunLog<AttemptRecord> {
  index: number;
  /** What the run saw, for the calibration file: a watched confirm's length. */
  notes: RunNotes;
}

/** What a step does, in words, for the record. */
export function describeStep(step: ProcedureStep): string {
  switch (step.do) {
    case 'hold':
    case 'release':
      return step.keys.join('+');
    case 'press':
      return `${step.keys.join('+')}${step.ms !== undefined ? ` for ${step.ms} ms` : ''}`;
    case 'wait':
      return `${step.ms} ms`;
    case 'wait-for':
      return step.nth && step.nth > 1 ? `${step.sign.what} (appearance ${step.nth})` : step.sign.what;
    case 'menu':
      return step.item;
    case 'softkey':
      return `the softkey labelled /${step.label}/`;
    case 'confirm':
      return step.signs.map((s) => s.what).join(', then ');
    default:
      return '';
  }
}

/** The keys, touch points and buttons a procedure holds or presses (the record's `combo`). */
export function gestureKeys(procedure: StepProcedure): string[] {
  const keys = new Set<string>();
  for (const s of procedure.steps) if (s.do === 'hold' || s.do === 'press') for (const k of s.keys) keys.add(k);
  return [...keys];
}

async function runStep(c: Ctx, signal: AbortSignal): Promise<void> {
  const step = c.procedure.steps[c.index]!;
  const ctx: BlockContext = { model: c.model, bench: c.bench, clock: c.clock };
  const blind = c.bench.observer === undefined;
  switch (step.do) {
    case 'power-cycle':
      return powerCycle(ctx, signal);
    case 'power-off':
      return switchPower(ctx, false, signal);
    case 'power-on':
      // A retry starts after `recover` switched the relay off: the phone must stay off the profile's off time, or a
      // supply that rides through a short cut never reboots it (seed 000: "unplug it count to 10").
      if (c.attempt > 1 && c.index === 0 && c.bench.fixture.relay) await switchPower(ctx, false, signal);
      return switchPower(ctx, true, signal);
    case 'hold':
      return c.bench.hold(step.keys);
    case 'release':
      return c.bench.release(step.keys);
    case 'press':
      await c.bench.press(step.keys, step.ms ?? c.model.timing.keyTapMs, signal);
      return sleep(c.clock, c.model.timing.keyGapMs, signal);
    case 'wait':
      return sleep(c.clock, step.ms, signal);
    case 'wait-for':
      if (blind) return sleep(c.clock, step.blindMs, signal);
      return waitForSign(
        ctx,
        step.sign,
        {
          deadlineMs: step.deadlineMs,
          failCode: step.failCode,
          ...(step.failReason ? { failReason: step.failReason } : {}),
          ...(step.nth ? { nth: step.nth } : {}),
        },
        signal,
      );
    case 'menu':
      return selectMenuItem(ctx, step.item, signal);
    case 'type-admin-password':
      if (!c.adminPlan) throw new Error('a type-admin-password step without an admin password plan (bug)');
      return typePlan(c.bench, c.adminPlan, c.model.textEntry, c.clock, signal).then(() => undefined);
    case 'softkey': {
      let key = step.key;
      if (c.bench.observer) {
        // The screen that offers it may still be coming (a camera shows a tap's effect some frames later).
        const labelled = (s: ScreenObservation) => s.softkeys.some((l) => new RegExp(step.label, 'i').test(l));
        const labels = ((await awaitScreen(ctx, labelled, MENU_ANSWER_MS, signal)) ?? c.bench.observer.current()).softkeys;
        const i = labels.findIndex((l) => new RegExp(step.label, 'i').test(l));
        if (i < 0) throw new PhoneError('no-softkey', `no softkey labelled /${step.label}/ (the softkeys read: ${labels.filter((l) => l).join(', ') || 'none'})`);
        key = `softkey${i + 1}`;
      }
      return tap(ctx, key, signal);
    }
    case 'confirm': {
      // A blind bench cannot see the end: it keeps the power on for the longest the end may take (its deadline), so
      // that the reset completes before the run releases the bench; the machine then makes the run `unverified`. The
      // network may see the unit's restart end sooner: the wait ends there (the network's probe proves the reset).
      if (blind) return blindConfirm(c, Math.min(step.deadlineMs, c.blindConfirmMs ?? Infinity), signal);
      const from = c.clock.now();
      const until = from + step.deadlineMs;
      for (const sign of step.signs) {
        await waitForSign(ctx, sign, { deadlineMs: Math.max(0, until - c.clock.now()), failCode: 'no-reset' }, signal);
        // The record names the observer that saw each sign of the end.
        c.notes.evidence.push({
          about: c.procedure.kind === 'reboot' ? 'reboot' : 'reset',
          proof: 'screen',
          source: c.bench.observer?.name ?? 'screen',
          t: c.clock.now(),
          holds: true,
          detail: `seen: ${sign.what}`,
        });
      }
      c.notes.confirmTookMs = c.clock.now() - from;
      return;
    }
  }
}

/** The blind `confirm`: its deadline, or until the network has seen the reset's reboots, whichever comes first. */
async function blindConfirm(c: Ctx, deadlineMs: number, signal: AbortSignal): Promise<void> {
  if (!c.rebootsSeen) return sleep(c.clock, deadlineMs, signal);
  const done = new AbortController();
  const both = AbortSignal.any([signal, done.signal]);
  const since = c.clock.now();
  try {
    await Promise.race([
      sleep(c.clock, deadlineMs, both),
      // Not seen within its own timeout (or the observer failed): the schedule's wait goes on.
      c.rebootsSeen(since, both).then(
        (seen) => (seen ? undefined : new Promise<void>(() => {})),
        () => new Promise<void>(() => {}),
      ),
    ]);
  } finally {
    done.abort();
  }
}

function attemptRecord(c: Ctx, result: AttemptRecord['result'], failure?: Failure): AttemptRecord {
  return { attempt: c.attempt, combo: gestureKeys(c.procedure), ...attemptSpan(c, result, failure) };
}

const bench = benchStep<Ctx>('stepProcedure');

export const stepMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as RunnerEvent,
    input: {} as StepRunInput,
    output: {} as ResetOutput,
  },
  actors: { benchOp },
  guards: {
    lastStep: ({ context: c }) => c.index >= c.procedure.steps.length - 1,
    blind: ({ context: c }) => c.bench.observer === undefined,
    canRetry: ({ context: c }) => canRetry(c.failure, c.attempt, c.model.timing, c.clock.now() - c.startMs),
  },
  actions: {
    ...runActions<Ctx>(),
    startAttempt: assign(({ context: c }) => ({ ...nextAttempt(c), index: 0 })),
    openStep: assign(({ context: c }) => {
      const step = c.procedure.steps[c.index]!;
      const detail = describeStep(step);
      return closeStep(c, step.do, detail === '' ? undefined : detail);
    }),
    nextStep: assign(({ context: c }) => ({ index: c.index + 1 })),
    endAttemptFailed: assign(({ context: c }) => ({ attemptLog: [...c.attemptLog, attemptRecord(c, 'fail', failureOf(c))] })),
    endAttemptPassed: assign(({ context: c }) => {
      const last = c.procedure.steps.at(-1);
      const seen = last?.do === 'confirm' ? last.signs.map((s) => s.what).join(', then ') : 'its end';
      return {
        attemptLog: [...c.attemptLog, attemptRecord(c, 'pass')],
        summary: `attempt ${c.attempt}: the ${c.model.name} was seen to reach its end: ${seen}`,
      };
    }),
    endAttemptUnverified: assign(({ context: c }) => ({
      attemptLog: [...c.attemptLog, attemptRecord(c, 'unverified')],
      summary: `the procedure ran to its end on a blind bench (no camera): nothing confirmed the ${c.procedure.kind === 'reboot' ? 'reboot' : 'reset'}`,
    })),
  },
}).createMachine({
  id: 'stepProcedure',
  context: ({ input }) => ({ ...input, ...newRunLog(input.clock), index: 0, notes: { evidence: [] } }),
  initial: 'attempt',
  on: { ABORT: { target: '.aborting' } },
  states: {
    attempt: {
      entry: 'startAttempt',
      on: onBenchFault('stepProcedure'),
      initial: 'step',
      states: {
        step: {
          entry: 'openStep',
          invoke: bench(runStep, [
            // The last step is the procedure's `confirm`: seen, a pass; on a blind bench nothing was seen.
            { guard: and(['lastStep', 'blind']), target: '#stepProcedure.unverified' },
            { guard: 'lastStep', target: '#stepProcedure.passed' },
            { target: 'step', reenter: true, actions: 'nextStep' },
          ]),
        },
      },
    },
    ...END_STATES,
  },
  output: ({ context: c }) => ({ ...runOutput(c), notes: c.notes, evidence: c.notes.evidence, ...(c.result === 'pass' ? { resetKind: c.procedure.resets } : {}) }),
});
