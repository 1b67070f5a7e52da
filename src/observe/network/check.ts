/**
 * `resetbot net check`: before a station's phones are seated, its network is what the network observer needs:
 *  1. the interface exists, is up (carrier too), and has the bench's address;
 *  2. no other DHCP server answers on it: a DHCPDISCOVER is sent to the subnet's broadcast address (so it leaves by
 *     that interface only) and every DHCPOFFER heard for it within the listening time names its server;
 *  3. dnsmasq (installed) can bind it: started with the station's configuration, then stopped.
 * Nothing moves on the bench. Failures are one-line BenchErrors (exit 4).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { BenchError } from '../../errors/errors.js';
import type { StationNetwork } from './config.js';
import { decodeDhcpMessage } from './dhcp.js';
import { Dnsmasq } from './dnsmasq.js';

export interface NetCheckResult {
  interface: string;
  address: string;
  /** The interface's own MAC. */
  mac: string;
  /** Other DHCP servers heard (their server identifiers or source addresses). */
  otherServers: string[];
  dnsmasq: 'bound';
}

function ipJson(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['-j', ...args], (err, stdout, stderr) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(new BenchError('ip-missing', "the 'ip' command (iproute2) is not installed", 'apt-get install iproute2'));
        else reject(new Error(stderr.trim() || err.message));
      } else {
        try {
          resolve(JSON.parse(stdout));
        } catch (e) {
          reject(e as Error);
        }
      }
    });
  });
}

interface IpAddrJson {
  ifname: string;
  flags: string[];
  operstate: string;
  address: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** The interface's state: it exists, is up with carrier, and has the bench's address. */
export async function checkInterface(net: StationNetwork): Promise<{ mac: string }> {
  let info: IpAddrJson | undefined;
  try {
    info = ((await ipJson(['addr', 'show', 'dev', net.interface])) as IpAddrJson[])[0];
  } catch (err) {
    if (err instanceof BenchError) throw err;
    throw new BenchError('no-interface', `interface ${net.interface} does not exist`, 'check the station\'s "network" section (interface, vlan) against `ip link`');
  }
  if (!info) throw new BenchError('no-interface', `interface ${net.interface} does not exist`, 'check the station\'s "network" section against `ip link`');
  if (!info.flags.includes('UP')) throw new BenchError('interface-down', `interface ${net.interface} is down`, `bring it up: ip link set ${net.interface} up`);
  if (!info.flags.includes('LOWER_UP')) throw new BenchError('no-carrier', `interface ${net.interface} has no link (no cable or switch port down)`, 'check the cable to the station\'s switch');
  const has = info.addr_info.some((a) => a.family === 'inet' && a.local === net.address && a.prefixlen === net.prefix);
  if (!has) {
    throw new BenchError('no-address', `interface ${net.interface} does not have the bench's address ${net.address}/${net.prefix}`, `add it: ip addr add ${net.address}/${net.prefix} dev ${net.interface}`);
  }
  return { mac: info.address };
}

/** Sends a DHCPDISCOVER out of the station's interface and lists who offers within `listenMs` (real time). */
export function otherDhcpServers(net: StationNetwork, mac: string, listenMs = 4000): Promise<string[]> {
  const xid = randomBytes(4).readUInt32BE(0);
  const chaddr = Buffer.from(mac.replace(/:/g, ''), 'hex');
  const msg = Buffer.alloc(300);
  msg[0] = 1;
  msg[1] = 1;
  msg[2] = 6;
  msg.writeUInt32BE(xid, 4);
  msg.writeUInt16BE(0x8000, 10);
  chaddr.copy(msg, 28);
  msg.writeUInt32BE(0x63825363, 236);
  Buffer.from([53, 1, 1, 55, 2, 1, 54, 255]).copy(msg, 240);
  return new Promise((resolve, reject) => {
    const servers = new Set<string>();
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    s.on('message', (buf, rinfo) => {
      const m = decodeDhcpMessage(buf);
      if (!m || m.op !== 2 || m.xid !== xid) return;
      const id = buf.length > 240 ? serverId(buf) : undefined;
      servers.add(id ?? rinfo.address);
    });
    s.once('error', (err) => {
      s.close();
      reject(new BenchError('dhcp-probe-failed', `cannot listen for DHCP offers on port 68: ${err.message}`, 'stop any DHCP client running on the bench host'));
    });
    s.bind(68, '0.0.0.0', () => {
      s.setBroadcast(true);
      // The subnet's broadcast address: the packet leaves by the station's interface only.
      s.send(msg, 67, net.broadcast);
      setTimeout(() => {
        s.close();
        resolve([...servers]);
      }, listenMs);
    });
  });
}

function serverId(buf: Buffer): string | undefined {
  for (let i = 240; i < buf.length; ) {
    const code = buf[i]!;
    if (code === 255) return undefined;
    if (code === 0) {
      i++;
      continue;
    }
    const len = buf[i + 1] ?? 0;
    if (code === 54 && len === 4) return `${buf[i + 2]}.${buf[i + 3]}.${buf[i + 4]}.${buf[i + 5]}`;
    i += 2 + len;
  }
  return undefined;
}

/** The whole check; rejects with the first failure as a BenchError. */
export async function netCheck(net: StationNetwork, options: { listenMs?: number; dnsmasqBinary?: string } = {}): Promise<NetCheckResult> {
  const { mac } = await checkInterface(net);
  const others = await otherDhcpServers(net, mac, options.listenMs);
  if (others.length > 0) {
    throw new BenchError(
      'other-dhcp-server',
      `another DHCP server answers on ${net.interface}: ${others.join(', ')}`,
      'switch it off or move the station to its own link or VLAN: it would hand the phones their old provisioning server',
    );
  }
  const d = new Dnsmasq({ interface: net.interface, range: { ...net.range, netmask: net.netmask }, bootServer: `http://${net.address}/`, ...(options.dnsmasqBinary ? { binary: options.dnsmasqBinary } : {}) });
  try {
    await d.start();
  } finally {
    await d.stop();
  }
  return { interface: net.interface, address: net.address, mac: mac.replace(/:/g, ''), otherServers: [], dnsmasq: 'bound' };
}
