/**
 * The logical keys a jig can actuate: physical keys, softkeys, touch points and buttons of the phones in the catalog.
 * Fixture files map these names to channels; procedures and plans speak only in these names.
 */
export const DIAL_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export const SOFTKEYS = ['softkey1', 'softkey2', 'softkey3', 'softkey4', 'softkey5', 'softkey6'] as const;
export const NAV_KEYS = ['up', 'down', 'left', 'right', 'select', 'back', 'home', 'menu', 'delete', 'cancel'] as const;
export const FEATURE_KEYS = [
  'volume-up',
  'volume-down',
  'mute',
  'hold',
  'handsfree',
  'headset',
  'messages',
  'transfer',
  'redial',
  'conference',
  'directories',
] as const;
export const TOUCH_POINTS = ['corner-tl', 'corner-tr', 'corner-bl', 'corner-br'] as const;
export const BUTTONS = ['pair', 'pinhole-reset', 'restore', 'power'] as const;

export const ALL_KEYS: readonly string[] = [
  ...DIAL_KEYS,
  ...SOFTKEYS,
  ...NAV_KEYS,
  ...FEATURE_KEYS,
  ...TOUCH_POINTS,
  ...BUTTONS,
];

export type Key = string;

export function isKnownKey(name: string): boolean {
  return ALL_KEYS.includes(name);
}
