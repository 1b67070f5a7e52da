import { ConfigError, nearest } from '../errors/errors.js';
import { simUnitIds } from '../sim/driver.js';
import type { ModelChoice } from './profiles-option.js';

/**
 * The simulated phone for a model: `--sim-model` when given, else the built-in model it is or extends. ConfigError
 * when the simulator has no such phone (a profiles-file model defined without `extends`).
 */
export function simModelFor(choice: ModelChoice | undefined, override: string | undefined): string {
  const id = override ?? choice?.simModelId ?? '';
  if (simUnitIds().includes(id)) return id;
  throw new ConfigError(
    'no-sim-model',
    override !== undefined || !choice ? `the simulator has no phone model '${id}'` : `the simulator has no phone for ${choice.model.name}`,
    `give --sim-model with one of its models (nearest: ${nearest(id, simUnitIds()).join(', ')})`,
  );
}
