/**
 * `resetbot reset --port P --network IFACE`: a bench on a serial port with the network observer on the interface its
 * phone is cabled to (issue 10), run as a user would: `resetbot sim serve --network` serves the virtual bench on a
 * pseudo-terminal and cables its phone to a namespaced veth link (root); `reset --port` opens both. Real time, so only
 * what ends within the phone's first seconds runs here (a misread label is caught at the Updater's DHCP request, a
 * few seconds after power-on); full networked resets run in virtual time in network.test.ts and net-cli.test.ts,
 * through the same runPlanWithNetwork. Judged by the simulated phone's own account (`sim serve --truth`).
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, expectOneLineError } from '../cli/run-cli.js';
import { Bg, scratch } from '../support/background.js';
import { needs } from '../support/system.js';
import { netSkipReason } from './net-helpers.js';

const socat = needs('socat', 'socat', 'the `sim serve` pseudo-terminal tests');
const reason = netSkipReason() ?? (socat.skip ? 'socat is not installed (apt-get install socat)' : undefined);
if (reason) console.warn(`skipped: reset --port --network against sim serve --network needs ${reason}`);

const { track, dir } = scratch('resetbot-port-net-');

interface Truth {
  factoryDefaults: boolean;
  mac: string;
  events: { what: string }[];
}

async function serveNetworked(d: string, mac: string): Promise<{ server: Bg; pty: string; trace: string; truth: string; iface: string }> {
  const pty = join(d, 'bench');
  const trace = join(d, 'trace.jsonl');
  const truth = join(d, 'truth.json');
  const server = new Bg(['sim', 'serve', '--pty', pty, '--network', '--mac', mac, '--trace', trace, '--truth', truth, '--seed', '5']);
  track(server);
  await server.until(() => /^ready: /m.test(server.stdout), 'ready line');
  const iface = /cabled to (\S+)/.exec(server.stdout)?.[1];
  if (!iface) throw new Error(`no interface in: ${server.stdout}`);
  return { server, pty, trace, truth, iface };
}

describe.skipIf(reason !== undefined)(`reset --port with --network${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('a misread label: the phone is named at its first DHCP request and the run fails before anything is typed', async () => {
    const d = dir();
    const { server, pty, trace, truth, iface } = await serveNetworked(d, '0004F2C0FE01');
    const r = cli(['reset', '--port', pty, '--network', iface, '--model', 'VVX 410', '--mac', '0004F2C0FE99', '--runs', join(d, 'runs'), '--json']);
    expect(r.code, r.stderr).toBe(1);
    const rec = JSON.parse(r.stdout) as { outcome: string; mac: string; networkMac: string; failure: { code: string; reason: string }; steps: { step: string }[]; evidence: { proof: string; holds: boolean }[] };
    expect(rec.outcome).toBe('fail');
    expect(rec.failure.code).toBe('mac-mismatch');
    expect(rec.failure.reason).toContain('0004f2c0fe01');
    expect(rec.networkMac).toBe('0004f2c0fe01');
    expect(rec.steps.map((s) => s.step)).toEqual(['network-identity']);
    expect(rec.evidence).toContainEqual(expect.objectContaining({ proof: 'dhcp', holds: false }));
    expect(await server.stop()).toBe(0);
    // The phone's own account: never reset, no key of the combo or the password reached it.
    const t = JSON.parse(readFileSync(truth, 'utf8')) as Truth;
    expect(t.factoryDefaults).toBe(false);
    expect(t.events.some((e) => /password|combo|cancel-pressed/.test(e.what))).toBe(false);
    // The bench's own trace: the relay switched the phone on, and no key channel ever moved.
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { channel?: number | 'relay'; on?: boolean });
    expect(lines.filter((l) => typeof l.channel === 'number' && l.on)).toEqual([]);
    expect(lines.some((l) => l.channel === 'relay' && l.on)).toBe(true);
  });

  it('dnsmasq missing: one line, exit 4, nothing moved', async () => {
    const d = dir();
    const { server, pty, trace, iface } = await serveNetworked(d, '0004F2C0FE02');
    const bin = join(d, 'bin');
    mkdirSync(bin);
    symlinkSync('/usr/sbin/ip', join(bin, 'ip'));
    const r = cli(['reset', '--port', pty, '--network', iface, '--model', 'VVX 410', '--mac', '0004F2C0FE02', '--runs', join(d, 'runs'), '--json'], { env: { PATH: bin } });
    expect(r.code).toBe(4);
    expect(expectOneLineError(r)).toMatch(/dnsmasq is not installed.*apt-get install dnsmasq/);
    expect(r.stdout).toBe('');
    expect(await server.stop()).toBe(0);
    const moved = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { channel?: unknown }).filter((l) => l.channel !== undefined);
    expect(moved).toEqual([]);
  });
});

describe('reset --network: bad input, one line, before anything moves', () => {
  it('--network without --port: exit 2, pointing at --sim-network', () => {
    const r = cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--network', 'eth1', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--network is for a bench on --port.*--sim-network/);
  });

  it('--network-address without --network: exit 2', () => {
    const r = cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--port', '/dev/null', '--network-address', '10.20.0.1/24', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--network-address .* no --network was given/);
  });

  it('--mac auto on --port without --network: exit 2, saying what it needs', () => {
    const r = cli(['reset', '--model', 'VVX 410', '--mac', 'auto', '--port', '/dev/null', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--mac auto .*--network IFACE/);
  });

  it('an interface that does not exist: exit 4, one line naming it', () => {
    const r = cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--port', '/dev/null', '--network', 'rbnosuch0', '--json']);
    expect(r.code).toBe(4);
    expect(expectOneLineError(r)).toMatch(/interface rbnosuch0 does not exist or has no IPv4 address/);
  });

  it('a bad --network-address: exit 2, naming the flag', () => {
    const r = cli(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--port', '/dev/null', '--network', 'lo', '--network-address', '10.20.0.1', '--json']);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/--network-address '10.20.0.1' must be the bench's address with its prefix/);
  });
});
