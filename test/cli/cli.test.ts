import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as cli } from '../support/in-process.js';
import { expectOneLineError } from './run-cli.js';

/** The VVX jig's fixture with one key taken out (and optionally other fields changed), as a temp file. */
function jigWithout(key: string, change: Record<string, unknown> = {}): string {
  const f = JSON.parse(readFileSync('fixtures/vvx-jig.json', 'utf8')) as { keys: Record<string, number> };
  delete f.keys[key];
  const path = join(mkdtempSync(join(tmpdir(), 'rb-fixture-')), 'jig.json');
  writeFileSync(path, JSON.stringify({ ...f, ...change }));
  return path;
}

describe('resetbot --help and --version', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['plan', 'reset', 'models', 'demo']) expect(r.stdout).toContain(c);
  });
  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('resetbot plan', () => {
  it('--json gives the contract object, and the steps add up to durationMs', async () => {
    const r = await cli(['plan', '--model', 'VVX 410', '--mac', '00-04-F2-AA-81-4C', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { model: string; text: string; steps: { kind: string; key?: string; mode?: string; ms: number }[]; durationMs: number };
    expect(Object.keys(plan).sort()).toEqual(['durationMs', 'model', 'steps', 'text']);
    expect(plan.model).toBe('vvx-410');
    expect(plan.text).toBe('0004f2aa814c');
    expect(plan.durationMs).toBe(plan.steps.reduce((s, x) => s + x.ms, 0));
    for (const s of plan.steps) {
      if (s.kind === 'press') expect(Object.keys(s).sort()).toEqual(['key', 'kind', 'ms']);
      else if (s.kind === 'mode') {
        expect(Object.keys(s).sort()).toEqual(['key', 'kind', 'mode', 'ms']);
        expect(['123', 'abc', 'ABC']).toContain(s.mode);
      } else expect(Object.keys(s).sort()).toEqual(['kind', 'ms']);
    }
    // f is three taps of 3 in a letter mode (seed 001).
    const firstMode = plan.steps.findIndex((s) => s.kind === 'mode');
    expect(plan.steps.slice(0, firstMode).map((s) => s.key)).toEqual(['0', '0', '0', '4']);
  });
  it('prints a readable table without --json', async () => {
    const r = await cli(['plan', '--model', 'IP 335', '--mac', '0004f2123abc']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SoundPoint IP 335: type "0004f2123abc"/);
    expect(r.stdout).toMatch(/mode key \(#\)/);
  });
  it('warns, without failing, on a MAC outside the Poly OUIs', async () => {
    const r = await cli(['plan', '--model', 'VVX 410', '--mac', '112233445566', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning/i);
  });
});

describe('resetbot reset on the simulator', () => {
  it('--json passes only when the simulated phone is at factory defaults', async () => {
    const r = await cli(['reset', '--model', 'vvx-410', '--mac', '0004F2AA814C', '--sim', '--sim-seed', '7', '--json']);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & { simulator: { factoryDefaults: boolean } };
    for (const k of ['outcome', 'model', 'mac', 'attempts', 'durationMs', 'steps', 'simulator']) expect(out).toHaveProperty(k);
    expect(out.outcome).toBe('pass');
    expect(out.simulator.factoryDefaults).toBe(true);
    expect(r.code).toBe(0);
  });
  it('a misread label fails with exit 1 and the phone untouched', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-mac', '0004F2AA814D', '--sim-seed', '3', '--json']);
    const out = JSON.parse(r.stdout) as { outcome: string; failure: { class: string; reason: string }; simulator: { factoryDefaults: boolean } };
    expect(out.outcome).toBe('fail');
    expect(out.failure.class).toBe('phone');
    expect(out.failure.reason).toMatch(/rejected/);
    expect(out.simulator.factoryDefaults).toBe(false);
    expect(r.code).toBe(1);
  });
  it('the same seed gives the same run', async () => {
    const a = await cli(['reset', '--model', 'IP 650', '--mac', '0004f2010203', '--sim-seed', '11', '--json']);
    const b = await cli(['reset', '--model', 'IP 650', '--mac', '0004f2010203', '--sim-seed', '11', '--json']);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  });
  it('--inspect writes XState inspection events as JSON lines', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'rb-')), 'inspect.jsonl');
    const r = await cli(['reset', '--model', 'VVX 300', '--mac', '0004f2aa814c', '--sim-seed', '2', '--inspect', file, '--json']);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; event?: string });
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.type === '@xstate.event' && l.event === 'SCREEN')).toBe(true);
  });
});

