/**
 * The firmware's error codes: the one table that the firmware (through the generated firmware/resetbot/errors.h),
 * the serial driver, the simulator and the tests share. A reply `err <id> <code> <message>` carries the number;
 * the message is the text below. Codes are never renumbered: add new ones at the end.
 */
import { MAX_LINE_LENGTH } from './version.js';

export interface ProtocolErrorDef {
  /** The number on the wire. */
  readonly code: number;
  /** A stable slug for host code and records. */
  readonly name: string;
  /** The text the firmware prints after the code. */
  readonly message: string;
  /** What the host or a human did wrong, for documentation and host error messages. */
  readonly meaning: string;
}

export const PROTOCOL_ERRORS = [
  { code: 1, name: 'unknown-command', message: 'unknown command', meaning: 'the first word is not a command' },
  {
    code: 2,
    name: 'bad-id',
    message: 'bad id',
    meaning: 'the second word is not an id 1..4294967295; the reply carries id 0',
  },
  {
    code: 3,
    name: 'bad-argument',
    message: 'bad argument',
    meaning: 'wrong number of arguments, or one is not what the command takes',
  },
  {
    code: 4,
    name: 'line-too-long',
    message: 'line too long',
    meaning: `the line had more than ${MAX_LINE_LENGTH} characters; it was discarded up to its newline`,
  },
  {
    code: 5,
    name: 'channel-out-of-range',
    message: 'channel out of range',
    meaning: 'a channel is not below the channel count of the banner',
  },
  {
    code: 6,
    name: 'duration-over-max',
    message: 'duration over max',
    meaning: 'a press (or the host watchdog) asked for more than the maximum hold time of the banner',
  },
  {
    code: 7,
    name: 'busy',
    message: 'channel already on',
    meaning: 'press or hold named a channel that is already energised (release it first)',
  },
  {
    code: 8,
    name: 'too-many-presses',
    message: 'too many presses',
    meaning: 'every press slot is running; wait for a `! done` event',
  },
] as const satisfies readonly ProtocolErrorDef[];

export type ProtocolErrorName = (typeof PROTOCOL_ERRORS)[number]['name'];

const byCode = new Map<number, ProtocolErrorDef>(PROTOCOL_ERRORS.map((e) => [e.code, e]));
const byName = new Map<string, ProtocolErrorDef>(PROTOCOL_ERRORS.map((e) => [e.name, e]));

/** The table entry for a wire code, or undefined for a code this host does not know (a newer firmware). */
export function protocolErrorByCode(code: number): ProtocolErrorDef | undefined {
  return byCode.get(code);
}

/** The wire code of a named error. */
export function protocolErrorCode(name: ProtocolErrorName): number {
  return byName.get(name)!.code;
}
