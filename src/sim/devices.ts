/**
 * The simulated units whose procedures are not the keypad password's: Poly Edge B, the touch-screen phones (Trio
 * C60, Trio 8800/8500, CCX 500/600/700, CCX 400), the base stations (Rove B1/B2, VVX D60/D230) and the Trio
 * VisualPro. Each is modelled on its source's words (seed 001; NocTel for the Trio 8800/8500, whose restore seed 001
 * shows only as a picture), never on the controller's catalog, and keeps its own truth.
 *
 * Each source's sentence is cited where it is followed; figures no source gives are marked "assumption". The rules
 * the tests hold the simulator to: a gesture that comes too early (keys or corners already down when the window
 * opens, or pressed before it opens), is released too soon, or is cut short leaves the unit as it was.
 *
 * What a camera reads: a logo is the line `[Poly logo]`; a phone's idle screen is [<name>, 'Line 1: 1013'] while it
 * holds its configuration, [<name>, 'Line 1: unregistered'] once reset; LEDs by name (`mwi`, `mute`, `status`,
 * `power`) with states `off`, `on`, `blink`, `flash`, `red`, `amber`; a base station has no display (`lit` false) and
 * shows its state on its `status` LED.
 */
import type { Key } from '../bench/keys.js';
import type { Range } from './rng.js';
import { SimDeviceBase, type SimDeviceConfig } from './device.js';

const LOGO = '[Poly logo]';
const CORNERS: Key[] = ['corner-tl', 'corner-tr', 'corner-bl', 'corner-br'];

/** Assumption: a Poly phone's dark time after power-on before anything shows. */
const DARK_MS: Range = { min: 1_000, max: 2_500 };
/** Assumption: the application starts tens of seconds after the logo. */
const APP_START_MS: Range = { min: 15_000, max: 30_000 };
/** Assumption: a factory reset's own work, before the unit restarts. */
const RESET_WORK_MS: Range = { min: 5_000, max: 12_000 };

/** A phone with a display that ends at an idle screen showing whether it still holds its configuration. */
abstract class DisplayPhone extends SimDeviceBase {
  constructor(
    config: SimDeviceConfig,
    readonly name: string,
  ) {
    super(config);
  }

  protected idle(): void {
    this.enter('idle');
    this.event('idle');
    this.show([this.name, this.atDefaults ? 'Line 1: unregistered' : 'Line 1: 1013']);
  }

  /** The application starts after the logo: the normal end of a boot. */
  protected startApplication(): void {
    this.enter('starting');
    this.show(['Starting application...']);
    this.after(this.bootMs(APP_START_MS), () => this.idle());
  }

  /**
   * The reset runs (`lines` on screen, `leds` lit), the truth is settled, then the unit restarts. Power cut during it
   * leaves the unit not reset.
   */
  protected factoryReset(lines: string[], leds: Record<string, string> = {}): void {
    this.enter('resetting');
    this.event('factory-reset-started');
    this.show(lines, [], leds);
    this.after(this.timing.jitter(RESET_WORK_MS), () => this.resetDone({}, this.darkMs(DARK_MS), () => this.boot()));
  }
}

// ---- Poly Edge B ------------------------------------------------------------------------------------------------

/**
 * Seed 001: "Power off the phone. While connecting power to the phone, press and hold the back and home keys until
 * the MWI LED starts to blink, then let go." Assumptions: the boot code reads the keys once, shortly after power
 * comes; they must then stay down for a few seconds until the MWI LED blinks; letting go then starts the reset.
 */
export class EdgeBPhone extends DisplayPhone {
  static readonly KEYS: Key[] = ['back', 'home'];
  /** Assumption: when the boot code reads the keys. */
  static readonly SAMPLE_MS: Range = { min: 300, max: 800 };
  /** Assumption: how long the keys must stay down before the MWI LED blinks (per unit). */
  static readonly ARM_MS: Range = { min: 4_000, max: 8_000 };
  private readonly armMs = this.instance.jitter(EdgeBPhone.ARM_MS);

