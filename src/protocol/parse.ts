/**
 * Parses what the firmware prints (firmware/PROTOCOL.md) into typed objects. Four kinds of line, told apart by
 * their first word:
 *   `# resetbot-fw 1.0.0 proto=1 channels=32 maxhold=20000 watchdog=3000`   banner, printed on every reset
 *   `ok <id>[ <data>]`                                                        success reply
 *   `err <id> <code> <message>`                                               error reply (id 0: the line had none)
 *   `! <event> [args]`                                                        unprompted event
 * Anything else (line noise, a bootloader's bytes) is `unparsable`, never an exception.
 */
import { BenchError } from '../errors/errors.js';
import { protocolErrorByCode, type ProtocolErrorName } from './errors.js';
import { FIRMWARE_NAME, FIRMWARE_VERSION, PROTOCOL_VERSION } from './version.js';

/** A banner (or `version` reply) as printed: name, version, then `key=value` fields. */
export interface Identity {
  name: string;
  version: string;
  /** Every `key=value` field, as text. */
  fields: Record<string, string>;
}

/** Why a press ended, in its `! done` event. */
export type DoneReason = 'time' | 'release' | 'limit' | 'watchdog' | 'stop';
const DONE_REASONS: readonly string[] = ['time', 'release', 'limit', 'watchdog', 'stop'] satisfies DoneReason[];

export type BoardEvent =
  /** A press's channels are all off again (`time`: its duration ran out). Every accepted press gets exactly one. */
  | { type: 'done'; id: number; reason: DoneReason }
  /** These channels reached the maximum hold time and were released. */
  | { type: 'limit'; channels: number[] }
  /** The host was silent for the watchdog time with these channels on: they were released (the relay was not). */
  | { type: 'watchdog'; channels: number[] }
  /** The stop byte was received: every channel off, relay off, partial line dropped. */
  | { type: 'stop' }
  /** An event this host does not know (a newer firmware): ignore it. */
  | { type: 'unknown'; name: string; args: string[] };

export type BoardLine =
  | { kind: 'banner'; identity: Identity; raw: string }
  | { kind: 'comment'; text: string; raw: string }
  | { kind: 'ok'; id: number; data: string; raw: string }
  | { kind: 'err'; id: number; code: number; name: ProtocolErrorName | undefined; message: string; raw: string }
  | { kind: 'event'; event: BoardEvent; raw: string }
  | { kind: 'unparsable'; reason: string; raw: string };

const DECIMAL = /^\d+$/;

function parseId(word: string | undefined): number | undefined {
  if (word === undefined || !DECIMAL.test(word)) return undefined;
  const n = Number(word);
  return n <= 0xffff_ffff ? n : undefined;
}

/** A list of channels or ids: `1,3,5` -> [1, 3, 5]; `-` -> []. Undefined when malformed. */
export function parseNumberList(text: string): number[] | undefined {
  if (text === '-') return [];
  const parts = text.split(',');
  if (!parts.every((p) => DECIMAL.test(p))) return undefined;
  return parts.map(Number);
}

/** `resetbot-fw 1.0.0 proto=1 channels=32 ...` (the banner after `# `, or the data of a `version` reply). */
export function parseIdentity(text: string): Identity | undefined {
  const [name, version, ...rest] = text.trim().split(/\s+/);
  if (!name || !version) return undefined;
  const fields: Record<string, string> = {};
  for (const word of rest) {
    const eq = word.indexOf('=');
    if (eq <= 0) return undefined;
    fields[word.slice(0, eq)] = word.slice(eq + 1);
  }
  if (!('proto' in fields)) return undefined;
  return { name, version, fields };
}

function parseEvent(words: string[]): BoardEvent | undefined {
  const [name, ...args] = words;
  if (!name) return undefined;
  switch (name) {
    case 'done': {
      const id = parseId(args[0]);
      const reason = args[1];
      if (id === undefined || reason === undefined || !DONE_REASONS.includes(reason) || args.length !== 2) return undefined;
      return { type: 'done', id, reason: reason as DoneReason };
    }
    case 'limit':
    case 'watchdog': {
      const channels = args.length === 1 ? parseNumberList(args[0]!) : undefined;
      return channels ? { type: name, channels } : undefined;
    }
    case 'stop':
      return args.length === 0 ? { type: 'stop' } : undefined;
    default:
      return { type: 'unknown', name, args };
  }
}

