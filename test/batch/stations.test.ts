import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeStations, prepareBatch } from '../../src/batch/batch.js';
import { loadBatchFile } from '../../src/batch/jobs.js';
import { Journal } from '../../src/batch/journal.js';
import { runJobs } from '../../src/batch/runner.js';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import { checkStation, createStationPort, loadStationFile, registerBenchDriver, resolveFixture, type StationSpec } from '../../src/batch/stations.js';
import { parseFixture } from '../../src/bench/fixture.js';
import type { BenchDriver, DriverInfo } from '../../src/bench/types.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { ConfigError } from '../../src/errors/errors.js';
import { fixture, type TruthLine } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'resetbot-stations-'));
let n = 0;
const write = (name: string, content: string) => {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
};

/** The VVX jig without some keys. */
function jigWithout(name: string, ...missing: string[]) {
  const full = resolveFixture('vvx-jig', '.');
  const keys = Object.fromEntries(Object.entries(full.keys).filter(([k]) => !missing.includes(k)));
  return parseFixture({ name, channels: full.channels, keys }, name);
}

const setup = { seed: 4, newBatchId: () => 'b', wallClock: () => new Date(0), resetbotVersion: 'test' };

describe('station files', () => {
  it('loads stations with built-in and relative fixtures', () => {
    write('jig.json', JSON.stringify({ name: 'my-jig', channels: 8, keys: { '1': 0, '3': 1, '5': 2 } }));
    const path = write(
      'stations.json',
      JSON.stringify({
        stations: [
          { name: 'a', driver: 'sim', fixture: 'vvx-jig' },
          { name: 'b', driver: 'serial', port: '/dev/ttyUSB0', fixture: `${n - 1}-jig.json`, firmware: '1.0.0' },
        ],
      }),
    );
    const specs = loadStationFile(path);
    expect(specs.map((s) => [s.name, s.driver, s.fixture?.name, s.port ?? null])).toEqual([
      ['a', 'sim', 'vvx-jig', null],
      ['b', 'serial', 'my-jig', '/dev/ttyUSB0'],
    ]);
  });

  it('says what is wrong in a station file, and where', () => {
    const bad = (stations: unknown) => () => loadStationFile(write('s.json', JSON.stringify({ stations })));
    expect(bad([{ name: 'a', driver: 'usb', fixture: 'vvx-jig' }])).toThrow(/stations\.0\.driver: must be one of sim, serial, firmata/);
    expect(bad([{ name: 'a', driver: 'serial', fixture: 'vvx-jig' }])).toThrow(/station a \(driver serial\) has no "port"/);
    expect(bad([{ name: 'a', driver: 'sim', fixture: 'vvx-jig' }, { name: 'a', driver: 'sim', fixture: 'vvx-jig' }])).toThrow(/two stations are named 'a'/);
    expect(bad([{ name: 'a', driver: 'sim', fixture: 'vvx-jig', prot: 1 }])).toThrow(/unknown field 'prot'/);
    expect(bad([{ name: 'a', driver: 'sim', fixture: 'vvx-jig', sim: { faults: { linkLots: true } } }])).toThrow(/unknown field 'linkLots'/);
    expect(bad([{ name: 'a', driver: 'sim', fixture: 'no-such-jig.json' }])).toThrow(/cannot read fixture file/);
  });

  it('gives a clear error for a driver this build does not have', () => {
    const spec: StationSpec = { name: 'left', driver: 'usb', port: '/dev/ttyUSB0', fixture: resolveFixture('vvx-jig', '.'), options: {} };
    expect(() => createStationPort(spec, { clock: new VirtualClock(), seed: 1 })).toThrow(ConfigError);
    expect(() => createStationPort(spec, { clock: new VirtualClock(), seed: 1 })).toThrow(/driver 'usb' is not available in this build/);
  });

  it('a serial station whose port does not exist fails its health check, with the reason', async () => {
    const spec: StationSpec = { name: 'left', driver: 'serial', port: join(dir, 'no-such-tty'), fixture: resolveFixture('vvx-jig', '.'), options: {} };
    const health = await checkStation(spec, createStationPort(spec, { clock: new VirtualClock(), seed: 1 }), []);
    expect(health).toMatchObject({ ok: false, reason: expect.stringMatching(/does not answer: cannot open serial port .*no-such-tty/) });
  });

  it('health check: a plugged-in board with the wrong firmware or protocol, or too few channels, is taken out', async () => {
    const boards: Record<string, DriverInfo> = {
      '/dev/ok': { driver: 'firmata', firmware: { name: 'resetbot-fw', version: '1.0.0', protocol: 1 }, channels: 32, maxHoldMs: 20000, port: '/dev/ok' },
      '/dev/oldfw': { driver: 'firmata', firmware: { name: 'resetbot-fw', version: '0.9.0', protocol: 1 }, channels: 32, maxHoldMs: 20000, port: '/dev/oldfw' },
      '/dev/proto': { driver: 'firmata', firmware: { name: 'resetbot-fw', version: '1.0.0', protocol: 9 }, channels: 32, maxHoldMs: 20000, port: '/dev/proto' },
      '/dev/small': { driver: 'firmata', firmware: { name: 'resetbot-fw', version: '1.0.0', protocol: 1 }, channels: 16, maxHoldMs: 20000, port: '/dev/small' },
    };
    const released: string[] = [];
    registerBenchDriver('fake-board', (spec) => {
      const info = boards[spec.port!]!;
      return {
        info,
        open: async () => {},
        releaseAll: async () => void released.push(spec.port!),
        onEvent: () => () => {},
        close: async () => {},
      } as unknown as BenchDriver;
    });
    const clock = new VirtualClock();
    const check = (port: string) => {
      const spec: StationSpec = { name: port, driver: 'fake-board', port, fixture: resolveFixture('vvx-jig', '.'), firmware: '1.0.0', options: {} };
      return checkStation(spec, createStationPort(spec, { clock, seed: 1 }), []);
    };
    expect(await check('/dev/ok')).toMatchObject({ ok: true });
    expect(await check('/dev/oldfw')).toMatchObject({ ok: false, reason: expect.stringMatching(/firmware 0\.9\.0, the station file asks for 1\.0\.0/) });
    expect(await check('/dev/proto')).toMatchObject({ ok: false, reason: expect.stringMatching(/protocol 9/) });
    expect(await check('/dev/small')).toMatchObject({ ok: false, reason: expect.stringMatching(/wires 32 channels, the board drives 16/) });
    expect(released).toEqual(['/dev/ok']); // only a board that passed every check was asked to release (the last step)
  });
});

