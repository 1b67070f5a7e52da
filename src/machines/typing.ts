import type { Bench, Observer, ScreenObservation } from '../bench/types.js';
import { sleep, type Clock } from '../clock/clock.js';
import { PhoneError } from '../errors/errors.js';
import { modeOfLabel, readScreen } from '../observe/meaning.js';
import type { Mode, Plan, PlanStep, TextEntryProfile } from '../text-entry/types.js';

/**
 * Types a plan on the bench: each press or mode step is one tap (the key held for the profile's tapMs, then released
 * for the rest of the step's time), each wait step a pause. The tap itself is timed on the board.
 *
 * With an observer the mode changes are closed-loop: phones differ in the order of their mode cycle, in the mode a
 * fresh field starts in, and in whether the mode key acts while a letter is pending (the seeds disagree; see
 * text-entry/profiles.ts), but every one shows its mode on the mode softkey's label (seed 000 "(1->abc)", seed 003
 * "(a -> 1A)"). So before the plan's first character and at each of its mode changes, the mode key is tapped until
 * the label shows the mode the plan wants; a tap the label does not follow (a misfire, a phone that ignores the mode
 * key while a letter is pending) is waited out and tried again. At the end the field's stars must count the
 * password's characters, or the attempt fails before OK is pressed (a wrong password costs a reboot, not a lockout).
 *
 * Without an observer (a blind bench) the plan is typed as it is.
 */

/** What typing saw of the phone's keypad: what calibration keeps. */
export interface TypingReport {
  /** The mode the field was in when typing began, as its label showed. */
  initialMode?: Mode;
  /** Each mode the label showed right after one tap of the mode key, from the mode before it. */
  transitions: Array<[Mode, Mode]>;
  /** Mode taps the label did not follow. */
  ignoredModeTaps: number;
  /** Keys tapped again because their first tap showed no new star. */
  retappedKeys?: number;
  /** Letters the mode key dropped (the field lost a star) and that were typed again, committed by the cursor timeout. */
  pendingDiscarded?: number;
}

/**
 * Whether a softkey shows a label that reads as no mode and is neither OK nor Cancel: a mode label a camera misread
 * ('v Ala' for '1 -> Aa'), on a phone whose mode key is a key of the keypad (`#`) and whose label shows the mode.
 */
function labelUnread(s: ScreenObservation | undefined): boolean {
  if (!s) return false;
  const m = readScreen(s);
  return s.softkeys.some((l, i) => l.trim() !== '' && `softkey${i + 1}` !== m.okKey && `softkey${i + 1}` !== m.cancelKey && modeOfLabel(l) === undefined);
}

/** How long a mode softkey's label may take to follow a tap (a camera's latency, a slow phone). */
const LABEL_WAIT_MS = 1_500;
/** How long a letter's first tap waits for its star before the letter's next taps (well inside a cursor timeout). */
const LETTER_STAR_WAIT_MS = 500;
/** How long the stars may take to catch up with the last tap before OK. */
const STARS_WAIT_MS = 2_000;
/** How long a mode label that reads as no mode is looked at again before the field is taken to show none. */
const UNREAD_LABEL_MS = 3_000;
/** How often the observer is asked to read such a label afresh (about two frames of a 4 frames/s camera). */
const LOOK_AGAIN_MS = 500;
/** Mode taps to reach one mode before giving up (a cycle has at most three modes). */
const MAX_MODE_TAPS = 6;

interface Segment {
  /** The mode the plan's taps below assume (undefined: the plan does not care, e.g. a plan of waits). */
  mode: Mode | undefined;
  /** Mode taps the plan spends to get there (a blind bench taps exactly these). */
  modeSteps: PlanStep[];
  steps: PlanStep[];
}

/** The plan cut where the mode changes: each segment's presses and waits, and the mode they are typed in. */
function segments(plan: Plan, initial: Mode): Segment[] {
  const out: Segment[] = [];
  let cur: Segment = { mode: initial, modeSteps: [], steps: [] };
  for (const step of plan.steps) {
    if (step.kind === 'mode') {
      if (cur.steps.length > 0) {
        out.push(cur);
        cur = { mode: cur.mode, modeSteps: [], steps: [] };
      }
      cur.modeSteps.push(step);
      cur.mode = step.mode;
    } else {
      cur.steps.push(step);
    }
  }
  out.push(cur);
  return out;
}

/**
 * How many characters a plan types, from its taps (its `text` may be redacted): in 123 every press is one; in a
 * letter mode, presses of one key in a row (no pause or mode tap between) are one.
 */
export function charsOf(plan: Plan, initial: Mode): number {
  let n = 0;
  for (const seg of segments(plan, initial)) {
    let last: string | undefined;
    for (const step of seg.steps) {
      if (step.kind !== 'press') {
        last = undefined;
        continue;
      }
      if (seg.mode === '123' || step.key !== last) n++;
      last = step.key;
    }
  }
  return n;
}

