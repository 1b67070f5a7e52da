import type { PhoneModel, ProcedureStep, Sign } from '../catalog/types.js';
import type { Plan } from '../text-entry/types.js';

/*
 * One vocabulary for the progress of every procedure: each state of each machine (src/machines: the keypad machine
 * `factoryReset`, the step machine `stepProcedure`, the provisioning machine `provision`, and the end states they
 * share) as a technician says it, with a stable step id beside the words ("hold-combo": "holding 1+3+5"), and how
 * long the step may last (a fixed wait, or a deadline) for its countdown. reset, reboot, batch, demo, provision,
 * --json, the records and `resetbot runs` all take their words from here.
 *
 * The words are derived from what the runner reports (machines/runner.ts): the machine's id, its innermost state,
 * and its context (the model, the step in progress, the combo, the reboots seen). The machines are not changed for
 * it. A state the table does not know still gets words (its name, humanised), and a test walks every state of every
 * machine so that a new state without words is caught.
 */

/** What the progress of a run says at a moment. */
export interface StepWords {
  /** Stable, machine-readable: `power-off`, `hold-combo`, `type-password`, `await-reboots`, ... */
  id: string;
  /** A technician's words: "holding 1+3+5", "waiting for reboot 2 of 2". */
  words: string;
  /** How long the step lasts: `for` a fixed time (a wait by the clock) or `within` a deadline (a wait for a sign). */
  limit?: { ms: number; kind: 'for' | 'within' };
  /** Text being typed: the count of characters typed, over time, for "typing the password, 7 of 12". */
  typing?: { chars: number; doneAt: number[] };
}

/** What the vocabulary reads of a machine's context (each machine has some of it). */
export interface SeenContext {
  model?: PhoneModel;
  bench?: { fixture: { relay: boolean }; observer?: unknown };
  // the keypad machine (machines/factory-reset.ts)
  procedure?: { kind: string; combos?: { keys: string[] }[]; leds?: string[]; steps?: ProcedureStep[] };
  comboIndex?: number;
  macCase?: 'lower' | 'upper';
  planFor?: (macCase: 'lower' | 'upper') => Plan;
  typesAdminPassword?: boolean;
  reboots?: number;
  // the step machine (machines/steps.ts)
  index?: number;
  adminPlan?: Plan;
  // the provisioning machine (machines/provision.ts)
  plan?: { ops: { op: string; what: string; plan?: Plan }[]; adminPlans: Plan[] };
  opIndex?: number;
  adminIndex?: number;
  spec?: { textEntry?: { initialMode: string } };
}

type Entry = (c: SeenContext) => StepWords;

const t = (c: SeenContext) => c.model?.timing;
const within = (ms: number | undefined): StepWords['limit'] => (ms === undefined ? undefined : { ms, kind: 'within' });
const lasting = (ms: number | undefined): StepWords['limit'] => (ms === undefined ? undefined : { ms, kind: 'for' });
const w = (id: string, words: string, limit?: StepWords['limit']): StepWords => (limit ? { id, words, limit } : { id, words });

const CORNER: Record<string, string> = { tl: 'top-left', tr: 'top-right', bl: 'bottom-left', br: 'bottom-right' };

/** A key as a technician names it: `1`, `*`, `softkey 2`, `volume down`, `the four corners`. */
export function keyName(key: string): string {
  const corner = /^corner-(tl|tr|bl|br)$/.exec(key);
  if (corner) return `${CORNER[corner[1]!]} corner`;
  const soft = /^softkey(\d+)$/.exec(key);
  if (soft) return `softkey ${soft[1]}`;
  return key.replace(/-/g, ' ');
}

/** Keys held together: `1+3+5`; the four screen corners as such. */
export function keysName(keys: readonly string[]): string {
  if (keys.length === 4 && keys.every((k) => k.startsWith('corner-'))) return 'the four corners';
  return keys.map(keyName).join('+');
}

/** The combo a keypad run holds now. */
function combo(c: SeenContext): string {
  const combos = c.procedure?.combos ?? [];
  if (combos.length === 0) return 'the combo';
  return keysName(combos[(c.comboIndex ?? 0) % combos.length]!.keys);
}

/**
 * When each character of a typed text is complete, ms from the start of typing: a character ends with the last tap
 * that makes it (a digit or symbol in `123` mode is one tap; in a letter mode the taps of one key make one letter
 * until a pause, a mode change or another key commits it).
 */
