import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/resetbot.js', import.meta.url));

/** Median wall time of `node ARGS`, ms (a few warm-up runs first: the file cache, not the code, is then the same). */
function median(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    if (i >= 2) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Start-up: `resetbot --help` and `resetbot plan` against a bare `node -e 0`, in the same run (the built command in
 * dist/: `npm run bench` builds it first). Goal: within 2x of bare node. Runs interleaved, so a load change on the
 * machine reaches all three alike.
 */
export function benchStartup(runs = 15): void {
  const plan = [BIN, 'plan', '--model', 'VVX 410', '--mac', '0004F2AA814C'];
  const node: number[] = [];
  const help: number[] = [];
  const planned: number[] = [];
  for (let i = 0; i < 3; i++) {
    node.push(median(['-e', '0'], runs / 3));
    help.push(median([BIN, '--help'], runs / 3));
    planned.push(median(plan, runs / 3));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  const base = med(node);
  console.log(`start-up: median of ${runs} runs each, interleaved (goal: within 2x of a bare node start)`);
  console.log(`  bare node -e 0          ${base.toFixed(0).padStart(5)} ms  1.00x`);
  console.log(`  resetbot --help         ${med(help).toFixed(0).padStart(5)} ms  ${(med(help) / base).toFixed(2)}x`);
  console.log(`  resetbot plan ...       ${med(planned).toFixed(0).padStart(5)} ms  ${(med(planned) / base).toFixed(2)}x`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchStartup();
