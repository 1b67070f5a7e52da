import { createActor, type InspectionEvent } from 'xstate';
import type { Outcome, ResetRecord } from '../batch/record.js';
import type { Bench } from '../bench/types.js';
import type { PhoneModel } from '../catalog/types.js';
import type { Clock } from '../clock/clock.js';
import { planMac } from '../text-entry/planner.js';
import type { Plan } from '../text-entry/types.js';
import { factoryResetMachine, type MacCase, type ResetOutput } from './factory-reset.js';

export interface RunResetOptions {
  model: PhoneModel;
  /** 12 lower-case hex digits (parse with parseMac first). */
  mac: string;
  bench: Bench;
  clock: Clock;
  /** Aborting it (Ctrl-C) releases everything and ends the run as `aborted`. */
  signal?: AbortSignal;
  /** Called with each state the machine enters, for live progress. */
  onState?: (state: string, attempt: number) => void;
  /** Receives every XState inspection event (the `--inspect` JSON lines). */
  inspect?: (event: InspectionEvent) => void;
}

/** Plans the password in the given case under the model's text-entry profile. */
export function planForModel(model: PhoneModel, mac: string): (macCase: MacCase) => Plan {
  const plans = new Map<MacCase, Plan>();
  return (macCase) => {
    let p = plans.get(macCase);
    if (!p) {
      p = planMac(macCase === 'upper' ? mac.toUpperCase() : mac.toLowerCase(), {
        ...model.textEntry,
        macCase: macCase,
      });
      plans.set(macCase, p);
    }
    return p;
  };
}

/** Outcome of a finished machine: phone failures fail the phone; bench, config and bug failures are errors. */
export function outcomeOf(out: ResetOutput): Outcome {
  if (out.result !== 'fail') return out.result;
  return out.failure?.class === 'phone' ? 'fail' : 'error';
}

/** Runs the factory-reset machine on a bench to its end and returns the phone's record. */
export function runReset(opts: RunResetOptions): Promise<ResetRecord> {
  const { model, mac, bench, clock } = opts;
  const planFor = planForModel(model, mac);
  planFor(model.textEntry.macCase === 'upper' ? 'upper' : 'lower'); // plan first: an untypeable MAC fails before anything moves

  return new Promise<ResetRecord>((resolve, reject) => {
    const actor = createActor(factoryResetMachine, {
      input: { model, mac, bench, clock, planFor },
      clock,
      ...(opts.inspect ? { inspect: opts.inspect } : {}),
    });
    const unsubscribeScreen = bench.observer?.subscribe((screen) => actor.send({ type: 'SCREEN', screen }));
    const onAbort = () => actor.send({ type: 'ABORT' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    let last = '';
    actor.subscribe({
      next: (snap) => {
        const state = JSON.stringify(snap.value);
        if (state !== last) {
          last = state;
          opts.onState?.(stateName(snap.value), snap.context.attempt);
        }
        if (snap.status !== 'done') return;
        unsubscribeScreen?.();
        opts.signal?.removeEventListener('abort', onAbort);
        const out = snap.output!;
        resolve({
          outcome: outcomeOf(out),
          model: model.id,
          mac,
          procedure: model.procedure.kind,
          attempts: out.attempts,
          durationMs: out.endMs - out.startMs,
          ...(out.failure ? { failure: out.failure } : {}),
          summary: out.summary,
          attemptLog: out.attemptLog,
          steps: out.steps,
          bench: bench.driver.info,
          observed: bench.observer !== undefined,
        });
      },
      error: (err) => {
        unsubscribeScreen?.();
        opts.signal?.removeEventListener('abort', onAbort);
        reject(err);
      },
    });
    actor.start();
    if (opts.signal?.aborted) onAbort();
  });
}

/** `{attempt: 'holding'}` -> `holding`. */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? [];
    return v === undefined ? String(k) : stateName(v);
  }
  return String(value);
}
