/**
 * The simulated phone's Setup menu (the boot-time menu behind the countdown screen's Setup softkey), modelled on
 * seeds 002 and 003, never on the controller. The phone (phone.ts) shows the Setup password prompt and checks the
 * admin password; once it is accepted the phone hands its screen and keys to this menu until the menu leaves Setup.
 *
 *   seed 002: "From this menu make sure the Provisioning Server option is highlighted using the arrow keys, and then
 *   press the Select key." "Scroll down to the following options and click on select (on each option) to enter the
 *   provisioning information": Server Type, Server Address, Server user, Server password. "Note: Use * for . and #
 *   for /". "Once all information is input click on the Exit soft key. Click Exit again on the following screen."
 *   'On the Exit option screen select "Save & Reboot".' "The phone will save the configuration and reboot."
 *   seed 003: "Select the Server Menu. Change Server Type to HTTPS. Change Server Address ... Exit Server Menu.
 *   Select SNTP Address. Enter pool.ntp.org. Select Exit, then select Save & Reboot."
 *
 * SCREENS (what a camera reads; at most MENU_ROWS items show under a title, the list scrolls with the highlight):
 *
 *   screen   lines                                                 softkeys
 *   menu     [<title>, '> <item>' (highlighted) | '  <item>', ...]  ['Select', '', '', 'Exit']
 *            an item with a value shows it after a colon: 'Server Type: FTP', 'Server Address: x.example.com',
 *            'Server Password: ****' (one '*' a character). Titles: 'Setup Menu', then the submenu's own name.
 *            VVX:        Setup Menu: Network Interfaces, Provisioning Server, DHCP Menu, SNTP Address, Syslog Menu
 *                        Provisioning Server: Server Type, Server Address, Server User, Server Password, File Tx Tries
 *            SoundPoint: Setup Menu: DHCP Menu, Server Menu, Ethernet Menu, Syslog Menu, SNTP Address, GMT Offset
 *                        Server Menu: Server Type, Server Address, Server User, Server Password, File Tx Tries,
 *                        Retry Wait
 *            up/down move the highlight (no wrap); Select (the navigation key, or the Select softkey) opens the item;
 *            Exit leaves a submenu for the Setup Menu, and the Setup Menu for the exit screen.
 *   editor   ['<label>:', <value, or one '*' a character for the     ['OK', <mode label>, '<<', 'Cancel']
 *            password>, '[123]' | '[abc]' | '[ABC]']
 *            a multi-tap field (keypad.ts) that starts with the item's current value, in its initial mode; '<<' (or
 *            the Delete key) deletes the last character; OK (or Select) keeps the value, Cancel drops it.
 *   choice   ['<label>:', '> FTP' | '  FTP', ... the server types]  ['Select', '', '', 'Cancel']
 *            up/down and Select (or the Select softkey) pick a type; Cancel keeps the old one.
 *   exit     ['Exit Setup', '> Cancel', '  Save & Reboot',          ['Select', '', '', '']
 *            '  Exit w/o Saving']
 *            Cancel: back to the Setup Menu; Save & Reboot: "Saving configuration..." then the phone reboots with the
 *            new settings; Exit w/o Saving: the edits are dropped and the application starts.
 *   saving   ['Saving configuration...']                            ['', '', '', '']
 *
 * Items without a field (DHCP Menu, Syslog Menu, ...) and keys with no meaning on a screen do nothing. Edits are kept
 * in a draft until Save & Reboot; power lost before that drops them. A completed factory reset restores the factory
 * settings (seed 002: the reset "clears the flash parameters").
 */
import type { Clock } from '../clock/clock.js';
import type { Key } from '../bench/keys.js';
import type { SimMode as Mode } from './variants.js';
import { MultiTapField, type SimKeypadSpec } from './keypad.js';
import type { Range } from './rng.js';

/** The settings Setup edits, as the phone holds them. */
export interface SetupSettings {
  serverType: string;
  serverAddress: string;
  serverUser: string;
  serverPassword: string;
  sntpAddress: string;
}

