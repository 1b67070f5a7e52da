/**
 * The bench's DHCP server: dnsmasq (Debian package `dnsmasq`), started, configured and stopped by resetbot on one
 * station's interface. Its own command line, no system configuration (`--conf-file=/dev/null`), DNS off (`--port=0`),
 * bound to that interface only (`--bind-interfaces --interface=IF`: dnsmasq then binds its DHCP socket to the device,
 * so each station's dnsmasq serves its own link), option 66 pointing at resetbot's provisioning server, a pid file,
 * its lease file, and `--dumpfile` with `--dumpmask=0x1000`: every DHCPv4 packet it receives or sends, as pcap, for
 * the observer to read (option 60 is binary; dnsmasq's `--dhcp-script` environment cuts it at its first NUL byte).
 * `--no-ping`: an address is offered at once, without dnsmasq's ICMP check of it (the link is the bench's own).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError } from '../../errors/errors.js';

export interface DnsmasqConfig {
  /** The station's interface (or VLAN interface, e.g. `eth1.20`). */
  interface: string;
  /** First and last address handed out, and the netmask. */
  range: { start: string; end: string; netmask: string };
  /** Option 66: the provisioning server's URL, e.g. http://10.213.7.1:8080. */
  bootServer: string;
  /** Lease time; default 10m. */
  leaseTime?: string;
  /** The dnsmasq binary; default `dnsmasq` on PATH. */
  binary?: string;
  /** Real-time limit for dnsmasq to come up (ms); default 5000. */
  startTimeoutMs?: number;
}

export const DNSMASQ_INSTALL_HINT = 'install it: apt-get install dnsmasq (Debian/Ubuntu)';

export class Dnsmasq {
  /** Where its pid, lease and capture files are. */
  readonly dir: string;
  readonly pcapFile: string;
  readonly leaseFile: string;
  readonly pidFile: string;
  private child: ChildProcess | undefined;
  private log = '';

  constructor(private readonly config: DnsmasqConfig) {
    this.dir = mkdtempSync(join(tmpdir(), 'resetbot-dnsmasq-'));
    this.pcapFile = join(this.dir, 'dhcp.pcap');
    this.leaseFile = join(this.dir, 'leases');
    this.pidFile = join(this.dir, 'dnsmasq.pid');
  }

  args(): string[] {
    const c = this.config;
    return [
      '--conf-file=/dev/null',
      '--keep-in-foreground',
      '--port=0',
      '--bind-interfaces',
      `--interface=${c.interface}`,
      '--except-interface=lo',
      `--dhcp-range=${c.range.start},${c.range.end},${c.range.netmask},${c.leaseTime ?? '10m'}`,
      '--dhcp-authoritative',
      '--no-ping',
      // No router, no DNS: the bench's link leads nowhere.
      '--dhcp-option=3',
      '--dhcp-option=6',
      `--dhcp-option=66,${c.bootServer}`,
      `--dhcp-leasefile=${this.leaseFile}`,
      `--pid-file=${this.pidFile}`,
      `--dumpfile=${this.pcapFile}`,
      '--dumpmask=0x1000',
      '--log-facility=-',
    ];
  }

  /** Starts dnsmasq; resolves once it serves DHCP on the interface, rejects with a one-line BenchError when not. */
  start(): Promise<void> {
    const c = this.config;
    const binary = c.binary ?? 'dnsmasq';
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: BenchError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.child?.kill('SIGKILL');
        this.cleanup();
        reject(err);
      };
      let child: ChildProcess;
      try {
        child = spawn(binary, this.args(), { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (err) {
        fail(new BenchError('dnsmasq-failed', `dnsmasq could not be started: ${(err as Error).message}`, DNSMASQ_INSTALL_HINT));
        return;
      }
      this.child = child;
      const timer = setTimeout(
        () => fail(new BenchError('dnsmasq-failed', `dnsmasq did not start serving DHCP on ${c.interface} within ${c.startTimeoutMs ?? 5000} ms`, 'check the interface with `resetbot net check`')),
        c.startTimeoutMs ?? 5000,
      );
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') fail(new BenchError('dnsmasq-missing', `dnsmasq is not installed (no '${binary}' on PATH)`, DNSMASQ_INSTALL_HINT));
        else fail(new BenchError('dnsmasq-failed', `dnsmasq could not be started: ${err.message}`, DNSMASQ_INSTALL_HINT));
      });
      child.stderr!.on('data', (d: Buffer) => {
        this.log = (this.log + d.toString()).slice(-8000);
        if (!settled && /DHCP, (sockets bound exclusively to interface|IP range)/.test(this.log)) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code, signal) => {
        if (!settled) {
          const why = this.log.trim().split('\n').filter((l) => /dnsmasq/.test(l)).pop()?.replace(/^.*?dnsmasq(-dhcp)?(\[\d+\])?: /, '') ?? `exit ${code ?? signal}`;
          fail(new BenchError('dnsmasq-cannot-bind', `dnsmasq cannot serve DHCP on ${c.interface}: ${why}`, 'check the station\'s network section (is the interface up, with its address, and no other DHCP server on it?)'));
        }
      });
    });
  }

  /** Stops dnsmasq and removes its files. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.cleanup();
  }

  /** The last lines dnsmasq logged (for error messages). */
  lastLog(): string {
    return this.log;
  }

  private cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
