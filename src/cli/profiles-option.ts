import type { Command } from 'commander';
import { catalogWithProfiles } from '../catalog/user-profiles.js';
import type { PhoneModel } from '../catalog/types.js';
import { ConfigError, nearest } from '../errors/errors.js';
import { simUnitIds } from '../sim/driver.js';

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

/** Finds `--model` in the catalog, with the `--profiles` file's models added when one is given. */
export function chooseModel(name: string, profilesPath: string | undefined): ModelChoice {
  const { catalog, profiles } = catalogWithProfiles(profilesPath);
  const model = catalog.find(name);
  return { model, simModelId: profiles?.builtinBase[model.id] ?? model.id };
}

/**
 * The simulated phone for a model: `--sim-model` when given, else the built-in model it is or extends. ConfigError
 * when the simulator has no such phone (a profiles-file model defined without `extends`).
 */
export function simModelFor(choice: ModelChoice, override: string | undefined): string {
  const id = override ?? choice.simModelId;
  if (simUnitIds().includes(id)) return id;
  throw new ConfigError(
    'no-sim-model',
    override !== undefined ? `the simulator has no phone model '${id}'` : `the simulator has no phone for ${choice.model.name}`,
    `give --sim-model with one of its models (nearest: ${nearest(id, simUnitIds()).join(', ')})`,
  );
}
