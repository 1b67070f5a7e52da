// Every test's runs (reset, reboot, provision and batches keep their records) go to a temporary folder, not to the
// repository's ./resetbot-runs: set once per test worker, inherited by the CLI processes the tests start.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.RESETBOT_RUNS) process.env.RESETBOT_RUNS = mkdtempSync(join(tmpdir(), 'resetbot-test-runs-'));
