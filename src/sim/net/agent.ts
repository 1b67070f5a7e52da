/**
 * The simulated phone's network stack, run INSIDE the phone's network namespace (`ip netns exec <ns> node agent.js
 * <ifname>`): a Node process cannot change namespace, so the phone's sockets live in this child. It does what it is
 * told over stdin (JSON lines) and answers on stdout; the phone's decisions (what to ask, what its web server says)
 * are the parent's (net-phone.ts), made from the simulated phone's truth.
 *
 *   parent -> agent  {id, op: 'dhcp', mac, vendorClass (hex), hostname, timeoutMs}   DORA on the link, then the
 *                    address is put on the interface; answers {id, ok, lease: {ip, prefix, server, bootServer, ...}}
 *                    {id, op: 'http', method, url, headers, body}   answers {id, ok, status, headers, body}
 *                    {id, op: 'serve', port} / {id, op: 'unserve'}   the phone's web server up / down
 *                    {id, op: 'down'}   power off: web server closed, address removed
 *                    {web: n, status, headers, body}   the parent's answer to web request n
 *   agent -> parent  {web: n, method, url, headers, body}   a request to the phone's web server, to be answered
 *                    {ready: true} once started
 */
import { createSocket, type Socket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { DHCP, decodeDhcp, encodeDhcp, macBytes, messageType, optionIp, optionText, ipBytes, type DhcpMessage } from './dhcp-packet.js';

const ifname = process.argv[2] ?? 'eth0';

function send(msg: unknown): void {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, _stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve()));
  });
}

// ---- DHCP ---------------------------------------------------------------------------------------------------------

let dhcpSocket: Socket | undefined;

function dhcpSock(): Promise<Socket> {
  if (dhcpSocket) return Promise.resolve(dhcpSocket);
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    s.once('error', reject);
    s.bind(68, () => {
      s.setBroadcast(true);
      dhcpSocket = s;
      resolve(s);
    });
  });
}

interface DhcpAsk {
  id: number;
  mac: string;
  vendorClass: string;
  hostname?: string;
  timeoutMs?: number;
}

function prefixOf(mask: string | undefined): number {
  if (!mask) return 24;
  return mask.split('.').reduce((n, part) => n + (Number(part).toString(2).match(/1/g)?.length ?? 0), 0);
}

/** One exchange: send `msg`, wait for a reply of one of `types` with our xid, resending every second. */
async function exchange(s: Socket, msg: DhcpMessage, types: number[], timeoutMs: number): Promise<DhcpMessage> {
  const wire = encodeDhcp(msg);
  return new Promise((resolve, reject) => {
    const onMessage = (buf: Buffer): void => {
      const m = decodeDhcp(buf);
      if (!m || m.op !== 2 || m.xid !== msg.xid || !m.chaddr.equals(msg.chaddr)) return;
      const t = messageType(m);
      if (t === undefined || !types.includes(t)) return;
      done();
      resolve(m);
    };
    const resend = setInterval(() => s.send(wire, 67, '255.255.255.255'), 1000);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no DHCP answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearInterval(resend);
      clearTimeout(timer);
      s.off('message', onMessage);
    };
    s.on('message', onMessage);
    s.send(wire, 67, '255.255.255.255', (err) => {
      if (err) {
        done();
        reject(err);
      }
    });
  });
}

