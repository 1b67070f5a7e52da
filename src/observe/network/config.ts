/**
 * A station's `network` section in the stations file: the interface (or VLAN) the station's phones are cabled to,
 * and the bench's address on it; dnsmasq hands out the range on that subnet.
 *
 *   "network": { "interface": "eth1", "vlan": 20, "address": "10.20.0.1/24", "range": { "start": "10.20.0.100", "end": "10.20.0.199" } }
 *
 * `vlan` makes the interface `eth1.20` (created by the operator: `ip link add link eth1 name eth1.20 type vlan id 20`).
 * `range` defaults to the subnet's .100 to .199 (a /24 or larger; a smaller subnet must give its range).
 */
import { z } from 'zod';
import { ConfigError } from '../../errors/errors.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export const stationNetworkSchema = z.strictObject({
  interface: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'must be a network interface name, e.g. "eth1"'),
  vlan: z.number().int().min(1).max(4094).optional(),
  address: z.string().refine((s) => {
    const [ip, prefix] = s.split('/');
    return IPV4.test(ip ?? '') && /^\d+$/.test(prefix ?? '') && Number(prefix) >= 8 && Number(prefix) <= 30;
  }, 'must be the bench\'s address with its prefix, e.g. "10.20.0.1/24"'),
  range: z
    .strictObject({
      start: z.string().regex(IPV4, 'must be an IPv4 address'),
      end: z.string().regex(IPV4, 'must be an IPv4 address'),
    })
    .optional(),
});

export type StationNetworkInput = z.infer<typeof stationNetworkSchema>;

/** A station's network, resolved. */
export interface StationNetwork {
  /** The interface dnsmasq binds (with the VLAN: `eth1.20`). */
  interface: string;
  /** The bench's address. */
  address: string;
  prefix: number;
  netmask: string;
  /** The subnet's broadcast address. */
  broadcast: string;
  range: { start: string; end: string };
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function resolveStationNetwork(input: StationNetworkInput): StationNetwork {
  const [ip, p] = input.address.split('/') as [string, string];
  const prefix = Number(p);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (toInt(ip) & mask) >>> 0;
  const broadcast = (net | (~mask >>> 0)) >>> 0;
  let range = input.range;
  if (!range) {
    if (prefix > 24) throw new ConfigError('bad-network', `network ${input.address}: a subnet smaller than /24 needs its "range"`, 'give "range": { "start": ..., "end": ... }');
    range = { start: toIp(net + 100), end: toIp(net + 199) };
  }
  for (const a of [range.start, range.end]) {
    const n = toInt(a);
    if ((n & mask) >>> 0 !== net || n === net || n === broadcast) {
      throw new ConfigError('bad-network', `network range address ${a} is not a host of ${toIp(net)}/${prefix}`, 'give a range inside the station\'s subnet');
    }
  }
  if (toInt(ip) >= toInt(range.start) && toInt(ip) <= toInt(range.end)) {
    throw new ConfigError('bad-network', `the bench's address ${ip} is inside its own DHCP range ${range.start}-${range.end}`, 'move the range or the address');
  }
  return {
    interface: input.vlan !== undefined ? `${input.interface}.${input.vlan}` : input.interface,
    address: ip,
    prefix,
    netmask: toIp(mask),
    broadcast: toIp(broadcast),
    range,
  };
}
