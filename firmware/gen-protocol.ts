// Writes the firmware's generated headers (errors.h, version.h) from src/protocol/. Run: `npm run gen:protocol`
// (tsx firmware/gen-protocol.ts), then rebuild the firmware with firmware/build.sh.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedHeaders } from '../src/protocol/header.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, text] of Object.entries(generatedHeaders())) {
  writeFileSync(join(root, path), text);
  console.log(`wrote ${path}`);
}
