import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import type { ScreenObservation } from '../../src/bench/types.js';
import { ConfigError } from '../../src/errors/errors.js';
import { SimPhone, type SimPhoneConfig } from '../../src/sim/phone.js';
import { SIM_MODELS, simModelIds } from '../../src/sim/phones.js';
import {
  bootToCountdown,
  comboToPrompt,
  happened,
  hasSoftkey,
  holdKeys,
  isIdle,
  manualReset,
  play,
  releaseKeys,
  runOut,
  runUntil,
  seed001Keystrokes,
  tap,
  text,
  typePassword,
  waitFor,
} from './helpers.js';

const MAC = '0004f2aa814c'; // seed 001's example, 00-04-F2-AA-81-4C

function phone(over: Partial<SimPhoneConfig> = {}): { p: SimPhone; clock: VirtualClock } {
  const clock = new VirtualClock();
  const p = new SimPhone({ modelId: 'vvx-410', mac: MAC, clock, seed: 7, ...over, options: { variant: 'classic', ...over.options } });
  return { p, clock };
}

/** Records every screen with the phone's truth at that moment. */
function record(p: SimPhone, clock: VirtualClock): { t: number; s: ScreenObservation; defaults: boolean }[] {
  const out: { t: number; s: ScreenObservation; defaults: boolean }[] = [];
  p.onScreen((s) => out.push({ t: clock.now(), s, defaults: p.truth().factoryDefaults }));
  return out;
}

/** After a failed attempt: the phone ends at idle, not reset, no password prompt ever shown. */
function expectNotReset(p: SimPhone, clock: VirtualClock): void {
  runOut(clock);
  expect(p.state).toBe('idle');
  expect(isIdle(p.screen())).toBe(true);
  expect(p.truth().factoryDefaults).toBe(false);
  expect(p.truth().resets).toBe(0);
}

describe('SimPhone: the boot timeline', () => {
  it('goes dark, Updater, Loading application, Cancel appears then goes, the application starts, idle', () => {
    const { p, clock } = phone();
    const seen = record(p, clock);
    p.setPower(true);
    runOut(clock);
    const texts = seen.map((r) => text(r.s));
    expect(texts[0]).toBe('Polycom Updater\nPlease wait...');
    const loading = seen.filter((r) => r.s.lines[0] === 'Loading application...');
    expect(loading.map((r) => r.s.softkeys)).toEqual([
      ['', '', '', ''],
      ['Cancel', '', '', ''],
    ]);
    expect(texts).toContain('Starting application...');
    expect(p.state).toBe('idle');
    expect(p.screen()).toEqual({
      lines: ['VVX 410', 'Line 1: 1013'],
      softkeys: ['New Call', 'Forward', 'DND', 'More'],
      leds: {},
      lit: true,
    });
    // Seed 000: "you have about 5-10 seconds": the Cancel window closes within 15 s of power-on.
    const hidden = p.truth().events.find((e) => e.what === 'cancel-hidden')!;
    expect(hidden.t).toBeGreaterThan(5_000);
    expect(hidden.t).toBeLessThanOrEqual(16_000);
  });

  it('shows Cancel on softkey3 on the SoundPoint platform', () => {
    const { p, clock } = phone({ modelId: 'soundpoint-ip-335' });
    p.setPower(true);
    waitFor(clock, p, (s) => hasSoftkey(s, 'Cancel'));
    expect(p.screen().softkeys).toEqual(['', '', 'Cancel', '']);
  });

  it('counts down second by second after Cancel, then starts the application', () => {
    const { p, clock } = phone();
    const seen = record(p, clock);
    bootToCountdown(p, clock);
    expect(p.screen().softkeys).toEqual(['Start', 'Setup', 'About', '']);
    runUntil(clock, () => p.state === 'starting');
    const counts = seen
      .map((r) => /Autoboot in (\d+) s/.exec(text(r.s)))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    expect(counts.at(-1)).toBe(1);
    counts.forEach((n, i) => i > 0 && expect(n).toBe(counts[i - 1]! - 1));
    // Seed 000: "a 7 seconds count down" (VVX range 6 to 8 s).
    expect(counts[0]).toBeGreaterThanOrEqual(6);
    expect(counts[0]).toBeLessThanOrEqual(9);
    expect(happened(p, 'countdown-expired')).toBe(true);
    expectNotReset(p, clock);
  });

  it('does nothing when powered on twice, and stops everything at power-off', () => {
    const { p, clock } = phone();
    p.setPower(true);
    clock.advance(500);
    p.setPower(true);
    expect(p.truth().events.filter((e) => e.what === 'power-on')).toHaveLength(1);
    waitFor(clock, p, (s) => hasSoftkey(s, 'Cancel'));
    p.setPower(false);
    expect(p.state).toBe('off');
    expect(p.screen()).toEqual({ lines: [], softkeys: [], leds: {}, lit: false });
    expect(clock.pending()).toBe(0);
  });
});

