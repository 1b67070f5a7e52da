import { describe, expect, it } from 'vitest';
import { VirtualClock, type TimerId } from '../../src/clock/clock.js';
import { ConfigError } from '../../src/errors/errors.js';
import { formatMac } from '../../src/text-entry/mac.js';
import {
  compareStrategies,
  naivePlan,
  planMac,
  planText,
  tapLowerBoundMs,
} from '../../src/text-entry/planner.js';
import { TEXT_ENTRY_PROFILES } from '../../src/text-entry/profiles.js';
import { parseTextEntryProfile } from '../../src/text-entry/profile-schema.js';
import type { CaseRule, Mode, Plan, PlanStep, TextEntryProfile } from '../../src/text-entry/types.js';
import { mulberry } from '../../bench/random.js';

// ---------------------------------------------------------------------------------------------------------------------
// An independent interpreter of the field's rules (not the planner's model): what the phone does with each key tap.
// ---------------------------------------------------------------------------------------------------------------------

class Field {
  mode: Mode;
  committed = '';
  pending: { key: string; taps: number } | null = null;
  private readonly symbolOfKey: Map<string, string>;

  constructor(readonly profile: TextEntryProfile) {
    this.mode = profile.initialMode;
    this.symbolOfKey = new Map(Object.entries(profile.symbols).map(([ch, key]) => [key, ch]));
  }

  clone(): Field {
    const f = new Field(this.profile);
    f.mode = this.mode;
    f.committed = this.committed;
    f.pending = this.pending && { ...this.pending };
    return f;
  }

  /** Whether tapping `key` does something the rules define (keys 0/1 in a letter mode, say, do not). */
  canTap(key: string): boolean {
    // A mode tap on a pending letter is defined only where the profile says the mode key commits it.
    if (key === this.profile.modeKey) return !this.pending || this.profile.modeCommits === true;
    if (this.mode === '123') return /^[0-9]$/.test(key) || this.symbolOfKey.has(key);
    return (this.profile.letters[key] ?? '') !== '';
  }

  tap(key: string): void {
    if (!this.canTap(key)) throw new Error(`key '${key}' does nothing defined in ${this.mode} mode`);
    const p = this.profile;
    if (key === p.modeKey) {
      this.commit();
      this.mode = p.cycle[(p.cycle.indexOf(this.mode) + 1) % p.cycle.length]!;
    } else if (this.mode === '123') {
      this.committed += /^[0-9]$/.test(key) ? key : this.symbolOfKey.get(key)!;
    } else if (this.pending?.key === key) {
      this.pending.taps++;
    } else {
      this.commit();
      this.pending = { key, taps: 1 };
    }
  }

  /** The character the pending taps currently show ('' when none). */
  pendingChar(): string {
    if (!this.pending) return '';
    const seq = this.profile.letters[this.pending.key]! + (this.profile.digitInCycle ? this.pending.key : '');
    const ch = seq[(this.pending.taps - 1) % seq.length]!;
    return this.mode === 'ABC' ? ch.toUpperCase() : ch;
  }

  /** Position of the pending character in its key's cycle: states equal up to a full turn behave the same. */
  pendingPhase(): string {
    if (!this.pending) return '-';
    const seqLen = this.profile.letters[this.pending.key]!.length + (this.profile.digitInCycle ? 1 : 0);
    return `${this.pending.key}/${(this.pending.taps - 1) % seqLen}`;
  }

  commit(): void {
    this.committed += this.pendingChar();
    this.pending = null;
  }
}

function sameText(caseRule: CaseRule | undefined) {
  return caseRule === 'either'
    ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
    : (a: string, b: string) => a === b;
}

function casedTarget(text: string, caseRule: CaseRule | undefined): string {
  if (caseRule === 'lower') return text.toLowerCase();
  if (caseRule === 'upper') return text.toUpperCase();
  return text;
}

// ---------------------------------------------------------------------------------------------------------------------
// Brute force: Dijkstra over raw key taps and pauses on the interpreter, independent of the planner's ways-to-type.
// A plan ends with the tap of its last character; a character still pending then costs its commit (a pause, or a mode
// tap where the mode key commits).
// ---------------------------------------------------------------------------------------------------------------------

