/**
 * Every failure resetbot reports belongs to one class (DESIGN.md, machines/):
 * - `bench`: the bench failed (serial lost, firmware silent or reset, relay): retried.
 * - `phone`: the phone did not do what the procedure expects (window missed, password rejected, no reboot): retried.
 * - `config`: the job cannot run as given (unknown model, bad MAC, fixture lacks a key): never retried.
 * - `bug`: resetbot itself is wrong: never retried.
 */
export type FailureClass = 'bench' | 'phone' | 'config' | 'bug';

export class ResetbotError extends Error {
  readonly failureClass: FailureClass;
  /** A short machine-readable reason, e.g. `window-missed`, `unknown-model`. */
  readonly code: string;
  /** What the user can do about it, one sentence. */
  readonly hint: string | undefined;

  constructor(failureClass: FailureClass, code: string, message: string, hint?: string) {
    super(message);
    this.name = 'ResetbotError';
    this.failureClass = failureClass;
    this.code = code;
    this.hint = hint;
  }

  /** The one line a user sees: what is wrong, then how to fix it. */
  oneLine(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

/** Bad input from the user or a file the user wrote. The CLI exits 2 on these. */
export class ConfigError extends ResetbotError {
  constructor(code: string, message: string, hint?: string) {
    super('config', code, message, hint);
    this.name = 'ConfigError';
  }
}

export class BenchError extends ResetbotError {
  constructor(code: string, message: string, hint?: string) {
    super('bench', code, message, hint);
    this.name = 'BenchError';
  }
}

export class PhoneError extends ResetbotError {
  constructor(code: string, message: string, hint?: string) {
    super('phone', code, message, hint);
    this.name = 'PhoneError';
  }
}

/** Classifies anything thrown: our own errors keep their class; anything else is a bug. */
export function classify(err: unknown): { failureClass: FailureClass; code: string; reason: string } {
  if (err instanceof ResetbotError) return { failureClass: err.failureClass, code: err.code, reason: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { failureClass: 'bug', code: 'internal', reason: message };
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidates nearest to `input`, best first. */
export function nearest(input: string, candidates: Iterable<string>, count = 3): string[] {
  const scored = [...new Set(candidates)].map((c) => ({ c, d: editDistance(input.toLowerCase(), c.toLowerCase()) }));
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, count).map((s) => s.c);
}
