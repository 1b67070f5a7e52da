import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors/errors.js';
import type { ProgressLine } from '../progress/render.js';
import { formatMac, parseMac } from '../text-entry/mac.js';
import { writeFileAtomic } from './atomic.js';
import { runsRoot } from './batch.js';
import type { BatchRecord } from './phone-record.js';
import type { Failure, Outcome } from './record.js';
import { OUTCOMES, type BatchSummary } from './report.js';

/*
 * Past runs, where they are kept (batch.ts runsRoot(): $RESETBOT_RUNS, else ./resetbot-runs): a batch's directory
 * holds its journal and reports (summary.json, records.jsonl, ...); a single run's (reset, reboot, provision) holds
 * run.json, its record as --json prints it, written atomically when the run ends. `resetbot runs` reads both.
 */

/** The record file of a single run. */
export interface SingleRun {
  id: string;
  kind: 'reset' | 'reboot' | 'provision';
  /** Wall-clock time the run ended (ISO 8601). */
  at: string;
  /** The model's name, and its MAC as on the label (none for provisioning). */
  modelName: string;
  mac?: string;
  /** Where it ran: `simulator` or the port of the bench. */
  station: string;
  /** The record as `--json` prints it (a provisioning record's password is `***`). */
  record: SingleRecord;
}

/** What `resetbot runs` reads of a record (reset, reboot, provision or a batch's phone). */
export interface SingleRecord {
  outcome: Outcome;
  model: string;
  mac?: string;
  attempts: number;
  durationMs: number;
  failure?: Failure;
  summary: string;
  progress?: ProgressLine[];
  steps?: { attempt: number; step: string; startMs: number; endMs: number; detail?: string }[];
  attemptLog?: { attempt: number; result: string; combo?: string[]; macCase?: string; failure?: Failure }[];
  simulator?: { factoryDefaults?: boolean; seed?: number } & Record<string, unknown>;
}

/** One line of `resetbot runs`. */
export interface RunListing {
  id: string;
  kind: 'batch' | SingleRun['kind'];
  at: string;
  stations: string[];
  phones: number;
  byOutcome: Record<Outcome, number>;
  dir: string;
}

/** `20251121-050312-9f3a`: UTC time and a random suffix (batches and single runs alike). */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Keeps a single run's record in <runs root>/<id>/run.json; returns its directory. */
export function keepSingleRun(run: Omit<SingleRun, 'id' | 'at'>, root = runsRoot()): string {
  const now = new Date();
  const id = newRunId(now);
  const dir = resolve(root, id);
  const full: SingleRun = { id, at: now.toISOString(), ...run };
  writeFileAtomic(join(dir, 'run.json'), JSON.stringify(full, null, 2) + '\n');
  return dir;
}

const zero = (): Record<Outcome, number> => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The runs kept under the root, newest first. A directory that is neither a batch nor a single run is skipped. */
export function listRuns(root = runsRoot()): RunListing[] {
  const base = resolve(root);
  if (!existsSync(base)) return [];
  const out: RunListing[] = [];
  for (const name of readdirSync(base)) {
    const dir = join(base, name);
    if (!statSync(dir).isDirectory()) continue;
    const single = readJson<SingleRun>(join(dir, 'run.json'));
    if (single) {
      const byOutcome = zero();
      byOutcome[single.record.outcome]++;
      out.push({ id: single.id, kind: single.kind, at: single.at, stations: [single.station], phones: 1, byOutcome, dir });
      continue;
    }
    const summary = readJson<BatchSummary>(join(dir, 'summary.json'));
    if (summary) {
      out.push({
        id: summary.batch,
        kind: 'batch',
        at: batchTime(dir),
        stations: summary.stations.map((s) => s.name),
        phones: summary.total,
        byOutcome: summary.byOutcome,
        dir,
      });
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
}

/** When a batch began: its journal's first line, else its summary's time on disk. */
function batchTime(dir: string): string {
  try {
    const first = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n', 1)[0]!;
    const at = (JSON.parse(first) as { at?: string }).at;
    if (at) return at;
  } catch {
    // no journal: fall back below
  }
  return statSync(join(dir, 'summary.json')).mtime.toISOString();
}

/** The run with this id, or the one run whose id starts with it; ConfigError naming what there is otherwise. */
export function findRun(id: string, root = runsRoot()): RunListing {
  const runs = listRuns(root);
  const exact = runs.find((r) => r.id === id);
  if (exact) return exact;
  const prefixed = runs.filter((r) => r.id.startsWith(id));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) {
    throw new ConfigError('ambiguous-run', `run '${id}' could be ${prefixed.slice(0, 3).map((r) => r.id).join(', ')}${prefixed.length > 3 ? ', ...' : ''}`, 'give more of the id');
  }
  throw new ConfigError(
    'no-such-run',
    `no run '${id}' in ${resolve(root)}`,
    runs.length > 0 ? `\`resetbot runs\` lists the ${runs.length} there are (the newest: ${runs[0]!.id})` : 'no run is kept there yet (set RESETBOT_RUNS or --runs to look elsewhere)',
  );
}

/** A single run's file. */
export function readSingle(run: RunListing): SingleRun {
  const single = readJson<SingleRun>(join(run.dir, 'run.json'));
  if (!single) throw new ConfigError('bad-run', `${join(run.dir, 'run.json')} cannot be read`, 'check the file');
  return single;
}

/** A batch's summary and its records. */
export function readBatch(run: RunListing): { summary: BatchSummary; records: BatchRecord[] } {
  const summary = readJson<BatchSummary>(join(run.dir, 'summary.json'));
  if (!summary) throw new ConfigError('bad-run', `${join(run.dir, 'summary.json')} cannot be read`, 'check the file');
  let records: BatchRecord[] = [];
  try {
    records = readFileSync(join(run.dir, 'records.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BatchRecord);
  } catch {
    records = [];
  }
  return { summary, records };
}

/** The record of one phone of a run, by its MAC in any spelling; ConfigError naming the run's phones otherwise. */
export function phoneRecord(run: RunListing, mac: string): { record: SingleRecord & { station?: string | null }; modelName?: string } {
  const want = parseMac(mac).mac;
  if (run.kind !== 'batch') {
    const single = readSingle(run);
    if (single.mac !== undefined && parseMac(single.mac).mac === want) return { record: single.record, modelName: single.modelName };
    throw new ConfigError('no-such-phone', `run ${run.id} did not run ${formatMac(want, 'plain')}`, single.mac ? `it ran ${formatMac(single.mac, 'plain')}` : 'it ran no phone by MAC');
  }
  const { records } = readBatch(run);
  const found = records.find((r) => r.mac === want);
  if (found) return { record: found };
  const macs = records.map((r) => formatMac(r.mac, 'plain'));
  throw new ConfigError(
    'no-such-phone',
    `batch ${run.id} has no phone ${formatMac(want, 'plain')}`,
    macs.length > 0 ? `its phones: ${macs.slice(0, 6).join(', ')}${macs.length > 6 ? `, ... (${macs.length})` : ''}` : 'it has no phone records',
  );
}