/** A binary min-heap, for the brute force's Dijkstra. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly score: (item: T) => number) {}
  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.score(a[parent]!) <= this.score(a[i]!)) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.score(a[l]!) < this.score(a[m]!)) m = l;
        if (r < a.length && this.score(a[r]!) < this.score(a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Least cost of a raw action sequence from `start` that types `target` (after whatever `start` has pending): its new
 * text (committed plus pending) must equal it right after a character tap; `finish(field)` adds the cost of that end
 * state (undefined: not an acceptable end).
 */
function cheapest(
  profile: TextEntryProfile,
  start: Field,
  target: string,
  same: (a: string, b: string) => boolean,
  finish: (f: Field) => number | undefined,
): number {
  const T = profile.tapMs + profile.gapMs;
  const keys = [...new Set([profile.modeKey, ...'0123456789', ...Object.values(profile.symbols)])];
  const base = start.committed.length;
  const goal = start.pendingChar() + target;
  const newText = (f: Field) => f.committed.slice(base);
  const id = (f: Field, lastWasChar: boolean) =>
    `${f.mode}|${newText(f).length}|${f.pendingPhase()}|${lastWasChar}`;
  const dist = new Map<string, number>();
  const queue = new MinHeap<{ cost: number; field: Field; lastWasChar: boolean }>((x) => x.cost);
  queue.push({ cost: 0, field: start.clone(), lastWasChar: false });
  let best = Infinity;
  for (let item = queue.pop(); item; item = queue.pop()) {
    const { cost, field, lastWasChar } = item;
    if (cost >= best) break;
    const key = id(field, lastWasChar);
    if (dist.has(key)) continue;
    dist.set(key, cost);
    if (lastWasChar && same(newText(field) + field.pendingChar(), goal)) {
      const extra = finish(field);
      if (extra !== undefined) best = Math.min(best, cost + extra);
    }
    const push = (next: Field, step: number, char: boolean) => {
      const typed = newText(next);
      if (!same(typed, goal.slice(0, typed.length))) return; // committed something wrong
      if (next.pending && typed.length >= goal.length) return; // the pending character would overflow
      if (!dist.has(id(next, char))) queue.push({ cost: cost + step, field: next, lastWasChar: char });
    };
    for (const k of keys) {
      if (!field.canTap(k)) continue;
      const next = field.clone();
      next.tap(k);
      push(next, T, k !== profile.modeKey);
    }
    if (field.pending) {
      const next = field.clone();
      next.commit();
      push(next, profile.commitMs, false);
    }
  }
  return best;
}

function bruteForceCost(text: string, profile: TextEntryProfile, caseRule?: CaseRule): number {
  const target = casedTarget(text, caseRule);
  if (target === '') return 0;
  // A character still pending at the end is committed by the cursor timeout, or by one mode tap where that commits.
  const close = Math.min(profile.commitMs, profile.modeCommits === true ? profile.tapMs + profile.gapMs : Infinity);
  return cheapest(profile, new Field(profile), target, sameText(caseRule), (f) => (f.pending ? close : 0));
}

// ---------------------------------------------------------------------------------------------------------------------
// Replay: the plan's steps on the interpreter, in virtual time, with a real cursor timeout doing the commits.
// ---------------------------------------------------------------------------------------------------------------------

/** The phone's cursor timeout in the replay: longer than one tap, shorter than the profiles' commit pause. */
const CURSOR_TIMEOUT_MS = 1200;

/**
 * A failed check inside a loop over thousands of steps: plain comparisons (vitest's `expect` costs microseconds a call,
 * and these loops make hundreds of thousands), failing the test with what differed and where.
 */
function check(ok: boolean, what: () => string): void {
  if (!ok) throw new Error(what());
}

function replay(plan: Plan, profile: TextEntryProfile): string {
  expect(CURSOR_TIMEOUT_MS).toBeGreaterThan(profile.tapMs + profile.gapMs);
  expect(CURSOR_TIMEOUT_MS).toBeLessThan(profile.commitMs);
  const clock = new VirtualClock();
  const field = new Field(profile);
  let timer: TimerId | undefined;
  plan.steps.forEach((step, i) => {
    if (step.kind !== 'wait') {
      field.tap(step.key); // throws on a tap the rules leave undefined
      clock.clearTimeout(timer);
      timer = field.pending ? clock.setTimeout(() => field.commit(), CURSOR_TIMEOUT_MS) : undefined;
      if (step.kind === 'mode') {
        check(step.key === profile.modeKey, () => `step ${i}: a mode step on '${step.key}', not the mode key '${profile.modeKey}'`);
        // The plan's belief matches the field.
        check(field.mode === step.mode, () => `step ${i}: the plan believes mode ${step.mode}, the field is in ${field.mode}`);
      } else {
        check(step.key !== profile.modeKey, () => `step ${i}: a press step on the mode key '${step.key}'`);
      }
    }
    clock.advance(step.ms);
  });
  return field.committed; // what the phone holds when the controller presses OK: nothing pending counts
}

