import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import type { BatchSummary } from '../../src/batch/report.js';
import { MAX_BATCH_BYTES, MAX_BATCH_ROWS } from '../../src/batch/jobs.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { cli, jsonLines, tempDir } from './cli-helpers.js';

/*
 * The batch files an operator may hand `resetbot batch` by mistake, through the CLI: each gets its own one line and
 * exit 2, before anything moves (no output folder made); a CSV separated by semicolons or tabs is read, with a note.
 */

function oneLine(r: { stderr: string }): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('batch files of every kind', () => {
  const dir = tempDir();

  const refused: [string, () => string, RegExp][] = [
    ['random binary bytes', () => write('bin.csv', Buffer.concat([Buffer.from('mac,model\n'), randomBytes(4096), Buffer.from([0])])), /batch file bin\.csv is binary, not text \(a NUL byte at byte \d+\): give the CSV or JSON file/],
    ['a spreadsheet (.xlsx: a ZIP)', () => write('sheet.csv', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(100)])), /is a ZIP archive \(an \.xlsx or \.ods spreadsheet\?\), not CSV or JSON: save the sheet as CSV/],
    ['UTF-16 text', () => write('u16.csv', Buffer.from('\ufeffmac,model\n', 'utf16le')), /is UTF-16 text: save it as CSV UTF-8/],
    ['Latin-1 text', () => write('latin.csv', Buffer.from('mac,model\n0004F2AA814C,VVX 410 caf\xe9\n', 'latin1')), /is not UTF-8 text \(line 2\): save it as CSV UTF-8/],
    [
      'a folder',
      () => {
        mkdirSync(join(dir, 'jobs'), { recursive: true });
        writeFileSync(join(dir, 'jobs', 'monday.csv'), 'mac,model\n');
        return 'jobs';
      },
      /batch file jobs is a folder, not a file: give one of the files in it, e\.g\. jobs\/monday\.csv/,
    ],
    ['a missing file', () => 'nowhere.csv', /cannot read batch file nowhere\.csv: there is no such file: check the path/],
    ['a semicolon file with an unknown column', () => write('semi-bad.csv', 'mac;modle\n0004F2AA814C;VVX 410\n'), /unknown column 'modle' in the header \(line 1\): the columns are .*nearest: model/],
    [
      `more rows than ${MAX_BATCH_ROWS}`,
      () => write('rows.csv', ['mac,model', ...Array.from({ length: MAX_BATCH_ROWS + 1 }, (_, i) => `0004F2${i.toString(16).padStart(6, '0')},VVX 410`)].join('\n')),
      new RegExp(`batch file rows\\.csv has ${MAX_BATCH_ROWS + 1} rows, more than the ${MAX_BATCH_ROWS} a batch may hold: split it`),
    ],
  ];

  function write(name: string, content: string | Buffer): string {
    writeFileSync(join(dir, name), content);
    return name;
  }

  for (const [what, make, message] of refused) {
    it(`${what}: one line, exit 2, nothing made`, async () => {
      const file = make();
      const out = join(dir, `out-${file}`);
      const r = await cli(['batch', file, '--out', out, '--quiet'], dir);
      expect(r.code, r.stderr).toBe(EXIT.usage);
      const line = oneLine(r);
      expect(line).toMatch(message);
      expect(line.length).toBeLessThan(300); // no garbage dumped into the terminal
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a 48 MB file (2.3 M rows) is refused in one line at the size limit, quickly and without running out of memory', async () => {
    const path = join(dir, 'huge.csv');
    const fd = openSync(path, 'w');
    const block = Array.from({ length: 10_000 }, (_, i) => `0004F2${i.toString(16).padStart(6, '0').toUpperCase()},VVX 410\n`).join('');
    writeSync(fd, 'mac,model\n');
    for (let i = 0; i < 230; i++) writeSync(fd, block);
    closeSync(fd);
    const r = await cli(['batch', 'huge.csv', '--out', join(dir, 'out-huge'), '--quiet'], dir);
    expect(r.code).toBe(EXIT.usage);
    expect(oneLine(r)).toMatch(new RegExp(`batch file huge\\.csv is larger than ${MAX_BATCH_BYTES / 1048576} MiB, the most a batch file may be \\(at most ${MAX_BATCH_ROWS} phones\\): split it into smaller batches`));
  });

  for (const [kind, sep] of [
    ['semicolons', ';'],
    ['tabs', '\t'],
  ] as const) {
    it(`a CSV separated by ${kind} is read as such, with a note, and runs`, async () => {
      const file = write(`by-${kind}.csv`, [`mac${sep}model${sep}options`, `0004F2AA814C${sep}VVX 410${sep}"maxAttempts=2; comboHoldMs=6000"`, `0004F2AA814D${sep}SoundPoint IP 335${sep}`].join('\r\n') + '\r\n');
      const r = await cli(['batch', file, '--out', join(dir, `out-${kind}`), '--sim-seed', '3', '--json'], dir);
      expect(r.stderr).toMatch(new RegExp(`warning: by-${kind}\\.csv is separated by ${kind}, not commas: read as such`));
      expect(r.code, r.stderr).toBeOneOf([EXIT.ok, EXIT.batchNotAllPassed]);
      const summary = JSON.parse(r.stdout) as BatchSummary;
      const records = jsonLines<BatchRecord>(summary.records);
      expect(records.map((x) => [x.mac, x.model])).toEqual([
        ['0004f2aa814c', 'vvx-410'],
        ['0004f2aa814d', 'soundpoint-ip-335'],
      ]);
      expect(records[0]!.config).toMatchObject({ options: { maxAttempts: 2, comboHoldMs: 6000 } });
    });
  }
});
