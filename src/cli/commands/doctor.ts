import type { Command } from 'commander';
import { loadFixture, type Fixture } from '../../bench/fixture.js';
import { channelsNeeded, createPortDriver, parseDriverName, type PortDriverName } from '../../bench/open.js';
import type { BenchDriver } from '../../bench/types.js';
import { RealClock, sleep } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import type { CommandContext } from '../main.js';
import { writeJson } from '../output.js';
import { requirePort } from './ports.js';

interface DoctorOpts {
  port: string;
  driver?: PortDriverName;
  fixture?: string;
  jog?: boolean;
  jogMs: number;
  jogGapMs: number;
  json?: boolean;
}

/** How long the relay stays in each position of its click test. */
const RELAY_OFF_MS = 300;
const RELAY_ON_MS = 1000;

function parseMs(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new ConfigError('bad-duration', `${flag} '${value}' is not a whole number of milliseconds`, `give a number such as ${flag === '--jog-ms' ? 300 : 700}`);
    }
    return Number(value);
  };
}

interface JogStep {
  channel: number;
  key: string | null;
}

/** The channels to jog, in order: the fixture's keys by channel, or every channel of the board without a fixture. */
function jogPlan(fixture: Fixture | undefined, boardChannels: number): JogStep[] {
  if (!fixture) return Array.from({ length: boardChannels }, (_, channel) => ({ channel, key: null }));
  return Object.entries(fixture.keys)
    .map(([key, channel]) => ({ channel, key }))
    .sort((a, b) => a.channel - b.channel);
}

export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('check a bench: the board answers, its firmware, channels against the fixture, a relay click, the sensor; --jog presses each key once to align the jig')
    .requiredOption('--port <path>', 'serial port of the bench board, e.g. /dev/ttyUSB0')
    .option('--driver <name>', 'serial (resetbot firmware, the default) or firmata (StandardFirmata)', parseDriverName)
    .option('--fixture <file>', 'fixture file of the jig: check its channels, and jog its keys by name')
    .option('--jog', 'press each key of the fixture (or each channel of the board) once, in channel order')
    .option('--jog-ms <ms>', 'how long each jog press lasts', parseMs('--jog-ms'), 300)
    .option('--jog-gap-ms <ms>', 'pause between two jog presses', parseMs('--jog-gap-ms'), 700)
    .option('--json', 'one JSON object on stdout')
    .action(async (opts: DoctorOpts) => {
      const fixture = opts.fixture !== undefined ? loadFixture(opts.fixture) : undefined;
      const driverName = opts.driver ?? 'serial';
      const clock = new RealClock();
      const say = (label: string, text: string): void => {
        if (!opts.json) process.stdout.write(`${label.padEnd(8)} ${text}\n`);
      };
      requirePort(opts.port);
      const driver: BenchDriver = await createPortDriver({ driver: driverName, port: opts.port, clock, ...(fixture ? { fixture } : {}) });

      say('port', `${opts.port} (driver ${driverName})`);
      await driver.open(); // the handshake: a bench failure (exit 4) or a fixture that does not fit (exit 2) ends here
      const info = driver.info;
      const fw = info.firmware;
      say('board', `${fw ? `${fw.name} ${fw.version}, protocol ${fw.protocol}, ` : ''}${info.channels} channels, max hold ${info.maxHoldMs / 1000} s: ok`);
      if (fixture) {
        const needed = channelsNeeded(fixture);
        say('fixture', `${fixture.name}: ${Object.keys(fixture.keys).length} keys on channels up to ${needed - 1}; the board drives ${info.channels}: ok`);
      }

      const abort = new AbortController();
      const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => driver.releaseAll());
      const report: Record<string, unknown> = {
        port: opts.port,
        driver: driverName,
        firmware: fw ?? null,
        channels: info.channels,
        maxHoldMs: info.maxHoldMs,
        fixture: fixture ? { name: fixture.name, source: fixture.source, keys: Object.keys(fixture.keys).length } : null,
      };
      const jogged: (JogStep & { ms: number })[] = [];
      let aborted = false;
      try {
        const signal = abort.signal;
        await driver.setPower(false);
        await sleep(clock, RELAY_OFF_MS, signal);
        await driver.setPower(true);
        await sleep(clock, RELAY_ON_MS, signal);
        await driver.setPower(false);
        say('relay', 'off, on, off: ok (listen for two clicks)');
        report.relay = 'off-on-off';

        const sensor = await driver.readSensor();
        say('sensor', sensor === undefined ? 'none on this driver' : `A0 = ${sensor} of 1023`);
        report.sensor = sensor ?? null;

        if (opts.jog) {
          const plan = jogPlan(fixture, info.channels);
          say('jog', `${plan.length} presses of ${opts.jogMs} ms, ${opts.jogGapMs} ms apart (Ctrl-C stops)`);
          for (const step of plan) {
            signal.throwIfAborted();
            say('', `channel ${String(step.channel).padStart(2)}${step.key !== null ? `  key ${step.key}` : ''}`);
            await driver.press([step.channel], opts.jogMs, signal);
            jogged.push({ ...step, ms: opts.jogMs });
            await sleep(clock, opts.jogGapMs, signal);
          }
        }
      } catch (err) {
        if (!abort.signal.aborted) throw err;
        aborted = true;
      } finally {
        stopInterrupt();
        await driver.close();
      }
      if (opts.jog) report.jog = jogged;
      report.outcome = aborted ? 'aborted' : 'ok';
      if (opts.json) writeJson(report);
      else process.stdout.write(aborted ? 'stopped by Ctrl-C: every solenoid released, relay off\n' : 'all checks passed\n');
      ctx.setExit(aborted ? EXIT.aborted : EXIT.ok);
    });
}