const SHAPES: Record<Plan['steps'][number]['kind'], string> = { press: 'key,kind,ms', mode: 'key,kind,mode,ms', wait: 'kind,ms' };

/** Checks the step contract: shapes, ms per kind, durationMs = sum. */
function checkShape(plan: Plan, profile: TextEntryProfile): void {
  const T = profile.tapMs + profile.gapMs;
  plan.steps.forEach((s, i) => {
    const keys = Object.keys(s).sort().join(',');
    check(keys === SHAPES[s.kind], () => `step ${i} (${s.kind}) has fields ${keys}, not ${SHAPES[s.kind]}`);
    const ms = s.kind === 'wait' ? profile.commitMs : T;
    check(s.ms === ms, () => `step ${i} (${s.kind}) lasts ${s.ms} ms, not ${ms}`);
  });
  expect(plan.durationMs).toBe(plan.steps.reduce((sum, s) => sum + s.ms, 0));
  expect(plan.profile).toBe(profile.id);
}

// ---------------------------------------------------------------------------------------------------------------------
// Random inputs, seeded.
// ---------------------------------------------------------------------------------------------------------------------

const mulberry32 = mulberry;

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function randomMac(rand: () => number): string {
  let hex = '';
  for (let i = 0; i < 12; i++) hex += pick(rand, [...'0123456789abcdef']);
  return hex;
}

/** Characters the profile can type (by the brute force's own reckoning): digits, letters, its symbols. */
function alphabet(profile: TextEntryProfile): string[] {
  const letters = [...new Set(Object.values(profile.letters).join(''))];
  const upper = letters.map((c) => c.toUpperCase());
  const candidates = [...'0123456789', ...letters, ...upper, ...Object.keys(profile.symbols)];
  return candidates.filter((c) => bruteForceCost(c, profile) < Infinity);
}

function randomText(rand: () => number, chars: readonly string[], maxLen: number): string {
  const len = 1 + Math.floor(rand() * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) s += pick(rand, chars);
  return s;
}

/** Extra profiles (valid by the schema) for cases the built-ins lack: letters first, two modes, no digit cycle. */
const VARIANTS: TextEntryProfile[] = [
  parseTextEntryProfile(
    {
      id: 'letters-first',
      description: 'test: starts in abc, two modes, digits not in the letter cycle',
      sources: [],
      modeKey: 'softkey1',
      cycle: ['abc', '123'],
      initialMode: 'abc',
      letters: { '2': 'abc', '3': 'def', '7': 'pqrs' },
      digitInCycle: false,
      symbols: { '-': '*' },
      tapMs: 90,
      gapMs: 60,
      commitMs: 1500,
      macCase: 'either',
    },
    'test',
  ),
  parseTextEntryProfile(
    { ...TEXT_ENTRY_PROFILES.soundpoint, id: 'upper-start', initialMode: 'ABC', commitMs: 1300, macCase: 'upper' },
    'test',
  ),
];

const BUILT_INS = Object.values(TEXT_ENTRY_PROFILES);
const ALL_PROFILES = [...BUILT_INS, ...VARIANTS];

function keysOf(steps: PlanStep[]): string {
  return steps.map((s) => (s.kind === 'wait' ? `wait` : s.kind === 'mode' ? `mode>${s.mode}` : s.key)).join(' ');
}

// ---------------------------------------------------------------------------------------------------------------------

