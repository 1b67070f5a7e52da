/**
 * Provisioning on a real bench's path, camera included: `sim serve --camera` is the bench (a board on a
 * pseudo-terminal, the phone in its jig, and a network camera streaming MJPEG over HTTP what a camera over the display
 * sees, moderately degraded), `provision --port --camera URL --screen ...` is resetbot as a technician runs it, with
 * the calibration the bench printed. ffmpeg captures, tesseract reads; the Setup menus are found, every field typed
 * and checked, Save & Reboot seen, by what the camera shows. `pass` only with the simulated phone holding exactly the
 * settings asked; every setting's evidence names the camera; the bench's trace ends with everything off.
 *
 * Real time: quick boot (never a window, countdown or dark screen), a 1 s power-off (a `--profiles` model); about
 * 1.5 minutes, mostly waiting. Needs socat and ffmpeg (`.ci/run` installs both).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bg, scratch } from '../support/background.js';
import { needs } from '../support/system.js';

const socat = needs('socat', 'socat', 'the camera provisioning on a pseudo-terminal');
const ffmpeg = needs('ffmpeg', 'ffmpeg', 'the camera provisioning (real capture)');
const skip = socat.skip || ffmpeg.skip;
const note = socat.note || ffmpeg.note;

const { track, dir } = scratch('resetbot-camera-provision-');

describe("provision --port --camera on sim serve's network camera", () => {
  it.skipIf(skip)('passes through ffmpeg and OCR only with the phone holding the settings, the camera named in the evidence' + note, async () => {
    const d = dir();
    const pty = join(d, 'bench');
    const trace = join(d, 'trace.jsonl');
    const truth = join(d, 'truth.json');
    // Seed 1: a phone whose admin password is seed 002's first (each rejected one costs a power cycle).
    const server = track(new Bg(['sim', 'serve', '--pty', pty, '--trace', trace, '--truth', truth, '--seed', '1', '--camera', '0', '--camera-level', 'moderate', '--quick-boot', '0.1']));
    await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
    const ready = /^ready: resetbot reset (.*?) --model "VVX 410"/m.exec(server.stdout);
    expect(ready, server.stdout).not.toBeNull();
    const profiles = join(d, 'quick-off.json');
    writeFileSync(profiles, JSON.stringify({ models: [{ id: 'vvx-410-quick-off', name: 'VVX 410 quick off', extends: 'VVX 410', timing: { extends: 'vvx', powerOffMs: 1000 } }] }));
    // Short values: the typing of long ones through the camera is the virtual-time suite's (provision/camera.test.ts,
    // 'prov.example.com/cfg'); here a dot, a slash, a digit, capitals and a symbol still cross the real path.
    const settings = { serverAddress: 'p.io/c', serverUser: 'tk2', password: 'Pw.9' };
    const run = track(
      new Bg(['provision', ...ready![1]!.split(' '), '--profiles', profiles, '--model', 'VVX 410 quick off', '--server-type', 'HTTP', '--server', settings.serverAddress, '--user', settings.serverUser, '--password', settings.password, '--json']),
    );
    const code = await run.exited;
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const record = JSON.parse(run.stdout) as { outcome: string; summary: string; evidence: { about: string; source: string; detail: string }[] };
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    const phone = JSON.parse(readFileSync(truth, 'utf8')) as { setup: { serverType: string; serverAddress: string; serverUser: string; serverPasswordLength: number; saves: number } };
    // The simulated phone's own account decides; the controller's pass must agree with it.
    expect(phone.setup).toMatchObject({ serverType: 'HTTP', serverAddress: settings.serverAddress, serverUser: settings.serverUser, serverPasswordLength: 4, saves: 1 });
    expect(record.outcome, record.summary).toBe('pass');
    expect(code).toBe(0);
    expect(run.stdout).not.toContain(settings.password);
    expect(record.evidence.filter((e) => e.about === 'setting')).toHaveLength(3);
    expect(record.evidence.filter((e) => e.about === 'reboot')).toHaveLength(1);
    for (const e of record.evidence) expect(e.source).toMatch(/^camera:ffmpeg:http:\/\/127\.0\.0\.1:\d+\/$/);
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { channel?: number | 'relay'; on?: boolean });
    const last = new Map<number | 'relay', boolean>();
    for (const l of lines) if (l.channel !== undefined) last.set(l.channel, l.on === true);
    expect([...last.values()].every((on) => !on)).toBe(true);
  }, 400_000);
});
