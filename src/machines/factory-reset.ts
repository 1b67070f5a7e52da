import { and, assign, setup } from 'xstate';
import type { Bench, ScreenObservation } from '../bench/types.js';
import type { AttemptRecord, Failure } from '../batch/record.js';
import { FACTORY_RESET_SINCE, softwareBefore, UPDATER_SINCE } from '../catalog/procedures.js';
import type { CancelComboProcedure, LedComboProcedure, PhoneModel, ResetKind, ScreenPatterns } from '../catalog/types.js';
import type { Clock } from '../clock/clock.js';
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
  phoneFail,
  runActions,
  runOutput,
  timingDelays,
  type RunLog,
  type RunOutput,
} from './attempts.js';
import { rebootByCombo } from './blocks.js';
import type { RunnerEvent } from './runner.js';
import { typePlan } from './typing.js';

/*
 * The factory-reset machine for the seeds' main procedure (seeds 000, 001, 002, 003) and Poly Edge E's (seed 001):
 *
 *   attempt: powerOff -> offWait -> powerOn -> awaitCancel -> pressCancel -> awaitCountdown -> comboWait
 *            -> holdCombo -> holding -> releaseCombo -> settle -> typing -> confirm -> awaitAnswer -> awaitReboots
 *            -> (passed | unverified)
 *     a fixture without relay: powerOff (the model's reboot combo instead) -> awaitCancel ...
 *     a BootROM that predates the Updater shows the countdown by itself: awaitCancel -> comboWait (no Cancel)
 *     led-combo (Edge E): ... -> awaitLedsOn -> awaitLedsOff -> holdCombo ...
 *   any failure, or a fault the driver reports -> recover (every solenoid released) -> attempt again from
 *   power-off, or failed;   ABORT anywhere -> aborting (everything released) -> aborted   (attempts.ts)
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

interface Ctx extends ResetInput, RunLog<AttemptRecord> {
  procedure: CancelComboProcedure | LedComboProcedure;
  comboIndex: number;
  macCase: MacCase;
  screen: ScreenObservation | undefined;
  cancelKey: string;
  okKey: string;
  sawResetDone: boolean;
  reboots: number;
  dark: boolean;
  /** The software version as given or seen on a boot screen. */
  seenSoftware: string | undefined;
}