/** The phone's account of its Setup settings for its truth: the password is never given out (see passwordIs). */
export interface SetupTruth {
  serverType: string;
  serverAddress: string;
  serverUser: string;
  sntpAddress: string;
  /** The password's length (what the phone shows of it: one '*' a character). */
  serverPasswordLength: number;
  /** Save & Reboot completed this many times. */
  saves: number;
}

/**
 * The admin passwords a simulated phone's Setup prompt may take, one per phone instance (seed 002: "Enter 456 (if
 * this doesn't work please try 789 or 1966)").
 */
export const SETUP_ADMIN_PASSWORDS: readonly string[] = ['456', '789', '1966'];

/** Server types on the Server Type screen (seed 002 sets HTTP, seed 003 HTTPS; the others: assumption). */
export const SIM_SERVER_TYPES: readonly string[] = ['FTP', 'TFTP', 'HTTP', 'HTTPS', 'FTPS'];

/** Assumption (no seed gives them): Polycom's factory provisioning settings, FTP with the PlcmSpIp account. */
export const FACTORY_SETUP_SETTINGS: Readonly<SetupSettings> = {
  serverType: 'FTP',
  serverAddress: '',
  serverUser: 'PlcmSpIp',
  serverPassword: 'PlcmSpIp',
  sntpAddress: '',
};

/** Items a menu screen shows at once under its title (assumption: a small desk-phone display). */
export const MENU_ROWS = 4;

type Field = keyof SetupSettings;

type Item =
  | { kind: 'menu'; label: string; items: Item[] }
  | { kind: 'text'; label: string; field: Field; secret?: true }
  | { kind: 'choice'; label: string; field: Field; options: readonly string[] }
  | { kind: 'inert'; label: string };

const text = (label: string, field: Field, secret = false): Item =>
  secret ? { kind: 'text', label, field, secret: true } : { kind: 'text', label, field };
const inert = (label: string): Item => ({ kind: 'inert', label });

/** seed 002's four fields (its "Server user" and "Server password" as the menu spells them: assumption). */
const serverFields = (): Item[] => [
  { kind: 'choice', label: 'Server Type', field: 'serverType', options: SIM_SERVER_TYPES },
  text('Server Address', 'serverAddress'),
  text('Server User', 'serverUser'),
  text('Server Password', 'serverPassword', true),
  inert('File Tx Tries'),
];

interface SetupLayout {
  main: Item[];
  /** The Setup fields' keypad, from the platform's password keypad. */
  keypad: (platform: Omit<SimKeypadSpec, 'cursorTimeoutMs'>) => Omit<SimKeypadSpec, 'cursorTimeoutMs'>;
}

/** Setup menus by platform; a platform not listed has no Setup menu (its Setup prompt takes no password). */
const LAYOUTS: Record<string, SetupLayout> = {
  vvx: {
    // seed 002: "make sure the Provisioning Server option is highlighted using the arrow keys": not the first item.
    // SNTP Address on the Setup Menu: seed 003. The other items: assumption.
    main: [
      inert('Network Interfaces'),
      { kind: 'menu', label: 'Provisioning Server', items: serverFields() },
      inert('DHCP Menu'),
      text('SNTP Address', 'sntpAddress'),
      inert('Syslog Menu'),
    ],
    // The VVX password keypad already types . with * and / with # (seed 002): the mode key is the 2nd softkey.
    keypad: (k) => ({ ...k }),
  },
  soundpoint: {
    // seed 003: "Select the Server Menu" ... "Exit Server Menu. Select SNTP Address". The other items: assumption.
    main: [
      inert('DHCP Menu'),
      { kind: 'menu', label: 'Server Menu', items: [...serverFields(), inert('Retry Wait')] },
      inert('Ethernet Menu'),
      inert('Syslog Menu'),
      text('SNTP Address', 'sntpAddress'),
      inert('GMT Offset'),
    ],
    // seed 002: "Use * for . and # for /", so # types / here and the mode is stepped by the softkey (seed 002:
    // "Click on A->Aa soft key to change the options from numbers to capital or lower case letters").
    keypad: (k) => ({ ...k, modeKey: 'softkey2', symbols: { '*': '.', '#': '/' } }),
  },
};

