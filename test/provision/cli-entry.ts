// resetbot's CLI from the TypeScript sources, for tests that spawn it (`node --import tsx test/provision/cli-entry.ts`).
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
