import type { Command } from 'commander';
import { runsRoot } from '../../batch/batch.js';
import { findRun, listRuns, phoneRecord, readBatch, readSingle, type RunListing, type SingleRecord } from '../../batch/runs.js';
import { formatSummary, OUTCOMES } from '../../batch/report.js';
import { getCatalog } from '../../catalog/catalog.js';
import { paint, wantsColour } from '../../progress/render.js';
import { describeRecordStep } from '../../progress/vocabulary.js';
import type { CommandContext } from '../main.js';
import { headline, table, writeJson } from '../output.js';

/*
 * `resetbot runs`: the runs kept under $RESETBOT_RUNS (else ./resetbot-runs): batches and single resets, reboots and
 * provisionings. `runs show ID` prints one run's summary and failures; `--phone MAC` one phone's record step by step,
 * in the words of the live progress, with the evidence.
 */

interface RunsOpts {
  runs?: string;
  json?: boolean;
}

/** A model's name from its id (records keep ids); a profiles-file model keeps its id. */
function modelName(id: string): string {
  return getCatalog().models.find((m) => m.id === id)?.name ?? id;
}

const when = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

function counts(byOutcome: RunListing['byOutcome'], colour: boolean): string {
  return OUTCOMES.filter((o) => byOutcome[o] > 0)
    .map((o) => paint(o, `${o} ${byOutcome[o]}`, colour))
    .join('  ');
}

/** One phone's record, step by step: the live progress's words, the attempts, and what each step saw. */
export function formatPhone(record: SingleRecord & { station?: string | null }, name: string, where: string, colour: boolean): string {
  const out: string[] = [];
  out.push(`${headline(name, record.mac, record, { colour })} (${where})`);
  out.push(`  ${record.summary}`);
  if (record.failure) out.push(`  failure: ${record.failure.class} ${record.failure.code}: ${record.failure.reason}`);
  out.push('');
  const progress = record.progress ?? [];
  if (progress.length === 0) out.push('  (this record has no step-by-step progress)');
  for (const p of progress) out.push(`${((p.t / 1000).toFixed(1) + ' s').padStart(10)}  attempt ${p.attempt}  ${p.words}`);
  const attempts = record.attemptLog ?? [];
  if (attempts.length > 0) {
    out.push('');
    out.push('Attempts:');
    for (const a of attempts) {
      const how = [a.combo && a.combo.length > 0 ? `combo ${a.combo.join('+')}` : '', a.macCase ? `MAC in ${a.macCase} case` : ''].filter(Boolean).join(', ');
      const result = paint(a.result === 'pass' ? 'pass' : a.result === 'unverified' ? 'unverified' : 'fail', a.result, colour);
      out.push(`  ${a.attempt}  ${result}${how ? `  ${how}` : ''}${a.failure ? `: ${a.failure.code}: ${a.failure.reason}` : ''}`);
    }
  }
  const steps = record.steps ?? [];
  if (steps.length > 0) {
    out.push('');
    out.push('Evidence, step by step (bench time, what the step did or waited for):');
    for (const s of steps) {
      out.push(`  attempt ${s.attempt}  ${((s.startMs / 1000).toFixed(1) + '-' + (s.endMs / 1000).toFixed(1) + ' s').padEnd(15)}  ${s.step.padEnd(16)}  ${describeRecordStep(s.step, s.detail)}`);
    }
  }
  if (record.simulator && record.simulator.factoryDefaults !== undefined) {
    out.push('');
    out.push(`The simulator's own account${record.simulator.seed !== undefined ? ` (seed ${record.simulator.seed})` : ''}: the phone is ${record.simulator.factoryDefaults ? 'at factory defaults' : 'NOT at factory defaults'}`);
  }
  return out.join('\n') + '\n';
}

export function registerRuns(program: Command, ctx: CommandContext): void {
  const runs = program
    .command('runs')
    .description('list the runs kept (batches and single resets): id, date, stations, counts by outcome')
    .option('--runs <dir>', 'where runs are kept (default: $RESETBOT_RUNS, else ./resetbot-runs)')
    .option('--json', 'one JSON array on stdout')
    .action((opts: RunsOpts) => {
      const root = opts.runs ?? runsRoot();
      const list = listRuns(root);
      if (opts.json) {
        writeJson(list);
      } else if (list.length === 0) {
        process.stdout.write(`no runs kept in ${root} yet: every reset, reboot, provision and batch keeps its record there\n`);
      } else {
        const colour = wantsColour(process.stdout);
        const rows = list.map((r) => [r.id, when(r.at), r.kind, r.stations.join(', '), String(r.phones), counts(r.byOutcome, colour)]);
        process.stdout.write(table(['id', 'date', 'kind', 'stations', 'phones', 'outcomes'], rows) + '\n');
        process.stdout.write(`\n${list.length} run${list.length === 1 ? '' : 's'} in ${root}. \`resetbot runs show ID\` prints one.\n`);
      }
      ctx.setExit(0);
    });
  runs
    .command('show')
    .argument('<id>', 'the run (its id, or the start of it)')
    .description("print one run: a batch's summary and failures; with --phone, that phone's record step by step")
    .option('--phone <mac>', "the phone's MAC (any spelling): its record step by step, in the words of the live progress, with the evidence")
    .option('--runs <dir>', 'where runs are kept (default: $RESETBOT_RUNS, else ./resetbot-runs)')
    .option('--json', 'the record (or summary) as JSON on stdout')
    .action((id: string, own: RunsOpts & { phone?: string }) => {
      // `runs show ID --json`: commander gives a flag both commands take to `runs`.
      const opts = { ...runs.opts<RunsOpts>(), ...own };
      const run = findRun(id, opts.runs ?? runsRoot());
      const colour = wantsColour(process.stdout);
      if (opts.phone !== undefined || run.kind !== 'batch') {
        if (opts.phone !== undefined) {
          const { record, modelName: name } = phoneRecord(run, opts.phone);
          if (opts.json) writeJson(record);
          else process.stdout.write(formatPhone(record, name ?? modelName(record.model), `${run.kind} ${run.id}${record.station ? `, station ${record.station}` : ''}`, colour));
        } else {
          const single = readSingle(run);
          if (opts.json) writeJson(single);
          else process.stdout.write(formatPhone({ ...single.record, ...(single.mac ? { mac: single.mac } : {}) }, single.modelName, `${single.kind} ${single.id} on ${single.station}, ${when(single.at)}`, colour));
        }
        ctx.setExit(0);
        return;
      }
      const { summary } = readBatch(run);
      if (opts.json) writeJson(summary);
      else process.stdout.write(formatSummary(summary, { colour }));
      ctx.setExit(0);
    });
}
