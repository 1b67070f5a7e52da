import { and, assign, fromPromise, setup } from 'xstate';
import type { AttemptRecord, Failure } from '../batch/record.js';
import type { Bench } from '../bench/types.js';
import type { PhoneModel, ProcedureStep, ResetKind, StepProcedure } from '../catalog/types.js';
import { sleep, type Clock } from '../clock/clock.js';
import { classify, PhoneError } from '../errors/errors.js';
import type { Plan } from '../text-entry/types.js';
import { powerCycle, selectMenuItem, switchPower, waitForSign, type BlockContext } from './blocks.js';
import type { ResetOutput } from './factory-reset.js';
import { canRetry, closeStep, type OpenStep } from './run-log.js';
import { typePlan } from './typing.js';

/*
 * The step machine: runs a step procedure (catalog/types.ts StepProcedure: Poly Edge B, the touch-screen phones, the
 * base stations, the VisualPro, the menu reset, the reboot combo) one building block at a time.
 *
 *   attempt: step 0 -> step 1 -> ... -> last step (its `confirm`) -> passed | unverified (blind bench)
 *   any failure -> recover (every solenoid released) -> a new attempt from step 0, or failed
 *   ABORT anywhere -> aborting (everything released) -> aborted
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
}

interface Ctx extends StepRunInput {
  index: number;
  attempt: number;
  startMs: number;
  attemptStartMs: number;
  steps: ResetOutput['steps'];
  open: OpenStep | undefined;
  attemptLog: AttemptRecord[];
  failure: Failure | undefined;
  summary: string;
  result: ResetOutput['result'];
}

type Ev = { type: 'ABORT' };

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
      return typePlan(c.bench, c.adminPlan, c.model.textEntry, c.clock, signal);
    case 'softkey': {
      const labels = c.bench.observer?.current().softkeys;
      let key = step.key;
      if (labels) {
        const i = labels.findIndex((l) => new RegExp(step.label, 'i').test(l));
        if (i < 0) throw new PhoneError('no-softkey', `no softkey labelled /${step.label}/ (the softkeys read: ${labels.filter((l) => l).join(', ') || 'none'})`);
        key = `softkey${i + 1}`;
      }
      await c.bench.press([key], c.model.timing.keyTapMs, signal);
      return sleep(c.clock, c.model.timing.keyGapMs, signal);
    }
    case 'confirm': {
      // A blind bench cannot see the end: the machine makes the run `unverified`.
      if (blind) return;
      const until = c.clock.now() + step.deadlineMs;
      for (const sign of step.signs) {
        await waitForSign(ctx, sign, { deadlineMs: Math.max(0, until - c.clock.now()), failCode: 'no-reset' }, signal);
      }
      return;
    }
  }
}

const runStepActor = fromPromise<void, { c: Ctx }>(({ input, signal }) => runStep(input.c, signal));
const releaseAllActor = fromPromise<void, { bench: Bench }>(({ input }) => input.bench.releaseAll());

function attemptRecord(c: Ctx, result: AttemptRecord['result'], failure?: Failure): AttemptRecord {
  return {
    attempt: c.attempt,
    combo: gestureKeys(c.procedure),
    startMs: c.attemptStartMs - c.startMs,
    endMs: c.clock.now() - c.startMs,
    result,
    ...(failure ? { failure } : {}),
  };
}

export const stepMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as Ev,
    input: {} as StepRunInput,
    output: {} as ResetOutput & { resetKind?: ResetKind },
  },
  actors: { runStep: runStepActor, releaseAll: releaseAllActor },
  guards: {
    lastStep: ({ context: c }) => c.index >= c.procedure.steps.length - 1,
    blind: ({ context: c }) => c.bench.observer === undefined,
    canRetry: ({ context: c }) => canRetry(c.failure, c.attempt, c.model.timing, c.clock.now() - c.startMs),
  },
  actions: {
    startAttempt: assign(({ context: c }) => ({ attempt: c.attempt + 1, attemptStartMs: c.clock.now(), index: 0, failure: undefined })),
    openStep: assign(({ context: c }) => {
      const step = c.procedure.steps[c.index]!;
      const detail = describeStep(step);
      return closeStep(c, step.do, detail === '' ? undefined : detail);
    }),
    nextStep: assign(({ context: c }) => ({ index: c.index + 1 })),
    openRecover: assign(({ context: c }) => closeStep(c, 'recover')),
    openAbort: assign(({ context: c }) => closeStep(c, 'abort')),
    closeLast: assign(({ context: c }) => closeStep(c, undefined)),
    failFromError: assign(({ event }) => {
      const k = classify((event as unknown as { error: unknown }).error);
      return { failure: { class: k.failureClass, code: k.code, reason: k.reason } };
    }),
    endAttemptFailed: assign(({ context: c }) => ({
      attemptLog: [...c.attemptLog, attemptRecord(c, 'fail', c.failure ?? { class: 'bug', code: 'internal', reason: 'attempt ended without a reason' })],
    })),
    endAttemptPassed: assign(({ context: c }) => {
      const last = c.procedure.steps.at(-1);
      const seen = last?.do === 'confirm' ? last.signs.map((s) => s.what).join(', then ') : 'its end';
      return {
        attemptLog: [...c.attemptLog, attemptRecord(c, 'pass')],
        summary: `attempt ${c.attempt}: the ${c.model.name} was seen to reach its end: ${seen}`,
        result: 'pass' as const,
      };
    }),
    endAttemptUnverified: assign(({ context: c }) => ({
      attemptLog: [...c.attemptLog, attemptRecord(c, 'unverified')],
      summary: 'the procedure ran to its end on a blind bench (no camera): nothing confirmed the reset',
      result: 'unverified' as const,
    })),
    resultFailed: assign({ result: 'fail' as const }),
    resultAborted: assign({ result: 'aborted' as const }),
  },
}).createMachine({
  id: 'stepProcedure',
  context: ({ input }) => {
    const now = input.clock.now();
    return {
      ...input,
      index: 0,
      attempt: 0,
      startMs: now,
      attemptStartMs: now,
      steps: [],
      open: undefined,
      attemptLog: [],
      failure: undefined,
      summary: '',
      result: 'fail',
    };
  },
  initial: 'attempt',
  on: { ABORT: { target: '.aborting' } },
  states: {
    attempt: {
      entry: 'startAttempt',
      initial: 'step',
      states: {
        step: {
          entry: 'openStep',
          invoke: {
            src: 'runStep',
            input: ({ context }) => ({ c: context }),
            onDone: [
              // The last step is the procedure's `confirm`: seen, a pass; on a blind bench nothing was seen.
              { guard: and(['lastStep', 'blind']), target: '#stepProcedure.unverified' },
              { guard: 'lastStep', target: '#stepProcedure.passed' },
              { target: 'step', reenter: true, actions: 'nextStep' },
            ],
            onError: { target: '#stepProcedure.recover', actions: 'failFromError' },
          },
        },
      },
    },
    recover: {
      entry: ['openRecover', 'endAttemptFailed'],
      invoke: {
        src: 'releaseAll',
        input: ({ context }) => ({ bench: context.bench }),
        onDone: [{ guard: 'canRetry', target: 'attempt' }, { target: 'failed' }],
        // Releasing failed: the bench is gone. Nothing more can be done on it.
        onError: { target: 'failed', actions: 'failFromError' },
      },
    },
    passed: { type: 'final', entry: ['endAttemptPassed', 'closeLast'] },
    unverified: { type: 'final', entry: ['endAttemptUnverified', 'closeLast'] },
    failed: { type: 'final', entry: ['closeLast', 'resultFailed'] },
    aborting: {
      entry: 'openAbort',
      invoke: {
        src: 'releaseAll',
        input: ({ context }) => ({ bench: context.bench }),
        onDone: 'aborted',
        onError: 'aborted',
      },
    },
    aborted: { type: 'final', entry: ['closeLast', 'resultAborted'] },
  },
  output: ({ context: c }) => ({
    result: c.result,
    ...(c.failure && c.result === 'fail' ? { failure: c.failure } : {}),
    ...(c.result === 'pass' ? { resetKind: c.procedure.resets } : {}),
    summary: c.result === 'aborted' ? 'stopped by the operator; every solenoid released' : c.summary || c.failure?.reason || '',
    attempts: c.attempt,
    attemptLog: c.attemptLog,
    steps: c.steps,
    startMs: c.startMs,
    endMs: c.clock.now(),
  }),
});
