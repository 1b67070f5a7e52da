import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadStationFile, type StationSpec } from '../../batch/stations.js';
import { RealClock } from '../../clock/clock.js';
import { BenchError, ConfigError } from '../../errors/errors.js';
import type { Raster } from '../../image/raster.js';
import { drawRegions, findDisplay } from '../../observe/camera/calibrate.js';
import { FfmpegCamera } from '../../observe/camera/capture.js';
import { writePng } from '../../observe/camera/image-file.js';
import type { Point, Quad } from '../../image/raster.js';
import { parseCorners, parseLedPoint, parseSoftkeys } from '../../observe/camera/calibration.js';
import { readImageFile } from '../../observe/camera/image-file.js';
import { softkeyCount } from '../../observe/camera/models.js';
import { sharedOcr, stopSharedOcr } from '../../observe/camera/ocr.js';
import { readFrame } from '../../observe/camera/reader.js';
import { noteOcrLoaded } from '../../observe/ocr-loaded.js';
import type { CommandContext } from '../main.js';
import { addProfilesOption, chooseModel } from '../profiles-option.js';

interface ReadOpts {
  screen?: string;
  softkeys?: string;
  model?: string;
  led?: string[];
  json?: boolean;
  profiles?: string;
}

/** One frame from a station's camera (or an image file). */
async function grabFrame(opts: { image?: string; station?: string; stations?: string }): Promise<{ frame: Raster; station?: StationSpec }> {
  if (opts.image !== undefined) {
    const station = opts.station !== undefined ? findStation(opts) : undefined;
    return { frame: await readImageFile(opts.image), ...(station ? { station } : {}) };
  }
  const station = findStation(opts);
  if (!station.camera) throw new ConfigError('no-camera', `station ${station.name} has no "camera" section`, 'add one with its "source" (e.g. /dev/video0)');
  const clock = new RealClock();
  const cam = new FfmpegCamera({ source: station.camera.source, clock });
  const first = new Promise<Raster>((resolve, reject) => {
    cam.onFrame((f) => resolve(f.raster));
    cam.onError(reject);
    setTimeout(() => reject(new BenchError('camera-stalled', `camera ${station.camera!.source} delivered no frame in 10 s`, 'check the camera, its cable and its source')), 10_000).unref();
  });
  try {
    await cam.start();
    return { frame: await first, station };
  } finally {
    await cam.stop();
  }
}

function findStation(opts: { station?: string; stations?: string }): StationSpec {
  if (opts.station === undefined || opts.stations === undefined) {
    throw new ConfigError('no-station', 'which camera? give --station NAME and --stations FILE (or an image file)', 'e.g. --station left-1 --stations stations.json');
  }
  const all = loadStationFile(opts.stations);
  const s = all.find((x) => x.name === opts.station);
  if (!s) throw new ConfigError('unknown-station', `station file ${opts.stations} has no station '${opts.station}'`, `use one of: ${all.map((x) => x.name).join(', ')}`);
  return s;
}