export function charTimes(plan: Plan, initialMode: string): number[] {
  const done: number[] = [];
  let at = 0;
  let mode = initialMode;
  let pending: { key: string; end: number } | undefined;
  const commit = () => {
    if (pending) done.push(pending.end);
    pending = undefined;
  };
  for (const step of plan.steps) {
    if (step.kind === 'wait') {
      commit();
      at += step.ms;
      continue;
    }
    if (step.kind === 'mode') {
      commit();
      mode = step.mode;
      at += step.ms;
      continue;
    }
    const end = at + step.ms;
    if (mode === '123') {
      commit();
      done.push(end);
    } else {
      if (pending && pending.key !== step.key) commit();
      pending = { key: step.key, end };
    }
    at = end;
  }
  commit();
  return done;
}

function typing(id: string, words: string, plan: Plan | undefined, c: SeenContext): StepWords {
  if (!plan) return w(id, words);
  const initial = c.spec?.textEntry?.initialMode ?? c.model?.textEntry.initialMode ?? '123';
  // Counted from the keys, not the text: a secret's plan carries `***` as its text (the length shows as stars anyway).
  const doneAt = charTimes(plan, initial);
  return { id, words, typing: { chars: doneAt.length, doneAt } };
}

/** An ordinal for a count: 1st, 2nd, 3rd, 4th. */
export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

const ledNames = (c: SeenContext) => (c.procedure?.leds ?? []).map((l) => l.replace(/-/g, ' ')).join(' and ') || 'window';

/** The keypad machine (machines/factory-reset.ts), by state. */
const FACTORY_RESET: Record<string, Entry> = {
  powerOff: (c) =>
    c.bench && !c.bench.fixture.relay
      ? w('reboot-combo', `rebooting it with its reboot combo${c.model?.rebootCombo ? ` (${keysName(c.model.rebootCombo.keys)})` : ''}`)
      : w('power-off', 'powering off', lasting(t(c)?.powerOffMs)),
  offWait: (c) => w('power-off', 'powering off', lasting(t(c)?.powerOffMs)),
  powerOn: () => w('power-on', 'powering on'),
  awaitCancel: (c) => w('await-cancel', 'waiting for Cancel', within(t(c)?.cancelDeadlineMs)),
  blindCancelWait: (c) => w('await-cancel', 'waiting for the Cancel window (no camera: by the clock)', lasting(t(c)?.cancelAfterMs)),
  awaitLedsOn: (c) => w('await-leds', `waiting for the ${ledNames(c)} lights`, within(t(c)?.cancelDeadlineMs)),
  awaitLedsOff: (c) => w('await-leds-off', `waiting for the ${ledNames(c)} lights to go off`, within(t(c)?.cancelDeadlineMs)),
  blindLedWait: (c) => w('await-leds', `waiting for the ${ledNames(c)} lights (no camera: by the clock)`, lasting(t(c)?.cancelAfterMs)),
  pressCancel: () => w('press-cancel', 'pressing Cancel'),
  awaitCountdown: (c) => w('await-countdown', 'waiting for the countdown', within(t(c)?.answerTimeoutMs)),
  comboWait: (c) => w('combo-wait', `countdown running, about to hold ${combo(c)}`, lasting(t(c)?.comboAfterCancelMs)),
  holdCombo: (c) => w('hold-combo', `holding ${combo(c)}`, within(t(c)?.comboHoldMs)),
  holding: (c) => w('hold-combo', `holding ${combo(c)}`, within(t(c)?.comboHoldMs)),
  blindHolding: (c) => w('hold-combo', `holding ${combo(c)}`, lasting(t(c)?.comboHoldMs)),
  releaseCombo: (c) => w('release-combo', `releasing ${combo(c)}`),
  repressCombo: (c) => w('repress-combo', `no prompt yet: pressing ${combo(c)} again`),
  settle: (c) => w('prompt-settle', 'letting the password prompt settle', lasting(t(c)?.promptSettleMs)),
  typing: (c) =>
    typing('type-password', c.typesAdminPassword ? 'typing the admin password' : 'typing the password', c.planFor?.(c.macCase ?? 'lower'), c),
  confirm: () => w('confirm', 'pressing OK'),
  awaitAnswer: (c) => w('await-answer', 'waiting for the phone to take the password', within(t(c)?.answerTimeoutMs)),
  awaitReboots: (c) => {
    const of = t(c)?.resetReboots ?? 1;
    const n = Math.min(of, (c.reboots ?? 0) + 1);
    return w('await-reboots', `waiting for reboot ${n} of ${of}`, within(t(c)?.rebootTimeoutMs));
  },
  blindReboots: (c) => w('await-reboots', 'waiting for the reset reboots (no camera: by the clock)', lasting(t(c)?.rebootTimeoutMs)),
};