describe('SimPhone: the manual reset of the seeds', () => {
  it('resets with seed 001 keystrokes; factoryDefaults turns true only when the second reboot completes', () => {
    const { p, clock } = phone({ options: { caseRule: 'lower' } });
    bootToCountdown(p, clock);
    comboToPrompt(p, clock);
    expect(p.screen().lines).toEqual(['Password:', '']);
    expect(p.screen().softkeys).toEqual(['OK', '1->abc', '', 'Cancel']);
    play(p, clock, seed001Keystrokes('softkey2'));
    expect(p.screen().lines).toEqual(['Password:', '************']);
    expect(p.screen().softkeys[1]).toBe('a->abc');

    const seen = record(p, clock);
    tap(p, clock, 'softkey1');
    runUntil(clock, () => p.truth().factoryDefaults);
    const texts = seen.map((r) => (r.s.lit ? text(r.s) : '(dark)'));
    const seq = texts.filter((t) =>
      ['Resetting Configuration\nplease wait...', 'Configuration Reset', '(dark)', 'Starting application...'].includes(t) ||
      t.startsWith('VVX 410'),
    );
    expect(seq).toEqual([
      'Resetting Configuration\nplease wait...',
      'Configuration Reset',
      '(dark)',
      'Starting application...',
      'VVX 410\nLine 1: unregistered',
      '(dark)',
      'Starting application...',
      'VVX 410\nLine 1: unregistered',
    ]);
    const idles = seen.filter((r) => isIdle(r.s));
    expect(idles.map((r) => r.defaults)).toEqual([false, true]);
    expect(p.truth().resets).toBe(1);
    // Seed 002: "a few minutes": from OK to the end, under 5 minutes.
    const okAt = seen[0]!.t;
    expect(idles[1]!.t - okAt).toBeLessThan(5 * 60_000);
  });

  // Poly Edge E opens its window by its LEDs, not Cancel: test/procedures/edge-e.test.ts covers it.
  const cancelPhones = simModelIds().filter((id) => SIM_MODELS.get(id)!.window !== 'edge-leds');
  it.each(cancelPhones)('resets a %s when its own combo and lower-case MAC are entered', (modelId) => {
    const { p, clock } = phone({ modelId, seed: 'reset-' + modelId });
    manualReset(p, clock, MAC);
    runOut(clock);
    expect(p.truth().factoryDefaults).toBe(true);
    expect(p.truth().resets).toBe(1);
  });

  it('resets a SoundPoint IP 560 under each of the combos the seeds give, and only under its own', () => {
    for (const combo of [['4', '6', '8', '*'], ['1', '3', '5', '7']]) {
      const { p, clock } = phone({ modelId: 'soundpoint-ip-560', options: { combo } });
      manualReset(p, clock, MAC);
      runOut(clock);
      expect(p.truth().factoryDefaults).toBe(true);

      const other = combo[0] === '4' ? ['1', '3', '5', '7'] : ['4', '6', '8', '*'];
      const wrong = phone({ modelId: 'soundpoint-ip-560', options: { combo } });
      bootToCountdown(wrong.p, wrong.clock);
      holdKeys(wrong.p, other);
      expectNotReset(wrong.p, wrong.clock);
      expect(happened(wrong.p, 'password-prompt')).toBe(false);
    }
  });

  it('also accepts the admin password (seed 001 "requires the Admin password 456")', () => {
    const { p, clock } = phone({ options: { adminPassword: '456' } });
    manualReset(p, clock, '456');
    runOut(clock);
    expect(p.truth().factoryDefaults).toBe(true);
  });

  it('performs a device reset only on software before UC 4.0.0 (seed 001 NOTE)', () => {
    const { p, clock } = phone({ options: { oldSoftware: true } });
    manualReset(p, clock, MAC);
    runOut(clock);
    expect(p.truth().factoryDefaults).toBe(false);
    expect(p.truth().deviceResetOnly).toBe(true);
    expect(p.truth().resets).toBe(1);
  });
});

