// Runs resetbot's CLI from the TypeScript sources, as bin/resetbot.js runs it from dist/: the tests spawn it with
// `node --import tsx test/batch/cli-entry.ts batch ...` so they need no build.
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
