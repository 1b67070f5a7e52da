/**
 * What a screen means, read the way a technician reads it: by its words and what they mean, not by one exact
 * wording. Phones word the same screen differently (firmware versions, languages of the same release, a camera's OCR
 * slips), so each screen is recognised by key words matched within an edit distance, by the softkeys it offers, and by
 * what cannot be on it (a countdown has a small number; the idle screen has its call softkeys).
 *
 * The words come from the seeds: "Loading application" (000, 002), the "Cancel" softkey (000-003), "a 7 seconds count
 * down" and the "Welcome" window with its Setup softkey (000, 002, 001 "Do not press Setup"), the password prompt
 * (001: "The following prompt will appear ... Admin password"), "Resetting Configuration please wait" and
 * "Configuration Reset" (002); the rest (Updater, "Starting application", the idle screen's line keys and call
 * softkeys) from how these phones look. A model may add regular expressions of its own (catalog `screens`).
 */
import type { ScreenObservation } from '../bench/types.js';
import type { ScreenPatterns } from '../catalog/types.js';
import type { Mode } from '../text-entry/types.js';
import { editDistance } from '../errors/errors.js';

export type ScreenKind =
  | 'dark'
  | 'updater'
  | 'bootrom'
  | 'loading'
  | 'countdown'
  | 'prompt'
  | 'setup-prompt'
  | 'rejected'
  | 'resetting'
  | 'reset-done'
  | 'starting'
  | 'idle'
  | 'wait'
  | 'unknown';

export interface ScreenMeaning {
  kind: ScreenKind;
  /** The softkey offering Cancel (`softkey3`), when one does. */
  cancelKey?: string;
  /** The softkey labelled OK / Enter, when one is. */
  okKey?: string;
  /** The field's length, from its stars, on a prompt (absent when some other text stands where they would be). */
  stars?: number;
  /** The prompt shows its field as an empty line of its own: seen empty, not merely not read. */
  fieldEmpty?: boolean;
  /** The mode the mode softkey's label says the field is in, and that softkey. */
  mode?: Mode;
  modeKey?: string;
  /** Seconds left, on a countdown that shows them. */
  seconds?: number;
  /** The application version a boot screen shows (`x.y.z`). */
  software?: string;
}

/** How far a word may be from a key word and still be it: none for short words, more for long ones. */
export function tolerance(word: string): number {
  return word.length <= 3 ? 0 : word.length <= 5 ? 1 : 2;
}

/**
 * Whether `word` is (near enough) one of the key words. Screens repeat their words, so the answer is remembered per
 * key list (a few thousand words at most, then forgotten: OCR slips make new ones); a length gap wider than the
 * tolerance is no match without computing the distance (the distance is at least the gap).
 */
export function nearWord(word: string, keys: readonly string[]): boolean {
  let known = nearCache.get(keys);
  if (!known) nearCache.set(keys, (known = new Map()));
  let near = known.get(word);
  if (near === undefined) {
    near = keys.some((k) => within(word, k, tolerance(k)));
    if (known.size >= 4096) known.clear();
    known.set(word, near);
  }
  return near;
}

const nearCache = new WeakMap<readonly string[], Map<string, boolean>>();

/** editDistance(a, b) <= max, without the distance when the lengths alone rule it out. */
export function within(a: string, b: string, max: number): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > max) return false;
  return editDistance(a, b) <= max;
}

const words = (text: string): string[] => text.toLowerCase().match(/[a-z]+|\d+/g) ?? [];
/**
 * Whether any word is near a key word; two neighbouring words of letters also count joined, when they make a word of
 * six letters or more: a camera's OCR splits a word where it lost a thin letter ('Load ng', "Load'ng", 'Start:ng').
 */
const has = (ws: readonly string[], keys: readonly string[]) =>
  ws.some((w, i) => nearWord(w, keys) || (i + 1 < ws.length && joinable(w, ws[i + 1]!) && nearWord(w + ws[i + 1]!, keys)));
