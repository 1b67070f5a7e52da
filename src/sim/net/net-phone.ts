/**
 * The simulated phone on a real network: it follows the simulated unit's life (its logged events) and does what a
 * Polycom phone does on its link, through the agent (agent.ts) running in the phone's network namespace:
 *
 *   power on / reboot     -> the link is up, nothing is said until a boot stage starts
 *   the Updater starts    -> DHCP (option 60: Polycom's enterprise 13885 block, apptype BR), then provisioning from the
 *   (`updater`, `bootrom`,  server named by option 66 with User-Agent `FileTransport <product>-UA/<ver> Type/Updater`:
 *    `leds-on`...)          GET <mac>.cfg (on 404: 000000000000.cfg), PUT <mac>-boot.log
 *   the application starts -> DHCP again (apptype SIP), GET <mac>.cfg (or 000000000000.cfg), GET <mac>-phone.cfg,
 *   (`starting-application`)  PUT <mac>-app.log with `Type/Application`
 *   the application runs   -> its web server answers on port 80
 *   (`idle`, `running`)
 *   power off             -> the web server stops, the address is gone
 *
 * Each stage is real traffic that the virtual clock waits for (holdClock): virtual time stands still while the phone
 * talks, so the bench hears it at the virtual time the phone said it. The web server's answers come from the unit's
 * truth (web.ts): 456 once it is at factory defaults, its old admin password until then.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { holdClock, type Clock } from '../../clock/clock.js';
import { BenchError } from '../../errors/errors.js';
import type { SimDevice, SimEvent } from '../device.js';
import { Rng } from '../rng.js';
import { netIdentity, type NetIdentity } from './identity.js';
import type { SimLink } from './link.js';
import { encodeVendorClass } from './vendor-class.js';
import { webAnswer, type WebAuth, type WebVariant } from './web.js';

export interface SimNetOptions {
  auth?: WebAuth;
  restApi?: boolean;
  /** UC Software 5+ only: ignored on older software. */
  forcePasswordChange?: boolean;
}

export interface SimNetPhoneConfig {
  device: SimDevice;
  clock: Clock;
  link: SimLink;
  seed: number | string;
  options?: SimNetOptions;
  /** Real-time limit of one DHCP exchange (ms); default 4000. */
  dhcpTimeoutMs?: number;
}

/** What the phone did on the network: the simulator's account, for tests. */
export interface SimNetTruth {
  identity: NetIdentity;
  variant: WebVariant;
  /** Each stage it ran: the stage, the address it got (or the error), the requests it made with their status. */
  stages: { stage: 'updater' | 'application'; ip?: string; error?: string; requests: string[] }[];
  webRequests: number;
}

const UPDATER_EVENTS = new Set(['updater', 'bootrom', 'leds-on', 'application-not-found']);
/** The application starts: its DHCP and provisioning. */
const APPLICATION_EVENTS = new Set(['starting-application', 'idle', 'running']);
/** The application runs: its web server answers. */
const RUNNING_EVENTS = new Set(['idle', 'running']);
/** The unit restarts (a SimPhone's next stage then says which; the units of devices.ts only come back running). */
const BOOT_EVENTS = new Set(['power-on', 'reboot', 'automatic-reboot', 'reboot-tone', 'menu-reboot', 'restarting']);
/** Admin passwords of a locked unit that is not a SimPhone (which has its own). */
const OTHER_ADMIN = ['789', '1966', '2580'];

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

/** The agent's command line: compiled JS runs as is; the TypeScript source (tests, tsx) runs through tsx. */
function agentCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    return [process.execPath, '--import', import.meta.resolve('tsx'), self.replace(/net-phone\.ts$/, 'agent.ts')];
  }
  return [process.execPath, self.replace(/net-phone\.js$/, 'agent.js')];
}

