import type { ScreenPatterns, TimingProfile } from './types.js';

/** The VVX family's figures (seeds 000, 001, 002), the base the other families vary. */
const VVX: TimingProfile = {
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
};

/**
 * Timing profiles: what the controller expects of a family's boot and reset. Observer-driven runs wait for what the
 * screen shows and use these figures as deadlines; blind runs (no camera) use the `...AfterMs` and hold figures as the
 * schedule itself, so tune those per bench (see README, "Timing").
 */
export const TIMING_PROFILES: Record<string, TimingProfile> = {
  vvx: VVX,
  soundpoint: {
    ...VVX,
    id: 'soundpoint',
    // seed 000: "While phone is powering back up (you have about 5-10 seconds to complete this step)"; seed 002: "you
    // will see a loading application screen almost immediately upon initial reboot" (also why the blind
    // cancelAfterMs stays VVX's 8 s).
    cancelDeadlineMs: 90_000,
  },
  edge: {
    ...VVX,
    id: 'edge',
    // Edge E (led-combo): the longest wait from power-on for the Handsfree and Headset lights to light and go off.
    cancelDeadlineMs: 60_000,
    // Blind only: hold 1, 3, 5 this long after power-on (a guess at when the lights go off; tune per bench).
    cancelAfterMs: 9_000,
    comboAfterCancelMs: 0,
  },
  // Step procedures carry their own waits in their steps: of a profile they use the power-off time, the key tap and
  // gap, the attempts and job deadline, and rebootTimeoutMs (how long a power cycle by reboot combo waits for the
  // application). Units that need no password try fewer times.
  touch: { ...VVX, id: 'touch', maxAttempts: 3 },
  'edge-b': { ...VVX, id: 'edge-b', maxAttempts: 3 },
  base: { ...VVX, id: 'base', maxAttempts: 2, jobDeadlineMs: 5 * 60_000 },
  visualpro: { ...VVX, id: 'visualpro', maxAttempts: 3 },
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
  // The application's version on the "Loading application" screen (or the BootROM's, before the Updater): seed 001
  // "Depending on the SIP / UC Software Version of the Phone".
  software: '(?:uc software|sip) (\\d+\\.\\d+\\.\\d+)',
};
