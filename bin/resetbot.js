#!/usr/bin/env node
// The resetbot command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { main } from '../dist/cli/main.js';

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
