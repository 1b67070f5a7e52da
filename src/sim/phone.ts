/**
 * SimPhone: one simulated Polycom/Poly phone on a Clock, with its own truth (is it at factory defaults?) that the
 * controller never reads: the controller sees only the screen (through SimObserver, as a camera would).
 *
 * Boot timeline (seeds 000, 001, 002, 003), every figure drawn from phones.ts with jitter from the seeded RNG:
 *   power on -> dark -> Updater -> "Loading application..." -> the Cancel softkey appears after a delay and stays
 *   for a window -> the application starts -> idle.  Cancel pressed while shown -> countdown ("Autoboot in N s").
 *   The combo (all its keys down together, no other dial key down) held continuously for the hold time inside the
 *   countdown -> admin password prompt. Countdown over -> the application starts (window missed).
 *   Right password (the MAC under the phone's case rule, or the admin password) + OK -> "Resetting Configuration",
 *   "Configuration Reset", reboot, the application runs a while, a second automatic reboot, idle: only then is the
 *   phone at factory defaults (seed 002). Wrong password + OK -> "Invalid password", then the application starts.
 *   Power removed at any point stops everything; power removed during the reset leaves the phone NOT reset.
 *
 * SCREEN CATALOGUE of the plainest phone (variant 'classic'; every other phone words its screens, orders its keypad
 * and times its windows its own way: variants.ts). The controller is never written against this. A ScreenObservation has `lines` (top to
 * bottom), `softkeys` (softkey1..softkey4, '' for an unlabelled softkey; [] when the display is dark), `leds` ({}),
 * `lit`.
 *
 *   state             lines                                             softkeys
 *   off               (dark) []                                         []
 *   dark              (dark) []           booting after power-on or reboot
 *                                                                       []
 *   updater           ['Polycom Updater', 'Please wait...']            ['', '', '', '']
 *   loading           ['Loading application...']                       ['', '', '', ''] at first; then 'Cancel' on the
 *                     (seed 000 "loading application"; seed 002        platform's cancel softkey: VVX family softkey1
 *                     "loading application screen")                    -> ['Cancel', '', '', ''], SoundPoint and
 *                                                                      SoundStation softkey3 -> ['', '', 'Cancel', '']
 *   cancelling        ['Please wait...']                               ['', '', '', '']
 *   countdown         ['Welcome', 'Autoboot in N s']                   ['Start', 'Setup', 'About', '']
 *                     N = whole seconds left, rounded up, changes every second (seed 000 "a 7 seconds count down";
 *                     seed 002 'the next "Welcome" window'). Start: the application starts now. Setup: the setup
 *                     password screen below, which never resets the phone (seed 001 "Do not press Setup").
 *   password          ['Password:', <one '*' per character, '' when    VVX:        ['OK', '1->abc', '', 'Cancel']
 *                     empty>]                                           SoundPoint: ['OK', '1 -> Aa', '', 'Cancel']
 *                     the mode softkey's label follows the mode: VVX '1->abc' | 'a->abc' | 'A->abc' (seed 000);
 *                     SoundPoint '1 -> Aa' | 'a -> 1A' | 'A -> a1' (seed 003 "(a -> 1A)"). Cancel: the application
 *                     starts (no reset).
 *   setup-password    ['Enter setup password:', <stars>]                ['OK', <mode label>, '', 'Exit']
 *                     OK with the admin password: the Setup menu; OK with anything else: "Invalid password", then
 *                     the application starts; Exit: the application starts. Never a reset.
 *   setup             the Setup menu's screens (setup-menu.ts): menus, field editors, the exit screen, then a reboot.
 *   menu              the admin menus behind the Menu key on the idle screen (admin-menu.ts): Settings, Advanced
 *                     (admin password), Admin Settings, Reset to Defaults, Reboot Phone (seeds 001, 003).
 *   no-application    ['Polycom Updater', 'Application not found', 'Contacting provisioning server...'] after Format
 *                     File System: the phone waits for its software (seed 001).
 *
 * VARIANTS. Before UC Software 3.3.0 (the `software` option) there is no Updater (seed 001: "Since UCS 3.3.0 and the
 * introduction of the Updater the starting of the Application has to be canceled"): after the dark time the BootROM
 * shows ['Polycom BootROM', 'SIP <version>'] and then counts down by itself (state `bootrom`, then `countdown`);
 * Cancel is not needed, and the Cancel softkey position there is Start. Otherwise "Loading application" shows the
 * version as its second line, 'UC Software <version>'. Before 4.0.0 the combo's reset is a device reset only.
 * Poly Edge E (`window: edge-leds`): after the dark time the Poly logo shows with the Handsfree and Headset LEDs on
 * (`leds: {handsfree: 'on', headset: 'on'}`), then they go off (`'off'`) and the combo's window opens (state
 * `edge-window`, the logo and the version line still showing); keys already down when it opens do not count; the window closes into
 * "Starting application...". The password prompt and the reset are a VVX's.
 * On the idle screen the model's reboot combo (seed 001 "Rebooting the Phone"), held about three seconds, reboots the
 * phone (the screen goes dark, the boot timeline runs).
 *   invalid-password  ['Invalid password']                             ['', '', '', '']
 *   resetting         ['Resetting Configuration', 'please wait...']    ['', '', '', '']   (seed 002)
 *   reset-done        ['Configuration Reset']                          ['', '', '', '']   (seed 002)
 *   starting          ['Starting application...']                      ['', '', '', '']
 *   idle              [<model name>, 'Line 1: 1013'] while configured;  ['New Call', 'Forward', 'DND', 'More']
 *                     [<model name>, 'Line 1: unregistered'] once the configuration is wiped (the run between the
 *                     two reset reboots, and after a completed reset). Idle between the two reboots is NOT the end.
 */
