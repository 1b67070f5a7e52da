import type { Outcome } from '../batch/record.js';
import { RealClock, type Clock, type TimerId } from '../clock/clock.js';
import type { StepWords } from './vocabulary.js';

/*
 * How progress is shown: the vocabulary's words with the step's countdown ("waiting for reboot 2 of 2, 1:40 left")
 * or its length in a log ("powering off, 10 s"), typing counts ("typing the password, 7 of 12"), and outcomes in
 * colour on a terminal (pass green, fail and error red, unverified yellow), never when piped or with NO_COLOR.
 */

/** `10 s`, `1:40`, `6:00`: a duration as a countdown reads. */
export function clockTime(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * The words of a step, `elapsedMs` into it. `live` (a terminal, redrawn): the countdown and the count so far; not
 * live (a log line, written once as the step begins): how long it may still take and how much it types.
 */
export function stepText(p: StepWords, elapsedMs: number, live: boolean): string {
  let text = p.words;
  if (p.typing) {
    const done = p.typing.doneAt.filter((t) => t <= elapsedMs).length;
    text += live ? `, ${Math.min(done, p.typing.chars)} of ${p.typing.chars}` : `, ${p.typing.chars} character${p.typing.chars === 1 ? '' : 's'}`;
  }
  if (p.limit && p.limit.ms >= 1000) {
    const left = p.limit.ms - elapsedMs;
    if (live) text += `, ${clockTime(left)} left`;
    else text += p.limit.kind === 'for' ? `, ${clockTime(left)}` : `, up to ${clockTime(left)}`;
  }
  return text;
}

/** Whether to colour a stream: a terminal, NO_COLOR unset (https://no-color.org), not a dumb terminal. */
export function wantsColour(stream: { isTTY?: boolean }): boolean {
  if (stream.isTTY !== true) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return process.env.TERM !== 'dumb';
}

const SGR: Record<Outcome, string> = { pass: '32', 'device-reset': '33', fail: '31', error: '31', unverified: '33', aborted: '35' };

/** Text in its outcome's colour (when `colour`). */
export function paint(outcome: Outcome, text: string, colour: boolean): string {
  return colour ? `\x1b[${SGR[outcome]}m${text}\x1b[0m` : text;
}

/** A string's width on screen: without colour codes. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Pads to a width on screen (colour codes take none). */
export function padVisible(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

/** One step of a run's progress as the record keeps it: bench time since the run began, and the words said then. */
export interface ProgressLine {
  t: number;
  attempt: number;
  id: string;
  words: string;
}

/**
 * Keeps a run's progress for its record (`progress`: the live progress, step by step, in the same words), and passes
 * each state on to `next` (the live display).
 */
export function recordProgress(
  clock: Clock,
  next?: (state: string, attempt: number, words: StepWords) => void,
): { lines: ProgressLine[]; onState: (state: string, attempt: number, words: StepWords) => void } {
  const start = clock.now();
  const lines: ProgressLine[] = [];
  /** When the step in progress began (new words for the same step keep it: the countdown is the step's). */
  let since = start;
  let lastSaid = '';
  return {
    lines,
    onState(state, attempt, words) {
      const said = `${attempt} ${words.id} ${words.words}`;
      if (said !== lastSaid) {
        const last = lines.at(-1);
        const now = clock.now();
        if (!last || last.attempt !== attempt || last.id !== words.id) since = now;
        lastSaid = said;
        lines.push({ t: now - start, attempt, id: words.id, words: stepText(words, now - since, false) });
      }
      next?.(state, attempt, words);
    },
  };
}

export interface RunProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The run's clock (virtual on the simulator): step times and countdowns. */
  clock: Clock;
  /** Redraw the step in progress with its countdown (a terminal); else one plain line per step. */
  live: boolean;
  /** Cleans every line written (a provisioning run's secrets). */
  redact?: (text: string) => string;
  /** Put before every line (a station's name, a model). */
  prefix?: string;
}

export interface RunProgress {
  onState(state: string, attempt: number, words: StepWords): void;
  stop(): void;
}

/**
 * Progress of one run (reset, reboot, provision): a line per step, `   12.0 s  attempt 1  holding 1+3+5`. On a
 * terminal the line of the step in progress is redrawn a few times a second with its countdown, on the wall clock
 * (a virtual clock may race ahead); each finished step stays on the screen.
 */
export function createRunProgress(opts: RunProgressOptions): RunProgress {
  const { stream, clock } = opts;
  const redact = opts.redact ?? ((s: string) => s);
  const start = clock.now();
  /** The step shown: its words, when they were said (`at`), and when its step id began (`since`: its countdown's start). */
  let current: { words: StepWords; at: number; since: number; attempt: number; plain: string } | undefined;
  let lastSaid = '';
  /** The step's line: live (its countdown now), or as it was said when it began. */
  const line = (live: boolean) => {
    const c = current!;
    const stamp = `${((c.at - start) / 1000).toFixed(1).padStart(7)} s`;
    return redact(`${opts.prefix ?? ''}${stamp}  attempt ${c.attempt}  ${live ? stepText(c.words, clock.now() - c.since, true) : c.plain}`);
  };
  const width = () => Math.max(20, (stream.columns || 120) - 1);
  const draw = () => {
    if (!current) return;
    const text = line(true);
    stream.write(`\r\x1b[2K${text.length > width() ? text.slice(0, width()) : text}`);
  };
  const wall = new RealClock();
  let timer: TimerId | undefined;
  const tick = () => {
    draw();
    timer = wall.setTimeout(tick, 200);
  };
  return {
    onState(_state, attempt, words) {
      const said = `${attempt} ${words.id} ${words.words}`;
      if (said === lastSaid) return;
      lastSaid = said;
      const now = clock.now();
      // New words for the same step (the next reboot seen) keep its countdown: the deadline is the step's.
      const since = current && current.attempt === attempt && current.words.id === words.id ? current.since : now;
      if (opts.live) {
        // The finished step stays on the screen as a log line would say it.
        if (current) stream.write(`\r\x1b[2K${line(false)}\n`);
        current = { words, at: now, since, attempt, plain: stepText(words, now - since, false) };
        if (timer === undefined) tick();
        else draw();
      } else {
        current = { words, at: now, since, attempt, plain: stepText(words, now - since, false) };
        stream.write(line(false) + '\n');
      }
    },
    stop() {
      if (timer !== undefined) wall.clearTimeout(timer);
      timer = undefined;
      if (opts.live && current) stream.write(`\r\x1b[2K${line(false)}\n`);
      current = undefined;
    },
  };
}
