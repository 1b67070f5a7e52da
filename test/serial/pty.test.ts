/**
 * The virtual bench on a real pseudo-terminal, run as a user would: `resetbot sim serve --pty P` in one process, and
 * `resetbot doctor` / `resetbot reset --port P` in others, opening P with the native serialport binding. Real time.
 *
 * A full reset takes minutes of real time, so it is not run here (test/serial/in-loop.test.ts runs full resets in
 * virtual time through the same driver and the real firmware). Here: the handshake, the relay click, the sensor, the
 * jog (every key pressed once, in order, for its time), and Ctrl-C, judged on the bench's own trace of its outputs.
 *
 * Needs socat (`.ci/run` installs it; elsewhere those tests are skipped with a line saying so) and the built CLI
 * (`npm test` builds it first).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError } from '../cli/run-cli.js';
import { needs } from '../support/system.js';
import { Bg, scratch } from '../support/background.js';
import { BIN } from '../support/bin.js';

const socat = needs('socat', 'socat', 'the `sim serve` pseudo-terminal tests');


interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, RESETBOT_DEBUG: '', ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type TraceLine = { t: number; channel?: number | 'relay'; key?: string | null; on?: boolean; event?: string };

function readTrace(path: string): TraceLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine);
}

const { track, dir } = scratch('resetbot-pty-');

/** A small jig: four keys, so the jog stays short. */
function smallFixture(d: string): string {
  const path = join(d, 'jig.json');
  writeFileSync(path, JSON.stringify({ name: 'small-jig', channels: 32, relay: true, keys: { '1': 1, '3': 3, '5': 5, softkey1: 12 } }));
  return path;
}

async function serve(d: string, extra: string[] = []): Promise<{ server: Bg; pty: string; trace: string; truth: string }> {
  const pty = join(d, 'bench');
  const trace = join(d, 'trace.jsonl');
  const truth = join(d, 'truth.json');
  const server = new Bg(['sim', 'serve', '--pty', pty, '--trace', trace, '--truth', truth, '--seed', '3', ...extra]);
  track(server);
  await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
  return { server, pty, trace, truth };
}

/** Checks the jog in the trace: each key once, in channel order, alone, on for at least its time. */
function expectJog(trace: TraceLine[], keys: [number, string][], ms: number): void {
  const channels = trace.filter((l) => typeof l.channel === 'number');
  expect(channels.map((l) => [l.channel, l.key, l.on])).toEqual(keys.flatMap(([c, k]) => [[c, k, true], [c, k, false]]));
  for (let i = 0; i < channels.length; i += 2) {
    expect(channels[i + 1]!.t - channels[i]!.t).toBeGreaterThanOrEqual(ms - 1);
  }
}

describe('sim serve on a pseudo-terminal', () => {
  it.skipIf(socat.skip)('doctor --jog against the protocol board: handshake, relay click, sensor, every key once, in order' + socat.note, async () => {
    const d = dir();
    const { server, pty, trace, truth } = await serve(d);
    const r = cli(['doctor', '--port', pty, '--fixture', 'fixtures/vvx-jig.json', '--jog', '--jog-ms', '40', '--jog-gap-ms', '20', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      driver: 'serial',
      firmware: { name: 'resetbot-fw', protocol: 1 },
      channels: 32,
      relay: 'off-on-off',
      sensor: 40, // the phone's screen is dark: the light sensor reads low
      outcome: 'ok',
    });
    expect(report.jog).toHaveLength(32);
    expect(await server.stop()).toBe(0);

    const lines = readTrace(trace);
    expect(lines.filter((l) => l.channel === 'relay').map((l) => l.on)).toEqual([true, false]);
    const fixture = JSON.parse(readFileSync('fixtures/vvx-jig.json', 'utf8')) as { keys: Record<string, number> };
    const keys = Object.entries(fixture.keys)
      .map(([k, c]): [number, string] => [c, k])
      .sort((a, b) => a[0] - b[0]);
    expectJog(lines, keys, 40);
    expect(JSON.parse(readFileSync(truth, 'utf8'))).toMatchObject({ modelId: 'vvx-410', seed: 3, factoryDefaults: false });
  });

  it.skipIf(socat.skip)('doctor --jog against the real firmware in avr8js, through the same pseudo-terminal' + socat.note, async () => {
    const d = dir();
    const jig = smallFixture(d);
    const { server, pty, trace } = await serve(d, ['--firmware', '--fixture', jig]);
    const r = cli(['doctor', '--port', pty, '--fixture', jig, '--jog', '--jog-ms', '50', '--jog-gap-ms', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/board\s+resetbot-fw \d+\.\d+\.\d+, protocol 1, 32 channels/);
    expect(r.stdout).toMatch(/channel 12 {2}key softkey1/);
    expect(r.stdout).toMatch(/all checks passed/);
    expect(await server.stop()).toBe(0);
    const lines = readTrace(trace);
    expectJog(lines, [[1, '1'], [3, '3'], [5, '5'], [12, 'softkey1']], 50);
    // the firmware's own account: one banner (at power-on; a pty resets nothing), one `! done` per jog press
    expect(lines.filter((l) => l.event?.startsWith('# resetbot-fw'))).toHaveLength(1);
    expect(lines.filter((l) => l.event?.match(/^! done \d+ time$/))).toHaveLength(4);
  });

  it.skipIf(socat.skip)('Ctrl-C during a jog press: doctor exits 130 and the press is cut at once, not at its time' + socat.note, async () => {
    const d = dir();
    const jig = smallFixture(d);
    const { pty, trace } = await serve(d, ['--fixture', jig]);
    const doctor = new Bg(['doctor', '--port', pty, '--fixture', jig, '--jog', '--jog-ms', '8000']);
    await doctor.until(() => readTrace(trace).some((l) => l.channel === 1 && l.on), 'the first jog press');
    const onAt = readTrace(trace).find((l) => l.channel === 1 && l.on)!.t;
    doctor.child.kill('SIGINT');
    expect(await doctor.exited).toBe(130);
    expect(doctor.stdout).toMatch(/stopped by Ctrl-C: every solenoid released/);
    const lines = readTrace(trace);
    const off = lines.find((l) => l.channel === 1 && l.on === false)!;
    expect(off.t - onAt).toBeLessThan(8000);
    expect(lines.some((l) => l.event === '! stop' && l.t >= onAt)).toBe(true);
    expect(lines.filter((l) => typeof l.channel === 'number' && l.channel !== 1)).toEqual([]); // nothing else moved
  });

  it.skipIf(socat.skip)('reset --port opens the pty as a board, runs blind, and Ctrl-C ends it aborted (exit 130) with the stop sent' + socat.note, async () => {
    const d = dir();
    const { pty, trace } = await serve(d);
    const reset = new Bg(['reset', '--port', pty, '--model', 'VVX 410', '--mac', '0004F2AA814C']);
    await reset.until(() => /attempt 1\s+(powering off|offWait|power-off)/.test(reset.stderr), 'the power-off step');
    const stopsBefore = readTrace(trace).filter((l) => l.event === '! stop').length;
    reset.child.kill('SIGINT');
    expect(await reset.exited).toBe(130);
    expect(reset.stdout).toMatch(/ABORTED/);
    expect(reset.stdout).toMatch(/bench: serial on .*resetbot-fw .*no camera/);
    const lines = readTrace(trace);
    expect(lines.filter((l) => l.event === '! stop').length).toBeGreaterThan(stopsBefore);
    expect(lines.filter((l) => l.channel === 'relay' && l.on)).toEqual([]); // still in its power-off wait
  });

  it('without socat: one line naming the package, exit 2', () => {
    const d = dir();
    const r = cli(['sim', 'serve', '--pty', join(d, 'bench')], { PATH: d });
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/socat .*install the socat package/);
  });

  it('refuses a pty path that already exists', () => {
    const d = dir();
    const path = join(d, 'taken');
    writeFileSync(path, '');
    const r = cli(['sim', 'serve', '--pty', path]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/already exists/);
  });
});

