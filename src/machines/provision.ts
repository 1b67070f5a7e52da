import { assign, fromCallback, setup } from 'xstate';
import { recordProgress, type ProgressLine } from '../progress/render.js';
import type { Failure, Outcome, StepRecord } from '../batch/record.js';
import { REDACTED } from '../batch/redact.js';
import { requireKeys } from '../bench/fixture.js';
import type { Key } from '../bench/keys.js';
import type { Bench, DriverInfo, ScreenObservation } from '../bench/types.js';
import { provisioningFor, SERVER_TYPES, type ProvisioningSpec, type ServerType, type SetupScreens } from '../catalog/provisioning.js';
import type { PhoneModel } from '../catalog/types.js';
import type { Clock } from '../clock/clock.js';
import { ConfigError, editDistance, PhoneError, ResetbotError } from '../errors/errors.js';
import { planText } from '../text-entry/planner.js';
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
  outcomeOf,
  phoneFail,
  recordOf,
  runActions,
  runOutput,
  timingDelays,
  type AttemptSpan,
  type RunLog,
  type RunOutput,
} from './attempts.js';
import type { Evidence } from '../observe/evidence.js';
import { readScreen, tolerance, within, type ScreenKind } from '../observe/meaning.js';
import { tap } from './blocks.js';
import { cancelOffered, rx, shows } from './factory-reset.js';
import { driveMachine, type RunnerEvent, type RunOn } from './runner.js';
import { typePlan } from './typing.js';

/*
 * The provisioning machine (seeds 002 and 003, "Provisioning Process" and "Point Your Phone to the 8x8 Configuration
 * Servers"):
 *
 *   attempt: powerOff -> offWait -> powerOn -> awaitCancel -> pressCancel -> awaitSetup -> pressSetup -> awaitPrompt
 *            -> settle -> typeAdmin -> checkAdmin -> confirmAdmin -> awaitMenu -> work -> awaitReboot -> passed
 *   work runs the planned operations one by one: goto (move the highlight to an item with up/down), select (open it
 *   and see what opens), edit (clear the field, type the planned keys, check the value shown, OK, check the menu shows
 *   it), exit (the Exit softkey); the last select is Save & Reboot, after which the phone must be seen to reboot.
 *   any failure, or a fault the driver reports -> recover (every solenoid released) -> attempt again from
 *   power-off, or failed;   ABORT anywhere -> aborting (everything released) -> aborted   (attempts.ts)
 *
 * Admin passwords: seed 002's 456, then 789, then 1966. A rejected one ends the attempt (`setup-password-rejected`:
 * the phone starts its application) and the next attempt tries the next; these fallbacks do not use up the attempts
 * the timing profile allows for phone and bench failures. When every one is rejected the run fails
 * (`admin-password-rejected`) without more retries.
 *
 * The Setup menus are navigated by what the screen shows, so provisioning needs an observer (a camera, or the
 * simulator's screen). The provisioning password never enters the machine: it is planned into keys beforehand, and
 * the machine knows only its keys and its length (the phone shows one '*' a character).
 *
 * What `pass` means: every value was seen in its editor before OK and in the menu after it, Save & Reboot was taken
 * and the phone was seen to reboot. The password is seen only as stars, so only its length is checked: a key that
 * bounced or misfired inside a letter's taps (a `q` for a `p`) cannot be seen there.
 */

/** What to set. */
export interface ProvisionRequest {
  serverType: ServerType;
  /** Without a scheme: `provision.example.com/cfg` (seed 002), `pccfg.8x8.com/polycomuc/` (seed 003). */
  serverAddress: string;
  serverUser: string;
  /** A secret: redacted everywhere resetbot writes. */
  serverPassword: string;
  /** seed 003: "Select SNTP Address. Enter pool.ntp.org." Left as it is when absent. */
  sntpAddress?: string;
}

/** What the phone is expected to show once an operation is done. */
type Expect =
  | { kind: 'menu'; title?: string; hasItem?: string; itemValue?: { item: string; value: string } }
  | { kind: 'editor'; title: string }
  | { kind: 'reboot' };

/** One operation on the Setup screens. `what` names it in the record (never a secret value). */
export type Op =
  | { op: 'goto'; item: string; what: string }
  | { op: 'select'; expect: Expect; what: string }
  | { op: 'edit'; plan: Plan; display: string; expect: Expect; what: string }
  | { op: 'exit'; expect: Expect; what: string };

/** Everything planned before anything moves. */
export interface ProvisionPlan {
  spec: ProvisioningSpec;
  /** The admin password plans, in the order they are tried. */
  adminPlans: Plan[];
  ops: Op[];
  /** Every key the run may press. */
  keys: Key[];
}

export interface ProvisionInput {
  model: PhoneModel;
  bench: Bench;
  clock: Clock;
  plan: ProvisionPlan;
}

export interface ProvisionAttempt extends AttemptSpan {
  attempt: number;
  /** Which of the admin passwords (0-based, in the order of DEFAULT_ADMIN_PASSWORDS) this attempt typed. */
  adminPasswordIndex: number;
}

export type ProvisionOutput = RunOutput<ProvisionAttempt> & { evidence: Evidence };

/** The record of one provisioning run, like a reset's. The password is always `***`. */
export interface ProvisionRecord {
  outcome: Outcome;
  model: string;
  procedure: 'provision';
  settings: {
    serverType: ServerType;
    serverAddress: string;
    serverUser: string;
    serverPassword: typeof REDACTED;
    sntpAddress?: string;
  };
  attempts: number;
  durationMs: number;
  failure?: Failure;
  summary: string;
  attemptLog: ProvisionAttempt[];
  steps: StepRecord[];
  bench: DriverInfo;
  observed: boolean;
  /** Which observer saw what: each setting in its editor, and the reboot after Save & Reboot. */
  evidence: Evidence;
  /** The run step by step as its live progress said it (progress/render.ts). */
  progress?: ProgressLine[];
}