/** What the menu needs from its phone. */
export interface SetupHost {
  readonly clock: Clock;
  show(lines: string[], softkeys: string[]): void;
  /** Runs `fn` after `ms` unless the phone changes state first (power lost). */
  after(ms: number, fn: () => void): void;
  event(what: string): void;
  /** A figure drawn from the phone's timing randomness. */
  jitter(range: Range): number;
  /** The phone reboots (power-on boot timeline). */
  reboot(): void;
  /** The application starts (Setup left without saving). */
  startApplication(): void;
}

export interface SetupMenuConfig {
  platform: string;
  /** The phone's password keypad, with its cursor timeout. */
  keypad: SimKeypadSpec;
  /** Label of the mode softkey per mode. */
  modeLabels: Record<Mode, string>;
  host: SetupHost;
}

/** "Saving configuration..." lasts this long before the reboot (assumption). */
const SAVING_MS: Range = { min: 1_000, max: 2_500 };
const EXIT_ITEMS = ['Cancel', 'Save & Reboot', 'Exit w/o Saving'] as const;
const SOFTKEY_COUNT = 4;

/** One open menu level: its items, the highlighted one, and the first shown. */
interface Level {
  title: string;
  items: Item[];
  at: number;
  top: number;
}

type Screen =
  | { kind: 'menu' }
  | { kind: 'editor'; item: Extract<Item, { kind: 'text' }>; base: string; field: MultiTapField }
  | { kind: 'choice'; item: Extract<Item, { kind: 'choice' }>; at: number; top: number }
  | { kind: 'exit'; at: number }
  | { kind: 'saving' };

export class SetupMenu {
  private readonly layout: SetupLayout;
  private readonly keypad: SimKeypadSpec;
  private readonly modeLabels: Record<Mode, string>;
  private readonly host: SetupHost;
  private saved: SetupSettings = { ...FACTORY_SETUP_SETTINGS };
  private draft: SetupSettings = { ...FACTORY_SETUP_SETTINGS };
  private saves = 0;
  private stack: Level[] = [];
  private screen: Screen = { kind: 'menu' };
  /** The softkey labels shown now. */
  private keys: string[] = [];

  /** The Setup menu of a platform, or undefined when the simulator gives it none. */
  static forPlatform(config: SetupMenuConfig): SetupMenu | undefined {
    const layout = LAYOUTS[config.platform];
    return layout ? new SetupMenu(layout, config) : undefined;
  }

  private constructor(layout: SetupLayout, config: SetupMenuConfig) {
    this.layout = layout;
    const { cursorTimeoutMs, ...rest } = config.keypad;
    this.keypad = { ...layout.keypad(rest), cursorTimeoutMs };
    this.modeLabels = config.modeLabels;
    this.host = config.host;
  }

  /** The admin password was accepted: the Setup Menu, with a draft of the saved settings. */
  open(): void {
    this.draft = { ...this.saved };
    this.stack = [{ title: 'Setup Menu', items: this.layout.main, at: 0, top: 0 }];
    this.screen = { kind: 'menu' };
    this.host.event('setup-menu');
    this.render();
  }

  /** A completed factory reset: the factory settings again. */
  factoryReset(): void {
    this.saved = { ...FACTORY_SETUP_SETTINGS };
  }

  /** Whether the phone holds exactly this provisioning password (the truth answers yes or no, never the value). */
  passwordIs(candidate: string): boolean {
    return this.saved.serverPassword === candidate;
  }

  truth(): SetupTruth {
    const { serverType, serverAddress, serverUser, sntpAddress, serverPassword } = this.saved;
    return { serverType, serverAddress, serverUser, sntpAddress, serverPasswordLength: [...serverPassword].length, saves: this.saves };
  }