  protected boot(): void {
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.timing.jitter(EdgeBPhone.SAMPLE_MS), () => {
      if (!this.allDown(EdgeBPhone.KEYS)) {
        this.normalBoot();
        return;
      }
      this.enter('armed');
      this.event(`keys-held-at-power-on, need ${this.armMs} ms`);
      this.after(this.armMs, () => {
        this.enter('mwi-blink');
        this.event('mwi-blink');
        this.show([], [], { mwi: 'blink' }, false);
      });
    });
  }

  private normalBoot(): void {
    this.enter('booting');
    this.after(this.darkMs(DARK_MS), () => {
      this.show([LOGO]);
      this.after(this.bootMs({ min: 3_000, max: 6_000 }), () => this.startApplication());
    });
  }

  protected pressed(): void {}

  protected released(key: Key): void {
    if (!EdgeBPhone.KEYS.includes(key)) return;
    if (this.st === 'armed') {
      this.event('released-before-mwi-blink');
      this.normalBoot();
    } else if (this.st === 'mwi-blink') {
      this.event('released-at-mwi-blink');
      this.factoryReset([], { mwi: 'blink' });
    }
  }
}

// ---- touch screens ----------------------------------------------------------------------------------------------

/**
 * The four corners held together: they count only when each went down inside the window (a corner already down
 * when the window opened, or pressed before, is too early).
 */
abstract class TouchPhone extends DisplayPhone {
  /** Corners down when the current window opened (or pressed before it): too early for this window. */
  private stale = new Set<Key>();

  /** A window opens: corners down now are too early. */
  protected openWindow(state: string): void {
    this.enter(state);
    this.stale = new Set(this.physical);
  }

  /** All four corners down, each pressed inside the window. */
  protected cornersHeld(): boolean {
    return this.allDown(CORNERS) && CORNERS.every((c) => !this.stale.has(c));
  }

  protected released(key: Key): void {
    if (!CORNERS.includes(key)) return;
    this.stale.delete(key);
    this.cornerReleased();
  }

  protected pressed(key: Key): void {
    if (CORNERS.includes(key) && this.cornersHeld()) this.cornersDown();
  }

  protected abstract cornersDown(): void;
  protected abstract cornerReleased(): void;
}

/**
 * Trio C60 (seed 001: "When the Screen lights up before the Poly logo shows on the screen, press and hold the four
 * corners of the LCD screen. Let go when the Mute keys begin flashing in different colours.") and Trio 8800/8500
 * (NocTel: "When the Poly logo shows on the screen, press and hold the four corners of the LCD screen. Let go when the
 * Mute keys begin flashing."). Assumptions: the window lasts a few seconds, the corners must stay down 5 to 10 s
 * before the Mute keys flash, and letting go before that lets the boot go on.
 */
export class CornerHoldPhone extends TouchPhone {
  /** Assumption: how long the corners must stay down before the Mute keys flash (per unit). */
  static readonly HOLD_MS: Range = { min: 5_000, max: 10_000 };
  /** Assumption: how long the window (lit blank screen, or logo) lasts. */
  static readonly WINDOW_MS: Range = { min: 2_000, max: 4_000 };
  private readonly holdMs = this.instance.jitter(CornerHoldPhone.HOLD_MS);

  constructor(
    config: SimDeviceConfig,
    name: string,
    /** `lit`: the screen lights up before the logo (C60); `logo`: the logo shows (8800, 8500). */
    private readonly trigger: 'lit' | 'logo',
  ) {
    super(config, name);
  }

