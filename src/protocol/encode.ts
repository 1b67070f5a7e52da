/**
 * Command encoders for the firmware's line protocol (firmware/PROTOCOL.md): `<verb> <id> [args]\n`.
 * They check what a line can carry (ids, integers, length); the firmware checks its own limits (channel count,
 * maximum hold) and answers `err` when they are passed.
 */
import { ResetbotError } from '../errors/errors.js';
import { MAX_LINE_LENGTH, STOP_BYTE } from './version.js';

/** Ids run 1..MAX_COMMAND_ID; 0 is the id of replies to lines that had none. */
export const MAX_COMMAND_ID = 0xffff_ffff;

export type Command =
  | { op: 'ping'; id: number }
  | { op: 'version'; id: number }
  /** Channels on together for `ms`, timed on the board: `ok` once latched, `! done <id> <reason>` once released. */
  | { op: 'press'; id: number; ms: number; channels: readonly number[] }
  /** Channels on until released (or the board's hold limit). */
  | { op: 'hold'; id: number; channels: readonly number[] }
  | { op: 'release'; id: number; channels: readonly number[] | 'all' }
  | { op: 'power'; id: number; on: boolean }
  /** Reads A0: `ok <id> a0=<0..1023>`. */
  | { op: 'sensor'; id: number }
  /** `ok <id> on=<channels> power=<on|off> wd=<ms> presses=<ids>`. */
  | { op: 'state'; id: number }
  /** Sets the host watchdog. */
  | { op: 'wd'; id: number; ms: number };

export type CommandOp = Command['op'];

function bug(message: string): ResetbotError {
  return new ResetbotError('bug', 'bad-command', message);
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_COMMAND_ID) throw bug(`command id ${id} is not an integer 1..${MAX_COMMAND_ID}`);
}

function checkMs(ms: number, what: string): void {
  if (!Number.isInteger(ms) || ms < 1) throw bug(`${what} of ${ms} ms is not a positive integer`);
}

/** `1,3,5`: sorted, without duplicates. */
export function channelList(channels: readonly number[]): string {
  if (channels.length === 0) throw bug('a command needs at least one channel');
  for (const c of channels) if (!Number.isInteger(c) || c < 0) throw bug(`channel ${c} is not an integer >= 0`);
  return [...new Set(channels)].sort((a, b) => a - b).join(',');
}

/** The command's line, newline included. */
export function encodeCommand(cmd: Command): string {
  checkId(cmd.id);
  let line: string;
  switch (cmd.op) {
    case 'ping':
    case 'version':
    case 'sensor':
    case 'state':
      line = `${cmd.op} ${cmd.id}`;
      break;
    case 'press':
      checkMs(cmd.ms, 'a press');
      line = `press ${cmd.id} ${cmd.ms} ${channelList(cmd.channels)}`;
      break;
    case 'hold':
      line = `hold ${cmd.id} ${channelList(cmd.channels)}`;
      break;
    case 'release':
      line = `release ${cmd.id} ${cmd.channels === 'all' ? 'all' : channelList(cmd.channels)}`;
      break;
    case 'power':
      line = `power ${cmd.id} ${cmd.on ? 'on' : 'off'}`;
      break;
    case 'wd':
      checkMs(cmd.ms, 'a watchdog');
      line = `wd ${cmd.id} ${cmd.ms}`;
      break;
  }
  if (line.length > MAX_LINE_LENGTH) throw bug(`command line of ${line.length} characters is over the firmware's ${MAX_LINE_LENGTH}`);
  return `${line}\n`;
}

/** The out-of-band stop: sent on its own, at any time, even in the middle of a line. */
export function encodeStop(): Uint8Array {
  return Uint8Array.of(STOP_BYTE);
}

/** Hands out command ids 1, 2, ... MAX_COMMAND_ID, then 1 again. */
export class CommandIds {
  private last: number;

  constructor(start = 1) {
    checkId(start);
    this.last = start - 1;
  }

  next(): number {
    this.last = this.last >= MAX_COMMAND_ID ? 1 : this.last + 1;
    return this.last;
  }
}
