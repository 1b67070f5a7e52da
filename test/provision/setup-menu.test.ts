/**
 * The simulated Setup menu, driven by hand the way seeds 002 and 003 tell a technician to, on a VirtualClock. The
 * screens are read only to know when to act; the checks are on the phone's own truth.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import type { Key } from '../../src/bench/keys.js';
import { SimPhone, type SimPhoneConfig } from '../../src/sim/phone.js';
import { FACTORY_SETUP_SETTINGS, SETUP_ADMIN_PASSWORDS } from '../../src/sim/setup-menu.js';
import {
  bootToCountdown,
  happened,
  hasSoftkey,
  isIdle,
  manualReset,
  play,
  runOut,
  runUntil,
  tap,
  text,
  waitFor,
  type Step,
} from '../sim/helpers.js';

const MAC = '0004f2aa814c';

function phone(over: Partial<SimPhoneConfig> = {}): { p: SimPhone; clock: VirtualClock } {
  const clock = new VirtualClock();
  const p = new SimPhone({ modelId: 'vvx-410', mac: MAC, clock, seed: 5, ...over, options: { adminPassword: '456', variant: 'classic', ...over.options } });
  return { p, clock };
}

/** Power on, Cancel, Setup (seed 003: "Quickly press Cancel once the power returns, and press the Setup softkey"). */
function toSetupPrompt(p: SimPhone, clock: VirtualClock): void {
  bootToCountdown(p, clock);
  tap(p, clock, 'softkey2'); // "Setup"
  expect(p.screen().lines[0]).toBe('Enter setup password:');
}

function openSetup(p: SimPhone, clock: VirtualClock, password = '456'): void {
  toSetupPrompt(p, clock);
  play(p, clock, [...password]);
  tap(p, clock, 'softkey1'); // OK
}

const press = (p: SimPhone, clock: VirtualClock, ...keys: Step[]) => play(p, clock, keys);

