/**
 * The simulated phone's web server, as a pure function of a request and the phone's state: what a Poly phone's web
 * interface and REST API answer. Written from Poly's documentation (UC Software admin guides: the web configuration
 * utility's admin login is user `Polycom` with the admin password, 456 by default; the REST API
 * `/api/v1/mgmt/device/info` needs `apiEnabled` and answers with `Status` 2000; UC Software 5 and later may ask for a
 * new admin password at the first login with the default one), never from the bench's probe.
 *
 * Variants (per phone, from its seeded RNG, or forced):
 *  - `auth`: the phone asks for Basic or Digest (RFC 2617, MD5, qop=auth);
 *  - `restApi`: the REST API is on, or off (404, its default on many releases);
 *  - `/api/v1/mgmt/config/get` (POST {"data": [names]}) answers the configuration's values: a configured phone's line
 *    `reg.1.address`, '' once the configuration is wiped;
 *  - `forcePasswordChange`: UC Software 5+: a login with the factory password lands on a page that asks for a new
 *    admin password (the REST API then answers 403 until it is changed) (assumption: the exact status codes).
 * The password the phone accepts is its truth's: 456 at factory defaults, else its configured admin password, so a
 * phone whose reset failed still answers only the old one.
 */
import { createHash } from 'node:crypto';

export type WebAuth = 'basic' | 'digest';

export interface WebVariant {
  auth: WebAuth;
  restApi: boolean;
  forcePasswordChange: boolean;
}

export interface WebState {
  variant: WebVariant;
  /** The admin password the phone accepts now. */
  password: string;
  /** At factory defaults (the forced password change applies only then). */
  factoryDefaults: boolean;
  /** The configuration's values the REST API's config/get answers (`reg.1.address`: the line; '' once wiped). */
  config: Record<string, string>;
  realm: string;
  nonce: string;
  mac: string;
  model: string;
  software: string;
}

export interface WebRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

export interface WebAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const WEB_USER = 'Polycom';

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function header(req: WebRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function digestParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of value.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '');
  return out;
}

/** Whether the request carries the right credentials under the phone's scheme. */
function authorised(req: WebRequest, s: WebState): boolean {
  const auth = header(req, 'authorization');
  if (!auth) return false;
  if (s.variant.auth === 'basic') {
    const m = /^Basic\s+(\S+)$/i.exec(auth);
    if (!m) return false;
    return Buffer.from(m[1]!, 'base64').toString('utf8') === `${WEB_USER}:${s.password}`;
  }
  const m = /^Digest\s+(.*)$/i.exec(auth);
  if (!m) return false;
  const p = digestParams(m[1]!);
  if (p.get('username') !== WEB_USER || p.get('realm') !== s.realm || p.get('nonce') !== s.nonce) return false;
  const ha1 = md5(`${WEB_USER}:${s.realm}:${s.password}`);
  const ha2 = md5(`${req.method}:${p.get('uri') ?? ''}`);
  const qop = p.get('qop');
  const expected = qop ? md5(`${ha1}:${s.nonce}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:${qop}:${ha2}`) : md5(`${ha1}:${s.nonce}:${ha2}`);
  return p.get('response') === expected;
}

function challenge(s: WebState): WebAnswer {
  const www = s.variant.auth === 'basic' ? `Basic realm="${s.realm}"` : `Digest realm="${s.realm}", qop="auth", nonce="${s.nonce}", algorithm=MD5`;
  return { status: 401, headers: { 'www-authenticate': www, 'content-type': 'text/html' }, body: '<html><body>401 Unauthorized</body></html>' };
}

function json(status: number, value: unknown): WebAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

export function webAnswer(req: WebRequest, s: WebState): WebAnswer {
  const path = (req.url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
  const mustChange = s.variant.forcePasswordChange && s.factoryDefaults;
  if (path === '/api/v1/mgmt/device/info') {
    if (!s.variant.restApi) return json(404, { Status: '4004', Message: 'REST API is disabled' });
    if (!authorised(req, s)) return challenge(s);
    if (mustChange) return json(403, { Status: '4007', Message: 'Admin password change required' });
    return json(200, {
      Status: '2000',
      data: { ModelNumber: s.model, MACAddress: s.mac, FirmwareRelease: s.software, IPStack: 'IPv4 Only' },
    });
  }
  if (path === '/api/v1/mgmt/config/get') {
    if (!s.variant.restApi) return json(404, { Status: '4004', Message: 'REST API is disabled' });
    if (!authorised(req, s)) return challenge(s);
    if (mustChange) return json(403, { Status: '4007', Message: 'Admin password change required' });
    let names: unknown;
    try {
      names = (JSON.parse(req.body ?? '') as { data?: unknown }).data;
    } catch {
      return json(400, { Status: '4000', Message: 'Invalid JSON' });
    }
    if (!Array.isArray(names)) return json(400, { Status: '4000', Message: 'data must list parameter names' });
    return json(200, { Status: '2000', data: Object.fromEntries(names.map((n) => [String(n), s.config[String(n)] ?? ''])) });
  }
  if (path === '/form-submit/auth.htm') {
    if (!authorised(req, s)) return challenge(s);
    if (mustChange) return { status: 302, headers: { location: '/changepassword.htm' }, body: '' };
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'SUCCESS' };
  }
  if (path === '/changepassword.htm' && mustChange) {
    return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><title>Change Admin Password</title><body>The default admin password must be changed. New Password: Confirm Password:</body></html>' };
  }
  if (path === '/' || path === '/login.htm') {
    return { status: 200, headers: { 'content-type': 'text/html' }, body: `<html><title>Polycom - Web Configuration Utility</title><body>${s.model} Login: Admin / User</body></html>` };
  }
  return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>404 Not Found</body></html>' };
}
