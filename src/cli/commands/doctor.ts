import type { Command } from 'commander';
import { loadFixture, type Fixture } from '../../bench/fixture.js';
import { channelsNeeded, createPortDriver, parseDriverName, type PortDriverName } from '../../bench/open.js';
import type { BenchDriver } from '../../bench/types.js';
import type { Observer } from '../../bench/types.js';
import { getCatalog } from '../../catalog/catalog.js';
import type { PhoneModel } from '../../catalog/types.js';
import { RealClock, sleep, type Clock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import { describeSeen, isDialPadKey, pressWatched, type JogSeen } from '../../observe/jog-check.js';
import { readScreen } from '../../observe/meaning.js';
import { stopOcrIfLoaded } from '../../observe/ocr-loaded.js';
import { nextScreen, screenObserverOf } from '../../observe/screen-observer.js';
import { cameraFor } from './camera-option.js';
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
  camera?: string;
  screen?: string;
  softkeys?: string;
  led?: string[];
  model?: string;
  jogSettleMs: number;
}

/** How long a jog press waits, by default, for the camera to show what it did (a camera shows it some frames later). */
const JOG_SETTLE_MS = 1_500;

/** How long the relay stays in each position of its click test. */
const RELAY_OFF_MS = 300;
const RELAY_ON_MS = 1000;

function parseMs(flag: string, example: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new ConfigError('bad-duration', `${flag} '${value}' is not a whole number of milliseconds`, `give a number such as ${example}`);
    }
    return Number(value);
  };
}

interface JogStep {
  channel: number;
  key: string | null;
}

