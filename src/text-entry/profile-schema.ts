import { z } from 'zod';
import { DIAL_KEYS, isKnownKey } from '../bench/keys.js';
import { ConfigError } from '../errors/errors.js';
import type { TextEntryProfile } from './types.js';

/** The JSON schema of a user's text-entry profile (src/text-entry/profiles.ts holds the built-in ones). */

const DIGIT_KEYS = new Set<string>(DIAL_KEYS.filter((k) => /^[0-9]$/.test(k)));
const modeSchema = z.enum(['123', 'abc', 'ABC']);
const positiveMs = z.number().finite().positive('must be a positive number of ms');

/**
 * A TextEntryProfile as a user writes it in JSON. Besides the shapes: the cycle holds the initial mode and no mode
 * twice; letters sit on digit keys, lower case; symbols are one character each, on a non-digit key of their own; the
 * mode key is none of the keys that type (letter keys, digit keys, symbol keys).
 */
export const textEntryProfileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, e.g. "vvx-custom"'),
    description: z.string(),
    sources: z.array(z.string()),
    modeKey: z.string().refine(isKnownKey, { message: 'is not a known key name (see src/bench/keys.ts)' }),
    cycle: z.array(modeSchema).min(1, 'must list at least one mode'),
    initialMode: modeSchema,
    letters: z.record(
      z.string().refine((k) => DIGIT_KEYS.has(k), { message: 'letters must sit on digit keys 0-9' }),
      z.string().regex(/^[a-z]+$/, 'must be one or more lower-case letters a-z, in tap order'),
    ),
    digitInCycle: z.boolean(),
    symbols: z.record(
      z.string().refine((c) => [...c].length === 1 && !/[0-9a-zA-Z]/.test(c), {
        message: 'each symbol must be one character other than a digit or letter',
      }),
      z
        .string()
        .refine(isKnownKey, { message: 'is not a known key name (see src/bench/keys.ts)' })
        .refine((k) => !DIGIT_KEYS.has(k), { message: 'a digit key types its digit in 123 mode, not a symbol' }),
    ),
    tapMs: positiveMs,
    gapMs: positiveMs,
    commitMs: positiveMs,
    modeCommits: z.boolean().optional(),
    macCase: z.enum(['lower', 'upper', 'either']),
    macCaseKnown: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.macCaseKnown === false && p.macCase === 'either') {
      ctx.addIssue({ code: 'custom', path: ['macCase'], message: "with macCaseKnown false, give the case to try first: 'lower' or 'upper'" });
    }
    if (!p.cycle.includes(p.initialMode)) {
      ctx.addIssue({ code: 'custom', path: ['cycle'], message: `must contain initialMode '${p.initialMode}'` });
    }
    const seen = new Set<string>();
    for (const m of p.cycle) {
      if (seen.has(m)) ctx.addIssue({ code: 'custom', path: ['cycle'], message: `lists mode '${m}' twice` });
      seen.add(m);
    }
    if (Object.hasOwn(p.letters, p.modeKey)) {
      ctx.addIssue({ code: 'custom', path: ['modeKey'], message: `'${p.modeKey}' is a letter key` });
    } else if (DIGIT_KEYS.has(p.modeKey)) {
      ctx.addIssue({ code: 'custom', path: ['modeKey'], message: `'${p.modeKey}' is a digit key, needed for digits` });
    }
    const symbolKeys = new Map<string, string>();
    for (const [ch, key] of Object.entries(p.symbols)) {
      if (key === p.modeKey) {
        ctx.addIssue({ code: 'custom', path: ['symbols', ch], message: `key '${key}' is the mode key` });
      }
      const other = symbolKeys.get(key);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['symbols', ch], message: `key '${key}' already types '${other}'` });
      }
      symbolKeys.set(key, ch);
    }
  });

/** Validates a profile from a user's file. `source` names the file (and entry) for the message. */
export function parseTextEntryProfile(raw: unknown, source: string): TextEntryProfile {
  const result = textEntryProfileSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, raw));
  throw new ConfigError(
    'bad-text-entry-profile',
    `text-entry profile in ${source}: ${problems.join('; ')}`,
    'fix the named fields; see the built-in profiles in src/text-entry/profiles.ts for complete examples',
  );
}

/** `symbols["."]`, `letters["2"]`, `cycle[1]`, `tapMs`. */
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const name = String(seg);
      if (/^[A-Za-z_]\w*$/.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** One zod issue as "field 'x': what is wrong", in words a technician can act on. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length > 0 ? ` in '${fieldName(issue.path)}'` : '';
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}`;
  }
  const field = issue.path.length > 0 ? fieldName(issue.path) : '(profile)';
  if (issue.code === 'invalid_key') {
    // A record key failed its own check: its message says why.
    return `field '${field}': ${issue.issues.map((i) => i.message).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(raw, issue.path) === undefined) {
    return `field '${field}' is missing (expected ${issue.expected})`;
  }
  return `field '${field}': ${issue.message}`;
}