describe('resetbot models', () => {
  it('--json lists every catalog model with aliases, procedure and combo', async () => {
    const r = await cli(['models', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; aliases: string[]; procedure: string; combo: string[] }[];
    expect(list.map((m) => m.id).sort()).toEqual(getCatalog().models.map((m) => m.id).sort());
    const vvx410 = list.find((m) => m.id === 'vvx-410')!;
    expect(vvx410.combo).toEqual(['1', '3', '5']);
    expect(vvx410.aliases).toContain('VVX 410');
  });
  it('prints a table', async () => {
    const r = await cli(['models']);
    expect(r.code).toBe(0);
    // name, procedure, reset combos (the seeds disagree: both, in order), reboot combo, seeds, id
    expect(r.stdout).toMatch(/^SoundPoint IP 560 +cancel-combo +4\+6\+8\+\* then 1\+3\+5\+7 +\S+ +(\d{3}, )*\d{3} +soundpoint-ip-560\b/m);
    expect(r.stdout.split('\n')[0]).toMatch(/^model +procedure +reset combo +reboot combo +seeds +id/);
  });
});

describe('resetbot demo', () => {
  it('resets several models and its outcomes agree with the simulator', async () => {
    const r = await cli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agrees with it for every phone/);
    expect(r.stdout).toMatch(/PASS/);
    expect(r.stdout).toMatch(/misread label.*/);
  });
});

describe('bad input: exit 2, one line that says what is wrong and how to fix it', () => {
  it.each([
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA81'], /10 hex digits, needs 12/],
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA81GZ'], /non-hex character 'G'/],
    [['plan', '--model', 'VVX 4100', '--mac', '0004F2AA814C'], /unknown model 'VVX 4100'.*nearest: .*VVX 410/],
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--frobnicate'], /unknown option '--frobnicate'.*--help/],
    [['reset', '--model', 'VVX 410'], /required option '--mac <mac>' not specified/],
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', 'abc'], /--sim-seed 'abc' is not a whole number/],
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--fixture', jigWithout('5'), '--sim-seed', '1'], /has no channel for key '5' that the VVX 410 reset needs/],
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--fixture', jigWithout('5', { channels: 2 })], /channels/],
    [['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--fixture', '/nonexistent.json'], /cannot read fixture file/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [
      ['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', 'a.example', '--user', 'u', '--password', 'p', '--port', '/dev/null'],
      /provisioning on --port finds its way through the Setup menus by what the screen shows, and no --camera was given.*give --camera SOURCE/,
    ],
    [
      ['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', 'a.example', '--user', 'u', '--password', 'p', '--port', '/dev/null', '--camera', 'x', '--sim-seed', '3'],
      /--sim-seed/,
    ],
    [['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', 'a.example', '--user', 'u', '--password', 'p', '--camera', '/dev/video0'], /--camera is for a bench on --port/],
    [['reset', '--model', 'Trio Visual+', '--mac', '0004F2AA814C'], /cannot reset the RealPresence Trio Visual\+: seed 001 .*only as a picture/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('output into a pipe that closes early', () => {
  it('`resetbot models | true` (a reader gone before the output) ends quietly, without EPIPE or a stack trace', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', 'set -o pipefail; node bin/resetbot.js models | true'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