import type { Clock, TimerId } from '../clock/clock.js';
import { DIAL_KEYS, type Key } from '../bench/keys.js';
import { ConfigError } from '../errors/errors.js';
import { MultiTapField, type SimKeypadSpec } from './keypad.js';
import { SETUP_ADMIN_PASSWORDS, SetupMenu, type SetupTruth } from './setup-menu.js';
import { EDGE_E_BOOT, simPhoneSpec, type SimPhoneSpec } from './phones.js';
import { AdminMenu, type AdminAction } from './admin-menu.js';
import { SimDeviceBase, type SimDeviceFaults, type SimDeviceTruth, type SimEvent } from './device.js';
import type { Range } from './rng.js';
import type { CaseRule } from './phones.js';
import { classicVariant, drawVariant, type PhoneVariant } from './variants.js';

/** The simulator's own reading of a version `x.y.z` against another: true when `v` is older. */
function olderThan(v: string, than: string): boolean {
  const a = v.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

export type SimPhoneState =
  | 'off'
  | 'dark'
  | 'updater'
  | 'loading'
  | 'cancelling'
  | 'countdown'
  | 'password'
  | 'setup-password'
  | 'setup'
  | 'bootrom'
  | 'edge-leds'
  | 'edge-window'
  | 'menu'
  | 'no-application'
  | 'prelude'
  | 'invalid-password'
  | 'resetting'
  | 'reset-done'
  | 'starting'
  | 'idle'
  | 'dialing';

/**
 * Faults the phone can be asked to show: every unit's (slowBoot stretches the dark, Updater, Cancel delay,
 * Cancel-to-countdown and application start), and a short Cancel window. All dice come from the phone's own seeded
 * RNG (a separate stream).
 */
export interface SimPhoneFaults extends SimDeviceFaults {
  /** The Cancel softkey shows only about this long (+-10%) instead of the platform's window. */
  shortCancelWindowMs?: number;
}

export interface SimPhoneOptions {
  /** Force the phone's true combo; must be one of the model's seed-backed combos (any key order). */
  combo?: Key[];
  /**
   * Force the MAC case rule: 'lower' (letters must be lower case), 'either', or 'upper' (no source has it: for a
   * controller that does not know the rule, see phones.ts CASE_RULES).
   */
  caseRule?: CaseRule;
  /**
   * The admin password: the reset prompt also accepts it (seed 001 "requires the Admin password 456") and the Setup
   * prompt requires it; default: one of seed 002's 456, 789, 1966, drawn per instance.
   */
  adminPassword?: string;
  /** UC Software before 4.0.0: the combo performs a device reset only (seed 001 NOTE), not a factory reset. */
  oldSoftware?: boolean;
  /** The application version (`x.y.z`); default the platform's, or 3.3.5 with oldSoftware. Before 3.3.0: no Updater. */
  software?: string;
  /** Override parts of the password field (tests). */
  keypad?: Partial<SimKeypadSpec>;
  /** Override parts of the drawn variant (tests, the campaign), or `classic`: the seeds' plainest phone (variants.ts). */
  variant?: Partial<PhoneVariant> | 'classic';
}

export interface SimPhoneConfig {
  modelId: string;
  /** The phone's real MAC: 12 lower-case hex digits. */
  mac: string;
  clock: Clock;
  seed: number | string;
  options?: SimPhoneOptions;
  faults?: SimPhoneFaults;
}

export type { SimEvent } from './device.js';

/** What the admin menu's resets have cleared (seed 001's options): true once cleared. */
export interface ConfigTruth {
  localConfig: boolean;
  webConfig: boolean;
  deviceSettings: boolean;
  /** Format File System: the software is gone until a provisioning server sends it. */
  fileSystemFormatted: boolean;
}

/** The simulator's account of one phone, for tests and the CLI's `simulator` JSON. Never shown to the controller. */
export interface SimPhoneTruth extends SimDeviceTruth {
  modelId: string;
  mac: string;
  /** The combo this instance really answers to. */
  combo: Key[];
  caseRule: CaseRule;
  /** The application version it runs. */
  software: string;
  config: ConfigTruth;
  adminPassword: string;
  /** Instance constants (each attempt or boot jitters them slightly). */
  cursorTimeoutMs: number;
  comboHoldMs: number;
  countdownMs: number;
  factoryDefaults: boolean;
  state: SimPhoneState;
  /** Resets completed (both reboots done). */
  resets: number;
  /** Set when a completed reset was a device reset only (oldSoftware). */
  deviceResetOnly?: boolean;
  /** Which of the seeds' open questions this phone answers how (variants.ts). */
  variant: Record<string, string>;
  /** The provisioning settings the phone holds (setup-menu.ts), on a platform with a Setup menu. */
  setup?: SetupTruth;
  events: SimEvent[];
}

type ResetPhase = 'none' | 'wiping' | 'reboot-1' | 'running-1' | 'reboot-2';

const SOFTKEY_COUNT = 4;
const DIAL = new Set<string>(DIAL_KEYS);
const IDLE_SOFTKEYS = ['New Call', 'Forward', 'DND', 'More'];
const COUNTDOWN_SOFTKEYS = ['Start', 'Setup', 'About', ''];
/** A logo, as a camera reports it. */
const LOGO = '[Poly logo]';

/** `softkey1`..`softkey9` -> 0..8 (a table: the phone looks keys up on every screen it draws). */
const SOFTKEY_INDEX: ReadonlyMap<string, number> = new Map(Array.from({ length: 9 }, (_, i) => [`softkey${i + 1}`, i] as const));

function softkeyIndex(key: Key): number | undefined {
  return SOFTKEY_INDEX.get(key);
}

/** Softkey labels from a key -> label map. */
function softkeys(labels: Partial<Record<Key, string>> = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < SOFTKEY_COUNT; i++) out.push('');
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    const i = softkeyIndex(key);
    const label = labels[key];
    if (i !== undefined && i < SOFTKEY_COUNT && label !== undefined) out[i] = label;
  }
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

