import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ALL_KEYS, isKnownKey, type Key } from '../bench/keys.js';
import { ConfigError, nearest } from '../errors/errors.js';
import { TEXT_ENTRY_PROFILES } from '../text-entry/profiles.js';
import { textEntryProfileSchema } from '../text-entry/profile-schema.js';
import type { TextEntryProfile } from '../text-entry/types.js';
import { Catalog, foldName, getCatalog, spellings } from './catalog.js';
import { MODELS } from './models.js';
import { POLYCOM_SCREENS, TIMING_PROFILES } from './profiles.js';
import { PROVISIONING_TEXT_ENTRY_PROFILES } from './provisioning.js';
import type { ComboOption, Family, PhoneModel, TimingProfile } from './types.js';

/*
 * A user's profiles file (`--profiles F`): text-entry profiles, timing profiles and phone models the catalog lacks
 * (a firmware variant, a phone on new hardware with a combo measured on the bench), so that a technician adds one
 * without touching code. The format (fixtures/profiles/example.json shows every part):
 *
 *   {
 *     "description": "free text",
 *     "textEntryProfiles": [ { "id": "...", "extends": "<profile id>", ...fields of a TextEntryProfile } ],
 *     "timingProfiles":    [ { "id": "...", "extends": "<profile id>", ...fields of a TimingProfile } ],
 *     "models": [ {
 *       "id": "vvx-450-hw2", "name": "VVX 450 (2022 hardware)", "extends": "<model name>",
 *       "family": "vvx", "aliases": ["..."],
 *       "procedure": { "kind": "cancel-combo", "cancelKey": "softkey1", "okKey": "softkey1",
 *                      "combos": [ { "keys": ["1", "3", "5"], "sources": ["..."] } ] },
 *       "rebootCombo": { "keys": [...] },
 *       "timing": "<profile id>" | { "extends": "<profile id>", ...fields } | { ...every field },
 *       "textEntry": "<profile id>" | { "extends": "<profile id>", ...fields } | { ...every field },
 *       "sources": ["where this comes from"], "notes": ["..."]
 *     } ]
 *   }
 *
 * `extends` copies what is not given: a profile from a built-in or an earlier profile of the file (its id is never
 * copied); a model from any model the catalog finds by that name (name, family, procedure, reboot combo, timing,
 * text entry and screens; not its aliases, sources or notes). A model's `procedure` of the same kind as the one it extends
 * is merged over it field by field (so `{"combos": [...]}` replaces only the combos). Profile references by id are
 * to built-in profiles or the file's own. User models are found by the same name rules as built-in ones; a name that
 * a built-in (or another user) model already answers to is an error. One exception: a built-in model the catalog
 * refuses for want of a procedure (kind `unsupported`, e.g. the VVX 450 on new hardware) may be given again under
 * its own id with a procedure: the user's model takes its place and keeps its names.
 */

export interface UserProfiles {
  /** The file, for messages. */
  source: string;
  models: PhoneModel[];
  textEntryProfiles: Record<string, TextEntryProfile>;
  timingProfiles: Record<string, TimingProfile>;
  /** User model id -> the built-in model it extends, directly or through other user models (for the simulator). */
  builtinBase: Record<string, string>;
  /** Ids of built-in models the catalog refuses (procedure `unsupported`) that the file gives a procedure for. */
  replaces: string[];
}

/** Every family, for validation and suggestions (a Record, so a family added to the type must be added here). */
const FAMILY_SET: Record<Family, true> = {
  vvx: true,
  'soundpoint-ip': true,
  'soundstation-ip': true,
  spectralink: true,
  trio: true,
  edge: true,
  ccx: true,
  rove: true,
  visualpro: true,
  'dect-base': true,
};
const FAMILIES = Object.keys(FAMILY_SET) as Family[];

/** Words a technician may write for a key, mapped to the key (for suggestions only). */
const KEY_WORDS: Record<string, Key> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  star: '*', asterisk: '*', hash: '#', pound: '#', ok: 'softkey1', enter: 'select',
};

/** The nearest key names to a wrong one, counting spelled-out digits (`sevn` -> `7`). */
function nearestKeys(name: string): string[] {
  const candidates = [...ALL_KEYS, ...Object.keys(KEY_WORDS)];
  const out: string[] = [];
  for (const c of nearest(name, candidates, 8)) {
    const key = KEY_WORDS[c] ?? c;
    if (!out.includes(key)) out.push(key);
  }
  return out.slice(0, 3);
}

