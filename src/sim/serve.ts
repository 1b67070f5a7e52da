/**
 * `resetbot sim serve`: a virtual bench behind a pseudo-terminal, so that `resetbot reset --port PATH` (or `doctor`,
 * or a batch station) opens it with the native serialport exactly as it opens a board on /dev/ttyUSB0.
 *
 *   socat PTY,link=PATH,raw,echo=0 STDIO   <- its stdin/stdout ->   the board (VirtualFirmware, or a .hex in avr8js)
 *                                                                    -> VirtualJig -> SimPhone
 *
 * socat makes the pseudo-terminal and links it at PATH; this process is socat's other end. Everything runs in real
 * time (a RealClock), since a real serialport client is on the other side. A pseudo-terminal has no DTR, so opening
 * it does not reset the board (the serial driver then asks with `version`); the board keeps its state between
 * clients, and its own safety rules (hold limit, host watchdog) act when a client vanishes, as on a real board.
 *
 * `trace` writes every channel and relay change as a JSON line with its time (ms since the bench started), and, for
 * the resetbot firmware boards, every event and banner line the board prints.
 */
import { closeSync, existsSync, ftruncateSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Fixture } from '../bench/fixture.js';
import { sleep, type Clock } from '../clock/clock.js';
import { BenchError, ConfigError } from '../errors/errors.js';
import type { JigTraceEntry } from './jig.js';
import type { SimPhoneTruth } from './phone.js';
import { createVirtualBench, type VirtualBench, type VirtualBoardKind } from './virtual-bench.js';

/** The first executable called `name` on PATH, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ServeOptions {
  /** Where the pseudo-terminal's link goes, e.g. /tmp/resetbot-bench. */
  pty: string;
  board: VirtualBoardKind;
  /** Intel HEX text for the firmware or firmata board (default: the committed image). */
  hex?: string;
  clock: Clock;
  modelId: string;
  /** The simulated phone's real MAC, 12 lower-case hex digits. */
  mac: string;
  fixture: Fixture;
  seed: number;
  /** File for the JSON-lines trace. */
  trace?: string;
  /** The phone boots this many times faster than its own timeline (0 < k <= 1; rehearsals and tests). */
  quickBoot?: number;
}

type Socat = ChildProcessByStdio<Writable, Readable, Readable>;

/** A running virtual bench on a pseudo-terminal. */
export class PtyBenchServer {
  private readonly options: ServeOptions;
  private bench: VirtualBench | undefined;
  private socat: Socat | undefined;
  private socatLog = '';
  private traceFd: number | undefined;
  private traceSize = 0;
  /** The write of the --trace file that failed (disk full, read-only): the bench stopped on it. */
  traceError: NodeJS.ErrnoException | undefined;
  /** Clock time the bench started: trace times count from it. */
  private epoch = 0;
  private stopped: Promise<SimPhoneTruth> | undefined;
  private exitListeners = new Set<(reason: string) => void>();

  constructor(options: ServeOptions) {
    this.options = options;
  }

