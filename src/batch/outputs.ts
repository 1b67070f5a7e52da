import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, statfsSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, ResetbotError } from '../errors/errors.js';

/*
 * What resetbot writes (journal, records, reports, --inspect, --trace, --sim-truth) and how it fails:
 * - before anything moves, every output path is checked: its folder exists (or can be made, for --out and --journal),
 *   a file can be created there, and the disk has room (MIN_FREE_BYTES): else a ConfigError (exit 2);
 * - during a run, a write that fails (disk full, read-only, I/O error) is an OutputError: the CLI releases every
 *   channel, says in one line what happened and how to go on, and exits with EXIT.io.
 */

/** The free space an output's disk must have before a run starts (README, "Batches"). */
export const MIN_FREE_BYTES = 1024 * 1024;

/** A write that failed during a run: the disk is full, read-only or failing. The CLI exits with EXIT.io on it. */
export class OutputError extends ResetbotError {
  constructor(
    code: string,
    message: string,
    hint: string | undefined,
    readonly path: string,
  ) {
    super('bench', code, message, hint);
    this.name = 'OutputError';
  }
}

/** What an errno means for a file being written, in words. */
export function ioProblem(err: unknown): { code: string; words: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  switch (code) {
    case 'ENOSPC':
      return { code, words: 'the disk is full' };
    case 'EDQUOT':
      return { code, words: 'the disk quota is used up' };
    case 'EROFS':
      return { code, words: 'the disk is read-only' };
    case 'EACCES':
    case 'EPERM':
      return { code, words: 'permission denied' };
    case 'EIO':
      return { code, words: 'an I/O error (the disk is failing or was removed)' };
    case 'ENOENT':
      return { code, words: 'its folder no longer exists' };
    case 'EISDIR':
      return { code, words: 'it is a folder' };
    case 'ENOTDIR':
      return { code, words: 'a part of its path is not a folder' };
    default:
      return { code, words: (err as Error | undefined)?.message ?? String(err) };
  }
}

/** An OutputError for a failed write of `what` at `path`. */
export function outputError(err: unknown, path: string, what: string, hint?: string): OutputError {
  if (err instanceof OutputError) return err;
  const p = ioProblem(err);
  return new OutputError(`write-${p.code.toLowerCase()}`, `cannot write ${what} ${path}: ${p.words} (${p.code})`, hint, path);
}

