/**
 * The simulated camera as a network camera: its frames as an MJPEG stream over HTTP (multipart/x-mixed-replace, the
 * way most IP cameras and `mjpg-streamer` serve a USB camera), so a bench served by `sim serve` can be watched by
 * resetbot's real capture path: ffmpeg reads the URL, the reader reads the frames. Each frame is a JPEG (a network
 * camera's compression artefacts included).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCanvas } from '@napi-rs/canvas';
import type { Frame } from '../../image/frames.js';
import type { Raster } from '../../image/raster.js';
import type { SimCamera } from './camera.js';

const BOUNDARY = 'resetbot-sim-frame';

/** A raster as JPEG bytes (quality 0-100). */
export function encodeJpeg(r: Raster, quality = 85): Promise<Buffer> {
  const canvas = createCanvas(r.width, r.height);
  const g = canvas.getContext('2d');
  const id = g.createImageData(r.width, r.height);
  id.data.set(r.data);
  g.putImageData(id, 0, 0);
  return canvas.encode('jpeg', quality);
}

export interface MjpegServer {
  /** e.g. http://127.0.0.1:8090/ */
  readonly url: string;
  /** Clients watching now. */
  readonly clients: number;
  stop(): Promise<void>;
}

/**
 * Serves `camera`'s frames on http://HOST:PORT/ (port 0: any free port). The camera must be started by the caller;
 * frames are encoded only while someone watches. A client that cannot keep up is sent the next frame when it has
 * drained the last (a camera drops frames; it does not queue them).
 */
export async function serveMjpeg(camera: SimCamera, opts: { port: number; host?: string; quality?: number }): Promise<MjpegServer> {
  const host = opts.host ?? '127.0.0.1';
  const watchers = new Set<ServerResponse>();
  let encoding = false;
  const send = async (frame: Frame): Promise<void> => {
    if (watchers.size === 0 || encoding) return;
    encoding = true;
    try {
      const jpeg = await encodeJpeg(frame.raster, opts.quality);
      const part = Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`),
        jpeg,
        Buffer.from('\r\n'),
      ]);
      for (const res of watchers) if (!res.writableNeedDrain) res.write(part);
    } finally {
      encoding = false;
    }
  };
  const off = camera.onFrame((frame) => void send(frame));
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('the camera is at /\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      'Cache-Control': 'no-cache, no-store',
      Connection: 'close',
    });
    watchers.add(res);
    const gone = () => watchers.delete(res);
    res.on('close', gone);
    res.on('error', gone);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    get clients() {
      return watchers.size;
    },
    async stop() {
      off();
      for (const res of watchers) res.end();
      watchers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
