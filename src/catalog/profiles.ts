import type { ScreenPatterns, TimingProfile } from './types.js';

/**
 * Timing profiles: what the controller expects of a family's boot and reset. Observer-driven runs wait for what the
 * screen shows and use these figures as deadlines; blind runs (no camera) use the `...AfterMs` and hold figures as the
 * schedule itself, so tune those per bench (see README, "Timing").
 */
export const TIMING_PROFILES: Record<string, TimingProfile> = {
  vvx: {
    id: 'vvx',
    // seed 000: "Restart the phone by powering down (unplug it count to 10 then plug it back in)".
    powerOffMs: 10_000,
    // VVX Updater boots take tens of seconds before "Loading application" shows; allow a slow one.
    cancelDeadlineMs: 120_000,
    // Blind only. seed 000: "While phone is powering back up (you have about 5-10 seconds to complete this step)".
    cancelAfterMs: 8_000,
    // seed 000: "The phone will show a 7 seconds count down. This is the only open window".
    countdownMs: 7_000,
    comboAfterCancelMs: 300,
    // seed 000: "Continue holding down the numbers for few seconds, until you are prompted"; bounded by the countdown
    // plus margin, and below the firmware's per-solenoid limit.
    comboHoldMs: 16_000,
    promptSettleMs: 600,
    answerTimeoutMs: 20_000,
    // seed 002: "Give the phone a few minutes for a second automatic reboot".
    rebootTimeoutMs: 6 * 60_000,
    resetReboots: 2,
    keyTapMs: 150,
    keyGapMs: 200,
    maxAttempts: 4,
    jobDeadlineMs: 20 * 60_000,
  },
  soundpoint: {
    id: 'soundpoint',
    powerOffMs: 10_000,
    // seed 000: "While phone is powering back up (you have about 5-10 seconds to complete this step)".
    cancelDeadlineMs: 90_000,
    // Blind only. seed 002: "you will see a loading application screen almost immediately upon initial reboot".
    cancelAfterMs: 8_000,
    countdownMs: 7_000,
    comboAfterCancelMs: 300,
    comboHoldMs: 16_000,
    promptSettleMs: 600,
    answerTimeoutMs: 20_000,
    rebootTimeoutMs: 6 * 60_000,
    resetReboots: 2,
    keyTapMs: 150,
    keyGapMs: 200,
    maxAttempts: 4,
    jobDeadlineMs: 20 * 60_000,
  },
};

/**
 * Screen text the controller recognises, as case-insensitive regular expressions. The words come from the seeds:
 * "Loading application" (000, 002), the "Cancel" softkey (000, 001, 002, 003), the countdown (000: "a 7 seconds count
 * down"), the password prompt (001: "The following prompt will appear ... Admin password"), "Resetting Configuration
 * please wait" and "Configuration Reset" (002).
 */
export const POLYCOM_SCREENS: ScreenPatterns = {
  loading: 'loading application',
  cancelSoftkey: '^\\s*cancel\\s*$',
  countdown: 'autoboot|countdown|\\bin \\d+ ?s',
  // The admin prompt's first line; not "Invalid password" nor the Setup menu's "Enter setup password:".
  passwordPrompt: '^\\s*(admin )?password\\s*:',
  rejected: 'invalid|incorrect|wrong|denied',
  resetting: 'resetting configuration',
  resetDone: 'configuration reset',
  // The idle screen: a line key ("Line 1: ...") or the New Call softkey's screen.
  ready: '^\\s*line \\d',
};
