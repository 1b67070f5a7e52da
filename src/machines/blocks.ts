import type { Key } from '../bench/keys.js';
import type { Bench, ScreenObservation } from '../bench/types.js';
import { MENU_ANSWER_MS, REBOOT_HOLD, SIGNS } from '../catalog/procedures.js';
import type { PhoneModel, Sign } from '../catalog/types.js';
import { sleep, type Clock } from '../clock/clock.js';
import { BenchError, ConfigError, PhoneError, editDistance } from '../errors/errors.js';

/*
 * The building blocks the machines share: seeing a sign, waiting for one, the power cycle (the relay, or the model's
 * reboot combo on a fixture without one), selecting a menu item by its label. Each is a plain async function on the
 * bench and the clock; it honours its AbortSignal (the machine aborts it when it leaves the state that runs it), and
 * fails with a PhoneError whose code and reason go into the record.
 */

export interface BlockContext {
  model: PhoneModel;
  bench: Bench;
  clock: Clock;
}

import { readScreen } from '../observe/meaning.js';
import { nextScreen } from '../observe/screen-observer.js';

const DARK: ScreenObservation = { lines: [], softkeys: [], leds: {}, lit: false };
const rx = (source: string) => new RegExp(source, 'im');

/** Whether an observation shows the sign (an absent observation is a dark screen). */
export function signShown(sign: Sign, s: ScreenObservation | undefined): boolean {
  const o = s ?? DARK;
  if (sign.lit !== undefined && o.lit !== sign.lit) return false;
  if (sign.blank && !(o.lit && o.lines.every((l) => l.trim() === '') && o.softkeys.every((k) => k === ''))) return false;
  if (sign.screen !== undefined && !(o.lit && rx(sign.screen).test(o.lines.join('\n')))) return false;
  if (sign.meaning !== undefined && readScreen(o).kind !== sign.meaning) return false;
  for (const [led, state] of Object.entries(sign.leds ?? {})) {
    if (!rx(state).test(o.leds[led] ?? 'off')) return false;
  }
  return true;
}

export interface WaitOptions {
  /** The sign's n-th appearance since the wait began (an appearance: from not shown to shown). Default 1. */
  nth?: number;
  deadlineMs: number;
  /** The PhoneError code at the deadline, and its reason (default: the sign was not seen in time). */
  failCode: string;
  failReason?: string;
}

/**
 * Resolves when the observer shows the sign (its n-th appearance); rejects with PhoneError(failCode) at the deadline.
 * Needs an observer (the caller decides what a blind bench does instead).
 */
