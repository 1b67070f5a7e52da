import type { Command } from 'commander';
import type { Point, Quad } from '../../image/raster.js';
import { parseCorners, parseLedPoint, parseSoftkeys } from '../../observe/camera/calibration.js';
import { readImageFile } from '../../observe/camera/image-file.js';
import { softkeyCount } from '../../observe/camera/models.js';
import { sharedOcr, stopSharedOcr } from '../../observe/camera/ocr.js';
import { readFrame } from '../../observe/camera/reader.js';
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

export function registerCamera(program: Command, _ctx: CommandContext): void {
  const camera = program.command('camera').description("the camera over a phone's display: read a frame");
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
    if (opts.model !== undefined) softkeys = softkeyCount(chooseModel(opts.model, opts.profiles).model.family);
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