const joinable = (a: string, b: string) => a.length + b.length >= 6 && /^[a-z]/.test(a) && /^[a-z]/.test(b);

const K = {
  updater: ['updater'],
  bootrom: ['bootrom'],
  loading: ['loading'],
  application: ['application'],
  cancel: ['cancel'],
  password: ['password', 'passcode'],
  setup: ['setup'],
  rejected: ['invalid', 'incorrect', 'wrong', 'denied', 'failed', 'rejected'],
  resetting: ['resetting', 'restoring', 'erasing', 'wiping', 'clearing'],
  reset: ['reset', 'restored', 'defaulted', 'cleared', 'erased'],
  done: ['complete', 'completed', 'done', 'finished', 'successful'],
  resetWhat: ['configuration', 'factory', 'defaults', 'settings'],
  countdown: ['autoboot', 'booting', 'boot', 'starting', 'countdown', 'seconds', 'autostart', 'start'],
  starting: ['starting'],
  wait: ['wait', 'please', 'moment', 'checking', 'initializing', 'initialising', 'loading'],
  line: ['line', 'ext', 'extension'],
  registered: ['unregistered', 'registered'],
  idleSoftkeys: ['new call', 'newcall', 'forward', 'dnd', 'more', 'redial', 'directories', 'messages'],
  countdownSoftkeys: ['setup', 'start', 'about'],
  ok: ['ok', 'enter'],
} as const;

/**
 * The last few screens read, by object and patterns: a screen object comes back to several readers in a row (the
 * simulator hands every listener the same frozen one; the typing reads the current screen again and again), some with
 * a model's patterns, some without. A handful compared by identity costs less than any map keyed by the object.
 */
const RECENT = 8;
const recentScreens: (ScreenObservation | undefined)[] = new Array<ScreenObservation | undefined>(RECENT).fill(undefined);
const recentPatterns: (object | undefined)[] = new Array<object | undefined>(RECENT).fill(undefined);
const recentMeanings: (ScreenMeaning | undefined)[] = new Array<ScreenMeaning | undefined>(RECENT).fill(undefined);
let recentNext = 0;
/**
 * Meanings by what the screen shows, per model's patterns (a screen comes back many times as new objects): a tree walked
 * by the screen's parts (lit, the number of lines, each line, the number of softkeys, each label), so that looking a
 * screen up hashes strings the screen already has (each hashes once) instead of a key joined from them every time.
 */
interface ContentNode {
  next: Map<string, ContentNode>;
  meaning?: ScreenMeaning;
}
const byContent = new WeakMap<object, { root: ContentNode; size: number }>();
const NO_PATTERNS = {};

/** The node of this screen's content in a tree (made on the way). */
function contentNode(root: ContentNode, s: ScreenObservation): ContentNode {
  let node = step(root, s.lit ? '1' : '0');
  node = step(node, String(s.lines.length));
  for (const line of s.lines) node = step(node, line);
  node = step(node, String(s.softkeys.length));
  for (const label of s.softkeys) node = step(node, label);
  return node;
}

function step(node: ContentNode, part: string): ContentNode {
  let child = node.next.get(part);
  if (!child) node.next.set(part, (child = { next: new Map() }));
  return child;
}

/** What the screen means (the last few objects read remembered, and every meaning by the screen's content). */
export function readScreen(s: ScreenObservation | undefined, patterns?: Partial<ScreenPatterns>): ScreenMeaning {
  if (!s) return { kind: 'unknown' };
  const p = patterns ?? NO_PATTERNS;
  for (let i = 0; i < RECENT; i++) if (recentScreens[i] === s && recentPatterns[i] === p) return recentMeanings[i]!;
  let known = byContent.get(p);
  // A few thousand screens at most, then forgotten (a camera's misreadings make new ones without end).
  if (!known || known.size >= 4096) byContent.set(p, (known = { root: { next: new Map() }, size: 0 }));
  const node = contentNode(known.root, s);
  let m = node.meaning;
  if (!m) {
    m = Object.freeze(classify(s, patterns));
    node.meaning = m;
    known.size++;
  }
  recentScreens[recentNext] = s;
  recentPatterns[recentNext] = p;
  recentMeanings[recentNext] = m;
  recentNext = (recentNext + 1) % RECENT;
  return m;
}