const keySchema = z.string().superRefine((k, ctx) => {
  if (!isKnownKey(k)) ctx.addIssue({ code: 'custom', message: `unknown key '${k}' (nearest: ${nearestKeys(k).join(', ')})` });
});

const comboSchema = z
  .strictObject({
    keys: z.array(keySchema).min(1, 'must list at least one key'),
    sources: z.array(z.string()).optional(),
  })
  .superRefine((c, ctx) => {
    c.keys.forEach((k, i) => {
      if (c.keys.indexOf(k) !== i) ctx.addIssue({ code: 'custom', path: ['keys', i], message: `key '${k}' is listed twice` });
    });
  });

const procedureSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('cancel-combo'),
      cancelKey: keySchema,
      okKey: keySchema,
      combos: z.array(comboSchema).min(1, 'must list at least one combo'),
    }),
  ],
  {
    error: (iss) =>
      `unknown procedure kind ${JSON.stringify((iss.input as Record<string, unknown> | undefined)?.kind)} (a profiles file can define: cancel-combo)`,
  },
);

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, e.g. "vvx-450-hw2"');
const ms = z.number().finite().nonnegative('must be 0 or more ms');
const positiveMs = z.number().finite().positive('must be a positive number of ms');

const timingProfileSchema = z.strictObject({
  id: idSchema,
  powerOffMs: positiveMs,
  cancelDeadlineMs: positiveMs,
  cancelAfterMs: ms,
  countdownMs: positiveMs,
  comboHoldMs: positiveMs,
  comboAfterCancelMs: ms,
  promptSettleMs: ms,
  answerTimeoutMs: positiveMs,
  rebootTimeoutMs: positiveMs,
  blindResetMs: positiveMs.optional(),
  blindHoldMs: positiveMs.optional(),
  resetReboots: z.number().int('must be a whole number').min(0),
  keyTapMs: positiveMs,
  keyGapMs: ms,
  maxAttempts: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  jobDeadlineMs: positiveMs,
}) satisfies z.ZodType<TimingProfile>;

const familySchema = z.string().superRefine((f, ctx) => {
  if (!Object.hasOwn(FAMILY_SET, f)) {
    ctx.addIssue({ code: 'custom', message: `unknown family '${f}' (nearest: ${nearest(f, FAMILIES).join(', ')})` });
  }
});

/** A model as written: `timing` and `textEntry` are checked on their own (a reference or a profile). */
const modelSchema = z.strictObject({
  id: idSchema,
  /** Required unless the model extends another (then it defaults to the other's name). */
  name: z.string().trim().min(1, 'must not be empty').optional(),
  extends: z.string().optional(),
  family: familySchema.optional(),
  aliases: z.array(z.string().trim().min(1, 'must not be empty')).optional(),
  procedure: z.record(z.string(), z.unknown()).optional(),
  rebootCombo: comboSchema.optional(),
  timing: z.unknown().optional(),
  textEntry: z.unknown().optional(),
  sources: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
});

const fileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  textEntryProfiles: z.array(z.record(z.string(), z.unknown())).optional(),
  timingProfiles: z.array(z.record(z.string(), z.unknown())).optional(),
  models: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** The fields each kind of object may have, for "unknown field" suggestions. */
const FIELDS = {
  top: Object.keys(fileSchema.shape),
  model: Object.keys(modelSchema.shape),
  procedure: ['kind', 'cancelKey', 'okKey', 'combos'],
  combo: ['keys', 'sources'],
  timing: ['extends', ...Object.keys(timingProfileSchema.shape)],
  textEntry: ['extends', ...Object.keys(textEntryProfileSchema.shape)],
};

type Path = readonly PropertyKey[];

/** `models[2].procedure.combos[0].keys[1]`, `textEntryProfiles[0].letters["2"]`. */
function fieldName(path: Path): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const name = String(seg);
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

