/**
 * The network observer (DESIGN.md "observe/"): the bench's own DHCP server (dnsmasq on the station's interface), its
 * provisioning server, and the default-login probe, turned into typed observations:
 *
 *  - `identity` (source `network:dhcp`): MAC, model, part number, versions and stage, from the first DHCP message of
 *    each exchange (option 60); (source `network:http`) from a provisioning request's path and User-Agent when DHCP
 *    did not say;
 *  - `boot` (source `network:dhcp`): each new DHCP exchange of a MAC is a boot stage starting (the Updater's, the
 *    application's), with the stage option 60 names;
 *  - `request` (source `network:http`): each provisioning request, with the User-Agent's model, version and stage;
 *  - `probe` (source `network:probe`): the default-login probe's verdict.
 *
 * The DHCP capture is read when it grows, and also synchronously before each provisioning request is reported and
 * before each probe: a phone's DHCP messages are always reported before what it asked next.
 */
import { watch, type FSWatcher } from 'node:fs';
import { holdClock, type Clock } from '../../clock/clock.js';
import type { BootSeen, IdentitySeen, Observation, ObservationKind, ObservationSource, ProbeSeen, RequestSeen } from '../types.js';
import { decodeDhcpMessage, parsePolycomVendorClass } from './dhcp.js';
import { Dnsmasq } from './dnsmasq.js';
import { PcapTail } from './pcap.js';
import { probeDefaultLogin } from './probe.js';
import { ProvisioningServer, type ProvisioningRequest } from './provisioning.js';
import { parseUserAgent } from './user-agent.js';

export interface NetworkObserverConfig {
  clock: Clock;
  /** The station's interface. */
  interface: string;
  /** The bench's address on it (the provisioning server listens there). */
  address: string;
  /** The addresses handed out, and their netmask. */
  range: { start: string; end: string; netmask: string };
  /** The provisioning server's port; default: any free one. */
  port?: number;
  /** Real-time limit of one probe request (ms). */
  probeTimeoutMs?: number;
  /** The phone's web server port (80). */
  webPort?: number;
  dnsmasqBinary?: string;
  /** A name for `source` and records, e.g. the station's. */
  name?: string;
}

interface MacState {
  xid?: number;
  ip?: string;
  identified: boolean;
}

const MAC_IN_PATH = /([0-9a-f]{12})(?:-[a-z]+)?\.(?:cfg|log)$/i;

export class NetworkObserver implements ObservationSource {
  readonly name: string;
  readonly provides: ReadonlySet<ObservationKind> = new Set<ObservationKind>(['identity', 'boot', 'request', 'probe']);
  private readonly clock: Clock;
  private readonly config: NetworkObserverConfig;
  private readonly listeners = new Set<(o: Observation) => void>();
  private readonly macs = new Map<string, MacState>();
  private readonly log: Observation[] = [];
  private server: ProvisioningServer | undefined;
  private dnsmasq: Dnsmasq | undefined;
  private tail: PcapTail | undefined;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private started = false;

  constructor(config: NetworkObserverConfig) {
    this.config = config;
    this.clock = config.clock;
    this.name = config.name ?? `network:${config.interface}`;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const c = this.config;
    const server = new ProvisioningServer(c.address, (r) => this.onRequest(r), () => this.drain());
    await server.start(c.port ?? 0);
    this.server = server;
    const dnsmasq = new Dnsmasq({ interface: c.interface, range: c.range, bootServer: server.url(), ...(c.dnsmasqBinary ? { binary: c.dnsmasqBinary } : {}) });
    try {
      await dnsmasq.start();
    } catch (err) {
      await server.stop();
      this.server = undefined;
      throw err;
    }
    this.dnsmasq = dnsmasq;
    this.tail = new PcapTail(dnsmasq.pcapFile);
    this.watcher = watch(dnsmasq.dir, () => this.drain());
    this.watcher.on('error', () => undefined);
    // A slow look too, in case a change notice is missed (real time: the capture is a real file).
    this.poll = setInterval(() => this.drain(), 250);
    this.poll.unref();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.tail?.close();
    this.tail = undefined;
    await this.dnsmasq?.stop();
    this.dnsmasq = undefined;
    await this.server?.stop();
    this.server = undefined;
  }

