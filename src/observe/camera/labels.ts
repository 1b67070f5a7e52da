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
  const cost = (c: string) => (THIN.has(c) ? 0.5 : 1);
  // prev[j]: the cost of the read so far against the label's first j letters (at first: those letters all lost).
  const prev = [0];
  for (let j = 1; j <= label.length; j++) prev[j] = prev[j - 1]! + cost(label[j - 1]!);
  for (let i = 1; i <= read.length; i++) {
    const r = read[i - 1]!;
    let diag = prev[0]!;
    prev[0] = diag + cost(r);
    for (let j = 1; j <= label.length; j++) {
      const tmp = prev[j]!;
      const l = label[j - 1]!;
      const sub = r === l ? 0 : alike(r, l) ? 0.5 : 1;
      prev[j] = Math.min(prev[j]! + cost(r), prev[j - 1]! + cost(l), diag + sub);
      diag = tmp;
    }
  }
  return prev[label.length]!;
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
