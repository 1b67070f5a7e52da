import type { AnyStateMachine } from 'xstate';
import { recordProgress } from '../progress/render.js';
import type { ResetRecord } from '../batch/record.js';
import type { Bench } from '../bench/types.js';
import { rebootProcedure } from '../catalog/procedures.js';
import type { MenuResetChoice, PhoneModel, Procedure, ProcedureKind, StepProcedure } from '../catalog/types.js';
import { ConfigError } from '../errors/errors.js';
import { planMac, planText } from '../text-entry/planner.js';
import type { Plan } from '../text-entry/types.js';
import { outcomeOf, recordOf } from './attempts.js';
import { factoryResetMachine, type MacCase, type ResetOutput } from './factory-reset.js';
import { benchNeeds, requireFit, type BenchNeeds } from './needs.js';
import { driveMachine, type RunOn } from './runner.js';
import { stepMachine } from './steps.js';
import { blindConfirmMs, calibratedModel, learnedFrom, type CalibrationStore } from '../calibration/calibration.js';

/*
 * The procedure runner: from a model and what the user asked (which procedure, the admin password, the menu's
 * choice), a RunPlan that is checked and planned before anything moves; then the machine for it (the keypad-password
 * machine, or the step machine) run to its end on a bench, and the phone's record.
 */

/** What the user may ask of a run beyond the model and the MAC. */
export interface RunChoices {
  /** The procedure kind: the model's own (default), or one of its alternatives (`menu-reset`). */
  procedure?: string;
  /** menu-reset: which reset the menu performs (default `factory`). */
  menuChoice?: string;
  /** The admin password, when known: typed instead of the MAC (cancel-combo, led-combo), required by the menu reset. */
  adminPassword?: string;
  /** The phone's application version, when known (`x.y.z`). */
  software?: string;
  /** The operator vouches for the label: a run whose identity rests on it alone may pass (`--trust-label`). */
  trustLabel?: boolean;
}

/** A run, decided and planned: which machine, with what. */
export type RunPlan =
  | {
      machine: 'keypad';
      /** The model, with the chosen procedure as its `procedure`. */
      model: PhoneModel;
      kind: ProcedureKind;
      /** How the run is called in messages: `reset`, `menu reset (Reset to Factory)`, `reboot`. */
      label: string;
      /** The password's key plans (each case an attempt may type). */
      plans: Plan[];
      planFor: (macCase: MacCase, safe?: boolean) => Plan;
      typesAdminPassword: boolean;
      software?: string;
    }
  | {
      machine: 'steps';
      model: PhoneModel;
      kind: ProcedureKind;
      label: string;
      procedure: StepProcedure;
      adminPlan?: Plan;
      choice?: MenuResetChoice;
    };

export interface RunResetOptions extends RunChoices, RunOn {
  model: PhoneModel;
  /** The bench's calibration file: what it learned of this model is used, and what this run learns is kept. */
  calibration?: CalibrationStore;
  /** 12 lower-case hex digits (parse with parseMac first). */
  mac: string;
}

/**
 * Plans the password in the given case under the model's text-entry profile; a `safe` plan never relies on the mode
 * key committing a pending letter.
 */
export function planForModel(model: PhoneModel, mac: string): (macCase: MacCase, safe?: boolean) => Plan {
  const plans = new Map<string, Plan>();
  return (macCase, safe = false) => {
    const key = `${macCase}${safe ? ' safe' : ''}`;
    let p = plans.get(key);
    if (!p) {
      p = planMac(macCase === 'upper' ? mac.toUpperCase() : mac.toLowerCase(), {
        ...model.textEntry,
        macCase: macCase,
        ...(safe ? { modeCommits: false } : {}),
      });
      plans.set(key, p);
    }
    return p;
  };
}

