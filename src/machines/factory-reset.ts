import { and, assign, fromPromise, setup } from 'xstate';
import type { Bench, ScreenObservation } from '../bench/types.js';
import type { AttemptRecord, Failure, StepRecord } from '../batch/record.js';
import { FACTORY_RESET_SINCE, softwareBefore, UPDATER_SINCE } from '../catalog/procedures.js';
import type { CancelComboProcedure, LedComboProcedure, PhoneModel, ResetKind, ScreenPatterns } from '../catalog/types.js';
import type { Clock } from '../clock/clock.js';
import { classify } from '../errors/errors.js';
import type { Plan } from '../text-entry/types.js';
import { rebootByCombo } from './blocks.js';
import { canRetry, closeStep, type OpenStep } from './run-log.js';
import { typePlan } from './typing.js';

export { closeStep, type RunLog as StepTrack } from './run-log.js';

/*
 * The factory-reset machine for the seeds' main procedure (seeds 000, 001, 002, 003) and Poly Edge E's (seed 001):
 *
 *   attempt: powerOff -> offWait -> powerOn -> awaitCancel -> pressCancel -> awaitCountdown -> comboWait
 *            -> holdCombo -> holding -> releaseCombo -> settle -> typing -> confirm -> awaitAnswer -> awaitReboots
 *            -> (passed | unverified)
 *     a fixture without relay: powerOff (the model's reboot combo instead) -> awaitCancel ...
 *     a BootROM that predates the Updater shows the countdown by itself: awaitCancel -> comboWait (no Cancel)
 *     led-combo (Edge E): ... -> awaitLedsOn -> awaitLedsOff -> holdCombo ...
 *   any failure -> recover (every solenoid released, power off) -> attempt again from power-off, or failed
 *   ABORT anywhere -> aborting (everything released) -> aborted
 *
 * Retries change what they try: a countdown that passes with the combo held moves to the model's next combo; a
 * rejected password under a text-entry profile whose case rule is not known (macCaseKnown false) types the other
 * case next. The phone's software version, when a boot screen shows it (or the user gives it), says which reset the
 * combo performs: before UC Software 4.0.0 a device reset only (seed 001 NOTE); the record says which.
 *
 * With an observer (a camera, or the simulator's screen) each wait ends on what the phone shows and the timing profile
 * gives the deadlines; without one the profile's figures are the schedule and a run that completes is `unverified`.
 * After a failure the phone's state is unknown, so the next attempt starts again from power-off.
 */

export type MacCase = 'lower' | 'upper';

export interface ResetInput {
  model: PhoneModel;
  mac: string;
  bench: Bench;
  clock: Clock;
  /** The key plan for the password in the given case (computed before anything moves). */
  planFor: (macCase: MacCase) => Plan;
  /** True when planFor types the admin password the user gave instead of the MAC: the case then never changes. */
  typesAdminPassword?: boolean;
  /** The phone's application version, when the user knows it (`x.y.z`). */
  software?: string;
}

interface Ctx extends ResetInput {
  procedure: CancelComboProcedure | LedComboProcedure;
  attempt: number;
  comboIndex: number;
  macCase: MacCase;
  startMs: number;
  attemptStartMs: number;
  screen: ScreenObservation | undefined;
  cancelKey: string;
  okKey: string;
  steps: StepRecord[];
  open: OpenStep | undefined;
  attemptLog: AttemptRecord[];
  failure: Failure | undefined;
  sawResetDone: boolean;
  reboots: number;
  dark: boolean;
  /** The software version as given or seen on a boot screen. */
  seenSoftware: string | undefined;
  summary: string;
  result: ResetOutput['result'];
}

type Ev = { type: 'SCREEN'; screen: ScreenObservation } | { type: 'ABORT' };

export interface ResetOutput {
  result: 'pass' | 'unverified' | 'fail' | 'aborted';
  failure?: Failure;
  summary: string;
  attempts: number;
  attemptLog: AttemptRecord[];
  steps: StepRecord[];
  startMs: number;
  endMs: number;
  /** Which reset a passing run performed (cancel-combo: `factory`, or `device-reset` before UC Software 4.0.0). */
  resetKind?: ResetKind;
  /** The phone's software version, as given or seen. */
  software?: string;
}

export const rx = (source: string) => new RegExp(source, 'im');

export function screenText(s: ScreenObservation | undefined): string {
  return s ? s.lines.join('\n') : '';
}

export function shows(s: ScreenObservation | undefined, patterns: ScreenPatterns, which: keyof ScreenPatterns): boolean {
  const pattern = patterns[which];
  return !!s && s.lit && pattern !== undefined && rx(pattern).test(screenText(s));
}