describe('routing jobs to stations', () => {
  it('a real station runs the one row that names it: a second row for it is a bad row', () => {
    const csv = write('real.csv', 'mac,model,station\n0004F2000001,VVX 410,left\n0004F2000002,VVX 410,right\n0004F2000003,VVX 410,left\n0004F2000004,VVX 410,\n');
    const p = prepareBatch({ file: csv, stationsFile: fixture('stations/bench-two.json'), outDir: join(dir, 'never-written'), ...setup });
    expect(p.file.jobs.map((j) => j.line)).toEqual([2, 3, 5]);
    expect(p.bad).toEqual([{ line: 4, reason: expect.stringMatching(/station left already has the phone of line 2.*--scan/) }]);
  });

  it('a row no station can run is a bad row before anything moves: keys, camera, hold limit, simulated unit', () => {
    const stations = write(
      'mixed-stations.json',
      JSON.stringify({
        stations: [
          { name: 'desk', driver: 'sim', fixture: 'vvx-jig' },
          { name: 'blind', driver: 'sim', fixture: 'vvx-jig', sim: { blind: true } },
          { name: 'short', driver: 'sim', fixture: 'base-station-jig', sim: { maxHoldMs: 5000 } },
          { name: 'left', driver: 'serial', port: '/dev/ttyUSB0', fixture: 'vvx-jig' },
          { name: 'right', driver: 'serial', port: '/dev/ttyUSB1', fixture: 'vvx-jig' },
        ],
      }),
    );
    const csv = write(
      'unfit.csv',
      [
        'mac,model,station,procedure,admin_password',
        '64167F000002,CCX 500,desk,,', // 2 the VVX jig has no touch points
        '0004F2000003,VVX 311,blind,menu-reset,456', // 3 the menu reset reads the screen: no camera
        '0004F2000004,VVX 311,left,menu-reset,456', // 4 a real bench has no camera
        '64167F000005,Rove B1,short,,', // 5 its 20 s hold is past the board's 5 s
        '64167F000006,CCX 500,,,', // 6 no simulated station can run it
        '0004F2000007,VVX 410,,,', // 7 good
        '0004F2000008,VVX 311,,menu-reset,456', // 8 good: desk has a camera
        '0004F2000009,Lab desk phone,,,', // 9 the simulator has no such unit
        '0004F200000A,Lab desk phone,right,,', // 10 good: a real bench needs no simulated unit
      ].join('\n'),
    );
    const out = join(dir, 'unfit-never-written');
    const p = prepareBatch({ file: csv, stationsFile: stations, profiles: fixture('batches/lab-profiles.json'), outDir: out, ...setup });
    expect(p.file.jobs.map((j) => j.line)).toEqual([7, 8, 10]);
    const reasons = Object.fromEntries(p.bad.map((b) => [b.line, b.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([2, 3, 4, 5, 6, 9]);
    expect(reasons[2]).toMatch(/^station desk cannot run the CCX 500 reset: fixture vvx-jig has no channel for keys 'corner-tl', 'corner-tr', 'corner-bl', 'corner-br'/);
    expect(reasons[3]).toMatch(/^station blind cannot run the VVX 311 menu reset \(Reset to Factory\): the station has no camera/);
    expect(reasons[4]).toMatch(/^station left cannot run the VVX 311 menu reset \(Reset to Factory\): the station has no camera/);
    expect(reasons[5]).toMatch(/^station short cannot run the Rove B1 reset: fixture base-station-jig allows holds of at most 5 s \(its board's limit\), but the Rove B1 reset may hold a key 22 s$/);
    expect(reasons[6]).toMatch(/^no station can run the CCX 500 reset: desk, blind: fixture vvx-jig has no channel for keys 'corner-tl'.*; short: fixture base-station-jig has no channel/);
    expect(reasons[9]).toMatch(/no station can run the Lab desk phone reset: .*the simulator has no unit for the Lab desk phone/);
    expect(existsSync(out)).toBe(false);
  });

  it('a station that cannot press a pinned model\'s combo is out; other jobs go where their keys are; a job no station fits says so', async () => {
    const csv = write(
      'jobs.csv',
      [
        'mac,model,station',
        '0004F2000001,VVX 410,',
        '0004F2000002,SoundPoint IP 335,', // needs 7: only station "full" has it
        '0004F2000003,VVX 410,no7',
        '0004F2000004,SoundPoint IP 335,no7', // pinned where 7 is missing: the station fails its check
        '0004F2000005,VVX 600,',
      ].join('\n'),
    );
    const specs: StationSpec[] = [
      { name: 'no7', driver: 'sim', fixture: jigWithout('no7', '7'), options: {} },
      { name: 'full', driver: 'sim', fixture: resolveFixture('vvx-jig', '.'), options: {} },
    ];
    const file = loadBatchFile(csv, { stations: specs.map((s) => s.name) });
    const clock = new VirtualClock();
    const truths: TruthLine[] = [];
    const stations = makeStations(specs, clock, setup, (line) => truths.push(line as unknown as TruthLine));
    const journal = Journal.create(join(dir, `${n++}-journal.jsonl`), 'b', () => clock.now());
    const records: BatchRecord[] = [];
    const { stations: status } = await clock.runUntil(
      runJobs({
        onEvent: (e) => {
          if (e.type === 'final') records.push(e.record);
        },
        batch: 'b',
        journal,
        clock,
        stations,
        jobs: file.jobs.map((job) => ({ job, run: 1, interrupted: 0 })),
        signal: new AbortController().signal,
        wallClock: () => new Date(0),
        resetbotVersion: 'test',
        config: {},
      }),
    );
    journal.close();

    expect(status).toEqual([
      expect.objectContaining({ name: 'no7', status: 'out', reason: expect.stringMatching(/^fixture no7 has no channel for key '7' that the SoundPoint IP 335 reset needs \(line 5\)$/) }),
      expect.objectContaining({ name: 'full', status: 'ok' }),
    ]);
    const byMac = Object.fromEntries(records.map((r) => [r.mac, r]));
    expect(records).toHaveLength(5);
    for (const mac of ['0004f2000001', '0004f2000002', '0004f2000005']) expect(byMac[mac]!.station).toBe('full');
    expect(byMac['0004f2000003']).toMatchObject({ outcome: 'error', station: 'no7', failure: { code: 'station-out' } });
    expect(byMac['0004f2000004']).toMatchObject({ outcome: 'error', station: 'no7', failure: { code: 'station-out' } });
    // Nothing touched a phone on the station that was out.
    expect(truths.filter((t) => t.station === 'no7')).toEqual([]);
    for (const r of records.filter((x) => x.outcome === 'pass')) {
      expect(truths.find((t) => t.mac === r.mac)!.truth.factoryDefaults).toBe(true);
    }
  });

  it('an unpinned job whose keys no healthy station has ends in an error that names the model', async () => {
    const csv = write('jobs.csv', 'mac,model\n0004F2000002,SoundPoint IP 335\n');
    const specs: StationSpec[] = [{ name: 'no7', driver: 'sim', fixture: jigWithout('no7b', '7'), options: {} }];
    const file = loadBatchFile(csv, { stations: ['no7'] });
    const clock = new VirtualClock();
    const journal = Journal.create(join(dir, `${n++}-journal.jsonl`), 'b', () => clock.now());
    const records: BatchRecord[] = [];
    await clock.runUntil(
      runJobs({
        onEvent: (e) => {
          if (e.type === 'final') records.push(e.record);
        },
        batch: 'b',
        journal,
        clock,
        stations: makeStations(specs, clock, setup),
        jobs: file.jobs.map((job) => ({ job, run: 1, interrupted: 0 })),
        signal: new AbortController().signal,
        wallClock: () => new Date(0),
        resetbotVersion: 'test',
        config: {},
      }),
    );
    journal.close();
    expect(records).toEqual([
      expect.objectContaining({ outcome: 'error', station: null, failure: expect.objectContaining({ code: 'no-station', reason: expect.stringMatching(/fits the SoundPoint IP 335/) }) }),
    ]);
  });
});
