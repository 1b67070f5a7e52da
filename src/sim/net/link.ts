/**
 * A simulated phone's network cable: a network namespace for the phone, and a veth pair whose phone end (inside the
 * namespace) carries the phone's real MAC and whose bench end stays in the host's namespace, with the bench's address
 * on a private subnet (10.213.X.0/24), as a station's interface would. Needs root and `ip` (iproute2).
 *
 * Nothing here routes anywhere: the phone's namespace has no default route, and the subnet exists only on this pair.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError } from '../../errors/errors.js';

export interface SimLinkConfig {
  /** The phone's MAC, 12 lower-case hex digits. */
  mac: string;
  /** Third octet of 10.213.X.0/24; default: the first one free on this host. */
  subnet?: number;
}

export interface SimLink {
  /** The phone's namespace. */
  ns: string;
  /** The bench end, in the host's namespace (dnsmasq binds it). */
  benchIf: string;
  /** The phone end, inside `ns`. */
  phoneIf: string;
  /** The bench's address on the link, e.g. 10.213.7.1. */
  benchIp: string;
  prefix: number;
  /** The DHCP range the bench hands out on it. */
  range: { start: string; end: string };
  /** Removes the namespace and the pair (the phone's processes must be gone). Safe to call twice. */
  destroy(): Promise<void>;
}

let counter = 0;

export function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          missing
            ? new BenchError('ip-missing', "the 'ip' command (iproute2) is not installed", 'apt-get install iproute2')
            : new BenchError('netns-failed', `ip ${args.join(' ')}: ${stderr.trim() || err.message}`, 'run as root (network namespaces need it)'),
        );
      } else resolve(stdout);
    });
  });
}

/** Why this process cannot build namespaced links, or undefined when it can (root on Linux with `ip`). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces exist on Linux only';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (run as root, as CI does)';
  return undefined;
}

/** Where the subnet claims are: one file per subnet in use, holding the claiming process's pid. */
const CLAIMS = join(tmpdir(), 'resetbot-sim-subnets');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims subnet X for this process (exclusive create), taking over a claim whose process is gone. */
function claim(x: number): boolean {
  const file = join(CLAIMS, String(x));
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/**
 * A third octet for 10.213.X.0/24 used by no address on this host and claimed by no other link being built (links
 * are built concurrently: by parallel stations, and by test files in parallel processes).
 */
async function freeSubnet(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true });
  const used = new Set<number>();
  const out = await ip(['-4', '-o', 'addr', 'show']);
  for (const m of out.matchAll(/inet 10\.213\.(\d+)\./g)) used.add(Number(m[1]));
  const start = (process.pid + counter * 7) % 250;
  for (let i = 0; i < 250; i++) {
    const x = ((start + i) % 250) + 1;
    if (!used.has(x) && claim(x)) return x;
  }
  throw new BenchError('no-subnet', 'every 10.213.X.0/24 subnet is in use on this host', 'remove stale rb* links (ip link show)');
}

function release(x: number): void {
  const file = join(CLAIMS, String(x));
  try {
    if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file, { force: true });
  } catch {
    // not ours, or gone already
  }
}

export async function createSimLink(config: SimLinkConfig): Promise<SimLink> {
  const why = netnsUnavailable();
  if (why) throw new BenchError('netns-unavailable', `the simulated phone's network cannot be built: ${why}`, 'run as root on Linux, or drop --sim-network');
  const tag = `${process.pid % 100000}x${(counter++).toString(36)}`;
  const ns = `rbp-${tag}`;
  const benchIf = `rbb${tag}`.slice(0, 15);
  const phoneIf = `rbp${tag}`.slice(0, 15);
  const claimed = config.subnet === undefined;
  const x = config.subnet ?? (await freeSubnet());
  const benchIp = `10.213.${x}.1`;
  const macColons = config.mac.match(/../g)!.join(':');
  let made = false;
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await ip(['link', 'del', benchIf]).catch(() => undefined);
    if (made) await ip(['netns', 'del', ns]).catch(() => undefined);
    if (claimed) release(x);
  };
  try {
    await ip(['netns', 'add', ns]);
    made = true;
    await ip(['link', 'add', benchIf, 'type', 'veth', 'peer', 'name', phoneIf]);
    await ip(['link', 'set', phoneIf, 'netns', ns]);
    await ip(['-n', ns, 'link', 'set', phoneIf, 'address', macColons]);
    await ip(['-n', ns, 'link', 'set', phoneIf, 'up']);
    await ip(['addr', 'add', `${benchIp}/24`, 'dev', benchIf]);
    await ip(['link', 'set', benchIf, 'up']);
  } catch (err) {
    await destroy();
    throw err;
  }
  return { ns, benchIf, phoneIf, benchIp, prefix: 24, range: { start: `10.213.${x}.100`, end: `10.213.${x}.199` }, destroy };
}