describe('seed 001: the keystroke table for 00-04-F2-AA-81-4C under vvx', () => {
  const vvx = TEXT_ENTRY_PROFILES.vvx!;
  const T = vvx.tapMs + vvx.gapMs;
  // The table as seed 001 prints it, one row group per character. MODE = "Select the input modifier", WAIT = "Wait for
  // two seconds for the blinking cursor to return".
  const table: Array<{ char: string; actions: string[] }> = [
    { char: '0', actions: ['0'] },
    { char: '0', actions: ['0'] },
    { char: '0', actions: ['0'] },
    { char: '4', actions: ['4'] },
    { char: 'f', actions: ['MODE', '3', '3', '3'] },
    { char: '2', actions: ['MODE', 'MODE', '2'] },
    { char: 'a', actions: ['MODE', '2'] },
    { char: 'a', actions: ['WAIT', '2'] },
    { char: '8', actions: ['MODE', 'MODE', '8'] },
    { char: '1', actions: ['1'] },
    { char: '4', actions: ['4'] },
    { char: 'c', actions: ['MODE', '2', '2', '2'] },
  ];

  // Encode the table as a plan on the interpreter, keeping the field's state around each character.
  const field = new Field(vvx);
  const segments = table.map(({ char, actions }) => {
    const before = field.clone();
    const steps: PlanStep[] = actions.map((a) => {
      if (a === 'WAIT') {
        field.commit();
        return { kind: 'wait', ms: vvx.commitMs };
      }
      if (a === 'MODE') {
        field.tap(vvx.modeKey);
        return { kind: 'mode', key: vvx.modeKey, mode: field.mode, ms: T };
      }
      field.tap(a);
      return { kind: 'press', key: a, ms: T };
    });
    return { char, steps, before, after: field.clone() };
  });
  // The table leaves "c" pending. Under our rules the controller commits it before OK, as after our own plans, so the
  // seed's plan gets the same closing commit (one mode tap, which commits under vvx's rules and beats the pause):
  // like compared with like.
  const closeByMode = vvx.modeCommits === true && T < vvx.commitMs;
  const closing: PlanStep[] = !field.pending
    ? []
    : closeByMode
      ? [{ kind: 'mode', key: vvx.modeKey, mode: vvx.cycle[(vvx.cycle.indexOf(field.mode) + 1) % vvx.cycle.length]!, ms: T }]
      : [{ kind: 'wait', ms: vvx.commitMs }];
  const seedSteps = [...segments.flatMap((s) => s.steps), ...closing];
  const seedPlan: Plan = {
    text: '0004f2aa814c',
    profile: 'vvx',
    steps: seedSteps,
    durationMs: seedSteps.reduce((sum, s) => sum + s.ms, 0),
  };

  it('the encoded table types the MAC under the rules', () => {
    expect(replay(seedPlan, vvx)).toBe('0004f2aa814c');
  });

  it('our plan is never slower, and identical wherever the table is optimal', () => {
    const ours = planMac('00-04-F2-AA-81-4C', vvx);
    checkShape(ours, vvx);
    expect(ours.text).toBe('0004f2aa814c');
    expect(replay(ours, vvx)).toBe('0004f2aa814c');
    expect(ours.durationMs).toBeLessThanOrEqual(seedPlan.durationMs);

    // A row group is optimal when no raw sequence types its character faster between the same two field states.
    const optimal = segments.map((seg) => {
      const cost = seg.steps.reduce((sum, s) => sum + s.ms, 0);
      const start = seg.before.clone();
      const best = cheapest(vvx, start, seg.char, (a, b) => a === b, (f) =>
        f.mode === seg.after.mode && f.pendingPhase() === seg.after.pendingPhase() ? 0 : undefined,
      );
      expect(best).toBeLessThanOrEqual(cost);
      return best === cost;
    });
    const firstBad = optimal.indexOf(false);
    const lastBad = optimal.lastIndexOf(false);
    if (firstBad < 0) {
      expect(keysOf(ours.steps)).toBe(keysOf(seedPlan.steps));
      expect(ours).toEqual(seedPlan);
      return;
    }
    // Identical before the first non-optimal row group and after the last one (closing wait included).
    const head = segments.slice(0, firstBad).flatMap((s) => s.steps);
    const tail = [...segments.slice(lastBad + 1).flatMap((s) => s.steps), ...closing];
    expect(ours.steps.slice(0, head.length)).toEqual(head);
    expect(ours.steps.slice(ours.steps.length - tail.length)).toEqual(tail);
    // The rows in between: ours takes less time than the table's.
    const middle = (steps: PlanStep[]) => steps.slice(head.length, steps.length - tail.length);
    const sum = (steps: PlanStep[]) => steps.reduce((t, s) => t + s.ms, 0);
    expect(sum(middle(ours.steps))).toBeLessThan(sum(middle(seedPlan.steps)));
  });
});