/** One line from the board (its `\n` already removed; a trailing `\r` is ignored). */
export function parseLine(line: string): BoardLine {
  const raw = line.replace(/\r$/, '');
  const bad = (reason: string): BoardLine => ({ kind: 'unparsable', reason, raw });
  if (raw.startsWith('# ')) {
    const identity = parseIdentity(raw.slice(2));
    return identity ? { kind: 'banner', identity, raw } : { kind: 'comment', text: raw.slice(2), raw };
  }
  const words = raw.split(' ');
  switch (words[0]) {
    case 'ok': {
      const id = parseId(words[1]);
      if (id === undefined) return bad('ok without an id');
      return { kind: 'ok', id, data: words.slice(2).join(' '), raw };
    }
    case 'err': {
      const id = parseId(words[1]);
      const code = parseId(words[2]);
      if (id === undefined || code === undefined) return bad('err without an id and a code');
      return { kind: 'err', id, code, name: protocolErrorByCode(code)?.name as ProtocolErrorName | undefined, message: words.slice(3).join(' '), raw };
    }
    case '!': {
      const event = parseEvent(words.slice(1));
      return event ? { kind: 'event', event, raw } : bad('malformed event');
    }
    default:
      return bad('not a line of the resetbot protocol');
  }
}

// ---- Reply data ---------------------------------------------------------------------------------------------------

function badReply(what: string, data: string): BenchError {
  return new BenchError('bad-reply', `the board's ${what} reply is malformed: '${data}'`, 'check that the board runs resetbot firmware (see firmware/README)');
}

function keyValues(data: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const word of data.split(' ').filter(Boolean)) {
    const eq = word.indexOf('=');
    if (eq > 0) map.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return map;
}

function integerField(map: Map<string, string>, key: string): number | undefined {
  const v = map.get(key);
  return v !== undefined && DECIMAL.test(v) ? Number(v) : undefined;
}

export interface BoardState {
  /** Channels energised now. */
  on: number[];
  /** The relay: true = phone powered. */
  power: boolean;
  /** The host watchdog in force. */
  watchdogMs: number;
  /** Ids of the presses still running. */
  presses: number[];
}

/** The data of the `state` reply: `on=1,3 power=off wd=3000 presses=7`. */
export function parseStateData(data: string): BoardState {
  const kv = keyValues(data);
  const on = parseNumberList(kv.get('on') ?? '');
  const presses = parseNumberList(kv.get('presses') ?? '');
  const power = kv.get('power');
  const watchdogMs = integerField(kv, 'wd');
  if (!on || !presses || (power !== 'on' && power !== 'off') || watchdogMs === undefined) throw badReply('state', data);
  return { on, power: power === 'on', watchdogMs, presses };
}

/** The data of the `sensor` reply: `a0=512` -> 512. */
export function parseSensorData(data: string): number {
  const value = integerField(keyValues(data), 'a0');
  if (value === undefined || value > 1023) throw badReply('sensor', data);
  return value;
}

/** What the banner says, once it is known to come from a compatible firmware. */
export interface FirmwareInfo {
  name: string;
  version: string;
  protocol: number;
  channels: number;
  maxHoldMs: number;
  /** The host watchdog after a reset. */
  watchdogMs: number;
}

/**
 * Checks a banner (or a `version` reply) against what this host speaks, and returns its figures. Throws a BenchError
 * saying what to do when the board runs other firmware or another protocol version.
 */
export function checkIdentity(identity: Identity): FirmwareInfo {
  if (identity.name !== FIRMWARE_NAME) {
    throw new BenchError(
      'wrong-firmware',
      `the board runs '${identity.name} ${identity.version}', not ${FIRMWARE_NAME}`,
      'flash firmware/resetbot.hex (see firmware/README)',
    );
  }
  const kv = new Map(Object.entries(identity.fields));
  const protocol = integerField(kv, 'proto');
  if (protocol !== PROTOCOL_VERSION) {
    throw new BenchError(
      'protocol-mismatch',
      `the board's firmware ${identity.version} speaks protocol ${identity.fields.proto}, this resetbot speaks ${PROTOCOL_VERSION}`,
      `flash the firmware that comes with this resetbot (firmware/resetbot.hex, version ${FIRMWARE_VERSION})`,
    );
  }
  const channels = integerField(kv, 'channels');
  const maxHoldMs = integerField(kv, 'maxhold');
  const watchdogMs = integerField(kv, 'watchdog');
  if (channels === undefined || maxHoldMs === undefined || watchdogMs === undefined) throw badReply('banner', Object.entries(identity.fields).map(([k, v]) => `${k}=${v}`).join(' '));
  return { name: identity.name, version: identity.version, protocol, channels, maxHoldMs, watchdogMs };
}
