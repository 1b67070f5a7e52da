/**
 * The network observer on the real dnsmasq, facing simulated phones in their own network namespaces (root; CI runs
 * as root). Judged by the simulated phone's truth: its MAC, its events, whether it is at factory defaults.
 */
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { BenchError } from '../../src/errors/errors.js';
import { Dnsmasq } from '../../src/observe/network/dnsmasq.js';
import { NetworkObserver } from '../../src/observe/network/observer.js';
import type { IdentitySeen, RequestSeen } from '../../src/observe/types.js';
import { createSimLink } from '../../src/sim/net/link.js';
import { netBench, netSkipReason, networkedRun, runFor } from './net-helpers.js';
import { VirtualClock } from '../../src/clock/clock.js';

const reason = netSkipReason();
const title = (t: string): string => (reason ? `${t} (skipped: ${reason})` : t);

describe.skipIf(reason !== undefined)(title('the network observer facing a simulated phone on its own link'), () => {
  it("hears who the phone is at its Updater's DHCP request, before anything could be typed, then at the application's", async () => {
    const b = await netBench({ mac: '0004f2a1b2c3', seed: 11 });
    try {
      b.phone.setPower(true);
      await runFor(b.clock, 90_000);
      const events = b.phone.truth().events;
      const updaterAt = events.find((e) => e.what === 'updater')!.t;
      const cancelAt = events.find((e) => e.what.startsWith('cancel-shown'))!.t;
      const appAt = events.find((e) => e.what === 'starting-application')!.t;
      const ids = b.seen.filter((o): o is IdentitySeen => o.kind === 'identity');
      expect(ids.map((i) => [i.source, i.mac, i.model, i.stage, i.t])).toEqual([
        ['network:dhcp', '0004f2a1b2c3', 'VVX_410', 'updater', updaterAt],
        ['network:dhcp', '0004f2a1b2c3', 'VVX_410', 'application', appAt],
      ]);
      // Before the Cancel softkey even shows: the first moment a key could be pressed.
      expect(ids[0]!.t).toBeLessThan(cancelAt);
      expect(ids[1]!.software).toBe(b.net.truth().identity.software);
      const reqs = b.seen.filter((o): o is RequestSeen => o.kind === 'request');
      expect(reqs.map((r) => `${r.method} ${r.path} ${r.stage}`)).toEqual([
        'GET /0004f2a1b2c3.cfg updater',
        'PUT /0004f2a1b2c3-boot.log updater',
        'GET /0004f2a1b2c3.cfg application',
        'GET /0004f2a1b2c3-phone.cfg application',
        'PUT /0004f2a1b2c3-app.log application',
      ]);
      expect(reqs.every((r) => r.mac === '0004f2a1b2c3' && r.model === 'VVX_410')).toBe(true);
      expect(b.seen.filter((o) => o.kind === 'boot').map((o) => (o as { stage: string }).stage)).toEqual(['updater', 'application']);
    } finally {
      await b.close();
    }
  });

  it('a locked phone refuses the factory password; no answer while it is off', async () => {
    const b = await netBench({ mac: '0004f2a1b2c4', seed: 12, options: { adminPassword: '789' }, net: { auth: 'digest', restApi: true } });
    try {
      b.phone.setPower(true);
      await runFor(b.clock, 90_000);
      expect((await b.observer.probe('0004f2a1b2c4')).verdict).toBe('locked');
      b.phone.setPower(false);
      await runFor(b.clock, 1_000);
      expect((await b.observer.probe('0004f2a1b2c4')).verdict).toBe('no-answer');
    } finally {
      await b.close();
    }
  });

  it('two stations on two links never see each other\'s phones', async () => {
    const a = await netBench({ mac: '0004f2000a0a', seed: 21 });
    const b = await netBench({ mac: '0004f2000b0b', seed: 22 });
    try {
      expect(a.link.benchIp).not.toBe(b.link.benchIp);
      a.phone.setPower(true);
      b.phone.setPower(true);
      await Promise.all([runFor(a.clock, 90_000), runFor(b.clock, 90_000)]);
      expect(a.observer.heard()).toEqual(['0004f2000a0a']);
      expect(b.observer.heard()).toEqual(['0004f2000b0b']);
      expect(a.seen.every((o) => !('mac' in o) || o.mac === '0004f2000a0a')).toBe(true);
      expect(b.seen.every((o) => !('mac' in o) || o.mac === '0004f2000b0b')).toBe(true);
      expect(a.seen.filter((o) => o.kind === 'request').length).toBeGreaterThan(0);
      expect(b.seen.filter((o) => o.kind === 'request').length).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe.skipIf(reason !== undefined)(title('dnsmasq missing or unable to bind'), () => {
  it('dnsmasq missing: one line naming it and how to install it', async () => {
    const link = await createSimLink({ mac: '0004f2000c0c' });
    try {
      const obs = new NetworkObserver({ clock: new VirtualClock(), interface: link.benchIf, address: link.benchIp, range: { ...link.range, netmask: '255.255.255.0' }, dnsmasqBinary: '/nonexistent/dnsmasq' });
      const err = await obs.start().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(BenchError);
      expect((err as BenchError).code).toBe('dnsmasq-missing');
      expect((err as BenchError).oneLine()).toMatch(/^dnsmasq is not installed.*apt-get install dnsmasq/);
      expect((err as BenchError).oneLine()).not.toContain('\n');
      await obs.stop();
    } finally {
      await link.destroy();
    }
  });

  it('an interface that does not exist: cannot bind, one line', async () => {
    const none = new Dnsmasq({ interface: 'rbnosuch0', range: { start: '10.213.250.100', end: '10.213.250.199', netmask: '255.255.255.0' }, bootServer: 'http://10.213.250.1/' });
    const err = await none.start().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'dnsmasq-cannot-bind', failureClass: 'bench' });
    expect((err as BenchError).oneLine()).toMatch(/^dnsmasq cannot serve DHCP on rbnosuch0: .*rbnosuch0/);
    expect((err as BenchError).oneLine()).not.toContain('\n');
  });
});

describe.skipIf(reason !== undefined)(title('proof of reset on a blind bench, judged by the phone\'s truth'), () => {
  const variants = [
    { net: { auth: 'basic' as const, restApi: true }, proof: /REST API .* accepted Polycom\/456 \(Basic\)/ },
    { net: { auth: 'digest' as const, restApi: false }, proof: /REST API off \(404\); web login accepted Polycom\/456 \(Digest\)/ },
    { net: { auth: 'digest' as const, restApi: true, forcePasswordChange: true }, proof: /web login accepted 456 \(Digest\) and asks for a new admin password/ },
  ];
  for (const v of variants) {
    it(`a true reset ends pass, proven by the probe (${JSON.stringify(v.net)})`, async () => {
      const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e0', realMac: '0004f2e0e0e0', blind: true, seed: 3, options: { adminPassword: '789', software: '5.9.6', variant: 'classic' }, net: v.net });
      expect(r.truth.factoryDefaults).toBe(true);
      expect(r.record.outcome).toBe('pass');
      const probe = r.record.evidence!.filter((e) => e.proof === 'probe');
      expect(probe[0]).toMatchObject({ holds: false, detail: expect.stringMatching(/before the reset: .*refused/) });
      expect(probe.at(-1)).toMatchObject({ holds: true, detail: expect.stringMatching(v.proof) });
      expect(r.record.evidence!.find((e) => e.about === 'identity')).toMatchObject({ proof: 'dhcp', holds: true });
    });
  }

  it('a blind bench stops waiting out its schedule once the network has seen the reset\'s reboots', async () => {
    const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e7', realMac: '0004f2e0e0e7', blind: true, seed: 4, options: { adminPassword: '789', software: '5.9.6', variant: 'classic' }, net: { auth: 'basic', restApi: true } });
    expect(r.truth.factoryDefaults).toBe(true);
    expect(r.record.outcome).toBe('pass');
    const wait = r.record.steps.filter((s) => s.step === 'await-reboots').at(-1)!;
    const timeout = getCatalog().find('VVX 410').timing.rebootTimeoutMs;
    // The blind schedule waits rebootTimeoutMs; the network ended it once the phone was back up after its reboots.
    expect(wait.endMs - wait.startMs).toBeLessThan(timeout);
    expect(r.record.evidence!.find((e) => e.proof === 'network-reboots')).toMatchObject({ holds: true });
  });

  it("a step procedure's blind wait for the unit's restart ends once the network has seen it (Edge B20, power-on hold)", async () => {
    const r = await networkedRun({ model: 'Edge B20', labelMac: '0004f2e0e0e8', realMac: '0004f2e0e0e8', blind: true, seed: 6, options: { adminPassword: '789' }, net: { auth: 'digest', restApi: true } });
    // The simulated unit's own account decides: it is at factory defaults, and the probe is what proved it.
    expect(r.truth.factoryDefaults).toBe(true);
    expect(r.record.outcome).toBe('pass');
    const confirm = r.record.steps.filter((s) => s.step === 'confirm').at(-1)!;
    const deadline = (getCatalog().find('Edge B20').procedure as { steps: { do: string; deadlineMs?: number }[] }).steps.at(-1)!.deadlineMs!;
    // The blind schedule keeps the power on for the confirm's whole deadline; the network ended it at the restart.
    expect(confirm.endMs - confirm.startMs).toBeLessThan(deadline);
    expect(r.record.evidence!.find((e) => e.proof === 'network-reboots')).toMatchObject({ holds: true });
    expect(r.record.evidence!.at(-1)).toMatchObject({ proof: 'probe', holds: true });
  });

  it('a phone that reboots into its old configuration is not a pass (UC Software before 4.0: a device reset only)', async () => {
    const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e1', realMac: '0004f2e0e0e1', blind: true, seed: 5, options: { adminPassword: '789', oldSoftware: true }, net: { auth: 'basic', restApi: true } });
    expect(r.truth.factoryDefaults).toBe(false);
    expect(r.record.outcome).toBe('fail');
    expect(r.record.failure).toMatchObject({ class: 'phone', code: 'not-reset' });
    expect(r.record.evidence!.find((e) => e.about === 'reboot')).toMatchObject({ holds: true });
  });

  it('a locked phone whose admin password is already 456: its configuration gives it away (REST API on)', async () => {
    const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e2', realMac: '0004f2e0e0e2', blind: true, seed: 3, options: { adminPassword: '456', oldSoftware: true }, net: { auth: 'digest', restApi: true } });
    expect(r.truth.factoryDefaults).toBe(false);
    expect(r.record.outcome).toBe('fail');
    expect(r.record.evidence!.at(-1)).toMatchObject({ proof: 'probe', holds: false, detail: expect.stringMatching(/still holds its configuration/) });
  });

  it('...and with the REST API off the probe proves nothing: not a pass', async () => {
    const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e5', realMac: '0004f2e0e0e5', blind: true, seed: 3, options: { adminPassword: '456', oldSoftware: true }, net: { auth: 'digest', restApi: false } });
    expect(r.truth.factoryDefaults).toBe(false);
    expect(r.record.outcome).toBe('unverified');
    expect(r.record.evidence!.at(-1)).toMatchObject({ proof: 'probe', holds: false, detail: expect.stringMatching(/proves nothing/) });
  });

  it('a true reset of a phone whose admin password was 456 is proven (REST API on: the configuration is gone)', async () => {
    const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e6', realMac: '0004f2e0e0e6', blind: true, seed: 3, options: { adminPassword: '456', software: '5.9.6', variant: 'classic' }, net: { auth: 'basic', restApi: true, forcePasswordChange: false } });
    expect(r.truth.factoryDefaults).toBe(true);
    expect(r.record.outcome).toBe('pass');
  });

  it('a misread label ends the run before anything is typed, naming the MAC heard', async () => {
    const r = await networkedRun({ model: 'VVX 410', labelMac: '0004f2e0e0e3', realMac: '0004f2e0e0e4', blind: true, seed: 34 });
    expect(r.record.outcome).toBe('fail');
    expect(r.record.failure!.reason).toContain('0004f2e0e0e4');
    expect(r.record.steps.map((s) => s.step)).toEqual(['network-identity']);
    expect(r.truth.factoryDefaults).toBe(false);
    // The phone never left its boot: no prompt, no password, no combo.
    expect(r.truth.events.some((e) => /password|combo|cancel-pressed/.test(e.what))).toBe(false);
  });
});