  /** A key-down while the phone is in Setup. */
  tap(key: Key): void {
    const s = this.screen;
    switch (s.kind) {
      case 'menu':
        return this.menuKey(key);
      case 'editor':
        return this.editorKey(s, key);
      case 'choice':
        return this.choiceKey(s, key);
      case 'exit':
        return this.exitKey(s, key);
      case 'saving':
        return;
    }
  }

  untap(key: Key): void {
    if (this.screen.kind === 'editor') this.screen.field.keyUp(key);
  }

  // ---- screens ------------------------------------------------------------------------------------------------

  private menuKey(key: Key): void {
    const level = this.stack.at(-1)!;
    const label = this.softkeyLabel(key);
    if (key === 'up' || key === 'down') {
      const at = Math.max(0, Math.min(level.items.length - 1, level.at + (key === 'up' ? -1 : 1)));
      level.at = at;
      level.top = scrolled(level.top, at);
      this.render();
    } else if (key === 'select' || label === 'Select') {
      this.openItem(level.items[level.at]!);
    } else if (label === 'Exit') {
      if (this.stack.length > 1) this.stack.pop();
      else this.screen = { kind: 'exit', at: 0 };
      this.render();
    }
  }

  private openItem(item: Item): void {
    switch (item.kind) {
      case 'menu':
        this.stack.push({ title: item.label, items: item.items, at: 0, top: 0 });
        break;
      case 'text':
        this.screen = { kind: 'editor', item, base: this.draft[item.field], field: new MultiTapField(this.keypad, this.host.clock) };
        break;
      case 'choice': {
        const at = Math.max(0, item.options.indexOf(this.draft[item.field]));
        this.screen = { kind: 'choice', item, at, top: scrolled(0, at) };
        break;
      }
      case 'inert':
        return;
    }
    this.render();
  }

  private editorKey(s: Extract<Screen, { kind: 'editor' }>, key: Key): void {
    const label = this.softkeyLabel(key);
    if (label === 'OK' || key === 'select') {
      this.draft[s.item.field] = s.base + s.field.value;
      // The value itself is never logged: a password field's is a secret.
      this.host.event(`setup-field ${s.item.label} set (${this.draft[s.item.field].length} characters)`);
      this.back();
    } else if (label === 'Cancel') {
      this.back();
    } else if (label === '<<' || key === 'delete') {
      this.backspace(s);
      this.render();
    } else if (key === this.keypad.modeKey || label === undefined) {
      if (s.field.keyDown(key)) this.render();
    }
  }

  /** Deletes the last character: the field restarts on what is left, in the mode it was in. */
  private backspace(s: Extract<Screen, { kind: 'editor' }>): void {
    const value = s.base + s.field.value;
    if (value === '') return;
    const mode = s.field.mode;
    const field = new MultiTapField(this.keypad, this.host.clock);
    // Step the fresh field round to the same mode (mode taps on an empty field type nothing).
    while (field.mode !== mode) {
      field.keyDown(this.keypad.modeKey);
      field.keyUp(this.keypad.modeKey);
    }
    this.screen = { ...s, base: value.slice(0, -1), field };
  }

  private choiceKey(s: Extract<Screen, { kind: 'choice' }>, key: Key): void {
    const label = this.softkeyLabel(key);
    if (key === 'up' || key === 'down') {
      const at = Math.max(0, Math.min(s.item.options.length - 1, s.at + (key === 'up' ? -1 : 1)));
      this.screen = { ...s, at, top: scrolled(s.top, at) };
      this.render();
    } else if (key === 'select' || label === 'Select') {
      this.draft[s.item.field] = s.item.options[s.at]!;
      this.host.event(`setup-field ${s.item.label} set to ${this.draft[s.item.field]}`);
      this.back();
    } else if (label === 'Cancel') {
      this.back();
    }
  }

