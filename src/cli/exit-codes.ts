import type { Outcome } from '../batch/record.js';
import type { FailureClass } from '../errors/errors.js';

/** resetbot's exit codes (README, "Exit codes"). */
export const EXIT = {
  /** Success; for `reset`, the phone passed: seen to reset. */
  ok: 0,
  /** The phone did not reset (a phone failure, after every retry). */
  fail: 1,
  /** Bad input: a usage error, a bad MAC, an unknown model, a bad or unfit fixture or file. Nothing moved. */
  usage: 2,
  /** The procedure ran to its end but nothing confirmed the reset (a blind bench). */
  unverified: 3,
  /** The bench failed (serial link, firmware, relay). */
  bench: 4,
  /** resetbot itself failed (a bug): please report it with the record. */
  internal: 5,
  /** `batch`: the batch ran to its end, but some phones did not pass (fail or error), or some bad rows did not run (--skip-bad): see failures.csv. */
  batchNotAllPassed: 6,
  /**
   * An output could not be written during a run (disk full, read-only, I/O error): every solenoid and relay was
   * released, what could be recorded was; free space and resume (`batch --resume`).
   */
  io: 7,
  /**
   * The combo reset ran on software before UC Software 4.0.0: a device reset only (seed 001), not factory defaults.
   * Its reason says the way forward.
   */
  deviceReset: 8,
  /** Stopped by Ctrl-C; every solenoid was released first. */
  aborted: 130,
} as const;

export function exitCodeForOutcome(outcome: Outcome, failureClass?: FailureClass): number {
  switch (outcome) {
    case 'pass':
      return EXIT.ok;
    case 'device-reset':
      return EXIT.deviceReset;
    case 'unverified':
      return EXIT.unverified;
    case 'aborted':
      return EXIT.aborted;
    case 'fail':
      return EXIT.fail;
    case 'error':
      return failureClass === 'config' ? EXIT.usage : failureClass === 'bench' ? EXIT.bench : EXIT.internal;
  }
}