  /** Starts socat and the board; resolves once the pseudo-terminal is at `pty`. */
  async start(): Promise<void> {
    const { pty } = this.options;
    if (existsSync(pty) || isLink(pty)) {
      throw new ConfigError('pty-exists', `${pty} already exists`, 'choose another --pty path, or delete it if no `sim serve` uses it');
    }
    const socatPath = findOnPath('socat');
    if (!socatPath) {
      throw new ConfigError('no-socat', '`sim serve` needs socat to make the pseudo-terminal, and it is not installed', 'install the socat package (sudo apt install socat)');
    }
    if (this.options.trace) this.traceFd = openSync(this.options.trace, 'w');
    this.epoch = this.options.clock.now();
    this.bench = createVirtualBench({
      board: this.options.board,
      clock: this.options.clock,
      modelId: this.options.modelId,
      mac: this.options.mac,
      fixture: this.options.fixture,
      seed: this.options.seed,
      ...(this.options.hex !== undefined ? { hex: this.options.hex } : {}),
      ...(this.options.quickBoot !== undefined ? { quickBoot: this.options.quickBoot } : {}),
      onChange: (e) => this.trace(e),
    });
    const board = this.bench.board;

    const socat = spawn(socatPath, ['-d', '-d', `PTY,link=${pty},raw,echo=0`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.socat = socat;
    socat.stderr.on('data', (d: Buffer) => (this.socatLog = (this.socatLog + d.toString()).slice(-2000)));
    socat.stdout.on('data', (d: Buffer) => board.write(d));
    socat.stdin.on('error', () => {}); // socat gone: its exit is reported below
    socat.on('exit', (code, signal) => {
      if (this.stopped) return;
      const reason = `socat exited (${signal ?? `code ${code}`}): ${this.socatLog.trim().split('\n').at(-1) ?? ''}`;
      for (const l of this.exitListeners) l(reason);
    });
    if (this.options.board !== 'firmata') this.traceLines(board);
    board.onSerialData((data) => {
      if (!socat.stdin.destroyed) socat.stdin.write(data);
    });

    // Wait for socat's link (it appears once the pseudo-terminal exists).
    for (let waited = 0; !isLink(pty); waited += 20) {
      if (socat.exitCode !== null || waited > 5000) {
        socat.kill();
        throw new BenchError('pty-failed', `socat did not make the pseudo-terminal ${pty}: ${this.socatLog.trim() || 'no message'}`, 'check that the directory exists and is writable');
      }
      await sleep(this.options.clock, 20);
    }
    board.powerOn(); // plugged in; its banner waits in the pseudo-terminal (a client flushes it when it opens)
  }

  /** The phone in the jig (for its truth). */
  get virtualBench(): VirtualBench {
    if (!this.bench) throw new Error('PtyBenchServer: not started');
    return this.bench;
  }

  /** Calls `fn` if socat dies on its own (the bench is then unreachable). */
  onFailure(fn: (reason: string) => void): void {
    this.exitListeners.add(fn);
  }

  /** Stops socat and the board; resolves to the phone's truth as it was at the moment of stopping. */
  stop(): Promise<SimPhoneTruth> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<SimPhoneTruth> {
    const bench = this.bench!;
    const truth = bench.phone.truth();
    const socat = this.socat;
    if (socat && socat.exitCode === null && socat.signalCode === null) {
      const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
      socat.kill('SIGTERM');
      await exited;
    }
    // socat removes its link on a clean exit; make sure of it.
    if (isLink(this.options.pty)) unlinkSync(this.options.pty);
    bench.dispose();
    if (this.traceFd !== undefined) closeSync(this.traceFd);
    this.traceFd = undefined;
    return truth;
  }

  private trace(entry: JigTraceEntry | { t: number; event: string }): void {
    if (this.traceFd === undefined) return;
    const bytes = Buffer.from(JSON.stringify({ ...entry, t: Math.round((entry.t - this.epoch) * 1000) / 1000 }) + '\n');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(this.traceFd, bytes, off, bytes.length - off);
      this.traceSize += bytes.length;
    } catch (err) {
      // A trace that cannot be written (disk full) stops the bench: its account would be incomplete. No half line is
      // left: the file is cut back to its last whole line.
      const fd = this.traceFd;
      this.traceFd = undefined;
      this.traceError = err as NodeJS.ErrnoException;
      try {
        ftruncateSync(fd, this.traceSize);
        closeSync(fd);
      } catch {
        // the disk is failing
      }
      for (const fn of this.exitListeners) fn(`cannot write --trace ${this.options.trace} (${this.traceError.code ?? 'EIO'})`);
    }
  }

  /** Traces the board's events (`! ...`) and banners (`# ...`) as they are printed. */
  private traceLines(board: VirtualBench['board']): void {
    let partial = '';
    board.onSerialData((data, t) => {
      partial += data.toString('latin1');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line.startsWith('! ') || line.startsWith('# ')) this.trace({ t, event: line });
      }
    });
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