/** The procedure of that kind: the model's own, or one of its alternatives. */
export function chooseProcedure(model: PhoneModel, kind?: string): Procedure {
  if (kind === undefined || kind === model.procedure.kind) return model.procedure;
  const alt = model.alternatives?.find((p) => p.kind === kind);
  if (alt) return alt;
  const known = [model.procedure.kind, ...(model.alternatives ?? []).map((p) => p.kind)];
  throw new ConfigError('unknown-procedure', `the ${model.name} has no procedure '${kind}'`, `use one of: ${known.join(', ')}`);
}

/** Decides and plans a reset run; every ConfigError (unsupported model, missing password, bad choice) comes here. */
export function resolveRun(model: PhoneModel, mac: string, choices: RunChoices = {}): RunPlan {
  const procedure = chooseProcedure(model, choices.procedure);
  if (choices.menuChoice !== undefined && procedure.kind !== 'menu-reset') {
    throw new ConfigError('bad-option', `--menu-reset is for the menu reset, not the ${model.name}'s ${procedure.kind}`, 'add --procedure menu-reset, or leave --menu-reset out');
  }
  switch (procedure.kind) {
    case 'unsupported':
      throw new ConfigError(
        'unsupported-model',
        `the catalog cannot reset the ${model.name}: ${procedure.reason}`,
        `if it resets by a key combo at the countdown, give it one in a profiles file (--profiles F; README, "Your own models": a profiles file defines cancel-combo procedures)`,
      );
    case 'cancel-combo':
    case 'led-combo': {
      const m = { ...model, procedure };
      const admin = choices.adminPassword;
      const planFor = admin !== undefined ? () => adminPlan(m, admin) : planForModel(m, mac);
      const first: MacCase = m.textEntry.macCase === 'upper' ? 'upper' : 'lower';
      // Plan every case an attempt may type now: an untypeable MAC fails before anything moves.
      const cases: MacCase[] = m.textEntry.macCaseKnown === false ? [first, first === 'lower' ? 'upper' : 'lower'] : [first];
      return {
        machine: 'keypad',
        model: m,
        kind: procedure.kind,
        label: 'reset',
        plans: cases.map((c) => planFor(c)),
        planFor,
        typesAdminPassword: admin !== undefined,
        ...(choices.software !== undefined ? { software: choices.software } : {}),
      };
    }
    case 'menu-reset': {
      if (choices.adminPassword === undefined) {
        throw new ConfigError('no-admin-password', `the menu reset of the ${model.name} needs its admin password`, 'give it with --admin-password (seed 001: "Select Advanced (Password 456)")');
      }
      const name = choices.menuChoice ?? 'factory';
      const offered = Object.keys(procedure.choices);
      const choice = offered.includes(name) ? procedure.choices[name as MenuResetChoice] : undefined;
      if (!choice) throw new ConfigError('bad-menu-reset', `the menu reset has no choice '${name}'`, `use one of: ${offered.join(', ')}`);
      return {
        machine: 'steps',
        model: { ...model, procedure },
        kind: 'menu-reset',
        label: `menu reset (${choice.label})`,
        procedure: { kind: 'menu-step', steps: choice.steps, resets: choice.resets },
        adminPlan: adminPlan(model, choices.adminPassword),
        choice: name as MenuResetChoice,
      };
    }
    default:
      if (choices.adminPassword !== undefined) {
        throw new ConfigError('bad-option', `the ${model.name}'s ${procedure.kind} procedure types no password`, 'leave --admin-password out');
      }
      // Only a `confirm` step can make a run pass: a step list that does not end with one could never be trusted.
      if (procedure.steps.at(-1)?.do !== 'confirm') {
        throw new ConfigError('bad-procedure', `the ${model.name}'s ${procedure.kind} procedure does not end with a 'confirm' step`, "end it with the signs that show the reset happened: { \"do\": \"confirm\", ... }");
      }
      return { machine: 'steps', model: { ...model, procedure }, kind: procedure.kind, label: 'reset', procedure };
  }
}

