/**
 * `npm run bench`: prints the figures the issues ask for. Benchmarks print; they never assert on time.
 */
import { benchStartup } from './startup.js';
import { benchPlanner } from './planner.js';
import { benchResets } from './resets.js';
import { benchTimeline } from './timeline.js';
import { benchBatch } from './batch.js';
import { benchFirmware } from './firmware.js';
import { benchFirmata } from './firmata.js';
import { benchNetwork } from './network.js';
import { benchCamera } from './camera.js';
import { benchCameraOutcomes } from './camera-outcomes.js';

async function main(): Promise<void> {
  benchStartup();
  console.log();
  benchPlanner();
  console.log();
  await benchResets();
  console.log();
  await benchTimeline();
  console.log();
  await benchBatch();
  console.log();
  await benchFirmware();
  console.log();
  await benchFirmata();
  console.log();
  await benchNetwork();
  console.log();
  await benchCamera();
  console.log();
  await benchCameraOutcomes();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
