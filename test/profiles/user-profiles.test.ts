import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { catalogWithProfiles, loadUserProfiles } from '../../src/catalog/user-profiles.js';
import { ConfigError } from '../../src/errors/errors.js';
import { main } from '../../src/cli/main.js';
import { planMac } from '../../src/text-entry/planner.js';
import { fixturePath, runCli, tempDir } from '../provision/cli.js';

const EXAMPLE = fixturePath('profiles/example.json');

describe('fixtures/profiles/example.json', () => {
  const { catalog, profiles } = catalogWithProfiles(EXAMPLE);

  it('adds its models, found by the same name rules as the built-in ones', () => {
    const names: Array<[string, string]> = [
      ['VVX 450 HW2', 'vvx-450-nh'],
      ['vvx450hw2', 'vvx-450-nh'],
      ['VVX 450 (new hardware)', 'vvx-450-nh'],
      ['VVX 450 new hardware', 'vvx-450-nh'], // the built-in's alias, kept by the model that takes its place
      ['IP 335 fw3.2', 'soundpoint-ip-335-fw32'],
      ['SoundPoint IP 335 (firmware 3.2)', 'soundpoint-ip-335-fw32'],
      ['lab-desk-phone', 'lab-desk-phone'],
      ['Lab Desk Phone', 'lab-desk-phone'],
    ];
    for (const [name, id] of names) expect(catalog.find(name).id, name).toBe(id);
    // The built-in models are all still there, less the one the file gives a procedure for.
    expect(catalog.find('VVX 450').id).toBe('vvx-450');
    expect(catalog.find('IP 335').id).toBe('soundpoint-ip-335');
    expect(profiles!.replaces).toEqual(['vvx-450-nh']);
    expect(catalog.models.length).toBe(getCatalog().models.length + profiles!.models.length - 1);
  });

  it('resolves extends and references: profiles, timing, combos, sources', () => {
    const nh = catalog.find('VVX 450 HW2');
    expect(nh.procedure.kind).toBe('cancel-combo');
    if (nh.procedure.kind !== 'cancel-combo') return;
    expect(nh.procedure.combos.map((c) => c.keys)).toEqual([['1', '5', '9'], ['1', '3', '5']]);
    expect(nh.timing.id).toBe('vvx-slow-boot');
    expect(nh.timing.powerOffMs).toBe(15_000);
    expect(nh.timing.keyTapMs).toBe(getCatalog().find('VVX 450').timing.keyTapMs);
    expect(nh.sources.some((s) => s.includes('example.json'))).toBe(true);

    const fw = catalog.find('IP 335 fw3.2');
    expect(fw.textEntry.id).toBe('soundpoint-lower-first');
    expect(fw.textEntry.cycle).toEqual(['123', 'abc', 'ABC']);
    expect(fw.textEntry.modeKey).toBe('#');
    // Lower case is one tap of # away on this firmware, two on the built-in IP 335.
    const modeTaps = (p: ReturnType<typeof planMac>) => p.steps.filter((s) => s.kind === 'mode').length;
    expect(modeTaps(planMac('0004f2aa814c', fw.textEntry))).toBeLessThan(modeTaps(planMac('0004f2aa814c', getCatalog().find('IP 335').textEntry)));

    const lab = catalog.find('Lab desk phone');
    expect(lab.timing.maxAttempts).toBe(2);
    expect(lab.timing.id).toBe('lab-desk-phone');
    expect(lab.textEntry.macCase).toBe('either');
  });

  it('plan --profiles: a user model plans like a built-in one', async () => {
    const r = await runCli(['plan', '--model', 'VVX 450 HW2', '--mac', '00-04-F2-AA-81-4C', '--profiles', EXAMPLE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toBe('vvx-450-nh');
    expect(out.text).toBe('0004f2aa814c');
  });

  it('reset --profiles: the user\'s combos run in order on the simulated phone; it resets on the one it answers to', async () => {
    const r = await runCli(['reset', '--model', 'VVX 450 HW2', '--mac', '0004f2aa814c', '--profiles', EXAMPLE, '--sim-model', 'vvx-450', '--sim-seed', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toBe('vvx-450-nh');
    expect(out.simulator.factoryDefaults).toBe(true);
    const combos = out.attemptLog.map((a: { combo: string[] }) => a.combo);
    expect(combos[0]).toEqual(['1', '5', '9']);
    expect(combos.at(-1)).toEqual(['1', '3', '5']);
    expect(out.attemptLog[0].failure.code).toBe('no-prompt');
  });

  it('a model with no built-in behind it needs --sim-model on the simulator, and says so', async () => {
    const r = await runCli(['reset', '--model', 'Lab desk phone', '--mac', '0004f2aa814c', '--profiles', EXAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/simulator has no phone for Lab desk phone: give --sim-model/);
  });
});

describe('invalid profiles files: one line naming the field, exit 2', () => {
  const dir = tempDir();
  const model = (over: Record<string, unknown> = {}) => ({
    id: 'my-phone',
    name: 'My Phone',
    family: 'vvx',
    procedure: { kind: 'cancel-combo', cancelKey: 'softkey1', okKey: 'softkey1', combos: [{ keys: ['1', '3', '5'] }] },
    timing: 'vvx',
    textEntry: 'vvx',
    ...over,
  });
  const cases: Array<{ name: string; file: unknown; says: RegExp }> = [
    { name: 'not JSON', file: '{\n  "models": []\n  "description": "x"\n}', says: /is not valid JSON: .*\(line 3, column 3\)/ },
    { name: 'unknown top-level field', file: { modles: [] }, says: /unknown field 'modles' \(nearest: models/ },
    {
      name: 'unknown key in a combo',
      file: { models: [model(), model({ id: 'b', name: 'B' }), model({ id: 'c', name: 'C', procedure: { kind: 'cancel-combo', cancelKey: 'softkey1', okKey: 'softkey1', combos: [{ keys: ['1', 'sevn'] }] } })] },
      says: /models\[2\]\.procedure\.combos\[0\]\.keys\[1\]: unknown key 'sevn' \(nearest: 7, /,
    },
    { name: 'a key twice in a combo', file: { models: [model({ procedure: { kind: 'cancel-combo', cancelKey: 'softkey1', okKey: 'softkey1', combos: [{ keys: ['1', '3', '1'] }] } })] }, says: /models\[0\]\.procedure\.combos\[0\]\.keys\[2\]: key '1' is listed twice/ },
    { name: 'unknown family', file: { models: [model({ family: 'vvxx' })] }, says: /models\[0\]\.family: unknown family 'vvxx' \(nearest: vvx/ },
    { name: 'missing field', file: { models: [model({ procedure: undefined })] }, says: /models\[0\]\.procedure is missing/ },
    { name: 'missing id', file: { models: [model({ id: undefined })] }, says: /models\[0\]\.id is missing \(expected a string\)/ },
    { name: 'wrong type', file: { models: [model({ timing: { extends: 'vvx', powerOffMs: 'ten' } })] }, says: /models\[0\]\.timing\.powerOffMs: expected a number, got string "ten"/ },
    { name: 'unknown field in a model', file: { models: [model({ combo: ['1'] })] }, says: /models\[0\]: unknown field 'combo' \(nearest: /, },
    { name: 'unknown procedure kind', file: { models: [model({ procedure: { kind: 'pinhole' } })] }, says: /models\[0\]\.procedure\.kind: unknown procedure kind "pinhole"/ },
    { name: 'unknown text-entry profile', file: { models: [model({ textEntry: 'vvxx' })] }, says: /models\[0\]\.textEntry: unknown text-entry profile 'vvxx' \(nearest: vvx/ },
    { name: 'unknown timing profile to extend', file: { timingProfiles: [{ id: 'slow', extends: 'soundpont' }] }, says: /timingProfiles\[0\]\.extends: unknown timing profile 'soundpont' \(nearest: soundpoint/ },
    { name: 'bad text-entry profile', file: { textEntryProfiles: [{ id: 'x', extends: 'vvx', cycle: ['abc', 'ABC'] }] }, says: /textEntryProfiles\[0\]\.cycle: must contain initialMode '123'/ },
    { name: 'unknown model to extend', file: { models: [{ id: 'x', name: 'X', extends: 'VVX 4100' }] }, says: /models\[0\]\.extends: unknown model 'VVX 4100'/ },
    { name: 'a name a built-in answers to', file: { models: [model({ aliases: ['Mine', 'vvx-410'] })] }, says: /models\[0\]\.aliases\[1\]: 'vvx-410' is already a name of model VVX 410/ },
    { name: 'a built-in id', file: { models: [model({ id: 'vvx-410' })] }, says: /models\[0\]\.id: 'vvx-410' is already a model's id/ },
  ];

  afterEach(() => vi.restoreAllMocks());

  it.each(cases)('$name', async ({ name, file, says }) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(path, typeof file === 'string' ? file : JSON.stringify(file, null, 2));
    expect(() => loadUserProfiles(path)).toThrow(ConfigError);
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['plan', '--model', 'VVX 410', '--mac', '0004f2aa814c', '--profiles', path]);
    expect(code).toBe(2);
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^resetbot: profiles file .*/);
    expect(stderr).toMatch(says);
  });

  it('a file that cannot be read', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['reset', '--model', 'VVX 410', '--mac', '0004f2aa814c', '--profiles', join(dir, 'absent.json')]);
    expect(code).toBe(2);
    expect(() => loadUserProfiles(join(dir, 'absent.json'))).toThrow(/cannot read profiles file .*absent\.json$/);
  });

  it('the first problems on one line, and how many more', () => {
    const path = join(dir, 'many.json');
    writeFileSync(path, JSON.stringify({ timingProfiles: [{ id: 'slow' }] }));
    expect(() => loadUserProfiles(path)).toThrow(/timingProfiles\[0\]\.powerOffMs is missing.*\(and \d+ more\)/);
  });
});
