import { createActor, type AnyStateMachine, type InspectionEvent, type SnapshotFrom } from 'xstate';
import type { Failure } from '../batch/record.js';
import type { Bench, DriverEvent, ScreenObservation } from '../bench/types.js';
import type { Clock } from '../clock/clock.js';
import { ResetbotError } from '../errors/errors.js';
import { describeState, progressFields, sameProgressOf, type SeenContext, type StepWords } from '../progress/vocabulary.js';

/*
 * Running a procedure machine on a bench, the same way for all of them (the keypad machine, the step machine, the
 * provisioning machine): the actor on the run's clock; the observer's screens as SCREEN events (for the machines that
 * wait on them); the signal's abort as ABORT; the driver's unprompted news (bench/types.ts DriverEvent) as BENCH_FAULT,
 * which fails the attempt in progress as a bench failure; live progress; the machine's output once it is done. The
 * drivers report each fault once (bench/serial.ts): the machine gets the bench as it is.
 */

/** A driver's news that fails the attempt in progress: a bench failure with this code and reason. */
export interface BenchFaultEvent {
  type: 'BENCH_FAULT';
  code: 'board-reset' | 'link-lost' | 'watchdog' | 'hold-limit';
  reason: string;
}

/** What a runner sends its machine. */
export type RunnerEvent = { type: 'SCREEN'; screen: ScreenObservation } | { type: 'ABORT' } | BenchFaultEvent;

/** The failure a BENCH_FAULT stands for. */
export function faultFailure(event: BenchFaultEvent): Failure {
  return { class: 'bench', code: event.code, reason: event.reason };
}

/**
 * The machine event for a driver event, or undefined for news that fails nothing: a sensor reading, or a hold cut at
 * the board's limit when the run may hold a key that long (its release follows at that same instant).
 */
export function benchFault(event: DriverEvent, holdLimitExpected: boolean): BenchFaultEvent | undefined {
  switch (event.kind) {
    case 'board-reset':
      return {
        type: 'BENCH_FAULT',
        code: 'board-reset',
        reason: `the board reset during the attempt (it printed its banner again: '${event.banner}'): every solenoid and the relay went off`,
      };
    case 'link-lost':
      return { type: 'BENCH_FAULT', code: 'link-lost', reason: `the link to the board was lost during the attempt (${event.reason})` };
    case 'watchdog':
      return {
        type: 'BENCH_FAULT',
        code: 'watchdog',
        reason: "the board's watchdog released every solenoid during the attempt: it heard nothing from resetbot in time",
      };
    case 'hold-limit':
      if (holdLimitExpected) return undefined;
      return {
        type: 'BENCH_FAULT',
        code: 'hold-limit',
        reason: `the board cut a hold at its limit (channel${event.channels.length > 1 ? 's' : ''} ${event.channels.join(', ')}): a key was held longer than the procedure allows`,
      };
    case 'sensor':
    case 'reconnected':
      return undefined;
  }
}

/** A run on a bench: on what clock, and what its caller hears of it. */
export interface RunOn {
  bench: Bench;
  clock: Clock;
  /** Aborting it (Ctrl-C) sends ABORT: the machine releases everything and ends `aborted`. */
  signal?: AbortSignal;
  /**
   * Called with each state the machine enters (its innermost name) and what it means in the technician's words
   * (progress/vocabulary.ts), for live progress: again when the words change within a state (the step machine's next
   * step, the next reboot seen, the next Setup field). Two states may have the same words (`holdCombo`, `holding`).
   */
  onState?: (state: string, attempt: number, words: StepWords) => void;
  /** Receives every XState inspection event (the `--inspect` JSON lines: redact a provisioning run's). */
  inspect?: (event: InspectionEvent) => void;
  /**
   * Awaited before the MAC is typed as the password (the network observer's identity check): a PhoneError from it
   * (`mac-mismatch`) ends the run before anything is typed.
   */
  beforeTyping?: (signal: AbortSignal) => Promise<void>;
  /**
   * On a blind bench: resolves true once something besides the screen (the network) has seen the reset's reboots end,
   * counted from `since` (clock ms); the machine then stops waiting out its blind schedule.
   */
  rebootsSeen?: (since: number, signal: AbortSignal) => Promise<boolean>;
}

export interface DriveOptions extends RunOn {
  /** Send the observer's screens as SCREEN events (the step machine reads the observer itself). */
  screens: boolean;
  /** The run may hold a key as long as the board's limit: a hold cut there is no fault. */
  holdLimitExpected: boolean;
}

/**
 * Runs a machine to its end and resolves with its output; rejects when the machine itself throws (a bug). `input`
 * gets the bench the machine must use.
 */
export function driveMachine<TOutput>(machine: AnyStateMachine, input: (bench: Bench) => unknown, opts: DriveOptions): Promise<TOutput> {
  return new Promise<TOutput>((resolve, reject) => {
    const actor = createActor(machine, { input: input(opts.bench), clock: opts.clock, ...(opts.inspect ? { inspect: opts.inspect } : {}) });
    const send = (event: RunnerEvent) => actor.send(event);
    const unsubscribeScreen = opts.screens ? opts.bench.observer?.subscribe((screen) => send({ type: 'SCREEN', screen })) : undefined;
    const unsubscribeDriver = opts.bench.driver.onEvent((event) => {
      const fault = benchFault(event, opts.holdLimitExpected);
      if (!fault) return;
      send(fault);
    });
    const onAbort = () => send({ type: 'ABORT' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      unsubscribeScreen?.();
      unsubscribeDriver();
      opts.signal?.removeEventListener('abort', onAbort);
    };

    let last: unknown[] | undefined;
    let lastWords = '';
    actor.subscribe({
      next: (snap: SnapshotFrom<AnyStateMachine>) => {
        if (opts.onState && !sameProgressOf(last, snap.value, snap.context as SeenContext)) {
          last = progressFields(snap.value, snap.context as SeenContext);
          const state = stateName(snap.value);
          const words = describeState(machine.id, state, snap.context);
          // Every new state (the journal keeps them all), and new words within one; the display drops repeats.
          const said = JSON.stringify([snap.value, (snap.context as { attempt: number }).attempt, words.id, words.words]);
          if (said !== lastWords) {
            lastWords = said;
            opts.onState(state, (snap.context as { attempt: number }).attempt, words);
          }
        }
        if (snap.status !== 'done') return;
        cleanup();
        resolve(snap.output as TOutput);
      },
      error: (err) => {
        cleanup();
        reject(err);
      },
    });
    actor.start();
    if (opts.signal?.aborted) onAbort();
  });
}

/** `{attempt: 'holding'}` -> `holding`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? [];
    return v === undefined ? String(k) : stateName(v);
  }
  return String(value);
}