function softkeyWhere(s: ScreenObservation, test: (label: string) => boolean): string | undefined {
  const i = s.softkeys.findIndex((l) => l.trim() !== '' && test(l));
  return i >= 0 ? `softkey${i + 1}` : undefined;
}

/** The mode a mode softkey's label names: `1->abc`, `a -> 1A`, `A->Aa`, `abc`... (the character before the arrow). */
export function modeOfLabel(label: string): Mode | undefined {
  const t = label.trim();
  // A camera may read the arrow as '>' or '»', or lose it ('A -> a1' as 'A al'): a mode name, then the modes to come.
  const arrowed = /^(\S+?)\s*(?:->|→|-\s*>|-?\s*»|>)/.exec(t)?.[1];
  // Before an arrow, a stroke read as l, L, I or | is the digit 1 ('1->abc' read 'l->abc', 'L->abc'): no mode is named
  // by those letters.
  const head = (
    (arrowed !== undefined ? arrowed.replace(/^[lIL|](?=(?:23)?$)/, '1') : undefined) ??
    (/^(123|abc|ABC|1|a|A)$/.test(t) ? t : undefined) ??
    /^(123|abc|ABC|1|a|A)\s+[1aAlI|]{1,3}$/.exec(t)?.[1]
  )?.trim();
  if (head === undefined) return undefined;
  if (head === '1' || head === '123') return '123';
  if (head === 'a' || head === 'abc') return 'abc';
  if (head === 'A' || head === 'ABC') return 'ABC';
  return undefined;
}

function regexShows(s: ScreenObservation, pattern: string | undefined): boolean {
  return pattern !== undefined && patternRx(pattern).test(s.lines.join('\n'));
}

/** A model's pattern compiled once (no `g` flag: test() keeps no state between screens). */
function patternRx(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'im');
    if (compiled.size >= 1024) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

const compiled = new Map<string, RegExp>();

/**
 * The application's version a boot screen shows ('UC Software 5.9.6', 'SIP 3.2.1'). A camera's OCR may lose the dot
 * between two single digits ('UC Software 59 6', '59.6'): after 'UC Software' or 'SIP', two single digits and a number
 * with at least one separator left among them are that version too (a number alone, '596', is not).
 */
export function softwareOf(text: string): string | undefined {
  const dotted = /(?:uc software|sip|version|ver\.?|v)\s*(\d+\.\d+\.\d+)/i.exec(text)?.[1];
  if (dotted) return dotted;
  const m = /(?:uc software|sip)\s*(\d)([\s.,]?)(\d)([\s.,]*)(\d+)\b/i.exec(text);
  return m && (m[2] !== '' || m[4] !== '') ? `${m[1]}.${m[3]}.${m[5]}` : undefined;
}

