import { assign, fromPromise } from 'xstate';
import type { Failure, Outcome, StepRecord } from '../batch/record.js';
import type { Bench } from '../bench/types.js';
import type { PhoneModel, TimingProfile } from '../catalog/types.js';
import type { Clock } from '../clock/clock.js';
import { classify } from '../errors/errors.js';
import { faultFailure, type RunnerEvent } from './runner.js';

/*
 * What every procedure machine (the keypad machine, the step machine, the provisioning machine) shares: the record it
 * keeps (its steps and attempts), the retry rule, the actions that keep them, the bench operation its states invoke,
 * and the way an attempt ends:
 *
 *   any failure in an attempt -> recover (every solenoid released) -> a new attempt from its start, or failed
 *   a driver fault (BENCH_FAULT) anywhere in an attempt -> recover, as a bench failure
 *   ABORT anywhere -> aborting (everything released) -> aborted
 *
 * Only bench and phone failures are retried, from the start of an attempt (the phone's state is unknown after a
 * failure), within the profile's attempt count and job deadline.
 */

/** The step in progress: closed (with its end time) when the next one starts or the run ends. */
export interface OpenStep {
  step: string;
  attempt: number;
  startMs: number;
  detail?: string;
}

export type RunResult = 'pass' | 'unverified' | 'fail' | 'aborted';

/** What an attempt's record says in every machine, after what is its own (a combo, an admin password). */
export interface AttemptSpan {
  startMs: number;
  endMs: number;
  result: 'pass' | 'unverified' | 'fail';
  failure?: Failure;
}

/** The context every machine keeps, `A` being its attempt record. */
export interface RunLog<A = unknown> {
  clock: Clock;
  bench: Bench;
  /** Clock time the run started; step and attempt times are relative to it. */
  startMs: number;
  attempt: number;
  attemptStartMs: number;
  steps: StepRecord[];
  open: OpenStep | undefined;
  attemptLog: A[];
  /** The failure of the attempt in progress (cleared when the next one starts). */
  failure: Failure | undefined;
  summary: string;
  result: RunResult;
}

/** The output every machine gives, `A` being its attempt record. */
export interface RunOutput<A> {
  result: RunResult;
  failure?: Failure;
  summary: string;
  attempts: number;
  attemptLog: A[];
  steps: StepRecord[];
  startMs: number;
  endMs: number;
}

/** A run's log before its first attempt. */
export function newRunLog(clock: Clock): Omit<RunLog<never>, 'clock' | 'bench'> {
  const now = clock.now();
  return { startMs: now, attempt: 0, attemptStartMs: now, steps: [], open: undefined, attemptLog: [], failure: undefined, summary: '', result: 'fail' };
}

/** The next attempt begins: the context update every machine's `startAttempt` makes (each adds its own). */
export function nextAttempt(c: RunLog): Pick<RunLog, 'attempt' | 'attemptStartMs' | 'failure'> {
  return { attempt: c.attempt + 1, attemptStartMs: c.clock.now(), failure: undefined };
}

/** Closes the open step (if any) and opens `next` (if given): the context update for an XState `assign`. */
export function closeStep(c: RunLog, next: string | undefined, detail?: string): Pick<RunLog, 'steps' | 'open'> {
  const now = c.clock.now();
  const steps = c.open
    ? [
        ...c.steps,
        {
          attempt: c.open.attempt,
          step: c.open.step,
          startMs: c.open.startMs - c.startMs,
          endMs: now - c.startMs,
          ...(c.open.detail !== undefined ? { detail: c.open.detail } : {}),
        },
      ]
    : c.steps;
  return {
    steps,
    open: next ? { step: next, attempt: c.attempt, startMs: now, ...(detail !== undefined ? { detail } : {}) } : undefined,
  };
}

/** The times and result of the attempt in progress, ending now. */
export function attemptSpan(c: RunLog, result: AttemptSpan['result'], failure?: Failure): AttemptSpan {
  return { startMs: c.attemptStartMs - c.startMs, endMs: c.clock.now() - c.startMs, result, ...(failure ? { failure } : {}) };
}