async function dhcp(ask: DhcpAsk): Promise<unknown> {
  // With no address on the link, the limited broadcast needs a route of its own (the kernel drops a link's routes
  // when its last address goes, so it is put back before every exchange).
  await run('ip', ['route', 'replace', '255.255.255.255/32', 'dev', ifname]);
  const s = await dhcpSock();
  const chaddr = macBytes(ask.mac);
  const xid = (Math.random() * 2 ** 32) >>> 0;
  const timeoutMs = ask.timeoutMs ?? 10_000;
  const common = (type: number): Map<number, Buffer> => {
    const o = new Map<number, Buffer>();
    o.set(53, Buffer.from([type]));
    o.set(61, Buffer.concat([Buffer.from([1]), chaddr]));
    if (ask.hostname) o.set(12, Buffer.from(ask.hostname, 'latin1'));
    o.set(60, Buffer.from(ask.vendorClass, 'hex'));
    // Parameter request list: mask, router, DNS, domain, NTP, TFTP server name (66), vendor specific, boot file.
    o.set(55, Buffer.from([1, 3, 6, 15, 42, 66, 43, 67, 150, 160]));
    return o;
  };
  const base = { op: 1 as const, xid, chaddr, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', broadcast: true };
  const offer = await exchange(s, { ...base, options: common(DHCP.discover) }, [DHCP.offer], timeoutMs);
  const server = optionIp(offer, 54);
  const reqOpts = common(DHCP.request);
  reqOpts.set(50, ipBytes(offer.yiaddr));
  if (server) reqOpts.set(54, ipBytes(server));
  const ack = await exchange(s, { ...base, options: reqOpts }, [DHCP.ack, DHCP.nak], timeoutMs);
  if (messageType(ack) === DHCP.nak) throw new Error(`DHCP NAK from ${server ?? 'the server'}`);
  const prefix = prefixOf(optionIp(ack, 1));
  await run('ip', ['addr', 'flush', 'dev', ifname]);
  await run('ip', ['addr', 'add', `${ack.yiaddr}/${prefix}`, 'dev', ifname]);
  return {
    id: ask.id,
    ok: true,
    lease: { ip: ack.yiaddr, prefix, server: server ?? null, bootServer: optionText(ack, 66) ?? null, router: optionIp(ack, 3) ?? null },
  };
}

// ---- HTTP client --------------------------------------------------------------------------------------------------

interface HttpAsk {
  id: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

function http(ask: HttpAsk): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(ask.url, { method: ask.method, headers: ask.headers, timeout: ask.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ id: ask.id, ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${ask.url} in time`)));
    req.on('error', reject);
    req.end(ask.body);
  });
}

// ---- the phone's web server ---------------------------------------------------------------------------------------

let server: Server | undefined;
let nextWeb = 1;
const waiting = new Map<number, ServerResponse>();

function serve(port: number): Promise<void> {
  if (server) return Promise.resolve();
  const s = createServer((req, res) => {
    const n = nextWeb++;
    waiting.set(n, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => send({ web: n, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
  });
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '0.0.0.0', () => {
      server = s;
      resolve();
    });
  });
}

function unserve(): Promise<void> {
  const s = server;
  server = undefined;
  for (const res of waiting.values()) res.destroy();
  waiting.clear();
  if (!s) return Promise.resolve();
  s.closeAllConnections();
  return new Promise((resolve) => s.close(() => resolve()));
}

function answerWeb(msg: { web: number; status: number; headers: Record<string, string>; body: string }): void {
  const res = waiting.get(msg.web);
  if (!res) return;
  waiting.delete(msg.web);
  res.writeHead(msg.status, msg.headers);
  res.end(msg.body);
}

// ---- the command loop ---------------------------------------------------------------------------------------------

async function handle(msg: Record<string, unknown>): Promise<unknown> {
  const id = msg.id as number;
  switch (msg.op) {
    case 'dhcp':
      return dhcp(msg as unknown as DhcpAsk);
    case 'http':
      return http(msg as unknown as HttpAsk);
    case 'serve':
      await serve(msg.port as number);
      return { id, ok: true };
    case 'unserve':
      await unserve();
      return { id, ok: true };
    case 'down':
      await unserve();
      await run('ip', ['addr', 'flush', 'dev', ifname]);
      return { id, ok: true };
    default:
      throw new Error(`unknown op ${String(msg.op)}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  if (typeof msg.web === 'number') {
    answerWeb(msg as unknown as { web: number; status: number; headers: Record<string, string>; body: string });
    return;
  }
  handle(msg).then(send, (err: unknown) => send({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }));
});
lines.on('close', () => {
  void unserve().finally(() => {
    dhcpSocket?.close();
    process.exit(0);
  });
});
send({ ready: true });
