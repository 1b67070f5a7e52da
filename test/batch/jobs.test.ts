import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arrayElementLines, loadBatchFile, type Job } from '../../src/batch/jobs.js';
import { applyJobOptions, parseOptionsCell, redactedOptions, secretValues } from '../../src/batch/options.js';
import { Redactor } from '../../src/batch/redact.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { ConfigError } from '../../src/errors/errors.js';
import { resolveRun, type RunPlan } from '../../src/machines/run-reset.js';

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
    expect(b.jobs.map((j) => [j.line, j.mac, j.model!.id, j.station])).toEqual([
      [3, '0004f2aa814c', 'vvx-410', 'left'],
      [5, '0004f2123456', 'soundpoint-ip-335', undefined],
    ]);
  });

  it('counts line breaks inside quoted cells when numbering later rows', () => {
    const path = file('multi.csv', 'mac,model,options\r\n0004F2AA814C,VVX 410,"maxAttempts=2;\r\ncomboHoldMs=20000"\r\n0004F2AA81,VVX 410,\r\n');
    const b = loadBatchFile(path, ctx);
    expect(b.jobs[0]!.line).toBe(2);
    expect(b.jobs[0]!.model!.timing.maxAttempts).toBe(2);
    expect(b.jobs[0]!.model!.timing.comboHoldMs).toBe(20000);
    expect(b.bad).toEqual([{ line: 4, reason: expect.stringContaining('10 hex digits'), mac: '0004F2AA81', model: 'VVX 410' }]);
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
    expect(b.jobs.map((j) => [j.line, j.mac, j.model!.timing.maxAttempts])).toEqual([
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

describe('procedures and their options', () => {
  const lab = (name: string) => join(fileURLToPath(new URL('../../fixtures/batches/', import.meta.url)), name);

  it('plans every row as `resetbot reset` plans it: options as columns, in the options cell, or JSON fields', () => {
    const csv = loadBatchFile(lab('lab-mixed.csv'), ctx);
    expect(csv.bad).toEqual([]);
    const byMac = new Map(csv.jobs.map((j) => [j.mac, j]));
    // Each job's plan is the one the reset command makes for the same model, MAC and choices.
    const same = (mac: string, model: string, choices: Parameters<typeof resolveRun>[2]) => {
      const job = byMac.get(mac)!;
      const want = resolveRun(applyJobOptions(getCatalog().find(model), job.model!.procedure, job.options), mac, choices);
      const shape = (p: RunPlan) => ({
        machine: p.machine,
        kind: p.kind,
        label: p.label,
        procedure: p.model.procedure,
        timing: p.model.timing,
        ...(p.machine === 'keypad' ? { plans: p.plans, typesAdminPassword: p.typesAdminPassword, software: p.software } : { steps: p.procedure, admin: p.adminPlan, choice: p.choice }),
      });
      expect(shape(job.plan!), `${model} ${mac}`).toEqual(shape(want));
      return job;
    };
    expect(same('0004f2a10001', 'VVX 410', {}).plan).toMatchObject({ machine: 'keypad', kind: 'cancel-combo', typesAdminPassword: false });
    expect(same('64167fa10003', 'Edge E350', {}).plan).toMatchObject({ machine: 'keypad', kind: 'led-combo' });
    expect(same('64167fa10004', 'CCX 500', {}).plan).toMatchObject({ machine: 'steps', kind: 'touch-hold' });
    expect(same('64167fa10005', 'Rove B1', {}).plan).toMatchObject({ machine: 'steps', kind: 'long-press' });
    expect(same('0004f2a10006', 'VVX 311', { procedure: 'menu-reset', menuChoice: 'factory', adminPassword: '456' }).plan).toMatchObject({
      machine: 'steps',
      kind: 'menu-reset',
      choice: 'factory',
    });
    expect(same('0004f2a10007', 'SoundPoint IP 650', { procedure: 'menu-reset', menuChoice: 'local', adminPassword: '789' }).plan).toMatchObject({ choice: 'local' });
    const old = same('0004f2a10008', 'VVX 500', { software: '3.2.7' });
    expect(old.plan).toMatchObject({ software: '3.2.7' });
    expect(old.model!.timing.maxAttempts).toBe(3);
    // An admin password on a keypad procedure is typed instead of the MAC.
    expect(same('0004f2a10009', 'VVX 600', { adminPassword: '1966' }).plan).toMatchObject({ machine: 'keypad', typesAdminPassword: true });

    // The JSON sample: the same jobs as the CSV rows with the same MACs (a numeric password read as text).
    const json = loadBatchFile(lab('lab-mixed.json'), ctx);
    expect(json.bad).toEqual([]);
    const view = (j: Job) => ({ mac: j.mac, model: j.model!.id, procedure: j.procedure, options: j.options, timing: j.model!.timing });
    expect(json.jobs.map(view)).toEqual(json.jobs.map((j) => view(byMac.get(j.mac)!)));
  });

  it('reports each bad procedure or option with its line, and never quotes an admin password', () => {
    const secrets = ['Twice-Secret-1', 'Zq€9-secret', 'hunter2secret'];
    const path = file(
      'options.csv',
      [
        'mac,model,procedure,menu_reset,admin_password,software,options',
        '0004F2000001,VVX 410,,local,,,', // 2 a menu choice without the menu reset
        '0004F2000002,VVX 311,menu-reset,,,,', // 3 the menu reset without a password
        '0004F2000003,CCX 500,,,456,,', // 4 a password for a procedure that types none
        '0004F2000004,VVX 311,menu-reset,bogus,456,,', // 5 no such menu choice
        '0004F2000005,VVX 410,,,,4.x,', // 6 a bad version
        '0004F2000006,VVX 311,menu-reset,,Twice-Secret-1,,adminPassword=Twice-Secret-1', // 7 given twice
        '0004F2000007,VVX 311,menu-reset,,Zq€9-secret,,', // 8 a password the keypad cannot type
        '0004F2000008,VVX 450 (new hardware),,,,,', // 9 a model the catalog refuses
        '0004F2000009,CCX 500,,,,4.0.15,', // 10 good: the version changes nothing here (a warning)
        '0004F200000A,VVX 410,,,,,hunter2secret', // 11 a password without its name
        '0004F200000B,VVX 311,menu-reset,Local,456,,', // 12 good: the choice in any case
      ].join('\n'),
    );
    const b = loadBatchFile(path, ctx);
    expect(b.jobs.map((j) => j.line)).toEqual([10, 12]);
    expect(b.jobs[0]!.warnings).toEqual(["software 4.0.15 does not change the CCX 500's touch-hold procedure"]);
    expect(b.jobs[1]!.plan).toMatchObject({ kind: 'menu-reset', choice: 'local' });
    const reasons = Object.fromEntries(b.bad.map((r) => [r.line, r.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11]);
    expect(reasons[2]).toMatch(/option 'menuReset' goes with the menu-reset procedure, not the VVX 410's cancel-combo/);
    expect(reasons[3]).toMatch(/the menu reset of the VVX 311 needs its admin password: give it as adminPassword/);
    expect(reasons[4]).toMatch(/the CCX 500's touch-hold procedure types no password/);
    expect(reasons[5]).toMatch(/the menu reset has no choice 'bogus': use one of: .*factory/);
    expect(reasons[6]).toMatch(/option 'software' is "4.x", not a version x.y.z/);
    expect(reasons[7]).toMatch(/option 'adminPassword' is given both as a column and in the options/);
    expect(reasons[8]).toMatch(/the admin password has a character the VVX 311's keypad cannot type \(text-entry profile 'vvx'\)/);
    expect(reasons[9]).toMatch(/the VVX 450 \(new hardware\) cannot be reset here: .*--profiles/);
    expect(reasons[11]).toMatch(/option 1 of the options is not name=value/);
    for (const reason of Object.values(reasons)) for (const s of secrets) expect(reason).not.toContain(s);
  });
});

describe('rows that name no model (the network names it)', () => {
  it('are jobs without a model or plan; a procedure or options on such a row is a bad row saying why', () => {
    const path = file('nomodel.csv', 'mac,model,procedure,options\n0004F2AA814C,,,\nauto,auto,,\n0004F2AA814D,,menu-reset,\n0004F2AA814E,,,"adminPassword=789"\n');
    const b = loadBatchFile(path, ctx);
    expect(b.jobs.map((j) => [j.line, j.mac, j.model, j.plan])).toEqual([
      [2, '0004f2aa814c', undefined, undefined],
      [3, 'auto-3', undefined, undefined],
    ]);
    // Planned for the model the network names, with the model's own procedure.
    const vvx = getCatalog().find('VVX 410');
    expect(b.jobs[0]!.replan(vvx, '0004f2aa814c').kind).toBe(vvx.procedure.kind);
    expect(b.bad.map((r) => [r.line, r.reason])).toEqual([
      [4, expect.stringMatching(/a procedure or options need the model, and the row names none/)],
      [5, expect.stringMatching(/a procedure or options need the model, and the row names none/)],
    ]);
  });
});