describe('SimPhone: what does not reset it', () => {
  it('ignores Cancel pressed too early (Updater, or before the softkey appears)', () => {
    const { p, clock } = phone();
    p.setPower(true);
    waitFor(clock, p, (s) => s.lines[0] === 'Polycom Updater');
    tap(p, clock, 'softkey1');
    waitFor(clock, p, (s) => s.lines[0] === 'Loading application...');
    expect(hasSoftkey(p.screen(), 'Cancel')).toBe(false);
    tap(p, clock, 'softkey1', 50, 0);
    expect(p.state).toBe('loading');
    holdKeys(p, p.truth().combo);
    expectNotReset(p, clock);
    expect(happened(p, 'cancel-pressed')).toBe(false);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('ignores Cancel pressed too late (the softkey has gone)', () => {
    const { p, clock } = phone();
    p.setPower(true);
    waitFor(clock, p, (s) => hasSoftkey(s, 'Cancel'));
    waitFor(clock, p, (s) => s.lines[0] === 'Starting application...');
    tap(p, clock, 'softkey1');
    holdKeys(p, p.truth().combo);
    expectNotReset(p, clock);
    expect(happened(p, 'cancel-pressed')).toBe(false);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('ignores Cancel on the wrong softkey', () => {
    const { p, clock } = phone();
    p.setPower(true);
    waitFor(clock, p, (s) => hasSoftkey(s, 'Cancel'));
    tap(p, clock, 'softkey3');
    holdKeys(p, p.truth().combo);
    expectNotReset(p, clock);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('needs the combo held for the whole hold time: short holds, even repeated, do nothing', () => {
    const { p, clock } = phone();
    bootToCountdown(p, clock);
    const { combo, comboHoldMs } = p.truth();
    const short = Math.floor(comboHoldMs * 0.6);
    holdKeys(p, combo);
    clock.advance(short);
    releaseKeys(p, combo);
    clock.advance(100);
    holdKeys(p, combo);
    clock.advance(short);
    // Together the two holds outlast the hold time, and the countdown is still running.
    expect(2 * short).toBeGreaterThan(comboHoldMs * 1.05);
    expect(p.state).toBe('countdown');
    releaseKeys(p, combo);
    expectNotReset(p, clock);
    expect(happened(p, 'combo-broken')).toBe(true);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('does nothing for a partial combo, or the combo with another dial key down', () => {
    for (const extra of [undefined, '9']) {
      const { p, clock } = phone();
      bootToCountdown(p, clock);
      const combo = p.truth().combo;
      holdKeys(p, extra ? [...combo, extra] : combo.slice(1));
      expectNotReset(p, clock);
      expect(happened(p, 'password-prompt')).toBe(false);
    }
  });

  it('does not mind a softkey held with the combo', () => {
    const { p, clock } = phone();
    bootToCountdown(p, clock);
    holdKeys(p, ['softkey3', ...p.truth().combo]);
    waitFor(clock, p, (s) => s.lines[0] === 'Password:', 10_000);
  });

  it('does nothing for the combo after the countdown is over', () => {
    const { p, clock } = phone();
    bootToCountdown(p, clock);
    waitFor(clock, p, (s) => s.lines[0] === 'Starting application...');
    holdKeys(p, p.truth().combo);
    expectNotReset(p, clock);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('does nothing for the combo held at power-on without Cancel', () => {
    const { p, clock } = phone();
    holdKeys(p, p.truth().combo);
    p.setPower(true);
    expectNotReset(p, clock);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('rejects a wrong MAC: "Invalid password", then a normal boot', () => {
    const { p, clock } = phone();
    const seen = record(p, clock);
    manualReset(p, clock, '0004f2aa814d');
    expect(text(p.screen())).toBe('Invalid password');
    expectNotReset(p, clock);
    expect(seen.some((r) => /Resetting Configuration/.test(text(r.s)))).toBe(false);
    expect(happened(p, 'password-rejected "0004f2aa814d"')).toBe(true);
  });

  it("rejects upper-case letters when the phone's rule is 'lower', accepts them when it is 'either'", () => {
    const lower = phone({ options: { caseRule: 'lower' } });
    manualReset(lower.p, lower.clock, MAC, 'ABC');
    expect(happened(lower.p, 'password-rejected "0004F2AA814C"')).toBe(true);
    expectNotReset(lower.p, lower.clock);

    const either = phone({ options: { caseRule: 'either' } });
    manualReset(either.p, either.clock, MAC, 'ABC');
    runOut(either.clock);
    expect(either.p.truth().factoryDefaults).toBe(true);
  });

  it('is left not reset by a power cut during the reset, at any stage', () => {
    const stages: [string, (p: SimPhone) => boolean][] = [
      ['resetting', (p) => p.state === 'resetting'],
      ['configuration reset', (p) => p.state === 'reset-done'],
      ['first reboot', (p) => p.state === 'updater'],
      ['between the reboots', (p) => p.state === 'idle'],
      ['second reboot', (p) => happened(p, 'automatic-reboot') && p.state === 'loading'],
    ];
    for (const [, stage] of stages) {
      const { p, clock } = phone();
      manualReset(p, clock, MAC);
      runUntil(clock, () => stage(p));
      p.setPower(false);
      clock.advance(10_000);
      p.setPower(true);
      expectNotReset(p, clock);
      expect(happened(p, 'reset-interrupted')).toBe(true);
      expect(text(p.screen())).toBe('VVX 410\nLine 1: 1013');
    }
  });

  it('does not reset through the Setup softkey, even with the MAC typed there', () => {
    const { p, clock } = phone();
    bootToCountdown(p, clock);
    tap(p, clock, 'softkey2'); // "Setup"
    expect(p.screen().lines[0]).toBe('Enter setup password:');
    expect(p.screen().softkeys).toEqual(['OK', '1->abc', '', 'Exit']);
    typePassword(p, clock, MAC);
    tap(p, clock, 'softkey1');
    expectNotReset(p, clock);
    expect(happened(p, 'setup-pressed')).toBe(true);
    expect(happened(p, 'password-prompt')).toBe(false);
  });

  it('starts the application when Start is pressed in the countdown', () => {
    const { p, clock } = phone();
    bootToCountdown(p, clock);
    tap(p, clock, 'softkey1');
    expect(p.state).toBe('starting');
    holdKeys(p, p.truth().combo);
    expectNotReset(p, clock);
  });

  it('returns to a normal boot when Cancel is pressed at the password prompt', () => {
    const { p, clock } = phone();
    bootToCountdown(p, clock);
    comboToPrompt(p, clock);
    tap(p, clock, 'softkey4');
    expectNotReset(p, clock);
  });
});

describe('SimPhone: seeded randomness', () => {
  function timeline(seed: number | string, modelId = 'vvx-410'): { truth: object; screens: { t: number; s: ScreenObservation }[] } {
    const { p, clock } = phone({ seed, modelId });
    const screens: { t: number; s: ScreenObservation }[] = [];
    p.onScreen((s) => screens.push({ t: clock.now(), s }));
    p.setPower(true);
    runOut(clock);
    p.setPower(false);
    clock.advance(10_000);
    p.setPower(true);
    runOut(clock);
    const { events, ...truth } = p.truth();
    return { truth: { ...truth, events }, screens };
  }

  it('gives the same timeline for the same seed', () => {
    expect(timeline(42)).toEqual(timeline(42));
    expect(timeline('bench-3')).toEqual(timeline('bench-3'));
  });

  it('gives different timelines for different seeds, and two boots of one phone differ', () => {
    const a = timeline(1);
    const b = timeline(2);
    expect(a.screens.map((r) => r.t)).not.toEqual(b.screens.map((r) => r.t));
    // Power-on to "Loading application" on each of phone 1's two boots.
    const events = (a.truth as { events: { t: number; what: string }[] }).events;
    const on = events.filter((e) => e.what === 'power-on').map((e) => e.t);
    const loading = events.filter((e) => e.what === 'loading-application').map((e) => e.t);
    expect(on).toHaveLength(2);
    expect(loading).toHaveLength(2);
    expect(loading[1]! - on[1]!).not.toBe(loading[0]! - on[0]!);
  });

  it('picks among the seed-backed options per instance where the seeds disagree', () => {
    const combos = new Set<string>();
    const rules = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const t = phone({ modelId: 'soundpoint-ip-560', seed }).p.truth();
      combos.add(t.combo.join(' '));
      rules.add(t.caseRule);
    }
    expect(combos).toEqual(new Set(['4 6 8 *', '1 3 5 7']));
    expect(rules).toEqual(new Set(['lower', 'either']));
    for (let seed = 0; seed < 10; seed++) {
      expect(phone({ modelId: 'vvx-410', seed }).p.truth().combo).toEqual(['1', '3', '5']);
    }
  });

  it('keeps its other draws when one is forced', () => {
    const free = phone({ seed: 9 }).p.truth();
    const forced = phone({ seed: 9, options: { caseRule: free.caseRule === 'lower' ? 'either' : 'lower' } }).p.truth();
    expect(forced.cursorTimeoutMs).toBe(free.cursorTimeoutMs);
    expect(forced.countdownMs).toBe(free.countdownMs);
    expect(forced.caseRule).not.toBe(free.caseRule);
  });

  it('draws instance figures inside the seed-backed ranges', () => {
    for (let seed = 0; seed < 30; seed++) {
      const t = phone({ seed, modelId: seed % 2 ? 'vvx-410' : 'soundpoint-ip-335' }).p.truth();
      expect(t.cursorTimeoutMs).toBeGreaterThanOrEqual(1000);
      expect(t.cursorTimeoutMs).toBeLessThanOrEqual(1600);
      expect(t.comboHoldMs).toBeGreaterThanOrEqual(2000);
      expect(t.comboHoldMs).toBeLessThanOrEqual(3500);
      expect(t.countdownMs).toBeGreaterThanOrEqual(5000);
      expect(t.countdownMs).toBeLessThanOrEqual(15000);
    }
  });
});

describe('SimPhone: faults', () => {
  it('slow boot: the same draws, stretched', () => {
    const at = (slowBoot?: number): number => {
      const { p, clock } = phone({ faults: slowBoot ? { slowBoot } : {} });
      p.setPower(true);
      waitFor(clock, p, (s) => s.lines[0] === 'Loading application...');
      return clock.now();
    };
    const normal = at();
    // Each stretched draw rounds once: a few ms apart from exactly three times.
    expect(Math.abs(at(3) - normal * 3)).toBeLessThanOrEqual(4);
    expect(normal).toBeGreaterThan(3_000);
  });

  it('a short Cancel window', () => {
    const { p, clock } = phone({ faults: { shortCancelWindowMs: 500 } });
    p.setPower(true);
    waitFor(clock, p, (s) => hasSoftkey(s, 'Cancel'));
    const shown = clock.now();
    waitFor(clock, p, (s) => !hasSoftkey(s, 'Cancel'));
    expect(clock.now() - shown).toBeGreaterThanOrEqual(450);
    expect(clock.now() - shown).toBeLessThanOrEqual(550);
  });

  it('a misfiring key (p = 1) never goes down: the combo is never complete', () => {
    const { p, clock } = phone({ faults: { misfire: [{ key: '3', p: 1 }] } });
    bootToCountdown(p, clock);
    holdKeys(p, ['1', '3', '5']);
    expect(p.keysDown().sort()).toEqual(['1', '5']);
    expectNotReset(p, clock);
    expect(happened(p, 'key-dropped 3')).toBe(true);
  });

  it('a misfiring key with p = 0.5 drops some taps and not others', () => {
    const { p, clock } = phone({ faults: { misfire: [{ key: '7', p: 0.5 }] } });
    for (let i = 0; i < 40; i++) tap(p, clock, '7');
    const dropped = p.truth().events.filter((e) => e.what === 'key-dropped 7').length;
    expect(dropped).toBeGreaterThan(5);
    expect(dropped).toBeLessThan(35);
  });

  it('key bounce (p = 1) registers every tap twice', () => {
    const { p, clock } = phone({ faults: { bounce: 1 }, options: { caseRule: 'lower' } });
    bootToCountdown(p, clock);
    comboToPrompt(p, clock);
    play(p, clock, ['0', 'softkey2', '2']); // '0' twice; the mode key twice (abc, ABC); '2' twice
    tap(p, clock, 'softkey1');
    expect(happened(p, 'password-rejected "00B"')).toBe(true);
  });

  it('rejects bad fault and option values', () => {
    expect(() => phone({ faults: { bounce: 2 } })).toThrow(ConfigError);
    expect(() => phone({ faults: { slowBoot: 0.5 } })).toThrow(ConfigError);
    expect(() => phone({ options: { combo: ['4', '6', '8', '*'] } })).toThrow(/no seed-backed combo/);
    expect(() => phone({ mac: '0004F2AA814C' })).toThrow(ConfigError);
    const unknown = (() => {
      try {
        phone({ modelId: 'vvx-41O' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(unknown).toBeInstanceOf(ConfigError);
    expect((unknown as ConfigError).hint).toContain('vvx-410');
  });
});

describe('the screen a listener gets', () => {
  it('is one frozen object a screen, the same for every listener and view(); screen() is a copy of it', () => {
    const { p, clock } = phone();
    const a: ScreenObservation[] = [];
    const b: ScreenObservation[] = [];
    p.onScreen((s) => a.push(s));
    p.onScreen((s) => b.push(s));
    p.setPower(true);
    runOut(clock, 30_000);
    expect(a.length).toBeGreaterThan(2);
    expect(b).toEqual(a);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBe(a[i]);
    const last = a.at(-1)!;
    expect(p.view()).toBe(last);
    expect(Object.isFrozen(last) && Object.isFrozen(last.lines) && Object.isFrozen(last.softkeys) && Object.isFrozen(last.leds)).toBe(true);
    expect(() => (last.lines as string[]).push('changed')).toThrow(TypeError);
    const copy = p.screen();
    expect(copy).toEqual(last);
    expect(copy).not.toBe(last);
    copy.lines.push('mine');
    expect(p.view().lines).toEqual(last.lines);
  });
});

describe('SimPhone: the dialer on the idle screen', () => {
  it('a dial-pad key starts a number: the dialer shows the digits so far; Cancel, or some seconds without a key, go back to idle', () => {
    const { p, clock } = phone();
    p.setPower(true);
    waitFor(clock, p, isIdle);
    tap(p, clock, '5');
    expect(p.state).toBe('dialing');
    expect(p.screen().lines.at(-1)).toBe('5');
    tap(p, clock, '#');
    tap(p, clock, '0');
    expect(p.screen().lines.at(-1)).toBe('5#0');
    expect(p.screen().softkeys[3]).toBe('Cancel');
    tap(p, clock, 'softkey4');
    expect(isIdle(p.screen())).toBe(true);
    // Left alone, the dialer goes back to idle by itself (within 30 s).
    tap(p, clock, '7');
    expect(p.screen().lines.at(-1)).toBe('7');
    clock.advance(30_000);
    expect(isIdle(p.screen())).toBe(true);
    expect(p.truth().resets).toBe(0);
  });

  it('between the two reboots of a reset the keys do nothing: the second reboot still comes', () => {
    const { p, clock } = phone();
    manualReset(p, clock, MAC);
    waitFor(clock, p, (s) => isIdle(s) && !p.truth().factoryDefaults && happened(p, 'configuration-reset'));
    tap(p, clock, '5');
    expect(isIdle(p.screen())).toBe(true);
    runOut(clock);
    expect(p.truth().factoryDefaults).toBe(true);
  });
});