export async function typePlan(
  bench: Bench,
  plan: Plan,
  profile: TextEntryProfile,
  clock: Clock,
  signal?: AbortSignal,
  options: { needMode?: boolean } = {},
): Promise<TypingReport> {
  const report: TypingReport = { transitions: [], ignoredModeTaps: 0 };
  const observer = bench.observer;
  // The longest the screen took to show a tap (a camera lags): waits stretch to it, and a letter's first tap is only
  // checked when its star can be seen before the letter's next tap is due.
  let lagMs: number | undefined;
  const patience = (base: number): number => (lagMs === undefined ? 2 * base : Math.max(base, 2 * lagMs + 200));
  // When the last tap went down, and when the screen last changed (the lag is the one after the other).
  let tapAt = -Infinity;
  let changedAt = -Infinity;
  let screenAtTap: ScreenObservation | undefined;
  const tap = async (step: PlanStep): Promise<void> => {
    if (step.kind === 'wait') {
      await sleep(clock, step.ms, signal);
      return;
    }
    const hold = Math.min(profile.tapMs, step.ms);
    tapAt = clock.now();
    screenAtTap = observer?.current();
    await bench.press([step.key], hold, signal);
    await sleep(clock, step.ms - hold, signal);
  };
  const modeNow = (): Mode | undefined => readScreen(observer?.current()).mode;
  let first = observer ? modeNow() : undefined;
  // A mode softkey's label a camera has not read yet (a frame mid-change, an OCR slip) is waited for: typing from a
  // guessed mode may type the wrong case, and a password's stars never show it. `needMode`: never type on a guess.
  if (observer && first === undefined && (/^softkey/.test(profile.modeKey) || labelUnread(observer.current()))) {
    first = await modeShown(observer, 2 * LABEL_WAIT_MS);
    if (first === undefined && options.needMode) {
      throw new PhoneError('mode-unread', "the field's input mode could not be read from its mode key's label", 'the next attempt types it again');
    }
  }
  const first0 = first;
  if (first) report.initialMode = first;
  // A field may hold text already (a Setup menu editor): the stars must grow by the text's length.
  const starsAtStart = readScreen(observer?.current()).stars ?? 0;

  // Whether the screen has shown the field's stars as stars: a camera that cannot read them never does, and an unread
  // field looks empty, so no count is trusted until then (the final count, a lost tap, a dropped letter).
  let starsSeen = (readScreen(observer?.current()).stars ?? 0) > 0;
  // A prompt with no star line is an empty field only where the screen shows the field, empty: a camera that missed
  // the star line on a frame (it reads no empty line either) says nothing of the count.
  const countOf = (s: ScreenObservation | undefined): number | undefined => {
    const m = readScreen(s);
    const n = m.stars;
    if (n !== undefined && n > 0) starsSeen = true;
    if (n === 0 && !m.fieldEmpty) return undefined;
    return n !== undefined && starsSeen ? n : undefined;
  };
  const stopWatching = observer?.subscribe((s) => {
    changedAt = clock.now();
    countOf(s);
  });
  // Whether the plan's last tap may have left a letter pending (a press in a letter mode, no pause since).
  let pending = false;
  // Presses made so far.
  let typed = 0;
  // The last character typed: its mode and taps (a letter the mode key drops is typed again from them).
  let lastChar: { mode: Mode; presses: PlanStep[] } | undefined;
  // Once the mode key has dropped a letter, every letter before a mode change commits by the cursor timeout instead.
  let commitByWait = false;
  try {
    await typeSegments();
  } catch (err) {
    // Typing went wrong before OK: leave the prompt by its Cancel softkey, so the phone boots on to its application
    // (a bench without a relay power-cycles by the reboot combo, which works only from there).
    if (observer && err instanceof PhoneError && !signal?.aborted) {
      const cancel = readScreen(observer.current()).cancelKey;
      if (cancel) await bench.press([cancel], profile.tapMs, signal).catch(() => undefined);
    }
    throw err;
  } finally {
    stopWatching?.();
  }
  return report;

  async function typeSegments(): Promise<void> {
    for (const seg of segments(plan, profile.initialMode)) {
      signal?.throwIfAborted();
      if (observer && first !== undefined && seg.mode !== undefined && seg.steps.some((s) => s.kind === 'press')) {
        if (commitByWait && pending && seg.modeSteps.length > 0) {
          await sleep(clock, profile.commitMs, signal);
          pending = false;
        }
        // Mode taps right after a letter also commit it (even a full turn of the cycle back to the same mode).
        await reachMode(seg.mode, observer, pending && seg.modeSteps.length > 0);
      } else if (observer && first !== undefined && pending && seg.modeSteps.length > 0) {
        // Mode taps after the last letter only commit it: watched like any other (a phone may drop the letter).
        if (commitByWait) await sleep(clock, profile.commitMs, signal);
        else await reachMode(undefined, observer, true);
        pending = false;
      } else {
        for (const step of seg.modeSteps) await tap(step);
      }
      let lastKey: string | undefined;
      for (const step of seg.steps) {
        // The first tap of a character shows a new star: a tap the field did not take (a solenoid that missed) is seen
        // at once and tapped again, instead of costing the whole attempt.
        const first = step.kind === 'press' && (seg.mode === '123' || step.key !== lastKey);
        // Before the screen has shown any star, the field's first character is still checked where the screen shows
        // the field itself, empty (a camera that drops an empty line does not).
        const unseen = typed === 0 && readScreen(observer?.current()).fieldEmpty ? 0 : undefined;
        const stars = first && observer && first0 !== undefined ? (countOf(observer.current()) ?? unseen) : undefined;
        await tap(step);
        if (stars !== undefined && observer) await verifyTap(step, stars + 1, seg.mode !== '123', observer);
        if (step.kind === 'press') typed++;
        if (step.kind === 'press' && seg.mode !== undefined) {
          if (first || !lastChar) lastChar = { mode: seg.mode, presses: [step] };
          else lastChar.presses.push(step);
        }
        lastKey = step.kind === 'press' ? step.key : undefined;
        pending = step.kind === 'press' ? seg.mode !== '123' : false;
      }
      if (seg.modeSteps.length > 0 && !seg.steps.some((s) => s.kind === 'press')) pending = false;
    }
    if (observer && first !== undefined) await checkStars(plan, observer);
  }

  /**
   * Taps the mode key until the label shows `want` (undefined: any mode); with `commit`, at least until a letter left
   * pending is committed (by a tap the label follows, or by the cursor timeout after a tap it ignores).
   */
  async function reachMode(want: Mode | undefined, obs: Observer, commit: boolean): Promise<void> {
    const tapMs = profile.tapMs + profile.gapMs;
    let mustCommit = commit;
    for (let taps = 0; ; taps++) {
      let before = modeNow();
      // A label a camera did not read this time (a frame mid-change, a slip) is waited for, not taken as no mode.
      if (before === undefined) before = await modeShown(obs, patience(LABEL_WAIT_MS));
      if ((want === undefined || before === want) && !mustCommit) return;
      if (taps >= MAX_MODE_TAPS || before === undefined) {
        throw new PhoneError(
          'mode-unreachable',
          `the field never showed the ${want ?? 'next'} mode (its mode key's label showed ${report.transitions.map(([a, b]) => `${a}->${b}`).join(', ') || 'nothing'})`,
          'the phone may not offer that mode: the next attempt types the other case',
        );
      }
      const starsBefore = countOf(obs.current());
      await tap({ kind: 'mode', key: profile.modeKey, mode: want ?? before, ms: tapMs });
      const after = await changed(obs, (s) => readScreen(s).mode !== before, patience(LABEL_WAIT_MS));
      const seen = readScreen(after);
      let starsAfter = countOf(after);
      // The new label read but not the stars (a camera's frame that missed the star line): the count is waited for,
      // not taken as an empty field, and a letter the tap dropped is still seen.
      if (starsBefore !== undefined && starsAfter === undefined && seen.mode !== undefined && seen.mode !== before) {
        starsAfter = countOf(await changed(obs, (s) => countOf(s) !== undefined, patience(LABEL_WAIT_MS)));
      }
      if (starsBefore !== undefined && starsAfter !== undefined && starsAfter < starsBefore) {
        // The mode key dropped the pending letter: the field holds everything before it, so type it again and let
        // the cursor timeout commit it, here and before every later mode change.
        await retypeDropped(obs, starsBefore);
        mustCommit = false;
        continue;
      }
      const now = seen.mode;
      if (now === undefined) continue;
      if (now === before) {
        // The label did not follow: the tap was lost, or the phone ignores the mode key while a letter is pending:
        // the cursor timeout commits it meanwhile.
        report.ignoredModeTaps++;
        await sleep(clock, profile.commitMs, signal);
        mustCommit = false;
        continue;
      }
      mustCommit = false;
      report.transitions.push([before, now]);
    }
  }

  /**
   * The mode the mode key's label shows, waited for when it does not read as one: up to `ms`, and at least
   * UNREAD_LABEL_MS. A camera reads a picture again only when it changes, so a label it misread ('1 -> Aa' as 'Aa')
   * would stand as long as the field does: the observer is asked every LOOK_AGAIN_MS to read the display afresh
   * (another frame, other noise).
   */
  async function modeShown(obs: Observer, ms: number): Promise<Mode | undefined> {
    const until = clock.now() + Math.max(ms, UNREAD_LABEL_MS);
    let mode = modeNow();
    while (mode === undefined && clock.now() < until) {
      obs.lookAgain?.();
      mode = readScreen(await changed(obs, (s) => readScreen(s).mode !== undefined, Math.min(LOOK_AGAIN_MS, until - clock.now()))).mode;
    }
    return mode;
  }

  /**
   * A letter the mode key dropped, typed again in its mode and committed by the cursor timeout; the field must then
   * hold `want` characters again. A second drop, or a field that does not come back, fails the attempt.
   */
  async function retypeDropped(obs: Observer, want: number): Promise<void> {
    const ch = lastChar;
    if (!ch || commitByWait) {
      throw new PhoneError(
        'pending-discarded',
        'the mode key dropped the letter being typed (the field lost a star)',
        'the next attempt lets each letter commit before changing mode',
      );
    }
    report.pendingDiscarded = (report.pendingDiscarded ?? 0) + 1;
    commitByWait = true;
    await reachMode(ch.mode, obs, false);
    const stars = countOf(obs.current());
    for (const [i, step] of ch.presses.entries()) {
      await tap(step);
      if (i === 0 && stars !== undefined) await verifyTap(step, stars + 1, true, obs);
    }
    await sleep(clock, profile.commitMs, signal);
    pending = false;
    const seen = await changed(obs, (s) => countOf(s) === want, patience(STARS_WAIT_MS));
    const now = countOf(seen);
    if (now !== undefined && now !== want) {
      throw new PhoneError(
        'pending-discarded',
        `the mode key dropped a letter and typing it again left ${now} characters in the field, not ${want}`,
        'the next attempt lets each letter commit before changing mode',
      );
    }
  }

  /**
   * Waits for the star a first tap adds; when it does not come, taps again once. A letter waits less: its next taps
   * must come before the cursor timeout commits it (a slow camera then leaves the check to the final count).
   */
  async function verifyTap(step: PlanStep, want: number, letter: boolean, obs: Observer): Promise<void> {
    // A letter's star must show well inside the cursor timeout; a screen not yet seen to be that quick is not asked.
    if (letter && (lagMs === undefined || 2 * lagMs + 100 > LETTER_STAR_WAIT_MS)) return;
    // Until the screen has shown a star, a field that reads as something else than stars while waiting (a camera that
    // cannot read them) says nothing: then no tap is repeated on a guess.
    let unread = false;
    const seen = await changed(
      obs,
      (s) => {
        if (readScreen(s).stars === undefined) unread = true;
        return (countOf(s) ?? -1) >= want;
      },
      letter ? LETTER_STAR_WAIT_MS : patience(LABEL_WAIT_MS),
    );
    const stars = countOf(seen) ?? (!unread && readScreen(seen).fieldEmpty ? 0 : undefined);
    if (stars === undefined || stars >= want) return;
    report.retappedKeys = (report.retappedKeys ?? 0) + 1;
    await tap(step);
  }

  /** The stars count the password's characters before OK is pressed. */
  async function checkStars(p: Plan, obs: Observer): Promise<void> {
    const want = starsAtStart + charsOf(p, profile.initialMode);
    const seen = await changed(obs, (s) => countOf(s) === want, patience(STARS_WAIT_MS));
    const stars = countOf(seen);
    if (stars !== undefined && stars !== want) {
      throw new PhoneError(
        'typing-mismatch',
        `the field holds ${stars} characters after typing, it should hold ${want} (a key missed or bounced)`,
        'the next attempt types it again from power-off',
      );
    }
  }

  /** The screen once `ok` holds for it, or the last screen when `ms` pass first. */
  function changed(obs: Observer, ok: (s: ScreenObservation) => boolean, ms: number): Promise<ScreenObservation> {
    return new Promise<ScreenObservation>((resolve, reject) => {
      const now = obs.current();
      // A screen that answers the tap tells how long the screen lags behind the keys.
      const measure = (): void => {
        // Only a change the tap made (what it waits for was not so when the key went down).
        if (changedAt >= tapAt && screenAtTap !== undefined && !ok(screenAtTap)) lagMs = Math.max(lagMs ?? 0, changedAt - tapAt);
      };
      if (ok(now)) {
        measure();
        resolve(now);
        return;
      }
      let last = now;
      const done = (s: ScreenObservation) => {
        if (ok(s)) measure();
        clock.clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(s);
      };
      const off = obs.subscribe((s) => {
        last = s;
        if (ok(s)) done(s);
      });
      const timer = clock.setTimeout(() => done(last), ms);
      const onAbort = () => {
        clock.clearTimeout(timer);
        off();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