/** The keys held when step `index` begins (holds and releases before it). */
function heldBefore(steps: ProcedureStep[], index: number): string[] {
  const held = new Set<string>();
  for (const s of steps.slice(0, index)) {
    if (s.do === 'hold') for (const k of s.keys) held.add(k);
    if (s.do === 'release') for (const k of s.keys) held.delete(k);
    if (s.do === 'power-off' || s.do === 'power-cycle') held.clear();
  }
  return [...held];
}

const signWords = (sign: Sign, nth?: number) => (nth && nth > 1 ? `${sign.what} (the ${ordinal(nth)} time)` : sign.what);
/** A sign that reads as a sentence ("the screen goes dark") is waited `until`; a thing ("the idle screen") `for`. */
const isSentence = (what: string) => /\b(goes|go|is|are|lights|blinks|flash|flashes|finds|was)\b/.test(what);
const awaiting = (what: string) => (isSentence(what) ? `until ${what}` : `for ${what}`);
const label = (pattern: string) => pattern.replace(/[\\^$()[\]|?+*]/g, '').replace(/\s+/g, ' ').trim();

/** The step machine's steps (machines/steps.ts), by the step's `do`: every kind a step procedure has. */
const STEP: { [K in ProcedureStep['do']]: (step: Extract<ProcedureStep, { do: K }>, c: SeenContext, held: string[]) => StepWords } = {
  'power-cycle': (_s, c) =>
    c.bench && !c.bench.fixture.relay
      ? w('reboot-combo', 'rebooting it with its reboot combo')
      : w('power-cycle', 'power-cycling', lasting(t(c)?.powerOffMs)),
  'power-off': (_s, c) => w('power-off', 'powering off', lasting(t(c)?.powerOffMs)),
  'power-on': (_s, _c, held) => w('power-on', held.length > 0 ? `powering on, holding ${keysName(held)}` : 'powering on'),
  hold: (s) => w('hold', `holding ${keysName(s.keys)}`),
  release: (s) => w('release', `releasing ${keysName(s.keys)}`),
  press: (s, c) =>
    s.ms !== undefined && s.ms >= 1000
      ? w('press', `holding ${keysName(s.keys)}`, lasting(s.ms))
      : w('press', `pressing ${keysName(s.keys)}`, s.ms !== undefined ? lasting(s.ms) : lasting(t(c)?.keyTapMs)),
  wait: (s, _c, held) => w('wait', held.length > 0 ? `holding ${keysName(held)}` : 'waiting', lasting(s.ms)),
  'wait-for': (s, c, held) => {
    const what = signWords(s.sign, s.nth);
    const blind = c.bench !== undefined && c.bench.observer === undefined;
    const words = held.length > 0 ? `holding ${keysName(held)} ${awaiting(what).replace(/^for /, 'until ')}` : `waiting ${awaiting(what)}`;
    return blind ? w('wait-for', `${words} (no camera: by the clock)`, lasting(s.blindMs)) : w('wait-for', words, within(s.deadlineMs));
  },
  menu: (s) => w('menu', `choosing ${s.item} in the menu`),
  'type-admin-password': (_s, c) => typing('type-admin-password', 'typing the admin password', c.adminPlan, c),
  softkey: (s) => w('softkey', `pressing the ${label(s.label)} softkey`),
  confirm: (s, c) =>
    c.bench !== undefined && c.bench.observer === undefined
      ? w('confirm', 'done (no camera: nothing to watch)')
      : w('confirm', `watching for the end: ${s.signs.map((x) => x.what).join(', then ')}`, within(s.deadlineMs)),
};

/** Every kind of step a step procedure has (catalog/types.ts ProcedureStep), each with words in the table above. */
export const STEP_KINDS = Object.keys(STEP) as ProcedureStep['do'][];

function stepWords(c: SeenContext): StepWords {
  const steps = c.procedure?.steps ?? [];
  const step = steps[c.index ?? 0];
  if (!step) return w('step', 'working');
  const entry = STEP[step.do] as (s: ProcedureStep, c: SeenContext, held: string[]) => StepWords;
  return entry(step, c, heldBefore(steps, c.index ?? 0));
}

