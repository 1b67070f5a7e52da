import { fileURLToPath } from 'node:url';
import type { PhoneModel } from '../catalog/types.js';
import { loadFixture, type Fixture } from './fixture.js';

const FIXTURES_DIR = new URL('../../fixtures/', import.meta.url);

/**
 * The jig a model sits in by default: the touch jig for touch-screen procedures, the Edge jig for Poly Edge, the base
 * station jig for base stations, the VisualPro jig; the VVX jig for the VVX family, the SoundPoint jig for the rest.
 */
export function defaultFixturePath(model: PhoneModel): string {
  return fileURLToPath(new URL(defaultFixtureFile(model), FIXTURES_DIR));
}

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

export function fixtureFor(model: PhoneModel, path?: string): Fixture {
  return loadFixture(path ?? defaultFixturePath(model));
}
