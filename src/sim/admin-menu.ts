/**
 * The simulated phone's admin menus (the Menu key on the idle screen), modelled on seeds 001 and 003, never on the
 * controller:
 *
 *   seed 001, "Option 2 via the Phone GUI": "Press the Menu Key: ... Select Settings ... Select Advanced (Password
 *   456) ... Select Admin Settings ... Select Reset to Defaults", then the options it explains: Reset Local
 *   Configuration, Reset Web Configuration, Reset Device Settings, Format File System, and "Reset to Factory (Only UC
 *   Software 4.0.0 or later!)".
 *   seed 003, "Reset Phone to Factory Defaults": "1. Press the Menu key. 2. Select the Settings option. 3. Select the
 *   Advanced option. 4. Enter the password 456 and press the Enter softkey. ... 5. Select Admin Settings. 6. Select
 *   Reboot Phone." and "Press the Menu key, and then scroll past Features to Status".
 *
 * SCREENS (what a camera reads):
 *
 *   screen    lines                                                 softkeys
 *   menu      [<title>, '> <item>' (highlighted) | '  <item>', ...]  ['Select', '', '', 'Exit']
 *             Main Menu: Features, Settings, Status            Settings: Basic, Advanced
 *             Advanced: Admin Settings                        Admin Settings: Reset to Defaults, Reboot Phone
 *             Reset to Defaults: Reset Local Configuration, Reset Web Configuration, Reset Device Settings, Format
 *             File System, and Reset to Factory on UC Software 4.0.0 or later
 *             up/down move the highlight (no wrap); Select (the navigation key or the softkey) opens an item; Exit (or
 *             Back) goes up a level, out of the Main Menu to the idle screen; the Menu key leaves the menus at once.
 *             Items the seeds do not open (Features, Status, Basic) do nothing.
 *   password  ['Enter password:', <one '*' a character>, '[123]' ...]  ['Enter', <mode label>, '', 'Cancel']
 *             the phone's multi-tap field; Enter with the admin password opens Advanced, with anything else shows
 *             ['Invalid password'] for 2 to 4 s, then Settings; Cancel: Settings.
 *   confirm   ['<item>?', 'Are you sure?']                          ['Yes', '', '', 'No']
 *             Yes: the phone performs it; No: back to the menu.
 *
 * The order of the Reset to Defaults items follows seed 001's explanation (an assumption: the seed shows the menu only
 * as pictures), as do the confirm screen and the other menus' extra items (assumptions).
 */
import type { Clock } from '../clock/clock.js';
import type { Key } from '../bench/keys.js';
import type { SimMode as Mode } from './variants.js';
import { MultiTapField, type SimKeypadSpec } from './keypad.js';
import type { Range } from './rng.js';

/** What the user can confirm in the menus. */
export type AdminAction = 'factory' | 'local' | 'web' | 'device' | 'format' | 'reboot';

export interface AdminMenuHost {
  readonly clock: Clock;
  show(lines: string[], softkeys: string[]): void;
  /** Runs `fn` after `ms` unless the phone changes state first. */
  after(ms: number, fn: () => void): void;
  event(what: string): void;
  jitter(range: Range): number;
  /** Leaves the menus for the idle screen. */
  exit(): void;
  /** Performs a confirmed action. */
  perform(action: AdminAction): void;
}

export interface AdminMenuConfig {
  keypad: SimKeypadSpec;
  /** Keys that also step the field's mode (the softkey beneath the mode label on SoundPoint). */
  altModeKeys: Key[];
  modeLabels: Record<Mode, string>;
  adminPassword: string;
  /** Whether the software offers "Reset to Factory" (UC Software 4.0.0 or later). */
  hasResetToFactory: boolean;
  host: AdminMenuHost;
}

interface Item {
  label: string;
  /** The submenu it opens, `password` for the Advanced prompt, or the action it asks to confirm. */
  opens?: string | 'password';
  action?: AdminAction;
}

/** Assumption: the rejection shows for a few seconds. */
const INVALID_MS: Range = { min: 2_000, max: 4_000 };
const MENU_SOFTKEYS = ['Select', '', '', 'Exit'];

type MenuScreen = { kind: 'menu'; name: string; highlight: number };
type Screen = MenuScreen | { kind: 'password'; field: MultiTapField } | { kind: 'confirm'; item: Item; from: MenuScreen } | { kind: 'invalid' };

export class AdminMenu {
  private readonly menus: Record<string, Item[]>;
  private readonly parents: Record<string, string | undefined>;
  private readonly config: AdminMenuConfig;
  private screen: Screen = { kind: 'menu', name: 'Main Menu', highlight: 0 };
  /** The menu stack's highlights, so going back lands where the user was. */
  private readonly stack: { name: string; highlight: number }[] = [];

  constructor(config: AdminMenuConfig) {
    this.config = config;
    const resets: Item[] = [
      { label: 'Reset Local Configuration', action: 'local' },
      { label: 'Reset Web Configuration', action: 'web' },
      { label: 'Reset Device Settings', action: 'device' },
      { label: 'Format File System', action: 'format' },
      ...(config.hasResetToFactory ? [{ label: 'Reset to Factory', action: 'factory' as const }] : []),
    ];
    this.menus = {
      'Main Menu': [{ label: 'Features' }, { label: 'Settings', opens: 'Settings' }, { label: 'Status' }],
      Settings: [{ label: 'Basic' }, { label: 'Advanced', opens: 'password' }],
      Advanced: [{ label: 'Admin Settings', opens: 'Admin Settings' }],
      'Admin Settings': [
        { label: 'Reset to Defaults', opens: 'Reset to Defaults' },
        { label: 'Reboot Phone', action: 'reboot' },
      ],
      'Reset to Defaults': resets,
    };
    this.parents = { 'Main Menu': undefined, Settings: 'Main Menu', Advanced: 'Settings', 'Admin Settings': 'Advanced', 'Reset to Defaults': 'Admin Settings' };
  }