// ---- planning ---------------------------------------------------------------------------------------------------

/** Keys the Setup screens are driven with besides the typed text: navigation and the softkeys they label. */
const SETUP_KEYS: Key[] = ['up', 'down', 'select', 'softkey1', 'softkey2', 'softkey3', 'softkey4'];

/** A literal label as a whole-label pattern. */
const literal = (label: string) => `^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

/**
 * Plans a provisioning run: the admin passwords' keys and every operation with its typed keys. Throws ConfigError
 * (nothing has moved) for a model without a Setup menu, or text its Setup fields cannot type. Error messages never
 * hold the password.
 */
export function planProvisioning(model: PhoneModel, req: ProvisionRequest): ProvisionPlan {
  const spec = provisioningFor(model);
  const s = spec.screens;
  if (!SERVER_TYPES.includes(req.serverType)) {
    throw new ConfigError('bad-server-type', `server type '${String(req.serverType)}'`, `give one of ${SERVER_TYPES.join(', ')}`);
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(req.serverAddress);
  if (scheme) {
    throw new ConfigError(
      'bad-server-address',
      `--server '${req.serverAddress}' starts with '${scheme[0]}'`,
      `give the address without it, e.g. '${req.serverAddress.slice(scheme[0].length)}': --server-type sets the protocol`,
    );
  }
  if (req.serverAddress === '') throw new ConfigError('bad-server-address', '--server is empty', 'give the provisioning server address');

  // Setup fields are typed without relying on the mode key committing a letter: phones differ there (typing.ts), and
  // a Setup editor that drops a letter would cost a retype.
  const entry = { ...spec.textEntry, modeCommits: false };
  const plan = (option: string, text: string, secret = false): Plan => {
    try {
      const p = planText(text, entry);
      return secret ? { ...p, text: REDACTED } : p;
    } catch (err) {
      if (!(err instanceof ResetbotError)) throw err;
      if (!secret) throw new ConfigError(err.code, `${option}: ${err.message}`, err.hint);
      // The planner's message quotes the text: say where instead.
      const at = [...text].findIndex((ch) => {
        try {
          planText(ch, spec.textEntry);
          return false;
        } catch {
          return true;
        }
      });
      throw new ConfigError(
        err.code,
        `${option}: the character at position ${at + 1} cannot be typed on the ${model.name}'s Setup fields (text-entry profile '${spec.textEntry.id}')`,
        err.hint,
      );
    }
  };

  const adminPlans = spec.adminPasswords.map((p) => plan('admin password', p));
  const ops: Op[] = [];
  const field = (label: string, pattern: string, option: string, value: string, secret = false): void => {
    const p = plan(option, value, secret);
    const display = secret ? '*'.repeat([...value].length) : value;
    ops.push(
      { op: 'goto', item: pattern, what: label },
      { op: 'select', expect: { kind: 'editor', title: pattern }, what: label },
      { op: 'edit', plan: p, display, expect: { kind: 'menu', itemValue: { item: pattern, value: display } }, what: label },
    );
  };
  // seed 002 steps 4-5 / seed 003 steps 5-7: the server menu and its fields.
  ops.push(
    { op: 'goto', item: s.serverMenu, what: 'server menu' },
    { op: 'select', expect: { kind: 'menu', title: s.serverMenu }, what: 'server menu' },
    { op: 'goto', item: s.serverType, what: 'Server Type' },
    { op: 'select', expect: { kind: 'menu', title: s.serverType }, what: 'Server Type' },
    { op: 'goto', item: literal(req.serverType), what: req.serverType },
    { op: 'select', expect: { kind: 'menu', itemValue: { item: s.serverType, value: req.serverType } }, what: req.serverType },
  );
  field('Server Address', s.serverAddress, '--server', req.serverAddress);
  field('Server User', s.serverUser, '--user', req.serverUser);
  field('Server Password', s.serverPassword, '--password', req.serverPassword, true);
  // seed 002 step 6 "click on the Exit soft key" / seed 003 step 8 "Exit Server Menu".
  ops.push({ op: 'exit', expect: { kind: 'menu', hasItem: s.serverMenu }, what: 'server menu' });
  // seed 003 steps 9-10: "Select SNTP Address. Enter pool.ntp.org."
  if (req.sntpAddress !== undefined) field('SNTP Address', s.sntpAddress, '--sntp', req.sntpAddress);
  // seed 002 steps 6-7 "Click Exit again ... select Save & Reboot" / seed 003 step 11 "Select Exit, then select Save
  // & Reboot".
  ops.push(
    { op: 'exit', expect: { kind: 'menu', hasItem: s.saveAndReboot }, what: 'Setup Menu' },
    { op: 'goto', item: s.saveAndReboot, what: 'Save & Reboot' },
    { op: 'select', expect: { kind: 'reboot' }, what: 'Save & Reboot' },
  );

  const keys = new Set<Key>(SETUP_KEYS);
  for (const p of [...adminPlans, ...ops.flatMap((o) => (o.op === 'edit' ? [o.plan] : []))]) {
    for (const step of p.steps) if (step.kind !== 'wait') keys.add(step.key);
  }
  return { spec, adminPlans, ops, keys: [...keys] };
}

// ---- reading the Setup screens ----------------------------------------------------------------------------------

interface MenuRow {
  label: string;
  value: string | undefined;
  highlighted: boolean;
}

/**
 * A menu screen: a title, then rows, one of them highlighted. Undefined when the screen is not a menu. `loose`: also
 * without a highlighted row (a camera's OCR may drop the '>'), when no row is an editor's mode line: for checking what
 * a menu shows (its title, an item's value), never for where the highlight is.
 */
