import { ConfigError } from '../errors/errors.js';

/**
 * MAC addresses as printed on the label under a phone. The phone's factory-reset password is its MAC: 12 hex digits
 * (seed 000: "The only password use here it the MAC ID of the phone (e.g 0004f28619dc)").
 */

/**
 * OUIs (first 6 hex digits) registered to Polycom/Poly. A MAC outside them is probably mistyped, so it draws a warning
 * (not an error: a phone with another OUI can still be reset).
 */
export const POLY_OUIS: Readonly<Record<string, string>> = {
  // seed 000: "Usually starts with 0004F2xxxxxx or 64167Fxxxxxx".
  '0004f2': 'Polycom (seed 000)',
  '64167f': 'Polycom (seed 000)',
  // Chromium's device/bluetooth/chromeos/bluetooth_utils.cc lists the Poly OUIs from the IEEE registry:
  // {"64:16:7F", "48:25:67", "00:04:F2"}; a later revision adds the Poly acquisitions ViaVideo (00:E0:DB) and
  // PictureTel (00:10:1A).
  '482567': 'Poly (IEEE registry, via Chromium bluetooth_utils.cc)',
  '00e0db': 'Poly, ex-ViaVideo (IEEE registry, via Chromium bluetooth_utils.cc)',
  '00101a': 'Poly, ex-PictureTel (IEEE registry, via Chromium bluetooth_utils.cc)',
};

const HINT = 'type the 12 hex digits from the label under the phone, e.g. 0004F2AA814C';

/** Separators people put between the digits: `00-04-F2-AA-81-4C`, `00:04:f2:aa:81:4c`, `0004.f2aa.814c`, spaces. */
const SEPARATOR = /[-:.\s]/;

export interface ParsedMac {
  /** 12 lower-case hex digits. */
  mac: string;
  /** Things worth telling the user that do not stop the job (an OUI that is not Poly's). */
  warnings: string[];
}

/**
 * Parses a MAC in any common spelling. Throws ConfigError `bad-mac` when it is not exactly 12 hex digits once the
 * separators are taken out.
 */
export function parseMac(input: string): ParsedMac {
  const shown = input.trim();
  if (shown === '') throw new ConfigError('bad-mac', 'MAC is empty', HINT);

  let hex = '';
  for (const ch of shown) {
    if (SEPARATOR.test(ch)) continue;
    if (!/[0-9a-fA-F]/.test(ch)) {
      throw new ConfigError('bad-mac', `MAC '${shown}' has a non-hex character '${ch}'`, hintFor(ch));
    }
    hex += ch.toLowerCase();
  }
  if (hex.length !== 12) {
    const digits = `${hex.length} hex digit${hex.length === 1 ? '' : 's'}`;
    throw new ConfigError('bad-mac', `MAC '${shown}' has ${digits}, needs 12`, HINT);
  }

  const warnings: string[] = [];
  const oui = hex.slice(0, 6);
  if (!(oui in POLY_OUIS)) {
    const known = Object.keys(POLY_OUIS)
      .map((o) => o.toUpperCase())
      .join(', ');
    warnings.push(
      `MAC ${formatMac(hex, 'plain')} does not start with a Polycom/Poly OUI (${known}): check it against the label`,
    );
  }
  return { mac: hex, warnings };
}

/** Letters that look like hex digits on a label get a pointed hint. */
function hintFor(ch: string): string {
  if (ch === 'O' || ch === 'o') return `the letter '${ch}' is not hex (did you mean the digit 0?): ${HINT}`;
  if (ch === 'I' || ch === 'l') return `the letter '${ch}' is not hex (did you mean the digit 1?): ${HINT}`;
  return HINT;
}

export type MacStyle = 'colon' | 'dash' | 'plain';

/**
 * A MAC for display: `colon` 00:04:F2:AA:81:4C, `dash` 00-04-F2-AA-81-4C, `plain` 0004F2AA814C. Upper case by default,
 * as on the label. Accepts any spelling parseMac accepts.
 */
export function formatMac(mac: string, style: MacStyle, letterCase: 'upper' | 'lower' = 'upper'): string {
  const hex = /^[0-9a-f]{12}$/.test(mac) ? mac : parseMac(mac).mac;
  const cased = letterCase === 'upper' ? hex.toUpperCase() : hex;
  if (style === 'plain') return cased;
  const pairs = cased.match(/../g)!;
  return pairs.join(style === 'colon' ? ':' : '-');
}
