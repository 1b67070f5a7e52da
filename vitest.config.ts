import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at once even on two cores (vitest's default there is one): half the suite's time waits on real time
    // (pseudo-terminals, dnsmasq, ffmpeg, paced batches), and a file that waits leaves its core to the other.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
