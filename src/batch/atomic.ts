import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { alive, outputError, writeAllSync } from './outputs.js';

/**
 * Writes a file so that a reader (or a crash) sees either the old content or the new, never half of it: the text goes
 * (or, from a function, as it is made) to a temporary file beside the target, every byte of it (a short write is continued), is flushed to disk, and is
 * renamed over the target; then the directory entry is flushed too. A write that fails (disk full, read-only, I/O
 * error) leaves the old file as it was and no temporary file behind, and throws an OutputError naming `what`.
 */
export function writeFileAtomic(path: string, text: string | ((write: (chunk: string) => void) => void), what = 'the report'): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    removeDeadTemps(dir, basename(path));
    fd = openSync(tmp, 'w');
    if (typeof text === 'string') {
      writeAllSync(fd, text);
    } else {
      // Written as it is made, in writes of about 1 MB (a report too large to hold as one string).
      const out = fd;
      let pending: string[] = [];
      let size = 0;
      const flush = () => {
        if (pending.length > 0) writeAllSync(out, pending.join(''));
        pending = [];
        size = 0;
      };
      text((chunk) => {
        pending.push(chunk);
        size += chunk.length;
        if (size >= 1 << 20) flush();
      });
      flush();
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // closing a file on a failing disk may fail too
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never made
    }
    throw outputError(err, path, what);
  }
  fsyncDir(dir);
}

/** Temporary files of this target left by a process that died mid-write (a kill -9, a power cut): removed. */
function removeDeadTemps(dir: string, base: string): void {
  const prefix = `.${base}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    try {
      unlinkSync(`${dir}/${name}`);
    } catch {
      // gone already
    }
  }
}

/** Flushes a directory's entries (a rename or a new file) to disk. Some platforms cannot open a directory: skip there. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
