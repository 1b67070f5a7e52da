import { ConfigError, nearest } from '../errors/errors.js';
import { MODELS } from './models.js';
import type { PhoneModel } from './types.js';

/** Folds a typed model name to its bare form: case, spaces, dashes, dots and a Polycom/Poly prefix do not matter. */
export function foldName(name: string): string {
  // NFKC folds what a keyboard in another input mode types: full-width digits and letters ("VVX ４１０").
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.\/]+/g, '')
    .replace(/^(polycom|poly)/, '');
}

/** Family prefixes a technician may type, or leave out, in front of a model number. */
const PREFIXES: Record<string, string[]> = {
  vvx: ['vvx'],
  spectralink: ['spectralink'],
  trio: ['trio'],
  'soundpoint-ip': ['soundpointip', 'soundpoint', 'spip', 'ip'],
  'soundstation-ip': ['soundstationip', 'soundstation', 'ssip', 'ip', 'conferencephoneip'],
};

/** Every folded spelling of a model: its id, its name, its aliases, and its number under each family prefix. */
export function spellings(model: PhoneModel): string[] {
  const out = new Set<string>([foldName(model.id), foldName(model.name), ...model.aliases.map(foldName)]);
  const number = /(\d+)$/.exec(model.id)?.[1];
  if (number) for (const p of PREFIXES[model.family] ?? []) out.add(p + number);
  return [...out];
}

export class Catalog {
  private readonly byName = new Map<string, PhoneModel[]>();

  constructor(readonly models: PhoneModel[]) {
    for (const m of models) {
      for (const s of spellings(m)) {
        const list = this.byName.get(s) ?? [];
        if (!list.includes(m)) list.push(m);
        this.byName.set(s, list);
      }
    }
  }

  /** The model with this id (`vvx-410`), if any. */
  byId(id: string): PhoneModel | undefined {
    return this.models.find((m) => m.id === id);
  }

  /** Finds a model by any spelling; a clear ConfigError with the nearest names when none or several match. */
  find(name: string): PhoneModel {
    const key = foldName(name);
    if (key === '') throw new ConfigError('empty-model', 'the model is empty', 'give the model as on its label, e.g. --model "VVX 410"; `resetbot models` lists them');
    const hits = this.byName.get(key);
    if (hits && hits.length === 1) return hits[0]!;
    if (hits && hits.length > 1) {
      throw new ConfigError(
        'ambiguous-model',
        `model '${name}' matches ${hits.map((m) => m.name).join(' and ')}`,
        'give the full name, e.g. ' + hits.map((m) => `'${m.name}'`).join(' or '),
      );
    }
    const suggestions = nearest(key, this.byName.keys(), 12)
      .flatMap((k) => this.byName.get(k)!.map((m) => m.name))
      .filter((n, i, all) => all.indexOf(n) === i)
      .slice(0, 3);
    throw new ConfigError(
      'unknown-model',
      `unknown model '${name}'`,
      `nearest: ${suggestions.join(', ')}; run 'resetbot models' for the full list`,
    );
  }
}

let defaultCatalog: Catalog | undefined;

export function getCatalog(): Catalog {
  defaultCatalog ??= new Catalog(MODELS);
  return defaultCatalog;
}
