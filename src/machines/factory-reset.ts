import { and, assign, fromPromise, setup } from 'xstate';
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
import { typePlan, type TypingReport } from './typing.js';
import { readScreen, type ScreenKind } from '../observe/meaning.js';
import type { Evidence } from '../observe/evidence.js';

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
  /**
   * The key plan for the password in the given case (computed before anything moves); `safe` plans never rely on the
   * mode key committing a pending letter (the profile's modeCommits is ignored).
   */
  planFor: (macCase: MacCase, safe?: boolean) => Plan;
  /** True when planFor types the admin password the user gave instead of the MAC: the case then never changes. */
  typesAdminPassword?: boolean;
  /** The phone's application version, when the user knows it (`x.y.z`). */
  software?: string;
  /** Awaited before the MAC is typed (the network's identity check); its PhoneError fails the attempt untyped. */
  beforeTyping?: (signal: AbortSignal) => Promise<void>;
  /** A blind bench's other eyes (the network): true once they saw the reset's reboots end, counted from `since`. */
  rebootsSeen?: (since: number, signal: AbortSignal) => Promise<boolean>;
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
  /** The last screen of a kind the machine knows (a camera's unreadable frames left out), while counting reboots. */
  lastKind: ScreenKind | undefined;
  /** The software version as given or seen on a boot screen. */
  seenSoftware: string | undefined;
  /** Plan without relying on the mode key committing a letter (a blind bench; after typing went wrong). */
  safeTyping: boolean;
  /** OK taps on this attempt's prompt (an OK the phone did not answer is tapped again once). */
  okTaps: number;
  /** When this attempt's OK was first tapped (clock ms). */
  confirmAt: number;
  /** When this attempt's combo last went down (clock ms). */
  comboAt: number;
  /** When this attempt's phone was powered on (clock ms). */
  poweredAt: number;
  /** Cancel taps on this attempt's boot screen (a Cancel the screen still offers is tapped again once). */
  cancelTaps: number;
  /** Times this attempt's combo went down (pressed again once while the countdown has time for a whole hold). */
  comboPresses: number;
  /** What the run learned and saw (filled as it goes: the bench operations write into it). */
  notes: RunNotes;
}

/** What a run learns of its phone along the way, for the record and the calibration file. */
export interface RunNotes {
  typing?: TypingReport;
  evidence: Evidence;
  /** How long the countdown ran from its first sight to the prompt or its end, ms (a lower bound of its length). */
  countdownSeenMs?: number;
  /** The mode-commit assumption the passing attempt typed under. */
  passedModeCommits?: boolean;
  /** A watched reset: from OK to the phone back at idle after its reboots, ms (for a blind bench's schedule). */
  resetTookMs?: number;
  /** A watched combo: from the keys going down to the prompt, ms (the hold the phone needed, plus the camera's lag). */
  holdTookMs?: number;
  /** A watched boot: from power-on to the Cancel softkey seen, ms. */
  cancelSeenMs?: number;
  /** A step procedure's watched `confirm`: from its start to its last sign seen, ms (for a blind bench's wait). */
  confirmTookMs?: number;
}

export interface ResetOutput extends RunOutput<AttemptRecord> {
  /** Which reset a passing run performed (cancel-combo: `factory`, or `device-reset` before UC Software 4.0.0). */
  resetKind?: ResetKind;
  /** The phone's software version, as given or seen. */
  software?: string;
  /** How the phone's identity was established: `password` when it accepted its own MAC as the password. */
  identityBy?: 'password';
  evidence?: Evidence;
  notes?: RunNotes;
}

export const rx = (source: string) => new RegExp(source, 'im');

export function screenText(s: ScreenObservation | undefined): string {
  return s ? s.lines.join('\n') : '';
}

export function shows(s: ScreenObservation | undefined, patterns: ScreenPatterns, which: keyof ScreenPatterns): boolean {
  const pattern = patterns[which];
  return !!s && s.lit && pattern !== undefined && rx(pattern).test(screenText(s));
}