function menuOf(s: ScreenObservation | undefined, screens: SetupScreens, loose = false): { title: string; rows: MenuRow[] } | undefined {
  if (!s || !s.lit || s.lines.length < 2) return undefined;
  const mark = rx(screens.highlight);
  const rows = s.lines.slice(1).map((line) => {
    const body = line.replace(mark, '').trim();
    const colon = body.indexOf(':');
    return {
      label: colon >= 0 ? body.slice(0, colon).trim() : body,
      value: colon >= 0 ? body.slice(colon + 1).trim() : undefined,
      highlighted: mark.test(line),
    };
  });
  if (!rows.some((r) => r.highlighted) && !(loose && rows.length >= 2 && !s.lines.slice(1).some(modeLine))) return undefined;
  return { title: s.lines[0]!.trim().replace(/:$/, ''), rows };
}

/**
 * An editor screen: `Label:` over the value (and, on some phones, the input mode in brackets, e.g. `[abc]`), with an
 * OK softkey. A camera sees no empty line: an empty field leaves the mode line right under the title; and OCR may
 * miss the title's colon or read a bracket as a parenthesis.
 */
function editorOf(s: ScreenObservation | undefined, screens: SetupScreens): { title: string; value: string } | undefined {
  if (!s || !s.lit || !s.lines[0]?.trim() || menuOf(s, screens)) return undefined;
  const rest = s.lines.slice(1);
  if (softkeyNamed(s, screens.okSoftkey) === undefined && !rest.some(modeLine)) return undefined;
  const value = rest.length === 1 && modeLine(rest[0]!) ? '' : (rest[0] ?? '');
  return { title: s.lines[0]!.trim().replace(/\s*[:.;]$/, ''), value };
}

/** The input mode an editor shows under its value: `[abc]`, `[ABC]`, `[123]` (through a camera also `(abc)`, `ABC]`). */
function modeLine(line: string): boolean {
  const t = line.trim();
  return /^[[({|]?\s*[A-Za-z0-9]{1,5}\s*[\])}|]?$/.test(t) && /^[[({|]|[\])}|]$/.test(t);
}

/** Characters a display font or its OCR confuses, folded to one. */
const LOOKALIKE: Record<string, string> = { I: 'l', i: 'l', '1': 'l', '|': 'l', '!': 'l', O: 'o', '0': 'o', C: 'c', K: 'k', P: 'p', S: 's', U: 'u', V: 'v', W: 'w', X: 'x', Z: 'z' };

/**
 * Whether a field's value as the screen shows it is the value typed. A password's stars must be exactly as many. Other
 * values are compared by their letters and digits, look-alikes folded (l, I, 1; O, 0; c, C; ...): a camera's OCR
 * drops dots and slashes and confuses those, while what a misfired or bounced key leaves (a letter of the same key,
 * one letter too few) still differs. On the perfect screen it is equality but for those look-alikes.
 */
export function fieldShows(shown: string | undefined, typed: string): boolean {
  const got = (shown ?? '').trim();
  if (/^\*+$/.test(typed)) return got === typed;
  if (got === '' && typed !== '') return false;
  const a = foldValue(got);
  const b = foldValue(typed);
  if (a === b) return true;
  // OCR's own slips between letters of different keys ('pccfg' read 'pecfg'), one in six letters at most: what a key
  // that misfired or bounced leaves is a letter of the same key (multi-tap), or one letter fewer, never one of these.
  if (a.length !== b.length) return false;
  let slips = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (!OCR_SLIPS.has(`${a[i]}${b[i]}`) || keyOf(a[i]!) === keyOf(b[i]!)) return false;
    slips++;
  }
  return slips <= Math.floor(b.length / 6);
}

/** Pairs of characters OCR takes one for the other on these displays (after look-alike folding), both ways. */
const OCR_SLIPS = new Set(['ce', 'eo', 'ao', 'ae', 'co', 'gy', 'gq', 'ft', 'hb', 'hn', '6b', '8b', '5s', '2z', 'lt'].flatMap((p) => [p, `${p[1]}${p[0]}`]));

/** The keypad key a letter or digit is on (ITU E.161): a multi-tap slip stays on one key. */
function keyOf(ch: string): string {
  const c = ch.toLowerCase();
  if (/[0-9]/.test(c)) return c;
  const i = ['abc', 'def', 'ghi', 'jkl', 'mno', 'pqrs', 'tuv', 'wxyz'].findIndex((g) => g.includes(c));
  return i < 0 ? c : String(i + 2);
}