  /** The Menu key on the idle screen. */
  open(): void {
    this.stack.length = 0;
    this.screen = { kind: 'menu', name: 'Main Menu', highlight: 0 };
    this.config.host.event('menu-opened');
    this.render();
  }

  tap(key: Key): void {
    const s = this.screen;
    if (key === 'menu') {
      this.leave();
      return;
    }
    if (s.kind === 'menu') this.menuTap(s, key);
    else if (s.kind === 'password') this.passwordTap(s.field, key);
    else if (s.kind === 'confirm') this.confirmTap(s, key);
  }

  untap(key: Key): void {
    if (this.screen.kind === 'password') this.screen.field.keyUp(this.isModeKey(key) ? this.config.keypad.modeKey : key);
  }

  private leave(): void {
    this.config.host.event('menu-left');
    this.config.host.exit();
  }

  private menuTap(s: MenuScreen, key: Key): void {
    const items = this.menus[s.name]!;
    if (key === 'down' || key === 'up') {
      s.highlight = Math.max(0, Math.min(items.length - 1, s.highlight + (key === 'down' ? 1 : -1)));
      this.render();
    } else if (key === 'select' || this.label(key) === 'Select') {
      this.choose(s, items[s.highlight]!);
    } else if (key === 'back' || this.label(key) === 'Exit') {
      this.back();
    }
  }

  private choose(from: MenuScreen, item: Item): void {
    this.config.host.event(`menu-selected ${item.label}`);
    if (item.action) {
      this.screen = { kind: 'confirm', item, from };
    } else if (item.opens === 'password') {
      this.screen = { kind: 'password', field: new MultiTapField(this.config.keypad, this.config.host.clock) };
    } else if (item.opens) {
      this.push(item.opens);
      return;
    } else {
      return; // an item the seeds do not open
    }
    this.render();
  }

  private push(name: string): void {
    if (this.screen.kind === 'menu') this.stack.push({ name: this.screen.name, highlight: this.screen.highlight });
    this.screen = { kind: 'menu', name, highlight: 0 };
    this.render();
  }

  /** Up one level (to the menu the current one was opened from). */
  private back(): void {
    const current = this.screen.kind === 'menu' ? this.screen.name : 'Settings';
    const parent = this.parents[current];
    if (parent === undefined) {
      this.leave();
      return;
    }
    this.toMenu(parent);
  }

  /** Back to a menu of the stack (its highlight as left), or fresh. */
  private toMenu(name: string): void {
    let top = this.stack.pop();
    while (top && top.name !== name) top = this.stack.pop();
    this.screen = { kind: 'menu', name, highlight: top?.highlight ?? 0 };
    this.render();
  }

  private passwordTap(field: MultiTapField, key: Key): void {
    const label = this.label(key);
    if (this.isModeKey(key)) {
      field.keyDown(this.config.keypad.modeKey);
    } else if (label === 'Enter') {
      if (field.value === this.config.adminPassword) {
        this.config.host.event('admin-password-accepted');
        this.stack.push({ name: 'Settings', highlight: 1 });
        this.screen = { kind: 'menu', name: 'Advanced', highlight: 0 };
      } else {
        this.config.host.event(`admin-password-rejected "${field.value}"`);
        this.screen = { kind: 'invalid' };
        this.config.host.after(this.config.host.jitter(INVALID_MS), () => this.toMenu('Settings'));
      }
    } else if (label === 'Cancel') {
      this.toMenu('Settings');
      return;
    } else {
      field.keyDown(key);
    }
    this.render();
  }

  private confirmTap(s: Extract<Screen, { kind: 'confirm' }>, key: Key): void {
    const label = this.label(key);
    if (label === 'Yes') {
      this.config.host.event(`confirmed ${s.item.label}`);
      this.config.host.perform(s.item.action!);
    } else if (label === 'No') {
      this.screen = s.from;
      this.render();
    }
  }

  private isModeKey(key: Key): boolean {
    return key === this.config.keypad.modeKey || this.config.altModeKeys.includes(key);
  }

  /** The label on the softkey `key` of the current screen. */
  private label(key: Key): string | undefined {
    const m = /^softkey([1-4])$/.exec(key);
    if (!m) return undefined;
    return this.softkeys()[Number(m[1]) - 1] || undefined;
  }

  private softkeys(): string[] {
    const s = this.screen;
    if (s.kind === 'menu') return MENU_SOFTKEYS;
    if (s.kind === 'confirm') return ['Yes', '', '', 'No'];
    if (s.kind === 'password') {
      const keys = ['Enter', '', '', 'Cancel'];
      for (const k of [this.config.keypad.modeKey, ...this.config.altModeKeys]) {
        const m = /^softkey([1-4])$/.exec(k);
        if (m) keys[Number(m[1]) - 1] = this.config.modeLabels[s.field.mode];
      }
      return keys;
    }
    return ['', '', '', ''];
  }

  private render(): void {
    const s = this.screen;
    const host = this.config.host;
    if (s.kind === 'menu') {
      const items = this.menus[s.name]!;
      host.show([s.name, ...items.map((item, i) => (i === s.highlight ? '> ' : '  ') + item.label)], this.softkeys());
    } else if (s.kind === 'password') {
      host.show(['Enter password:', '*'.repeat(s.field.value.length), `[${s.field.mode}]`], this.softkeys());
    } else if (s.kind === 'confirm') {
      host.show([`${s.item.label}?`, 'Are you sure?'], this.softkeys());
    } else {
      host.show(['Invalid password'], this.softkeys());
    }
  }
}
