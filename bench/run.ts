/**
 * `npm run bench`: prints the figures the issues ask for. Benchmarks print; they never assert on time.
 */
import { benchPlanner } from './planner.js';
import { benchResets } from './resets.js';

async function main(): Promise<void> {
  benchPlanner();
  console.log();
  await benchResets();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