/** Writes every byte of `data` at the file's position (a short write is continued, never left half done). */
export function writeAllSync(fd: number, data: Buffer | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Checks an output before anything moves. `kind: 'file'`: its folder must exist (or, with `makeDir`, the nearest
 * existing folder above it must take new entries); the file itself, when it exists, must be a file and writable.
 * `kind: 'dir'`: the folder (or the nearest existing folder above it) must take new entries. Both: the disk has at
 * least MIN_FREE_BYTES free. Throws a ConfigError naming the flag.
 */
export function checkOutput(path: string, flag: string, kind: 'file' | 'dir', opts: { makeDir?: boolean } = {}): void {
  const abs = resolve(path);
  const refuse = (what: string, hint: string) => new ConfigError('bad-output', `${flag} ${path}: ${what}`, hint);
  let dir = kind === 'dir' ? abs : dirname(abs);
  if (kind === 'file') {
    const st = statOrUndefined(abs);
    if (st?.isDirectory()) throw refuse('is a folder', `give a file name, e.g. ${flag} ${path.replace(/\/$/, '')}/out.jsonl`);
  } else {
    const st = statOrUndefined(abs);
    if (st && !st.isDirectory()) throw refuse('is a file, not a folder', 'give a folder (it is made if missing)');
  }
  if (kind === 'file' && !opts.makeDir && !statOrUndefined(dir)?.isDirectory()) {
    throw refuse(`folder ${dir} does not exist`, `make it first (mkdir -p ${dir}), or give a path in an existing folder`);
  }
  // The nearest folder that exists: new folders below it are made when the run starts.
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw refuse(`${dir} is a file, not a folder`, 'give a path under a folder');
  const probe = resolve(dir, `.resetbot-probe.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    const p = ioProblem(err);
    throw refuse(`cannot write in ${dir}: ${p.words} (${p.code})`, 'give a folder you can write to, on a disk with room');
  } finally {
    try {
      unlinkSync(probe);
    } catch {
      // never made
    }
  }
  if (kind === 'file') {
    try {
      if (existsSync(abs)) closeSync(openSync(abs, 'r+'));
    } catch (err) {
      const p = ioProblem(err);
      throw refuse(`cannot write it: ${p.words} (${p.code})`, 'give a file you can write to');
    }
  }
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (free < MIN_FREE_BYTES) {
    throw refuse(
      `the disk holding ${dir} has ${Math.floor(free / 1024)} KiB free, less than the ${MIN_FREE_BYTES / 1024} KiB a run needs`,
      'free some space, or give a folder on another disk',
    );
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/*
 * One writer per journal: `<journal>.lock`, made with O_EXCL, holds the writer's pid, host and start time for the
 * batch's life. A second batch on the journal is refused at once, naming the holder. A lock whose pid is gone on this
 * host is stale (a kill -9, a power cut): it is taken over, with a note. A lock of another host is never taken over.
 */

export interface LockHolder {
  pid: number;
  host: string;
  at: string;
  command: string;
}

export interface JournalLock {
  path: string;
  /** A stale lock this one replaced (its holder had died). */
  replaced: LockHolder | undefined;
  release(): void;
}

const held = new Set<string>();
let exitHook = false;

/** Whether a process with this pid is alive on this host (EPERM: alive, but another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return { pid: h.pid, host: h.host, at: String(h.at ?? '?'), command: String(h.command ?? '') };
  } catch {
    // being written right now, or damaged
  }
  return undefined;
}

/** Takes the journal's lock, or throws a ConfigError (exit 2) naming the batch that holds it. */
export function lockJournal(journalPath: string, at: Date): JournalLock {
  const path = `${resolve(journalPath)}.lock`;
  const me: LockHolder = { pid: process.pid, host: hostname(), at: at.toISOString(), command: process.argv.slice(2).join(' ') };
  let replaced: LockHolder | undefined;
  // The lock appears whole: written to a file of our own, then linked to its name (link fails if the name exists).
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      writeAllSync(fd, JSON.stringify(me) + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    removeQuietly(tmp);
    throw outputError(err, path, 'the journal lock', 'give a --journal or --out you can write to, on a disk with room');
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw outputError(err, path, 'the journal lock', 'give a --journal or --out you can write to');
      }
      const holder = readHolder(path);
      const stale = holder !== undefined && holder.host === me.host && holder.pid !== process.pid && !alive(holder.pid);
      if (stale && attempt < 3) {
        replaced = holder;
        removeQuietly(path);
        continue;
      }
      throw new ConfigError(
        'journal-locked',
        holder
          ? `journal ${journalPath} is being written by another batch (pid ${holder.pid} on ${holder.host}, since ${holder.at}${holder.command ? `: resetbot ${holder.command}` : ''})`
          : `journal ${journalPath} is locked by ${path}, which does not say who holds it`,
        holder && holder.host === me.host
          ? 'wait for that batch to end, or stop it (Ctrl-C in its terminal): one batch writes a journal at a time'
          : `wait for that batch to end; if it is gone (its host crashed), remove ${path}`,
      );
    }
  } finally {
    removeQuietly(tmp);
  }
  held.add(path);
  if (!exitHook) {
    exitHook = true;
    // A batch that ends by process.exit (a second Ctrl-C) still leaves no lock behind.
    process.on('exit', () => {
      for (const p of held) releasePath(p);
    });
  }
  return {
    path,
    replaced,
    release: () => {
      if (held.delete(path)) releasePath(path);
    },
  };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}

function releasePath(path: string): void {
  const holder = readHolder(path);
  if (holder && (holder.pid !== process.pid || holder.host !== hostname())) return; // not ours any more
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