/**
 * The power, keys, timers, screen and log are SimDeviceBase's; the phone registers each key-down (tap) and key-up
 * (untap) by state, and, after every key change, looks at which keys are down together (the combo, the reboot combo).
 */
export class SimPhone extends SimDeviceBase<SimPhoneState> {
  readonly spec: SimPhoneSpec;
  protected declare readonly faults: SimPhoneFaults;
  private readonly combo: Key[];
  private readonly caseRule: CaseRule;
  private readonly adminPassword: string;
  private readonly software: string;
  /** Before UC Software 4.0.0: the combo does a device reset only. */
  private readonly oldSoftware: boolean;
  /** Before UC Software 3.3.0: no Updater, the BootROM counts down by itself. */
  private readonly preUpdater: boolean;
  /** How long the reboot combo must be held (seed 001: "for about three seconds"). */
  private readonly rebootHoldMs: number;
  /** How long the dialer waits for the next key before it goes back to the idle screen. */
  private readonly dialTimeoutMs: number;
  /** The digits the dialer shows, and its timeout back to the idle screen. */
  private dialled = '';
  private dialTimer: TimerId | undefined;
  private rebootTimer: TimerId | undefined;
  private readonly config: ConfigTruth = { localConfig: false, webConfig: false, deviceSettings: false, fileSystemFormatted: false };
  /** Edge E: keys already down when the window opened (too early). */
  private stale = new Set<Key>();
  private readonly menu: AdminMenu;
  private readonly keypad: SimKeypadSpec;
  private countdownMs: number;
  private comboHoldMs: number;
  /** This phone's answers to what the seeds leave open (variants.ts). */
  readonly variant: PhoneVariant;
  /** The Setup menu behind the countdown's Setup softkey (seeds 002, 003); undefined on a platform without one. */
  readonly setup: SetupMenu | undefined;

  private phase: ResetPhase = 'none';
  private deviceResetOnly = false;
  private field: MultiTapField | undefined;
  private holdTimer: TimerId | undefined;

