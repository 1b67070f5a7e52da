import type { Command } from 'commander';
import { loadStationFile } from '../../batch/stations.js';
import { ConfigError } from '../../errors/errors.js';
import { netCheck } from '../../observe/network/check.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { writeJson } from '../output.js';

interface NetCheckOpts {
  stations: string;
  station?: string;
  listenMs: number;
  json?: boolean;
}

function parseListen(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 100) throw new ConfigError('bad-duration', `--listen-ms '${value}' is not a number of milliseconds (100 or more)`, 'give e.g. 4000');
  return Number(value);
}

/**
 * `resetbot net check --stations F`: each station's network is ready for the network observer (src/observe/network/
 * check.ts): its interface is up with the bench's address, no other DHCP server answers on it, dnsmasq can bind it.
 * Nothing moves. The first failure is one line, exit 4 (a bench problem: dnsmasq missing, cannot bind, another DHCP
 * server); a station file without any `network` section is exit 2.
 */
export function registerNet(program: Command, ctx: CommandContext): void {
  const net = program.command('net').description("the bench's own network: DHCP (dnsmasq), provisioning, the default-login probe");
  net
    .command('check')
    .description("check each station's network: interface up with its address, no other DHCP server, dnsmasq can bind it")
    .requiredOption('--stations <file>', 'the stations file (each station with a "network" section)')
    .option('--station <name>', 'check only this station')
    .option('--listen-ms <ms>', 'how long to listen for other DHCP servers\' offers', parseListen, 4000)
    .option('--json', 'one JSON object on stdout')
    .action(async (opts: NetCheckOpts) => {
      const all = loadStationFile(opts.stations);
      const chosen = opts.station !== undefined ? all.filter((s) => s.name === opts.station) : all;
      if (opts.station !== undefined && chosen.length === 0) {
        throw new ConfigError('unknown-station', `no station '${opts.station}' in ${opts.stations}`, `name one of: ${all.map((s) => s.name).join(', ')}`);
      }
      const withNet = chosen.filter((s) => s.network !== undefined);
      if (withNet.length === 0) {
        throw new ConfigError('no-network', `no station in ${opts.stations} has a "network" section`, 'add one, e.g. "network": { "interface": "eth1", "address": "10.20.0.1/24" }');
      }
      const results = [];
      for (const s of withNet) {
        const r = await netCheck(s.network!, { listenMs: opts.listenMs });
        results.push({ station: s.name, ...r });
        if (!opts.json) process.stdout.write(`${s.name}: ${r.interface} up with ${r.address}, no other DHCP server answered, dnsmasq can bind it\n`);
      }
      if (opts.json) writeJson({ ok: true, stations: results });
      ctx.setExit(EXIT.ok);
    });
}