/** Which kind of object sits at a path, by its last named segment. */
function fieldsAt(path: Path): string[] {
  const last = [...path].reverse().find((s) => typeof s === 'string');
  switch (last) {
    case undefined:
      return FIELDS.top;
    case 'models':
      return FIELDS.model;
    case 'procedure':
      return FIELDS.procedure;
    case 'combos':
    case 'rebootCombo':
      return FIELDS.combo;
    case 'timing':
    case 'timingProfiles':
      return FIELDS.timing;
    case 'textEntry':
    case 'textEntryProfiles':
      return FIELDS.textEntry;
    default:
      return [];
  }
}

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** One zod issue as `field: what is wrong`, its path under `prefix`. */
function describe(issue: z.core.$ZodIssue, raw: unknown, prefix: Path): string {
  const path = [...prefix, ...issue.path];
  const field = path.length > 0 ? fieldName(path) : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const allowed = fieldsAt(path);
    return issue.keys
      .map((k) => {
        const names = allowed.filter((a) => !a.startsWith('$'));
        const hint = names.length > 0 ? ` (nearest: ${nearest(k, names).join(', ')})` : '';
        return `${path.length > 0 ? field + ': ' : ''}unknown field '${k}'${hint}`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_key') return `${field}: ${issue.issues.map((i) => i.message).join(', ')}`;
  const v = valueAt(raw, issue.path);
  if (issue.code === 'invalid_type') {
    if (v === undefined) return `${field} is missing (expected ${article(issue.expected)})`;
    return `${field}: expected ${article(issue.expected)}, got ${typeOf(v)}`;
  }
  if (v === undefined && issue.path.length > 0) return `${field} is missing`;
  return `${field}: ${issue.message}`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Collects problems; throws one ConfigError naming the first few, on one line. */
class Problems {
  readonly list: string[] = [];
  constructor(private readonly source: string) {}

  add(problem: string): void {
    this.list.push(problem);
  }

  fromZod(error: z.ZodError, raw: unknown, prefix: Path): void {
    for (const issue of error.issues) this.add(describe(issue, raw, prefix));
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, 3).join('; ');
    const more = this.list.length > 3 ? ` (and ${this.list.length - 3} more)` : '';
    throw new ConfigError(
      'bad-profiles',
      `profiles file ${this.source}: ${shown}${more}`,
      'fix the named field (fixtures/profiles/example.json shows every part of the format)',
    );
  }
}

/** A profile object with `extends` resolved: the base's fields, then the object's own; never the base's id. */
function extended<T extends { id: string }>(
  obj: Record<string, unknown>,
  known: Record<string, T>,
  what: string,
  at: string,
  problems: Problems,
): Record<string, unknown> | undefined {
  const { extends: base, ...own } = obj;
  if (base === undefined) return own;
  if (typeof base !== 'string') {
    problems.add(`${at}.extends: expected the id of a ${what} profile, got ${typeOf(base)}`);
    return undefined;
  }
  const found = Object.hasOwn(known, base) ? known[base] : undefined;
  if (!found) {
    problems.add(`${at}.extends: unknown ${what} profile '${base}' (nearest: ${nearest(base, Object.keys(known)).join(', ')})`);
    return undefined;
  }
  const { id: _id, ...inherited } = found;
  return { ...inherited, ...own };
}

/**
 * Validates a user's profiles (parsed JSON) against the built-in catalog. Throws ConfigError `bad-profiles` naming
 * the fields that are wrong.
 */
export function parseUserProfiles(raw: unknown, source: string, builtins: readonly PhoneModel[] = MODELS): UserProfiles {
  const problems = new Problems(source);
  const top = fileSchema.safeParse(raw);
  if (!top.success) {
    problems.fromZod(top.error, raw, []);
    problems.throwIfAny();
  }
  const file = top.data!;
  const cite = (at: string) => `profiles file ${source}: ${at}`;

  // Text-entry profiles.
  const textEntry: Record<string, TextEntryProfile> = { ...TEXT_ENTRY_PROFILES, ...PROVISIONING_TEXT_ENTRY_PROFILES };
  const userText: Record<string, TextEntryProfile> = {};
  const parseText = (obj: Record<string, unknown>, path: Path, id: string | undefined): TextEntryProfile | undefined => {
    const at = fieldName(path);
    const merged = extended({ ...obj, ...(id ? { id } : {}) }, textEntry, 'text-entry', at, problems);
    if (!merged) return undefined;
    const filled = { description: `from ${source}`, sources: [cite(at)], ...merged };
    const parsed = textEntryProfileSchema.safeParse(filled);
    if (!parsed.success) {
      problems.fromZod(parsed.error, filled, path);
      return undefined;
    }
    return parsed.data;
  };
  (file.textEntryProfiles ?? []).forEach((obj, i) => {
    const p = parseText(obj, ['textEntryProfiles', i], undefined);
    if (!p) return;
    if (Object.hasOwn(textEntry, p.id)) {
      problems.add(`textEntryProfiles[${i}].id: '${p.id}' is already a text-entry profile; choose another id`);
      return;
    }
    textEntry[p.id] = p;
    userText[p.id] = p;
  });
  problems.throwIfAny();

  // Timing profiles.
  const timing: Record<string, TimingProfile> = { ...TIMING_PROFILES };
  const userTiming: Record<string, TimingProfile> = {};
  const parseTiming = (obj: Record<string, unknown>, path: Path, id: string | undefined): TimingProfile | undefined => {
    const at = fieldName(path);
    const merged = extended({ ...obj, ...(id ? { id } : {}) }, timing, 'timing', at, problems);
    if (!merged) return undefined;
    const parsed = timingProfileSchema.safeParse(merged);
    if (!parsed.success) {
      problems.fromZod(parsed.error, merged, path);
      return undefined;
    }
    return parsed.data;
  };
  (file.timingProfiles ?? []).forEach((obj, i) => {
    const p = parseTiming(obj, ['timingProfiles', i], undefined);
    if (!p) return;
    if (Object.hasOwn(timing, p.id)) {
      problems.add(`timingProfiles[${i}].id: '${p.id}' is already a timing profile; choose another id`);
      return;
    }
    timing[p.id] = p;
    userTiming[p.id] = p;
  });
  problems.throwIfAny();

  /** A model's profile field: an id of a known profile, or an inline profile (its id: `<model id>`). */
  const profileRef = <T>(
    value: unknown,
    path: Path,
    known: Record<string, T>,
    what: string,
    parseInline: (obj: Record<string, unknown>, path: Path, id: string) => T | undefined,
    modelId: string,
  ): T | undefined => {
    if (typeof value === 'string') {
      if (Object.hasOwn(known, value)) return known[value];
      problems.add(`${fieldName(path)}: unknown ${what} profile '${value}' (nearest: ${nearest(value, Object.keys(known)).join(', ')})`);
      return undefined;
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      return parseInline(obj, path, typeof obj.id === 'string' ? obj.id : modelId);
    }
    problems.add(`${fieldName(path)}: expected the id of a ${what} profile or a profile object, got ${typeOf(value)}`);
    return undefined;
  };

  // Models.
  let catalog = new Catalog([...builtins]);
  const builtinIds = new Set(builtins.map((m) => m.id));
  // A model the catalog refuses for want of a procedure can be given one under its own id (and keeps its names).
  const refused = new Map(builtins.filter((m) => (m.procedure.kind as string) === 'unsupported').map((m) => [m.id, m]));
  const replaces: string[] = [];
  const userModels: PhoneModel[] = [];
  const builtinBase: Record<string, string> = {};
  (file.models ?? []).forEach((obj, i) => {
    const path: Path = ['models', i];
    const at = fieldName(path);
    const parsed = modelSchema.safeParse(obj);
    if (!parsed.success) {
      problems.fromZod(parsed.error, obj, path);
      return;
    }
    const m = parsed.data;
    let base: PhoneModel | undefined;
    if (m.extends !== undefined) {
      try {
        base = catalog.find(m.extends);
      } catch (err) {
        problems.add(`${at}.extends: ${err instanceof ConfigError ? err.oneLine() : String(err)}`);
        return;
      }
    } else {
      const missing = (['name', 'family', 'procedure', 'timing', 'textEntry'] as const).filter((f) => m[f] === undefined);
      for (const f of missing) problems.add(`${at}.${f} is missing (or give "extends": a model to copy it from)`);
      if (missing.length > 0) return;
    }

    // A procedure of the base's kind (or with no kind) is merged over the base's, field by field.
    const own = m.procedure;
    const procRaw =
      own === undefined
        ? base!.procedure
        : base && (own.kind === undefined || own.kind === base.procedure.kind)
          ? { ...base.procedure, ...own }
          : own;
    const proc = procedureSchema.safeParse(procRaw);
    if (!proc.success) {
      problems.fromZod(proc.error, procRaw, [...path, 'procedure']);
      return;
    }
    const t = m.timing === undefined ? base!.timing : profileRef(m.timing, [...path, 'timing'], timing, 'timing', parseTiming, m.id);
    const te =
      m.textEntry === undefined ? base!.textEntry : profileRef(m.textEntry, [...path, 'textEntry'], textEntry, 'text-entry', parseText, m.id);
    if (!t || !te) return;

    const combos: ComboOption[] = proc.data.combos.map((c, j) => ({
      keys: c.keys,
      sources: c.sources ?? [cite(`${at}.procedure.combos[${j}]`)],
    }));
    const reboot = m.rebootCombo ? { keys: m.rebootCombo.keys, sources: m.rebootCombo.sources ?? [cite(`${at}.rebootCombo`)] } : base?.rebootCombo;
    const replaced = refused.get(m.id);
    const model: PhoneModel = {
      id: m.id,
      name: m.name ?? base!.name,
      family: (m.family as Family | undefined) ?? base!.family,
      aliases: [...(replaced?.aliases ?? []), ...(m.aliases ?? [])].filter((a, j, all) => all.indexOf(a) === j),
      procedure: { ...proc.data, combos },
      ...(reboot ? { rebootCombo: reboot } : {}),
      timing: t,
      textEntry: te,
      screens: base?.screens ?? POLYCOM_SCREENS,
      sources: [...(m.sources ?? []), cite(at), ...(base ? [`based on ${base.id}`] : [])],
      notes: m.notes ?? [],
    };

    // Names: none may be one another model already answers to.
    if ((builtinIds.has(model.id) && !replaced) || userModels.some((u) => u.id === model.id)) {
      problems.add(
        `${at}.id: '${model.id}' is already a model's id; choose another (only a model the catalog refuses, procedure 'unsupported', can be given again under its id)`,
      );
      return;
    }
    const others = new Catalog([...builtins.filter((b) => b.id !== model.id && !replaces.includes(b.id)), ...userModels]);
    const clash = nameClash(model, others, at);
    if (clash) {
      problems.add(clash);
      return;
    }
    if (replaced) replaces.push(model.id);
    userModels.push(model);
    builtinBase[model.id] = base ? (builtinBase[base.id] ?? base.id) : model.id;
    catalog = withUserModels(builtins, userModels, replaces);
  });
  problems.throwIfAny();

  return { source, models: userModels, textEntryProfiles: userText, timingProfiles: userTiming, builtinBase, replaces };
}

/** The built-in models (less those the user's replace) and the user's. */
function withUserModels(builtins: readonly PhoneModel[], user: PhoneModel[], replaces: string[]): Catalog {
  return new Catalog([...builtins.filter((m) => !replaces.includes(m.id)), ...user]);
}

/** The first of a model's names that the catalog already answers to, as a problem naming the field; or undefined. */
function nameClash(model: PhoneModel, catalog: Catalog, at: string): string | undefined {
  /** The name of the model (or models) that already answer to a spelling. */
  const owner = (spelling: string): string | undefined => {
    try {
      return `model ${catalog.find(spelling).name}`;
    } catch (err) {
      return err instanceof ConfigError && err.code === 'ambiguous-model' ? 'more than one model' : undefined;
    }
  };
  const named: Array<[string, string]> = [
    [`${at}.id`, model.id],
    [`${at}.name`, model.name],
    ...model.aliases.map((a, j): [string, string] => [`${at}.aliases[${j}]`, a]),
  ];
  for (const [field, name] of named) {
    const other = owner(name);
    if (other) return `${field}: '${name}' is already a name of ${other}; choose a name no other model answers to`;
  }
  const own = new Set(named.map(([, n]) => foldName(n)));
  for (const s of spellings(model)) {
    if (own.has(s)) continue;
    const other = owner(s);
    if (other) {
      return `${at}.id: its number gives it the name '${s}', already a name of ${other}; end the id with something other than a number`;
    }
  }
  return undefined;
}

/** Reads and validates a profiles file. */
export function loadUserProfiles(path: string, builtins: readonly PhoneModel[] = MODELS): UserProfiles {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('no-profiles', `cannot read profiles file ${path}`, 'check the path given to --profiles');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /at position (\d+)/.exec(message);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
    }
    throw new ConfigError('bad-profiles', `profiles file ${path} is not valid JSON: ${message}${where}`, 'fix the JSON syntax');
  }
  return parseUserProfiles(raw, path, builtins);
}

/** The catalog with a profiles file's models added (the built-in catalog without one). */
export function catalogWithProfiles(path: string | undefined): { catalog: Catalog; profiles: UserProfiles | undefined } {
  if (path === undefined) return { catalog: getCatalog(), profiles: undefined };
  const profiles = loadUserProfiles(path);
  return { catalog: withUserModels(MODELS, profiles.models, profiles.replaces), profiles };
}
