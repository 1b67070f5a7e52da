/**
 * A whole factory reset on a real bench's path, camera included: `sim serve --camera` is the bench (a board on a
 * pseudo-terminal, the phone in its jig, and a network camera streaming MJPEG over HTTP what a camera over the phone's
 * display sees, moderately degraded and JPEG-compressed), `reset --port --camera URL --screen ...` is resetbot as a
 * technician runs it, with the calibration the bench printed. ffmpeg captures the stream, tesseract reads it. The run
 * must end `pass` with the camera named in its evidence, and only when the simulated phone says it is at factory
 * defaults; the bench's trace must end with everything off.
 *
 * Real time: the phone boots ten times faster than its own timeline (`--quick-boot 0.1`: never its windows, countdown
 * or dark screens) and drains in 1 s (a `--profiles` model), so the run takes about a minute, mostly waiting.
 * Needs socat and ffmpeg (`.ci/run` installs both).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bg, scratch } from '../support/background.js';
import { needs } from '../support/system.js';

const socat = needs('socat', 'socat', 'the camera reset on a pseudo-terminal');
const ffmpeg = needs('ffmpeg', 'ffmpeg', 'the camera reset (real capture)');
const skip = socat.skip || ffmpeg.skip;
const note = socat.note || ffmpeg.note;

const { track, dir } = scratch('resetbot-camera-reset-');

describe('reset --port --camera on sim serve\'s network camera', () => {
  it.skipIf(skip)('passes through ffmpeg and OCR, the camera named in the evidence, the phone at factory defaults' + note, async () => {
    const d = dir();
    const pty = join(d, 'bench');
    const trace = join(d, 'trace.jsonl');
    const truth = join(d, 'truth.json');
    const server = track(new Bg(['sim', 'serve', '--pty', pty, '--trace', trace, '--truth', truth, '--seed', '11', '--camera', '0', '--camera-level', 'moderate', '--quick-boot', '0.1']));
    await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
    const ready = /^ready: resetbot (reset .*?) --model "VVX 410" --mac (\w+)/m.exec(server.stdout);
    expect(ready, server.stdout).not.toBeNull();
    const profiles = join(d, 'quick-off.json');
    writeFileSync(profiles, JSON.stringify({ models: [{ id: 'vvx-410-quick-off', name: 'VVX 410 quick off', extends: 'VVX 410', timing: { extends: 'vvx', powerOffMs: 1000 } }] }));
    const args = ready![1]!.split(' ');
    const reset = track(new Bg([...args, '--profiles', profiles, '--model', 'VVX 410 quick off', '--mac', ready![2]!, '--json']));
    const code = await reset.exited;
    expect(reset.stderr).not.toMatch(/\n\s+at /);
    const record = JSON.parse(reset.stdout) as { outcome: string; summary: string; evidence: { about: string; proof: string; source: string; detail: string }[] };
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    const phone = JSON.parse(readFileSync(truth, 'utf8')) as { factoryDefaults: boolean; resets: number };
    // The simulated phone's own account decides; the controller's pass must agree with it.
    expect(phone.factoryDefaults, record.summary).toBe(true);
    expect(record.outcome, record.summary).toBe('pass');
    expect(code).toBe(0);
    const seen = record.evidence.filter((e) => e.proof === 'screen');
    expect(seen.map((e) => e.source)).toEqual(seen.map(() => expect.stringMatching(/^camera:ffmpeg:http:\/\/127\.0\.0\.1:\d+\/$/)));
    expect(seen.filter((e) => e.about === 'reboot')).toHaveLength(2);
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { channel?: number | 'relay'; on?: boolean });
    const last = new Map<number | 'relay', boolean>();
    for (const l of lines) if (l.channel !== undefined) last.set(l.channel, l.on === true);
    expect([...last.values()].every((on) => !on)).toBe(true);
  }, 240_000);
});