export function registerCamera(program: Command, _ctx: CommandContext): void {
  // This module loads the OCR reader: main stops its workers after the command.
  noteOcrLoaded();
  const camera = program.command('camera').description("the camera over a phone's display: read a frame, see the calibrated regions, find the display");
  camera
    .command('snapshot')
    .description("save one frame of a station's camera with its calibrated regions drawn on it (display outline, softkey cells, LED points)")
    .requiredOption('--out <file>', 'the PNG to write')
    .option('--station <name>', 'the station')
    .option('--stations <file>', 'the station file')
    .option('--image <file>', 'draw on this image instead of a frame from the camera')
    .action(async (opts: { out: string; station?: string; stations?: string; image?: string }) => {
      const { frame, station } = await grabFrame(opts);
      const cal = station?.camera;
      if (!cal?.corners) {
        await writePng(frame, opts.out);
        process.stdout.write(`${opts.out}: the frame as the camera sees it; no corners are calibrated yet (run 'resetbot camera calibrate')\n`);
        return;
      }
      writeFileSync(opts.out, drawRegions(frame, { corners: cal.corners, softkeys: cal.softkeys ?? 4, leds: cal.leds }));
      process.stdout.write(`${opts.out}: green = the display, yellow = the softkey cells, magenta = the LEDs: each should sit on what it names\n`);
    });
  camera
    .command('calibrate [image]')
    .description("set a camera's corners: from given coordinates, or by finding the bright display rectangle; prints the station's camera section")
    .option('--station <name>', 'the station whose camera to use (with --stations)')
    .option('--stations <file>', 'the station file')
    .option('--corners <corners>', 'the corners, when known: x1,y1,...,x4,y4 clockwise from the top-left')
    .option('--softkeys <n>', 'softkey cells at the bottom of the display (default 4)')
    .option('--out <file>', 'also write the frame with the regions drawn on it')
    .option('--json', 'one JSON object on stdout')
    .action(async (image: string | undefined, opts: { station?: string; stations?: string; corners?: string; softkeys?: string; out?: string; json?: boolean }) => {
      const { frame, station } = await grabFrame({ ...opts, ...(image !== undefined ? { image } : {}) });
      const corners = opts.corners !== undefined ? parseCorners(opts.corners, '--corners') : findDisplay(frame);
      if (!corners) {
        throw new ConfigError('no-display-found', 'no bright display stands out on the frame', 'light the display (power the phone) or give --corners x1,y1,...,x4,y4');
      }
      const softkeys = opts.softkeys !== undefined ? parseSoftkeys(opts.softkeys) : (station?.camera?.softkeys ?? 4);
      const section = {
        source: station?.camera?.source ?? image ?? '',
        corners: corners.flatMap((p) => [Math.round(p.x), Math.round(p.y)]),
        softkeys,
        ...(station?.camera?.leds ? { leds: Object.fromEntries(Object.entries(station.camera.leds).map(([n, p]) => [n, [p.x, p.y]])) } : {}),
      };
      if (opts.out !== undefined) writeFileSync(opts.out, drawRegions(frame, { corners, softkeys, leds: station?.camera?.leds }));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ camera: section }) + '\n');
        return;
      }
      process.stdout.write(`${opts.corners !== undefined ? 'corners as given' : 'display found'}; the station's camera section:\n`);
      process.stdout.write(JSON.stringify({ camera: section }, null, 2) + '\n');
      if (opts.out !== undefined) process.stdout.write(`${opts.out}: check that the green outline sits on the display's edges\n`);
    });
  const read = camera
    .command('read <image>')
    .description('read one image: whether the display is lit, its text lines, softkey labels and LEDs')
    .option('--screen <corners>', "the display's corners in image pixels, clockwise from the top-left: x1,y1,x2,y2,x3,y3,x4,y4 (default: the image is the display)")
    .option('--softkeys <n>', "softkey cells at the bottom of the display (default: the model's count, or 4)")
    .option('--model <model>', 'phone model, for its softkey count')
    .option('--led <name=x,y>', 'an LED to sample at a pixel position (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'one JSON object on stdout');
  addProfilesOption(read).action(async (image: string, opts: ReadOpts) => {
    const corners: Quad | undefined = opts.screen === undefined ? undefined : parseCorners(opts.screen);
    let softkeys = 4;
    if (opts.model !== undefined) softkeys = softkeyCount((await chooseModel(opts.model, opts.profiles)).model.family);
    if (opts.softkeys !== undefined) softkeys = parseSoftkeys(opts.softkeys);
    const leds: Record<string, Point> = Object.fromEntries((opts.led ?? []).map(parseLedPoint));
    const frame = await readImageFile(image);
    try {
      const ocr = await sharedOcr();
      const r = await readFrame(frame, ocr, { corners, softkeys, leds });
      const out = { lit: r.lit, lines: r.lines, softkeys: r.softkeys, leds: r.leds, confidence: r.confidence, ms: r.ms };
      if (opts.json) {
        process.stdout.write(JSON.stringify(out) + '\n');
        return;
      }
      process.stdout.write(`display: ${r.lit ? 'lit' : 'dark'} (confidence ${r.confidence}, ${r.ms} ms)\n`);
      for (const line of r.lines) process.stdout.write(`  | ${line}\n`);
      if (r.softkeys.some((s) => s !== '')) process.stdout.write(`softkeys: ${r.softkeys.map((s) => `[${s}]`).join(' ')}\n`);
      for (const [name, state] of Object.entries(r.leds)) process.stdout.write(`led ${name}: ${state}\n`);
    } finally {
      await stopSharedOcr();
    }
  });
}