  subscribe(listener: (o: Observation) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Every observation made so far (a copy). */
  observations(): Observation[] {
    return [...this.log];
  }

  /** The provisioning server's URL (option 66). */
  bootServer(): string | undefined {
    return this.server?.url();
  }

  /** The address dnsmasq gave this MAC, if any. */
  addressOf(mac: string): string | undefined {
    this.drain();
    return this.macs.get(mac.toLowerCase())?.ip;
  }

  /** The MACs heard on the link. */
  heard(): string[] {
    this.drain();
    return [...this.macs.keys()];
  }

  async probe(mac: string, signal?: AbortSignal): Promise<ProbeSeen> {
    const ip = this.addressOf(mac);
    const result = ip
      ? await holdClock(this.clock, probeDefaultLogin(ip, this.config.probeTimeoutMs ?? 3000, this.config.webPort ?? 80))
      : { verdict: 'no-answer' as const, detail: `no address known for ${mac}: it has not asked the bench's DHCP server` };
    signal?.throwIfAborted();
    const seen: ProbeSeen = { kind: 'probe', source: 'network:probe', confidence: result.verdict === 'no-answer' ? 0.5 : 1, t: this.clock.now(), mac: mac.toLowerCase(), ...result };
    this.emit(seen);
    return seen;
  }

  // ---- what comes in --------------------------------------------------------------------------------------------

  private emit(o: Observation): void {
    this.log.push(o);
    for (const l of [...this.listeners]) l(o);
  }

  private state(mac: string): MacState {
    let s = this.macs.get(mac);
    if (!s) {
      s = { identified: false };
      this.macs.set(mac, s);
    }
    return s;
  }

  /** Reads what dnsmasq captured since the last look. */
  private drain(): void {
    if (!this.tail) return;
    for (const p of this.tail.drain()) {
      const m = decodeDhcpMessage(p.payload);
      if (!m) continue;
      const t = this.clock.now();
      if (m.op === 2) {
        if (m.type === 'ACK') this.state(m.mac).ip = m.yiaddr;
        continue;
      }
      if (m.type !== 'DISCOVER' && m.type !== 'REQUEST') continue;
      const s = this.state(m.mac);
      if (s.xid === m.xid) continue;
      s.xid = m.xid;
      const vc = m.vendorClass ? parsePolycomVendorClass(m.vendorClass) : undefined;
      const stage = vc?.stage ?? 'unknown';
      const boot: BootSeen = { kind: 'boot', source: 'network:dhcp', confidence: 1, t, mac: m.mac, stage };
      const identity: IdentitySeen = { kind: 'identity', source: 'network:dhcp', confidence: vc ? 1 : 0.8, t, mac: m.mac };
      if (vc?.model) identity.model = vc.model;
      if (vc?.partNumber) identity.partNumber = vc.partNumber;
      if (vc?.software) identity.software = vc.software;
      if (vc?.bootromVersion) identity.bootrom = vc.bootromVersion;
      if (vc?.stage) identity.stage = vc.stage;
      s.identified = true;
      this.emit(identity);
      this.emit(boot);
    }
  }

  private onRequest(r: ProvisioningRequest): void {
    const ua = parseUserAgent(r.userAgent);
    let mac: string | undefined;
    for (const [m, s] of this.macs) if (s.ip === r.from) mac = m;
    const inPath = MAC_IN_PATH.exec(r.path)?.[1]?.toLowerCase();
    if (!mac && inPath && inPath !== '000000000000') mac = inPath;
    const t = this.clock.now();
    if (mac && ua && !this.state(mac).identified) {
      this.state(mac).identified = true;
      const identity: IdentitySeen = { kind: 'identity', source: 'network:http', confidence: 0.9, t, mac, model: ua.model, software: ua.software };
      if (ua.stage) identity.stage = ua.stage;
      this.emit(identity);
    }
    const seen: RequestSeen = { kind: 'request', source: 'network:http', confidence: 1, t, method: r.method, path: r.path, userAgent: r.userAgent };
    if (mac) seen.mac = mac;
    if (ua) {
      seen.model = ua.model;
      seen.software = ua.software;
      if (ua.stage) seen.stage = ua.stage;
    }
    this.emit(seen);
  }
}
