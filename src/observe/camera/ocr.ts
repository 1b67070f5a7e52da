/**
 * Text recognition: tesseract.js (LSTM engine) with its English data from the @tesseract.js-data/eng package, read
 * from disk (never fetched: langPath is a local folder, cacheMethod 'none' writes nothing). One pool of workers per
 * process, shared by every station: a worker costs ~0.4 s to start and tens of MB, and reads one image at a time.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { createScheduler, createWorker, OEM, PSM, type Scheduler } from 'tesseract.js';
import { BenchError } from '../../errors/errors.js';

export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0..100. */
  confidence: number;
  bbox: OcrBox;
}

export interface OcrLine {
  text: string;
  confidence: number;
  bbox: OcrBox;
  words: OcrWord[];
}

export interface OcrPool {
  /** Reads one image (PNG, JPEG, PGM... as a file's bytes) as a block of text lines. */
  read(image: Buffer): Promise<OcrLine[]>;
  readonly workers: number;
  terminate(): Promise<void>;
}

/** The folder of the LSTM ("best_int") English data, inside the installed @tesseract.js-data/eng package. */
export function engDataPath(): string {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
  } catch {
    throw new BenchError('no-ocr-data', 'the OCR language data (@tesseract.js-data/eng) is not installed', "run 'npm ci' in resetbot's folder");
  }
  if (!existsSync(join(dir, 'eng.traineddata.gz'))) {
    throw new BenchError('no-ocr-data', `the OCR language data is missing from ${dir}`, "run 'npm ci' in resetbot's folder");
  }
  return dir;
}

interface TessBlock {
  paragraphs: { lines: { text: string; confidence: number; bbox: OcrBox; words: { text: string; confidence: number; bbox: OcrBox }[] }[] }[];
}

async function startPool(size: number): Promise<OcrPool> {
  const langPath = engDataPath();
  const scheduler: Scheduler = createScheduler();
  const workers = await Promise.all(
    Array.from({ length: size }, async () => {
      const w = await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' });
      // The reader gives dark text on light only: tesseract's second pass over each line as inverted text (its default,
      // tessedit_do_invert) would find nothing and cost about a third of the time a read takes.
      await w.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_BLOCK, preserve_interword_spaces: '0', tessedit_do_invert: '0', textord_noise_rejrows: '0' });
      return w;
    }),
  );
  for (const w of workers) scheduler.addWorker(w);
  return {
    workers: size,
    async read(image: Buffer): Promise<OcrLine[]> {
      const result = (await scheduler.addJob('recognize', image, {}, { text: false, blocks: true })) as unknown as { data: { blocks: TessBlock[] | null } };
      const lines: OcrLine[] = [];
      for (const block of result.data.blocks ?? []) {
        for (const para of block.paragraphs) {
          for (const line of para.lines) {
            lines.push({
              text: line.text.trim(),
              confidence: line.confidence,
              bbox: line.bbox,
              words: line.words.map((w) => ({ text: w.text, confidence: w.confidence, bbox: w.bbox })),
            });
          }
        }
      }
      return lines;
    },
    async terminate(): Promise<void> {
      await scheduler.terminate();
    },
  };
}

let shared: Promise<OcrPool> | undefined;

/** Workers in the shared pool: RESETBOT_OCR_WORKERS, else 1 (a 2-core host reads ~10 frames/s with one). */
function poolSize(): number {
  const n = Number(process.env.RESETBOT_OCR_WORKERS ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 16 ? n : 1;
}

/** The process's one OCR pool, started on first use. */
export function sharedOcr(): Promise<OcrPool> {
  if (!shared) {
    shared = startPool(poolSize());
    shared.catch(() => (shared = undefined));
  }
  return shared;
}

/** Stops the shared pool (end of a run, end of a test file). */
export async function stopSharedOcr(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await (await p).terminate();
}
