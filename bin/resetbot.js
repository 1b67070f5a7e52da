#!/usr/bin/env node
// The resetbot command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/cli/main.js';

// A batch runs for hours over up to 100,000 phones: V8's heuristics for a small heap (it collects sooner rather than
// growing the heap) keep its peak memory flat (bench/batch.ts: 100,000 phones in about 140 MB instead of 218 MB, for
// about the same CPU). Set before the batch allocates anything; other commands keep V8's defaults.
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (command === 'batch') setFlagsFromString('--optimize-for-size');

// Output piped into a reader that stops early (`resetbot models | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