  protected boot(): void {
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.darkMs(DARK_MS), () => {
      this.openWindow('window');
      this.event(this.trigger === 'lit' ? 'screen-lit' : 'logo');
      this.show(this.trigger === 'lit' ? [] : [LOGO]);
      this.after(this.timing.jitter(CornerHoldPhone.WINDOW_MS), () => this.afterWindow());
    });
  }

  /** The window passed without the corners: the boot goes on. */
  private afterWindow(): void {
    this.enter('logo');
    this.show([LOGO]);
    this.after(this.bootMs({ min: 2_000, max: 4_000 }), () => this.startApplication());
  }

  protected cornersDown(): void {
    if (this.st !== 'window') return;
    this.enter('corner-hold');
    this.event(`corners-held, need ${this.holdMs} ms`);
    this.after(this.holdMs, () => {
      this.enter('mute-flash');
      this.event('mute-flash');
      this.setLeds({ mute: 'flash' });
    });
  }

  protected cornerReleased(): void {
    if (this.st === 'corner-hold') {
      this.event('corners-released-before-mute-flash');
      this.afterWindow();
    } else if (this.st === 'mute-flash' && !CORNERS.some((c) => this.physical.has(c))) {
      this.event('corners-released-at-mute-flash');
      this.factoryReset(['Factory reset...'], { mute: 'flash' });
    }
  }
}

/**
 * CCX 500, 600, 700 (seed 001): "2. The 1st time the logo appears and then disappears 3. Once the Logo appears the
 * 2nd time press all 4 corners of the screen for around 2 seconds 4. "Factory mode initiated" message will appear
 * 5. The unit will reboot and factory reset process will commence". Assumptions: the hold needed is 1.5 to 2.5 s per
 * unit; the second logo lasts 4 to 8 s; pressed at the first logo, or released too soon, nothing happens.
 */
export class CcxPhone extends TouchPhone {
  static readonly HOLD_MS: Range = { min: 1_500, max: 2_500 };
  static readonly SECOND_LOGO_MS: Range = { min: 4_000, max: 8_000 };
  private readonly holdMs = this.instance.jitter(CcxPhone.HOLD_MS);
  /** Set once "Factory mode initiated" showed: the next boot erases (assumption: the flag survives a power cut). */
  private factoryMode = false;

  protected boot(): void {
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.darkMs(DARK_MS), () => {
      if (this.factoryMode) {
        this.factoryMode = false;
        this.factoryReset(['Factory reset in progress...']);
        return;
      }
      this.enter('logo-1');
      this.event('logo-1');
      this.show([LOGO]);
      this.after(this.bootMs({ min: 2_000, max: 4_000 }), () => {
        this.enter('between-logos');
        this.show([], [], {}, false);
        this.after(this.bootMs({ min: 1_000, max: 3_000 }), () => {
          this.openWindow('logo-2');
          this.event('logo-2');
          this.show([LOGO]);
          this.after(this.timing.jitter(CcxPhone.SECOND_LOGO_MS), () => this.startApplication());
        });
      });
    });
  }

  protected cornersDown(): void {
    if (this.st !== 'logo-2') return;
    this.enter('corner-hold');
    this.event(`corners-held, need ${this.holdMs} ms`);
    this.after(this.holdMs, () => {
      this.enter('factory-mode');
      this.factoryMode = true;
      this.event('factory-mode-initiated');
      this.show(['Factory mode initiated']);
      // seed 001: "5. The unit will reboot".
      this.after(this.timing.jitter({ min: 2_000, max: 4_000 }), () => {
        this.event('restarting');
        this.show([], [], {}, false);
        this.after(this.darkMs(DARK_MS), () => this.boot());
      });
    });
  }

  protected cornerReleased(): void {
    if (this.st === 'corner-hold') {
      this.event('corners-released-too-soon');
      this.startApplication();
    }
  }
}

/**
 * CCX 400 (seed 001): "Power up the CCX400 and wait until the Poly Logo appears. Hold 4 fingers for 1-2 seconds and
 * then let go. Once the MWI LED becomes Red hold 4 fingers again until the screen goes blank. Let go and a Poly Logo
 * will appear. After this the Android "erasing" screen will show and the unit is reset". Assumptions: the first hold
 * counts from 0.8 to 1.2 s on (per unit); the MWI LED turns red within 1.5 s of letting go and stays red 8 to 15 s;
 * the second hold needs 5 to 10 s (per unit) before the screen goes blank.
 */
export class Ccx400Phone extends TouchPhone {
  static readonly FIRST_HOLD_MS: Range = { min: 800, max: 1_200 };
  static readonly BLANK_HOLD_MS: Range = { min: 5_000, max: 10_000 };
  private readonly firstMs = this.instance.jitter(Ccx400Phone.FIRST_HOLD_MS);
  private readonly blankMs = this.instance.jitter(Ccx400Phone.BLANK_HOLD_MS);
  private firstDone = false;

