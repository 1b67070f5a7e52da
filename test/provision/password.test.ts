/**
 * The provisioning password from outside the command line: --password-env VAR and --password-stdin, exactly one of
 * them or --password, and redacted wherever it comes from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serverPassword } from '../../src/cli/commands/provision.js';
import { ConfigError } from '../../src/errors/errors.js';
import { runCli, tempDir } from './cli.js';

const SECRET = 'Tr0ub4dor.x/y';
const BASE = ['provision', '--model', 'VVX 410', '--server-type', 'HTTP', '--server', 'provision.activepbx.com/cfg', '--user', 'apbx'];

/** A stream that gives `chunks` one after another, then ends. */
const stdin = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('where the server password comes from', () => {
  it('--password-env: the variable it names', async () => {
    await expect(serverPassword({ passwordEnv: 'PBX_PW' }, { PBX_PW: SECRET }, stdin())).resolves.toBe(SECRET);
  });

  it('--password-stdin: the first line, without its line end, however it arrives; nothing after it', async () => {
    await expect(serverPassword({ passwordStdin: true }, {}, stdin(`${SECRET}\n`))).resolves.toBe(SECRET);
    await expect(serverPassword({ passwordStdin: true }, {}, stdin('Tr0u', 'b4dor', '.x/y\r\n', 'the next line\n'))).resolves.toBe(SECRET);
    await expect(serverPassword({ passwordStdin: true }, {}, stdin(SECRET))).resolves.toBe(SECRET);
    await expect(serverPassword({ passwordStdin: true }, {}, stdin('pässwörd ✓\n'))).resolves.toBe('pässwörd ✓');
  });

  it('--password: as given', async () => {
    await expect(serverPassword({ password: SECRET }, { PBX_PW: 'other' }, stdin('other\n'))).resolves.toBe(SECRET);
  });

  it('none, or more than one, of the three: a ConfigError naming them', async () => {
    await expect(serverPassword({}, {}, stdin())).rejects.toThrow(ConfigError);
    await expect(serverPassword({}, {}, stdin())).rejects.toThrow(/password is missing/);
    await expect(serverPassword({ password: 'a', passwordEnv: 'PBX_PW' }, { PBX_PW: 'b' }, stdin())).rejects.toThrow(/--password-env and --password each/);
    await expect(serverPassword({ passwordStdin: true, passwordEnv: 'PBX_PW' }, { PBX_PW: 'b' }, stdin('c\n'))).rejects.toThrow(
      /--password-env and --password-stdin each/,
    );
  });

  it('an unset or empty variable, an empty line or no line at all: a ConfigError, never an empty password', async () => {
    await expect(serverPassword({ passwordEnv: 'PBX_PW' }, {}, stdin())).rejects.toThrow(/PBX_PW is not set/);
    await expect(serverPassword({ passwordEnv: 'PBX_PW' }, { PBX_PW: '' }, stdin())).rejects.toThrow(/PBX_PW is empty/);
    await expect(serverPassword({ passwordStdin: true }, {}, stdin('\nsecret\n'))).rejects.toThrow(/first line of standard input is empty/);
    await expect(serverPassword({ passwordStdin: true }, {}, stdin())).rejects.toThrow(/standard input ended before a line came/);
  });
});

describe('resetbot provision with the password outside the command line', () => {
  it('--password-env: the phone holds the password (its own truth), and nothing written shows it', async () => {
    const dir = tempDir();
    const inspect = join(dir, 'env.jsonl');
    const r = await runCli([...BASE, '--password-env', 'PBX_PW', '--sim-seed', '8', '--sim-admin-password', '456', '--json', '--inspect', inspect], {
      env: { PBX_PW: SECRET },
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outcome).toBe('pass');
    expect(out.settings.serverPassword).toBe('***');
    expect(out.simulator.provisioning.passwordSet).toBe(true);
    expect([r.stdout, r.stderr, readFileSync(inspect, 'utf8')].join('\n')).not.toContain(SECRET);
  });

  it('--password-stdin: the same, with the progress lines on stderr', async () => {
    const r = await runCli([...BASE, '--password-stdin', '--sim-seed', '8', '--sim-admin-password', '456'], { input: `${SECRET}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/provisioning PASS/);
    expect(r.stdout).toMatch(/password as asked/);
    expect(r.stderr).toMatch(/attempt 1/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('--password-stdin reads one line: a pipe left open after it does not keep resetbot waiting', async () => {
    const r = await runCli([...BASE, '--password-stdin', '--sim-seed', '8', '--sim-admin-password', '456', '--json'], { input: `${SECRET}\n`, keepStdinOpen: true });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).simulator.provisioning.passwordSet).toBe(true);
  });

  it('a password the keypad cannot type, read from stdin, is refused without being shown', async () => {
    const r = await runCli([...BASE, '--password-stdin', '--sim-seed', '5'], { input: `${SECRET}:\n` });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain(SECRET);
  });

  const refusals: [string, string[], { input?: string; env?: Record<string, string> }, RegExp][] = [
    ['none of the three', [], {}, /password is missing.*--password-env VAR.*--password-stdin/],
    ['two of them', ['--password-env', 'PBX_PW', '--password', SECRET], { env: { PBX_PW: SECRET } }, /--password-env and --password each give the server password/],
    ['--password-env naming an unset variable', ['--password-env', 'NO_SUCH_PW_VAR'], {}, /NO_SUCH_PW_VAR is not set/],
    ['--password-stdin with nothing on stdin', ['--password-stdin'], {}, /standard input ended before a line came/],
  ];
  it.each(refusals)('%s: one line, exit 2', async (_, args, opts, message) => {
    const r = await runCli([...BASE, ...args, '--sim-seed', '1'], opts);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain(SECRET);
  });
});
