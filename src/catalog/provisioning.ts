import { ConfigError } from '../errors/errors.js';
import { getTextEntryProfile } from '../text-entry/profiles.js';
import type { TextEntryProfile } from '../text-entry/types.js';
import type { PhoneModel } from './types.js';

/*
 * Provisioning through the phone's Setup menu (seeds 002 and 003), as data: the admin passwords to try, the words the
 * controller looks for on the Setup screens, and the text-entry profile each family's Setup fields take.
 *   seed 002: "Resetting to Factory Default & Provisioning", "Provisioning Process" steps 1-8
 *   seed 003: "Reusing Polycom Phones with 8x8", "Point Your Phone to the 8x8 Configuration Servers" steps 2-11
 */

/** The admin passwords to try at the Setup prompt, in order (seed 002: "Enter 456 (if this doesn't work please try
 * 789 or 1966)"; seed 003: "Enter the password 456"). They are public defaults, not secrets. */
export const DEFAULT_ADMIN_PASSWORDS: readonly string[] = ['456', '789', '1966'];

/** Server types the provisioning command sets (seed 002: "Server Type: HTTP"; seed 003: "Change Server Type to
 * HTTPS"). */
export const SERVER_TYPES = ['HTTP', 'HTTPS'] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

/**
 * What the controller recognises on the Setup screens, as case-insensitive regular expressions. How the screens are
 * laid out (what a camera reports): a menu is a title line, then one item a line, the highlighted item marked with a
 * leading `>` (the highlight bar); an item may show its value after a colon (`Server Type: HTTP`); an editor is the
 * field's label and a colon on its first line, the value on the second (one `*` a character for a password).
 * Item and softkey patterns are matched against the whole label.
 */
export interface SetupScreens {
  /** The countdown screen's softkey that opens Setup (seed 002: 'On the next "Welcome" window, immediately click on
   * Setup'; seed 003: "press the Setup softkey as soon as it appears"). */
  setupSoftkey: string;
  /** The Setup password prompt (seed 002: "You will be prompted to enter a password"). */
  setupPrompt: string;
  okSoftkey: string;
  /** seed 002: "click on the Exit soft key"; seed 003: "Select Exit". */
  exitSoftkey: string;
  /** The softkey that deletes the character before the cursor. */
  backspaceSoftkey: string;
  /** The mark of the highlighted line. */
  highlight: string;
  /** The menu holding the server fields: seed 002 "Provisioning Server", seed 003 "Server Menu". */
  serverMenu: string;
  serverType: string;
  serverAddress: string;
  serverUser: string;
  serverPassword: string;
  /** seed 003: "Select SNTP Address". */
  sntpAddress: string;
  /** seed 002: 'On the Exit option screen select "Save & Reboot"'; seed 003: "then select Save & Reboot". */
  saveAndReboot: string;
}

export const SETUP_SCREENS: SetupScreens = {
  setupSoftkey: '^\\s*setup\\s*$',
  setupPrompt: 'setup password|^\\s*password\\s*:',
  okSoftkey: '^\\s*(ok|enter)\\s*$',
  exitSoftkey: '^\\s*exit\\s*$',
  backspaceSoftkey: '^\\s*(<<|bksp|backspace|delete)\\s*$',
  highlight: '^\\s*>\\s*',
  serverMenu: '^(provisioning server|server menu)$',
  serverType: '^server type$',
  serverAddress: '^server address$',
  serverUser: '^server user$',
  serverPassword: '^server password$',
  sntpAddress: '^sntp address$',
  saveAndReboot: '^save\\s*&\\s*reboot$',
};

const SETUP_SYMBOL_SOURCES = [
  'seed 002: "Note: Use * for . and # for /"',
  'seed 003: "use (a -> 1A) * for the period # for the /"',
];

/**
 * VVX Setup fields: the VVX keypad (the 2nd softkey steps the mode), with `*` typing `.` and `#` typing `/` in 123
 * mode. Seed 002 gives that rule for the phones it covers (VVX 300 to 600 among them); on VVX the mode key is a
 * softkey, so `#` is free to type `/`.
 */
const vvxProvisioning: TextEntryProfile = {
  ...getTextEntryProfile('vvx'),
  id: 'vvx-provisioning',
  description: 'VVX Setup menu fields (server addresses): the 2nd softkey steps 123 -> abc -> ABC; in 123, * types . and # types /',
  sources: [...SETUP_SYMBOL_SOURCES, ...getTextEntryProfile('vvx').sources],
  symbols: { '.': '*', '/': '#' },
};

/** The built-in text-entry profiles of Setup fields, by id (`soundpoint-provisioning` lives with the others). */
export const PROVISIONING_TEXT_ENTRY_PROFILES: Record<string, TextEntryProfile> = {
  'vvx-provisioning': vvxProvisioning,
  'soundpoint-provisioning': getTextEntryProfile('soundpoint-provisioning'),
};

/** What provisioning needs to know about a model: its Setup fields' text-entry profile. */
export interface ProvisioningSpec {
  textEntry: TextEntryProfile;
  screens: SetupScreens;
  adminPasswords: readonly string[];
}

/**
 * The provisioning spec of a model, or ConfigError `no-provisioning` for a model whose Setup menu the seeds do not
 * describe. Seeds 002 and 003 reach Setup from the countdown after Cancel, so the model must use that procedure.
 */
export function provisioningFor(model: PhoneModel): ProvisioningSpec {
  const profileId =
    model.family === 'vvx' || model.family === 'spectralink' || model.family === 'trio'
      ? 'vvx-provisioning'
      : model.family === 'soundpoint-ip' || model.family === 'soundstation-ip'
        ? 'soundpoint-provisioning'
        : undefined;
  if (profileId === undefined || model.procedure.kind !== 'cancel-combo') {
    throw new ConfigError(
      'no-provisioning',
      `${model.name} cannot be provisioned through its Setup menu: seeds 002 and 003 describe that menu for VVX, SoundPoint IP and SoundStation IP phones only`,
      "provision it through its web interface or provisioning server instead, or pick a VVX/SoundPoint model ('resetbot models')",
    );
  }
  return { textEntry: PROVISIONING_TEXT_ENTRY_PROFILES[profileId]!, screens: SETUP_SCREENS, adminPasswords: DEFAULT_ADMIN_PASSWORDS };
}