export interface ResetOutput extends RunOutput<AttemptRecord> {
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

/** The boot screen offers Cancel (seed 001: "Loading application" with a Cancel softkey). */
export function cancelOffered(s: ScreenObservation | undefined, patterns: ScreenPatterns): boolean {
  return shows(s, patterns, 'loading') && softkeyLabelled(s, patterns.cancelSoftkey) !== undefined;
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

const timing = (c: Ctx) => c.model.timing;
/** The states of the LEDs a led-combo watches ('off' when the observer does not report one). */
const leds = (c: Ctx) => (c.procedure.kind === 'led-combo' ? c.procedure.leds.map((l) => c.screen?.leds[l] ?? 'off') : []);

/** What a passing run did: a device reset only before UC Software 4.0.0; unknown when no version was seen or given. */
function resetKindOf(c: Ctx): ResetKind | undefined {
  if (c.seenSoftware === undefined) return undefined;
  return softwareBefore(c.seenSoftware, FACTORY_RESET_SINCE) ? 'device-reset' : 'factory';
}
const combo = (c: Ctx) => c.procedure.combos[c.comboIndex % c.procedure.combos.length]!.keys;
const bench = benchStep<Ctx>('factoryReset');

export const factoryResetMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as RunnerEvent,
    input: {} as ResetInput,
    output: {} as ResetOutput,
  },
  actors: { benchOp },
  delays: timingDelays,
  guards: {
    blind: ({ context }) => context.bench.observer === undefined,
    noRelay: ({ context }) => !context.bench.fixture.relay,
    ledCombo: ({ context }) => context.procedure.kind === 'led-combo',
    /** Known software before the Updater (seed 001: "Since UCS 3.3.0 and the introduction of the Updater the starting
     * of the Application has to be canceled"): the countdown comes without Cancel. */
    noCancelNeeded: ({ context: c }) => c.seenSoftware !== undefined && softwareBefore(c.seenSoftware, UPDATER_SINCE),
    ledsLit: ({ context: c }) => leds(c).some((l) => l !== 'off'),
    ledsOff: ({ context: c }) => leds(c).every((l) => l === 'off'),
    cancelOffered: ({ context: c }) => cancelOffered(c.screen, c.model.screens),
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
    ...runActions<Ctx>(),
    stepPowerOff: assign(({ context: c }) => closeStep(c, c.bench.fixture.relay ? 'power-off' : 'reboot-combo')),
    seeScreen: assign(({ context: c, event }) => {
      const screen = event.type === 'SCREEN' ? event.screen : undefined;
      return { screen, seenSoftware: c.seenSoftware ?? softwareShown(screen, c.model.screens) };
    }),
    startAttempt: assign(({ context: c }) => ({ ...nextAttempt(c), sawResetDone: false, reboots: 0, dark: false })),
    endAttemptFailed: assign(({ context: c }) => {
      const failure = failureOf(c);
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
  },
}).createMachine({
  id: 'factoryReset',
  context: ({ input }) => {
    const procedure = input.model.procedure;
    if (procedure.kind !== 'cancel-combo' && procedure.kind !== 'led-combo') {
      throw new Error(`not a cancel-combo or led-combo model: ${input.model.id}`);
    }
    return {
      ...input,
      ...newRunLog(input.clock),
      procedure,
      comboIndex: 0,
      macCase: input.model.textEntry.macCase === 'upper' ? 'upper' : 'lower',
      screen: input.bench.observer?.current(),
      // led-combo has no Cancel step.
      cancelKey: procedure.kind === 'cancel-combo' ? procedure.cancelKey : '',
      okKey: procedure.okKey,
      sawResetDone: false,
      reboots: 0,
      dark: false,
      seenSoftware: input.software,
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
      on: onBenchFault('factoryReset'),
      initial: 'powerOff',
      states: {
        // Power off; on a fixture without relay (the phone on its own supply) the whole power cycle is the model's
        // reboot combo (seed 001 "Rebooting the Phone"), recorded as the step `reboot-combo`.
        powerOff: {
          entry: 'stepPowerOff',
          invoke: bench(
            async (c, signal) => {
              if (!c.bench.fixture.relay) return rebootByCombo(c, signal);
              await c.bench.releaseAll();
              await c.bench.power(false);
            },
            [{ guard: and(['noRelay', 'ledCombo']), target: 'awaitLedsOn' }, { guard: 'noRelay', target: 'awaitCancel' }, { target: 'offWait' }],
          ),
        },
        offWait: { after: { powerOff: 'powerOn' } },
        powerOn: {
          entry: { type: 'step', params: { step: 'power-on' } },
          invoke: bench((c) => c.bench.power(true), [{ guard: 'ledCombo', target: 'awaitLedsOn' }, { target: 'awaitCancel' }]),
        },
        awaitCancel: {
          entry: { type: 'step', params: { step: 'await-cancel' } },
          always: [
            { guard: 'blind', target: 'blindCancelWait' },
            // A BootROM that predates the Updater counts down by itself: no Cancel (seed 001).
            { guard: 'countdownShown', target: 'comboWait', actions: { type: 'step', params: { step: 'countdown-without-cancel' } } },
            { guard: 'cancelOffered', target: 'pressCancel', actions: 'noteCancelKey' },
          ],
          after: { cancelDeadline: { target: '#factoryReset.recover', actions: phoneFail('no-cancel', 'the "Loading application" Cancel softkey never appeared') } },
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
              actions: phoneFail('no-leds', 'the lights that mark the window never lit (seed 001: "This may depend on the Edge E model")'),
            },
          },
        },
        awaitLedsOff: {
          always: [{ guard: 'ledsOff', target: 'holdCombo' }],
          after: { cancelDeadline: { target: '#factoryReset.recover', actions: phoneFail('leds-stay-on', 'the lights that mark the window never went off') } },
        },
        blindLedWait: { after: { cancelAfter: 'holdCombo' } },
        pressCancel: {
          entry: { type: 'step', params: { step: 'press-cancel' } },
          invoke: bench((c, signal) => c.bench.press([c.cancelKey], timing(c).keyTapMs, signal), 'awaitCountdown'),
        },
        awaitCountdown: {
          always: [
            { guard: 'blind', target: 'comboWait' },
            { guard: 'countdownShown', target: 'comboWait' },
          ],
          after: {
            answerTimeout: {
              target: '#factoryReset.recover',
              actions: phoneFail('cancel-missed', 'Cancel was pressed but no countdown followed (the window had closed, or the press did not land)'),
            },
          },
        },
        comboWait: { after: { comboAfterCancel: 'holdCombo' } },
        holdCombo: {
          entry: { type: 'step', params: { step: 'hold-combo' } },
          invoke: bench((c) => c.bench.hold(combo(c)), 'holding'),
        },
        holding: {
          always: [
            { guard: 'blind', target: 'blindHolding' },
            { guard: 'promptShown', target: 'releaseCombo' },
            {
              guard: 'windowClosed',
              target: '#factoryReset.recover',
              actions: phoneFail('no-prompt', 'the countdown ended with the combo held and no password prompt came'),
            },
          ],
          after: {
            comboHold: { target: '#factoryReset.recover', actions: phoneFail('no-prompt', 'the combo was held to its limit and no password prompt came') },
          },
        },
        blindHolding: { after: { comboHold: 'releaseCombo' } },
        releaseCombo: {
          entry: { type: 'step', params: { step: 'release-combo' } },
          invoke: bench((c) => c.bench.release(combo(c)), 'settle'),
        },
        settle: { after: { promptSettle: 'typing' } },
        typing: {
          entry: [{ type: 'step', params: { step: 'type-password' } }, 'noteOkKey'],
          invoke: bench((c, signal) => typePlan(c.bench, c.planFor(c.macCase), c.model.textEntry, c.clock, signal), 'confirm'),
        },
        confirm: {
          entry: { type: 'step', params: { step: 'confirm' } },
          invoke: bench((c, signal) => c.bench.press([c.okKey], timing(c).keyTapMs, signal), 'awaitAnswer'),
        },
        awaitAnswer: {
          entry: { type: 'step', params: { step: 'await-answer' } },
          always: [
            { guard: 'blind', target: 'blindReboots' },
            { guard: 'resetting', target: 'awaitReboots', actions: 'trackReboot' },
            {
              guard: 'rejected',
              target: '#factoryReset.recover',
              actions: phoneFail('password-rejected', 'the phone rejected the MAC password (check the MAC on the label)'),
            },
          ],
          after: {
            answerTimeout: { target: '#factoryReset.recover', actions: phoneFail('no-answer', 'the phone neither started its reset nor rejected the password') },
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
    ...END_STATES,
  },
  output: ({ context: c }) => ({
    ...runOutput(c),
    ...(c.result === 'pass' && resetKindOf(c) ? { resetKind: resetKindOf(c) } : {}),
    ...(c.seenSoftware !== undefined ? { software: c.seenSoftware } : {}),
  }),
});

function attemptRecord(c: Ctx, result: AttemptRecord['result'], failure?: Failure): AttemptRecord {
  return {
    attempt: c.attempt,
    combo: [...combo(c)],
    ...(c.typesAdminPassword ? {} : { macCase: c.macCase }),
    ...attemptSpan(c, result, failure),
  };
}
