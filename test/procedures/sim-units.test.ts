import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import type { SimDevice } from '../../src/sim/device.js';
import { Ccx400Phone, CcxPhone, CornerHoldPhone, EdgeBPhone, VisualPro } from '../../src/sim/devices.js';
import { createSimDevice } from '../../src/sim/driver.js';
import type { SimPhone, SimPhoneOptions } from '../../src/sim/phone.js';
import { CORNERS, down, happened, isIdle, isLogo, runOut, runUntil, up, waitFor } from './helpers.js';

/*
 * The simulated units are faithful to their sources' words: the gesture as the source gives it resets the unit; the
 * same gesture too early, released too soon or cut short leaves the unit as it was. Each test drives the unit by hand
 * (as a technician would, watching its screen and LEDs) and judges by the unit's own truth.
 */

const MAC = '0004f2aa814c';

function unit(modelId: string, seed: number | string = 1, options?: SimPhoneOptions) {
  const clock = new VirtualClock();
  // The seeds' plainest phone (variants.ts): these tests check the simulator's own rules, word for word.
  const u = createSimDevice({ modelId, mac: MAC, clock, seed, options: { variant: 'classic', ...options } });
  return { u, clock };
}

/** After a gesture that must do nothing: the unit settles, not reset. */
function expectUntouched(u: SimDevice, clock: VirtualClock): void {
  runOut(clock);
  expect(u.truth().factoryDefaults).toBe(false);
  expect(u.truth().resets).toBe(0);
}

function expectReset(u: SimDevice, clock: VirtualClock): void {
  runOut(clock);
  expect(u.truth().factoryDefaults).toBe(true);
  expect(u.truth().resets).toBe(1);
}

describe('Poly Edge B (seed 001: "While connecting power ... press and hold the back and home keys until the MWI LED starts to blink, then let go")', () => {
  it('keys held while power connects, let go at the blink: reset, and the idle screen says so', () => {
    const { u, clock } = unit('edge-b30');
    down(u, EdgeBPhone.KEYS);
    u.setPower(true);
    waitFor(clock, u, (s) => s.leds.mwi === 'blink');
    up(u, EdgeBPhone.KEYS);
    expectReset(u, clock);
    expect(u.screen().lines).toEqual(['Poly Edge B30', 'Line 1: unregistered']);
  });

  it('keys pressed after power came (too late): a normal boot', () => {
    const { u, clock } = unit('edge-b20');
    u.setPower(true);
    clock.advance(EdgeBPhone.SAMPLE_MS.max + 1);
    down(u, EdgeBPhone.KEYS);
    clock.advance(EdgeBPhone.ARM_MS.max + 1_000);
    expect(u.screen().leds.mwi).toBeUndefined();
    up(u, EdgeBPhone.KEYS);
    expectUntouched(u, clock);
    expect(isIdle(u.screen())).toBe(true);
  });

  it('let go before the MWI LED blinks (released too soon): a normal boot', () => {
    const { u, clock } = unit('edge-b10');
    down(u, EdgeBPhone.KEYS);
    u.setPower(true);
    clock.advance(EdgeBPhone.SAMPLE_MS.max + EdgeBPhone.ARM_MS.min / 2);
    up(u, EdgeBPhone.KEYS);
    expect(happened(u, 'released-before-mwi-blink')).toBe(true);
    expectUntouched(u, clock);
  });

  it('only one of the two keys: a normal boot', () => {
    const { u, clock } = unit('edge-b30');
    down(u, ['back']);
    u.setPower(true);
    clock.advance(20_000);
    up(u, ['back']);
    expectUntouched(u, clock);
  });

  it('power cut during the reset: not reset', () => {
    const { u, clock } = unit('edge-b30');
    down(u, EdgeBPhone.KEYS);
    u.setPower(true);
    waitFor(clock, u, (s) => s.leds.mwi === 'blink');
    up(u, EdgeBPhone.KEYS);
    clock.advance(1_000);
    u.setPower(false);
    clock.advance(10_000); // seed 000: "unplug it count to 10"
    expect(happened(u, 'reset-interrupted')).toBe(true);
    u.setPower(true);
    expectUntouched(u, clock);
  });
});

