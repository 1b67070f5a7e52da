import type { Command } from 'commander';
import { getCatalog } from '../catalog/catalog.js';
import type { PhoneModel } from '../catalog/types.js';

/**
 * `--profiles F`: the user's file of extra models and profiles (src/catalog/user-profiles.ts), for every command that
 * takes `--model`.
 */
export function addProfilesOption(cmd: Command): Command {
  return cmd.option('--profiles <file>', 'JSON file of extra models and text-entry/timing profiles (see fixtures/profiles/example.json)');
}

export interface ModelChoice {
  model: PhoneModel;
  /** The simulated phone to run it on: the built-in model it is, or the one it extends. */
  simModelId: string;
}

/**
 * Finds `--model` in the catalog, with the `--profiles` file's models added when one is given (only then is the
 * profiles reader, and its zod schemas, loaded).
 */
export async function chooseModel(name: string, profilesPath: string | undefined): Promise<ModelChoice> {
  if (profilesPath === undefined) {
    const model = getCatalog().find(name);
    return { model, simModelId: model.id };
  }
  const { catalogWithProfiles } = await import('../catalog/user-profiles.js');
  const { catalog, profiles } = catalogWithProfiles(profilesPath);
  const model = catalog.find(name);
  return { model, simModelId: profiles?.builtinBase[model.id] ?? model.id };
}