/** Waits (real time) until the camera shows the model's idle screen, within its reboot timeout. */
async function untilIdle(observer: Observer, model: PhoneModel, clock: Clock, signal: AbortSignal): Promise<void> {
  const idle = await nextScreen(observer, clock, (s) => readScreen(s, model.screens).kind === 'idle', model.timing.rebootTimeoutMs, signal);
  if (!idle) {
    throw new BenchError(
      'no-idle-screen',
      `the camera did not see the ${model.name}'s idle screen within ${Math.round(model.timing.rebootTimeoutMs / 1000)} s of switching it on`,
      'check that the phone boots, and the camera\'s aim with `resetbot camera snapshot`',
    );
  }
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
    .option('--jog-ms <ms>', 'how long each jog press lasts', parseMs('--jog-ms', 300), 300)
    .option('--jog-gap-ms <ms>', 'pause between two jog presses', parseMs('--jog-gap-ms', 700), 700)
    .option('--camera <source>', "with --jog: the camera over the display (as reset's): the phone is switched on, and each key is checked against what its idle screen shows")
    .option('--screen <corners>', "with --camera: the display's corners in the camera's pixels, clockwise from the top-left: x1,y1,...,x4,y4")
    .option('--softkeys <n>', "with --camera: softkey cells at the bottom of the display (default: the model's count)")
    .option('--led <name=x,y>', 'with --camera: an LED to watch at a pixel position (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--model <name>', "with --camera: the phone's model (the words of its idle screen)")
    .option('--jog-settle-ms <ms>', 'with --camera: how long each press waits for the screen to show it', parseMs('--jog-settle-ms', JOG_SETTLE_MS), JOG_SETTLE_MS)
    .option('--json', 'one JSON object on stdout')
    .action(async (opts: DoctorOpts) => {
      const fixture = opts.fixture !== undefined ? loadFixture(opts.fixture) : undefined;
      // A camera jog is checked before anything moves: it presses keys by name, on the phone's idle screen.
      const model = opts.model !== undefined ? getCatalog().find(opts.model) : undefined;
      if (opts.camera !== undefined) {
        const missing = !opts.jog ? '--jog' : !fixture ? '--fixture' : !model ? '--model' : undefined;
        if (missing) {
          throw new ConfigError('camera-jog', `--camera checks the jog's key presses: it needs ${missing}`, `add ${missing}${missing === '--model' ? ' NAME (the phone in the jig)' : missing === '--fixture' ? ' FILE (the jig, to press its keys by name)' : ''}`);
        }
      } else if (opts.model !== undefined) {
        throw new ConfigError('model-without-camera', '--model is for a camera jog: doctor checks the board, not a phone', 'add --jog --camera SOURCE, or drop --model');
      }
      const clock = new RealClock();
      const driverName = opts.driver ?? 'serial';
      const say = (label: string, text: string): void => {
        if (!opts.json) process.stdout.write(`${label.padEnd(8)} ${text}\n`);
      };
      requirePort(opts.port);
      // The camera first: a missing ffmpeg or a source that gives no frame is one line before anything moves.
      const abort = new AbortController();
      let cameraFailure: BenchError | undefined;
      const camera = await cameraFor(opts, model, clock);
      if (camera) {
        // A camera that stops delivering ends the doctor as a bench failure, everything released.
        camera.onFailure((err) => {
          cameraFailure ??= err;
          abort.abort(err);
        });
        await camera.start();
      }
      const closeCamera = async (): Promise<void> => {
        await camera?.stop();
        await stopOcrIfLoaded();
      };
      let driver: BenchDriver;
      try {
        driver = await createPortDriver({ driver: driverName, port: opts.port, clock, ...(fixture ? { fixture } : {}) });
        say('port', `${opts.port} (driver ${driverName})`);
        await driver.open(); // the handshake: a bench failure (exit 4) or a fixture that does not fit (exit 2) ends here
      } catch (err) {
        await closeCamera();
        throw err;
      }
      const info = driver.info;
      const fw = info.firmware;
      say('board', `${fw ? `${fw.name} ${fw.version}, protocol ${fw.protocol}, ` : ''}${info.channels} channels, max hold ${info.maxHoldMs / 1000} s: ok`);
      if (fixture) {
        const needed = channelsNeeded(fixture);
        say('fixture', `${fixture.name}: ${Object.keys(fixture.keys).length} keys on channels up to ${needed - 1}; the board drives ${info.channels}: ok`);
      }

      const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => driver.releaseAll());
      const report: Record<string, unknown> = {
        port: opts.port,
        driver: driverName,
        firmware: fw ?? null,
        channels: info.channels,
        maxHoldMs: info.maxHoldMs,
        fixture: fixture ? { name: fixture.name, source: fixture.source, keys: Object.keys(fixture.keys).length } : null,
      };
      const jogged: (JogStep & { ms: number; seen?: JogSeen })[] = [];
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

        let observer: Observer | undefined;
        if (camera && model) {
          observer = screenObserverOf(camera);
          await driver.setPower(true);
          say('phone', `switched on: waiting for the ${model.name}'s idle screen (up to ${Math.round(model.timing.rebootTimeoutMs / 1000)} s)`);
          await untilIdle(observer, model, clock, signal);
          say('phone', 'at its idle screen: each key is checked against what the screen shows');
        }

        if (opts.jog) {
          const plan = jogPlan(fixture, info.channels);
          say('jog', `${plan.length} presses of ${opts.jogMs} ms, ${opts.jogGapMs} ms apart (Ctrl-C stops)`);
          for (const step of plan) {
            signal.throwIfAborted();
            const name = `channel ${String(step.channel).padStart(2)}${step.key !== null ? `  key ${step.key}` : ''}`;
            const press = () => driver.press([step.channel], opts.jogMs, signal);
            if (observer) {
              const seen = await pressWatched({ observer, clock, key: step.key, press, settleMs: opts.jogSettleMs, signal });
              say('', `${name}  ${describeSeen(step.key, seen)}`);
              jogged.push({ ...step, ms: opts.jogMs, seen });
            } else {
              say('', name);
              await press();
              jogged.push({ ...step, ms: opts.jogMs });
            }
            await sleep(clock, opts.jogGapMs, signal);
          }
        }
        if (observer) await driver.setPower(false);
      } catch (err) {
        if (!abort.signal.aborted || cameraFailure) throw cameraFailure ?? err;
        aborted = true;
      } finally {
        stopInterrupt();
        await closeCamera();
        await driver.close();
      }
      if (opts.jog) report.jog = jogged;
      // A dial-pad key that did not show its own character is a jig to fix (a solenoid off its key, crossed channels).
      const wrong = jogged.filter((j) => j.seen && isDialPadKey(j.key) && j.seen.verdict !== 'shown');
      report.outcome = aborted ? 'aborted' : wrong.length > 0 ? 'jog-failed' : 'ok';
      if (opts.json) writeJson(report);
      else if (aborted) process.stdout.write('stopped by Ctrl-C: every solenoid released, relay off\n');
      else if (wrong.length > 0) process.stdout.write(`${wrong.length} key${wrong.length === 1 ? '' : 's'} to check on the jig: ${wrong.map((j) => j.key).join(', ')} (see above)\n`);
      else process.stdout.write('all checks passed\n');
      ctx.setExit(aborted ? EXIT.aborted : wrong.length > 0 ? EXIT.bench : EXIT.ok);
    });
}