describe('the Setup password prompt', () => {
  it('opens the Setup Menu on the admin password, on both platforms', () => {
    for (const modelId of ['vvx-410', 'soundpoint-ip-335']) {
      const { p, clock } = phone({ modelId });
      openSetup(p, clock);
      expect(p.state).toBe('setup');
      expect(p.screen().lines[0]).toBe('Setup Menu');
      expect(happened(p, 'setup-password-accepted')).toBe(true);
    }
  });

  it('rejects any other password ("Invalid password"), then the application starts, nothing changed', () => {
    for (const wrong of ['789', '1966', '4567', MAC]) {
      const { p, clock } = phone();
      openSetup(p, clock, wrong);
      expect(text(p.screen())).toBe('Invalid password');
      runOut(clock);
      expect(isIdle(p.screen())).toBe(true);
      expect(happened(p, 'setup-menu')).toBe(false);
      expect(p.truth().setup).toEqual({ ...truthOf(FACTORY_SETUP_SETTINGS), saves: 0 });
    }
  });

  it('stays at the prompt when Setup is pressed the instant the countdown shows (the countdown stops)', () => {
    const { p, clock } = phone();
    const stop = p.onScreen((s) => {
      if (s.softkeys[1] === 'Setup') {
        stop();
        p.keyDown('softkey2'); // inside the screen update, as a controller reacting at once does
      }
    });
    p.setPower(true);
    waitFor(clock, p, (s) => hasSoftkey(s, 'Cancel'));
    tap(p, clock, 'softkey1');
    runUntil(clock, () => p.state === 'setup-password');
    p.keyUp('softkey2');
    clock.advance(30_000);
    expect(p.screen().lines[0]).toBe('Enter setup password:');
    expect(happened(p, 'countdown-expired')).toBe(false);
  });

  it("draws each phone's admin password from seed 002's 456, 789, 1966 (every one occurs)", () => {
    const seen = new Map<string, number>();
    for (let seed = 0; seed < 60; seed++) {
      const clock = new VirtualClock();
      const pw = new SimPhone({ modelId: 'vvx-410', mac: MAC, clock, seed }).truth().adminPassword;
      seen.set(pw, (seen.get(pw) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([...SETUP_ADMIN_PASSWORDS].sort());
    // And the drawn one is the one the prompt takes.
    const clock = new VirtualClock();
    const p = new SimPhone({ modelId: 'soundpoint-ip-550', mac: MAC, clock, seed: 12, options: { variant: 'classic' } });
    openSetup(p, clock, p.truth().adminPassword);
    expect(p.state).toBe('setup');
  });
});

function truthOf(s: typeof FACTORY_SETUP_SETTINGS) {
  return {
    serverType: s.serverType,
    serverAddress: s.serverAddress,
    serverUser: s.serverUser,
    sntpAddress: s.sntpAddress,
    serverPasswordLength: s.serverPassword.length,
  };
}

describe('the Setup menus (seeds 002, 003)', () => {
  it('VVX: a highlighted list under its title, moved with up/down, scrolled, no wrap', () => {
    const { p, clock } = phone();
    openSetup(p, clock);
    expect(p.screen().lines).toEqual(['Setup Menu', '> Network Interfaces', '  Provisioning Server', '  DHCP Menu', '  SNTP Address: ']);
    expect(p.screen().softkeys).toEqual(['Select', '', '', 'Exit']);
    press(p, clock, 'up');
    expect(p.screen().lines[1]).toBe('> Network Interfaces');
    press(p, clock, 'down', 'down', 'down', 'down');
    expect(p.screen().lines).toEqual(['Setup Menu', '  Provisioning Server', '  DHCP Menu', '  SNTP Address: ', '> Syslog Menu']);
    const before = p.screen();
    press(p, clock, 'down', 'volume-up', '5', 'softkey2', 'softkey3');
    expect(p.screen()).toEqual(before); // unknown keys, and down at the end, do nothing
  });

  it('SoundPoint: the Server Menu (seed 003) and the SNTP Address on the Setup Menu', () => {
    const { p, clock } = phone({ modelId: 'soundpoint-ip-335' });
    openSetup(p, clock);
    expect(p.screen().lines).toEqual(['Setup Menu', '> DHCP Menu', '  Server Menu', '  Ethernet Menu', '  Syslog Menu']);
    press(p, clock, 'down', 'select');
    expect(p.screen().lines).toEqual([
      'Server Menu',
      '> Server Type: FTP',
      '  Server Address: ',
      '  Server User: PlcmSpIp',
      '  Server Password: ********',
    ]);
    press(p, clock, 'softkey4', 'down', 'down', 'down');
    expect(p.screen().lines.at(-1)).toBe('> SNTP Address: ');
  });

  it('takes seed 002\'s settings the way seed 002 gives them, and holds them after Save & Reboot', () => {
    const { p, clock } = phone();
    openSetup(p, clock);
    press(p, clock, 'down', 'select'); // "make sure the Provisioning Server option is highlighted ... press the Select key"
    expect(p.screen().lines[0]).toBe('Provisioning Server');
    // Server Type: HTTP.
    press(p, clock, 'select');
    expect(p.screen().lines).toEqual(['Server Type:', '> FTP', '  TFTP', '  HTTP', '  HTTPS']);
    press(p, clock, 'down', 'down', 'select');
    expect(p.screen().lines[1]).toBe('> Server Type: HTTP');
    // Server Address: a.b/c, "Use * for . and # for /" (VVX: the 2nd softkey steps 123 -> abc -> ABC).
    press(p, clock, 'down', 'select');
    expect(p.screen().lines).toEqual(['Server Address:', '', '[123]']);
    expect(p.screen().softkeys).toEqual(['OK', '1->abc', '<<', 'Cancel']);
    const M: Key = 'softkey2';
    press(p, clock, M, '2', M, M, '*', M, '2', '2', M, M, '#', M, '2', '2', '2', { wait: 2000 });
    expect(p.screen().lines[1]).toBe('a.b/c');
    press(p, clock, 'softkey1');
    expect(p.screen().lines[2]).toBe('> Server Address: a.b/c');
    // Server User: the factory 'PlcmSpIp' deleted with '<<', then 'u'.
    press(p, clock, 'down', 'select');
    expect(p.screen().lines[1]).toBe('PlcmSpIp');
    press(p, clock, ...Array<Step>(8).fill('softkey3'));
    expect(p.screen().lines[1]).toBe('');
    press(p, clock, M, '8', '8', { wait: 2000 }, 'softkey1');
    expect(p.screen().lines[3]).toBe('> Server User: u');
    // Server Password: shown as stars, held as typed.
    press(p, clock, 'down', 'select', ...Array<Step>(8).fill('delete'), '4', '2', 'softkey1');
    expect(p.screen().lines[4]).toBe('> Server Password: **');
    // "click on the Exit soft key. Click Exit again ... select Save & Reboot".
    press(p, clock, 'softkey4');
    expect(p.screen().lines[0]).toBe('Setup Menu');
    press(p, clock, 'softkey4');
    expect(p.screen().lines).toEqual(['Exit Setup', '> Cancel', '  Save & Reboot', '  Exit w/o Saving']);
    expect(p.truth().setup!.saves).toBe(0); // nothing is saved before Save & Reboot
    press(p, clock, 'down', 'select');
    expect(text(p.screen())).toBe('Saving configuration...');
    runUntil(clock, () => !p.screen().lit);
    expect(happened(p, 'setup-reboot')).toBe(true);
    expect(p.truth().setup).toEqual({ serverType: 'HTTP', serverAddress: 'a.b/c', serverUser: 'u', sntpAddress: '', serverPasswordLength: 2, saves: 1 });
    expect(p.setup!.passwordIs('42')).toBe(true);
    expect(p.setup!.passwordIs('PlcmSpIp')).toBe(false);
    // The settings stay through power cycles.
    p.setPower(false);
    clock.advance(10_000);
    p.setPower(true);
    runOut(clock);
    expect(p.truth().setup!.serverAddress).toBe('a.b/c');
  });

  it('SoundPoint Setup fields: # types / and * types . in 123 mode; the softkey steps the mode (seed 002)', () => {
    const { p, clock } = phone({ modelId: 'soundpoint-ip-650' });
    openSetup(p, clock);
    press(p, clock, 'down', 'select', 'down', 'select');
    expect(p.screen().lines).toEqual(['Server Address:', '', '[123]']);
    expect(p.screen().softkeys).toEqual(['OK', '1 -> Aa', '<<', 'Cancel']);
    // 1 -> ABC -> abc on this platform: two softkey taps for lower case.
    press(p, clock, '8', '*', '8', '#', 'softkey2', 'softkey2', '2');
    expect(p.screen().lines).toEqual(['Server Address:', '8.8/a', '[abc]']);
  });

  it('drops the edits on Exit w/o Saving, on Cancel in an editor, and when the power goes', () => {
    const { p, clock } = phone();
    openSetup(p, clock);
    press(p, clock, 'down', 'select', 'down', 'select', '7', 'softkey4'); // Cancel in the editor
    expect(p.screen().lines[2]).toBe('> Server Address: ');
    press(p, clock, 'select', '7', 'softkey1', 'softkey4', 'softkey4', 'down', 'down', 'select'); // Exit w/o Saving
    expect(happened(p, 'setup-left-without-saving')).toBe(true);
    runOut(clock);
    expect(isIdle(p.screen())).toBe(true);
    expect(p.truth().setup!.serverAddress).toBe('');

    const second = phone();
    openSetup(second.p, second.clock);
    press(second.p, second.clock, 'down', 'select', 'down', 'select', '7', 'softkey1');
    second.p.setPower(false);
    second.clock.advance(10_000);
    second.p.setPower(true);
    runOut(second.clock);
    expect(second.p.truth().setup).toEqual({ ...truthOf(FACTORY_SETUP_SETTINGS), saves: 0 });
  });

  it('a completed factory reset restores the factory settings (seed 002: it "clears the flash parameters")', () => {
    const { p, clock } = phone();
    openSetup(p, clock);
    press(p, clock, 'down', 'down', 'down', 'select', '9', 'softkey1', 'softkey4', 'down', 'select');
    waitFor(clock, p, (s) => !s.lit);
    expect(p.truth().setup!.sntpAddress).toBe('9');
    runOut(clock);
    p.setPower(false);
    clock.advance(10_000);
    manualReset(p, clock, MAC);
    runOut(clock);
    expect(p.truth().factoryDefaults).toBe(true);
    expect(p.truth().setup).toEqual({ ...truthOf(FACTORY_SETUP_SETTINGS), saves: 1 });
    expect(p.setup!.passwordIs(FACTORY_SETUP_SETTINGS.serverPassword)).toBe(true);
  });
});