describe('optimality against an independent brute force', () => {
  for (const profile of ALL_PROFILES) {
    it(`${profile.id}: random short texts cost what the brute force finds`, () => {
      const rand = mulberry32(0x5eed ^ profile.id.length);
      // A small alphabet with collisions on one key (a b c 2), a wrap-prone key (7 s), the unusable-in-letters keys
      // (0 1), both cases and the symbols.
      const small = alphabet(profile).filter((c) => 'abc2AC017sS.-/'.includes(c));
      for (let i = 0; i < 60; i++) {
        const text = randomText(rand, small, 5);
        for (const caseRule of [undefined, 'lower', 'either'] as const) {
          let plan: Plan;
          try {
            plan = planText(text, profile, caseRule ? { caseRule } : {});
          } catch (err) {
            // Only a character the profile cannot type in the asked case may fail; the brute force must agree.
            expect(err).toBeInstanceOf(ConfigError);
            expect(bruteForceCost(text, profile, caseRule)).toBe(Infinity);
            continue;
          }
          expect(plan.durationMs, `${profile.id} '${text}' ${caseRule}`).toBe(bruteForceCost(text, profile, caseRule));
        }
      }
    });
  }

  it('all ways matter: digits via the letter cycle, the cheaper case, mode taps as a commit', () => {
    const vvx = TEXT_ENTRY_PROFILES.vvx!;
    const T = vvx.tapMs + vvx.gapMs;
    // "b2" already in abc: 2 via the cycle (a b c 2) is 4 taps, but on b's key, so a commit first.
    for (const text of ['b2', 'a2b', 'ff', 'aA', 'zz9', '00', 'c', '']) {
      for (const caseRule of [undefined, 'either'] as const) {
        expect(planText(text, vvx, { caseRule }).durationMs).toBe(bruteForceCost(text, vvx, caseRule));
      }
    }
    // Two equal digits need no pause; an empty text needs nothing.
    expect(planText('00', vvx).steps).toEqual([
      { kind: 'press', key: '0', ms: T },
      { kind: 'press', key: '0', ms: T },
    ]);
    expect(planText('', vvx)).toEqual({ text: '', profile: 'vvx', steps: [], durationMs: 0 });
  });
});

describe('replay on a virtual clock with a real cursor timeout', () => {
  for (const profile of ALL_PROFILES) {
    it(`${profile.id}: 500 random MACs and 500 random texts replay to exactly the input`, () => {
      const rand = mulberry32(0xac0ffee + profile.id.length);
      const same = sameText(profile.macCase);
      for (let i = 0; i < 500; i++) {
        const mac = randomMac(rand);
        const style = pick(rand, ['colon', 'dash', 'plain'] as const);
        const spelled = formatMac(mac, style, pick(rand, ['upper', 'lower'] as const));
        const plan = planMac(spelled, profile);
        checkShape(plan, profile);
        expect(same(plan.text, casedTarget(mac, profile.macCase))).toBe(true);
        expect(replay(plan, profile)).toBe(plan.text);
      }
      const chars = alphabet(profile);
      for (let i = 0; i < 500; i++) {
        const text = randomText(rand, chars, 24);
        const plan = planText(text, profile);
        checkShape(plan, profile);
        expect(plan.text).toBe(text);
        expect(replay(plan, profile)).toBe(text);
        const either = planText(text, profile, { caseRule: 'either' });
        expect(either.text.toLowerCase()).toBe(text.toLowerCase());
        expect(replay(either, profile)).toBe(either.text);
        expect(either.durationMs).toBeLessThanOrEqual(plan.durationMs);
      }
    });
  }

  it('macCase upper and either type the MAC in the allowed case', () => {
    const vvx = TEXT_ENTRY_PROFILES.vvx!;
    const upper = planMac('0004f2aa814c', { ...vvx, macCase: 'upper' });
    expect(upper.text).toBe('0004F2AA814C');
    expect(replay(upper, vvx)).toBe('0004F2AA814C');
    const either = planMac('0004f2aa814c', { ...vvx, macCase: 'either' });
    expect(either.text.toLowerCase()).toBe('0004f2aa814c');
    expect(replay(either, vvx)).toBe(either.text);
    expect(either.durationMs).toBeLessThanOrEqual(planMac('0004f2aa814c', vvx).durationMs);
  });

  it('soundpoint-provisioning types a server address with * for . and # for /', () => {
    const prov = TEXT_ENTRY_PROFILES['soundpoint-provisioning']!;
    const text = 'pccfg.8x8.com/polycomuc/';
    const plan = planText(text, prov);
    expect(replay(plan, prov)).toBe(text);
    expect(plan.steps.filter((s) => s.kind === 'press' && s.key === '*')).toHaveLength(2);
    expect(plan.steps.filter((s) => s.kind === 'press' && s.key === '#')).toHaveLength(2);
    expect(planText('g.8/p', prov).durationMs).toBe(bruteForceCost('g.8/p', prov));
  });
});

