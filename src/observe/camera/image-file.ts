/**
 * Image files to rasters and back (PNG, JPEG, WebP, GIF, BMP: whatever @napi-rs/canvas decodes).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { ConfigError } from '../../errors/errors.js';
import type { Raster } from '../../image/raster.js';

export async function readImageFile(path: string): Promise<Raster> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ConfigError('no-image', `cannot read image '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'give the path of a PNG or JPEG file');
  }
  return decodeImage(bytes, path);
}

export async function decodeImage(bytes: Buffer, name = 'image'): Promise<Raster> {
  let image: Awaited<ReturnType<typeof loadImage>>;
  try {
    image = await loadImage(bytes);
  } catch {
    throw new ConfigError('bad-image', `'${name}' is not an image resetbot can decode`, 'give a PNG, JPEG, WebP, GIF or BMP file');
  }
  const canvas = createCanvas(image.width, image.height);
  const g = canvas.getContext('2d');
  g.drawImage(image, 0, 0);
  const data = g.getImageData(0, 0, image.width, image.height).data;
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** A raster as PNG bytes. */
export function encodePng(r: Raster): Buffer {
  const canvas = createCanvas(r.width, r.height);
  const g = canvas.getContext('2d');
  const id = g.createImageData(r.width, r.height);
  id.data.set(r.data);
  g.putImageData(id, 0, 0);
  return canvas.toBuffer('image/png');
}

export async function writePng(r: Raster, path: string): Promise<void> {
  await writeFile(path, encodePng(r));
}