  protected boot(): void {
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.darkMs(DARK_MS), () => {
      this.openWindow('logo');
      this.event('logo');
      this.show([LOGO]);
      this.firstDone = false;
      this.after(this.bootMs({ min: 6_000, max: 10_000 }), () => this.startApplication());
    });
  }

  protected cornersDown(): void {
    if (this.st === 'logo') {
      this.firstDone = false;
      this.after(this.firstMs, () => {
        this.firstDone = true;
        this.event('first-hold-long-enough');
      });
    } else if (this.st === 'mwi-red') {
      this.enter('second-hold');
      this.event(`second-hold, need ${this.blankMs} ms`);
      this.after(this.blankMs, () => {
        this.enter('blank');
        this.event('screen-blank');
        this.show([], [], { mwi: 'red' }, false);
      });
    }
  }

  protected cornerReleased(): void {
    if (this.st === 'logo' && !CORNERS.some((c) => this.physical.has(c))) {
      if (!this.firstDone) return; // too short: the logo stays, the boot goes on
      this.enter('first-released');
      this.after(this.timing.jitter({ min: 500, max: 1_500 }), () => {
        this.openWindow('mwi-red');
        this.event('mwi-red');
        this.setLeds({ mwi: 'red' });
        this.after(this.timing.jitter({ min: 8_000, max: 15_000 }), () => {
          this.event('mwi-red-expired');
          this.setLeds({ mwi: 'off' });
          this.startApplication();
        });
      });
    } else if (this.st === 'second-hold') {
      this.event('released-before-blank');
      this.setLeds({ mwi: 'off' });
      this.startApplication();
    } else if (this.st === 'blank' && !CORNERS.some((c) => this.physical.has(c))) {
      this.event('released-at-blank');
      this.enter('erase-logo');
      this.show([LOGO]);
      this.after(this.timing.jitter({ min: 2_000, max: 4_000 }), () => this.factoryReset(['Android Recovery', 'Erasing...']));
    }
  }
}

// ---- base stations and the VisualPro -----------------------------------------------------------------------------

/**
 * A base station: no display, a status LED (`blink` while booting, `on` when running). Holding its reset button for
 * the time its source gives resets it: Rove (seed 001, "pressing the Pair Button on the top for at least 20
 * seconds"), VVX D60/D230 (seed 001, "use pin/paper clip to long press for 7 sec"). Assumptions: the base's own timer
 * runs up to 4% past the figure; the button counts only while the base runs; once the time is reached the base resets
 * (status LED flashing), then restarts (off, blinking, on). Released before, nothing happens.
 */
export class BaseStation extends SimDeviceBase {
  private readonly needMs: number;

  constructor(
    config: SimDeviceConfig,
    private readonly button: Key,
    /** The source's figure, ms. */
    figureMs: number,
  ) {
    super(config);
    this.needMs = this.instance.jitter({ min: figureMs, max: figureMs * 1.04 });
  }

  protected boot(): void {
    this.enter('booting');
    this.show([], [], { status: 'blink' }, false);
    this.after(this.bootMs({ min: 10_000, max: 20_000 }), () => {
      this.enter('running');
      this.event('running');
      this.show([], [], { status: 'on' }, false);
      if (this.physical.has(this.button)) this.pressed(this.button);
    });
  }

  protected pressed(key: Key): void {
    if (key !== this.button || this.st !== 'running') return;
    this.enter('button-held');
    this.event(`${key}-held, need ${this.needMs} ms`);
    this.after(this.needMs, () => {
      this.enter('resetting');
      this.event('factory-reset-started');
      this.show([], [], { status: 'flash' }, false);
      this.after(this.timing.jitter({ min: 2_000, max: 4_000 }), () =>
        this.resetDone({ status: 'off' }, this.timing.jitter({ min: 2_000, max: 4_000 }), () => this.boot()),
      );
    });
  }