  private exitKey(s: Extract<Screen, { kind: 'exit' }>, key: Key): void {
    if (key === 'up' || key === 'down') {
      this.screen = { kind: 'exit', at: Math.max(0, Math.min(EXIT_ITEMS.length - 1, s.at + (key === 'up' ? -1 : 1))) };
      this.render();
      return;
    }
    if (key !== 'select' && this.softkeyLabel(key) !== 'Select') return;
    const choice = EXIT_ITEMS[s.at]!;
    if (choice === 'Cancel') {
      this.back();
    } else if (choice === 'Save & Reboot') {
      this.saved = { ...this.draft };
      this.saves++;
      this.host.event('setup-saved');
      this.screen = { kind: 'saving' };
      this.render();
      this.host.after(this.host.jitter(SAVING_MS), () => {
        this.host.event('setup-reboot');
        this.host.reboot();
      });
    } else {
      this.host.event('setup-left-without-saving');
      this.host.startApplication();
    }
  }

  /** Back to the menu that was open. */
  private back(): void {
    this.screen = { kind: 'menu' };
    this.render();
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  private render(): void {
    const s = this.screen;
    switch (s.kind) {
      case 'menu': {
        const level = this.stack.at(-1)!;
        const rows = level.items.map((item) => this.itemLine(item));
        this.show([level.title, ...visibleRows(rows, level.at, level.top)], softkeys(['Select', '', '', 'Exit']));
        return;
      }
      case 'editor': {
        const value = s.base + s.field.value;
        const shown = s.item.secret ? '*'.repeat(value.length) : value;
        const keys: Record<string, string> = { softkey1: 'OK', softkey3: '<<', softkey4: 'Cancel' };
        if (/^softkey\d$/.test(this.keypad.modeKey)) keys[this.keypad.modeKey] = this.modeLabels[s.field.mode];
        this.show([`${s.item.label}:`, shown, `[${s.field.mode}]`], softkeys(keys));
        return;
      }
      case 'choice':
        this.show([`${s.item.label}:`, ...visibleRows([...s.item.options], s.at, s.top)], softkeys(['Select', '', '', 'Cancel']));
        return;
      case 'exit':
        this.show(['Exit Setup', ...visibleRows([...EXIT_ITEMS], s.at, 0)], softkeys(['Select', '', '', '']));
        return;
      case 'saving':
        this.show(['Saving configuration...'], softkeys([]));
        return;
    }
  }

  private itemLine(item: Item): string {
    if (item.kind === 'text') {
      const v = this.draft[item.field];
      return `${item.label}: ${item.secret ? '*'.repeat(v.length) : v}`;
    }
    if (item.kind === 'choice') return `${item.label}: ${this.draft[item.field]}`;
    return item.label;
  }

  /** The label of a softkey on the screen shown now, or undefined. */
  private softkeyLabel(key: Key): string | undefined {
    const m = /^softkey(\d)$/.exec(key);
    const label = m ? this.keys[Number(m[1]) - 1] : undefined;
    return label === '' ? undefined : label;
  }

  private show(lines: string[], keys: string[]): void {
    this.keys = keys;
    this.host.show(lines, keys);
  }
}

/** The first row shown so that row `at` is visible, moving the window as little as possible. */
function scrolled(top: number, at: number): number {
  if (at < top) return at;
  if (at >= top + MENU_ROWS) return at - MENU_ROWS + 1;
  return top;
}

/** The visible rows, the highlighted one marked with '> ', the others indented to match. */
function visibleRows(rows: string[], at: number, top: number): string[] {
  return rows.slice(top, top + MENU_ROWS).map((r, i) => (top + i === at ? `> ${r}` : `  ${r}`));
}

function softkeys(labels: string[] | Record<string, string>): string[] {
  const out = Array.from({ length: SOFTKEY_COUNT }, () => '');
  if (Array.isArray(labels)) {
    labels.slice(0, SOFTKEY_COUNT).forEach((l, i) => (out[i] = l));
    return out;
  }
  for (const [key, label] of Object.entries(labels)) {
    const i = Number(/^softkey(\d)$/.exec(key)?.[1]) - 1;
    if (i >= 0 && i < SOFTKEY_COUNT) out[i] = label;
  }
  return out;
}
