import { fileURLToPath } from 'node:url';
import type { PhoneModel } from '../catalog/types.js';
import { loadFixture, type Fixture } from './fixture.js';

const FIXTURES_DIR = new URL('../../fixtures/', import.meta.url);

/** The jig a model sits in by default: the VVX jig for the VVX family, the SoundPoint jig for the rest. */
export function defaultFixturePath(model: PhoneModel): string {
  const file = model.family === 'vvx' || model.family === 'spectralink' || model.family === 'trio' ? 'vvx-jig.json' : 'soundpoint-jig.json';
  return fileURLToPath(new URL(file, FIXTURES_DIR));
}

export function fixtureFor(model: PhoneModel, path?: string): Fixture {
  return loadFixture(path ?? defaultFixturePath(model));
}
