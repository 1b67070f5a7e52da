import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { lockBatch, prepareBatch, startBatch, type BatchResult, type BatchSetup } from '../../batch/batch.js';
import { createProgress } from '../../batch/progress.js';
import { formatSummary, type BatchSummary } from '../../batch/report.js';
import { runScan } from '../../batch/scan.js';
import { ConfigError } from '../../errors/errors.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import type { CommandContext } from '../main.js';
import { writeJson } from '../output.js';
import { addProfilesOption } from '../profiles-option.js';
import { VERSION } from '../version.js';
import { wantsColour } from '../../progress/render.js';

interface BatchOpts {
  stations?: string;
  simStations?: number;
  journal?: string;
  out?: string;
  resume?: boolean;
  skipBad?: boolean;
  trustLabel?: boolean;
  calibration?: string;
  json?: boolean;
  quiet?: boolean;
  scan?: boolean;
  model?: string;
  station?: string;
  simPace?: number;
  simSeed?: number;
  simTruth?: string;
  profiles?: string;
}

function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(Number.isFinite(n) && n > 0)) throw new ConfigError('bad-flag', `${flag} '${value}' is not a positive number`, `give a number such as ${flag === '--sim-pace' ? '60' : '4'}`);
    return n;
  };
}

function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new ConfigError('bad-flag', `${flag} '${value}' is not a whole number of ${min} or more`, `give a number such as ${Math.max(min, 4)}`);
    return Number(value);
  };
}

/** `20251121-050312-9f3a`: UTC start time and a random suffix. */
function newBatchId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/**
 * The batch's exit code: 0 all passed, 3 all passed or unverified, 6 some failed or errored or some rows were bad and
 * not run (--skip-bad), 4 no station could run, 130 Ctrl-C.
 */
export function batchExitCode(s: BatchSummary, aborted: boolean): number {
  if (aborted || s.byOutcome.aborted > 0) return EXIT.aborted;
  if (s.total > 0 && s.stations.length > 0 && s.stations.every((st) => st.status === 'out')) return EXIT.bench;
  if (s.byOutcome.fail > 0 || s.byOutcome.error > 0 || s.rejected.length > 0) return EXIT.batchNotAllPassed;
  if (s.byOutcome.unverified > 0) return EXIT.unverified;
  return EXIT.ok;
}