/** The failure an attempt ends with; one without a reason is a bug. */
export function failureOf(c: RunLog): Failure {
  return c.failure ?? { class: 'bug', code: 'internal', reason: 'attempt ended without a reason' };
}

/** The output of a finished run (each machine adds its own). */
export function runOutput<A>(c: RunLog<A>): RunOutput<A> {
  return {
    result: c.result,
    ...(c.failure && c.result === 'fail' ? { failure: c.failure } : {}),
    summary: c.result === 'aborted' ? 'stopped by the operator; every solenoid released' : c.summary || c.failure?.reason || '',
    attempts: c.attempt,
    attemptLog: c.attemptLog,
    steps: c.steps,
    startMs: c.startMs,
    endMs: c.clock.now(),
  };
}

/** Outcome of a finished run: phone failures fail the phone; bench, config and bug failures are errors. */
export function outcomeOf(out: Pick<RunOutput<unknown>, 'result' | 'failure'>): Outcome {
  if (out.result !== 'fail') return out.result;
  return out.failure?.class === 'phone' ? 'fail' : 'error';
}

/** What a run's record (a reset's, a provisioning's) takes from its output as it is. */
export function recordOf<A>(out: RunOutput<A>) {
  return {
    attempts: out.attempts,
    durationMs: out.endMs - out.startMs,
    ...(out.failure ? { failure: out.failure } : {}),
    summary: out.summary,
    attemptLog: out.attemptLog,
    steps: out.steps,
  };
}

/** Failure codes a retry cannot fix: the job's input is wrong (a wrong admin password, a menu without the reset). */
const NOT_RETRIED = new Set(['admin-password-rejected', 'menu-item-missing', 'mac-mismatch']);

export function canRetry(failure: Failure | undefined, attempt: number, timing: TimingProfile, elapsedMs: number): boolean {
  return (
    failure !== undefined &&
    (failure.class === 'phone' || failure.class === 'bench') &&
    !NOT_RETRIED.has(failure.code) &&
    attempt < timing.maxAttempts &&
    elapsedMs < timing.jobDeadlineMs
  );
}

// ---- the parts of the machines ------------------------------------------------------------------------------------

/** The one actor the machines invoke: a bench operation, aborted when its state is left. */
export const benchOp = fromPromise<void, { run: (signal: AbortSignal) => Promise<void> }>(({ input, signal }) => input.run(signal));

/**
 * An `invoke` of a bench operation for a state of machine `id` (context `C`): `run` on the bench, then `onDone`; its
 * failure fails the attempt.
 */
export function benchStep<C>(id: string) {
  return <const D>(run: (c: C, signal: AbortSignal) => Promise<void>, onDone: D) => ({
    src: 'benchOp' as const,
    input: ({ context }: { context: C }) => ({ run: (signal: AbortSignal) => run(context, signal) }),
    onDone,
    onError: { target: `#${id}.recover`, actions: 'failFromError' as const },
  });
}

/** A phone failure with this code and reason: the `fail` action of a transition. */
export const phoneFail = (code: string, reason: string) => ({ type: 'fail' as const, params: { code, reason } });

/** The event of an invoked actor's failure. */
const errorOf = (event: unknown) => (event as { error: unknown }).error;

/** TypeScript cannot see that part of a RunLog is part of a C that extends it. */
const update = <C>(u: Partial<RunLog>) => u as Partial<C>;