/** The provisioning machine's Setup-menu operation in progress, by the sub-state it is in. */
function opWords(c: SeenContext, phase: 'find' | 'clear' | 'type' | 'check'): StepWords {
  const op = c.plan?.ops[c.opIndex ?? 0];
  if (!op) {
    const generic = { find: ['find-item', 'finding the next item in the menu'], clear: ['clear-field', 'clearing the field'], type: ['type-field', 'typing the field'], check: ['check-field', 'checking what the screen shows'] } as const;
    return w(generic[phase][0], generic[phase][1]);
  }
  const what = op.what;
  switch (op.op) {
    case 'goto':
      return w('find-item', `finding ${what} in the menu`, within(t(c)?.answerTimeoutMs));
    case 'select':
      return w('open-item', `choosing ${what}`);
    case 'exit':
      return w('exit-menu', `leaving the ${what}`);
    case 'edit':
      if (phase === 'clear') return w('clear-field', `clearing the ${what} field`);
      if (phase === 'type') return typing('type-field', `typing the ${what}`, op.plan, c);
      return w('check-field', `checking the ${what} field`);
    default:
      return w('setup-menu', `${op.op} ${what}`);
  }
}

const SHARED_START = {
  powerOff: FACTORY_RESET.powerOff!,
  offWait: FACTORY_RESET.offWait!,
  powerOn: FACTORY_RESET.powerOn!,
  awaitCancel: FACTORY_RESET.awaitCancel!,
  pressCancel: FACTORY_RESET.pressCancel!,
};

/** The provisioning machine (machines/provision.ts), by state. */
const PROVISION: Record<string, Entry> = {
  ...SHARED_START,
  awaitSetup: (c) => w('await-setup', 'waiting for the Setup softkey', within(t(c)?.answerTimeoutMs)),
  pressSetup: () => w('press-setup', 'pressing Setup'),
  awaitPrompt: (c) => w('await-setup-prompt', 'waiting for the Setup password prompt', within(t(c)?.answerTimeoutMs)),
  settle: (c) => w('prompt-settle', 'letting the password prompt settle', lasting(t(c)?.promptSettleMs)),
  typeAdmin: (c) => {
    const tries = c.plan?.adminPlans.length;
    const n = (c.adminIndex ?? 0) + 1;
    return typing('type-admin-password', `typing admin password ${n}${tries ? ` of ${tries}` : ''} (seed 002)`, c.plan?.adminPlans[c.adminIndex ?? 0], c);
  },
  checkAdmin: () => w('check-admin', 'checking the password field'),
  confirmAdmin: () => w('confirm', 'pressing OK'),
  awaitMenu: (c) => w('await-menu', 'waiting for the Setup menu', within(t(c)?.answerTimeoutMs)),
  next: (c) => opWords(c, 'find'),
  done: (c) => opWords(c, 'find'),
  navigate: (c) => opWords(c, 'find'),
  pressUp: (c) => opWords(c, 'find'),
  pressDown: (c) => opWords(c, 'find'),
  navSettle: (c) => opWords(c, 'find'),
  pressSelect: (c) => opWords(c, 'find'),
  awaitExpected: (c) => opWords(c, 'check'),
  clearField: (c) => opWords(c, 'clear'),
  awaitCleared: (c) => opWords(c, 'clear'),
  typeField: (c) => opWords(c, 'type'),
  settleField: (c) => opWords(c, 'check'),
  checkField: (c) => opWords(c, 'check'),
  pressOk: (c) => opWords(c, 'check'),
  pressExit: (c) => opWords(c, 'find'),
  awaitReboot: (c) => w('await-reboot', 'waiting for the phone to save and reboot', within(t(c)?.rebootTimeoutMs)),
};

/** The states every machine ends an attempt with (machines/attempts.ts END_STATES). */
const END: Record<string, Entry> = {
  recover: () => w('recover', 'attempt failed: releasing every key'),
  // The procedure saw its end; the outcome (pass, or unverified when nothing proved which phone it was) is the
  // record's, said on the result line.
  passed: () => w('passed', 'finished, observed'),
  unverified: () => w('unverified', 'done, unverified'),
  failed: () => w('failed', 'failed'),
  aborting: () => w('abort', 'stopping: releasing every key'),
  aborted: () => w('aborted', 'stopped'),
};

/** Every machine's table, by the machine's id (its `id` in createMachine). */
export const VOCABULARY: Record<string, Record<string, Entry>> = {
  factoryReset: { ...FACTORY_RESET, ...END },
  stepProcedure: { step: stepWords, ...END },
  provision: { ...PROVISION, ...END },
};

