/**
 * Reads the packets dnsmasq appends to its `--dumpfile` (classic pcap, link type 101: raw IP) as they come: each
 * `drain()` reads what was appended since the last one, synchronously, so a caller that must see every DHCP message
 * before it acts (the provisioning server, the probe) can drain first.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface UdpPacket {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

export class PcapTail {
  private fd: number | undefined;
  private offset = 0;
  private buffered = Buffer.alloc(0);
  private littleEndian = true;
  private headerRead = false;

  constructor(private readonly file: string) {}

  /** The UDP datagrams appended since the last drain (none while the file does not exist yet). */
  drain(): UdpPacket[] {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, 'r');
      } catch {
        return [];
      }
    }
    const size = fstatSync(this.fd).size;
    if (size > this.offset) {
      const chunk = Buffer.alloc(size - this.offset);
      const n = readSync(this.fd, chunk, 0, chunk.length, this.offset);
      this.offset += n;
      this.buffered = Buffer.concat([this.buffered, chunk.subarray(0, n)]);
    }
    const out: UdpPacket[] = [];
    if (!this.headerRead) {
      if (this.buffered.length < 24) return out;
      const magic = this.buffered.readUInt32LE(0);
      this.littleEndian = magic === 0xa1b2c3d4;
      this.buffered = this.buffered.subarray(24);
      this.headerRead = true;
    }
    for (;;) {
      if (this.buffered.length < 16) break;
      const incl = this.littleEndian ? this.buffered.readUInt32LE(8) : this.buffered.readUInt32BE(8);
      if (this.buffered.length < 16 + incl) break;
      const frame = this.buffered.subarray(16, 16 + incl);
      this.buffered = this.buffered.subarray(16 + incl);
      const p = udpOf(frame);
      if (p) out.push(p);
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function udpOf(ipPacket: Buffer): UdpPacket | undefined {
  if (ipPacket.length < 28 || ipPacket[0]! >> 4 !== 4 || ipPacket[9] !== 17) return undefined;
  const ihl = (ipPacket[0]! & 0x0f) * 4;
  const u = ipPacket.subarray(ihl);
  if (u.length < 8) return undefined;
  const addr = (at: number): string => `${ipPacket[at]}.${ipPacket[at + 1]}.${ipPacket[at + 2]}.${ipPacket[at + 3]}`;
  return { src: addr(12), dst: addr(16), srcPort: u.readUInt16BE(0), dstPort: u.readUInt16BE(2), payload: Buffer.from(u.subarray(8)) };
}