function classify(s: ScreenObservation, p: Partial<ScreenPatterns> = {}): ScreenMeaning {
  if (!s.lit) return { kind: 'dark' };
  const text = s.lines.join('\n');
  const ws = words(text);
  const labels = s.softkeys.map((l) => l.trim().toLowerCase());
  const software = softwareOf(text);
  const base: Partial<ScreenMeaning> = software ? { software } : {};
  // A text field's mode softkey (the password prompt, a Setup menu editor): its label names the mode.
  s.softkeys.forEach((l, i) => {
    const m = modeOfLabel(l);
    if (m && base.mode === undefined) {
      base.mode = m;
      base.modeKey = `softkey${i + 1}`;
    }
  });
  // A Setup editor also shows its mode as a line of its own ('[abc]'; a camera may read '(abc)'): the mode when the
  // softkey's label was not read.
  if (base.mode === undefined) {
    const line = s.lines.map((l) => /^[[(]\s*(123|abc|ABC)\s*[\])]?$|^[[(]?\s*(123|abc|ABC)\s*[\])]$/.exec(l.trim())).find((m) => m);
    if (line) base.mode = (line[1] ?? line[2]) as Mode;
  }
  const cancelKey = softkeyWhere(s, (l) => has(words(l), K.cancel));
  const okKey = softkeyWhere(s, (l) => words(l).length === 1 && has(words(l), K.ok));
  if (cancelKey) base.cancelKey = cancelKey;

  if (has(ws, K.rejected) || regexShows(s, p.rejected)) return { ...base, kind: 'rejected' };
  if (has(ws, K.password) || regexShows(s, p.passwordPrompt)) {
    const starLine = s.lines.find((l) => /^\s*\*+\s*$/.test(l));
    // No star line: an empty field, unless some other line (not the prompt's own) holds what could be the field read
    // badly (a camera's OCR of the stars): then the count is unknown, not zero.
    const unread = !starLine && s.lines.some((l) => l.trim() !== '' && !has(words(l), K.password));
    const stars = starLine ? starLine.trim().length : unread ? undefined : 0;
    return {
      ...base,
      kind: has(ws, K.setup) ? 'setup-prompt' : 'prompt',
      ...(stars !== undefined ? { stars } : {}),
      ...(stars === 0 && s.lines.some((l) => l.trim() === '') ? { fieldEmpty: true } : {}),
      ...(okKey ? { okKey } : {}),
    };
  }
  // A question ("Reset to Factory? Are you sure?") asks for a reset; it does not report one.
  const question = /\?/.test(text);
  // "Reset complete / Restarting...": the done words win over a word near "resetting" ("restarting").
  if ((has(ws, K.reset) && has(ws, K.done) && !question) || regexShows(s, p.resetDone)) return { ...base, kind: 'reset-done' };
  if (has(ws, K.resetting) || regexShows(s, p.resetting)) return { ...base, kind: 'resetting' };
  if (has(ws, K.reset) && has(ws, K.resetWhat) && !question) return { ...base, kind: 'reset-done' };
  if (has(ws, K.loading) && (has(ws, K.application) || cancelKey !== undefined)) {
    return { ...base, kind: 'loading', ...(cancelKey ? { cancelKey } : {}) };
  }
  if (regexShows(s, p.loading)) return { ...base, kind: 'loading', ...(cancelKey ? { cancelKey } : {}) };
  // The countdown: its Setup/Start softkeys (seed 001 "Do not press Setup"; seed 002 'click on Setup'), or a small
  // number beside a word that means booting.
  const number = /(?:^|\D)(\d{1,2})(?:\s*(?:s|sec|secs|seconds)?\b|$)/i.exec(text);
  const countdownWords = has(ws, K.countdown) && !has(ws, K.line) && !has(ws, K.application);
  const countdownKeys = labels.filter((l) => has(words(l), K.countdownSoftkeys)).length >= 2;
  if (countdownKeys || (countdownWords && number) || regexShows(s, p.countdown)) {
    return { ...base, kind: 'countdown', ...(number ? { seconds: Number(number[1]) } : {}) };
  }
  if (has(ws, K.bootrom)) return { ...base, kind: 'bootrom' };
  if (has(ws, K.updater)) return { ...base, kind: 'updater' };
  if (has(ws, K.starting) && has(ws, K.application)) return { ...base, kind: 'starting' };
  const idleKeys = labels.filter((l) => nearWord(l, K.idleSoftkeys)).length >= 2;
  if (idleKeys || (has(ws, K.line) && /\d/.test(text)) || has(ws, K.registered) || regexShows(s, p.ready)) return { ...base, kind: 'idle' };
  if (has(ws, K.wait)) return { ...base, kind: 'wait' };
  return { ...base, kind: 'unknown' };
}
