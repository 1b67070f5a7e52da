import type { TimingProfile } from '../catalog/types.js';
import { RealClock, type Clock, type TimerId } from '../clock/clock.js';
import { formatMac } from '../text-entry/mac.js';
import type { Job } from './jobs.js';
import type { Outcome } from './record.js';
import { OUTCOMES } from './report.js';
import type { BatchEvent } from './runner.js';

/**
 * Live progress of a batch. On a terminal: one line per station (its phone, step and the step's countdown) and the
 * batch's totals, redrawn in place a few times a second, with each phone's result printed above as it comes. Not on a
 * terminal (a log, a pipe): plain lines, one per station change, step and result, stamped with bench time.
 */

/** Machine states as the operator reads them, and the timing figure that bounds each (its countdown). */
const STEPS: Record<string, { label: string; limit?: (t: TimingProfile) => number }> = {
  powerOff: { label: 'power off', limit: (t) => t.powerOffMs },
  offWait: { label: 'power off', limit: (t) => t.powerOffMs },
  powerOn: { label: 'power on' },
  awaitCancel: { label: 'wait for Cancel', limit: (t) => t.cancelDeadlineMs },
  blindCancelWait: { label: 'wait for Cancel', limit: (t) => t.cancelAfterMs },
  pressCancel: { label: 'press Cancel' },
  awaitCountdown: { label: 'wait for countdown', limit: (t) => t.answerTimeoutMs },
  comboWait: { label: 'hold combo', limit: (t) => t.comboAfterCancelMs },
  holdCombo: { label: 'hold combo', limit: (t) => t.comboHoldMs },
  holding: { label: 'hold combo', limit: (t) => t.comboHoldMs },
  blindHolding: { label: 'hold combo', limit: (t) => t.comboHoldMs },
  releaseCombo: { label: 'release combo' },
  settle: { label: 'prompt settles', limit: (t) => t.promptSettleMs },
  typing: { label: 'type password' },
  confirm: { label: 'confirm' },
  awaitAnswer: { label: 'wait for answer', limit: (t) => t.answerTimeoutMs },
  awaitReboots: { label: 'wait for reboots', limit: (t) => t.rebootTimeoutMs },
  blindReboots: { label: 'wait for reboots', limit: (t) => t.rebootTimeoutMs },
  recover: { label: 'recover' },
  aborting: { label: 'releasing' },
};

interface Slot {
  job?: Job;
  label: string;
  attempt: number;
  /** Bench time the step started, and its limit. */
  since: number;
  limitMs?: number;
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
  const start = clock.now();
  const slots = new Map<string, Slot>(opts.stations.map((s) => [s, { label: 'idle', attempt: 0, since: start }]));
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  let finished = 0;
  /** Phones that ran on a bench to an end: the throughput counts these. */
  let ran = 0;
  let drawn = 0;
  const stamp = () => `[${hms(clock.now() - start)}]`;
  const who = (job: Job) => `${job.auto ? `(line ${job.line}, MAC from the network)` : formatMac(job.mac, 'plain')} ${job.model.name}`;

  const totals = (): string => {
    const elapsed = clock.now() - start;
    const rate = elapsed > 0 && ran > 0 ? ` | ${((ran * 3_600_000) / elapsed).toFixed(1)} phones/h` : '';
    const byOutcome = OUTCOMES.map((o) => `${o} ${counts[o]}`).join('  ');
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
      const left = s.limitMs !== undefined ? `  ${Math.max(0, (s.limitMs - (now - s.since)) / 1000).toFixed(0).padStart(4)} s left` : '';
      return `${name.padEnd(nameWidth)}  ${who(s.job).padEnd(28)}  attempt ${s.attempt}  ${s.label.padEnd(18)}${left}`;
    });
    return [...lines, totals()].map((l) => (l.length > width ? l.slice(0, width) : l));
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
          if (s) Object.assign(s, { job: e.job, label: 'start', attempt: 0, since: clock.now(), limitMs: undefined });
          if (!tty) say(`${e.station} ${who(e.job)}: start${e.run > 1 ? ` (run ${e.run})` : ''}`);
          break;
        case 'state': {
          const step = STEPS[e.state];
          if (!s || !step) break;
          const changed = step.label !== s.label || e.attempt !== s.attempt;
          // The countdown runs from the step's first state (power off's wait continues power off's).
          if (changed) Object.assign(s, { label: step.label, attempt: e.attempt, since: clock.now(), limitMs: step.limit?.(e.job.model.timing) });
          if (changed && !tty) say(`${e.station} ${who(e.job)}: ${step.label} (attempt ${e.attempt})`);
          break;
        }
        case 'final': {
          finished++;
          counts[e.record.outcome]++;
          if (e.record.startedAt !== null && e.record.outcome !== 'aborted') ran++;
          if (s) Object.assign(s, { job: undefined, label: 'idle', attempt: 0, limitMs: undefined });
          const why = e.record.outcome === 'pass' ? '' : `: ${e.record.failure?.reason ?? e.record.summary}`;
          say(`${e.station ?? '-'} ${who(e.job)}: ${e.record.outcome.toUpperCase()}${why}`);
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
