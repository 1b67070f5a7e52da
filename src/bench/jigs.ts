import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PhoneModel } from '../catalog/types.js';
import { loadFixture, type Fixture } from './fixture.js';

const FIXTURES_DIR = new URL('../../fixtures/', import.meta.url);

/**
 * The jig a model sits in by default: the touch jig for touch-screen procedures, the Edge jig for Poly Edge, the base
 * station jig for base stations, the VisualPro jig; the VVX jig for the VVX family, the SoundPoint jig for the rest.
 */
export function defaultFixturePath(model: PhoneModel): string {
  const file = defaultFixtureFile(model);
  let path = fixturePaths.get(file);
  if (path === undefined) fixturePaths.set(file, (path = fileURLToPath(new URL(file, FIXTURES_DIR))));
  return path;
}

/** The path of each fixture file under fixtures/, worked out once (a URL parsed a phone was a measurable share). */
const fixturePaths = new Map<string, string>();

function defaultFixtureFile(model: PhoneModel): string {
  switch (model.procedure.kind) {
    case 'touch-hold':
      return 'touch-jig.json';
    case 'led-combo':
    case 'power-on-hold':
      return 'edge-jig.json';
    case 'long-press':
      return model.family === 'visualpro' ? 'visualpro-jig.json' : 'base-station-jig.json';
    default:
      return model.family === 'vvx' || model.family === 'spectralink' || model.family === 'trio' ? 'vvx-jig.json' : 'soundpoint-jig.json';
  }
}

/**
 * The model's jig (or the fixture file given). A file read, parsed and validated once per process while it stays as
 * it was (same size and modification time): a batch or a campaign asks for it once a phone. The fixture returned is
 * shared: read it, do not change it.
 */
export function fixtureFor(model: PhoneModel, path?: string): Fixture {
  return fixtureAt(path ?? defaultFixturePath(model));
}

/** The fixture file at `file` (kept while the file is unchanged). */
export function fixtureAt(file: string): Fixture {
  let stamp: string | undefined;
  try {
    const st = statSync(file);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    // loadFixture says what is wrong with the path
  }
  const known = loaded.get(file);
  if (stamp !== undefined && known?.stamp === stamp) return known.fixture;
  const fixture = frozen(loadFixture(file));
  if (stamp !== undefined) loaded.set(file, { stamp, fixture });
  return fixture;
}

const loaded = new Map<string, { stamp: string; fixture: Fixture }>();

/** Shared, so frozen: a caller that changed it would change every later phone's jig (it throws instead). */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}
