import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli.js';

const SECRET = 'Tr0ub4dor.x/y';
const base = (model: string, password = SECRET) => [
  'provision',
  '--model',
  model,
  '--server-type',
  'HTTP',
  '--server',
  'provision.activepbx.com/cfg',
  '--user',
  'apbx',
  '--password',
  password,
];

describe('resetbot provision on the simulator', () => {
  it('VVX 410 (seed 002): the phone ends with exactly the settings asked; the password shows as *** and passwordSet', async () => {
    const r = await runCli([...base('VVX 410'), '--sim-seed', '8', '--sim-admin-password', '456', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outcome).toBe('pass');
    expect(out.procedure).toBe('provision');
    expect(out.settings).toEqual({ serverType: 'HTTP', serverAddress: 'provision.activepbx.com/cfg', serverUser: 'apbx', serverPassword: '***' });
    expect(out.simulator.provisioning).toEqual({
      serverType: 'HTTP',
      serverAddress: 'provision.activepbx.com/cfg',
      serverUser: 'apbx',
      sntpAddress: '',
      passwordSet: true,
      saves: 1,
    });
  });

  it('SoundPoint IP 335 (seed 003): HTTPS, the 8x8 address and the SNTP address', async () => {
    const r = await runCli([
      'provision', '--model', 'IP 335', '--server-type', 'https', '--server', 'pccfg.8x8.com/polycomuc/',
      '--user', 'u8x8', '--password', SECRET, '--sntp', 'pool.ntp.org', '--sim-seed', '3', '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.simulator.provisioning).toEqual({
      serverType: 'HTTPS',
      serverAddress: 'pccfg.8x8.com/polycomuc/',
      serverUser: 'u8x8',
      sntpAddress: 'pool.ntp.org',
      passwordSet: true,
      saves: 1,
    });
  });

  it('a phone whose admin password is 1966 takes three tries: 456, 789, 1966', async () => {
    const r = await runCli([...base('VVX 500'), '--sim-seed', '12', '--sim-admin-password', '1966', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outcome).toBe('pass');
    expect(out.attempts).toBe(3);
    expect(out.attemptLog.map((a: { adminPasswordIndex: number }) => a.adminPasswordIndex)).toEqual([0, 1, 2]);
    expect(out.attemptLog.slice(0, 2).map((a: { failure: { code: string } }) => a.failure.code)).toEqual([
      'setup-password-rejected',
      'setup-password-rejected',
    ]);
    expect(out.simulator.provisioning.passwordSet).toBe(true);
  });

  it('bad input: one line naming what is wrong, exit 2', async () => {
    const type = await runCli(['provision', '--model', 'VVX 410', '--server-type', 'TFTP', '--server', 'a.b', '--user', 'u', '--password', 'p']);
    expect(type.code).toBe(2);
    expect(type.stderr.trim().split('\n')).toHaveLength(1);
    expect(type.stderr).toMatch(/--server-type 'TFTP'.*HTTP, HTTPS/);
    const scheme = await runCli([...base('VVX 410').slice(0, 6), 'https://x.io/cfg', '--user', 'u', '--password', 'zz9']);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/starts with 'https:\/\/'.*'x\.io\/cfg'/);
  });
});

describe('the provisioning password never appears', () => {
  it('not in stdout, stderr, the --json record or the --inspect lines, whether the run passes, fails or is refused', async () => {
    const dir = tempDir();
    const runs = [
      // pass, with progress on stderr and the inspection lines
      { args: [...base('VVX 410'), '--sim-seed', '2', '--inspect', join(dir, 'a.jsonl')], code: 0, inspect: join(dir, 'a.jsonl') },
      // pass, --json
      { args: [...base('IP 650'), '--sim-seed', '4', '--sim-admin-password', '789', '--json', '--inspect', join(dir, 'b.jsonl')], code: 0, inspect: join(dir, 'b.jsonl') },
      // fail: no admin password the seeds give works
      { args: [...base('VVX 410'), '--sim-seed', '5', '--sim-admin-password', '0000', '--json'], code: 1 },
      // refused before anything moves: the password holds a character the keypad cannot type
      { args: [...base('VVX 410', `${SECRET}:`), '--sim-seed', '5'], code: 2, secret: `${SECRET}:` },
      // refused: a user equal to the password is itself redacted
      { args: ['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', 'a.b', '--user', SECRET, '--password', SECRET, '--sim-seed', '12', '--json'], code: 0 },
    ];
    for (const run of runs) {
      const r = await runCli(run.args);
      expect(r.code, r.stderr).toBe(run.code);
      const secret = run.secret ?? SECRET;
      const written = [r.stdout, r.stderr, run.inspect ? readFileSync(run.inspect, 'utf8') : ''].join('\n');
      expect(written.length).toBeGreaterThan(0);
      expect(written).not.toContain(secret);
      expect(written).not.toContain(SECRET);
      if (run.inspect) expect(readFileSync(run.inspect, 'utf8').split('\n').length).toBeGreaterThan(100);
      if (run.code !== 2 && run.args.includes('--json')) expect(JSON.parse(r.stdout).settings.serverPassword).toBe('***');
    }
  });
});
