import type { Outcome } from '../batch/record.js';
import { clockTime, padVisible, paint, visibleLength } from '../progress/render.js';
import { formatMac } from '../text-entry/mac.js';

/** Prints rows as an aligned plain-text table. */
export function table(headers: string[], rows: string[][]): string {
  // Widths on screen: a cell in colour is as wide as without.
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => padVisible(c, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A run's first line: `VVX 410 0004F2AA814C: PASS after 1 attempt, 2:53 bench time`, the outcome in its colour on a
 * terminal. MACs are written as on the label: 12 hex digits, upper case.
 */
export function headline(
  who: string,
  mac: string | undefined,
  record: { outcome: Outcome; attempts: number; durationMs: number },
  opts: { what?: string; colour: boolean; benchTime?: boolean },
): string {
  const n = record.attempts;
  return (
    `${who}${mac ? ` ${formatMac(mac, 'plain')}` : ''}: ${opts.what ? `${opts.what} ` : ''}${paint(record.outcome, record.outcome.toUpperCase(), opts.colour)}` +
    ` after ${n} attempt${n === 1 ? '' : 's'}, ${clockTime(record.durationMs)}${opts.benchTime === false ? '' : ' bench time'}`
  );
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function writeJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
