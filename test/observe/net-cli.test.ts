/**
 * `resetbot net check` and `resetbot reset --sim-network`, run as a user would (the built CLI), on real namespaced
 * links (root; CI runs as root). Judged by the simulator's truth in the JSON (`simulator`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimLink, ip, type SimLink } from '../../src/sim/net/link.js';
import { runCli as cli } from '../support/in-process.js';
import { expectOneLineError } from '../cli/run-cli.js';
import { netSkipReason } from './net-helpers.js';

const reason = netSkipReason();
const title = (t: string): string => (reason ? `${t} (skipped: ${reason})` : t);
const dir = mkdtempSync(join(tmpdir(), 'resetbot-net-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stationsFor(link: SimLink | undefined, name = 'left'): string {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
  const station: Record<string, unknown> = { name, driver: 'sim', fixture: 'vvx-jig' };
  if (link) station.network = { interface: link.benchIf, address: `${link.benchIp}/24` };
  writeFileSync(file, JSON.stringify({ stations: [station] }));
  return file;
}

/** A PATH with `ip` but no dnsmasq. */
function pathWithoutDnsmasq(): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  symlinkSync('/usr/sbin/ip', join(bin, 'ip'));
  return bin;
}

interface Json {
  outcome: string;
  mac: string;
  networkMac?: string;
  summary: string;
  failure?: { code: string; reason: string };
  steps: { step: string }[];
  evidence?: { about: string; proof: string; holds: boolean; detail: string }[];
  simulator: { realMac: string; factoryDefaults: boolean };
}

