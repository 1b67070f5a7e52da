/**
 * The simulated phone's text field (the admin password prompt), with real multi-tap behaviour. It is written apart
 * from the planner (src/text-entry/) on purpose: the planner's output is checked against this independent model.
 *
 * Rules (seed 001's keystroke table for 00-04-F2-AA-81-4C; seed 000 "to enter the letter "F" you will need to press
 * the number "3" 3 times"; seed 002 "depending on the letter click on number 1, 2, 3, or 4 times"):
 * - A tap counts on key-down. A key held down does not repeat; it must be released before it taps again.
 * - The mode key moves to the next mode of the cycle (the cycle wraps). What it does to a pending character is the
 *   phone's variant (variants.ts): commits it first (seed 001's table), is ignored while it is pending, or drops it.
 * - In '123' a digit key types its digit at once; a key with a symbol (`*` -> `.`) types the symbol at once.
 * - In 'abc'/'ABC' a key with letters starts a pending character, or, when it is the key of the pending character and
 *   the cursor timeout has not run out, advances it: its letters, then its digit when `digitInCycle`, then it wraps.
 *   'ABC' gives upper case.
 * - A different key, or the cursor timeout (measured on the Clock from the last tap's key-down), commits the pending
 *   character (seed 001: "Wait for two seconds for the blinking cursor to return").
 * - In a letter mode a key without letters types its '123' character (digit or symbol) at once.
 * - Keys with no meaning to the field (navigation, other softkeys) are ignored: they neither type nor commit.
 */
import type { Clock } from '../clock/clock.js';
import type { Key } from '../bench/keys.js';
import { ConfigError } from '../errors/errors.js';
import type { PendingOnMode, SimMode as Mode } from './variants.js';

export interface SimKeypadSpec {
  /** The key that steps through `cycle`. */
  modeKey: Key;
  /** Modes in the order the mode key visits them; wraps. */
  cycle: Mode[];
  /** The mode of a fresh field. */
  initialMode: Mode;
  /** Letters per key, lower case, in tap order. Keys absent here have no letters. */
  letters: Record<Key, string>;
  /** In a letter mode, one more tap after a key's last letter gives its digit before wrapping. */
  digitInCycle: boolean;
  /** Characters of non-digit keys in '123' mode: key -> char, e.g. `{ '*': '.' }`. */
  symbols: Record<Key, string>;
  /** A pending character commits this long after its last tap's key-down, ms. */
  cursorTimeoutMs: number;
  /** What the mode key does to a pending character (default: commits it). */
  pendingOnMode?: PendingOnMode;
}

/** The character being composed by repeated taps of one key. */
export interface PendingChar {
  key: Key;
  /** Taps so far (1 = first letter). */
  taps: number;
  /** The character it stands for now. */
  char: string;
  /** Clock time of the last tap's key-down. */
  lastTapAt: number;
}

const DIGIT = /^[0-9]$/;

export class MultiTapField {
  private readonly spec: SimKeypadSpec;
  private readonly clock: Clock;
  private text = '';
  private currentMode: Mode;
  private pend: PendingChar | undefined;
  private readonly down = new Set<Key>();

  constructor(spec: SimKeypadSpec, clock: Clock) {
    if (spec.cycle.length === 0 || !spec.cycle.includes(spec.initialMode)) {
      throw new ConfigError(
        'bad-keypad',
        `keypad spec: mode cycle [${spec.cycle.join(', ')}] does not hold the initial mode '${spec.initialMode}'`,
        'list the initial mode in the cycle',
      );
    }
    if (!(spec.cursorTimeoutMs > 0)) {
      throw new ConfigError('bad-keypad', `keypad spec: cursor timeout ${spec.cursorTimeoutMs} ms`, 'give a positive cursor timeout');
    }
    this.spec = spec;
    this.clock = clock;
    this.currentMode = spec.initialMode;
  }

  /** Committed text plus the pending character, as the phone would submit it now. */
  get value(): string {
    this.expire();
    return this.text + (this.pend?.char ?? '');
  }

  /** Text no longer open to change. */
  get committed(): string {
    this.expire();
    return this.text;
  }

  get mode(): Mode {
    return this.currentMode;
  }

  /** The character still being composed, if any (a copy). */
  get pending(): PendingChar | undefined {
    this.expire();
    return this.pend ? { ...this.pend } : undefined;
  }

  /**
   * A key goes down. Returns true when the field took it as a tap (typed, advanced, or changed mode); false for a
   * key that is already down (no repeat) or means nothing to the field.
   */
  keyDown(key: Key): boolean {
    if (this.down.has(key)) return false;
    this.down.add(key);
    this.expire();
    const now = this.clock.now();

    if (key === this.spec.modeKey) {
      const rule = this.spec.pendingOnMode ?? 'commit';
      if (this.pend && rule === 'ignore-mode') return false;
      if (this.pend && rule === 'discard') this.pend = undefined;
      this.commit();
      const i = this.spec.cycle.indexOf(this.currentMode);
      this.currentMode = this.spec.cycle[(i + 1) % this.spec.cycle.length]!;
      return true;
    }

    const plain = this.plainChar(key);
    const letters = this.spec.letters[key] ?? '';
    if (this.currentMode === '123' || letters.length === 0) {
      if (plain === undefined) return false;
      this.commit();
      this.text += plain;
      return true;
    }

    // A letter mode and a key with letters: multi-tap.
    const seq = this.tapSequence(key, letters);
    if (this.pend && this.pend.key === key) {
      const taps = this.pend.taps + 1;
      this.pend = { key, taps, char: seq[(taps - 1) % seq.length]!, lastTapAt: now };
    } else {
      this.commit();
      this.pend = { key, taps: 1, char: seq[0]!, lastTapAt: now };
    }
    return true;
  }

  keyUp(key: Key): void {
    this.down.delete(key);
  }

  /** Empties the field and returns it to its initial mode, as a fresh prompt. */
  clear(): void {
    this.text = '';
    this.pend = undefined;
    this.currentMode = this.spec.initialMode;
    this.down.clear();
  }

  /** The key's character when it is not multi-tapping: its digit, or its symbol. */
  private plainChar(key: Key): string | undefined {
    if (DIGIT.test(key)) return key;
    return this.spec.symbols[key];
  }

  /** The characters successive taps of a letter key give in the current letter mode. */
  private tapSequence(key: Key, letters: string): string[] {
    const cased = this.currentMode === 'ABC' ? letters.toUpperCase() : letters.toLowerCase();
    const seq = [...cased];
    if (this.spec.digitInCycle && DIGIT.test(key)) seq.push(key);
    return seq;
  }

  private commit(): void {
    if (this.pend) this.text += this.pend.char;
    this.pend = undefined;
  }

  /** Commits the pending character once the cursor timeout has run out since its last tap. */
  private expire(): void {
    if (this.pend && this.clock.now() - this.pend.lastTapAt >= this.spec.cursorTimeoutMs) this.commit();
  }
}