  protected released(key: Key): void {
    if (key !== this.button || this.st !== 'button-held') return;
    this.event(`${key}-released-too-soon`);
    this.enter('running');
  }
}

/**
 * Trio VisualPro (seed 001): "1. Power off the system. ... 3. Using the paper clip, press and hold the restore
 * button. 4. While continuing to hold the restore button, press the power button once. 5. Keep holding the restore
 * button for 10 more seconds, then release it." Its monitor is what a camera reads. Assumptions: with power connected
 * the system waits in standby (power LED amber) for its power button; the restore needs 8 to 10 s of the "10 more
 * seconds" (per unit); the restore then runs, restarts, and the system comes up in its first-run setup.
 */
export class VisualPro extends SimDeviceBase {
  static readonly RESTORE_MS: Range = { min: 8_000, max: 10_000 };
  private readonly restoreMs = this.instance.jitter(VisualPro.RESTORE_MS);
  private restoreArmed = false;

  protected boot(): void {
    this.enter('standby');
    this.show([], [], { power: 'amber' }, false);
  }

  private start(): void {
    this.enter('booting');
    this.show([LOGO], [], { power: 'on' });
    this.after(this.bootMs({ min: 20_000, max: 40_000 }), () => {
      this.enter('running');
      this.event('running');
      this.show(this.atDefaults ? ['Welcome', 'Select your language'] : ['Poly Trio VisualPro', 'Ready'], [], { power: 'on' });
    });
  }

  protected pressed(key: Key): void {
    if (key !== 'power' || this.st !== 'standby') return;
    if (!this.physical.has('restore')) {
      this.event('power-pressed');
      this.start();
      return;
    }
    this.enter('restore-held');
    this.event(`power-pressed with restore held, need ${this.restoreMs} ms`);
    this.show([LOGO], [], { power: 'on' });
    this.restoreArmed = false;
    this.after(this.restoreMs, () => {
      this.restoreArmed = true;
      this.event('restore-armed');
    });
  }

  protected released(key: Key): void {
    if (key !== 'restore' || this.st !== 'restore-held') return;
    if (!this.restoreArmed) {
      this.event('restore-released-too-soon');
      this.start();
      return;
    }
    this.enter('restoring');
    this.event('factory-restore-started');
    this.show(['Factory restore', 'Please wait...'], [], { power: 'on' });
    this.after(this.timing.jitter({ min: 20_000, max: 40_000 }), () => this.resetDone({ power: 'on' }, this.darkMs(DARK_MS), () => this.start()));
  }
}

/** The units of this file by catalog id, each built from the simulator's own reading of its source. */
export const SIM_DEVICES: Record<string, (config: SimDeviceConfig) => SimDeviceBase> = {
  'edge-b10': (c) => new EdgeBPhone(c, 'Poly Edge B10'),
  'edge-b20': (c) => new EdgeBPhone(c, 'Poly Edge B20'),
  'edge-b30': (c) => new EdgeBPhone(c, 'Poly Edge B30'),
  'trio-c60': (c) => new CornerHoldPhone(c, 'Poly Trio C60', 'lit'),
  'trio-8800': (c) => new CornerHoldPhone(c, 'Poly Trio 8800', 'logo'),
  'trio-8500': (c) => new CornerHoldPhone(c, 'Poly Trio 8500', 'logo'),
  'ccx-500': (c) => new CcxPhone(c, 'Poly CCX 500'),
  'ccx-600': (c) => new CcxPhone(c, 'Poly CCX 600'),
  'ccx-700': (c) => new CcxPhone(c, 'Poly CCX 700'),
  'ccx-400': (c) => new Ccx400Phone(c, 'Poly CCX 400'),
  'rove-b1': (c) => new BaseStation(c, 'pair', 20_000),
  'rove-b2': (c) => new BaseStation(c, 'pair', 20_000),
  'vvx-d60-base': (c) => new BaseStation(c, 'pinhole-reset', 7_000),
  'vvx-d230-base': (c) => new BaseStation(c, 'pinhole-reset', 7_000),
  'trio-visualpro': (c) => new VisualPro(c),
};
