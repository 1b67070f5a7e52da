import { fileURLToPath } from 'node:url';

/**
 * The built `resetbot` command (bin/resetbot.js over dist/): tests that spawn the CLI run it as a user would. `npm
 * test` builds dist/ first; after a change to src/, run `npm run build` before running such a test file alone.
 */
export const BIN = fileURLToPath(new URL('../../bin/resetbot.js', import.meta.url));