describe('Trio C60 (seed 001: "When the Screen lights up before the Poly logo shows ... press and hold the four corners ... Let go when the Mute keys begin flashing")', () => {
  const lit = (s: { lit: boolean; lines: string[] }) => s.lit && s.lines.length === 0;

  it('corners pressed when the screen lights, let go at the flash: reset', () => {
    const { u, clock } = unit('trio-c60');
    u.setPower(true);
    waitFor(clock, u, lit);
    down(u, CORNERS);
    waitFor(clock, u, (s) => s.leds.mute === 'flash');
    up(u, CORNERS);
    expectReset(u, clock);
  });

  it('corners already held when the screen lights (too early): nothing', () => {
    const { u, clock } = unit('trio-c60', 2);
    down(u, CORNERS);
    u.setPower(true);
    clock.advance(CornerHoldPhone.HOLD_MS.max + 20_000);
    expect(u.screen().leds.mute).toBeUndefined();
    up(u, CORNERS);
    expectUntouched(u, clock);
  });

  it('three corners already held when the screen lights, the fourth pressed then (too early): nothing', () => {
    const { u, clock } = unit('trio-c60', 2);
    down(u, CORNERS.slice(0, 3));
    u.setPower(true);
    waitFor(clock, u, lit);
    down(u, [CORNERS[3]!]);
    clock.advance(CornerHoldPhone.HOLD_MS.max + 1_000);
    expect(u.screen().leds.mute).toBeUndefined();
    up(u, CORNERS);
    expectUntouched(u, clock);
  });

  it('corners pressed once the logo shows (too late): nothing', () => {
    const { u, clock } = unit('trio-c60', 3);
    u.setPower(true);
    waitFor(clock, u, isLogo);
    down(u, CORNERS);
    clock.advance(CornerHoldPhone.HOLD_MS.max + 1_000);
    up(u, CORNERS);
    expectUntouched(u, clock);
  });

  it('corners released before the Mute keys flash (too soon): nothing', () => {
    const { u, clock } = unit('trio-c60', 4);
    u.setPower(true);
    waitFor(clock, u, lit);
    down(u, CORNERS);
    clock.advance(CornerHoldPhone.HOLD_MS.min - 500);
    up(u, CORNERS);
    expect(happened(u, 'corners-released-before-mute-flash')).toBe(true);
    expectUntouched(u, clock);
  });

  it('three corners only: nothing', () => {
    const { u, clock } = unit('trio-c60', 5);
    u.setPower(true);
    waitFor(clock, u, lit);
    down(u, CORNERS.slice(0, 3));
    clock.advance(20_000);
    up(u, CORNERS.slice(0, 3));
    expectUntouched(u, clock);
  });
});

describe('Trio 8800 and 8500 (NocTel: "When the Poly logo shows on the screen, press and hold the four corners ... Let go when the Mute keys begin flashing")', () => {
  it.each(['trio-8800', 'trio-8500'])('%s: at the logo until the flash: reset; before the logo: nothing', (id) => {
    const good = unit(id, 6);
    good.u.setPower(true);
    waitFor(good.clock, good.u, isLogo);
    down(good.u, CORNERS);
    waitFor(good.clock, good.u, (s) => s.leds.mute === 'flash');
    up(good.u, CORNERS);
    expectReset(good.u, good.clock);

    const early = unit(id, 6);
    down(early.u, CORNERS);
    early.u.setPower(true);
    early.clock.advance(30_000);
    up(early.u, CORNERS);
    expectUntouched(early.u, early.clock);
  });
});