/** A value's letters and digits, look-alikes folded. */
const foldValue = (v: string) => [...v.replace(/[\s.,:;'`"/\\_~^-]+/g, '')].map((ch) => LOOKALIKE[ch] ?? ch).join('');

/**
 * Whether a label is the one a pattern names: the pattern itself, or (what a camera's OCR makes of it) the pattern's
 * phrase within a few slips: one in four or five letters, two in longer ones; case, punctuation and spacing aside. A
 * softkey's two or three letters may also carry one more letter round them or one wrong after the first ('ox',
 * 'Tok' for OK): a softkey strip holds no two labels that close.
 */
export function matches(pattern: string, label: string, softkey = false): boolean {
  return rx(pattern).test(label) || nearly(pattern, label, softkey);
}

function nearly(pattern: string, label: string, softkey = false): boolean {
  const t = plain(label);
  if (!t) return false;
  return phrasesOf(pattern).some((p) => {
    if (p.length <= 3) return softkey && ((t.includes(p) && t.length <= p.length + 1) || (t.length === p.length && t[0] === p[0] && editDistance(t, p) <= 1));
    return within(t, p, tolerance(p));
  });
}

const plain = (text: string) => text.toLowerCase().replace(/[^a-z0-9&<]+/g, ' ').trim();
const phraseCache = new Map<string, string[]>();

/** The literal phrases a Setup pattern names: `'^\\s*(ok|enter)\\s*$'` -> ok, enter. */
function phrasesOf(pattern: string): string[] {
  let out = phraseCache.get(pattern);
  if (!out) {
    const bare = pattern.replace(/\\s[*+]?/g, ' ').replace(/[\^$]/g, '');
    const group = /^(.*)\(([^()]*)\)(.*)$/.exec(bare);
    const alts = group ? group[2]!.split('|').map((a) => `${group[1]}${a}${group[3]}`) : bare.split('|');
    out = alts.map(plain).filter((a) => a !== '');
    phraseCache.set(pattern, out);
  }
  return out;
}

/**
 * The row of the item a pattern names: the row the pattern itself matches; else the one row (no other is as near)
 * that OCR's slips leave near it, or that starts with its name where OCR read the colon before its value as
 * something else. -1: none. (HTTP is near HTTPS: the HTTPS row, when read, is the one.)
 */
function rowOf(pattern: string, rows: MenuRow[]): number {
  const exact = rows.findIndex((r) => rx(pattern).test(r.label));
  if (exact >= 0) return exact;
  const near = rows.flatMap((r, i) => {
    const t = plain(r.label);
    return nearly(pattern, r.label) || (r.value === undefined && phrasesOf(pattern).some((p) => t.startsWith(`${p} `))) ? [i] : [];
  });
  return near.length === 1 ? near[0]! : -1;
}

/** What follows an item's name on a row whose colon OCR missed ('Server Address. prov.example.com'). */
function valueAfter(pattern: string, label: string): string {
  const words = label.trim().split(/\s+/);
  const name = phrasesOf(pattern).find((p) => plain(label).startsWith(`${p} `));
  return name ? words.slice(name.split(' ').length).join(' ') : '';
}

/**
 * Whether a menu row shows the value just typed and checked in its editor (so that OK kept it): its value, read in
 * a row's smaller share of the camera's pixels, within a quarter of its letters of the value (the value it replaced
 * is seldom that near).
 */
export function rowShows(shown: string, typed: string, before?: string): boolean {
  if (fieldShows(shown, typed)) return true;
  const a = foldValue(shown);
  const b = foldValue(typed);
  if (a !== '' && editDistance(a, b) <= Math.max(1, Math.floor(b.length / 4))) return true;
  // A long value in a row's few pixels may read worse than that; it still tells that OK kept the new value when it
  // reads nearer the new value than the one the editor opened with.
  const old = before === undefined ? undefined : foldValue(before);
  return a !== '' && old !== undefined && old !== b && editDistance(a, b) < editDistance(a, old);
}

/** The key under the softkey a pattern names on this screen, by `matches`. */
function softkeyNamed(s: ScreenObservation | undefined, pattern: string): Key | undefined {
  const i = s?.softkeys.findIndex((label) => label.trim() !== '' && matches(pattern, label, true)) ?? -1;
  return i >= 0 ? (`softkey${i + 1}` as Key) : undefined;
}

function expectMet(s: ScreenObservation | undefined, e: Expect, screens: SetupScreens, before?: string): boolean {
  if (e.kind === 'editor') {
    const ed = editorOf(s, screens);
    return !!ed && matches(e.title, ed.title);
  }
  if (e.kind === 'reboot') return false;
  const m = menuOf(s, screens, true);
  if (!m) return false;
  if (e.title !== undefined && !matches(e.title, m.title)) return false;
  if (e.hasItem !== undefined && rowOf(e.hasItem, m.rows) < 0) return false;
  if (e.itemValue) {
    const { item, value } = e.itemValue;
    // A password's stars were counted in its editor; a menu row's trailing stars a camera reads as anything ('**eseese'):
    // the row is enough there.
    const stars = /^\*+$/.test(value);
    const r = m.rows[rowOf(item, m.rows)];
    if (!r || !(stars || rowShows(r.value ?? valueAfter(item, r.label), value, before))) return false;
  }
  return true;
}

// ---- the machine ------------------------------------------------------------------------------------------------

interface Nav {
  presses: number;
  dir: 'up' | 'down';
  flipped: boolean;
  gaveUp: boolean;
  /** The screen before the last press, to see whether it moved. */
  before: string;
}

interface Ctx extends ProvisionInput, RunLog<ProvisionAttempt> {
  spec: ProvisioningSpec;
  screens: SetupScreens;
  adminIndex: number;
  screen: ScreenObservation | undefined;
  opIndex: number;
  nav: Nav;
  fieldTries: number;
  /** Backspace rounds on the field being edited. */
  clearRounds: number;
  /** The value the field being edited opened with, as read. */
  valueBefore?: string;
  sawDark: boolean;
  /** What the observer saw that the pass stands on (mutated in place, as the reset machine's notes). */
  evidence: Evidence;
}

/** Presses a menu may need to reach an item, at most, before the run gives up on it. */
const NAV_LIMIT = 40;
/**
 * How long a menu press may take to show before it counts as not moving the highlight (the list ends there): the
 * phone answers at once, but a camera shows it some frames later (frame interval, latency, frames that must agree).
 */
const NAV_MOVE_MS = 2_500;
/**
 * How long a wait for a screen goes before the observer is asked to read the display afresh, and again as often: a
 * camera's misreading of a picture that then stays the same (a menu's '>' dropped, a field's letter) would otherwise
 * stand as long as the picture does. Short of NAV_MOVE_MS, so that a fresh reading comes before that wait ends.
 */
const LOOK_AGAIN_MS = 1_200;

/** While invoked: the observer reads the display afresh every LOOK_AGAIN_MS (a no-op for the perfect screen). */
const lookAgain = fromCallback<{ type: string }, { bench: Bench; clock: Clock }>(({ input }) => {
  let id = input.clock.setTimeout(function again() {
    input.bench.observer?.lookAgain?.();
    id = input.clock.setTimeout(again, LOOK_AGAIN_MS);
  }, LOOK_AGAIN_MS);
  return () => input.clock.clearTimeout(id);
});
const lookingAgain = { src: 'lookAgain' as const, input: ({ context }: { context: Ctx }) => ({ bench: context.bench, clock: context.clock }) };

/** Retypes of a field whose value came out wrong (a misfire, a bounce) before the attempt fails. */
const FIELD_RETRIES = 1;
/** The observer's name for the record's evidence. */
const observerName = (c: Ctx) => c.bench.observer?.name ?? 'screen';

/** Screens only a phone that is starting shows. */
const BOOT_SCREENS = new Set<ScreenKind>(['updater', 'bootrom', 'loading']);
/** Rounds of backspaces on one field before it counts as not emptying. */
const CLEAR_ROUNDS = 3;

const timing = (c: Ctx) => c.model.timing;
const freshNav = (): Nav => ({ presses: 0, dir: 'down', flipped: false, gaveUp: false, before: '' });
const op = (c: Ctx): Op | undefined => c.plan.ops[c.opIndex];
const screenKey = (s: ScreenObservation | undefined) => JSON.stringify(s ?? null);
const ordinal = (i: number) => ['1st', '2nd', '3rd'][i] ?? `${i + 1}th`;

/** Where the target of the current goto is, relative to the highlight: here, up, down, or not shown. */
function whereIsTarget(c: Ctx): 'here' | 'up' | 'down' | 'unseen' | 'no-menu' {
  const o = op(c);
  const m = menuOf(c.screen, c.screens);
  if (!m || o?.op !== 'goto') return 'no-menu';
  const at = m.rows.findIndex((r) => r.highlighted);
  const target = rowOf(o.item, m.rows);
  if (target < 0) return 'unseen';
  return target === at ? 'here' : target < at ? 'up' : 'down';
}

/** The key under the softkey labelled `pattern` now, or a phone failure. */
function softkeyOrFail(c: Ctx, pattern: string, what: string): Key {
  const key = softkeyNamed(c.screen, pattern);
  if (!key) throw new PhoneError('no-softkey', `the screen shows no ${what} softkey`);
  return key;
}

const bench = benchStep<Ctx>('provision');

/**
 * How an attempt that failed leaves the run: a rejected admin password moves to the next seed 002 gives; when none is
 * left, the run fails with `admin-password-rejected` (not retried).
 */
function afterFailure(c: Ctx): Pick<Ctx, 'adminIndex' | 'failure'> {
  const failure = failureOf(c);
  if (failure.code !== 'setup-password-rejected') return { adminIndex: c.adminIndex, failure };
  const adminIndex = c.adminIndex + 1;
  if (adminIndex < c.spec.adminPasswords.length) return { adminIndex, failure };
  return {
    adminIndex,
    failure: {
      class: 'phone',
      code: 'admin-password-rejected',
      reason: `the phone rejected every admin password seed 002 gives (${c.spec.adminPasswords.join(', ')}): factory-reset it first ('resetbot reset'), as seed 002 does before provisioning`,
    },
  };
}

export const provisionMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as RunnerEvent,
    input: {} as ProvisionInput,
    output: {} as ProvisionOutput,
  },
  actors: { benchOp, lookAgain },
  delays: { ...timingDelays, navMove: ({ context }: { context: Ctx }) => Math.max(NAV_MOVE_MS, context.model.timing.keyGapMs) },
  guards: {
    /** The screen changed since the last menu press (the highlight moved, or the menu went). */
    navMoved: ({ context: c, event }) => event.type === 'SCREEN' && screenKey(event.screen) !== c.nav.before,
    cancelOffered: ({ context: c }) => cancelOffered(c.screen, c.model.screens),
    setupOffered: ({ context: c }) => !!c.screen?.lit && softkeyNamed(c.screen, c.screens.setupSoftkey) !== undefined,
    promptShown: ({ context: c }) => !!c.screen?.lit && rx(c.screens.setupPrompt).test(c.screen.lines.join('\n')),
    /** The prompt shows one '*' per character typed: as many as the password has. */
    adminTyped: ({ context: c }) =>
      (c.screen?.lines[1] ?? '').length === [...c.spec.adminPasswords[c.adminIndex]!].length,
    rejected: ({ context: c }) => shows(c.screen, c.model.screens, 'rejected'),
    menuShown: ({ context: c }) => menuOf(c.screen, c.screens) !== undefined,
    opsDone: ({ context: c }) => op(c) === undefined,
    isGoto: ({ context: c }) => op(c)?.op === 'goto',
    isSelect: ({ context: c }) => op(c)?.op === 'select',
    isEdit: ({ context: c }) => op(c)?.op === 'edit',
    isExit: ({ context: c }) => op(c)?.op === 'exit',
    targetHere: ({ context: c }) => whereIsTarget(c) === 'here',
    targetUp: ({ context: c }) => whereIsTarget(c) === 'up' || (whereIsTarget(c) === 'unseen' && c.nav.dir === 'up'),
    targetUnseenOrDown: ({ context: c }) => whereIsTarget(c) === 'down' || whereIsTarget(c) === 'unseen',
    navGaveUp: ({ context: c }) => c.nav.gaveUp || c.nav.presses >= NAV_LIMIT,
    expectReboot: ({ context: c }) => {
      const o = op(c);
      return !!o && o.op !== 'goto' && o.expect.kind === 'reboot';
    },
    expectMet: ({ context: c }) => {
      const o = op(c);
      return !!o && o.op !== 'goto' && expectMet(c.screen, o.expect, c.screens, o.op === 'edit' ? c.valueBefore : undefined);
    },
    fieldEmpty: ({ context: c }) => editorOf(c.screen, c.screens)?.value === '',
    fieldRight: ({ context: c }) => {
      const o = op(c);
      return o?.op === 'edit' && fieldShows(editorOf(c.screen, c.screens)?.value, o.display);
    },
    canRetype: ({ context: c }) => c.fieldTries < FIELD_RETRIES,
    canClearAgain: ({ context: c }) => c.clearRounds < CLEAR_ROUNDS,
    rebootSeen: ({ context: c }) => c.sawDark && !!c.screen?.lit,
    // The reset machine's rule (admin-password-rejected and menu-item-missing are final), except that each rejected
    // admin password earns its fallback an attempt of its own.
    canRetry: ({ context: c }) => {
      const next = afterFailure(c);
      return canRetry(next.failure, c.attempt - next.adminIndex, timing(c), c.clock.now() - c.startMs);
    },
  },
  actions: {
    ...runActions<Ctx>(),
    opStep: assign(({ context: c }) => {
      const o = op(c)!;
      return closeStep(c, `${o.op} ${o.what}`);
    }),
    seeScreen: assign({ screen: ({ event }) => (event.type === 'SCREEN' ? event.screen : undefined) }),
    // An attempt's evidence starts afresh: what a failed attempt saw proves nothing of the phone's settings now.
    startAttempt: assign(({ context: c }) => ({ ...nextAttempt(c), opIndex: 0, fieldTries: 0, clearRounds: 0, nav: freshNav(), sawDark: false, evidence: [] })),
    endAttemptFailed: assign(({ context: c }) => ({ attemptLog: [...c.attemptLog, attemptRecord(c, 'fail', failureOf(c))], ...afterFailure(c) })),
    endAttemptPassed: assign(({ context: c }) => ({
      attemptLog: [...c.attemptLog, attemptRecord(c, 'pass')],
      summary:
        `the phone showed every setting in its Setup menu (the password as stars: its length only), took Save & Reboot ` +
        `and rebooted, on attempt ${c.attempt} (admin password ${c.spec.adminPasswords[c.adminIndex]}, the ` +
        `${ordinal(c.adminIndex)} seed 002 gives)`,
    })),
    endAttemptUnverified: assign(({ context: c }) => ({
      attemptLog: [...c.attemptLog, attemptRecord(c, 'unverified')],
      summary: 'the phone took every setting and Save & Reboot, but was not seen to reboot before the deadline',
    })),
    nextOp: assign(({ context: c }) => ({
      opIndex: c.opIndex + 1,
      fieldTries: 0,
      clearRounds: 0,
      nav: freshNav(),
    })),
    notePress: assign(({ context: c }) => ({ nav: { ...c.nav, presses: c.nav.presses + 1, before: screenKey(c.screen) } })),
    /** After a press the highlight did not move: the list ends there; search the other way once. */
    checkMoved: assign(({ context: c }) => {
      if (screenKey(c.screen) !== c.nav.before) return {};
      if (c.nav.flipped) return { nav: { ...c.nav, gaveUp: true } };
      return { nav: { ...c.nav, flipped: true, dir: c.nav.dir === 'down' ? ('up' as const) : ('down' as const) } };
    }),
    retype: assign(({ context: c }) => ({ fieldTries: c.fieldTries + 1, clearRounds: 0 })),
    noteField: ({ context: c }) => {
      const o = op(c);
      if (o?.op !== 'edit') return;
      const n = o.display.length;
      const shown = /^\*+$/.test(o.display) ? `${n} star${n === 1 ? '' : 's'}` : `"${editorOf(c.screen, c.screens)?.value ?? ''}"`;
      c.evidence.push({ about: 'setting', proof: 'screen', source: observerName(c), t: c.clock.now(), holds: true, detail: `attempt ${c.attempt}: the ${o.what} editor showed ${shown}` });
    },
    noteReboot: ({ context: c }) => {
      const now = (c.screen?.lines ?? []).join(' / ');
      c.evidence.push({ about: 'reboot', proof: 'screen', source: observerName(c), t: c.clock.now(), holds: true, detail: `after Save & Reboot the display went dark or to the boot screens, then showed "${now}"` });
    },
    noteClear: assign(({ context: c }) => ({
      clearRounds: c.clearRounds + 1,
      ...(c.clearRounds === 0 && c.fieldTries === 0 ? { valueBefore: editorOf(c.screen, c.screens)?.value ?? '' } : {}),
    })),
    // A reboot shows as the display going dark, or (when a camera misses a short dark, or reads a dark glass under
    // glare as lit) as the boot screens that only a starting phone shows.
    trackDark: assign(({ context: c }) => ({ sawDark: c.sawDark || !c.screen?.lit || BOOT_SCREENS.has(readScreen(c.screen, c.model.screens).kind) })),
  },
}).createMachine({
  id: 'provision',
  context: ({ input }) => ({
    ...input,
    ...newRunLog(input.clock),
    spec: input.plan.spec,
    screens: input.plan.spec.screens,
    adminIndex: 0,
    screen: input.bench.observer?.current(),
    opIndex: 0,
    nav: freshNav(),
    fieldTries: 0,
    clearRounds: 0,
    sawDark: false,
    evidence: [],
  }),
  initial: 'attempt',
  on: {
    SCREEN: { actions: 'seeScreen' },
    ABORT: { target: '.aborting' },
  },
  states: {
    attempt: {
      entry: 'startAttempt',
      on: onBenchFault('provision'),
      initial: 'powerOff',
      states: {
        powerOff: {
          entry: { type: 'step', params: { step: 'power-off' } },
          invoke: bench(async (c) => {
            await c.bench.releaseAll();
            await c.bench.power(false);
          }, 'offWait'),
        },
        offWait: { after: { powerOff: 'powerOn' } },
        powerOn: {
          entry: { type: 'step', params: { step: 'power-on' } },
          invoke: bench((c) => c.bench.power(true), 'awaitCancel'),
        },
        // seed 002 step 1: "reboot it by unplugging it and plug it back to the power. Click cancel at this point";
        // seed 003 step 3: "Quickly press Cancel once the power returns".
        awaitCancel: {
          entry: { type: 'step', params: { step: 'await-cancel' } },
          always: [
            { guard: 'cancelOffered', target: 'pressCancel' },
            // A BootROM without the Updater shows its countdown (and Setup) by itself.
            { guard: 'setupOffered', target: 'pressSetup' },
          ],
          after: { cancelDeadline: { target: '#provision.recover', actions: phoneFail('no-cancel', 'the "Loading application" Cancel softkey never appeared') } },
        },
        pressCancel: {
          entry: { type: 'step', params: { step: 'press-cancel' } },
          invoke: bench((c, signal) => tap(c, softkeyOrFail(c, c.model.screens.cancelSoftkey, 'Cancel'), signal), 'awaitSetup'),
        },
        // seed 002 step 2: 'On the next "Welcome" window, immediately click on Setup'; seed 003 step 3: "press the
        // Setup softkey as soon as it appears".
        awaitSetup: {
          always: { guard: 'setupOffered', target: 'pressSetup' },
          after: {
            answerTimeout: {
              target: '#provision.recover',
              actions: phoneFail('no-setup', 'Cancel was pressed but no Setup softkey followed (the window had closed, or the press did not land)'),
            },
          },
        },
        pressSetup: {
          entry: { type: 'step', params: { step: 'press-setup' } },
          invoke: bench((c, signal) => tap(c, softkeyOrFail(c, c.screens.setupSoftkey, 'Setup'), signal), 'awaitPrompt'),
        },
        awaitPrompt: {
          always: { guard: 'promptShown', target: 'settle' },
          after: { answerTimeout: { target: '#provision.recover', actions: phoneFail('no-setup-prompt', 'Setup was pressed but no password prompt came') } },
        },
        settle: { after: { promptSettle: 'typeAdmin' } },
        // seed 002 step 3: "Enter 456 (if this doesn't work please try 789 or 1966)".
        typeAdmin: {
          entry: { type: 'step', params: { step: 'type-admin-password' } },
          invoke: bench(async (c, signal) => void (await typePlan(c.bench, c.plan.adminPlans[c.adminIndex]!, c.spec.textEntry, c.clock, signal)), 'checkAdmin'),
        },
        // The stars show at once on the phone, some frames later through a camera: wait for them.
        checkAdmin: {
          always: { guard: 'adminTyped', target: 'confirmAdmin' },
          after: {
            navMove: {
              target: '#provision.recover',
              actions: phoneFail('typing', 'the password field does not hold as many characters as were typed (a key misfired or bounced)'),
            },
          },
        },
        confirmAdmin: {
          entry: { type: 'step', params: { step: 'confirm' } },
          invoke: bench((c, signal) => tap(c, softkeyOrFail(c, c.screens.okSoftkey, 'OK'), signal), 'awaitMenu'),
        },
        awaitMenu: {
          entry: { type: 'step', params: { step: 'await-menu' } },
          invoke: lookingAgain,
          always: [
            { guard: 'menuShown', target: 'work' },
            {
              guard: 'rejected',
              target: '#provision.recover',
              actions: phoneFail('setup-password-rejected', 'the phone rejected the admin password; the next attempt tries the next one'),
            },
          ],
          after: { answerTimeout: { target: '#provision.recover', actions: phoneFail('no-answer', 'the phone neither opened its Setup menu nor rejected the password') } },
        },
        work: {
          initial: 'next',
          states: {
            next: {
              always: [
                { guard: 'isGoto', target: 'navigate', actions: 'opStep' },
                { guard: 'isSelect', target: 'pressSelect', actions: 'opStep' },
                { guard: 'isEdit', target: 'clearField', actions: 'opStep' },
                { guard: 'isExit', target: 'pressExit', actions: 'opStep' },
                { guard: 'opsDone', target: '#provision.attempt.awaitReboot' },
              ],
            },
            done: { entry: 'nextOp', always: 'next' },
            // seed 002 step 4: "make sure the Provisioning Server option is highlighted using the arrow keys".
            navigate: {
              invoke: lookingAgain,
              always: [
                { guard: 'targetHere', target: 'done' },
                {
                  guard: 'navGaveUp',
                  target: '#provision.recover',
                  actions: phoneFail('menu-item-missing', 'a menu item the seeds name is not on this phone\'s Setup menu'),
                },
                { guard: 'targetUp', target: 'pressUp' },
                { guard: 'targetUnseenOrDown', target: 'pressDown' },
              ],
              after: { answerTimeout: { target: '#provision.recover', actions: phoneFail('menu-lost', 'the Setup menu went away while looking for an item') } },
            },
            pressUp: {
              entry: 'notePress',
              invoke: bench((c, signal) => c.bench.press(['up'], timing(c).keyTapMs, signal), 'navSettle'),
            },
            pressDown: {
              entry: 'notePress',
              invoke: bench((c, signal) => c.bench.press(['down'], timing(c).keyTapMs, signal), 'navSettle'),
            },
            // The press shows when the screen changes (at once on the phone, frames later through a camera); no change
            // by navMove: the highlight did not move, the list ends there.
            navSettle: {
              on: { SCREEN: { guard: 'navMoved', target: 'navigate', actions: 'seeScreen' } },
              after: { navMove: { target: 'navigate', actions: 'checkMoved' } },
            },
            // seed 002: "then press the Select key"; "click on select (on each option)".
            pressSelect: {
              invoke: bench((c, signal) => tap(c, 'select', signal), 'awaitExpected'),
            },
            awaitExpected: {
              invoke: lookingAgain,
              always: [
                { guard: 'expectReboot', target: '#provision.attempt.awaitReboot' },
                { guard: 'expectMet', target: 'done' },
              ],
              after: {
                answerTimeout: {
                  target: '#provision.recover',
                  actions: phoneFail('setup-no-answer', 'the Setup menu did not show what the last key should have brought'),
                },
              },
            },
            // Backspace as many times as the field shows characters, then look again: a camera may have missed some
            // (OCR drops dots), so a field still not empty gets another round, up to CLEAR_ROUNDS.
            clearField: {
              entry: 'noteClear',
              invoke: bench(async (c, signal) => {
                // Once typed, the field holds at least what was typed, whatever the camera made of it.
                const o = op(c);
                const typed = c.fieldTries > 0 && o?.op === 'edit' ? [...o.display].length : 0;
                const n = Math.max(typed, [...(editorOf(c.screen, c.screens)?.value ?? '')].length);
                const key = softkeyNamed(c.screen, c.screens.backspaceSoftkey) ?? 'delete';
                for (let i = 0; i < n; i++) await tap(c, key, signal);
              }, 'awaitCleared'),
            },
            awaitCleared: {
              invoke: lookingAgain,
              always: { guard: 'fieldEmpty', target: 'typeField' },
              after: {
                navMove: [
                  { guard: 'canClearAgain', target: 'clearField' },
                  { target: '#provision.recover', actions: phoneFail('field-not-cleared', 'the field did not empty') },
                ],
              },
            },
            typeField: {
              invoke: bench(async (c, signal) => {
                const o = op(c);
                if (o?.op === 'edit') await typePlan(c.bench, o.plan, c.spec.textEntry, c.clock, signal, { needMode: true });
              }, 'settleField'),
            },
            settleField: { after: { promptSettle: 'checkField' } },
            // The field shows the value at once on the phone, some frames later through a camera: wait for it.
            checkField: {
              invoke: lookingAgain,
              always: { guard: 'fieldRight', target: 'pressOk', actions: 'noteField' },
              after: {
                navMove: [
                  { guard: 'canRetype', target: 'clearField', actions: 'retype' },
                  {
                    target: '#provision.recover',
                    actions: phoneFail('field-mismatch', 'the field does not show what was typed, even after typing it again'),
                  },
                ],
              },
            },
            pressOk: {
              invoke: bench((c, signal) => tap(c, softkeyNamed(c.screen, c.screens.okSoftkey) ?? 'select', signal), 'awaitExpected'),
            },
            // seed 002 step 6: "click on the Exit soft key. Click Exit again on the following screen".
            pressExit: {
              invoke: bench((c, signal) => tap(c, softkeyOrFail(c, c.screens.exitSoftkey, 'Exit'), signal), 'awaitExpected'),
            },
          },
        },
        // seed 002 step 8: "The phone will save the configuration and reboot."
        awaitReboot: {
          entry: [{ type: 'step', params: { step: 'await-reboot' } }, 'trackDark'],
          on: { SCREEN: { actions: ['seeScreen', 'trackDark'] } },
          always: { guard: 'rebootSeen', target: '#provision.passed', actions: 'noteReboot' },
          after: { rebootTimeout: '#provision.unverified' },
        },
      },
    },
    ...END_STATES,
  },
  output: ({ context: c }) => ({ ...runOutput(c), evidence: c.evidence }),
});

