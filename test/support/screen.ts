/**
 * What a terminal shows after a stream of output, for the few controls resetbot writes: carriage return, newline,
 * erase line (ESC[2K), cursor up (ESC[nA), erase below (ESC[0J). Colours (ESC[...m) take no room and are dropped.
 */
export function screen(raw: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  for (const m of raw.matchAll(/\x1b\[(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]+/g)) {
    const tok = m[0];
    if (tok === '\r') col = 0;
    else if (tok === '\n') {
      row++;
      col = 0;
      lines[row] ??= '';
    } else if (m[2] !== undefined) {
      const n = Number(m[1] || '1');
      if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'K') lines[row] = '';
      else if (m[2] === 'J') {
        lines[row] = lines[row]!.slice(0, col);
        lines.length = row + 1;
      }
    } else {
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + tok + line.slice(col + tok.length);
      col += tok.length;
    }
  }
  return lines.map((l) => l.trimEnd()).filter((l, i, all) => l !== '' || i < all.length - 1);
}
