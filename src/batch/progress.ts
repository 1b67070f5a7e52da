import { RealClock, type Clock, type TimerId } from '../clock/clock.js';
import { formatMac } from '../text-entry/mac.js';
import type { Job } from './jobs.js';
import type { Outcome } from './record.js';
import { OUTCOMES } from './report.js';
import type { BatchEvent } from './runner.js';
import { paint, stepText, visibleLength, wantsColour } from '../progress/render.js';
import type { StepWords } from '../progress/vocabulary.js';

const stripColour = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * Live progress of a batch. On a terminal: one line per station (its phone, step and the step's countdown) and the
 * batch's totals, redrawn in place a few times a second, with each phone's result printed above as it comes. Not on a
 * terminal (a log, a pipe): plain lines, one per station change, step and result, stamped with bench time.
 */

interface Slot {
  job?: Job;
  /** The step in progress in the vocabulary's words (progress/vocabulary.ts), or a plain label (`idle`, `starting`). */
  words?: StepWords;
  label: string;
  attempt: number;
  /** Bench time the step started: its countdown's start. */
  since: number;
  out?: string;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The bench clock (virtual on simulated stations). */
  clock: Clock;
  stations: string[];
  /** Jobs to run in this session (unknown in scan mode), and jobs already done before it (a resume). */
  total?: number;
  done: number;
  /** Plain lines even on a terminal (scan mode: the prompts and the phone's steps share the screen). */
  plain?: boolean;
  /** Redraws per second on a terminal. */
  fps?: number;
  /** The jobs to come, when known: the phone column is as wide as the longest (a long model name stays aligned). */
  jobs?: Job[];
  /** Outcomes in colour (default: on a terminal without NO_COLOR). */
  colour?: boolean;
}

export interface Progress {
  onEvent(event: BatchEvent): void;
  /** Prints a line above the live block (or as a plain line). */
  note(text: string): void;
  stop(): void;
}

export function hms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const { stream, clock } = opts;
  const tty = stream.isTTY === true && opts.plain !== true;
  const colour = opts.colour ?? wantsColour(stream);
  const start = clock.now();
  const slots = new Map<string, Slot>(opts.stations.map((s) => [s, { label: 'idle', attempt: 0, since: start }]));
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  let finished = 0;
  /** Phones that ran on a bench to an end: the throughput counts these. */
  let ran = 0;
  let drawn = 0;
  const stamp = () => `[${hms(clock.now() - start)}]`;
  const who = (job: Job) => `${job.auto ? `(line ${job.line}, MAC from the network)` : formatMac(job.mac, 'plain')} ${job.model?.name ?? '(model from the network)'}`;
  /** The phone column's width: the longest phone so far (and to come, when the jobs are known). */
  let whoWidth = 28;
  for (const j of opts.jobs ?? []) whoWidth = Math.max(whoWidth, who(j).length); // a loop: 100,000 jobs are too many arguments

  const totals = (): string => {
    const elapsed = clock.now() - start;
    const rate = elapsed > 0 && ran > 0 ? ` | ${((ran * 3_600_000) / elapsed).toFixed(1)} phones/h` : '';
    const byOutcome = OUTCOMES.map((o) => (counts[o] > 0 ? paint(o, `${o} ${counts[o]}`, colour) : `${o} ${counts[o]}`)).join('  ');
    const of = opts.total !== undefined ? `/${opts.done + opts.total}` : '';
    return `${opts.done + finished}${of} done | ${byOutcome} | ${hms(elapsed)} bench time${rate}`;
  };

  const block = (): string[] => {
    const now = clock.now();
    const width = Math.max(20, (stream.columns || 120) - 1);
    const nameWidth = Math.max(...opts.stations.map((s) => s.length));
    const lines = opts.stations.map((name) => {
      const s = slots.get(name)!;
      if (s.out) return `${name.padEnd(nameWidth)}  out: ${s.out}`;
      if (!s.job) return `${name.padEnd(nameWidth)}  ${s.label}`;
      const step = s.words ? stepText(s.words, now - s.since, true) : s.label;
      return `${name.padEnd(nameWidth)}  ${who(s.job).padEnd(whoWidth)}  attempt ${s.attempt}  ${step}`;
    });
    return [...lines, totals()].map((l) => (visibleLength(l) > width && l === stripColour(l) ? l.slice(0, width) : l));
  };

  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    const lines = block();
    stream.write(lines.join('\n') + '\n');
    drawn = lines.length;
  };
  const say = (text: string) => {
    if (tty) {
      clear();
      stream.write(text + '\n');
      draw();
    } else stream.write(`${stamp()} ${text}\n`);
  };

  // Redraws on the wall clock: the bench clock may be virtual and race ahead.
  const wall = new RealClock();
  let timer: TimerId | undefined;
  const tick = () => {
    draw();
    timer = wall.setTimeout(tick, 1000 / (opts.fps ?? 5));
  };
  if (tty) tick();

  return {
    onEvent(e) {
      const s = slots.get(e.station ?? '');
      switch (e.type) {
        case 'station':
          if (s && e.status === 'out') s.out = e.reason ?? 'failed its health check';
          say(e.status === 'ok' ? `${e.station}: ready` : `${e.station}: OUT: ${e.reason}`);
          break;
        case 'started':
          whoWidth = Math.max(whoWidth, who(e.job).length);
          if (s) Object.assign(s, { job: e.job, words: undefined, label: 'placing the phone', attempt: 0, since: clock.now() });
          if (!tty) say(`${e.station} ${who(e.job)}: placing the phone${e.run > 1 ? ` (run ${e.run})` : ''}`);
          break;
        case 'state': {
          if (!s) break;
          const w = e.words;
          const sameStep = s.words !== undefined && s.words.id === w.id && s.attempt === e.attempt;
          const changed = !sameStep || s.words!.words !== w.words;
          if (!changed) break;
          // New words for the same step (the next reboot seen) keep its countdown.
          Object.assign(s, { words: w, attempt: e.attempt, ...(sameStep ? {} : { since: clock.now() }) });
          if (!tty) say(`${e.station} ${who(e.job)}: attempt ${e.attempt}  ${stepText(w, clock.now() - s.since, false)}`);
          break;
        }
        case 'final': {
          finished++;
          counts[e.record.outcome]++;
          if (e.record.startedAt !== null && e.record.outcome !== 'aborted') ran++;
          if (s) Object.assign(s, { job: undefined, words: undefined, label: 'idle', attempt: 0 });
          const why = e.record.outcome === 'pass' ? '' : `: ${e.record.failure?.reason ?? e.record.summary}`;
          say(`${e.station ?? '-'} ${who(e.job)}: ${paint(e.record.outcome, e.record.outcome.toUpperCase(), colour)}${why}`);
          if (!tty) stream.write(`${stamp()} ${totals()}\n`);
          break;
        }
      }
    },
    note: say,
    stop() {
      wall.clearTimeout(timer);
      if (tty) draw();
    },
  };
}
