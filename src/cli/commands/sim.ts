import { writeFileAtomic } from '../../batch/atomic.js';
import { checkOutput, outputError } from '../../batch/outputs.js';
import { Option, type Command } from 'commander';
import { fixtureFor } from '../../bench/jigs.js';
import { getCatalog } from '../../catalog/catalog.js';
import { RealClock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import { DEGRADATIONS, type Degradation } from '../../sim/render/degradations.js';
import type { VirtualBoardKind } from '../../sim/virtual-bench.js';
import { parseMac } from '../../text-entry/mac.js';
import type { CommandContext } from '../main.js';
import { parseSeed } from './reset.js';

interface ServeOpts {
  pty: string;
  firmware?: string | true;
  firmata?: string | true;
  trace?: string;
  truth?: string;
  model: string;
  mac: string;
  fixture?: string;
  seed?: number;
  network?: boolean;
  camera?: number;
  cameraLevel?: string;
  quickBoot?: number;
}

function parseCameraPort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n > 65_535) {
    throw new ConfigError('bad-camera-port', `--camera '${text}' is not a TCP port`, 'give a port from 1 to 65535, or 0 for any free port');
  }
  return n;
}

function parseQuickBoot(text: string): number {
  const k = Number(text);
  if (!(k > 0 && k <= 1)) throw new ConfigError('bad-quick-boot', `--quick-boot '${text}' is not a factor above 0 and at most 1`, 'give e.g. 0.1 (boots ten times faster), or drop it');
  return k;
}

const BOARD_TEXT: Record<VirtualBoardKind, string> = {
  protocol: 'the firmware\'s protocol, simulated',
  firmware: 'resetbot firmware in avr8js',
  firmata: 'StandardFirmata in avr8js (use --driver firmata)',
};

export function registerSim(program: Command, ctx: CommandContext): void {
  const sim = program.command('sim').description('the simulator as a bench: `sim serve` puts a virtual bench on a pseudo-terminal');
  sim
    .command('serve')
    .description('serve a virtual bench (board, jig and simulated phone) on a pseudo-terminal, in real time, until Ctrl-C')
    .requiredOption('--pty <path>', 'where to put the pseudo-terminal, e.g. /tmp/resetbot-bench (open it with --port)')
    .addOption(new Option('--firmware [hex]', 'run resetbot\'s firmware in avr8js (default: firmware/resetbot.hex)').conflicts('firmata'))
    .addOption(new Option('--firmata [hex]', 'run StandardFirmata in avr8js (default: firmware/third-party/StandardFirmata.uno.hex)'))
    .option('--trace <file>', 'write every channel and relay change (and the board\'s events) as JSON lines with their time')
    .option('--truth <file>', 'on exit, write the simulated phone\'s own account (is it at factory defaults?) as JSON')
    .option('--model <model>', 'the phone in the jig', 'VVX 410')
    .option('--mac <mac>', 'the phone\'s real MAC', '0004F2AA814C')
    .option('--fixture <file>', 'fixture file of the jig (default: the model family\'s jig in fixtures/)')
    .option('--seed <n>', 'seed of the simulated phone\'s randomness', parseSeed)
    .option('--camera <port>', 'serve what a camera over the phone\'s display sees, as an MJPEG stream on http://127.0.0.1:PORT/ (0: any free port); watch it with --camera URL', parseCameraPort)
    .option('--camera-level <level>', 'how degraded the simulated camera\'s picture is: none, mild (the default), moderate or severe')
    .option('--quick-boot <factor>', 'the phone\'s boot waits pass this many times faster (0 < k <= 1); never its windows, countdowns or keypad', parseQuickBoot)
    .option('--network', "cable the phone to a network of its own: a namespace and a veth link carrying its MAC, whose bench end a reset reaches with --network (root)")
    .action(async (opts: ServeOpts) => {
      if (opts.trace) checkOutput(opts.trace, '--trace', 'file');
      if (opts.truth) checkOutput(opts.truth, '--truth', 'file');
      const level = (opts.cameraLevel ?? 'mild') as Degradation;
      if (opts.cameraLevel !== undefined && opts.camera === undefined) {
        throw new ConfigError('camera-level-without-camera', '--camera-level describes the served camera, but no --camera was given', 'add --camera PORT (0 for any free port), or drop --camera-level');
      }
      if (!DEGRADATIONS.includes(level)) {
        throw new ConfigError('bad-camera-level', `--camera-level '${opts.cameraLevel}' is not a level`, `give one of ${DEGRADATIONS.join(', ')}`);
      }
      const model = getCatalog().find(opts.model);
      const { mac } = parseMac(opts.mac);
      const fixture = fixtureFor(model, opts.fixture);
      const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
      const board: VirtualBoardKind = opts.firmware !== undefined ? 'firmware' : opts.firmata !== undefined ? 'firmata' : 'protocol';
      const hexPath = typeof opts.firmware === 'string' ? opts.firmware : typeof opts.firmata === 'string' ? opts.firmata : undefined;
      // The emulator (avr8js) and serialport load only when a bench is served.
      const { PtyBenchServer } = await import('../../sim/serve.js');
      const { loadFirmwareHex } = await import('../../sim/avr/board.js');
      const { loadStandardFirmataHex } = await import('../../sim/avr/firmata-uno.js');
      const hex = board === 'firmware' ? loadFirmwareHex(hexPath) : board === 'firmata' ? loadStandardFirmataHex(hexPath) : undefined;

      // The phone's network (a namespace and a veth link, root), made once the bench is up; checked before.
      const netTools = opts.network ? await import('../../sim/net/link.js') : undefined;
      const why = netTools?.netnsUnavailable();
      if (why) throw new BenchError('netns-unavailable', `sim serve --network cannot cable the phone to a network: ${why}`, 'run as root on Linux, or drop --network');
      const clock = new RealClock();
      const server = new PtyBenchServer({
        pty: opts.pty,
        board,
        clock,
        modelId: model.id,
        mac,
        fixture,
        seed,
        ...(hex !== undefined ? { hex } : {}),
        ...(opts.trace ? { trace: opts.trace } : {}),
        ...(opts.quickBoot !== undefined ? { quickBoot: opts.quickBoot } : {}),
      });
      await server.start();
      let camera: Awaited<ReturnType<typeof serveCamera>> | undefined;
      if (opts.camera !== undefined) {
        try {
          camera = await serveCamera(server.virtualBench.phone, clock, { port: opts.camera, level, seed });
        } catch (err) {
          await server.stop();
          throw err;
        }
      }
      let network: { benchIf: string; benchIp: string; prefix: number; stop: () => Promise<void> } | undefined;
      if (netTools) {
        try {
          network = await servePhoneNetwork(netTools, server.virtualBench.phone, clock, mac, seed);
        } catch (err) {
          await camera?.stop();
          await server.stop();
          throw err;
        }
      }
      const driverFlag = board === 'firmata' ? ' --driver firmata' : '';
      const networkFlag = network ? ` --network ${network.benchIf}` : '';
      const cameraFlag = camera ? ` --camera ${camera.url} ${camera.flags}` : '';
      process.stdout.write(
        `virtual bench on ${opts.pty}: ${model.name} (MAC ${mac}, seed ${seed}) in ${fixture.name}; board: ${BOARD_TEXT[board]}\n` +
          (network ? `network: the phone is cabled to ${network.benchIf} (the bench's address ${network.benchIp}/${network.prefix} is on it)\n` : '') +
          (camera ? `camera: ${camera.url} shows the phone's display as a camera over it would (${level}); its calibration: ${camera.flags}\n` : '') +
          `ready: resetbot reset --port ${opts.pty}${driverFlag}${networkFlag}${cameraFlag} --model "${model.name}" --mac ${mac}   (Ctrl-C stops the bench)\n`,
      );

      let stop = (): void => {};
      const failure = await new Promise<string | undefined>((resolve) => {
        stop = () => resolve(undefined);
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        server.onFailure((reason) => resolve(reason));
      });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await network?.stop();
      await camera?.stop();
      const truth = await server.stop();
      if (opts.truth) writeFileAtomic(opts.truth, JSON.stringify({ seed, ...truth }, null, 2) + '\n', 'the --truth file');
      process.stdout.write(
        `stopped: the phone is ${truth.factoryDefaults ? 'at factory defaults' : 'NOT at factory defaults'} (${truth.resets} reset(s), state ${truth.state})\n`,
      );
      if (server.traceError) throw outputError(server.traceError, opts.trace!, 'the --trace file', 'free space, then start the bench again');
      if (failure) throw new BenchError('pty-lost', `the virtual bench stopped: ${failure}`, 'start it again');
      ctx.setExit(0);
    });
}

