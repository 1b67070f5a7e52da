/**
 * resetbot's own provisioning server, named to the phone by DHCP option 66: it logs every request (method, path,
 * User-Agent, the client's address) and answers so that nothing comes back onto a reset phone: an empty master
 * configuration for `<mac>.cfg` and `000000000000.cfg` (no CONFIG_FILES, no application to load), an empty
 * `<mac>-phone.cfg`, 404 for anything else; the phone's uploads (PUT `<mac>-boot.log`, `<mac>-app.log`...) are
 * accepted and kept in memory.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BenchError } from '../../errors/errors.js';

export interface ProvisioningRequest {
  method: string;
  path: string;
  userAgent: string;
  /** The client's address. */
  from: string;
  status: number;
  /** Bytes received (PUT). */
  bytes: number;
}

export const EMPTY_MASTER_CONFIG =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<APPLICATION APP_FILE_PATH="" CONFIG_FILES="" MISC_FILES="" LOG_FILE_DIRECTORY="" OVERRIDES_DIRECTORY="" CONTACTS_DIRECTORY="" LICENSE_DIRECTORY=""/>\n';
export const EMPTY_PHONE_CONFIG = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<PHONE_CONFIG/>\n';

export class ProvisioningServer {
  private server: Server | undefined;
  private port = 0;
  /** The uploads, by path. */
  readonly uploads = new Map<string, string>();

  /** `before` runs first for each request (the observer reads its DHCP capture); `onRequest` after it is answered. */
  constructor(
    private readonly host: string,
    private readonly onRequest: (r: ProvisioningRequest) => void,
    private readonly before: () => void = () => undefined,
  ) {}

  url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.before();
        const body = Buffer.concat(chunks);
        const { status, text } = this.answer(req, body);
        res.writeHead(status, { 'content-type': status === 200 ? 'application/xml' : 'text/plain' });
        res.end(text);
        this.onRequest({
          method: req.method ?? 'GET',
          path: decodeURIComponent((req.url ?? '/').split('?')[0]!),
          userAgent: String(req.headers['user-agent'] ?? ''),
          from: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          status,
          bytes: body.length,
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new BenchError('provisioning-bind', `the provisioning server cannot listen on ${this.host}:${port}: ${err.code ?? err.message}`, 'check the station\'s network address, or free the port')),
      );
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private answer(req: IncomingMessage, body: Buffer): { status: number; text: string } {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const file = path.split('/').pop() ?? '';
    if (req.method === 'PUT') {
      this.uploads.set(path, body.toString('utf8'));
      return { status: 204, text: '' };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, text: 'method not allowed' };
    if (/^[0-9a-f]{12}\.cfg$/i.test(file)) return { status: 200, text: EMPTY_MASTER_CONFIG };
    if (/^[0-9a-f]{12}-phone\.cfg$/i.test(file)) return { status: 200, text: EMPTY_PHONE_CONFIG };
    return { status: 404, text: 'not found' };
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
