/**
 * The default-login probe: does the phone's web server take the factory admin password (user `Polycom`, password
 * 456)? By whatever the phone asks for: Basic, or Digest (RFC 2617, MD5, qop=auth), as its 401 challenge says.
 *
 *  1. the REST API, GET /api/v1/mgmt/device/info: 200 -> in; then POST /api/v1/mgmt/config/get for `reg.1.address`:
 *     a line still configured -> locked (a locked phone whose admin password is 456), else factory defaults;
 *     401 with the password -> locked;
 *     404 (the REST API is off, its default on many releases) or 403 -> on to 2;
 *  2. the web login, POST /form-submit/auth.htm: 200 -> factory defaults; a redirect to a page that asks for a new
 *     admin password (UC Software 5+ after a reset) -> factory defaults; 401 with the password -> locked;
 *  nothing listening, or no answer in time -> no-answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';

export const FACTORY_USER = 'Polycom';
export const FACTORY_PASSWORD = '456';

export interface ProbeResult {
  verdict: 'factory-defaults' | 'locked' | 'no-answer';
  detail: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, method: string, headers: Record<string, string>, timeoutMs: number, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The Authorization header answering a 401 challenge with the factory credentials, or undefined if unknown. */
export function authorization(challenge: string, method: string, uri: string, user = FACTORY_USER, password = FACTORY_PASSWORD): string | undefined {
  if (/^\s*Basic/i.test(challenge)) return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const m = /^\s*Digest\s+(.*)$/i.exec(challenge);
  if (!m) return undefined;
  const p = new Map<string, string>();
  for (const x of m[1]!.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p.set(x[1]!.toLowerCase(), x[2] ?? x[3] ?? '');
  const realm = p.get('realm') ?? '';
  const nonce = p.get('nonce') ?? '';
  const qop = (p.get('qop') ?? '').split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const parts = [`username="${user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`, 'algorithm=MD5'];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  const opaque = p.get('opaque');
  if (opaque !== undefined) parts.push(`opaque="${opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

/** One endpoint with the factory login: the answer to the authenticated request, the scheme used, or why not. */
async function login(base: string, method: string, path: string, timeoutMs: number, body?: string): Promise<{ answer: Answer; scheme: string }> {
  const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
  const first = await get(base + path, method, headers, timeoutMs, body);
  if (first.status !== 401) return { answer: first, scheme: 'none' };
  const www = first.headers['www-authenticate'];
  const challenge = Array.isArray(www) ? www[0] : www;
  const auth = challenge ? authorization(challenge, method, path) : undefined;
  if (!auth) return { answer: first, scheme: `unknown (${challenge ?? 'no challenge'})` };
  const answer = await get(base + path, method, { ...headers, authorization: auth }, timeoutMs, body);
  return { answer, scheme: auth.split(' ')[0]! };
}

/** The line the phone is configured with (REST config/get `reg.1.address`): '' when none, undefined if it cannot tell. */
async function configuredLine(base: string, timeoutMs: number): Promise<string | undefined> {
  const r = await login(base, 'POST', '/api/v1/mgmt/config/get', timeoutMs, JSON.stringify({ data: ['reg.1.address'] }));
  if (r.answer.status !== 200) return undefined;
  try {
    const value = (JSON.parse(r.answer.body) as { data?: Record<string, unknown> }).data?.['reg.1.address'];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function probeDefaultLogin(ip: string, timeoutMs = 3000, port = 80): Promise<ProbeResult> {
  const base = `http://${ip}:${port}`;
  try {
    const rest = await login(base, 'GET', '/api/v1/mgmt/device/info', timeoutMs);
    if (rest.answer.status === 200) {
      // In: does the phone still hold a configuration? A locked phone whose admin password is 456 has its line.
      const line = await configuredLine(base, timeoutMs);
      if (line) return { verdict: 'locked', detail: `REST API accepted ${FACTORY_USER}/${FACTORY_PASSWORD} (${rest.scheme}), but the phone still holds its configuration (reg.1.address ${line})` };
      return { verdict: 'factory-defaults', detail: `REST API /api/v1/mgmt/device/info accepted ${FACTORY_USER}/${FACTORY_PASSWORD} (${rest.scheme})${line === '' ? ', no line configured' : ''}` };
    }
    if (rest.answer.status === 401) return { verdict: 'locked', detail: `REST API refused ${FACTORY_USER}/${FACTORY_PASSWORD} (${rest.scheme})` };
    const why = rest.answer.status === 404 ? 'REST API off (404)' : `REST API answered ${rest.answer.status}`;
    const web = await login(base, 'POST', '/form-submit/auth.htm', timeoutMs);
    const s = web.answer.status;
    const location = String(web.answer.headers.location ?? '');
    if (s >= 300 && s < 400 && /password/i.test(location)) {
      return { verdict: 'factory-defaults', detail: `${why}; web login accepted ${FACTORY_PASSWORD} (${web.scheme}) and asks for a new admin password` };
    }
    if (s === 200) return { verdict: 'factory-defaults', detail: `${why}; web login accepted ${FACTORY_USER}/${FACTORY_PASSWORD} (${web.scheme})` };
    if (s === 401) return { verdict: 'locked', detail: `${why}; web login refused ${FACTORY_USER}/${FACTORY_PASSWORD} (${web.scheme})` };
    return { verdict: 'no-answer', detail: `${why}; web login answered ${s}` };
  } catch (err) {
    return { verdict: 'no-answer', detail: `nothing answered at ${base}: ${(err as Error).message}` };
  }
}
