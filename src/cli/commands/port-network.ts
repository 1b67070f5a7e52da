/**
 * `reset --port P --network IFACE [--network-address IP/PREFIX]` (and `reboot`): the network observer on a real
 * bench's interface, as a station's `network` section runs it in a batch (stations.ts): dnsmasq serves DHCP there with
 * option 66 pointing at resetbot's provisioning server, and the default-login probe reaches the phone through it.
 * Started before anything moves; the interface is checked first (it exists, is up with a link, and has the bench's
 * address), so a bench that cannot hear its phone is one line (exit 4) and nothing moved.
 */
import { networkInterfaces } from 'node:os';
import type { Clock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import { checkInterface } from '../../observe/network/check.js';
import { resolveStationNetwork, stationNetworkSchema } from '../../observe/network/config.js';
import { NetworkObserver } from '../../observe/network/observer.js';

/** The interface's own IPv4 address with its prefix (e.g. 10.20.0.1/24), or undefined when it has none. */
function ownAddress(iface: string): string | undefined {
  const v4 = (networkInterfaces()[iface] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
  return v4?.cidr ?? undefined;
}

/** The network observer on `iface`, started; rejects with a one-line ConfigError or BenchError. */
export async function startPortNetwork(iface: string, address: string | undefined, clock: Clock): Promise<NetworkObserver> {
  const addr = address ?? ownAddress(iface);
  if (addr === undefined) {
    throw new BenchError(
      'no-address',
      `interface ${iface} does not exist or has no IPv4 address for the bench`,
      `give it one (ip addr add 10.20.0.1/24 dev ${iface}) or name it with --network-address; \`ip -br addr\` lists the interfaces`,
    );
  }
  const parsed = stationNetworkSchema.safeParse({ interface: iface, address: addr });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = issue.path[0] === 'interface' ? '--network' : '--network-address';
    throw new ConfigError('bad-network', `${flag} '${flag === '--network' ? iface : addr}' ${issue.message}`, `fix ${flag}`);
  }
  const net = resolveStationNetwork(parsed.data);
  await checkInterface(net);
  const observer = new NetworkObserver({ clock, interface: net.interface, address: net.address, range: { ...net.range, netmask: net.netmask }, name: `network:${net.interface}` });
  try {
    await observer.start();
  } catch (err) {
    await observer.stop().catch(() => undefined);
    throw err;
  }
  return observer;
}