/** The reboot by key combo (seed 001 "Rebooting the Phone"), as a run. */
export function resolveReboot(model: PhoneModel): RunPlan {
  if (!model.rebootCombo) {
    throw new ConfigError('no-reboot-combo', `the sources give the ${model.name} no reboot combo`, 'to reboot it, switch its power off and on (unplug it, count to 10, plug it back in)');
  }
  return { machine: 'steps', model, kind: 'reboot', label: 'reboot', procedure: rebootProcedure(model.rebootCombo) };
}

/** The admin password's key plan under the model's text-entry profile, typed exactly as given. */
function adminPlan(model: PhoneModel, password: string): Plan {
  if (password === '') throw new ConfigError('no-admin-password', 'the admin password is empty', 'give the password, e.g. --admin-password 456');
  return planText(password, model.textEntry);
}

/** Runs the model's reset (or the procedure the options pick) on a bench to its end and returns the phone's record. */
export function runReset(opts: RunResetOptions): Promise<ResetRecord> {
  const cal = opts.calibration?.get(opts.model.id);
  return runPlan(resolveRun(calibratedModel(opts.model, cal), opts.mac, opts), opts).then((record) =>
    cal ? { ...record, calibration: { phones: cal.phones, keypad: cal.keypad } } : record,
  );
}

/** Runs a decided run on a bench to its end and returns the phone's record. */
export function runPlan(
  plan: RunPlan,
  opts: Omit<RunResetOptions, 'model' | keyof RunChoices> & Pick<RunChoices, 'trustLabel'>,
): Promise<ResetRecord> {
  const { mac, bench, clock } = opts;
  // Before anything moves: the fixture, the board's hold limit (as its driver reports it), the camera.
  let needs: BenchNeeds;
  try {
    requireFit(plan, bench.fixture);
    needs = benchNeeds(plan);
    if (needs.longestHoldMs > bench.driver.info.maxHoldMs) {
      throw new ConfigError(
        'hold-too-long',
        `the ${plan.model.name} ${plan.label} may hold a key ${needs.longestHoldMs / 1000} s, but this board cuts any hold at ${bench.driver.info.maxHoldMs / 1000} s`,
        'use a board built with a longer MAX_HOLD_MS for this jig',
      );
    }
    if (needs.observer && !bench.observer) {
      throw new ConfigError('needs-observer', `the ${plan.model.name} ${plan.label} finds its way by what the screen shows: it needs an observer (a camera)`, 'run it on a bench with one');
    }
  } catch (err) {
    return Promise.reject(err);
  }
  // A blind step procedure keeps the power on through the unit's restart for as long as calibration watched it take.
  const blindConfirm = plan.machine === 'steps' ? blindConfirmMs(opts.calibration?.get(plan.model.id), plan.kind) : undefined;
  // Only the keypad machine waits on SCREEN events; the step machine's blocks read the observer themselves.
  const machine: AnyStateMachine = plan.machine === 'keypad' ? factoryResetMachine : stepMachine;
  const input = (runBench: Bench) =>
    plan.machine === 'keypad'
      ? {
          model: plan.model,
          mac,
          bench: runBench,
          clock,
          planFor: plan.planFor,
          typesAdminPassword: plan.typesAdminPassword,
          ...(plan.software ? { software: plan.software } : {}),
          ...(opts.beforeTyping ? { beforeTyping: opts.beforeTyping } : {}),
          ...(opts.rebootsSeen ? { rebootsSeen: opts.rebootsSeen } : {}),
        }
      : {
          model: plan.model,
          mac,
          bench: runBench,
          clock,
          procedure: plan.procedure,
          ...(plan.adminPlan ? { adminPlan: plan.adminPlan } : {}),
          ...(opts.rebootsSeen ? { rebootsSeen: opts.rebootsSeen } : {}),
          ...(blindConfirm !== undefined ? { blindConfirmMs: blindConfirm } : {}),
        };
  const progress = recordProgress(clock, opts.onState);
  const run = driveMachine<ResetOutput>(machine, input, {
    ...opts,
    onState: progress.onState,
    screens: plan.machine === 'keypad',
    holdLimitExpected: needs.longestHoldMs >= bench.driver.info.maxHoldMs,
  });
  return run.then((out) => {
    // What an observed run saw of the phone is kept for the next phone of its model.
    if (opts.calibration && bench.observer && out.result !== 'aborted') {
      opts.calibration.learn(plan.model.id, learnedFrom(out.notes, out.attemptLog.flatMap((a) => (a.failure ? [a.failure.code] : [])), plan.kind));
    }
    return recordFromOutput(plan, out, opts, bench, progress.lines);
  });
}