/** The software version a screen shows, by the model's `software` pattern. */
function softwareShown(s: ScreenObservation | undefined, patterns: ScreenPatterns): string | undefined {
  if (!s?.lit || patterns.software === undefined) return undefined;
  return rx(patterns.software).exec(screenText(s))?.[1];
}

/** The softkey position whose label matches, as a logical key (`softkey2`), or undefined. */
export function softkeyLabelled(s: ScreenObservation | undefined, pattern: string): string | undefined {
  const i = s?.softkeys.findIndex((label) => rx(pattern).test(label)) ?? -1;
  return i >= 0 ? `softkey${i + 1}` : undefined;
}

export const benchOp = fromPromise<void, { run: (signal: AbortSignal) => Promise<void> }>(({ input, signal }) =>
  input.run(signal),
);

const timing = (c: Ctx) => c.model.timing;
/** The states of the LEDs a led-combo watches ('off' when the observer does not report one). */
const leds = (c: Ctx) => (c.procedure.kind === 'led-combo' ? c.procedure.leds.map((l) => c.screen?.leds[l] ?? 'off') : []);

/** What a passing run did: a device reset only before UC Software 4.0.0; unknown when no version was seen or given. */
function resetKindOf(c: Ctx): ResetKind | undefined {
  if (c.seenSoftware === undefined) return undefined;
  return softwareBefore(c.seenSoftware, FACTORY_RESET_SINCE) ? 'device-reset' : 'factory';
}
const combo = (c: Ctx) => c.procedure.combos[c.comboIndex % c.procedure.combos.length]!.keys;