/** The boot screen offers Cancel (seed 001: "Loading application" with a Cancel softkey), read by meaning. */
export function cancelOffered(s: ScreenObservation | undefined, patterns: ScreenPatterns): boolean {
  const m = readScreen(s, patterns);
  return m.kind === 'loading' && m.cancelKey !== undefined;
}

/** Screens that mean the boot went on without us: the combo's window has closed. */
const WINDOW_CLOSED = new Set<ScreenKind>(['starting', 'idle', 'updater', 'loading', 'dark', 'rejected']);
/** Screens of a phone that is up (its reset's screens, its application): a boot screen after one is a reboot. */
const UP = new Set<ScreenKind>(['resetting', 'reset-done', 'starting', 'idle']);
const kindOf = (c: Ctx): ScreenKind => readScreen(c.screen, c.model.screens).kind;

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
/** Failures after which the next attempt types without relying on the mode key committing a letter. */
const TYPING_FAILURES = new Set(['password-rejected', 'typing-mismatch', 'pending-discarded', 'no-answer']);
/** How long the prompt may still show after OK before OK is tapped again: well past a camera's lag. */
const OK_RETAP_MS = 8_000;
/** How long Cancel may still show after it was tapped before it is tapped again (past a camera's lag). */
const CANCEL_RETAP_MS = 2_000;
/**
 * How long the combo is held with no prompt before it is pressed again, when the countdown has that long left: the
 * seeds' "few seconds" hold (seed 000), well past it.
 */
const COMBO_REPRESS_MS = 5_000;
const combo = (c: Ctx) => c.procedure.combos[c.comboIndex % c.procedure.combos.length]!.keys;
const bench = benchStep<Ctx>('factoryReset');

