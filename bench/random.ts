import { Rng } from '../src/sim/rng.js';

/** A seeded stream of floats in [0, 1) for benchmark and test inputs: the simulator's own PRNG. */
export function mulberry(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.float();
}