describe.skipIf(reason !== undefined)(title('resetbot net check'), () => {
  it("passes on a station's own link: interface up with its address, no other DHCP server, dnsmasq binds", async () => {
    const link = await createSimLink({ mac: '0004f2c0c0c1' });
    try {
      const r = await cli(['net', 'check', '--stations', stationsFor(link), '--listen-ms', '1500']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`left: ${link.benchIf} up with ${link.benchIp}, no other DHCP server answered, dnsmasq can bind it`);
    } finally {
      await link.destroy();
    }
  });

  it('names another DHCP server answering on the link (exit 4, one line)', async () => {
    const link = await createSimLink({ mac: '0004f2c0c0c2' });
    const rogueIp = link.benchIp.replace(/\.1$/, '.2');
    await ip(['-n', link.ns, 'addr', 'add', `${rogueIp}/24`, 'dev', link.phoneIf]);
    const net = link.benchIp.replace(/\.1$/, '');
    const leases = join(dir, `rogue-${link.phoneIf}.leases`);
    let rogue: ChildProcess | undefined;
    try {
      rogue = spawn('ip', ['netns', 'exec', link.ns, 'dnsmasq', '--conf-file=/dev/null', '--keep-in-foreground', '--port=0', '--bind-interfaces', `--interface=${link.phoneIf}`, `--dhcp-range=${net}.20,${net}.30,255.255.255.0,5m`, '--no-ping', `--dhcp-leasefile=${leases}`, '--log-facility=-'], { stdio: ['ignore', 'ignore', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let log = '';
        rogue!.stderr!.on('data', (d: Buffer) => {
          log += d.toString();
          if (/DHCP, IP range/.test(log)) resolve();
        });
        rogue!.once('exit', () => reject(new Error(`the rogue dnsmasq exited: ${log}`)));
      });
      const r = await cli(['net', 'check', '--stations', stationsFor(link), '--listen-ms', '2000']);
      expect(r.code).toBe(4);
      expect(expectOneLineError(r)).toMatch(new RegExp(`another DHCP server answers on ${link.benchIf}: ${rogueIp.replace(/\./g, '\\.')}`));
    } finally {
      rogue?.kill('SIGTERM');
      await link.destroy();
    }
  });

  it('dnsmasq missing: one line naming it and how to install it, exit 4', async () => {
    const link = await createSimLink({ mac: '0004f2c0c0c3' });
    try {
      const r = await cli(['net', 'check', '--stations', stationsFor(link), '--listen-ms', '500'], { env: { PATH: pathWithoutDnsmasq() } });
      expect(r.code).toBe(4);
      expect(expectOneLineError(r)).toMatch(/dnsmasq is not installed.*apt-get install dnsmasq/);
    } finally {
      await link.destroy();
    }
  });

  it('an interface that is down: exit 4, one line saying how to bring it up', async () => {
    const link = await createSimLink({ mac: '0004f2c0c0c4' });
    try {
      await ip(['link', 'set', link.benchIf, 'down']);
      const r = await cli(['net', 'check', '--stations', stationsFor(link)]);
      expect(r.code).toBe(4);
      expect(expectOneLineError(r)).toContain(`interface ${link.benchIf} is down: bring it up: ip link set ${link.benchIf} up`);
    } finally {
      await link.destroy();
    }
  });
});

describe('resetbot net check: bad input', () => {
  it('a stations file without any network section: exit 2, one line', async () => {
    const r = await cli(['net', 'check', '--stations', stationsFor(undefined)]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/has a "network" section/);
  });

  it('a bad network section: exit 2, one line naming the field', async () => {
    const file = join(dir, 'bad-net.json');
    writeFileSync(file, JSON.stringify({ stations: [{ name: 'a', driver: 'sim', fixture: 'vvx-jig', network: { interface: 'eth1', address: '10.20.0.1' } }] }));
    const r = await cli(['net', 'check', '--stations', file]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/stations\.0\.network\.address: must be the bench's address with its prefix/);
  });
});

describe.skipIf(reason !== undefined)(title('resetbot reset --sim-network'), () => {
  it('a true reset on a blind bench ends pass, the record naming the network proofs', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '00-04-F2-AA-81-4C', '--sim-network', '--sim-blind', '--sim-seed', '3', '--sim-variant', 'classic', '--json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as Json;
    expect(rec.simulator.factoryDefaults).toBe(true);
    expect(rec.outcome).toBe('pass');
    expect(rec.evidence!.filter((e) => e.holds).map((e) => `${e.about}:${e.proof}`)).toEqual(['identity:dhcp', 'reboot:network-reboots', 'reset:probe']);
  });

  // Every procedure kind. Those that type no MAC: the phone is heard before the machine starts at all. Those that type
  // it, with a camera: inside the procedure's own first boot, just before the first key of the MAC.
  for (const model of ['VVX 410', 'IP 335', 'Edge E220', 'Edge B20', 'Trio 8800', 'Rove B2']) {
    it(`${model}: a misread label fails before anything is typed, naming the MAC the phone has`, async () => {
      const r = await cli(['reset', '--model', model, '--mac', '0004F2AA814C', '--sim-mac', '0004F2BB0001', '--sim-network', '--sim-seed', '4', '--json']);
      expect(r.code).toBe(1);
      const rec = JSON.parse(r.stdout) as Json;
      expect(rec.outcome).toBe('fail');
      expect(rec.simulator.realMac).toBe('0004f2bb0001');
      expect(rec.networkMac).toBe('0004f2bb0001');
      expect(rec.failure!.reason).toContain('0004f2bb0001');
      if (['VVX 410', 'IP 335', 'Edge E220'].includes(model)) {
        expect(rec.failure!.code).toBe('mac-mismatch');
        expect((rec as unknown as { attempts: number }).attempts).toBe(1); // not retried
        expect(rec.steps.map((s) => s.step)).not.toContain('confirm');
        // The simulated phone never got a password to judge: nothing was typed and confirmed.
        const events = (rec.simulator as unknown as { events: { what: string }[] }).events.map((e) => e.what);
        expect(events).toContain('password-prompt');
        expect(events.filter((w) => /^password-(accepted|rejected)/.test(w))).toEqual([]);
      } else {
        expect(rec.steps.map((s) => s.step)).toEqual(['network-identity']);
      }
      expect(rec.simulator.factoryDefaults).toBe(false);
    });
  }

  it('--mac auto takes the MAC from the network: the record has the phone\'s real one', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', 'auto', '--sim-network', '--sim-blind', '--sim-seed', '3', '--sim-variant', 'classic', '--json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as Json;
    expect(rec.mac).toBe(rec.simulator.realMac);
    expect(rec.outcome).toBe('pass');
    expect(rec.simulator.factoryDefaults).toBe(true);
  });

  it('no --model and --mac auto: a zero-touch run takes both from the network, and the simulator says it was reset', async () => {
    const r = await cli(['reset', '--mac', 'auto', '--sim-network', '--sim-model', 'soundpoint-ip-335', '--sim-blind', '--sim-seed', '3', '--sim-variant', 'classic', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout) as Json & { model: string };
    expect(rec.simulator.factoryDefaults).toBe(true);
    expect(rec.outcome).toBe('pass');
    expect(rec.model).toBe('soundpoint-ip-335');
    expect(rec.mac).toBe(rec.simulator.realMac);
    expect(rec.evidence!.find((e) => /model taken from the network/.test(e.detail))).toMatchObject({ about: 'identity', holds: true });
  });

  it('--model auto on a phone whose network name two models share: fails naming both, nothing typed', async () => {
    const r = await cli(['reset', '--model', 'auto', '--mac', 'auto', '--sim-network', '--sim-model', 'vvx-250', '--sim-seed', '3', '--json']);
    expect(r.code).toBe(1);
    const rec = JSON.parse(r.stdout) as Json & { simulator: { events: { what: string }[] } };
    expect(rec.outcome).toBe('fail');
    expect(rec.failure!.code).toBe('model-unknown');
    expect(rec.failure!.reason).toMatch(/VVX_250 .* VVX 250, VVX 250 \(new hardware\)/);
    expect(rec.steps.map((s) => s.step)).toEqual(['network-identity']);
    expect(rec.simulator.factoryDefaults).toBe(false);
    expect(rec.simulator.events.some((e) => /password|combo|cancel-pressed/.test(e.what))).toBe(false);
  });

  it('dnsmasq missing: one line, exit 4, nothing moved (no record)', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--sim-network', '--sim-seed', '3', '--json'], { env: { PATH: pathWithoutDnsmasq() } });
    expect(r.code).toBe(4);
    expect(expectOneLineError(r)).toMatch(/dnsmasq is not installed.*apt-get install dnsmasq/);
    expect(r.stdout).toBe('');
  });
});

