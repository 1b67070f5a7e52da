/**
 * Softkey labels read by OCR, put right against the labels Poly phones show. A label is a word or two, alone in its
 * cell: the recogniser has no line of text around it to go by, and on a face it was not trained on it slips in the
 * same few ways ('OK' read as 'ox' where the K's stem runs into the O; 'Exit' as 'Ext', its thin i lost; 'Select' as
 * 'Seiect'). Such a reading is put back to the known label when it is that label but for slips of that kind, and
 * nearer to it than to any other. A label the list does not hold ('Mode', 'Edit', 'Abort') stands as read: one
 * letter changed into another that does not look like it is too much.
 */

/**
 * The labels: the softkeys the seeds name (Cancel at "Loading application", Setup on the countdown, OK once the
 * password is typed, Select and Exit in the menus), and those the screens' meaning knows a screen by (the countdown's
 * Start and About, the idle screen's call keys), and Back, beside Select and Exit in the phones' menus.
 */
export const SOFTKEY_LABELS = [
  'OK',
  'Enter',
  'Cancel',
  'Exit',
  'Select',
  'Back',
  'Setup',
  'Start',
  'About',
  'New Call',
  'Forward',
  'DND',
  'More',
  'Redial',
  'Directories',
  'Messages',
] as const;

/** Pairs of characters OCR takes one for the other on small LCD text (lower case). */
const LOOKALIKE = new Set(['kx', 'o0', 'il', 'i1', 'l1', 'ij', 'ec', 'rn', 'tf', 'uv', 'a4']);
/** Thin characters OCR drops or adds: a stroke lost in blur, or a speck read as one. */
const THIN = new Set(['i', 'l', 't', 'f', 'j', 'r', '.', ' ', "'"]);

const alike = (a: string, b: string) => a === b || LOOKALIKE.has(a + b) || LOOKALIKE.has(b + a);

/**
 * The cost of reading `label` as `read` (both lower case): a lookalike for a letter, or a thin letter lost or added,
 * costs half an edit; any other edit, one.
 */
export function slipCost(read: string, label: string): number {
  const prev = Array.from({ length: label.length + 1 }, (_, j) => prev0(label, j));
  for (let i = 1; i <= read.length; i++) {
    let diag = prev[0]!;
    prev[0] = diag + (THIN.has(read[i - 1]!) ? 0.5 : 1);
    for (let j = 1; j <= label.length; j++) {
      const tmp = prev[j]!;
      const r = read[i - 1]!;
      const l = label[j - 1]!;
      const sub = r === l ? 0 : alike(r, l) ? 0.5 : 1;
      prev[j] = Math.min(prev[j]! + (THIN.has(r) ? 0.5 : 1), prev[j - 1]! + (THIN.has(l) ? 0.5 : 1), diag + sub);
      diag = tmp;
    }
  }
  return prev[label.length]!;
}

/** The cost of the first j letters of the label all lost. */
function prev0(label: string, j: number): number {
  let c = 0;
  for (let k = 0; k < j; k++) c += THIN.has(label[k]!) ? 0.5 : 1;
  return c;
}

/**
 * The known label `read` is, or `read` itself. A slip of half an edit is allowed in any label (two letters: 'ox' for
 * 'OK'), and up to 15 % of a longer label's letters; the nearest label must be nearer than the next.
 */
export function knownLabel(read: string, labels: readonly string[] = SOFTKEY_LABELS): string {
  const t = read.trim().toLowerCase();
  if (t.length < 2 || /->|>/.test(t)) return read;
  let best: string | undefined;
  let bestCost = Infinity;
  let second = Infinity;
  for (const label of labels) {
    const l = label.toLowerCase();
    if (Math.abs(l.length - t.length) > 3) continue;
    const c = slipCost(t, l);
    if (c < bestCost) {
      second = bestCost;
      bestCost = c;
      best = label;
    } else if (c < second) second = c;
  }
  if (best === undefined || bestCost >= second) return read;
  return bestCost <= Math.max(0.5, 0.15 * best.length) ? best : read;
}