/** `blindReboots` -> `blind reboots`: the words for a state the table does not know. */
export function humanise(state: string): string {
  return state
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase()
    .trim();
}

/** What the words of a state depend on: the runner asks for words only when it changes. */
export function progressKey(value: unknown, c: SeenContext & { attempt?: number }): string {
  return JSON.stringify(progressFields(value, c));
}

/** progressKey's parts, unjoined: compare them with the next snapshot's by sameProgressOf. */
export function progressFields(value: unknown, c: SeenContext & { attempt?: number }): unknown[] {
  return [value, c.attempt, c.index, c.opIndex, c.reboots, c.comboIndex, c.adminIndex, c.macCase];
}

/**
 * Whether `a` (progressFields of an earlier snapshot) gives the same progressKey as (value, c), without writing either
 * out or building the second (the runner asks on every snapshot): a state value is compared deeply.
 */
export function sameProgressOf(a: readonly unknown[] | undefined, value: unknown, c: SeenContext & { attempt?: number }): boolean {
  return (
    a !== undefined &&
    sameJson(a[0], value) &&
    sameJson(a[1], c.attempt) &&
    sameJson(a[2], c.index) &&
    sameJson(a[3], c.opIndex) &&
    sameJson(a[4], c.reboots) &&
    sameJson(a[5], c.comboIndex) &&
    sameJson(a[6], c.adminIndex) &&
    sameJson(a[7], c.macCase)
  );
}

/** JSON.stringify(a) === JSON.stringify(b), for a state value (strings, nested objects of them) or a plain field. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // JSON writes undefined in an array as null.
  if (a == null && b == null) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) {
    if (ak[i] !== bk[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[ak[i]!], (b as Record<string, unknown>)[bk[i]!])) return false;
  }
  return true;
}

/** Whether the table has words of its own for a machine's state (the test of every state asks it). */
export function knows(machine: string, state: string): boolean {
  return VOCABULARY[machine]?.[state] !== undefined;
}

/** The words for a machine's state, given its context; a state the table does not know gets its name humanised. */
export function describeState(machine: string, state: string, context: unknown): StepWords {
  const entry = VOCABULARY[machine]?.[state] ?? END[state];
  if (entry) return entry((context ?? {}) as SeenContext);
  return { id: state.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(), words: humanise(state) };
}

/**
 * The words for a step of a record (a reset's or provisioning's `steps`: the step name the machine recorded, and its
 * detail), as the live progress said them, for --json and `resetbot runs show`.
 */
export function describeRecordStep(step: string, detail?: string): string {
  const d = detail ?? '';
  const RECORD: Record<string, string> = {
    'power-off': 'powered off',
    'reboot-combo': 'rebooted it with its reboot combo',
    'power-on': 'powered on',
    'power-cycle': 'power-cycled',
    'await-cancel': 'waited for Cancel',
    'countdown-without-cancel': 'the countdown came without Cancel',
    'await-leds': 'waited for the window lights',
    'press-cancel': 'pressed Cancel',
    'hold-combo': 'held the combo until the password prompt',
    'release-combo': 'released the combo',
    'type-password': 'typed the password',
    'type-admin-password': 'typed the admin password',
    confirm: 'pressed OK',
    'await-answer': 'waited for the phone to take the password',
    'await-reboots': 'waited for the reset reboots',
    'press-setup': 'pressed Setup',
    'await-menu': 'waited for the Setup menu',
    'await-reboot': 'waited for the phone to save and reboot',
    recover: 'attempt failed: released every key',
    abort: 'stopped: released every key',
  };
  switch (step) {
    case 'hold':
      return `held ${d}`;
    case 'release':
      return `released ${d}`;
    case 'press':
      return `pressed ${d}`;
    case 'wait':
      return `waited ${d}`;
    case 'wait-for':
      return `waited for ${d}`;
    case 'menu':
      return `chose ${d} in the menu`;
    case 'softkey':
      return `pressed ${d}`;
  }
  if (step === 'confirm' && d !== '') return `watched for ${d}`;
  const op = /^(goto|select|edit|exit) (.*)$/.exec(step);
  if (op) {
    const [, kind, what] = op;
    return kind === 'goto' ? `found ${what} in the menu` : kind === 'select' ? `chose ${what}` : kind === 'edit' ? `typed the ${what} and checked it` : `left the ${what}`;
  }
  return RECORD[step] ?? humanise(step) + (d ? ` (${d})` : '');
}
