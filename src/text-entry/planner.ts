import type { Key } from '../bench/keys.js';
import { ConfigError } from '../errors/errors.js';
import { parseMac } from './mac.js';
import type { CaseRule, Mode, Plan, PlanStep, TextEntryProfile } from './types.js';

/**
 * The multi-tap planner: the fastest key sequence that types a text into a phone's field.
 *
 * The field's rules (the simulator implements the same ones independently):
 * - It starts in `profile.initialMode`. Each tap of the mode key moves to the next mode of `profile.cycle` (wrapping).
 *   With `modeCommits` it also commits a pending letter at once (seed 001's table relies on it); without, the plan
 *   never taps the mode key while a letter is pending: the commit pause comes first (phones differ here).
 * - In `123` mode a digit key types its digit at once; a key in `symbols` types its character at once.
 * - In `abc`/`ABC` mode a key with letters starts, or advances, a pending character on that key: 1 tap = first
 *   letter, 2 taps = second, ...; then (if `digitInCycle`) the key's digit; then it wraps. The pending character
 *   commits when another key is tapped, when the mode key is tapped, or when the phone's cursor timeout passes. So two
 *   characters on the same key in a row need a commit between them: a `wait` of `commitMs`, or mode-key taps.
 * - Keys without letters (0, 1) are not used in letter modes: the phones differ there.
 *
 * Cost: every tap (mode key or other) takes `tapMs + gapMs`; a commit pause takes `commitMs`.
 *
 * A plan ends with its last character's taps. If that character is still pending (typed in a letter mode), the plan
 * commits it before the controller presses OK: one mode-key tap where the mode key commits and a tap is quicker,
 * else a `wait` of `commitMs` for the cursor timeout.
 *
 * The search is exact: a dynamic program over (position in the text, mode, key of the pending character or none),
 * choosing for each character among every way to type it (its digit key in 123 mode, its letter key in either case
 * when the case rule allows, its digit through a letter key's cycle), with mode taps and commit pauses between.
 * Ties are broken deterministically: at each state, typing the next character beats a pause, which beats a mode tap;
 * among ways to type a character, fewer taps, then mode order 123, abc, ABC, then key name.
 */

export interface PlanOptions {
  /**
   * How the text's letters are cased: `lower` or `upper` types them all in that case, `either` lets the planner pick
   * the faster case per letter; omitted types each letter exactly as written.
   */
  caseRule?: CaseRule;
}

/** One way to type one character: `taps` taps of `key` in `mode`, giving `char`. */
interface Way {
  mode: Mode;
  key: Key;
  taps: number;
  char: string;
}

const MODE_ORDER: readonly Mode[] = ['123', 'abc', 'ABC'];
/** Costs are sums of the profile's (possibly fractional) ms; equal within this are equal. */
const EPS = 1e-6;

function tapCost(profile: TextEntryProfile): number {
  return profile.tapMs + profile.gapMs;
}

/** The text as it must be typed: cased per the rule, except `either`, which is resolved letter by letter. */
function applyCase(text: string, caseRule: CaseRule | undefined): string {
  if (caseRule === 'lower') return text.toLowerCase();
  if (caseRule === 'upper') return text.toUpperCase();
  return text;
}

