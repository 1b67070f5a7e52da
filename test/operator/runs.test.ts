/**
 * Past runs (`resetbot runs`): single resets and batches kept where the README says ($RESETBOT_RUNS, else
 * ./resetbot-runs, or --runs), listed, shown, and one phone's record step by step in the words its live progress
 * used, with the evidence. Through the CLI, in this process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLine, runCli } from '../support/in-process.js';

const words = (stderr: string) =>
  stderr
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/^\s+\d+\.\d s {2}/, ''));

describe('resetbot runs', () => {
  it('keeps each reset, lists it, and shows it step by step in the words of its live progress', async () => {
    const root = mkdtempSync(join(tmpdir(), 'resetbot-runs-'));
    const env = { RESETBOT_RUNS: root };
    const empty = await runCli(['runs'], { env });
    expect(empty.stdout).toMatch(/^no runs kept in .* yet/);

    const pass = await runCli(['reset', '--model', 'VVX 410', '--mac', '00-04-F2-AA-81-4C', '--sim-seed', '4'], { env });
    expect(pass.code).toBe(0);
    const id = /kept as run (\S+):/.exec(pass.stdout)![1]!;
    const fail = await runCli(['reset', '--model', 'VVX 300', '--mac', '0004F2818181', '--sim-mac', '0004F2818188', '--sim-seed', '4', '--json'], { env });
    expect(fail.code).toBe(1);
    expect(fail.stdout).not.toMatch(/kept as run/); // --json: stdout is the record alone

    const list = await runCli(['runs'], { env });
    const rows = list.stdout.split('\n').slice(2, 4);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.startsWith(id))).toMatch(/ reset +simulator +1 +pass 1$/);
    expect(rows.find((r) => !r.startsWith(id))).toMatch(/ reset +simulator +1 +fail 1$/);

    // By a unique start of its id (two runs in one second share their first 16 characters); the same words as the
    // live progress said, line for line.
    const other = rows.find((r) => !r.startsWith(id))!.split(/\s+/)[0]!;
    let n = 1;
    while (other.startsWith(id.slice(0, n))) n++;
    expect(n).toBeLessThan(id.length);
    const shown = await runCli(['runs', 'show', id.slice(0, n)], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n')[0]).toMatch(new RegExp(`^VVX 410 0004F2AA814C: PASS after \\d+ attempts?, [\\d:]+ bench time \\(reset ${id} on simulator`));
    const progress = shown.stdout.split('\n').filter((l) => /^\s+\d+\.\d s {2}attempt/.test(l));
    expect(words(progress.join('\n'))).toEqual(words(pass.stderr));
    expect(shown.stdout).toMatch(/^Evidence, step by step/m);
    expect(shown.stdout).toMatch(/await-reboots +waited for the reset reboots/);
    expect(shown.stdout).toMatch(/simulator's own account \(seed 4\): the phone is at factory defaults/);
    expect(shown.stdout).not.toMatch(/\x1b/);

    const json = JSON.parse((await runCli(['runs', 'show', id, '--json'], { env })).stdout);
    expect(json).toMatchObject({ id, kind: 'reset', modelName: 'VVX 410', mac: '0004f2aa814c', station: 'simulator', record: { outcome: 'pass' } });
  });

  it('a batch: its summary with model names and failures, and one phone by its MAC in any spelling', async () => {
    const root = mkdtempSync(join(tmpdir(), 'resetbot-runs-'));
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-runs-batch-'));
    const file = join(dir, 'jobs.csv');
    writeFileSync(file, 'mac,model\n0004F2000001,Trio C60\n0004F2000002,VVX 300\n');
    // --runs names the place; the batch writes its reports there too (no --out).
    const batch = await runCli(['batch', file, '--sim-seed', '5', '--sim-stations', '2', '--trust-label'], { env: { RESETBOT_RUNS: root } });
    expect(batch.code).toBe(0);
    const list = await runCli(['runs', '--runs', root], { env: { RESETBOT_RUNS: undefined } });
    expect(list.stdout).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4} +\d{4}-\d\d-\d\d \d\d:\d\d UTC +batch +sim-1, sim-2 +2 +pass 2$/m);
    const id = list.stdout.split('\n')[2]!.split(' ')[0]!;

    const summary = await runCli(['runs', 'show', id], { env: { RESETBOT_RUNS: root } });
    expect(summary.stdout).toMatch(new RegExp(`^Batch ${id}: 2 phones`));
    expect(summary.stdout).toMatch(/^Trio C60 +1 +1 /m);
    expect(summary.stdout).not.toMatch(/trio-c60/);

    const phone = await runCli(['runs', 'show', id, '--phone', '00:04:f2:00:00:01'], { env: { RESETBOT_RUNS: root } });
    expect(phone.code).toBe(0);
    const lines = phone.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Trio C60 0004F2000001: PASS after \\d+ attempts?, .* \\(batch ${id}, station sim-\\d\\)$`));
    // The words the batch printed for this phone as it ran, in the same order.
    const live = batch.stdout
      .split('\n')
      .filter((l) => l.includes('0004F2000001 Trio C60: attempt'))
      .map((l) => l.replace(/^.*Trio C60: /, ''));
    const kept = lines.filter((l) => /^\s+\d+\.\d s {2}attempt/.test(l)).map((l) => l.replace(/^\s+\d+\.\d s {2}/, ''));
    expect(kept).toEqual(live);
    expect(kept).toContain('attempt 1  holding the four corners until the Mute keys flash, up to 15 s');
    expect(phone.stdout).toMatch(/wait-for +waited for the Mute keys flash/);
  });

  it('an unknown run or phone is one line that says what there is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'resetbot-runs-'));
    const env = { RESETBOT_RUNS: root };
    const none = await runCli(['runs', 'show', 'nope'], { env });
    expect(none.code).toBe(2);
    expect(oneLine(none)).toMatch(/^resetbot: no run 'nope' in .*: no run is kept there yet/);
    const pass = await runCli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-seed', '4'], { env });
    const id = /kept as run (\S+):/.exec(pass.stdout)![1]!;
    const other = await runCli(['runs', 'show', id, '--phone', '0004F2AA8150'], { env });
    expect(other.code).toBe(2);
    expect(oneLine(other)).toBe(`resetbot: run ${id} did not run 0004F2AA8150: it ran 0004F2AA814C`);
    const bad = await runCli(['runs', 'show', id, '--phone', 'nonsense'], { env });
    expect(bad.code).toBe(2);
  });
});