/** The served phone on its own namespaced link, its network stack (DHCP, provisioning, web server) following it. */
async function servePhoneNetwork(
  tools: typeof import('../../sim/net/link.js'),
  phone: import('../../sim/device.js').SimDevice,
  clock: RealClock,
  mac: string,
  seed: number,
): Promise<{ benchIf: string; benchIp: string; prefix: number; stop: () => Promise<void> }> {
  const { SimNetPhone } = await import('../../sim/net/net-phone.js');
  const link = await tools.createSimLink({ mac });
  const net = new SimNetPhone({ device: phone, clock, link, seed });
  const stop = async (): Promise<void> => {
    await net.stop().catch(() => undefined);
    await link.destroy().catch(() => undefined);
  };
  try {
    await net.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { benchIf: link.benchIf, benchIp: link.benchIp, prefix: link.prefix, stop };
}

/**
 * The served phone seen by a simulated camera, streamed as MJPEG over HTTP: the URL, and the calibration flags a
 * technician would give for that mount (the display's corners and the LEDs' points, a pixel or so off).
 */
async function serveCamera(
  phone: import('../../sim/device.js').SimDevice,
  clock: import('../../clock/clock.js').Clock,
  opts: { port: number; level: Degradation; seed: number },
): Promise<{ url: string; flags: string; stop: () => Promise<void> }> {
  const [{ SimCamera }, { serveMjpeg }] = await Promise.all([import('../../sim/render/camera.js'), import('../../sim/render/mjpeg.js')]);
  const camera = new SimCamera(phone, clock, { seed: `${opts.seed}:camera`, level: opts.level });
  const cal = camera.calibration();
  await camera.start();
  let server: Awaited<ReturnType<typeof serveMjpeg>>;
  try {
    server = await serveMjpeg(camera, { port: opts.port });
  } catch (err) {
    await camera.stop();
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('camera-port', `--camera cannot listen on port ${opts.port}: ${code ?? (err as Error).message}`, 'choose another port, or 0 for any free port');
  }
  const px = (n: number) => String(Math.round(n));
  const flags = [
    `--screen ${cal.corners.map((p) => `${px(p.x)},${px(p.y)}`).join(',')}`,
    ...Object.entries(cal.leds).map(([name, p]) => `--led ${name}=${px(p.x)},${px(p.y)}`),
  ].join(' ');
  return {
    url: server.url,
    flags,
    async stop() {
      await server.stop();
      await camera.stop();
    },
  };
}