export function waitForSign(ctx: BlockContext, sign: Sign, opts: WaitOptions, signal?: AbortSignal): Promise<void> {
  const observer = ctx.bench.observer;
  if (!observer) return Promise.reject(new ConfigError('needs-observer', `waiting for ${sign.what} needs an observer (a camera)`, 'run on a bench with one'));
  const nth = opts.nth ?? 1;
  return new Promise<void>((resolve, reject) => {
    let seen = 0;
    let was = false;
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      ctx.clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const look = (s: ScreenObservation) => {
      const now = signShown(sign, s);
      if (now && !was) seen++;
      was = now;
      if (seen >= nth) finish();
    };
    const onAbort = () => finish(signal!.reason);
    const unsubscribe = observer.subscribe(look);
    const deadline = ctx.clock.setTimeout(
      () => finish(new PhoneError(opts.failCode, opts.failReason ?? `${sign.what}: not seen within ${Math.round(opts.deadlineMs / 1000)} s`)),
      opts.deadlineMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    else look(observer.current());
  });
}

/**
 * The power cycle of a fixture without relay (seed 001, "Rebooting the Phone"): with an observer, wait until the
 * application runs, then hold the model's reboot combo until the screen goes dark, and release; blind, hold it for
 * its blind time. The phone then boots as after power-on.
 */
export async function rebootByCombo(ctx: BlockContext, signal?: AbortSignal): Promise<void> {
  const combo = ctx.model.rebootCombo;
  if (!combo) {
    throw new ConfigError(
      'needs-relay',
      `the ${ctx.model.name} has no reboot combo in the sources, so a fixture without relay cannot power-cycle it`,
      'use a fixture with "relay": true',
    );
  }
  if (ctx.bench.observer) {
    await waitForSign(ctx, SIGNS.ready, { deadlineMs: ctx.model.timing.rebootTimeoutMs, failCode: 'not-running' }, signal);
  }
  await ctx.bench.hold(combo.keys);
  try {
    if (ctx.bench.observer) await waitForSign(ctx, SIGNS.dark, { deadlineMs: REBOOT_HOLD.deadlineMs, failCode: 'no-reboot' }, signal);
    else await sleep(ctx.clock, REBOOT_HOLD.blindMs, signal);
  } finally {
    await ctx.bench.release(combo.keys);
  }
}

/** Relay off for the profile's off time, then on; on a fixture without relay, the reboot combo. */
export async function powerCycle(ctx: BlockContext, signal?: AbortSignal): Promise<void> {
  if (!ctx.bench.fixture.relay) {
    await rebootByCombo(ctx, signal);
    return;
  }
  await ctx.bench.releaseAll();
  await ctx.bench.power(false);
  await sleep(ctx.clock, ctx.model.timing.powerOffMs, signal);
  await ctx.bench.power(true);
}

/**
 * The relay on, or off for the profile's off time. On a fixture without relay the unit is on its own supply: power
 * on is nothing to do, power off cannot be done.
 */
export async function switchPower(ctx: BlockContext, on: boolean, signal?: AbortSignal): Promise<void> {
  if (on) {
    if (ctx.bench.fixture.relay) await ctx.bench.power(true);
    return;
  }
  if (!ctx.bench.fixture.relay) {
    throw new ConfigError('needs-relay', `this step of the ${ctx.model.name} procedure switches the power off`, 'use a fixture with "relay": true');
  }
  await ctx.bench.power(false);
  await sleep(ctx.clock, ctx.model.timing.powerOffMs, signal);
}

/** A menu as a camera reads it: its title, its items, the highlighted one (the line that starts with `>`). */
export interface MenuView {
  title: string;
  items: string[];
  highlighted: number;
}

export function readMenu(s: ScreenObservation | undefined): MenuView | undefined {
  if (!s?.lit || s.lines.length < 2) return undefined;
  const body = s.lines.slice(1);
  const highlighted = body.findIndex((l) => /^\s*>/.test(l));
  if (highlighted < 0) return undefined;
  return { title: s.lines[0]!.trim(), items: body.map((l) => l.replace(/^\s*>?\s*/, '').trim()), highlighted };
}

/** A tap of one key: held for the profile's tap time, then the key gap (the screen has answered by then). */
export async function tap(ctx: BlockContext, key: Key, signal?: AbortSignal): Promise<void> {
  const t = ctx.model.timing;
  await ctx.bench.press([key], t.keyTapMs, signal);
  await sleep(ctx.clock, t.keyGapMs, signal);
}

/** The first screen, shown now or to come, that `accepts` (nextScreen); undefined on a blind bench or at the deadline. */
export function awaitScreen(
  ctx: BlockContext,
  accepts: (s: ScreenObservation) => boolean,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<ScreenObservation | undefined> {
  const observer = ctx.bench.observer;
  return observer ? nextScreen(observer, ctx.clock, accepts, deadlineMs, signal) : Promise.resolve(undefined);
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** Two menu titles (or labels) are one when they differ by no more than a camera's slip (a fifth of the letters). */
function sameText(a: string, b: string): boolean {
  const x = norm(a);
  const y = norm(b);
  return x === y || editDistance(x, y) <= Math.floor(Math.max(x.length, y.length) / 5);
}

/** The item labelled `label`: by its exact words, else the one nearest within a camera's slip (-1: none). */
function itemIndex(menu: MenuView, label: string): number {
  const want = norm(label);
  const exact = menu.items.findIndex((i) => norm(i) === want);
  if (exact >= 0) return exact;
  let best = -1;
  let bestD = Infinity;
  menu.items.forEach((item, i) => {
    const d = editDistance(norm(item), want);
    if (d < bestD) {
      best = i;
      bestD = d;
    }
  });
  return best >= 0 && bestD <= Math.floor(want.length / 5) ? best : -1;
}

/**
 * Selects the menu item labelled `label` (case-insensitive): waits for the menu that offers it, moves the highlight
 * with up/down, waiting after each tap for the highlight to move, then presses select and waits for the menu to give
 * way. Every wait is bounded by MENU_ANSWER_MS of the clock. Fails with `menu-item-missing` (naming what the menu
 * offers) when the menu has no such item, `no-menu` when no menu is shown, `menu-stuck` when the highlight does not
 * get there, `select-missed` when select changes nothing.
 */
export async function selectMenuItem(ctx: BlockContext, label: string, signal?: AbortSignal): Promise<void> {
  const observer = ctx.bench.observer;
  if (!observer) throw new ConfigError('needs-observer', `selecting "${label}" in a menu needs an observer (a camera)`, 'run on a bench with one');
  const offering = (s: ScreenObservation) => {
    const m = readMenu(s);
    return m !== undefined && itemIndex(m, label) >= 0;
  };
  // The menu may still be coming (the key that opens it was just pressed): wait for one that offers the item.
  let menu = readMenu((await awaitScreen(ctx, offering, MENU_ANSWER_MS, signal)) ?? observer.current());
  if (!menu) throw new PhoneError('no-menu', `no menu on the screen where "${label}" was to be selected`);
  let target = itemIndex(menu, label);
  if (target < 0) {
    throw new PhoneError('menu-item-missing', `the "${menu.title}" menu has no "${label}" (it offers: ${menu.items.join(', ')})`);
  }
  // Each tap moves the highlight one line; a few more than the distance allow for a tap that did not land.
  for (let tries = 0; menu.highlighted !== target; tries++) {
    if (tries > menu.items.length * 2) throw new PhoneError('menu-stuck', `the highlight in "${menu.title}" does not reach "${label}"`);
    const before = menu;
    await tap(ctx, before.highlighted < target ? 'down' : 'up', signal);
    const moved = await awaitScreen(
      ctx,
      (s) => {
        const m = readMenu(s);
        return m !== undefined && (!sameText(m.title, before.title) || m.highlighted !== before.highlighted);
      },
      MENU_ANSWER_MS,
      signal,
    );
    // Nothing moved by the deadline: the tap did not land (the loop taps again), or the menu went away.
    const next = readMenu(moved ?? observer.current());
    if (!next || !sameText(next.title, before.title)) throw new PhoneError('no-menu', `the "${before.title}" menu went away while moving to "${label}"`);
    menu = next;
    const t = itemIndex(menu, label);
    if (t >= 0) target = t;
  }
  const title = menu.title;
  await tap(ctx, 'select', signal);
  const left = await awaitScreen(ctx, (s) => { const m = readMenu(s); return !m || !sameText(m.title, title); }, MENU_ANSWER_MS, signal);
  if (!left) {
    throw new BenchError('select-missed', `"${label}" was highlighted but selecting it did nothing`, 'check the select key\'s solenoid');
  }
}