/** Every way to type `ch` under the profile, best first (the tie-break order). */
function waysToType(ch: string, profile: TextEntryProfile, caseRule: CaseRule | undefined): Way[] {
  const ways: Way[] = [];
  const usable = (mode: Mode) => profile.cycle.includes(mode);
  if (/^[0-9]$/.test(ch)) {
    if (usable('123')) ways.push({ mode: '123', key: ch, taps: 1, char: ch });
    const letters = profile.letters[ch];
    if (profile.digitInCycle && letters) {
      for (const mode of ['abc', 'ABC'] as const) {
        if (usable(mode)) ways.push({ mode, key: ch, taps: letters.length + 1, char: ch });
      }
    }
  } else if (/^[a-zA-Z]$/.test(ch)) {
    const lower = ch.toLowerCase();
    const cases: Array<'abc' | 'ABC'> = caseRule === 'either' ? ['abc', 'ABC'] : [ch === lower ? 'abc' : 'ABC'];
    for (const mode of cases) {
      if (!usable(mode)) continue;
      for (const [key, letters] of Object.entries(profile.letters)) {
        const i = letters.indexOf(lower);
        if (i >= 0) ways.push({ mode, key, taps: i + 1, char: mode === 'abc' ? lower : lower.toUpperCase() });
      }
    }
  } else if (Object.hasOwn(profile.symbols, ch) && usable('123')) {
    ways.push({ mode: '123', key: profile.symbols[ch]!, taps: 1, char: ch });
  }
  ways.sort(
    (a, b) =>
      a.taps - b.taps ||
      MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return ways;
}

/** A short description of what a profile can type, for error hints. */
function typeableSummary(profile: TextEntryProfile, caseRule: CaseRule | undefined): string {
  const groups: Array<[string, string[]]> = [
    ['digits', [...'0123456789']],
    ['lower-case letters', [...'abcdefghijklmnopqrstuvwxyz']],
    ['upper-case letters', [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ']],
    ['symbols', Object.keys(profile.symbols)],
  ];
  const parts: string[] = [];
  for (const [name, chars] of groups) {
    const ok = chars.filter((c) => waysToType(c, profile, caseRule).length > 0);
    if (ok.length === 0) continue;
    const whole = ok.length === chars.length && name !== 'symbols';
    parts.push(whole ? `${name} ${chars[0]}-${chars.at(-1)}` : `${name} ${ok.join(' ')}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** Ways for each character of the text; ConfigError `untypeable-character` for the first that has none. */
function waysForText(text: string, profile: TextEntryProfile, caseRule: CaseRule | undefined): Way[][] {
  return [...text].map((ch, i) => {
    const ways = waysToType(ch, profile, caseRule);
    if (ways.length === 0) {
      throw new ConfigError(
        'untypeable-character',
        `character '${ch}' (position ${i + 1} of '${text}') cannot be typed with text-entry profile '${profile.id}'`,
        `profile '${profile.id}' types ${typeableSummary(profile, caseRule)}: fix the text or choose another profile`,
      );
    }
    return ways;
  });
}

function makePlan(text: string, profile: TextEntryProfile, steps: PlanStep[]): Plan {
  return { text, profile: profile.id, steps, durationMs: steps.reduce((sum, s) => sum + s.ms, 0) };
}

/** The fastest plan that types `text` under the profile. */
export function planText(text: string, profile: TextEntryProfile, opts: PlanOptions = {}): Plan {
  const target = applyCase(text, opts.caseRule);
  const ways = waysForText(target, profile, opts.caseRule);
  const n = ways.length;
  const T = tapCost(profile);
  const C = profile.commitMs;
  const cycle = profile.cycle;
  const M = cycle.length;
  // Pending index 0 = nothing pending; i + 1 = a character pending on letterKeys[i].
  const letterKeys = Object.keys(profile.letters).sort();
  const P = letterKeys.length + 1;
  const pendingOf = (key: Key) => letterKeys.indexOf(key) + 1;
  // A mode tap that commits a pending letter: only where the profile says the mode key does.
  const modeCommit = profile.modeCommits === true ? T : Infinity;
  const finalCommit = Math.min(C, modeCommit);

  // Where a way leads from (mode index m, pending p), or undefined when it cannot be taken there.
  const after = (w: Way, m: number, p: number): number | undefined => {
    if (w.mode !== cycle[m]) return undefined;
    if (w.mode === '123') return 0;
    if (p !== 0 && letterKeys[p - 1] === w.key) return undefined; // would advance the pending character instead
    return pendingOf(w.key);
  };

  // V[pos][m][p]: least time to finish from this state (cost-to-go), filled backwards.
  const V: number[][][] = Array.from({ length: n + 1 }, () => Array.from({ length: M }, () => new Array<number>(P)));
  for (let m = 0; m < M; m++) for (let p = 0; p < P; p++) V[n]![m]![p] = p === 0 ? 0 : finalCommit;
  for (let pos = n - 1; pos >= 0; pos--) {
    const here = V[pos]!;
    const next = V[pos + 1]!;
    const typeCost = (m: number, p: number): number => {
      let best = Infinity;
      for (const w of ways[pos]!) {
        const np = after(w, m, p);
        if (np !== undefined) best = Math.min(best, w.taps * T + next[m]![np]!);
      }
      return best;
    };
    // Nothing pending: type now, or tap the mode key k times first (a full turn of the cycle never helps).
    const typeNow = Array.from({ length: M }, (_, m) => typeCost(m, 0));
    for (let m = 0; m < M; m++) {
      let best = Infinity;
      for (let k = 0; k < M; k++) best = Math.min(best, k * T + typeNow[(m + k) % M]!);
      here[m]![0] = best;
    }
    // A character pending: type now (on another key), or commit it by a pause or by a mode tap.
    for (let m = 0; m < M; m++) {
      for (let p = 1; p < P; p++) {
        here[m]![p] = Math.min(typeCost(m, p), C + here[m]![0]!, modeCommit + here[(m + 1) % M]![0]!);
      }
    }
  }

  // Walk forward from the start, taking at each state the first action (in tie-break order) that stays optimal.
  const steps: PlanStep[] = [];
  let typed = '';
  let m = cycle.indexOf(profile.initialMode);
  let p = 0;
  for (let pos = 0; pos < n; pos++) {
    for (;;) {
      const goal = V[pos]![m]![p]!;
      const way = ways[pos]!.find((w) => {
        const np = after(w, m, p);
        return np !== undefined && Math.abs(w.taps * T + V[pos + 1]![m]![np]! - goal) < EPS;
      });
      if (way) {
        for (let t = 0; t < way.taps; t++) steps.push({ kind: 'press', key: way.key, ms: T });
        typed += way.char;
        p = after(way, m, p)!;
        break;
      }
      if (p !== 0 && Math.abs(C + V[pos]![m]![0]! - goal) < EPS) {
        steps.push({ kind: 'wait', ms: C });
        p = 0;
        continue;
      }
      const nm = (m + 1) % M;
      if ((p === 0 || profile.modeCommits === true) && Math.abs(T + V[pos]![nm]![0]! - goal) < EPS) {
        steps.push({ kind: 'mode', key: profile.modeKey, mode: cycle[nm]!, ms: T });
        m = nm;
        p = 0;
        continue;
      }
      throw new Error(`planner: no optimal action at position ${pos} of '${target}' (bug)`);
    }
  }
  // Commit the last character before OK: a mode tap where it commits and is quicker, else the cursor timeout.
  if (p !== 0 && modeCommit < C) steps.push({ kind: 'mode', key: profile.modeKey, mode: cycle[(m + 1) % M]!, ms: T });
  else if (p !== 0) steps.push({ kind: 'wait', ms: C });
  return makePlan(typed, profile, steps);
}

/**
 * The fastest plan that types a MAC (any spelling parseMac accepts) as the profile's password: letters in the
 * profile's `macCase`. Parse the MAC with parseMac first to show its warnings.
 */
export function planMac(mac: string, profile: TextEntryProfile): Plan {
  return planText(parseMac(mac).mac, profile, { caseRule: profile.macCase });
}

/**
 * The careful technician's plan, for comparison: each character in its cheapest way, but after every character typed
 * in a letter mode a full commit pause, then mode taps back to 123 (when the cycle has it). `either` types lower case.
 */
export function naivePlan(text: string, profile: TextEntryProfile, opts: PlanOptions = {}): Plan {
  const caseRule = opts.caseRule === 'either' ? 'lower' : opts.caseRule;
  const ways = waysForText(applyCase(text, caseRule), profile, caseRule);
  const T = tapCost(profile);
  const steps: PlanStep[] = [];
  let typed = '';
  let m = profile.cycle.indexOf(profile.initialMode);
  const goTo = (mode: Mode) => {
    while (profile.cycle[m] !== mode) {
      m = (m + 1) % profile.cycle.length;
      steps.push({ kind: 'mode', key: profile.modeKey, mode: profile.cycle[m]!, ms: T });
    }
  };
  for (const options of ways) {
    const way = options[0]!;
    goTo(way.mode);
    for (let t = 0; t < way.taps; t++) steps.push({ kind: 'press', key: way.key, ms: T });
    typed += way.char;
    if (way.mode !== '123') {
      steps.push({ kind: 'wait', ms: profile.commitMs });
      if (profile.cycle.includes('123')) goTo('123');
    }
  }
  return makePlan(typed, profile, steps);
}

/** A bound no plan can beat: the character taps alone (fewest per character), no mode taps, no pauses. */
export function tapLowerBoundMs(text: string, profile: TextEntryProfile, opts: PlanOptions = {}): number {
  const ways = waysForText(applyCase(text, opts.caseRule), profile, opts.caseRule);
  return ways.reduce((sum, options) => sum + options[0]!.taps, 0) * tapCost(profile);
}

export interface StrategyComparison {
  count: number;
  /** Mean duration of planMac's plans. */
  optimalMeanMs: number;
  /** Mean duration of naivePlan's plans (the MAC in the profile's macCase). */
  naiveMeanMs: number;
  /** Mean of tapLowerBoundMs. */
  lowerBoundMeanMs: number;
}

/** Mean plan durations over a list of MACs: the planner's, the naive plan's, and the taps-only lower bound. */
export function compareStrategies(macs: string[], profile: TextEntryProfile): StrategyComparison {
  if (macs.length === 0) throw new ConfigError('no-macs', 'no MACs to compare strategies on', 'pass at least one MAC');
  let optimal = 0;
  let naive = 0;
  let bound = 0;
  for (const raw of macs) {
    const mac = parseMac(raw).mac;
    const opts = { caseRule: profile.macCase };
    optimal += planMac(mac, profile).durationMs;
    naive += naivePlan(mac, profile, opts).durationMs;
    bound += tapLowerBoundMs(mac, profile, opts);
  }
  const count = macs.length;
  return { count, optimalMeanMs: optimal / count, naiveMeanMs: naive / count, lowerBoundMeanMs: bound / count };
}