  constructor(config: SimPhoneConfig) {
    super(config);
    this.spec = simPhoneSpec(config.modelId);
    const options = config.options ?? {};
    const f = this.faults;
    if (f.shortCancelWindowMs !== undefined && !(f.shortCancelWindowMs > 0)) {
      throw new ConfigError('bad-fault', `short Cancel window ${f.shortCancelWindowMs} ms`, 'give a positive window in ms');
    }

    // Instance draws happen in a fixed order whatever the options, so forcing one choice does not move the others.
    const instance = this.instance;
    const pickedCombo = instance.pick(this.spec.combos).keys;
    const pickedCase = instance.pick(this.spec.caseRules);
    const cursorTimeoutMs = instance.jitter(this.spec.cursorTimeoutMs);
    this.countdownMs = instance.jitter(this.spec.countdownMs);
    this.comboHoldMs = instance.jitter(this.spec.comboHoldMs);
    const pickedAdmin = instance.pick(SETUP_ADMIN_PASSWORDS);
    // Seed 001: "until you hear a confirmation tone (for about three seconds)". Drawn last: earlier draws keep their seeds.
    this.rebootHoldMs = instance.jitter({ min: 2_500, max: 3_500 });
    // A stream of its own: the dialer came later, and must not move any draw above.
    this.dialTimeoutMs = instance.fork('dialer').jitter({ min: 10_000, max: 30_000 });

    if (options.combo) {
      const forced = this.spec.combos.find((c) => sameSet(c.keys, options.combo!));
      if (!forced) {
        throw new ConfigError(
          'bad-combo',
          `${this.spec.name} has no seed-backed combo ${options.combo.join(' ')}`,
          `force one of: ${this.spec.combos.map((c) => c.keys.join(' ')).join(' | ')}`,
        );
      }
      this.combo = [...forced.keys];
    } else {
      this.combo = [...pickedCombo];
    }
    const caseRule = options.caseRule ?? pickedCase;
    if (caseRule !== 'lower' && caseRule !== 'either' && caseRule !== 'upper') {
      throw new ConfigError('bad-case-rule', `simulated phone: case rule '${String(caseRule)}'`, "use 'lower', 'upper' or 'either'");
    }
    this.caseRule = caseRule;
    this.adminPassword = options.adminPassword ?? pickedAdmin;
    const software = options.software ?? (options.oldSoftware ? '3.3.5' : this.spec.software);
    if (!/^\d+\.\d+\.\d+$/.test(software)) {
      throw new ConfigError('bad-software', `simulated phone: software version '${software}'`, 'give it as x.y.z, e.g. 3.2.7');
    }
    // The sim's own reading of seed 001: before 4.0.0 a device reset only, before 3.3.0 no Updater.
    this.oldSoftware = olderThan(software, '4.0.0');
    if (options.oldSoftware === true && !this.oldSoftware) {
      throw new ConfigError('bad-software', `oldSoftware with software ${software}`, 'old software is before 4.0.0');
    }
    this.software = software;
    this.preUpdater = olderThan(software, '3.3.0');
    const drawn = drawVariant(this.variants, { countdownMs: this.spec.countdownMs, cancelShownMs: this.spec.boot.cancelShownMs });
    this.variant =
      options.variant === 'classic'
        ? classicVariant({ cycle: this.spec.keypad.cycle, labels: this.spec.modeLabels, countdownMs: this.countdownMs, cancelShownMs: this.spec.boot.cancelShownMs })
        : { ...drawn, ...options.variant };
    this.minPowerOffMs = this.variant.minPowerOffMs;
    // The countdown: the model's seed figure, unless this phone's variant says otherwise.
    if (this.variant.countdownMs !== undefined) this.countdownMs = this.variant.countdownMs;
    // A combo that needs longer than the window leaves no way in: a phone with a short countdown takes a short hold
    // (assumption: its firmware was built so that the seeds' procedure works).
    this.comboHoldMs = Math.min(this.comboHoldMs, Math.max(1_000, this.countdownMs * 0.97 - 1_500));
    const kv = this.variant.keypad;
    this.keypad = {
      ...this.spec.keypad,
      cycle: kv.cycle,
      initialMode: kv.initialMode,
      digitInCycle: kv.digitInCycle,
      pendingOnMode: kv.pendingOnMode,
      cursorTimeoutMs,
      ...options.keypad,
    };
    // What the Setup menu and the admin menus may do with the phone's screen, timers, log and randomness.
    const menuHost = {
      clock: this.clock,
      show: (lines: string[], keys: string[]) => this.show(lines, keys),
      after: (ms: number, fn: () => void) => void this.after(ms, fn),
      event: (what: string) => this.event(what),
      jitter: (range: Range) => this.timing.jitter(range),
    };
    this.setup = SetupMenu.forPlatform({
      platform: this.spec.platform,
      keypad: this.keypad,
      modeLabels: this.variant.keypad.labels,
      host: { ...menuHost, reboot: () => this.boot(), startApplication: () => this.startApplication() },
    });
    this.menu = new AdminMenu({
      keypad: this.keypad,
      altModeKeys: this.spec.altModeKeys,
      modeLabels: this.variant.keypad.labels,
      adminPassword: this.adminPassword,
      hasResetToFactory: !this.oldSoftware,
      host: { ...menuHost, exit: () => this.idle(), perform: (action) => this.perform(action) },
    });
  }