describe('reset --port and doctor on a port that is not a bench', () => {
  it('no such port: bad input, one line naming the ports that exist, exit 2, nothing else', () => {
    const r = cli(['reset', '--port', '/dev/resetbot-no-such-port', '--model', 'VVX 410', '--mac', '0004F2AA814C']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/there is no serial port \/dev\/resetbot-no-such-port: .*resetbot ports/);
  });

  it('simulator options do not mix with --port; --driver needs --port; an unknown driver is named', () => {
    const args = ['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C'];
    expect(expectOneLineError(cli([...args, '--port', '/dev/null', '--sim-seed', '4']))).toMatch(/--sim-seed applies to the simulator only/);
    expect(expectOneLineError(cli([...args, '--driver', 'serial']))).toMatch(/--driver names the driver of a board on --port/);
    const bad = cli([...args, '--port', '/dev/null', '--driver', 'grbl']);
    expect(bad.code).toBe(2);
    expect(expectOneLineError(bad)).toMatch(/unknown bench driver 'grbl'/);
  });
});

describe('ports', () => {
  it('without udevadm: says plainly what is missing, lists /dev, exit 0 (no crash)', () => {
    const r = cli(['ports', '--json'], { PATH: dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const list = JSON.parse(r.stdout);
    expect(list.note).toMatch(/udevadm \(package udev\) is not installed/);
    expect(Array.isArray(list.ports)).toBe(true);
  });

  it('with udev: serialport lists the ports, with what their USB ids suggest', () => {
    const d = dir();
    const udevadm = join(d, 'udevadm');
    writeFileSync(
      udevadm,
      [
        '#!/bin/sh',
        'printf "P: /devices/pci0000:00/usb1/1-1/ttyUSB0\\nN: ttyUSB0\\nE: DEVNAME=/dev/ttyUSB0\\nE: ID_VENDOR_ENC=QinHeng\\\\x20Electronics\\nE: ID_VENDOR_ID=1a86\\nE: ID_MODEL_ID=7523\\n\\n"',
        'printf "P: /devices/pnp0/tty/ttyS0\\nN: ttyS0\\nE: DEVNAME=/dev/ttyS0\\n\\n"',
        '',
      ].join('\n'),
    );
    chmodSync(udevadm, 0o755);
    const r = cli(['ports'], { PATH: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/note:/);
    expect(r.stdout).toMatch(/\/dev\/ttyUSB0\s+QinHeng Electronics\s+1a86:7523\s+CH340/);
  });

  it('a udevadm that cannot run: serialport\'s child-process error is caught and said, /dev is listed instead', () => {
    const d = dir();
    mkdirSync(join(d, 'udevadm')); // found on PATH, but spawning it fails (EACCES), as spawning a missing one does
    const r = cli(['ports', '--json'], { PATH: d });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).note).toMatch(/serialport could not list the ports \(.*udevadm.*\)/);
  });
});