describe.skipIf(reason !== undefined)(title('resetbot batch on simulated stations with "network": true'), () => {
  it('every phone is identified before typing and proven by the probe; a misread label fails untyped', async () => {
    const jobs = join(dir, 'jobs.csv');
    writeFileSync(jobs, 'mac,model,station\n0004F2AA0001,VVX 410,n1\n0004F2AA0002,VVX 410,n1\n0004F2AA0004,VVX 410,n2\n');
    const stations = join(dir, 'net-stations.json');
    writeFileSync(
      stations,
      JSON.stringify({
        stations: [
          { name: 'n1', driver: 'sim', fixture: 'vvx-jig', sim: { seed: 3, blind: true, network: true, options: { adminPassword: '789' }, realMacs: { '0004F2AA0002': '0004F2BB0002' } } },
          { name: 'n2', driver: 'sim', fixture: 'vvx-jig', sim: { seed: 3, blind: true, network: true, options: { adminPassword: '789' } } },
        ],
      }),
    );
    const out = join(dir, 'batch-out');
    const r = await cli(['batch', jobs, '--stations', stations, '--out', out, '--json', '--quiet', '--sim-truth', join(out, 'truth.jsonl'), '--sim-seed', '1']);
    expect(r.stderr).toBe('');
    const records = readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json & { station: string });
    const truth = new Map(readFileSync(join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => {
      const t = JSON.parse(l) as { mac: string; realMac: string; truth: { factoryDefaults: boolean } };
      return [t.mac, t] as const;
    }));
    const byMac = new Map(records.map((x) => [x.mac, x]));
    for (const mac of ['0004f2aa0001', '0004f2aa0004']) {
      const rec = byMac.get(mac)!;
      expect(truth.get(mac)!.truth.factoryDefaults).toBe(true);
      expect(rec.outcome).toBe('pass');
      expect(rec.evidence!.filter((e) => e.holds).map((e) => e.proof)).toEqual(['dhcp', 'network-reboots', 'probe']);
    }
    const misread = byMac.get('0004f2aa0002')!;
    expect(truth.get('0004f2aa0002')!.realMac).toBe('0004f2bb0002');
    expect(truth.get('0004f2aa0002')!.truth.factoryDefaults).toBe(false);
    expect(misread.outcome).toBe('fail');
    expect(misread.failure!.reason).toContain('0004f2bb0002');
    expect(misread.steps.map((s) => s.step)).toEqual(['network-identity']);
  });
});