describe('CCX 500/600/700 (seed 001: "Once the Logo appears the 2nd time press all 4 corners of the screen for around 2 seconds")', () => {
  it.each(['ccx-500', 'ccx-600', 'ccx-700'])('%s: at the second logo, about 2 s: "Factory mode initiated", reboot, reset', (id) => {
    const { u, clock } = unit(id, 7);
    u.setPower(true);
    waitFor(clock, u, isLogo);
    waitFor(clock, u, (s) => !s.lit);
    waitFor(clock, u, isLogo);
    down(u, CORNERS);
    clock.advance(CcxPhone.HOLD_MS.max + 100);
    expect(u.screen().lines).toEqual(['Factory mode initiated']);
    up(u, CORNERS);
    expectReset(u, clock);
  });

  it('at the first logo (too early): nothing', () => {
    const { u, clock } = unit('ccx-500', 8);
    u.setPower(true);
    waitFor(clock, u, isLogo);
    down(u, CORNERS);
    clock.advance(CcxPhone.HOLD_MS.max + 100);
    up(u, CORNERS);
    expectUntouched(u, clock);
    expect(happened(u, 'factory-mode-initiated')).toBe(false);
  });

  it('at the second logo but let go after 1 s (too soon): nothing', () => {
    const { u, clock } = unit('ccx-600', 9);
    u.setPower(true);
    waitFor(clock, u, isLogo);
    waitFor(clock, u, (s) => !s.lit);
    waitFor(clock, u, isLogo);
    down(u, CORNERS);
    clock.advance(CcxPhone.HOLD_MS.min - 500);
    up(u, CORNERS);
    expect(happened(u, 'corners-released-too-soon')).toBe(true);
    expectUntouched(u, clock);
  });
});

describe('CCX 400 (seed 001: "Hold 4 fingers for 1-2 seconds and then let go. Once the MWI LED becomes Red hold 4 fingers again until the screen goes blank")', () => {
  function toRed(seed: number) {
    const { u, clock } = unit('ccx-400', seed);
    u.setPower(true);
    waitFor(clock, u, isLogo);
    down(u, CORNERS);
    clock.advance(1_500);
    up(u, CORNERS);
    waitFor(clock, u, (s) => s.leds.mwi === 'red');
    return { u, clock };
  }

  it('the whole gesture: the logo, the "erasing" screen, reset', () => {
    const { u, clock } = toRed(10);
    down(u, CORNERS);
    waitFor(clock, u, (s) => !s.lit);
    up(u, CORNERS);
    waitFor(clock, u, isLogo);
    waitFor(clock, u, (s) => s.lines.includes('Erasing...'));
    expectReset(u, clock);
  });

  it('the first hold too short: the MWI LED never turns red', () => {
    const { u, clock } = unit('ccx-400', 11);
    u.setPower(true);
    waitFor(clock, u, isLogo);
    down(u, CORNERS);
    clock.advance(Ccx400Phone.FIRST_HOLD_MS.min - 300);
    up(u, CORNERS);
    clock.advance(5_000);
    expect(u.screen().leds.mwi).toBeUndefined();
    expectUntouched(u, clock);
  });

  it('the second hold let go before the screen goes blank (too soon): nothing', () => {
    const { u, clock } = toRed(12);
    down(u, CORNERS);
    clock.advance(Ccx400Phone.BLANK_HOLD_MS.min - 1_000);
    up(u, CORNERS);
    expect(happened(u, 'released-before-blank')).toBe(true);
    expectUntouched(u, clock);
  });

  it('the second hold never made (the red window passes): nothing', () => {
    const { u, clock } = toRed(13);
    expectUntouched(u, clock);
    expect(happened(u, 'mwi-red-expired')).toBe(true);
  });
});

