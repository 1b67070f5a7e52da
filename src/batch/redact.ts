import { ResetbotError } from '../errors/errors.js';

/**
 * Secret redaction for everything resetbot writes: records, logs, `--json` output, `--inspect` lines and error
 * messages. Two nets:
 * - by value: every occurrence of a known secret (a provisioning password given on the command line) inside any
 *   string is replaced by `***`, wherever it ended up (a summary, an error message, an inspection line);
 * - by field name: a field whose name says it holds a secret (`password`, `serverPassword`, `token`, ...) has its
 *   string or number value replaced by `***`, whatever the value is. Booleans stay (`passwordSet: true` tells only
 *   whether the phone holds the password asked for).
 */

export const REDACTED = '***';

/** Field names whose values are secrets. */
const SECRET_NAME = /pass(word|wd|phrase)?$|^pass|secret|token|credential|api[-_]?key|private[-_]?key|^pin$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Secrets this short are replaced only where they stand alone (not inside a longer run of letters and digits):
 * replaced everywhere, a password `p` or `456` would cut every `p` out of a message and every `456` out of a number.
 */
const SHORT_SECRET = 6;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Redactor {
  /** One pattern for all secrets, longest first so a secret that contains another is replaced whole. */
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Iterable<string> = []) {
    const list = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
    const alternatives = list.map((s) =>
      s.length >= SHORT_SECRET ? escape(s) : `(?<![A-Za-z0-9])${escape(s)}(?![A-Za-z0-9])`,
    );
    this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined;
  }

  /** The text with every known secret replaced by `***` (short ones only where they stand alone). */
  text(s: string): string {
    return this.pattern ? s.replace(this.pattern, REDACTED) : s;
  }

  /** A deep copy with secrets replaced: by value in every string, and by field name. */
  value<T>(v: T): T {
    return this.walk(v) as T;
  }

  /**
   * Like value(), but the named top-level fields are kept as they are: identifiers (a MAC, a timestamp, a batch id)
   * that a short secret (an admin password `456`) could otherwise be cut out of. They must hold no secret.
   */
  valueExcept<T extends object>(v: T, keep: readonly (keyof T)[]): T {
    const out = this.value(v);
    for (const k of keep) if (k in v) out[k] = v[k];
    return out;
  }

  /** One JSON line (or any serialised text) with secrets replaced; the value is redacted before serialising. */
  json(v: unknown, space?: number): string {
    return this.text(JSON.stringify(this.value(v), null, space));
  }

  /**
   * An error fit to show: message, hint and stack with secrets replaced. A ResetbotError keeps its class and code
   * (the CLI's exit code depends on them); anything else becomes a plain Error.
   */
  error(err: unknown): unknown {
    if (err instanceof ResetbotError) {
      const out = new ResetbotError(err.failureClass, err.code, this.text(err.message), err.hint === undefined ? undefined : this.text(err.hint));
      out.name = err.name;
      if (err.stack) out.stack = this.text(err.stack);
      return out;
    }
    if (err instanceof Error) {
      const out = new Error(this.text(err.message));
      if (err.stack) out.stack = this.text(err.stack);
      return out;
    }
    return typeof err === 'string' ? this.text(err) : err;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const secret = isSecretName(k) && (typeof x === 'string' ? x !== '' : typeof x === 'number');
        out[k] = secret ? REDACTED : this.walk(x);
      }
      return out;
    }
    return v;
  }
}