export class SimNetPhone {
  readonly identity: NetIdentity;
  readonly variant: WebVariant;
  private readonly device: SimDevice;
  private readonly clock: Clock;
  private readonly link: SimLink;
  private readonly dhcpTimeoutMs: number;
  private readonly otherAdmin: string;
  private readonly nonce: string;
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private appDone = false;
  private serving = false;
  private stopped = false;
  private readonly stages: SimNetTruth['stages'] = [];
  private webRequests = 0;
  private stderr = '';

  constructor(config: SimNetPhoneConfig) {
    this.device = config.device;
    this.clock = config.clock;
    this.link = config.link;
    this.dhcpTimeoutMs = config.dhcpTimeoutMs ?? 4_000;
    const truth = config.device.truth() as { software?: string };
    const software = truth.software ?? '7.0.2';
    const rng = new Rng(config.seed).fork(`net:${config.device.truth().mac}`);
    this.identity = netIdentity(config.device.modelId, software, rng);
    const o = config.options ?? {};
    const auth = rng.pick<WebAuth>(['basic', 'digest']);
    const restApi = rng.chance(0.5);
    const force = rng.chance(0.5);
    const ucs5 = Number(software.split('.')[0]) >= 5;
    this.variant = { auth: o.auth ?? auth, restApi: o.restApi ?? restApi, forcePasswordChange: ucs5 && (o.forcePasswordChange ?? force) };
    this.otherAdmin = rng.pick(OTHER_ADMIN);
    this.nonce = rng.int(0, 2 ** 31).toString(16).padStart(8, '0') + rng.int(0, 2 ** 31).toString(16).padStart(8, '0');
  }

