import type { Command } from 'commander';
import { spellings } from '../../catalog/catalog.js';
import type { PhoneModel, Procedure } from '../../catalog/types.js';
import { catalogWithProfiles } from '../../catalog/user-profiles.js';
import { gestureKeys } from '../../machines/steps.js';
import type { CommandContext } from '../main.js';
import { table, writeJson } from '../output.js';
import { CalibrationStore, defaultCalibrationPath } from '../../calibration/calibration.js';
import { describeCalibration } from './calibrate.js';
import { addProfilesOption } from '../profiles-option.js';

export function registerModels(program: Command, _ctx: CommandContext): void {
  const cmd = program
    .command('models')
    .description('list the phone models resetbot knows, with their aliases, procedure and key combo (and a profiles file\'s, with --profiles)')
    .option('--json', 'one JSON array on stdout')
    .option('--calibration [file]', "what this bench has learned of each model (default file: calibration.json in the runs folder)");
  addProfilesOption(cmd).action((opts: { json?: boolean; profiles?: string; calibration?: string | boolean }) => {
    const { catalog, profiles } = catalogWithProfiles(opts.profiles);
    if (opts.calibration !== undefined) {
      const store = new CalibrationStore(typeof opts.calibration === 'string' ? opts.calibration : defaultCalibrationPath());
      const known = catalog.models.filter((m) => store.get(m.id));
      if (opts.json) {
        writeJson({ file: store.path, models: Object.fromEntries(known.map((m) => [m.id, store.get(m.id)])) });
        return;
      }
      if (known.length === 0) {
        process.stdout.write(`No model calibrated yet in ${store.path}: a reset with a camera (or \`resetbot calibrate\`) teaches it.\n`);
        return;
      }
      process.stdout.write(table(['model', 'what the bench learned'], known.map((m) => [m.name, describeCalibration(store.get(m.id)!)])) + '\n');
      process.stdout.write(`\n${known.length} model(s) calibrated in ${store.path}.\n`);
      return;
    }
    const models = catalog.models;
    // Models the profiles file defines: marked with the file they come from.
    const fromFile = new Set(profiles?.models.map((m) => m.id) ?? []);
    if (opts.json) {
      writeJson(
        models.map((m) => ({
          id: m.id,
          name: m.name,
          family: m.family,
          aliases: [m.name, ...m.aliases, ...spellings(m)].filter((a, i, all) => all.indexOf(a) === i),
          procedure: m.procedure.kind,
          combo: comboKeys(m.procedure)[0] ?? [],
          alternateCombos: comboKeys(m.procedure).slice(1),
          ...('steps' in m.procedure ? { steps: m.procedure.steps } : {}),
          ...(m.procedure.kind === 'unsupported' ? { unsupported: m.procedure.reason } : {}),
          alternatives: (m.alternatives ?? []).map((p) => p.kind),
          rebootCombo: m.rebootCombo?.keys ?? null,
          textEntry: m.textEntry.id,
          timing: m.timing.id,
          sources: m.sources,
          notes: m.notes,
          ...(fromFile.has(m.id) ? { profiles: profiles!.source } : {}),
        })),
      );
      return;
    }
    const rows = models.map((m) => [
      m.name,
      m.procedure.kind,
      comboKeys(m.procedure)
        .map((keys) => keys.join('+'))
        .join(' then ') || 'none: refused (see --json)',
      m.rebootCombo ? m.rebootCombo.keys.join('+') : '-',
      fromFile.has(m.id) ? 'profiles file' : seedsOf(allSources(m)).join(', ') || '-',
      m.id,
      m.aliases.join(', '),
    ]);
    process.stdout.write(table(['model', 'procedure', 'reset combo', 'reboot combo', 'seeds', 'id (--sim-model)', 'also known as'], rows) + '\n');
    const own = fromFile.size > 0 ? ` (${fromFile.size} from ${profiles!.source})` : '';
    process.stdout.write(`\n${models.length} models${own}. Names are matched without regard to case, spaces or dashes ("VVX410", "vvx-410", "IP 335").\n`);
  });
}

/** Every source a model cites: its own, its combos', its reboot combo's. */
function allSources(m: PhoneModel): string[] {
  const p = m.procedure;
  const combos = p.kind === 'cancel-combo' || p.kind === 'led-combo' ? p.combos.flatMap((c) => c.sources) : [];
  return [...m.sources, ...combos, ...(m.rebootCombo?.sources ?? [])];
}

/** The seeds a model's sources cite, by number ('000'...), from each source's part before its quote. */
export function seedsOf(sources: string[]): string[] {
  const seeds = new Set<string>();
  for (const s of sources) for (const n of (s.split(':')[0] ?? '').match(/\b\d{3}\b/g) ?? []) seeds.add(n);
  return [...seeds].sort();
}

/** The keys a procedure holds: each combo it tries (keypad procedures), or its steps' keys (step procedures). */
function comboKeys(p: Procedure): string[][] {
  if (p.kind === 'cancel-combo' || p.kind === 'led-combo') return p.combos.map((c) => c.keys);
  if (p.kind === 'unsupported' || p.kind === 'menu-reset') return [];
  return [gestureKeys(p)];
}