/** The actions every machine has, for its context `C`. */
export function runActions<C extends RunLog<unknown>>() {
  return {
    step: assign<C, RunnerEvent, { step: string }, RunnerEvent, never>(({ context: c }, params) => update<C>(closeStep(c, params.step))),
    closeLast: assign<C, RunnerEvent, undefined, RunnerEvent, never>(({ context: c }) => update<C>(closeStep(c, undefined))),
    result: assign<C, RunnerEvent, { result: RunResult }, RunnerEvent, never>((_, params) => update<C>({ result: params.result })),
    fail: assign<C, RunnerEvent, { code: string; reason: string }, RunnerEvent, never>((_, params) =>
      update<C>({ failure: { class: 'phone', code: params.code, reason: params.reason } }),
    ),
    failFromError: assign<C, RunnerEvent, undefined, RunnerEvent, never>(({ event }) => {
      const k = classify(errorOf(event));
      return update<C>({ failure: { class: k.failureClass, code: k.code, reason: k.reason } });
    }),
    failFromFault: assign<C, RunnerEvent, undefined, RunnerEvent, never>(({ event }) =>
      update<C>(event.type === 'BENCH_FAULT' ? { failure: faultFailure(event) } : {}),
    ),
    /** A bench fault heard while recovering from a phone failure is its likelier cause: a board that resets cuts the
     * relay and the keys at once, but says so only once it has restarted, after the camera saw the screen go dark. */
    blameBench: assign<C, RunnerEvent, undefined, RunnerEvent, never>(({ context: c, event }) =>
      update<C>(event.type === 'BENCH_FAULT' && c.failure?.class === 'phone' ? { failure: faultFailure(event) } : {}),
    ),
  };
}

/** The delays of the timing profile, for machines whose context has the model. */
export const timingDelays = {
  powerOff: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.powerOffMs,
  cancelDeadline: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.cancelDeadlineMs,
  cancelAfter: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.cancelAfterMs,
  comboAfterCancel: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.comboAfterCancelMs,
  comboHold: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.comboHoldMs,
  blindHold: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.blindHoldMs ?? context.model.timing.comboHoldMs,
  promptSettle: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.promptSettleMs,
  answerTimeout: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.answerTimeoutMs,
  rebootTimeout: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.rebootTimeoutMs,
  blindReset: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.blindResetMs ?? context.model.timing.rebootTimeoutMs,
  keyGap: ({ context }: { context: { model: PhoneModel } }) => context.model.timing.keyGapMs,
};

/** The transition of a machine's `attempt` state that a driver fault takes, from wherever the attempt is. */
export const onBenchFault = (id: string) => ({ BENCH_FAULT: { target: `#${id}.recover`, actions: 'failFromFault' as const } });

const releaseAll = ({ context }: { context: { bench: Bench } }) => ({ run: () => context.bench.releaseAll() });

/**
 * The states after an attempt, beside it in every machine. They use the actions of runActions and each machine's own
 * `endAttemptFailed`, `endAttemptPassed`, `endAttemptUnverified` and `canRetry`.
 */
export const END_STATES = {
  // The attempt is recorded once the bench is safe: a fault the board reports meanwhile is the cause (blameBench).
  recover: {
    entry: { type: 'step', params: { step: 'recover' } },
    on: {
      BENCH_FAULT: { actions: 'blameBench' },
      ABORT: { target: 'aborting', actions: 'endAttemptFailed' },
    },
    invoke: {
      src: 'benchOp',
      input: releaseAll,
      onDone: [
        { guard: 'canRetry', target: 'attempt', actions: 'endAttemptFailed' },
        { target: 'failed', actions: 'endAttemptFailed' },
      ],
      // Releasing failed: the bench is gone. Nothing more can be done on it.
      onError: { target: 'failed', actions: ['endAttemptFailed', 'failFromError'] },
    },
  },
  passed: { type: 'final', entry: ['endAttemptPassed', 'closeLast', { type: 'result', params: { result: 'pass' } }] },
  unverified: { type: 'final', entry: ['endAttemptUnverified', 'closeLast', { type: 'result', params: { result: 'unverified' } }] },
  failed: { type: 'final', entry: ['closeLast', { type: 'result', params: { result: 'fail' } }] },
  aborting: {
    entry: { type: 'step', params: { step: 'abort' } },
    invoke: { src: 'benchOp', input: releaseAll, onDone: 'aborted', onError: 'aborted' },
  },
  aborted: { type: 'final', entry: ['closeLast', { type: 'result', params: { result: 'aborted' } }] },
} as const;
