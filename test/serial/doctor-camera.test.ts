/**
 * `resetbot doctor --jog --camera`: the built CLI on a pseudo-terminal bench (`sim serve`, socat) with a real ffmpeg
 * capture of a folder of frames. The frames are a photograph of a VVX 410's idle screen that never changes, as a
 * camera aimed at a phone whose keys the jig does not reach would show it: the doctor finds the idle screen (OCR of
 * the real capture), jogs, sees no dial-pad key appear, names those keys and exits 4. And a moving screen: `sim serve
 * --camera` streams what a camera over the served phone's display sees (MJPEG over HTTP, as a network camera does), and
 * the doctor watches it through ffmpeg while each key it jogs makes the phone's dialer show its digit. Crossed channels
 * and the other verdicts are tested in-process (test/observe/jog-check.test.ts) against the simulated phone's dialer.
 *
 * Needs socat and ffmpeg (`.ci/run` installs both).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import { writePng } from '../../src/observe/camera/image-file.js';
import { SimPhone } from '../../src/sim/phone.js';
import { CameraModel, faceOf } from '../../src/sim/render/camera.js';
import { DISPLAY_STYLES } from '../../src/sim/render/display.js';
import { Bg, scratch } from '../support/background.js';
import { BIN } from '../support/bin.js';
import { needs } from '../support/system.js';

const socat = needs('socat', 'socat', 'the doctor --camera tests on a pseudo-terminal');
const ffmpeg = needs('ffmpeg', 'ffmpeg', 'the doctor --camera tests (real capture)');
const skip = socat.skip || ffmpeg.skip;
const note = socat.note || ffmpeg.note;

const { track, dir } = scratch('resetbot-doctor-camera-');

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, RESETBOT_DEBUG: '' }, timeout: 90_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A folder of `n` frames (4 a second) photographing a simulated VVX 410's idle screen; and the display's corners. */
async function idleFrames(d: string, n: number): Promise<{ folder: string; screen: string }> {
  const clock = new VirtualClock();
  const phone = new SimPhone({ modelId: 'vvx-410', mac: '0004f2aa814c', clock, seed: 3, options: { variant: 'classic' } });
  phone.setPower(true);
  for (let i = 0; i < 600 && phone.state !== 'idle'; i++) clock.advance(1_000);
  expect(phone.state).toBe('idle');
  const { face, layout, key } = faceOf(phone.screen(), DISPLAY_STYLES.vvx!, 0);
  const camera = new CameraModel({ seed: 'doctor', level: 'mild' });
  const folder = join(d, 'frames');
  mkdirSync(folder);
  for (let i = 0; i < n; i++) await writePng(camera.photograph(face, layout, i * 250, key), join(folder, `frame-${String(i).padStart(3, '0')}.png`));
  return { folder, screen: camera.calibration(layout).corners.flatMap((p) => [Math.round(p.x), Math.round(p.y)]).join(',') };
}

describe('doctor --jog --camera', () => {
  it('bad input is one line and exit 2, before anything moves', () => {
    for (const [args, message] of [
      [['--camera', '/dev/video0', '--fixture', 'fixtures/vvx-jig.json', '--model', 'VVX 410'], /--camera checks the jog's key presses: it needs --jog/],
      [['--camera', '/dev/video0', '--jog', '--model', 'VVX 410'], /it needs --fixture/],
      [['--camera', '/dev/video0', '--jog', '--fixture', 'fixtures/vvx-jig.json'], /it needs --model/],
      [['--model', 'VVX 410'], /--model is for a camera jog/],
      [['--camera', '/dev/video0', '--jog', '--fixture', 'fixtures/vvx-jig.json', '--model', 'VVX 4100'], /unknown model 'VVX 4100'/],
      [['--jog', '--jog-settle-ms', 'soon'], /--jog-settle-ms 'soon' is not a whole number/],
    ] as const) {
      const r = run(['doctor', '--port', '/nonexistent/ttyUSB9', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it.skipIf(skip)('a phone whose screen never shows the dial-pad keys: the keys are named, exit 4, everything off' + note, async () => {
    const d = dir();
    const { folder, screen } = await idleFrames(d, 48);
    const pty = join(d, 'bench');
    const trace = join(d, 'trace.jsonl');
    const server = new Bg(['sim', 'serve', '--pty', pty, '--trace', trace, '--seed', '3']);
    track(server);
    await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
    const jig = join(d, 'jig.json');
    writeFileSync(jig, JSON.stringify({ name: 'small-jig', channels: 32, relay: true, keys: { '1': 1, '3': 3, softkey1: 12 } }));

    const r = run(['doctor', '--port', pty, '--fixture', jig, '--jog', '--jog-ms', '40', '--jog-gap-ms', '20', '--jog-settle-ms', '400', '--camera', folder, '--screen', screen, '--model', 'VVX 410']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/phone +at its idle screen/);
    expect(r.stdout).toMatch(/key 1 {2}the screen did not show '1': check that the solenoid reaches the key/);
    expect(r.stdout).toMatch(/key softkey1 {2}no change seen/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('2 keys to check on the jig: 1, 3 (see above)');
    // The bench's own account: the phone switched on for the jog, each key pressed once, and everything off at the end.
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { channel?: number | 'relay'; on?: boolean });
    expect(lines.filter((l) => typeof l.channel === 'number' && l.on).map((l) => l.channel)).toEqual([1, 3, 12]);
    const last = new Map<number | 'relay', boolean>();
    for (const l of lines) if (l.channel !== undefined) last.set(l.channel, l.on === true);
    expect([...last.values()].every((on) => !on)).toBe(true);
  }, 90_000);

  it.skipIf(skip)('a phone watched through the served camera stream: each dial-pad key shows its digit, exit 0, everything off' + note, async () => {
    const d = dir();
    const pty = join(d, 'bench');
    const trace = join(d, 'trace.jsonl');
    const server = new Bg(['sim', 'serve', '--pty', pty, '--trace', trace, '--seed', '3', '--camera', '0', '--camera-level', 'moderate', '--quick-boot', '0.1']);
    track(server);
    await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
    // The calibration the bench prints for its camera, as a technician would copy it.
    const camera = /^ready: .* --camera (http:\/\/\S+) --screen (\S+)/m.exec(server.stdout);
    expect(camera, server.stdout).not.toBeNull();
    const jig = join(d, 'jig.json');
    writeFileSync(jig, JSON.stringify({ name: 'small-jig', channels: 32, relay: true, keys: { '1': 1, '3': 3, '8': 8, softkey1: 12 } }));

    const r = run(['doctor', '--port', pty, '--fixture', jig, '--jog', '--jog-ms', '60', '--jog-gap-ms', '20', '--camera', camera![1]!, '--screen', camera![2]!, '--model', 'VVX 410']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/phone +at its idle screen/);
    for (const k of ['1', '3', '8']) expect(r.stdout).toMatch(new RegExp(`key ${k} {2}the screen showed '${k}'`));
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { channel?: number | 'relay'; on?: boolean });
    expect(lines.filter((l) => typeof l.channel === 'number' && l.on).map((l) => l.channel)).toEqual([1, 3, 8, 12]);
    const last = new Map<number | 'relay', boolean>();
    for (const l of lines) if (l.channel !== undefined) last.set(l.channel, l.on === true);
    expect([...last.values()].every((on) => !on)).toBe(true);
  }, 120_000);
});