  // ---- what SimDeviceBase asks of a unit ----------------------------------------------------------------------

  /** A lit screen shows the four softkeys, '' where nothing is offered. */
  protected override blankSoftkeys(): string[] {
    return softkeys();
  }

  protected pressed(key: Key): void {
    this.tap(key);
  }

  protected released(key: Key): void {
    this.untap(key);
  }

  protected override keysChanged(): void {
    this.checkCombo();
    this.checkRebootCombo();
  }

  /** A key let go no longer counts as down too early (Edge E). */
  override keyUp(key: Key): void {
    this.stale.delete(key);
    super.keyUp(key);
  }

  /** Power cut before the reset's second reboot is done: the phone is not reset. */
  protected override poweredOff(): void {
    if (this.phase === 'none') return;
    this.event('reset-interrupted');
    this.phase = 'none';
  }

  override truth(): SimPhoneTruth {
    const unit = super.truth();
    const t: SimPhoneTruth = {
      modelId: unit.modelId,
      mac: unit.mac,
      combo: [...this.combo],
      caseRule: this.caseRule,
      adminPassword: this.adminPassword,
      cursorTimeoutMs: this.keypad.cursorTimeoutMs,
      comboHoldMs: this.comboHoldMs,
      countdownMs: this.countdownMs,
      factoryDefaults: unit.factoryDefaults,
      state: this.st,
      resets: unit.resets,
      reboots: unit.reboots,
      software: this.software,
      config: { ...this.config },
      events: unit.events,
      variant: { ...this.variant.names, minPowerOffMs: String(this.minPowerOffMs) },
    };
    if (this.deviceResetOnly) t.deviceResetOnly = true;
    if (this.setup) t.setup = this.setup.truth();
    return t;
  }

  // ---- the boot timeline ------------------------------------------------------------------------------------

  protected boot(): void {
    if (this.config.fileSystemFormatted) {
      this.noApplication();
      return;
    }
    if (this.spec.window === 'edge-leds') {
      this.edgeBoot();
      return;
    }
    if (this.preUpdater) {
      this.bootRomBoot();
      return;
    }
    const b = this.spec.boot;
    const dark = this.darkMs(b.powerOnToUpdaterMs);
    const updater = this.bootMs(b.updaterMs);
    const delay = this.bootMs(b.cancelDelayMs);
    const windowMs =
      this.faults.shortCancelWindowMs !== undefined
        ? this.timing.jitter({ min: this.faults.shortCancelWindowMs * 0.9, max: this.faults.shortCancelWindowMs * 1.1 })
        : this.timing.jitter(this.variant.cancelShownMs);
    const w = this.variant.wording;

    this.enter('dark');
    this.show([], [], {}, false);
    this.after(dark, () => {
      this.enter('updater');
      this.event('updater');
      this.show(w.updater);
      this.after(updater, () => {
        this.enter('loading');
        this.event('loading-application');
        this.show([w.loading, this.versionLine()]);
        this.after(delay, () => {
          this.event(`cancel-shown for ${windowMs} ms`);
          // The window's end is scheduled before the softkey shows: a Cancel pressed the instant it shows leaves this
          // state, and leaving cancels the timer (scheduled after, it would start the application behind the Cancel).
          this.after(windowMs, () => {
            this.event('cancel-hidden');
            this.startApplication();
          });
          this.show([w.loading, this.versionLine()], softkeys({ [this.spec.cancelSoftkey]: 'Cancel' }));
        });
      });
    });
  }

  /** The application's version as a boot screen shows it (seed 001: "the SIP / UC Software Version"). */
  private versionLine(): string {
    return this.preUpdater ? `SIP ${this.software}` : `UC Software ${this.software}`;
  }