export const factoryResetMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as Ev,
    input: {} as ResetInput,
    output: {} as ResetOutput,
  },
  actors: { benchOp },
  delays: {
    powerOff: ({ context }) => timing(context).powerOffMs,
    cancelDeadline: ({ context }) => timing(context).cancelDeadlineMs,
    cancelAfter: ({ context }) => timing(context).cancelAfterMs,
    comboAfterCancel: ({ context }) => timing(context).comboAfterCancelMs,
    comboHold: ({ context }) => timing(context).comboHoldMs,
    promptSettle: ({ context }) => timing(context).promptSettleMs,
    answerTimeout: ({ context }) => timing(context).answerTimeoutMs,
    rebootTimeout: ({ context }) => timing(context).rebootTimeoutMs,
  },
  guards: {
    blind: ({ context }) => context.bench.observer === undefined,
    noRelay: ({ context }) => !context.bench.fixture.relay,
    ledCombo: ({ context }) => context.procedure.kind === 'led-combo',
    /** Known software before the Updater (seed 001: "Since UCS 3.3.0 and the introduction of the Updater the starting
     * of the Application has to be canceled"): the countdown comes without Cancel. */
    noCancelNeeded: ({ context: c }) => c.seenSoftware !== undefined && softwareBefore(c.seenSoftware, UPDATER_SINCE),
    ledsLit: ({ context: c }) => leds(c).some((l) => l !== 'off'),
    ledsOff: ({ context: c }) => leds(c).every((l) => l === 'off'),
    cancelOffered: ({ context: c }) =>
      shows(c.screen, c.model.screens, 'loading') && softkeyLabelled(c.screen, c.model.screens.cancelSoftkey) !== undefined,
    countdownShown: ({ context: c }) => shows(c.screen, c.model.screens, 'countdown'),
    promptShown: ({ context: c }) => shows(c.screen, c.model.screens, 'passwordPrompt'),
    /** The countdown screen has gone and no prompt came: the window closed on us. (Edge E shows no countdown: its
     * hold ends at the prompt or at comboHoldMs.) */
    windowClosed: ({ context: c }) =>
      c.procedure.kind === 'cancel-combo' &&
      !shows(c.screen, c.model.screens, 'countdown') &&
      !shows(c.screen, c.model.screens, 'passwordPrompt'),
    rejected: ({ context: c }) => shows(c.screen, c.model.screens, 'rejected'),
    resetting: ({ context: c }) =>
      shows(c.screen, c.model.screens, 'resetting') || shows(c.screen, c.model.screens, 'resetDone'),
    resetComplete: ({ context: c }) =>
      c.sawResetDone && c.reboots >= timing(c).resetReboots && shows(c.screen, c.model.screens, 'ready'),
    canRetry: ({ context: c }) => canRetry(c.failure, c.attempt, timing(c), c.clock.now() - c.startMs),
  },
  actions: {
    step: assign(({ context: c }, params: { step: string }) => closeStep(c, params.step)),
    stepPowerOff: assign(({ context: c }) => closeStep(c, c.bench.fixture.relay ? 'power-off' : 'reboot-combo')),
    seeScreen: assign(({ context: c, event }) => {
      const screen = event.type === 'SCREEN' ? event.screen : undefined;
      return { screen, seenSoftware: c.seenSoftware ?? softwareShown(screen, c.model.screens) };
    }),
    fail: assign(({ context: c }, params: { class: Failure['class']; code: string; reason: string }) => ({
      failure: { class: params.class, code: params.code, reason: params.reason },
    })),
    failFromError: assign(({ event }) => {
      const err = (event as unknown as { error: unknown }).error;
      const k = classify(err);
      return { failure: { class: k.failureClass, code: k.code, reason: k.reason } };
    }),
    startAttempt: assign(({ context: c }) => ({
      attempt: c.attempt + 1,
      attemptStartMs: c.clock.now(),
      failure: undefined,
      sawResetDone: false,
      reboots: 0,
      dark: false,
    })),
    endAttemptFailed: assign(({ context: c }) => {
      const failure = c.failure ?? { class: 'bug' as const, code: 'internal', reason: 'attempt ended without a reason' };
      // A countdown that passed with the combo held means this combo is not the phone's: try the next one.
      const nextCombo = failure.code === 'no-prompt' ? c.comboIndex + 1 : c.comboIndex;
      // A rejected MAC under a case rule no source settles: the other case next (the record shows which worked).
      const flip = failure.code === 'password-rejected' && c.model.textEntry.macCaseKnown === false && !c.typesAdminPassword;
      return {
        attemptLog: [...c.attemptLog, attemptRecord(c, 'fail', failure)],
        comboIndex: nextCombo,
        macCase: flip ? (c.macCase === 'lower' ? ('upper' as const) : ('lower' as const)) : c.macCase,
      };
    }),
    endAttemptPassed: assign(({ context: c }) => {
      const kind = resetKindOf(c);
      const what =
        kind === 'device-reset'
          ? ` (software ${c.seenSoftware}, before UC Software ${FACTORY_RESET_SINCE}: a device reset only, flash parameters and logs)`
          : kind === undefined
            ? ` (its software version was not seen: before UC Software ${FACTORY_RESET_SINCE} this is a device reset only)`
            : '';
      return {
        attemptLog: [...c.attemptLog, attemptRecord(c, 'pass')],
        summary: `the phone showed "Configuration Reset" and rebooted ${c.reboots} times on attempt ${c.attempt}${what}`,
      };
    }),
    endAttemptUnverified: assign(({ context: c }) => ({
      attemptLog: [...c.attemptLog, attemptRecord(c, 'unverified')],
      summary: c.bench.observer
        ? `the phone started its reset but only ${c.reboots} of ${timing(c).resetReboots} reboots were seen before the deadline`
        : 'the procedure ran to its end on a blind bench (no camera): nothing confirmed the reset',
    })),
    noteCancelKey: assign(({ context: c }) => ({
      cancelKey: softkeyLabelled(c.screen, c.model.screens.cancelSoftkey) ?? c.cancelKey,
    })),
    noteOkKey: assign(({ context: c }) => ({
      okKey: softkeyLabelled(c.screen, '^\\s*(ok|enter)\\s*$') ?? c.procedure.okKey,
    })),
    trackReboot: assign(({ context: c }) => {
      const s = c.screen;
      const lit = !!s && s.lit;
      return {
        sawResetDone: c.sawResetDone || shows(s, c.model.screens, 'resetDone'),
        reboots: !lit && !c.dark ? c.reboots + 1 : c.reboots,
        dark: !lit,
      };
    }),
    closeLast: assign(({ context: c }) => closeStep(c, undefined)),
    result: assign((_, params: { result: ResetOutput['result'] }) => ({ result: params.result })),
  },
}).createMachine({
  id: 'factoryReset',
  context: ({ input }) => {
    const procedure = input.model.procedure;
    if (procedure.kind !== 'cancel-combo' && procedure.kind !== 'led-combo') {
      throw new Error(`not a cancel-combo or led-combo model: ${input.model.id}`);
    }
    const now = input.clock.now();
    return {
      ...input,
      procedure,
      attempt: 0,
      comboIndex: 0,
      macCase: input.model.textEntry.macCase === 'upper' ? 'upper' : 'lower',
      startMs: now,
      attemptStartMs: now,
      screen: input.bench.observer?.current(),
      // led-combo has no Cancel step.
      cancelKey: procedure.kind === 'cancel-combo' ? procedure.cancelKey : '',
      okKey: procedure.okKey,
      steps: [],
      open: undefined,
      attemptLog: [],
      failure: undefined,
      sawResetDone: false,
      reboots: 0,
      dark: false,
      seenSoftware: input.software,
      summary: '',
      result: 'fail',
    };
  },
  initial: 'attempt',
  on: {
    SCREEN: { actions: 'seeScreen' },
    ABORT: { target: '.aborting' },
  },
  states: {
    attempt: {
      entry: 'startAttempt',
      initial: 'powerOff',
      states: {
        // Power off; on a fixture without relay (the phone on its own supply) the whole power cycle is the model's
        // reboot combo (seed 001 "Rebooting the Phone"), recorded as the step `reboot-combo`.
        powerOff: {
          entry: 'stepPowerOff',
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({
              run: async (signal) => {
                if (!c.bench.fixture.relay) return rebootByCombo(c, signal);
                await c.bench.releaseAll();
                await c.bench.power(false);
              },
            }),
            onDone: [
              { guard: and(['noRelay', 'ledCombo']), target: 'awaitLedsOn' },
              { guard: 'noRelay', target: 'awaitCancel' },
              { target: 'offWait' },
            ],
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        offWait: { after: { powerOff: 'powerOn' } },
        powerOn: {
          entry: { type: 'step', params: { step: 'power-on' } },
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({ run: () => c.bench.power(true) }),
            onDone: [{ guard: 'ledCombo', target: 'awaitLedsOn' }, { target: 'awaitCancel' }],
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        awaitCancel: {
          entry: { type: 'step', params: { step: 'await-cancel' } },
          always: [
            { guard: 'blind', target: 'blindCancelWait' },
            // A BootROM that predates the Updater counts down by itself: no Cancel (seed 001).
            { guard: 'countdownShown', target: 'comboWait', actions: { type: 'step', params: { step: 'countdown-without-cancel' } } },
            { guard: 'cancelOffered', target: 'pressCancel', actions: 'noteCancelKey' },
          ],
          after: {
            cancelDeadline: {
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'no-cancel', reason: 'the "Loading application" Cancel softkey never appeared' },
              },
            },
          },
        },
        blindCancelWait: { after: { cancelAfter: [{ guard: 'noCancelNeeded', target: 'comboWait' }, { target: 'pressCancel' }] } },
        // Edge E (seed 001): "the Handsfree and Headset buttons should illuminate ... and once they turn off press the
        // 1, 5 and 3 Key at the same time".
        awaitLedsOn: {
          entry: { type: 'step', params: { step: 'await-leds' } },
          always: [
            { guard: 'blind', target: 'blindLedWait' },
            { guard: 'ledsLit', target: 'awaitLedsOff' },
          ],
          after: {
            cancelDeadline: {
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'no-leds', reason: 'the lights that mark the window never lit (seed 001: "This may depend on the Edge E model")' },
              },
            },
          },
        },
        awaitLedsOff: {
          always: [{ guard: 'ledsOff', target: 'holdCombo' }],
          after: {
            cancelDeadline: {
              target: '#factoryReset.recover',
              actions: { type: 'fail', params: { class: 'phone', code: 'leds-stay-on', reason: 'the lights that mark the window never went off' } },
            },
          },
        },
        blindLedWait: { after: { cancelAfter: 'holdCombo' } },
        pressCancel: {
          entry: { type: 'step', params: { step: 'press-cancel' } },
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({ run: (signal) => c.bench.press([c.cancelKey], timing(c).keyTapMs, signal) }),
            onDone: 'awaitCountdown',
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        awaitCountdown: {
          always: [
            { guard: 'blind', target: 'comboWait' },
            { guard: 'countdownShown', target: 'comboWait' },
          ],
          after: {
            answerTimeout: {
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'cancel-missed', reason: 'Cancel was pressed but no countdown followed (the window had closed, or the press did not land)' },
              },
            },
          },
        },
        comboWait: { after: { comboAfterCancel: 'holdCombo' } },
        holdCombo: {
          entry: { type: 'step', params: { step: 'hold-combo' } },
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({ run: () => c.bench.hold(combo(c)) }),
            onDone: 'holding',
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        holding: {
          always: [
            { guard: 'blind', target: 'blindHolding' },
            { guard: 'promptShown', target: 'releaseCombo' },
            {
              guard: 'windowClosed',
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'no-prompt', reason: 'the countdown ended with the combo held and no password prompt came' },
              },
            },
          ],
          after: {
            comboHold: {
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'no-prompt', reason: 'the combo was held to its limit and no password prompt came' },
              },
            },
          },
        },
        blindHolding: { after: { comboHold: 'releaseCombo' } },
        releaseCombo: {
          entry: { type: 'step', params: { step: 'release-combo' } },
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({ run: () => c.bench.release(combo(c)) }),
            onDone: 'settle',
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        settle: { after: { promptSettle: 'typing' } },
        typing: {
          entry: [{ type: 'step', params: { step: 'type-password' } }, 'noteOkKey'],
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({
              run: (signal) => typePlan(c.bench, c.planFor(c.macCase), c.model.textEntry, c.clock, signal),
            }),
            onDone: 'confirm',
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        confirm: {
          entry: { type: 'step', params: { step: 'confirm' } },
          invoke: {
            src: 'benchOp',
            input: ({ context: c }) => ({ run: (signal) => c.bench.press([c.okKey], timing(c).keyTapMs, signal) }),
            onDone: 'awaitAnswer',
            onError: { target: '#factoryReset.recover', actions: 'failFromError' },
          },
        },
        awaitAnswer: {
          entry: { type: 'step', params: { step: 'await-answer' } },
          always: [
            { guard: 'blind', target: 'blindReboots' },
            { guard: 'resetting', target: 'awaitReboots', actions: 'trackReboot' },
            {
              guard: 'rejected',
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'password-rejected', reason: 'the phone rejected the MAC password (check the MAC on the label)' },
              },
            },
          ],
          after: {
            answerTimeout: {
              target: '#factoryReset.recover',
              actions: {
                type: 'fail',
                params: { class: 'phone', code: 'no-answer', reason: 'the phone neither started its reset nor rejected the password' },
              },
            },
          },
        },
        awaitReboots: {
          entry: { type: 'step', params: { step: 'await-reboots' } },
          on: { SCREEN: { actions: ['seeScreen', 'trackReboot'] } },
          always: [{ guard: 'resetComplete', target: '#factoryReset.passed' }],
          after: { rebootTimeout: '#factoryReset.unverified' },
        },
        blindReboots: {
          entry: { type: 'step', params: { step: 'await-reboots' } },
          after: { rebootTimeout: '#factoryReset.unverified' },
        },
      },
    },
    recover: {
      entry: [{ type: 'step', params: { step: 'recover' } }, 'endAttemptFailed'],
      invoke: {
        src: 'benchOp',
        input: ({ context: c }) => ({
          run: async () => {
            await c.bench.releaseAll();
          },
        }),
        onDone: [{ guard: 'canRetry', target: 'attempt' }, { target: 'failed' }],
        // Releasing failed: the bench is gone. Nothing more can be done on it.
        onError: { target: 'failed', actions: 'failFromError' },
      },
    },
    passed: { type: 'final', entry: ['endAttemptPassed', 'closeLast', { type: 'result', params: { result: 'pass' } }] },
    unverified: {
      type: 'final',
      entry: ['endAttemptUnverified', 'closeLast', { type: 'result', params: { result: 'unverified' } }],
    },
    failed: { type: 'final', entry: ['closeLast', { type: 'result', params: { result: 'fail' } }] },
    aborting: {
      entry: { type: 'step', params: { step: 'abort' } },
      invoke: {
        src: 'benchOp',
        input: ({ context: c }) => ({ run: () => c.bench.releaseAll() }),
        onDone: 'aborted',
        onError: 'aborted',
      },
    },
    aborted: { type: 'final', entry: ['closeLast', { type: 'result', params: { result: 'aborted' } }] },
  },
  output: ({ context: c }) => {
    const result = c.result;
    return {
      result,
      ...(c.failure && result !== 'pass' && result !== 'unverified' ? { failure: c.failure } : {}),
      summary: result === 'aborted' ? 'stopped by the operator; every solenoid released' : c.summary || c.failure?.reason || '',
      attempts: c.attempt,
      attemptLog: c.attemptLog,
      steps: c.steps,
      startMs: c.startMs,
      endMs: c.clock.now(),
      ...(result === 'pass' && resetKindOf(c) ? { resetKind: resetKindOf(c) } : {}),
      ...(c.seenSoftware !== undefined ? { software: c.seenSoftware } : {}),
    };
  },
});

function attemptRecord(c: Ctx, result: AttemptRecord['result'], failure?: Failure): AttemptRecord {
  return {
    attempt: c.attempt,
    combo: [...combo(c)],
    ...(c.typesAdminPassword ? {} : { macCase: c.macCase }),
    startMs: c.attemptStartMs - c.startMs,
    endMs: c.clock.now() - c.startMs,
    result,
    ...(failure ? { failure } : {}),
  };
}