describe('base stations: Rove ("the Pair Button ... for at least 20 seconds"), VVX D60/D230 ("long press for 7 sec")', () => {
  it.each([
    ['rove-b1', 'pair', 20_000],
    ['rove-b2', 'pair', 20_000],
    ['vvx-d60-base', 'pinhole-reset', 7_000],
    ['vvx-d230-base', 'pinhole-reset', 7_000],
  ] as const)('%s: held 10%% past the figure: reset; cut short at 90%%: nothing', (id, button, figure) => {
    const long = unit(id, 14);
    long.u.setPower(true);
    waitFor(long.clock, long.u, (s) => s.leds.status === 'on');
    down(long.u, [button]);
    long.clock.advance(figure * 1.1);
    up(long.u, [button]);
    expectReset(long.u, long.clock);
    expect(long.u.screen().leds.status).toBe('on');

    const short = unit(id, 14);
    short.u.setPower(true);
    waitFor(short.clock, short.u, (s) => s.leds.status === 'on');
    down(short.u, [button]);
    short.clock.advance(figure * 0.9);
    up(short.u, [button]);
    expect(happened(short.u, `${button}-released-too-soon`)).toBe(true);
    expectUntouched(short.u, short.clock);
  });

  it('held exactly the figure can fall short: the base needs "at least" its figure, up to 4% more', () => {
    const needs = Array.from({ length: 20 }, (_, seed) => {
      const { u, clock } = unit('rove-b1', `need-${seed}`);
      u.setPower(true);
      waitFor(clock, u, (s) => s.leds.status === 'on');
      down(u, ['pair']);
      clock.advance(20_000);
      up(u, ['pair']);
      runOut(clock);
      return u.truth().factoryDefaults;
    });
    expect(needs).toContain(false);
  });
});

describe('Trio VisualPro (seed 001: "press and hold the restore button ... press the power button once ... Keep holding the restore button for 10 more seconds")', () => {
  function standby(seed: number) {
    const { u, clock } = unit('trio-visualpro', seed);
    u.setPower(true);
    expect(u.screen().leds.power).toBe('amber');
    return { u, clock };
  }
  const tapPower = (u: SimDevice, clock: VirtualClock) => {
    u.keyDown('power');
    clock.advance(300);
    u.keyUp('power');
  };

  it('the whole gesture: a factory restore, and the first-run setup', () => {
    const { u, clock } = standby(15);
    down(u, ['restore']);
    tapPower(u, clock);
    clock.advance(10_000);
    up(u, ['restore']);
    expectReset(u, clock);
    expect(u.screen().lines[0]).toBe('Welcome');
  });

  it('restore let go after 5 s (too soon): a normal start', () => {
    const { u, clock } = standby(16);
    down(u, ['restore']);
    tapPower(u, clock);
    clock.advance(VisualPro.RESTORE_MS.min - 3_000);
    up(u, ['restore']);
    expectUntouched(u, clock);
    expect(u.screen().lines).toEqual(['Poly Trio VisualPro', 'Ready']);
  });

  it('restore pressed after the power button (not held through it): a normal start', () => {
    const { u, clock } = standby(17);
    tapPower(u, clock);
    down(u, ['restore']);
    clock.advance(12_000);
    up(u, ['restore']);
    expectUntouched(u, clock);
  });
});

describe('Poly Edge E (seed 001: "the Handsfree and Headset buttons should illuminate ... once they turn off press the 1, 5 and 3 Key")', () => {
  it('the combo after the lights go off brings the password prompt; held from before, it does not', () => {
    const good = unit('edge-e350', 18);
    good.u.setPower(true);
    waitFor(good.clock, good.u, (s) => s.leds.handsfree === 'on' && s.leds.headset === 'on');
    waitFor(good.clock, good.u, (s) => s.leds.handsfree === 'off' && s.leds.headset === 'off');
    down(good.u, ['1', '3', '5']);
    waitFor(good.clock, good.u, (s) => s.lines[0] === 'Password:', 10_000);

    const early = unit('edge-e350', 18);
    early.u.setPower(true);
    waitFor(early.clock, early.u, (s) => s.leds.handsfree === 'on');
    down(early.u, ['1', '3', '5']);
    runOut(early.clock);
    expect(happened(early.u, 'password-prompt')).toBe(false);
    expect(isIdle(early.u.screen())).toBe(true);
  });
});

