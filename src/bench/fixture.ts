import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, nearest } from '../errors/errors.js';
import { ALL_KEYS, isKnownKey, type Key } from './keys.js';

/**
 * A fixture file describes one jig: which channel's solenoid (or touch tip, or pin) sits over which logical key, and
 * whether the phone's power goes through the bench relay.
 */
export interface Fixture {
  name: string;
  description: string;
  /** Channels the jig wires (all below this number). */
  channels: number;
  /** True when the phone's power runs through the bench relay; false means power cycles use a reboot combo. */
  relay: boolean;
  /**
   * The longest hold the jig's board allows one solenoid (its firmware's MAX_HOLD_MS), when it differs from the
   * reference firmware's 20 s: a procedure that must hold longer is refused before anything moves.
   */
  maxHoldMs?: number;
  /** Logical key to channel. */
  keys: Record<Key, number>;
  /** The file it came from, for messages. */
  source: string;
}

const fixtureSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    channels: z.number().int().min(1).max(256),
    relay: z.boolean().default(true),
    maxHoldMs: z.number().int().positive().optional(),
    keys: z.record(z.string(), z.number().int().min(0)),
  })
  .strict();

/** Validates a parsed fixture object; `source` names it in messages. */
export function parseFixture(raw: unknown, source: string): Fixture {
  const parsed = fixtureSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new ConfigError('bad-fixture', `fixture ${source}: field ${where}: ${issue.message}`, 'fix that field (see fixtures/ for examples)');
  }
  const f = parsed.data;
  const byChannel = new Map<number, string>();
  for (const [key, channel] of Object.entries(f.keys)) {
    if (!isKnownKey(key)) {
      throw new ConfigError(
        'bad-fixture',
        `fixture ${source}: unknown key '${key}'`,
        `use one of the known key names (nearest: ${nearest(key, ALL_KEYS).join(', ')})`,
      );
    }
    if (channel >= f.channels) {
      throw new ConfigError(
        'bad-fixture',
        `fixture ${source}: key '${key}' is on channel ${channel}, but the jig has channels 0 to ${f.channels - 1}`,
        'raise "channels" or move the key to a free channel',
      );
    }
    const other = byChannel.get(channel);
    if (other !== undefined) {
      throw new ConfigError(
        'bad-fixture',
        `fixture ${source}: keys '${other}' and '${key}' are both on channel ${channel}`,
        'give each key its own channel',
      );
    }
    byChannel.set(channel, key);
  }
  return { ...f, source };
}

export function loadFixture(path: string): Fixture {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('no-fixture', `cannot read fixture file ${path}`, 'check the path given to --fixture');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('bad-fixture', `fixture ${path} is not valid JSON (${(e as Error).message})`, 'fix the JSON syntax');
  }
  return parseFixture(raw, path);
}

/** The keys among `needed` that the fixture does not map. */
export function missingKeys(fixture: Fixture, needed: Iterable<Key>): Key[] {
  return [...new Set(needed)].filter((k) => !(k in fixture.keys));
}

/** Throws a config error naming every key the fixture lacks. */
export function requireKeys(fixture: Fixture, needed: Iterable<Key>, forWhat: string): void {
  const missing = missingKeys(fixture, needed);
  if (missing.length > 0) {
    throw new ConfigError(
      'fixture-lacks-key',
      `fixture ${fixture.source} has no channel for key${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')} that ${forWhat} needs`,
      'add them to the fixture\'s "keys" or use the fixture for this jig',
    );
  }
}

export function channelsFor(fixture: Fixture, keys: Key[]): number[] {
  requireKeys(fixture, keys, 'this step');
  return keys.map((k) => fixture.keys[k]!);
}

/** The key on a channel, for traces and the virtual jig. */
export function keyOnChannel(fixture: Fixture, channel: number): Key | undefined {
  for (const [k, c] of Object.entries(fixture.keys)) if (c === channel) return k;
  return undefined;
}