export const factoryResetMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as RunnerEvent,
    input: {} as ResetInput,
    output: {} as ResetOutput,
  },
  actors: {
    benchOp,
    rebootsSeen: fromPromise<boolean, { c: Ctx }>(async ({ input: { c }, signal }) =>
      c.rebootsSeen ? c.rebootsSeen(c.clock.now(), signal).catch(() => false) : new Promise<boolean>(() => {}),
    ),
  },
  delays: { ...timingDelays, okRetap: OK_RETAP_MS, cancelRetap: CANCEL_RETAP_MS, comboRepress: COMBO_REPRESS_MS },
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
    countdownShown: ({ context: c }) => kindOf(c) === 'countdown',
    promptShown: ({ context: c }) => kindOf(c) === 'prompt',
    /** The window closed on us: the phone went on to its application (or went dark) with no prompt. Screens that mean
     * nothing yet (a "Please wait" on the way to the prompt) do not close it. (Edge E shows no countdown: its hold
     * ends at the prompt or at comboHoldMs.) */
    windowClosed: ({ context: c }) => c.procedure.kind === 'cancel-combo' && WINDOW_CLOSED.has(kindOf(c)),
    rejected: ({ context: c }) => kindOf(c) === 'rejected',
    /** The prompt still shows long after OK (far longer than any camera's lag): the OK tap did not land. */
    okUnanswered: ({ context: c }) => kindOf(c) === 'prompt' && c.okTaps < 2,
    /** Cancel still offered well after it was tapped (longer than a camera lags): the tap did not land. */
    cancelUnanswered: ({ context: c }) => cancelOffered(c.screen, c.model.screens) && c.cancelTaps < 2,
    /** The combo held a good while with no prompt, and the countdown still has time for a whole hold: one key may
     * not have gone down (a solenoid that missed). */
    comboWorthRepress: ({ context: c }) => {
      const m = readScreen(c.screen, c.model.screens);
      return m.kind === 'countdown' && (m.seconds ?? 0) * 1000 >= COMBO_REPRESS_MS && c.comboPresses < 2;
    },
    resetting: ({ context: c }) => kindOf(c) === 'resetting' || kindOf(c) === 'reset-done',
    resetComplete: ({ context: c }) => c.sawResetDone && c.reboots >= timing(c).resetReboots && kindOf(c) === 'idle',
    canRetry: ({ context: c }) => canRetry(c.failure, c.attempt, timing(c), c.clock.now() - c.startMs),
  },
  actions: {
    ...runActions<Ctx>(),
    stepPowerOff: assign(({ context: c }) => closeStep(c, c.bench.fixture.relay ? 'power-off' : 'reboot-combo')),
    seeScreen: assign(({ context: c, event }) => {
      const screen = event.type === 'SCREEN' ? event.screen : undefined;
      const m = readScreen(screen, c.model.screens);
      // The first countdown screen's seconds: the countdown is at least that long (for calibration).
      if (m.kind === 'countdown' && m.seconds !== undefined && c.notes.countdownSeenMs === undefined) c.notes.countdownSeenMs = m.seconds * 1000;
      return { screen, seenSoftware: c.seenSoftware ?? m.software };
    }),
    startAttempt: assign(({ context: c }) => ({ ...nextAttempt(c), sawResetDone: false, reboots: 0, dark: false, lastKind: undefined, okTaps: 0, cancelTaps: 0, comboPresses: 0 })),
    countOkTap: assign(({ context: c }) => ({ okTaps: c.okTaps + 1, confirmAt: c.okTaps === 0 ? c.clock.now() : c.confirmAt })),
    countCancelTap: assign(({ context: c }) => ({ cancelTaps: c.cancelTaps + 1 })),
    countComboPress: assign(({ context: c }) => ({ comboPresses: c.comboPresses + 1, comboAt: c.clock.now() })),
    notePowerOn: assign(({ context: c }) => ({ poweredAt: c.clock.now() })),
    noteCancelSeen: ({ context: c }) => {
      // From the relay's power-on (a bench without one reboots by combo: its timeline differs).
      if (c.bench.fixture.relay) c.notes.cancelSeenMs = Math.max(c.notes.cancelSeenMs ?? 0, c.clock.now() - c.poweredAt);
    },
    noteHold: ({ context: c }) => {
      if (c.bench.observer) c.notes.holdTookMs = Math.max(c.notes.holdTookMs ?? 0, c.clock.now() - c.comboAt);
    },
    endAttemptFailed: assign(({ context: c }) => {
      const failure = failureOf(c);
      // A countdown that passed with the combo held means this combo is not the phone's: try the next one.
      const nextCombo = failure.code === 'no-prompt' ? c.comboIndex + 1 : c.comboIndex;
      // A rejected MAC under a case rule no source settles: the other case next (the record shows which worked).
      // A field that never showed the wanted mode (a phone without upper case) takes the other case too; and when that
      // other case is rejected, the rule's own case comes back (the mode may have looked unreachable to a camera only).
      const ruleCase = c.model.textEntry.macCase === 'upper' ? 'upper' : 'lower';
      const flip =
        !c.typesAdminPassword &&
        ((failure.code === 'password-rejected' && (c.model.textEntry.macCaseKnown === false || c.macCase !== ruleCase)) || failure.code === 'mode-unreachable');
      // Typing that went wrong, or a password the phone refused: type the next one without relying on the mode key
      // committing a pending letter (phones differ there; seed 001's table relies on it).
      const safe = c.safeTyping || TYPING_FAILURES.has(failure.code) || (c.notes.typing?.pendingDiscarded ?? 0) > 0;
      return {
        attemptLog: [...c.attemptLog, attemptRecord(c, 'fail', failure)],
        comboIndex: nextCombo,
        macCase: flip ? (c.macCase === 'lower' ? ('upper' as const) : ('lower' as const)) : c.macCase,
        safeTyping: safe,
      };
    }),
    endAttemptPassed: assign(({ context: c }) => {
      if (c.bench.observer) c.notes.resetTookMs = c.clock.now() - c.confirmAt;
      c.notes.passedModeCommits = !c.safeTyping && c.model.textEntry.modeCommits === true && !c.notes.typing?.pendingDiscarded;
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
      cancelKey: readScreen(c.screen, c.model.screens).cancelKey ?? c.cancelKey,
    })),
    noteOkKey: assign(({ context: c }) => ({
      okKey: readScreen(c.screen, c.model.screens).okKey ?? c.procedure.okKey,
    })),
    trackReboot: assign(({ context: c }) => {
      const s = c.screen;
      const lit = !!s && s.lit;
      const kind = readScreen(s, c.model.screens).kind;
      // A reboot: the display goes dark; or, from the reset's screens or the application, the boot screen shows with no
      // dark seen between (a camera can miss a dark of a second or two: frames dropped, or an unlit glass misread).
      const bootScreen = kind === 'updater' || kind === 'bootrom';
      const byBootScreen = lit && bootScreen && !c.dark && c.lastKind !== undefined && UP.has(c.lastKind);
      const reboot = (!lit && !c.dark) || byBootScreen;
      const t = c.clock.now();
      const source = c.bench.observer?.name ?? 'screen';
      const saw = (s?.lines ?? []).join(' / ');
      if (kind === 'resetting' || kind === 'reset-done') {
        const detail = `${kind === 'resetting' ? 'the reset started' : 'the reset is done'}: "${saw}"`;
        if (!c.notes.evidence.some((e) => e.detail === detail)) {
          c.notes.evidence.push({ about: 'reset', proof: 'screen', source, t, holds: true, detail });
          // The phone took the password: it is the phone whose MAC was typed.
          if (!c.typesAdminPassword && !c.notes.evidence.some((e) => e.about === 'identity')) {
            c.notes.evidence.push({ about: 'identity', proof: 'password-accepted', source: 'password', t, holds: true, detail: `the phone accepted ${c.mac} as its reset password` });
          }
        }
      }
      if (reboot) {
        const how = byBootScreen ? `the phone showed its boot screen "${saw}" after "${c.lastKind}" with no dark seen` : 'the display went dark';
        c.notes.evidence.push({ about: 'reboot', proof: 'screen', source, t, holds: true, detail: `${how} (reboot ${c.reboots + 1})` });
      }
      return {
        // "Resetting Configuration" or "Configuration Reset" (seed 002): the phone is doing the reset.
        sawResetDone: c.sawResetDone || kind === 'reset-done' || kind === 'resetting',
        reboots: reboot ? c.reboots + 1 : c.reboots,
        dark: !lit,
        lastKind: kind === 'unknown' ? c.lastKind : kind,
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
      lastKind: undefined,
      seenSoftware: input.software,
      // A blind bench cannot see a mode tap go wrong: it relies on the mode key committing a letter only where the
      // bench's camera saw it do so on phones of the model (calibration).
      safeTyping: input.bench.observer === undefined && input.model.textEntry.modeCommitsWatched !== true,
      okTaps: 0,
      confirmAt: 0,
      comboAt: 0,
      poweredAt: 0,
      cancelTaps: 0,
      comboPresses: 0,
      notes: { evidence: [] },
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
          entry: [{ type: 'step', params: { step: 'await-cancel' } }, 'notePowerOn'],
          always: [
            { guard: 'blind', target: 'blindCancelWait' },
            // A BootROM that predates the Updater counts down by itself: no Cancel (seed 001).
            { guard: 'countdownShown', target: 'comboWait', actions: { type: 'step', params: { step: 'countdown-without-cancel' } } },
            { guard: 'cancelOffered', target: 'pressCancel', actions: ['noteCancelKey', 'noteCancelSeen'] },
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
          entry: [{ type: 'step', params: { step: 'press-cancel' } }, 'countCancelTap'],
          invoke: bench((c, signal) => c.bench.press([c.cancelKey], timing(c).keyTapMs, signal), 'awaitCountdown'),
        },
        awaitCountdown: {
          always: [
            { guard: 'blind', target: 'comboWait' },
            { guard: 'countdownShown', target: 'comboWait' },
          ],
          after: {
            cancelRetap: [{ guard: 'cancelUnanswered', target: 'pressCancel' }],
            answerTimeout: {
              target: '#factoryReset.recover',
              actions: phoneFail('cancel-missed', 'Cancel was pressed but no countdown followed (the window had closed, or the press did not land)'),
            },
          },
        },
        comboWait: { after: { comboAfterCancel: 'holdCombo' } },
        holdCombo: {
          entry: [{ type: 'step', params: { step: 'hold-combo' } }, 'countComboPress'],
          invoke: bench((c) => c.bench.hold(combo(c)), 'holding'),
        },
        repressCombo: {
          entry: { type: 'step', params: { step: 'repress-combo' } },
          invoke: bench((c) => c.bench.release(combo(c)), 'comboWait'),
        },
        holding: {
          always: [
            { guard: 'blind', target: 'blindHolding' },
            { guard: 'promptShown', target: 'releaseCombo', actions: 'noteHold' },
            {
              guard: 'windowClosed',
              target: '#factoryReset.recover',
              actions: phoneFail('no-prompt', 'the countdown ended with the combo held and no password prompt came'),
            },
          ],
          after: {
            comboRepress: [{ guard: 'comboWorthRepress', target: 'repressCombo' }],
            comboHold: { target: '#factoryReset.recover', actions: phoneFail('no-prompt', 'the combo was held to its limit and no password prompt came') },
          },
        },
        blindHolding: { after: { blindHold: 'releaseCombo' } },
        releaseCombo: {
          entry: { type: 'step', params: { step: 'release-combo' } },
          invoke: bench((c) => c.bench.release(combo(c)), 'settle'),
        },
        settle: { after: { promptSettle: 'typing' } },
        typing: {
          entry: [{ type: 'step', params: { step: 'type-password' } }, 'noteOkKey'],
          invoke: bench(async (c, signal) => {
            if (!c.typesAdminPassword) await c.beforeTyping?.(signal);
            const report = await typePlan(c.bench, c.planFor(c.macCase, c.safeTyping), c.model.textEntry, c.clock, signal);
            c.notes.typing = report;
          }, 'confirm'),
        },
        confirm: {
          entry: [{ type: 'step', params: { step: 'confirm' } }, 'countOkTap'],
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
            okRetap: [{ guard: 'okUnanswered', target: 'confirm' }],
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
          // The network may see the reboots the camera-less bench cannot: then the blind wait ends there (the run
          // stays unverified here; the network's probe is what proves it).
          invoke: {
            src: 'rebootsSeen',
            input: ({ context: c }) => ({ c }),
            onDone: { guard: ({ event }) => event.output === true, target: '#factoryReset.unverified' },
          },
          after: { blindReset: '#factoryReset.unverified' },
        },
      },
    },
    ...END_STATES,
  },
  output: ({ context: c }) => {
    if (c.result === 'pass') {
      const s = c.screen;
      c.notes.evidence.push({ about: 'reset', proof: 'screen', source: c.bench.observer?.name ?? 'screen', t: c.clock.now(), holds: true, detail: `back at the idle screen: "${(s?.lines ?? []).join(' / ')}"` });
    }
    const identity = c.notes.evidence.some((e) => e.about === 'identity' && e.proof === 'password-accepted');
    return {
      ...runOutput(c),
      ...(c.result === 'pass' && resetKindOf(c) ? { resetKind: resetKindOf(c) } : {}),
      ...(c.seenSoftware !== undefined ? { software: c.seenSoftware } : {}),
      ...(identity ? { identityBy: 'password' as const } : {}),
      evidence: c.notes.evidence,
      notes: c.notes,
    };
  },
});

function attemptRecord(c: Ctx, result: AttemptRecord['result'], failure?: Failure): AttemptRecord {
  return {
    attempt: c.attempt,
    combo: [...combo(c)],
    ...(c.typesAdminPassword ? {} : { macCase: c.macCase }),
    ...attemptSpan(c, result, failure),
  };
}
