/**
 * The simulated phone's DHCP messages (RFC 2131 / 2132), encoded and decoded by hand: a BOOTP header, the magic
 * cookie, then options. Only what a phone's client needs: DISCOVER, REQUEST, and the server's OFFER / ACK / NAK.
 *
 * The simulator's own code: the bench's observer never reads this file (it learns what it sees from dnsmasq).
 */

export const DHCP = { discover: 1, offer: 2, request: 3, decline: 4, ack: 5, nak: 6, release: 7, inform: 8 } as const;

const MAGIC = 0x63825363;
/** The broadcast flag: the server must answer to 255.255.255.255, as the client has no address yet. */
const BROADCAST_FLAG = 0x8000;

export interface DhcpMessage {
  op: 1 | 2;
  xid: number;
  /** 6 bytes. */
  chaddr: Buffer;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  broadcast: boolean;
  /** Option code -> raw value. */
  options: Map<number, Buffer>;
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  return Buffer.from(parts.length === 4 ? parts : [0, 0, 0, 0]);
}

function ipString(b: Buffer, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.replace(/[^0-9a-f]/gi, ''), 'hex');
}

export function encodeDhcp(m: DhcpMessage): Buffer {
  const head = Buffer.alloc(240);
  head[0] = m.op;
  head[1] = 1; // htype: Ethernet
  head[2] = 6; // hlen
  head.writeUInt32BE(m.xid >>> 0, 4);
  head.writeUInt16BE(m.broadcast ? BROADCAST_FLAG : 0, 10);
  ipBytes(m.ciaddr).copy(head, 12);
  ipBytes(m.yiaddr).copy(head, 16);
  ipBytes(m.siaddr).copy(head, 20);
  m.chaddr.copy(head, 28, 0, 6);
  head.writeUInt32BE(MAGIC, 236);
  const opts: Buffer[] = [];
  for (const [code, value] of m.options) {
    if (value.length > 255) throw new RangeError(`DHCP option ${code} is ${value.length} bytes, over 255`);
    opts.push(Buffer.from([code, value.length]), value);
  }
  opts.push(Buffer.from([255]));
  const body = Buffer.concat([head, ...opts]);
  // Some servers drop messages shorter than a BOOTP frame (300 bytes): pad.
  return body.length >= 300 ? body : Buffer.concat([body, Buffer.alloc(300 - body.length)]);
}

/** Decodes a DHCP message, or undefined when it is not one. */
export function decodeDhcp(b: Buffer): DhcpMessage | undefined {
  if (b.length < 240 || b.readUInt32BE(236) !== MAGIC) return undefined;
  const options = new Map<number, Buffer>();
  let i = 240;
  while (i < b.length) {
    const code = b[i]!;
    if (code === 255) break;
    if (code === 0) {
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || i + 2 + len > b.length) break;
    options.set(code, b.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return {
    op: b[0] === 2 ? 2 : 1,
    xid: b.readUInt32BE(4),
    chaddr: Buffer.from(b.subarray(28, 34)),
    ciaddr: ipString(b, 12),
    yiaddr: ipString(b, 16),
    siaddr: ipString(b, 20),
    broadcast: (b.readUInt16BE(10) & BROADCAST_FLAG) !== 0,
    options,
  };
}

export function messageType(m: DhcpMessage): number | undefined {
  return m.options.get(53)?.[0];
}

export function optionIp(m: DhcpMessage, code: number): string | undefined {
  const v = m.options.get(code);
  return v && v.length >= 4 ? ipString(v) : undefined;
}

export function optionText(m: DhcpMessage, code: number): string | undefined {
  const v = m.options.get(code);
  return v ? v.toString('latin1').replace(/\0+$/, '') : undefined;
}

export { ipBytes };
