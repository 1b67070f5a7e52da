/**
 * The messages a technician meets first (issue 12, "Messages"), through the CLI as typed, in this process: each bad
 * input is one line that says what is wrong and what to do, with its documented exit code.
 */
import { describe, expect, it } from 'vitest';
import { oneLine, runCli } from '../support/in-process.js';

const PHONE = ['--model', 'VVX 410', '--mac', '0004F2AA814C'];

describe('first contact', () => {
  it('bare `resetbot` prints its usage (every command), exit 0', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: resetbot /);
    for (const c of ['reset', 'batch', 'demo', 'models', 'runs']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('a misspelt command is one line suggesting the right one', async () => {
    const r = await runCli(['rest', ...PHONE]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe("resetbot: unknown command 'rest' (did you mean reset?) (run 'resetbot --help' for usage)");
  });

  it('an unknown option is one line, even when a required option is missing too; a near one is suggested', async () => {
    const bogus = await runCli(['reset', '--bogus']);
    expect(bogus.code).toBe(2);
    expect(oneLine(bogus)).toBe("resetbot: unknown option '--bogus' (run 'resetbot reset --help' for usage)");
    const near = await runCli(['reset', '--modle', 'VVX 410', '--mac', '0004F2AA814C']);
    expect(oneLine(near)).toMatch(/^resetbot: unknown option '--modle' \(did you mean --model\?\)/);
  });

  it('`sim serve` without --pty points at `sim serve --help`', async () => {
    const r = await runCli(['sim', 'serve']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/--pty .*run 'resetbot sim serve --help' for usage/);
  });

  it('`sim serve` camera and boot flags: a bad value is one line, exit 2, before any bench is made', async () => {
    for (const [args, message] of [
      [['--camera', 'eighty'], /--camera 'eighty' is not a TCP port.*0 for any free port/],
      [['--camera', '70000'], /--camera '70000' is not a TCP port/],
      [['--camera', '0', '--camera-level', 'foggy'], /--camera-level 'foggy' is not a level.*none, mild, moderate, severe/],
      [['--quick-boot', '2'], /--quick-boot '2' is not a factor above 0 and at most 1/],
      [['--camera-level', 'severe'], /--camera-level describes the served camera, but no --camera was given/],
    ] as const) {
      const r = await runCli(['sim', 'serve', '--pty', '/nonexistent/dir/bench', ...args]);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(message);
    }
  });

  it('demo --seed xyz is refused like every numeric flag', async () => {
    const r = await runCli(['demo', '--seed', 'xyz']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r)).toBe("resetbot: --seed 'xyz' is not a whole number: give a number such as 42");
  });
});

describe('models and ports as typed', () => {
  it('--model "" says the model is empty', async () => {
    const r = await runCli(['reset', '--model', '', '--mac', '0004F2AA814C']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^resetbot: the model is empty: /);
  });

  it('a model typed with full-width digits is the same model', async () => {
    const wide = await runCli(['plan', '--model', 'VVX ４１０', '--mac', '0004F2AA814C', '--json']);
    const plain = await runCli(['plan', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--json']);
    expect(wide.code).toBe(0);
    expect(JSON.parse(wide.stdout)).toEqual(JSON.parse(plain.stdout));
  });

  it('--port that does not exist is bad input (exit 2), naming where the ports are', async () => {
    for (const cmd of [['reset', ...PHONE], ['doctor']]) {
      const r = await runCli([...cmd, '--port', '/dev/resetbot-nonexistent']);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(/^resetbot: there is no serial port \/dev\/resetbot-nonexistent: .*resetbot ports/);
    }
  });
});

describe('reboot says reboot', () => {
  it('a blind reboot is unverified, and says the reboot (not a reset) was not confirmed', async () => {
    const r = await runCli(['reboot', ...PHONE, '--sim-blind', '--sim-seed', '3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/nothing confirmed the reboot/);
    expect(r.stdout + r.stderr).not.toMatch(/confirmed the reset/);
  });

  it('a model without a reboot combo is refused without ever suggesting `resetbot reset` (which would wipe it)', async () => {
    const r = await runCli(['reboot', '--model', 'Trio C60', '--mac', '0004F2AA814C']);
    expect(r.code).toBe(2);
    const line = oneLine(r);
    expect(line).toMatch(/no reboot combo/);
    expect(line).not.toMatch(/resetbot reset/);
  });
});