function attemptRecord(c: Ctx, result: ProvisionAttempt['result'], failure?: Failure): ProvisionAttempt {
  return { attempt: c.attempt, adminPasswordIndex: c.adminIndex, ...attemptSpan(c, result, failure) };
}

// ---- running it ---------------------------------------------------------------------------------------------------

export interface RunProvisionOptions extends RunOn {
  model: PhoneModel;
  request: ProvisionRequest;
}

/** Checks everything a run needs before anything moves; throws ConfigError otherwise. */
export function prepareProvisioning(model: PhoneModel, request: ProvisionRequest, bench: Bench): ProvisionPlan {
  const plan = planProvisioning(model, request);
  if (!bench.observer) {
    throw new ConfigError(
      'provision-needs-observer',
      'provisioning navigates the Setup menus by what the phone shows, and this bench has no camera',
      'run it on a bench with an observer (or on the simulator)',
    );
  }
  requireKeys(bench.fixture, plan.keys, `provisioning the ${model.name}`);
  return plan;
}

/** Runs the provisioning machine on a bench to its end and returns the record (the password redacted). */
export function runProvision(opts: RunProvisionOptions): Promise<ProvisionRecord> {
  const { model, request, bench, clock } = opts;
  const plan = prepareProvisioning(model, request, bench);

  // The Setup menus hold no key down: any hold the board cuts at its limit is a fault.
  const progress = recordProgress(clock, opts.onState);
  const run = driveMachine<ProvisionOutput>(provisionMachine, (runBench) => ({ model, bench: runBench, clock, plan }), {
    ...opts,
    onState: progress.onState,
    screens: true,
    holdLimitExpected: false,
  });
  return run.then((out) => ({
    outcome: outcomeOf(out),
    model: model.id,
    procedure: 'provision',
    settings: {
      serverType: request.serverType,
      serverAddress: request.serverAddress,
      serverUser: request.serverUser,
      serverPassword: REDACTED,
      ...(request.sntpAddress !== undefined ? { sntpAddress: request.sntpAddress } : {}),
    },
    ...recordOf(out),
    bench: bench.driver.info,
    observed: true,
    evidence: out.evidence,
    progress: progress.lines,
  }));
}
