import type { Command } from 'commander';
import { fixtureFor } from '../../bench/jigs.js';
import { getCatalog } from '../../catalog/catalog.js';
import { VirtualClock } from '../../clock/clock.js';
import { runReset } from '../../machines/run-reset.js';
import { createSimBench, type SimBenchConfig } from '../../sim/driver.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { parseWhole } from './reset.js';
import { seconds, table } from '../output.js';
import { paint, stepText, wantsColour } from '../../progress/render.js';
import { formatMac } from '../../text-entry/mac.js';

interface DemoPhone {
  model: string;
  mac: string;
  /** What this phone shows off. */
  note: string;
  realMac?: string;
  options?: SimBenchConfig['options'];
  faults?: SimBenchConfig['faults'];
}

/** A few phones of different models and situations, each on its own simulated station, all in one virtual time. */
const PHONES: DemoPhone[] = [
  { model: 'VVX 410', mac: '00-04-F2-AA-81-4C', note: "seed 001's example MAC" },
  { model: 'SoundPoint IP 335', mac: '0004F2123ABC', note: '1+3+5+7, mode key #' },
  { model: 'IP 560', mac: '0004f2c0ffee', note: 'seeds disagree: truly 1+3+5+7', options: { combo: ['1', '3', '5', '7'] } },
  { model: 'SoundStation IP 6000', mac: '64167F0A1B2C', note: '6+8+*' },
  { model: 'VVX 1500', mac: '0004f2fedcba', note: '4+6+8+*, a misfiring softkey1 solenoid (Cancel, OK)', faults: { misfire: [{ key: 'softkey1', p: 0.3 }] } },
  { model: 'VVX 300', mac: '0004f2818181', realMac: '0004f2818188', note: 'misread label: must not pass' },
];

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description('reset a few simulated phones of different models and show a summary')
    .option('--seed <n>', 'seed of the simulators (default 1)', (v) => parseWhole('--seed', v), 1)
    .action(async (opts: { seed: number }) => {
      const clock = new VirtualClock();
      const catalog = getCatalog();
      process.stdout.write(`resetbot demo: ${PHONES.length} simulated phones, one station each, in virtual time (seed ${opts.seed})\n\n`);
      const wallStart = performance.now();
      const colour = wantsColour(process.stdout);
      const names = PHONES.map((p) => catalog.find(p.model).name);
      const nameWidth = Math.max(...names.map((n) => n.length));
      const said = new Map<string, string>();
      const runs = PHONES.map(async (p, i) => {
        const model = catalog.find(p.model);
        const sim = createSimBench({
          modelId: model.id,
          mac: p.mac,
          ...(p.realMac ? { realMac: p.realMac } : {}),
          fixture: fixtureFor(model),
          clock,
          seed: opts.seed * 100 + i,
          ...(p.options ? { options: p.options } : {}),
          ...(p.faults ? { faults: p.faults } : {}),
        });
        await sim.driver.open();
        const station = `station ${i + 1}`;
        const record = await runReset({
          model,
          mac: p.mac.replace(/[^0-9a-f]/gi, '').toLowerCase(),
          bench: sim.bench,
          clock,
          // One line when a phone's words change, in the words of `resetbot reset` (progress/vocabulary.ts).
          onState: (_state, attempt, words) => {
            const text = `attempt ${attempt}  ${stepText(words, 0, false)}`;
            if (said.get(station) === text) return;
            said.set(station, text);
            process.stdout.write(`${seconds(clock.now()).padStart(8)}  ${station.padEnd(10)} ${model.name.padEnd(nameWidth)}  ${text}\n`);
          },
        });
        await sim.driver.close();
        return { p, model, record, truth: sim.phone.truth(), station };
      });
      const results = await clock.runUntil(Promise.all(runs));
      const wallMs = performance.now() - wallStart;
      const rows = results.map(({ p, model, record, truth, station }) => [
        station,
        model.name,
        formatMac(p.mac, 'plain'),
        paint(record.outcome, record.outcome.toUpperCase(), colour),
        String(record.attempts),
        seconds(record.durationMs),
        truth.factoryDefaults ? 'yes' : 'no',
        p.note,
      ]);
      process.stdout.write('\n' + table(['station', 'model', 'MAC', 'outcome', 'tries', 'bench time', 'phone reset?', 'situation'], rows) + '\n');
      const honest = results.every(({ record, truth }) => (record.outcome === 'pass') === truth.factoryDefaults);
      process.stdout.write(
        `\n${seconds(clock.now())} of bench time in ${Math.round(wallMs)} ms. ` +
          `"phone reset?" is the simulator's own truth; the controller's outcome ${honest ? 'agrees with it for every phone' : 'DISAGREES with it'}.\n`,
      );
      ctx.setExit(honest ? EXIT.ok : EXIT.internal);
    });
}
