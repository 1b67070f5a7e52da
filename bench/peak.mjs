// Preloaded (node --import) into a `resetbot` process the batch bench measures: at exit it writes the process's own
// peak RSS (maxRSS), CPU time and fsync calls as JSON to the file named by RESETBOT_BENCH_PEAK. Plain JavaScript, so
// that no TypeScript loader runs in the measured process (it is the built CLI, as an operator runs it).
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

let fsyncs = 0;
const fsyncSync = fs.fsyncSync;
fs.fsyncSync = function (...args) {
  fsyncs++;
  return fsyncSync.apply(this, args);
};
syncBuiltinESMExports();

process.on('exit', () => {
  const r = process.resourceUsage();
  const out = process.env.RESETBOT_BENCH_PEAK;
  if (out) fs.writeFileSync(out, JSON.stringify({ maxRssMb: r.maxRSS / 1024, cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000, fsyncs }));
});