describe('BootROM before the Updater (seed 001: "Since UCS 3.3.0 and the introduction of the Updater the starting of the Application has to be canceled")', () => {
  it('software 3.2.7 counts down by itself, showing its version; the combo there gives the prompt', () => {
    const { u, clock } = unit('soundpoint-ip-335', 19, { software: '3.2.7' });
    u.setPower(true);
    waitFor(clock, u, (s) => s.lines[0] === 'Polycom BootROM');
    expect(u.screen().lines[1]).toBe('SIP 3.2.7');
    waitFor(clock, u, (s) => /Autoboot in \d+ s/.test(s.lines.join('\n')));
    expect(happened(u, 'cancel-shown')).toBe(false);
    down(u, ['1', '3', '5', '7']);
    waitFor(clock, u, (s) => s.lines[0] === 'Password:', 10_000);
  });

  it('a Cancel pressed there (the key reads Start on VVX) starts the application: nothing', () => {
    const { u, clock } = unit('vvx-410', 20, { software: '3.2.7' });
    u.setPower(true);
    waitFor(clock, u, (s) => /Autoboot/.test(s.lines.join('\n')));
    u.keyDown('softkey1');
    u.keyUp('softkey1');
    down(u, ['1', '3', '5']);
    expectUntouched(u, clock);
    expect(happened(u, 'password-prompt')).toBe(false);
  });

  it('from 3.3.0 on, "Loading application" shows the UC Software version', () => {
    const { u, clock } = unit('vvx-410', 21, { software: '4.1.2' });
    u.setPower(true);
    waitFor(clock, u, (s) => s.lines[0] === 'Loading application...');
    expect(u.screen().lines[1]).toBe('UC Software 4.1.2');
  });
});

