import { describe, expect, it } from 'vitest';
import { resolveStationNetwork } from '../../src/observe/network/config.js';
import { decodeDhcpMessage, parsePolycomVendorClass } from '../../src/observe/network/dhcp.js';
import { authorization } from '../../src/observe/network/probe.js';
import { parseUserAgent } from '../../src/observe/network/user-agent.js';
import { ConfigError } from '../../src/errors/errors.js';
import { encodeDhcp, macBytes } from '../../src/sim/net/dhcp-packet.js';
import { encodeVendorClass } from '../../src/sim/net/vendor-class.js';
import { webAnswer, type WebState } from '../../src/sim/net/web.js';
import { netIdentity } from '../../src/sim/net/identity.js';
import { Rng } from '../../src/sim/rng.js';
import { simUnitIds } from '../../src/sim/driver.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { modelFromNetwork } from '../../src/observe/network/model-name.js';

// Polycom's own sample decode of an IP 601's option 60 ("Parsing Vendor ID Information", SoundPoint IP /
// SoundStation IP Administrator's Guide): the bytes after the option code and length.
const IP601_SAMPLE =
  '0000363d6f' +
  '0107506f6c79636f6d' +
  '0215536f756e64506f696e7449502d535049505f363031' +
  '0310323334352d31313630352d3030312c32' +
  '041c5349502f5469702e585858582f30382d4a756e2d30372031303a3434' +
  '051d42522f332e312e302e585858582f32382d4170722d30352031333a3330' +
  'ff';