  /** Starts the agent in the phone's namespace and follows the unit's events. */
  async start(): Promise<void> {
    const [node, ...args] = agentCommand();
    const child = spawn('ip', ['netns', 'exec', this.link.ns, node!, ...args, this.link.phoneIf], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new BenchError('sim-net-agent', `the simulated phone's network agent did not start: ${err.message}`)));
      child.once('exit', (code) => {
        const err = new BenchError('sim-net-agent', `the simulated phone's network agent exited (${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        reject(err);
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        if (msg.ready) resolve();
        else if (typeof msg.web === 'number') this.answerWeb(msg);
        else if (typeof msg.id === 'number') {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (!p) return;
          if (msg.ok) p.resolve(msg);
          else p.reject(new Error(String(msg.error)));
        }
      });
    });
    await ready;
    this.unsubscribe = this.device.onEvent((e) => this.onEvent(e));
  }

  /** Stops following the unit, waits for the traffic in flight, ends the agent. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    await this.chain.catch(() => undefined);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }

  truth(): SimNetTruth {
    return { identity: this.identity, variant: { ...this.variant }, stages: this.stages.map((s) => ({ ...s, requests: [...s.requests] })), webRequests: this.webRequests };
  }

  // ---- following the unit ---------------------------------------------------------------------------------------

  private onEvent(e: SimEvent): void {
    const what = e.what;
    if (what === 'power-off') {
      this.appDone = false;
      this.queue(() => this.down());
    } else if (BOOT_EVENTS.has(what)) {
      this.appDone = false;
      this.queue(() => this.unserve());
    } else if (UPDATER_EVENTS.has(what)) {
      this.appDone = false;
      this.queue(() => this.unserve().then(() => this.stage('updater')));
    } else if (APPLICATION_EVENTS.has(what)) {
      if (!this.appDone) {
        this.appDone = true;
        this.queue(() => this.stage('application'));
      }
      if (RUNNING_EVENTS.has(what)) this.queue(() => this.serve());
    }
  }

  /** Runs `work` after what is queued, with the virtual clock held until it is done. */
  private queue(work: () => Promise<void>): void {
    if (this.stopped) return;
    this.chain = this.chain.then(work).catch(() => undefined);
    void holdClock(this.clock, this.chain);
  }

  private call(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const child = this.child;
    if (!child || child.exitCode !== null) return Promise.reject(new Error('the network agent is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.stdin.write(JSON.stringify({ ...msg, id }) + '\n');
    });
  }

  private async down(): Promise<void> {
    this.serving = false;
    await this.call({ op: 'down' });
  }

  private async unserve(): Promise<void> {
    if (!this.serving) return;
    this.serving = false;
    await this.call({ op: 'unserve' });
  }

  private async serve(): Promise<void> {
    if (this.serving) return;
    await this.call({ op: 'serve', port: 80 });
    this.serving = true;
  }

  private async stage(stage: 'updater' | 'application'): Promise<void> {
    const id = this.identity;
    const mac = this.device.truth().mac;
    const record: SimNetTruth['stages'][number] = { stage, requests: [] };
    this.stages.push(record);
    const stamp = '04-Jun-20 10:00';
    const application = stage === 'updater' ? `BR/${id.bootrom}/${stamp}` : `SIP/${id.software}/${stamp}`;
    const vendorClass = encodeVendorClass({ company: 'Polycom', part: id.part, partNumber: id.partNumber, application, bootrom: `BR/${id.bootrom}/${stamp}` });
    let lease: { ip: string; bootServer: string | null; server: string | null };
    try {
      const r = await this.call({ op: 'dhcp', mac, vendorClass: vendorClass.toString('hex'), hostname: `Polycom_${mac}`, timeoutMs: this.dhcpTimeoutMs });
      lease = r.lease as typeof lease;
      record.ip = lease.ip;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      return;
    }
    const server = lease.bootServer ?? (lease.server ? `tftp://${lease.server}` : undefined);
    if (!server || !/^https?:\/\//.test(server)) {
      record.error = `no HTTP provisioning server offered (${server ?? 'none'})`;
      return;
    }
    const base = server.replace(/\/+$/, '');
    const ua = `FileTransport ${id.uaProduct}-UA/${stage === 'updater' ? id.bootrom : id.software} Type/${stage === 'updater' ? 'Updater' : 'Application'}`;
    const get = async (file: string): Promise<number> => {
      const r = await this.call({ op: 'http', method: 'GET', url: `${base}/${file}`, headers: { 'user-agent': ua } });
      record.requests.push(`GET ${file} ${String(r.status)}`);
      return r.status as number;
    };
    try {
      if ((await get(`${mac}.cfg`)) === 404) await get('000000000000.cfg');
      if (stage === 'application') await get(`${mac}-phone.cfg`);
      const log = `${stage === 'updater' ? 'Updater' : 'Application'} ${stage === 'updater' ? id.bootrom : id.software} booting\n`;
      const file = `${mac}-${stage === 'updater' ? 'boot' : 'app'}.log`;
      const r = await this.call({ op: 'http', method: 'PUT', url: `${base}/${file}`, headers: { 'user-agent': ua, 'content-type': 'text/plain' }, body: log });
      record.requests.push(`PUT ${file} ${String(r.status)}`);
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
  }

  private answerWeb(msg: Record<string, unknown>): void {
    this.webRequests++;
    const truth = this.device.truth() as { factoryDefaults: boolean; adminPassword?: string; mac: string };
    const password = truth.factoryDefaults ? '456' : (truth.adminPassword ?? this.otherAdmin);
    const answer = webAnswer(
      { method: String(msg.method), url: String(msg.url), headers: msg.headers as Record<string, string>, body: String(msg.body ?? '') },
      {
        variant: this.variant,
        password,
        factoryDefaults: truth.factoryDefaults,
        // The line the phone was configured with (its idle screen's 'Line 1: 1013'), gone once it is reset.
        config: { 'reg.1.address': truth.factoryDefaults ? '' : '1013' },
        realm: this.identity.uaProduct,
        nonce: this.nonce,
        mac: truth.mac,
        model: this.identity.uaProduct,
        software: this.identity.software,
      },
    );
    this.child?.stdin.write(JSON.stringify({ web: msg.web, ...answer }) + '\n');
  }
}