describe('reboot combos (seed 001: "press and hold the following keys simultaneously until you hear a confirmation tone (for about three seconds)")', () => {
  function idle(modelId: string, seed: number) {
    const { u, clock } = unit(modelId, seed);
    u.setPower(true);
    waitFor(clock, u, isIdle);
    return { u, clock };
  }

  it.each([
    ['vvx-410', ['0', '1', '3']],
    ['vvx-1500', ['delete', 'volume-down', 'volume-up', 'select']],
    ['soundpoint-ip-335', ['volume-down', 'volume-up', 'hold', 'handsfree']],
    ['soundpoint-ip-650', ['volume-down', 'volume-up', 'mute', 'messages']],
    ['soundstation-ip-6000', ['*', '#', 'volume-up', 'select']],
    ['soundstation-duo', ['*', '#', 'volume-down', 'volume-up']],
  ])('%s: held 4 s on the idle screen, it reboots; held 1 s, it does not', (id, keys) => {
    const a = idle(id, 22);
    down(a.u, keys);
    a.clock.advance(4_000);
    expect(a.u.screen().lit).toBe(false);
    up(a.u, keys);
    waitFor(a.clock, a.u, isIdle);
    expect(a.u.truth().reboots).toBe(1);

    const b = idle(id, 22);
    down(b.u, keys);
    b.clock.advance(1_000);
    up(b.u, keys);
    b.clock.advance(5_000);
    expect(b.u.truth().reboots).toBe(0);
    // Still running: on its idle screen, or (dial-pad keys) in the dialer they opened, which goes back to idle.
    expect(b.u.screen().lit).toBe(true);
    if (!isIdle(b.u.screen())) {
      expect(b.u.screen().lines.at(-1)).toMatch(/^[0-9*#]+$/);
      b.clock.advance(30_000);
      expect(isIdle(b.u.screen())).toBe(true);
    }
  });

  it('a model without one in the seed ignores every combo', () => {
    const { u, clock } = idle('soundpoint-ip-320', 23);
    down(u, ['volume-down', 'volume-up', 'hold', 'handsfree']);
    clock.advance(6_000);
    expect(u.truth().reboots).toBe(0);
  });
});

describe('the admin menus (seeds 001 and 003)', () => {
  function menuTo(u: SimDevice, clock: VirtualClock, keys: string[]): void {
    for (const k of keys) {
      u.keyDown(k);
      clock.advance(100);
      u.keyUp(k);
      clock.advance(150);
    }
  }

  it('Menu, Settings, Advanced with the admin password, Admin Settings, Reset to Defaults: the five resets on UC 4', () => {
    const { u, clock } = unit('vvx-410', 24, { adminPassword: '456' });
    u.setPower(true);
    waitFor(clock, u, isIdle);
    menuTo(u, clock, ['menu']);
    expect(u.screen().lines).toEqual(['Main Menu', '> Features', '  Settings', '  Status']);
    menuTo(u, clock, ['down', 'select', 'down', 'select']);
    expect(u.screen().lines[0]).toBe('Enter password:');
    menuTo(u, clock, ['4', '5', '6', 'softkey1']);
    expect(u.screen().lines).toEqual(['Advanced', '> Admin Settings']);
    menuTo(u, clock, ['select', 'select']);
    expect(u.screen().lines).toEqual([
      'Reset to Defaults',
      '> Reset Local Configuration',
      '  Reset Web Configuration',
      '  Reset Device Settings',
      '  Format File System',
      '  Reset to Factory',
    ]);
  });

  it('a wrong admin password: "Invalid password", back to Settings, nothing reset', () => {
    const { u, clock } = unit('vvx-410', 25, { adminPassword: '456' });
    u.setPower(true);
    waitFor(clock, u, isIdle);
    menuTo(u, clock, ['menu', 'down', 'select', 'down', 'select', '7', '8', '9', 'softkey1']);
    expect(u.screen().lines).toEqual(['Invalid password']);
    waitFor(clock, u, (s) => s.lines[0] === 'Settings');
    expectUntouched(u, clock);
  });

  it('before UC Software 4.0.0 there is no Reset to Factory (seed 001: "Only UC Software 4.0.0 or later!")', () => {
    const { u, clock } = unit('soundpoint-ip-335', 26, { adminPassword: '456', software: '3.3.5' });
    u.setPower(true);
    waitFor(clock, u, isIdle);
    menuTo(u, clock, ['menu', 'down', 'select', 'down', 'select', '4', '5', '6', 'softkey1', 'select', 'select']);
    expect(u.screen().lines).not.toContain('  Reset to Factory');
    expect(u.screen().lines).toHaveLength(5);
  });

  it('Reset Web Configuration clears that and nothing else; No on the confirm screen does nothing', () => {
    const { u, clock } = unit('vvx-410', 27, { adminPassword: '456' });
    u.setPower(true);
    waitFor(clock, u, isIdle);
    menuTo(u, clock, ['menu', 'down', 'select', 'down', 'select', '4', '5', '6', 'softkey1', 'select', 'select', 'down', 'select']);
    expect(u.screen().lines).toEqual(['Reset Web Configuration?', 'Are you sure?']);
    menuTo(u, clock, ['softkey4']);
    expect(u.screen().lines[0]).toBe('Reset to Defaults');
    menuTo(u, clock, ['select', 'softkey1']);
    waitFor(clock, u, isIdle);
    const t = (u as SimPhone).truth();
    expect(t.config).toEqual({ localConfig: false, webConfig: true, deviceSettings: false, fileSystemFormatted: false });
    expect(t.factoryDefaults).toBe(false);
  });
});

describe('every simulated unit settles and says what it is', () => {
  it.each(['edge-b10', 'trio-c60', 'trio-8800', 'ccx-400', 'ccx-500', 'rove-b1', 'vvx-d60-base', 'trio-visualpro', 'edge-e100'])(
    '%s: powered and left alone, it is not reset',
    (id) => {
      const { u, clock } = unit(id, 28);
      u.setPower(true);
      if (id === 'trio-visualpro') {
        u.keyDown('power');
        u.keyUp('power');
      }
      runUntil(clock, () => u.state === 'idle' || u.state === 'running');
      expectUntouched(u, clock);
      expect(u.modelId).toBe(id);
    },
  );
});