describe('option 60, Polycom enterprise 13885', () => {
  it("reads the administrator guide's IP 601 sample", () => {
    const vc = parsePolycomVendorClass(Buffer.from(IP601_SAMPLE, 'hex'));
    expect(vc).toMatchObject({
      company: 'Polycom',
      part: 'SoundPointIP-SPIP_601',
      model: 'SPIP_601',
      partNumber: '2345-11605-001,2',
      application: 'SIP/Tip.XXXX/08-Jun-07 10:44',
      bootrom: 'BR/3.1.0.XXXX/28-Apr-05 13:30',
      bootromVersion: '3.1.0',
      stage: 'application',
    });
  });

  it("reads what the simulated phone sends, at the Updater's and at the application's boot", () => {
    const fields = { company: 'Polycom', part: 'PolycomVVX-VVX_410', partNumber: '3111-46162-001,1', bootrom: 'BR/5.9.5.0614/04-Jun-20 10:00' };
    const updater = parsePolycomVendorClass(encodeVendorClass({ ...fields, application: 'BR/5.9.5.0614/04-Jun-20 10:00' }));
    const app = parsePolycomVendorClass(encodeVendorClass({ ...fields, application: 'SIP/5.9.5.0999/04-Jun-20 10:00' }));
    expect(updater).toMatchObject({ model: 'VVX_410', stage: 'updater', software: '5.9.5.0614' });
    expect(app).toMatchObject({ model: 'VVX_410', stage: 'application', software: '5.9.5.0999', bootromVersion: '5.9.5.0614' });
  });

  it("is not Polycom's without the enterprise number", () => {
    expect(parsePolycomVendorClass(Buffer.from('MSFT 5.0'))).toBeUndefined();
  });

  it("decodes the simulated client's DHCPDISCOVER: its MAC and option 60", () => {
    const options = new Map<number, Buffer>([
      [53, Buffer.from([1])],
      [60, encodeVendorClass({ company: 'Polycom', part: 'SoundPointIP-SPIP_335', partNumber: 'x', application: 'SIP/4.0.15.1/d', bootrom: 'BR/4.4.0.1/d' })],
    ]);
    const wire = encodeDhcp({ op: 1, xid: 0x1234, chaddr: macBytes('0004f2aa814c'), ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', broadcast: true, options });
    const m = decodeDhcpMessage(wire)!;
    expect(m).toMatchObject({ op: 1, type: 'DISCOVER', xid: 0x1234, mac: '0004f2aa814c' });
    expect(parsePolycomVendorClass(m.vendorClass!)?.model).toBe('SPIP_335');
  });
});

describe('provisioning User-Agent', () => {
  it.each([
    ['FileTransport PolycomVVX-VVX_410-UA/5.9.5.0614 Type/Updater', { product: 'PolycomVVX-VVX_410', model: 'VVX_410', software: '5.9.5.0614', stage: 'updater' }],
    ['FileTransport PolycomVVX-VVX_500-UA/5.9.7.47435 Type/Application', { model: 'VVX_500', software: '5.9.7.47435', stage: 'application' }],
    ['FileTransport PolycomSoundPointIP-SPIP_335-UA/4.0.15.1009', { model: 'SPIP_335', software: '4.0.15.1009' }],
  ])('%s', (ua, want) => {
    expect(parseUserAgent(ua)).toMatchObject(want);
  });

  it('is not a Polycom one', () => {
    expect(parseUserAgent('curl/8.5.0')).toBeUndefined();
    expect(parseUserAgent('')).toBeUndefined();
  });
});

describe("the probe's login against the simulated web server (no network)", () => {
  const state = (auth: 'basic' | 'digest', password: string, extra: Partial<WebState['variant']> = {}, factoryDefaults = false): WebState => ({
    variant: { auth, restApi: true, forcePasswordChange: false, ...extra },
    password,
    factoryDefaults,
    config: { 'reg.1.address': factoryDefaults ? '' : '1013' },
    realm: 'PolycomVVX-VVX_410',
    nonce: 'abcdef0123456789',
    mac: '0004f2aa814c',
    model: 'PolycomVVX-VVX_410',
    software: '5.9.5.0614',
  });
  const path = '/api/v1/mgmt/device/info';
  const login = (s: WebState, method = 'GET', url = path): number => {
    const first = webAnswer({ method, url, headers: {} }, s);
    if (first.status !== 401) return first.status;
    const auth = authorization(first.headers['www-authenticate']!, method, url)!;
    return webAnswer({ method, url, headers: { authorization: auth } }, s).status;
  };

  for (const auth of ['basic', 'digest'] as const) {
    it(`${auth}: 456 is accepted where it is the password, refused elsewhere`, () => {
      expect(login(state(auth, '456'))).toBe(200);
      expect(login(state(auth, '789'))).toBe(401);
    });
  }

  it('a REST API that is off answers 404; the web login still answers', () => {
    expect(login(state('digest', '456', { restApi: false }))).toBe(404);
    expect(login(state('digest', '456', { restApi: false }), 'POST', '/form-submit/auth.htm')).toBe(200);
  });

  it('UC Software 5+ after a reset: the login lands on a page asking for a new admin password', () => {
    const s = state('basic', '456', { forcePasswordChange: true }, true);
    expect(login(s)).toBe(403);
    expect(login(s, 'POST', '/form-submit/auth.htm')).toBe(302);
  });

  it("the REST API's config/get tells a configured phone from a wiped one", () => {
    const ask = (st: WebState): unknown => {
      const url = '/api/v1/mgmt/config/get';
      const body = JSON.stringify({ data: ['reg.1.address'] });
      const first = webAnswer({ method: 'POST', url, headers: {}, body }, st);
      const auth = authorization(first.headers['www-authenticate']!, 'POST', url)!;
      return JSON.parse(webAnswer({ method: 'POST', url, headers: { authorization: auth }, body }, st).body);
    };
    expect(ask(state('digest', '456'))).toEqual({ Status: '2000', data: { 'reg.1.address': '1013' } });
    expect(ask(state('basic', '456', {}, true))).toEqual({ Status: '2000', data: { 'reg.1.address': '' } });
  });

  it('a Digest answer made for another password is refused', () => {
    const s = state('digest', '456');
    const first = webAnswer({ method: 'GET', url: path, headers: {} }, s);
    const wrong = authorization(first.headers['www-authenticate']!, 'GET', path, 'Polycom', '457')!;
    expect(webAnswer({ method: 'GET', url: path, headers: { authorization: wrong } }, s).status).toBe(401);
  });
});

describe("a station's network section", () => {
  it('defaults the range to .100-.199 and joins the VLAN to the interface', () => {
    expect(resolveStationNetwork({ interface: 'eth1', vlan: 20, address: '10.20.0.1/24' })).toEqual({
      interface: 'eth1.20',
      address: '10.20.0.1',
      prefix: 24,
      netmask: '255.255.255.0',
      broadcast: '10.20.0.255',
      range: { start: '10.20.0.100', end: '10.20.0.199' },
    });
  });

  it('refuses a range outside the subnet, or one holding the bench address', () => {
    expect(() => resolveStationNetwork({ interface: 'eth1', address: '10.20.0.1/24', range: { start: '10.21.0.5', end: '10.21.0.9' } })).toThrow(ConfigError);
    expect(() => resolveStationNetwork({ interface: 'eth1', address: '10.20.0.150/24' })).toThrow(/inside its own DHCP range/);
  });
});

describe('the model a phone names on the network (--model auto)', () => {
  it("takes the IP 601 sample's part to the SoundPoint IP 601", () => {
    const found = modelFromNetwork(parsePolycomVendorClass(Buffer.from(IP601_SAMPLE, 'hex'))!.model!, getCatalog());
    expect('model' in found && found.model.id).toBe('soundpoint-ip-601');
  });

  it('names every simulated phone as the catalog model it is, or refuses to guess between look-alikes', () => {
    const catalog = getCatalog();
    const rng = new Rng(1);
    let named = 0;
    for (const id of simUnitIds()) {
      const truth = catalog.models.find((m) => m.id === id);
      if (!truth) continue; // a simulated unit the catalog has no model for
      // The simulated phone's own name on the network (its option 60 part, as a real one sends it).
      const part = netIdentity(id, '5.9.6', rng).part;
      const found = modelFromNetwork(part.split('-').pop()!, catalog);
      if ('model' in found) {
        expect(found.model.id, `${id} names itself ${part}`).toBe(id);
        named++;
      } else {
        // Only a model that shares its name with another (its new hardware revision) is left to the operator.
        expect(found.problem, `${id} names itself ${part}`).toMatch(/which any of .* may be/);
        expect(catalog.models.filter((m) => m.name.startsWith(truth.name.replace(/ \(new hardware\)$/, ''))).length).toBeGreaterThan(1);
      }
    }
    expect(named).toBeGreaterThan(50);
  });

  it('an unknown name is a problem naming it, not a guess', () => {
    const found = modelFromNetwork('XYZ_999', getCatalog());
    expect('problem' in found && found.problem).toMatch(/names itself XYZ_999 .* no model resetbot knows/);
  });
});
