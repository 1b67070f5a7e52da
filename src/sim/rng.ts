/**
 * The simulator's only source of randomness: a small seeded PRNG (mulberry32), so one seed always gives one run.
 * `fork(label)` derives an independent stream, so that, e.g., a fault's dice rolls do not shift the boot timings.
 */

/** An inclusive range of values, usually milliseconds. */
export interface Range {
  min: number;
  max: number;
}

/** FNV-1a over the string's UTF-16 code units: a 32-bit seed from any text. */
function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Rng {
  /** The 32-bit seed this stream started from. */
  readonly seed: number;
  private state: number;

  /** A numeric seed is used as is (truncated to 32 bits); a string seed is hashed. */
  constructor(seed: number | string) {
    this.seed = typeof seed === 'number' ? Math.trunc(seed) >>> 0 : hashString(seed);
    this.state = this.seed;
  }

  /** Uniform in [0, 1). */
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    const lo = Math.ceil(Math.min(min, max));
    const hi = Math.floor(Math.max(min, max));
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** One of the items, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: no items to pick from');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A whole number of milliseconds drawn uniformly from the range. */
  jitter(range: Range): number {
    return Math.round(range.min + this.float() * (range.max - range.min));
  }

  /** True with probability p (0..1). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  /** An independent stream derived from this one's seed and a label; does not advance this stream. */
  fork(label: string): Rng {
    return new Rng(hashString(label, this.seed ^ 0x9e3779b9));
  }
}