  /** Before UC Software 3.3.0: the BootROM counts down by itself, no Updater, no Cancel. */
  private bootRomBoot(): void {
    const b = this.spec.boot;
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.darkMs(b.powerOnToUpdaterMs), () => {
      this.enter('bootrom');
      this.event('bootrom');
      this.show(['Polycom BootROM', this.versionLine()]);
      this.after(this.bootMs(b.updaterMs), () => this.countdown());
    });
  }

  /** Poly Edge E: the Handsfree and Headset lights mark the combo's window (seed 001). */
  private edgeBoot(): void {
    const ledsOff = Object.fromEntries(EDGE_E_BOOT.leds.map((l) => [l, 'off']));
    const ledsOn = Object.fromEntries(EDGE_E_BOOT.leds.map((l) => [l, 'on']));
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.darkMs(this.spec.boot.powerOnToUpdaterMs), () => {
      this.enter('edge-leds');
      this.event('leds-on');
      this.show([LOGO, this.versionLine()], softkeys(), ledsOn);
      this.after(this.timing.jitter(EDGE_E_BOOT.ledsOnMs), () => {
        this.enter('edge-window');
        this.stale = new Set(this.physical);
        this.event('leds-off');
        this.show([LOGO, this.versionLine()], softkeys(), ledsOff);
        this.after(this.timing.jitter(EDGE_E_BOOT.windowMs), () => {
          this.event('window-closed');
          this.startApplication();
        });
      });
    });
  }

  /** After Format File System: the Updater finds no application and waits for a provisioning server (seed 001). */
  private noApplication(): void {
    this.enter('dark');
    this.show([], [], {}, false);
    this.after(this.timing.jitter(this.spec.boot.powerOnToUpdaterMs), () => {
      this.enter('no-application');
      this.event('application-not-found');
      this.show(['Polycom Updater', 'Application not found', 'Contacting provisioning server...']);
    });
  }

  /** The reboot combo, held about three seconds on the idle screen, reboots the phone (seed 001). */
  private checkRebootCombo(): void {
    const combo = this.spec.rebootCombo?.keys;
    // A combo of dial-pad keys opens the dialer on its first key: held there, it reboots the phone all the same.
    const held = (this.st === 'idle' || this.st === 'dialing') && this.powered && combo !== undefined && this.allDown(combo);
    if (held && this.rebootTimer === undefined) {
      this.event('reboot-combo-held');
      this.rebootTimer = this.after(this.rebootHoldMs, () => {
        this.rebootTimer = undefined;
        this.event('reboot-tone');
        this.reboots++;
        this.boot();
      });
    } else if (!held && this.rebootTimer !== undefined) {
      this.cancel(this.rebootTimer);
      this.rebootTimer = undefined;
      this.event('reboot-combo-released-early');
    }
  }

  /** What the admin menu's Yes does (seed 001's options; seed 003's Reboot Phone). */
  private perform(action: AdminAction): void {
    if (action === 'factory') {
      this.resetConfiguration();
      return;
    }
    if (action === 'reboot') {
      this.event('menu-reboot');
      this.boot();
      return;
    }
    const field = ({ local: 'localConfig', web: 'webConfig', device: 'deviceSettings', format: 'fileSystemFormatted' } as const)[action];
    this.enter('resetting');
    this.event(`menu-${action}`);
    this.show(['Please wait...']);
    // Assumption: a partial reset takes a few seconds, then the phone restarts. Cleared only once done.
    this.after(this.timing.jitter({ min: 2_000, max: 5_000 }), () => {
      this.config[field] = true;
      this.boot();
    });
  }

  private startApplication(): void {
    const ms = this.bootMs(this.spec.boot.appStartMs);
    this.enter('starting');
    this.event('starting-application');
    this.show([this.variant.wording.starting]);
    this.after(ms, () => this.idle());
  }

  private idle(): void {
    this.enter('idle');
    this.event('idle');
    const wiped = !this.oldSoftware && (this.atDefaults || this.phase === 'reboot-1' || this.phase === 'reboot-2');
    // The truth is settled before the idle screen shows, so an observer of the screen never sees it lag behind.
    if (this.phase === 'reboot-1') {
      // Seed 002: "Give the phone a few minutes for a second automatic reboot".
      this.phase = 'running-1';
      this.after(this.resetWaitMs(this.spec.reset.firstRunMs), () => {
        this.event('automatic-reboot');
        this.phase = 'reboot-2';
        this.boot();
      });
    } else if (this.phase === 'reboot-2') {
      this.phase = 'none';
      this.resets++;
      if (this.oldSoftware) {
        this.deviceResetOnly = true;
        this.event('device-reset-complete');
      } else {
        this.atDefaults = true;
        this.config.localConfig = this.config.webConfig = this.config.deviceSettings = true;
        this.setup?.factoryReset();
        this.event('factory-defaults');
      }
    }
    const w = this.variant.wording;
    this.show([this.spec.name, wiped ? w.idleWiped : w.idleConfigured], IDLE_SOFTKEYS);
  }

  /**
   * A dial-pad key on the idle screen starts a number, as a desk phone does: the dialer shows the digits so far
   * (assumption: the seeds say nothing of it; the layout is this simulator's own). Its Cancel softkey, or some seconds
   * without a key (drawn per unit), go back to the idle screen. Send places no call here: calls are not simulated.
   */
  private dial(key: Key): void {
    if (this.st !== 'dialing') {
      this.enter('dialing');
      this.dialled = '';
      // A reboot combo of dial-pad keys may be complete already: its hold counts on in the dialer.
      this.checkRebootCombo();
    }
    this.dialled = (this.dialled + key).slice(-32);
    this.show([this.spec.name, this.dialled], ['Send', '', '', 'Cancel']);
    if (this.dialTimer !== undefined) this.cancel(this.dialTimer);
    this.dialTimer = this.after(this.dialTimeoutMs, () => {
      this.dialTimer = undefined;
      this.idle();
    });
  }

  private cancelPressed(): void {
    this.enter('cancelling');
    this.event('cancel-pressed');
    this.show(['Please wait...']);
    this.after(this.bootMs(this.spec.boot.cancelToCountdownMs), () => this.countdown());
  }

  private countdown(): void {
    const total = this.timing.jitter({ min: this.countdownMs * 0.97, max: this.countdownMs * 1.03 });
    const end = this.clock.now() + total;
    this.enter('countdown');
    this.event(`countdown ${total} ms`);
    const tick = (): void => {
      const left = end - this.clock.now();
      if (left <= 0) {
        this.event('countdown-expired');
        this.startApplication();
        return;
      }
      const n = Math.ceil(left / 1000);
      // The next tick is scheduled before the screen shows: a controller that presses Setup the instant it sees the
      // screen leaves the countdown inside show(), and leaving cancels the tick.
      this.after(left - (n - 1) * 1000, tick);
      this.show(this.variant.wording.countdown(n), COUNTDOWN_SOFTKEYS);
    };
    tick();
    // The bootloader scans the keypad: a combo already held when the countdown starts counts from now.
    this.checkCombo();
  }

  /** The combo is held: all its keys down, and no other dial key down (softkeys and others do not matter). */
  private comboHeld(): boolean {
    if (!this.combo.every((k) => this.physical.has(k) && !this.stale.has(k))) return false;
    for (const k of this.physical) if (DIAL.has(k) && !this.combo.includes(k)) return false;
    return true;
  }

  private checkCombo(): void {
    if (this.st !== 'countdown' && this.st !== 'edge-window') return;
    const held = this.comboHeld();
    if (held && this.holdTimer === undefined) {
      const need = this.timing.jitter({ min: this.comboHoldMs * 0.95, max: this.comboHoldMs * 1.05 });
      this.event(`combo-held, needs ${need} ms`);
      this.holdTimer = this.after(need, () => {
        this.holdTimer = undefined;
        this.event('combo-accepted');
        if (this.variant.preludeMs <= 0) {
          this.prompt('password');
          return;
        }
        // This phone shows a screen of its own on the way to the prompt (variants.ts).
        this.enter('prelude');
        this.show(this.variant.wording.prelude);
        this.after(this.variant.preludeMs, () => this.prompt('password'));
      });
    } else if (!held && this.holdTimer !== undefined) {
      this.cancel(this.holdTimer);
      this.holdTimer = undefined;
      this.event('combo-broken');
    }
  }

  // ---- the password prompts ---------------------------------------------------------------------------------

  private prompt(kind: 'password' | 'setup-password'): void {
    this.enter(kind);
    this.field = new MultiTapField(this.keypad, this.clock);
    this.event(kind === 'password' ? 'password-prompt' : 'setup-password-prompt');
    this.renderPrompt();
  }

  private renderPrompt(): void {
    const field = this.field;
    if (!field) return;
    const labels: Partial<Record<Key, string>> = { [this.spec.okSoftkey]: 'OK' };
    for (const k of [this.keypad.modeKey, ...this.spec.altModeKeys]) {
      if (softkeyIndex(k) !== undefined) labels[k] = this.variant.keypad.labels[field.mode];
    }
    labels.softkey4 = this.st === 'password' ? 'Cancel' : 'Exit';
    // The mode shows only on the mode softkey's label (seed 000 "(1->abc)"); the field shows a star per character.
    const title = this.st === 'password' ? this.variant.wording.prompt : 'Enter setup password:';
    this.show([title, '*'.repeat(field.value.length)], softkeys(labels));
  }

  private isModeKey(key: Key): boolean {
    return key === this.keypad.modeKey || this.spec.altModeKeys.includes(key);
  }

  private promptTap(key: Key): void {
    const field = this.field!;
    if (this.isModeKey(key)) {
      field.keyDown(this.keypad.modeKey);
      this.renderPrompt();
      return;
    }
    const label = this.softkeyLabel(key);
    if (label === 'OK') {
      this.submit(field.value);
      return;
    }
    if (label === 'Cancel' || label === 'Exit') {
      this.event(`${label.toLowerCase()}-pressed at the prompt`);
      this.startApplication();
      return;
    }
    if (field.keyDown(key)) this.renderPrompt();
  }

  private passwordMatches(typed: string): boolean {
    if (typed === this.adminPassword) return true;
    if (this.caseRule === 'upper') return typed === this.mac.toUpperCase();
    return this.caseRule === 'lower' ? typed === this.mac : typed.toLowerCase() === this.mac;
  }

  private submit(typed: string): void {
    if (this.st === 'setup-password') {
      if (this.setup && typed === this.adminPassword) {
        this.event('setup-password-accepted');
        this.enter('setup');
        this.setup.open();
        return;
      }
      this.event(`setup-password-submitted "${typed}"`);
      this.invalidPassword();
      return;
    }
    if (this.passwordMatches(typed)) {
      this.event(`password-accepted "${typed}"`);
      this.resetConfiguration();
    } else {
      this.event(`password-rejected "${typed}"`);
      this.invalidPassword();
    }
  }

  private invalidPassword(): void {
    this.enter('invalid-password');
    this.show([this.variant.wording.rejected]);
    this.after(this.timing.jitter(this.spec.invalidPasswordMs), () => this.startApplication());
  }

  // ---- the reset (seed 002) ---------------------------------------------------------------------------------

  private resetConfiguration(): void {
    const r = this.spec.reset;
    this.phase = 'wiping';
    this.enter('resetting');
    this.event('resetting-configuration');
    this.show(this.variant.wording.resetting);
    this.after(this.resetWaitMs(r.resettingMs), () => {
      this.enter('reset-done');
      this.event('configuration-reset');
      this.show(this.variant.wording.resetDone);
      this.after(this.resetWaitMs(r.resetDoneMs), () => {
        this.event('reboot');
        this.phase = 'reboot-1';
        this.boot();
      });
    });
  }

  // ---- key dispatch -----------------------------------------------------------------------------------------

  /** A key-down the phone registers, by state. */
  private tap(key: Key): void {
    switch (this.st) {
      case 'loading':
        if (this.softkeyLabel(key) === 'Cancel') this.cancelPressed();
        return;
      case 'countdown': {
        const label = this.softkeyLabel(key);
        if (label === 'Start') {
          this.event('start-pressed');
          this.startApplication();
        } else if (label === 'Setup') {
          this.event('setup-pressed');
          this.prompt('setup-password');
        }
        return;
      }
      case 'password':
      case 'setup-password':
        this.promptTap(key);
        return;
      case 'setup':
        this.setup?.tap(key);
        return;
      case 'idle':
        // The admin menus (seeds 001, 003); not between the two reboots of a reset (assumption).
        if (key === 'menu' && this.phase === 'none') {
          this.enter('menu');
          this.menu.open();
        } else if (DIAL.has(key) && this.phase === 'none') {
          this.dial(key);
        }
        return;
      case 'dialing':
        if (DIAL.has(key)) this.dial(key);
        else if (this.softkeyLabel(key) === 'Cancel') this.idle();
        return;
      case 'menu':
        this.menu.tap(key);
        return;
      default:
        return;
    }
  }

  private untap(key: Key): void {
    if (this.st === 'setup') {
      this.setup?.untap(key);
      return;
    }
    if (this.st === 'menu') {
      this.menu.untap(key);
      return;
    }
    this.field?.keyUp(this.isModeKey(key) ? this.keypad.modeKey : key);
  }

  private softkeyLabel(key: Key): string | undefined {
    const i = softkeyIndex(key);
    if (i === undefined) return undefined;
    const label = this.shown.softkeys[i];
    return label === '' ? undefined : label;
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------

  /** Enters a state: every timer of the previous state is cancelled, and what belonged to it is dropped. */
  protected override enter(state: SimPhoneState): void {
    super.enter(state);
    this.holdTimer = undefined;
    this.rebootTimer = undefined;
    this.dialTimer = undefined;
    if (state !== 'password' && state !== 'setup-password') this.field = undefined;
    if (state !== 'edge-window') this.stale.clear();
  }
}