export function registerBatch(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('batch')
    .argument('[file]', 'batch file: CSV with columns mac,model[,station,procedure,options,menu_reset,admin_password,software], or JSON')
    .description('reset a batch of phones from a CSV or JSON file (or scanned one by one with --scan), unattended, on one or more stations')
    .option('--stations <file>', 'station file: each station\'s driver, port and fixture (default: simulated stations)')
    .option('--sim-stations <n>', 'without --stations: how many simulated stations run in parallel (default 1)', wholeNumber('--sim-stations', 1))
    .option('--journal <file>', 'the journal (default: <out>/journal.jsonl)')
    .option('--out <dir>', 'where the journal and reports go (default: ./resetbot-runs/<batch-id>/)')
    .option('--resume', 'continue a batch after a crash, a kill or Ctrl-C: phones with a result are not run again (the stations, profiles, seed and --skip-bad are kept)')
    .option('--skip-bad', 'run the good rows when some rows are bad (without it, bad rows stop the batch)')
    .option('--json', 'print the summary as one JSON object on stdout (progress goes to stderr)')
    .option('--quiet', 'no live progress')
    .option('--scan', 'interactive: scan (or type) each phone\'s MAC label, place the phone, press Enter')
    .option('--model <model>', 'with --scan: the model of the scanned phones (else scan "MAC MODEL")')
    .option('--station <name>', 'with --scan and --stations: the station to use (default: the first)')
    .option('--trust-label', "accept each row's MAC as its phone's identity when nothing the phone does proves it (touch, long-press, menu resets)")
    .option('--calibration <file>', 'the calibration file this bench learns each model in, and plans the next phone of the model by (default: calibration.json in the runs folder)')
    .option('--sim-pace <factor>', 'simulated stations: virtual time runs at most this many times real time (e.g. 60)', positiveNumber('--sim-pace'))
    .option('--sim-seed <n>', 'seed of the simulated stations\' randomness', wholeNumber('--sim-seed', 0))
    .option('--sim-truth <file>', 'simulated stations: write the simulator\'s own account of each phone here (JSON lines)');
  addProfilesOption(cmd).action(async (file: string | undefined, opts: BatchOpts) => {
    if (opts.scan && file !== undefined) throw new ConfigError('bad-flag', '--scan takes no batch file', 'drop the file, or drop --scan');
    if (!opts.scan && (opts.model !== undefined || opts.station !== undefined)) {
      throw new ConfigError('bad-flag', '--model and --station go with --scan', 'a batch file names each phone\'s model and station in its rows');
    }
    if (opts.scan && (opts.simStations !== undefined || opts.skipBad)) {
      throw new ConfigError('bad-flag', `${opts.skipBad ? '--skip-bad' : '--sim-stations'} does not go with --scan`, 'scan mode runs one jig, one phone at a time');
    }
    if (opts.stations !== undefined && opts.simStations !== undefined) {
      throw new ConfigError('bad-flag', '--sim-stations goes without --stations', 'list the stations in the station file');
    }
    const out = opts.json ? process.stderr : process.stdout;
    const setup: BatchSetup = {
      ...(file !== undefined ? { file } : {}),
      ...(opts.stations !== undefined ? { stationsFile: opts.stations } : {}),
      ...(opts.simStations !== undefined ? { simStations: opts.simStations } : {}),
      ...(opts.profiles !== undefined ? { profiles: opts.profiles } : {}),
      ...(opts.journal !== undefined ? { journal: opts.journal } : {}),
      ...(opts.out !== undefined ? { outDir: opts.out } : {}),
      resume: opts.resume === true,
      skipBad: opts.skipBad === true,
      ...(opts.simPace !== undefined ? { pace: opts.simPace } : {}),
      ...(opts.trustLabel ? { trustLabel: true } : {}),
      ...(opts.calibration !== undefined ? { calibration: opts.calibration } : {}),
      ...(opts.simSeed !== undefined ? { seed: opts.simSeed } : {}),
      ...(opts.simTruth !== undefined ? { simTruth: opts.simTruth } : {}),
      newBatchId,
      wallClock: () => new Date(),
      resetbotVersion: VERSION,
    };

    const abort = new AbortController();
    let releaseNow: () => Promise<void> = async () => {};
    const stopInterrupt = onInterrupt(
      () => abort.abort(new Error('interrupted')),
      () => releaseNow(),
    );
    let result: BatchResult;
    try {
      if (opts.scan) {
        result = await scan(setup, opts, abort.signal, (f) => (releaseNow = f), out);
      } else {
        const prepared = prepareBatch(setup);
        for (const w of prepared.warnings) process.stderr.write(`resetbot: warning: ${prepared.file.path} ${w}\n`);
        if (prepared.bad.length > 0) {
          for (const b of prepared.bad) process.stderr.write(`resetbot: ${prepared.file.path} line ${b.line}: ${b.reason}\n`);
          // --skip-bad, kept by a resumed batch, or the operator's yes (which the journal keeps as --skip-bad).
          if (!prepared.setup.skipBad && !(await confirmGoodRows(prepared.bad.length, prepared.file.jobs.length, opts.json === true))) {
            throw new ConfigError(
              'bad-rows',
              `${prepared.bad.length} bad row${prepared.bad.length === 1 ? '' : 's'} in ${prepared.file.path}; nothing was run`,
              prepared.file.jobs.length === 0
                ? `fix ${prepared.bad.length === 1 ? 'it' : 'them'}: no row of the file is good, so --skip-bad would run nothing`
                : `fix ${prepared.bad.length === 1 ? 'it' : 'them'}, or run the ${prepared.file.jobs.length} good row${prepared.file.jobs.length === 1 ? '' : 's'} with --skip-bad`,
            );
          }
          prepared.setup.skipBad = true;
        }
        if (prepared.file.jobs.length === 0) {
          throw new ConfigError('no-jobs', `${prepared.file.path} has no phone to run`, 'add a row per phone: mac,model');
        }
        // One writer per journal: a second batch on it is refused here, before anything moves.
        const lock = lockBatch(prepared, note);
        try {
          if (prepared.resumed) {
            out.write(`Resuming batch ${prepared.id}: ${prepared.done} phone(s) already done, ${prepared.pending.length} to run.\n`);
          }
          const progress = opts.quiet ? undefined : createProgress({ stream: out, clock: prepared.clock, stations: prepared.stations.map((s) => s.name), total: prepared.pending.length, done: prepared.done, jobs: prepared.pending.map((pj) => pj.job) });
          try {
            result = await startBatch(prepared, { lock, signal: abort.signal, onEvent: (e) => progress?.onEvent(e), onStations: (f) => (releaseNow = f) });
          } finally {
            progress?.stop();
          }
        } finally {
          lock.release();
        }
      }
    } finally {
      stopInterrupt();
    }
    if (opts.json) writeJson(result.summary);
    else process.stdout.write('\n' + formatSummary(result.summary, { colour: wantsColour(process.stdout) }));
    ctx.setExit(batchExitCode(result.summary, abort.signal.aborted));
  });
}

const note = (text: string) => process.stderr.write(`resetbot: note: ${text}\n`);

/** Bad rows and no --skip-bad: on a terminal, ask; otherwise (a script, a pipe) stop. */
async function confirmGoodRows(bad: number, good: number, json: boolean): Promise<boolean> {
  if (good === 0 || json || !process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((res) => {
      // On a terminal readline takes Ctrl-C itself: it means no.
      rl.once('SIGINT', () => res('n'));
      rl.question(`Run the ${good} good row${good === 1 ? '' : 's'} and skip the ${bad} bad one${bad === 1 ? '' : 's'}? [y/N] `, res);
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function scan(
  setup: BatchSetup,
  opts: BatchOpts,
  signal: AbortSignal,
  onStations: (releaseAll: () => Promise<void>) => void,
  out: NodeJS.WriteStream,
): Promise<BatchResult> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    return await runScan(
      { ...setup, ...(opts.model !== undefined ? { model: opts.model } : {}), ...(opts.station !== undefined ? { station: opts.station } : {}) },
      {
        lines: rl[Symbol.asyncIterator](),
        say: (text) => out.write(text + '\n'),
        // The prompts and the phone's steps share the screen: plain lines.
        ...(opts.quiet
          ? {}
          : {
              progress: (clock, station) => {
                const progress = createProgress({ stream: out, plain: true, clock, stations: [station], done: 0 });
                // The scan loop says itself whether the station is ready.
                return (e) => e.type !== 'station' && progress.onEvent(e);
              },
            }),
      },
      { signal, onStations, onNote: note },
    );
  } finally {
    rl.close();
  }
}