describe.skipIf(reason !== undefined)(title('resetbot batch: rows without a MAC (zero touch)'), () => {
  it('take the MAC from the network on a station that has it; elsewhere an error naming the line', async () => {
    const jobs = join(dir, 'auto.csv');
    writeFileSync(jobs, 'mac,model,station\n,VVX 410,n1\nauto,VVX 410,n1\n,VVX 410,plain\n');
    const stations = join(dir, 'auto-stations.json');
    writeFileSync(
      stations,
      JSON.stringify({
        stations: [
          { name: 'n1', driver: 'sim', fixture: 'vvx-jig', sim: { seed: 3, blind: true, network: true, options: { adminPassword: '789' } } },
          { name: 'plain', driver: 'sim', fixture: 'vvx-jig', sim: { blind: true } },
        ],
      }),
    );
    const out = join(dir, 'auto-out');
    const r = await cli(['batch', jobs, '--stations', stations, '--out', out, '--json', '--quiet', '--sim-truth', join(out, 'truth.jsonl'), '--sim-seed', '2']);
    expect(r.code).toBe(6);
    const records = readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json & { line: number });
    const truth = readFileSync(join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { mac: string; realMac: string; truth: { factoryDefaults: boolean } });
    const n1 = truth.filter((t) => t.mac.startsWith('auto-'));
    expect(n1).toHaveLength(2);
    for (const t of n1) {
      const rec = records.find((x) => x.mac === t.realMac)!;
      expect(t.truth.factoryDefaults).toBe(true);
      expect(rec.outcome).toBe('pass');
    }
    const plain = records.find((x) => x.mac === 'auto-4')!;
    expect(plain.outcome).toBe('error');
    expect(plain.failure!.reason).toBe('line 4 has no MAC, and station plain has no network to hear it from');
  });

  it('rows that name no model (zero touch): the network names the model and the MAC; the simulator says each was reset', async () => {
    const jobs = join(dir, 'nomodel.csv');
    // No MAC and no model; a MAC and no model; `auto` for both. The station seats SoundPoint IP 335s in their jig.
    writeFileSync(jobs, 'mac,model\n,\n0004F2AA0335,\nauto,auto\n');
    const stations = join(dir, 'nomodel-stations.json');
    writeFileSync(stations, JSON.stringify({ stations: [{ name: 'z1', driver: 'sim', fixture: 'soundpoint-jig', sim: { seed: 3, network: true, model: 'soundpoint-ip-335', options: { adminPassword: '789' } } }] }));
    const out = join(dir, 'nomodel-out');
    const r = await cli(['batch', jobs, '--stations', stations, '--out', out, '--json', '--quiet', '--sim-truth', join(out, 'truth.jsonl'), '--sim-seed', '2']);
    const records = readFileSync(join(out, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json & { model: string; line: number });
    const truth = readFileSync(join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { mac: string; realMac: string; truth: { factoryDefaults: boolean } });
    expect(truth).toHaveLength(3);
    for (const t of truth) {
      const rec = records.find((x) => x.mac === t.realMac)!;
      expect(rec, `a record under the phone's real MAC ${t.realMac}`).toBeDefined();
      expect(t.truth.factoryDefaults).toBe(true);
      expect(rec.outcome).toBe('pass');
      expect(rec.model).toBe('soundpoint-ip-335');
      expect(rec.evidence!.some((e) => /model taken from the network: the phone names itself SPIP_335/.test(e.detail))).toBe(true);
    }
    expect(r.code).toBe(0);
  });

  it('a row without a model on a station that cannot hear it: refused before anything moves, naming the line', async () => {
    const jobs = join(dir, 'nomodel-plain.csv');
    writeFileSync(jobs, 'mac,model\n0004F2AA0001,VVX 410\n0004F2AA0002,\n');
    const r = await cli(['batch', jobs, '--sim-stations', '1', '--out', join(dir, 'nomodel-plain-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 3: no station can run the phone of line 3, whose model the network names: sim-1: the row names no model, and the station does not watch its network/);
  });
});

describe('resetbot reset --model auto: bad input, one line, exit 2, before anything moves', () => {
  it('left out without the network: the option is required', async () => {
    const r = await cli(['reset', '--mac', '0004F2AA814C', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/required option '--model <model>' not specified.*--sim-network/);
  });

  it('without the network', async () => {
    const r = await cli(['reset', '--model', 'auto', '--mac', '0004F2AA814C', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--model auto takes the model from the bench's network/);
  });

  it('on the simulator without --sim-model', async () => {
    const r = await cli(['reset', '--model', 'auto', '--mac', 'auto', '--sim-network', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--model auto .* give --sim-model/);
  });

  it('on --port without the jig', async () => {
    const r = await cli(['reset', '--model', 'auto', '--mac', 'auto', '--port', '/dev/null', '--network', 'eth1', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--model auto leaves the bench's jig unknown.*--fixture/);
  });
});

describe('resetbot reset --mac auto without the network', () => {
  it('exit 2, one line saying what it needs', async () => {
    const r = await cli(['reset', '--model', 'VVX 410', '--mac', 'auto', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--mac auto .*--sim-network/);
  });
});