/**
 * The record of a finished run, with its honest outcome: `pass` only when the phone is in the state asked for and
 * the record shows who proved it. A combo reset before UC Software 4.0.0 is a device reset only (seed 001 NOTE): its
 * own outcome, `device-reset`. A factory reset whose kind could not be told (no software version seen or given) is
 * not a pass. A run whose phone is known only by its label (nothing it did proved its MAC) is not a pass unless the
 * operator trusts labels.
 */
function recordFromOutput(
  plan: RunPlan,
  out: ResetOutput,
  opts: { mac: string; trustLabel?: boolean },
  bench: Bench,
  progress?: ResetRecord['progress'],
): ResetRecord {
  const evidence = [...(out.evidence ?? [])];
  const identityBy: ResetRecord['identity']['by'] = out.identityBy ?? 'label';
  if (identityBy === 'label') {
    evidence.push({ about: 'identity', proof: 'label', source: 'label', t: out.endMs, holds: opts.trustLabel === true, detail: `the job's MAC ${opts.mac}${opts.trustLabel ? ' (--trust-label)' : ', from the label alone'}` });
  }
  let outcome = outcomeOf(out);
  let summary = out.summary;
  let failure = out.failure;
  const isResetPlan = plan.label === 'reset';
  if (outcome === 'pass' && isResetPlan && plan.machine === 'keypad') {
    if (out.resetKind === 'device-reset') {
      outcome = 'device-reset';
      failure = {
        class: 'phone',
        code: 'device-reset-only',
        reason: `software ${out.software} is before UC Software 4.0.0: the combo performed a device reset only (seed 001), not a factory reset; update the phone to 4.0.0 or later and reset again, or clear it with the menu resets (--procedure menu-reset --menu-reset local, web, device)`,
      };
      summary = failure.reason;
    } else if (out.resetKind === undefined) {
      outcome = 'unverified';
      failure = {
        class: 'phone',
        code: 'reset-kind-unknown',
        reason: 'the phone reset, but its software version was never seen: before UC Software 4.0.0 the combo is a device reset only (seed 001); give --software X.Y.Z or check Menu > Status > Platform > Application',
      };
      summary = failure.reason;
    }
  }
  if (outcome === 'pass' && identityBy === 'label' && !opts.trustLabel && plan.label !== 'reboot') {
    outcome = 'unverified';
    failure = {
      class: 'phone',
      code: 'identity-unproven',
      reason: `${out.summary}; but nothing proved which phone it was: the record names ${opts.mac} from the label alone (give --trust-label to accept labels, or add a network observer)`,
    };
    summary = failure.reason;
  }
  return {
    outcome,
    model: plan.model.id,
    mac: opts.mac,
    procedure: plan.kind,
    ...recordOf({ ...out, summary, ...(failure ? { failure } : {}) }),
    ...(failure && !out.failure ? { failure } : {}),
    bench: bench.driver.info,
    observed: bench.observer !== undefined,
    identity: { by: identityBy, mac: opts.mac },
    evidence,
    ...(out.resetKind ? { resetKind: out.resetKind } : {}),
    ...(out.software ? { software: out.software } : {}),
    ...(plan.machine === 'steps' && plan.choice ? { choice: plan.choice } : {}),
    ...(progress ? { progress } : {}),
  };
}
