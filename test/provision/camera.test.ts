import { afterAll, describe, expect, it } from 'vitest';
import { holdClock } from '../../src/clock/clock.js';
import { fieldShows, matches, rowShows } from '../../src/machines/provision.js';
import { stopSharedOcr } from '../../src/observe/camera/ocr.js';
import { simCameraBench, type SimCameraBench } from '../../src/observe/camera/sim.js';
import { holdsExactly, simProvision } from './helpers.js';

/*
 * Provisioning through the rendered camera path (simulated phone -> rendered display -> camera model -> reader ->
 * observer -> machine): the Setup menus found, every field typed and checked, and Save & Reboot seen, by what a
 * camera reads. A pass counts only when the simulated phone holds exactly the settings asked.
 */
afterAll(() => stopSharedOcr());

describe('what the provisioning machine accepts as a field showing the value typed', () => {
  it('OCR slips: look-alikes, dropped dots and slashes', () => {
    expect(fieldShows('PlcmSplp', 'PlcmSpIp')).toBe(true);
    expect(fieldShows('prov example com', 'prov.example.com/')).toBe(true);
    expect(fieldShows('PRov.exampIe.c0m', 'prov.example.com')).toBe(false); // R is no look-alike of r
  });
  it("OCR's slips between letters of different keys, one in six letters at most", () => {
    expect(fieldShows('pecfg.8x8.com/polycomuc', 'pccfg.8x8.com/polycomuc/')).toBe(true);
    expect(fieldShows('pecfg', 'pccfg')).toBe(false); // one slip in five letters is too many
    expect(fieldShows('peefg.8x8.com/polycomuc', 'pccfg.8x8.com/polycomuc/')).toBe(true);
    expect(fieldShows('peefg.8x8.eom/polycomuc', 'pccfg.8x8.com/polycomuc/')).toBe(true);
    expect(fieldShows('peefg.8x8.eom/polyeomue', 'pccfg.8x8.com/polycomuc/')).toBe(false);
  });
  it('what a misfired or bounced key leaves still differs', () => {
    expect(fieldShows('pccfg.8x8.com/polycomub', 'pccfg.8x8.com/polycomuc/')).toBe(false); // c -> b: one key
    expect(fieldShows('pccfg.8x8.com/polycomuv', 'pccfg.8x8.com/polycomuc/')).toBe(false); // not a slip OCR makes
    expect(fieldShows('prov.exampld.com', 'prov.example.com')).toBe(false);
    expect(fieldShows('pq', 'pr')).toBe(false);
    expect(fieldShows('pro', 'prov')).toBe(false);
    expect(fieldShows('', 'u')).toBe(false);
    expect(fieldShows(undefined, 'u')).toBe(false);
  });
  it("a menu row after OK: the value, or a reading nearer the new value than the one the editor opened with", () => {
    expect(rowShows('pecty. fxd. con/polycomsc', 'pccfg.8x8.com/polycomuc/', '')).toBe(true);
    expect(rowShows('pecty. fxd. con/polycomsc', 'pccfg.8x8.com/polycomuc/')).toBe(false);
    // OK missed or Cancel pressed: the row still shows the old value
    expect(rowShows('PlcmSplp', 'u8x8', 'PlcmSpIp')).toBe(false);
    expect(rowShows('', 'u8x8', 'PlcmSpIp')).toBe(false);
  });
  it("a password's stars must be exactly as many", () => {
    expect(fieldShows('****', '****')).toBe(true);
    expect(fieldShows('***', '****')).toBe(false);
    expect(fieldShows('*****', '****')).toBe(false);
  });
  it("labels: a softkey's slips, never a sibling item's name", () => {
    expect(matches('^\\s*(ok|enter)\\s*$', 'ox', true)).toBe(true);
    expect(matches('^\\s*(ok|enter)\\s*$', 'Tok', true)).toBe(true);
    expect(matches('^\\s*(ok|enter)\\s*$', 'ox')).toBe(false);
    expect(matches('^server address$', 'Server Addres')).toBe(true);
    expect(matches('^FTP$', 'TFTP')).toBe(false);
  });
});

async function cameraProvision(model: string, seed: number) {
  let cam: SimCameraBench | undefined;
  const run = await simProvision({
    model,
    seed,
    request: { serverAddress: 'prov.example.com/cfg', serverUser: 'u', serverPassword: 'p' },
    bench: (sim, clock) => {
      cam = simCameraBench(sim, clock, { seed, level: 'moderate' });
      void holdClock(clock, cam.observer.start());
      return cam.bench;
    },
  });
  await cam!.observer.stop();
  return { ...run, cam: cam! };
}

describe('provisioning with --sim-camera (moderate)', () => {
  for (const model of ['VVX 410', 'SoundPoint IP 335']) {
    it(`${model}: pass only with the phone holding exactly the settings asked, and every proof the camera's`, async () => {
      const { record, sim, request, cam } = await cameraProvision(model, 1);
      expect(cam.observer.stats.ocr).toBeGreaterThan(0);
      expect(record.outcome, `${record.summary} ${JSON.stringify(record.failure)}`).toBe('pass');
      expect(holdsExactly(sim, request)).toBe(true);
      expect(sim.phone.truth().setup!.saves).toBe(1);
      expect(sim.jig.energised()).toEqual([]);
      const about = record.evidence.map((e) => e.about);
      expect(about.filter((a) => a === 'setting')).toHaveLength(3);
      expect(about).toContain('reboot');
      for (const e of record.evidence) expect(e.source).toBe('camera:sim-camera');
      expect(JSON.stringify(record)).not.toContain('"p"');
    }, 600_000);
  }
});