describe('bad input', () => {
  const vvx = TEXT_ENTRY_PROFILES.vvx!;

  function untypeable(fn: () => unknown): ConfigError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('untypeable-character');
      return err as ConfigError;
    }
    throw new Error('expected untypeable-character');
  }

  it('names the character and the profile', () => {
    const err = untypeable(() => planText('ab@c', vvx));
    expect(err.message).toContain("character '@'");
    expect(err.message).toContain('position 3');
    expect(err.message).toContain("'vvx'");
    expect(err.hint).toContain('digits 0-9');
    expect(untypeable(() => planText('a.b', vvx)).message).toContain("character '.'");
    expect(untypeable(() => planText('a b', vvx)).message).toContain("character ' '");
    expect(planText('a.b', TEXT_ENTRY_PROFILES['soundpoint-provisioning']!).text).toBe('a.b');
  });

  it('refuses a case or a digit the cycle cannot give', () => {
    const lettersFirst = VARIANTS[0]!; // abc and 123 only; no digit in the letter cycle
    expect(untypeable(() => planText('aB', lettersFirst)).message).toContain("character 'B'");
    expect(planText('aB', lettersFirst, { caseRule: 'either' }).text).toBe('ab');
    const noDigits = { ...lettersFirst, id: 'no-digits', cycle: ['abc'] as Mode[] };
    expect(untypeable(() => planText('a0', noDigits)).message).toContain("character '0'");
    // 2 is typeable without 123 only through the letter cycle.
    expect(untypeable(() => planText('2', noDigits)).message).toContain("'no-digits'");
    expect(planText('2', { ...noDigits, digitInCycle: true }).text).toBe('2');
  });

  it('refuses a bad MAC before planning', () => {
    expect(() => planMac('0004F2AA81', vvx)).toThrow(ConfigError);
    expect(() => planMac('0004F2AA81GZ', vvx)).toThrow(/non-hex character 'G'/);
  });
});

describe('compareStrategies', () => {
  it('orders lower bound <= planner <= naive, per MAC and on average, and the naive plan is valid', () => {
    const rand = mulberry32(42);
    const macs = Array.from({ length: 200 }, () => randomMac(rand));
    for (const profile of BUILT_INS) {
      for (const mac of macs) {
        const opts = { caseRule: profile.macCase };
        const naive = naivePlan(mac, profile, opts);
        checkShape(naive, profile);
        expect(replay(naive, profile)).toBe(mac);
        const ours = planMac(mac, profile).durationMs;
        expect(ours).toBeLessThanOrEqual(naive.durationMs);
        expect(tapLowerBoundMs(mac, profile, opts)).toBeLessThanOrEqual(ours);
      }
      const c = compareStrategies(macs, profile);
      expect(c.count).toBe(200);
      expect(c.lowerBoundMeanMs).toBeLessThanOrEqual(c.optimalMeanMs);
      expect(c.optimalMeanMs).toBeLessThan(c.naiveMeanMs);
    }
  });

  it('the naive plan returns to 123 and pauses after every letter', () => {
    const vvx = TEXT_ENTRY_PROFILES.vvx!;
    expect(keysOf(naivePlan('a1', vvx).steps)).toBe('mode>abc 2 wait mode>ABC mode>123 1');
    expect(() => compareStrategies([], vvx)).toThrow(ConfigError);
  });
});
