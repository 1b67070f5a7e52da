/**
 * Whether this process loaded the camera's OCR reader. main stops the shared OCR workers after a command, but loading
 * the reader (tesseract.js) only to stop it would cost every command its start-up time: the modules that start a
 * reader say so here first.
 */
let loaded = false;

export function noteOcrLoaded(): void {
  loaded = true;
}

export async function stopOcrIfLoaded(): Promise<void> {
  if (!loaded) return;
  const { stopSharedOcr } = await import('./camera/ocr.js');
  await stopSharedOcr().catch(() => {});
}

/** The simulated camera (renderer, reader, OCR), loaded by the runs that ask for one (--sim-camera, a station's sim.camera). */
export async function loadSimCamera(): Promise<typeof import('./camera/sim.js')> {
  noteOcrLoaded();
  return import('./camera/sim.js');
}
