import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayElementLines, loadBatchFile } from '../../src/batch/jobs.js';
import { parseOptionsCell, redactedOptions, secretValues } from '../../src/batch/options.js';
import { Redactor } from '../../src/batch/redact.js';
import { ConfigError } from '../../src/errors/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'resetbot-jobs-'));
let n = 0;
function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
}
const ctx = { stations: ['left', 'right'] };

/** The one line a user would see (message and hint) from what `fn` throws. */
function oneLine(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.oneLine();
    throw e;
  }
  throw new Error('did not throw');
}

describe('CSV batch files', () => {
  it('reads a BOM, CRLF line ends, comments and blank lines, and numbers rows by their line in the file', () => {
    const path = file(
      'jobs.csv',
      '\uFEFFMAC,Model,Station\r\n# lot 7\r\n0004F2AA814C,VVX 410,left\r\n\r\n"00-04-F2-12-34-56",SoundPoint IP 335,\r\n',
    );
    const b = loadBatchFile(path, ctx);
    expect(b.bad).toEqual([]);
    expect(b.jobs.map((j) => [j.line, j.mac, j.model.id, j.station])).toEqual([
      [3, '0004f2aa814c', 'vvx-410', 'left'],
      [5, '0004f2123456', 'soundpoint-ip-335', undefined],
    ]);
  });

  it('counts line breaks inside quoted cells when numbering later rows', () => {
    const path = file('multi.csv', 'mac,model,options\r\n0004F2AA814C,VVX 410,"maxAttempts=2;\r\ncomboHoldMs=20000"\r\n0004F2AA81,VVX 410,\r\n');
    const b = loadBatchFile(path, ctx);
    expect(b.jobs[0]!.line).toBe(2);
    expect(b.jobs[0]!.model.timing.maxAttempts).toBe(2);
    expect(b.jobs[0]!.model.timing.comboHoldMs).toBe(20000);
    expect(b.bad).toEqual([{ line: 4, reason: expect.stringContaining('10 hex digits') }]);
  });

  it('reports every bad row with its line and why, and keeps the good ones', () => {
    const path = file(
      'bad.csv',
      [
        'mac,model,station,procedure,options',
        '0004F2AA814C,VVX 410,,,', // 2 good
        '0004F2AA81,VVX 410,,,', // 3 bad MAC
        '0004F2AA8150,VVX 999,,,', // 4 unknown model
        '00:04:f2:aa:81:4c,VVX 311,,,', // 5 duplicate of line 2
        '0004F2AA8151,VVX 410,,', // 6 field missing
        '0004F2AA8152,VVX 410,middle,,', // 7 unknown station
        '0004F2AA8153,VVX 410,,,maxAtempts=2', // 8 misspelt option
        '0004F2AA8154,VVX 410,,,maxAttempts=0', // 9 bad option value
        '0004F2AA8155,VVX 410,,provisioning,', // 10 unknown procedure
        'O004F2AA8156,VVX 410,,,', // 11 letter O
        '0004F2AA8157,IP 335,right,cancel-combo,', // 12 good
      ].join('\n'),
    );
    const b = loadBatchFile(path, ctx);
    expect(b.jobs.map((j) => j.line)).toEqual([2, 12]);
    const reasons = Object.fromEntries(b.bad.map((r) => [r.line, r.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(reasons[3]).toMatch(/10 hex digits, needs 12/);
    expect(reasons[4]).toMatch(/unknown model 'VVX 999'.*nearest/);
    expect(reasons[5]).toMatch(/already on line 2/);
    expect(reasons[6]).toMatch(/4 fields, the header has 5/);
    expect(reasons[7]).toMatch(/unknown station 'middle'.*left, right/);
    expect(reasons[8]).toMatch(/unknown option 'maxAtempts'.*maxAttempts/);
    expect(reasons[9]).toMatch(/maxAttempts.*not a whole number of 1 or more/);
    expect(reasons[10]).toMatch(/the VVX 410 has no procedure 'provisioning'.*'cancel-combo'/);
    expect(reasons[11]).toMatch(/did you mean the digit 0/);
  });

  it('stops at the file when a required column is missing, naming it', () => {
    const path = file('nomodel.csv', 'mac,station\n0004F2AA814C,left\n');
    expect(() => loadBatchFile(path, ctx)).toThrow(ConfigError);
    expect(() => loadBatchFile(path, ctx)).toThrow(/no 'model' column/);
  });

  it('stops at the file on an unknown column (a typo must not be ignored)', () => {
    const path = file('typo.csv', 'mac,modle\n0004F2AA814C,VVX 410\n');
    expect(oneLine(() => loadBatchFile(path, ctx))).toMatch(/unknown column 'modle'.*nearest: model/);
  });
});

describe('JSON batch files', () => {
  it('reads {"jobs": [...]} and reports bad jobs with the line they start on', () => {
    const text = [
      '{',
      '  "comment": "lot 7",',
      '  "jobs": [',
      '    { "mac": "0004F2AA814C", "model": "VVX 410" },',
      '    {',
      '      "mac": "0004F2AA8150",',
      '      "modle": "VVX 410"',
      '    },',
      '    { "mac": "0004F2AA8151", "model": "VVX 410", "options": { "maxAttempts": 2 } }',
      '  ]',
      '}',
    ].join('\n');
    const b = loadBatchFile(file('jobs.json', text), ctx);
    expect(b.jobs.map((j) => [j.line, j.mac, j.model.timing.maxAttempts])).toEqual([
      [4, '0004f2aa814c', 4],
      [9, '0004f2aa8151', 2],
    ]);
    expect(b.bad).toEqual([{ line: 5, reason: expect.stringMatching(/unknown field 'modle'/) }]);
  });

  it('reads a top-level array and JSON lines', () => {
    const arr = loadBatchFile(file('a.json', '[\n{"mac":"0004F2AA814C","model":"VVX 410"},\n{"mac":"0004F2AA814D","model":"VVX 410"}]'), ctx);
    expect(arr.jobs.map((j) => j.line)).toEqual([2, 3]);
    const lines = loadBatchFile(file('b.jsonl', '{"mac":"0004F2AA814C","model":"VVX 410"}\n\n{"mac":"0004F2AA814D","model":"VVX 410"\n'), ctx);
    expect(lines.jobs.map((j) => j.line)).toEqual([1]);
    expect(lines.bad).toEqual([{ line: 3, reason: expect.stringMatching(/not valid JSON/) }]);
  });

  it('finds element lines past strings holding brackets, commas and escaped quotes', () => {
    const src = '{"x": "[,]", "jobs": [\n {"a": "\\"],"},\n 3,\n [1,\n 2]\n]}';
    expect(arrayElementLines(src, ['jobs'])).toEqual([2, 3, 4]);
  });
});

describe('options and secrets', () => {
  it('parses name=value pairs and refuses a pair without =', () => {
    expect(parseOptionsCell(' maxAttempts=2 ; comboHoldMs = 20000;')).toEqual({ maxAttempts: '2', comboHoldMs: '20000' });
    expect(() => parseOptionsCell('maxAttempts')).toThrow(/not name=value/);
  });

  it('keeps secret option values out of what is written, by name and wherever the value turns up', () => {
    const options = { serverPassword: 'hunter22', maxAttempts: 2 };
    expect(secretValues(options)).toEqual(['hunter22']);
    expect(redactedOptions(options)).toEqual({ serverPassword: '***', maxAttempts: 2 });
    const record = { mac: '0004f2aa814c', summary: 'typed hunter22 at the prompt', config: { options } };
    expect(new Redactor(secretValues(options)).value(record)).toEqual({
      mac: '0004f2aa814c',
      summary: 'typed *** at the prompt',
      config: { options: { serverPassword: '***', maxAttempts: 2 } },
    });
  });
});
