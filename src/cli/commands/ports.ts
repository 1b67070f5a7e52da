import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { ConfigError } from '../../errors/errors.js';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { table, writeJson } from '../output.js';

export interface ListedPort {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** What the USB id suggests the device is. */
  likely?: string;
}

export interface PortList {
  ports: ListedPort[];
  /** Said when the list is partial: what the system lacks, and what was done instead. */
  note?: string;
}

/** USB vendor ids of the boards and adapters a bench is likely to use. */
const VENDORS: Record<string, string> = {
  '2341': 'Arduino',
  '2a03': 'Arduino',
  '1a86': 'CH340 USB-serial (most Nano clones)',
  '0403': 'FTDI USB-serial (older Nanos, adapters)',
  '10c4': 'CP210x USB-serial',
};

/** Serial devices a bench board can appear as (legacy ttyS ports are left out: a USB board is never one). */
const DEVICE = /^(ttyUSB|ttyACM|ttyAMA|ttyWCH|ttyXRUSB|rfcomm)\d+$/;

/** The serial devices in /dev, with the makers /dev/serial/by-id names give (no udev database needed). */
function scanDev(): ListedPort[] {
  let names: string[] = [];
  try {
    names = readdirSync('/dev').filter((n) => DEVICE.test(n));
  } catch {
    return [];
  }
  const byId = new Map<string, string>();
  try {
    for (const link of readdirSync('/dev/serial/by-id')) {
      byId.set(basename(resolve('/dev/serial/by-id', readlinkSync(join('/dev/serial/by-id', link)))), link);
    }
  } catch {
    // no /dev/serial/by-id: udev made none
  }
  return names.sort().map((n) => ({ path: `/dev/${n}`, ...(byId.has(n) ? { manufacturer: byId.get(n)! } : {}) }));
}

/**
 * The serial ports, through serialport where the system lets it list them. On Linux serialport asks `udevadm`; a
 * machine without udev (a container, a minimal install) would make it fail from a child process, so it is not asked
 * there, and /dev is read instead.
 */
export async function listPorts(): Promise<PortList> {
  const { findOnPath } = await import('../../sim/serve.js');
  if (process.platform === 'linux' && !findOnPath('udevadm')) {
    return {
      ports: scanDev(),
      note: 'udevadm (package udev) is not installed, so serialport cannot list ports with their USB details; these are the serial devices in /dev',
    };
  }
  try {
    const { SerialPort } = await import('serialport');
    const ports = await SerialPort.list();
    return {
      ports: ports.map((p) => {
        const vendor = p.vendorId?.toLowerCase();
        return {
          path: p.path,
          ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
          ...(vendor ? { vendorId: vendor } : {}),
          ...(p.productId ? { productId: p.productId.toLowerCase() } : {}),
          ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
          ...(vendor && VENDORS[vendor] ? { likely: VENDORS[vendor] } : {}),
        };
      }),
    };
  } catch (err) {
    const reason = (err as Error).message;
    return process.platform === 'linux'
      ? { ports: scanDev(), note: `serialport could not list the ports (${reason}); these are the serial devices in /dev` }
      : { ports: [], note: `serialport could not list the ports: ${reason}` };
  }
}

/**
 * A --port that does not exist is bad input (exit 2), not a bench failure: one line naming the serial ports that do.
 * (A virtual bench from `resetbot sim serve` exists as soon as it says `ready`.)
 */
export function requirePort(port: string): void {
  if (existsSync(port)) return;
  const here = scanDev().map((p) => p.path);
  throw new ConfigError(
    'no-such-port',
    `there is no serial port ${port}`,
    here.length > 0
      ? `the serial ports here: ${here.join(', ')} (\`resetbot ports\` says which is which)`
      : 'no serial port is here at all: plug the bench board in (`resetbot ports` lists them), or start `resetbot sim serve --pty PATH`',
  );
}

export function registerPorts(program: Command, ctx: CommandContext): void {
  program
    .command('ports')
    .description('list the serial ports, to find the bench board\'s')
    .option('--json', 'one JSON object on stdout: {"ports": [...], "note"?}')
    .action(async (opts: { json?: boolean }) => {
      const list = await listPorts();
      if (opts.json) {
        writeJson(list);
      } else {
        if (list.note) process.stdout.write(`note: ${list.note}\n`);
        if (list.ports.length === 0) {
          process.stdout.write('no serial ports found: plug the bench board in (a virtual bench from `resetbot sim serve` is not listed)\n');
        } else {
          const rows = list.ports.map((p) => [
            p.path,
            p.manufacturer ?? '',
            p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '',
            p.serialNumber ?? '',
            p.likely ?? '',
          ]);
          process.stdout.write(table(['port', 'maker', 'usb id', 'serial', 'likely'], rows) + '\n');
        }
      }
      ctx.setExit(0);
    });
}
