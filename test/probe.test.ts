import { it } from 'vitest';
import { simRun } from './machines/helpers.js';
it('probe', async () => {
  for (const [model, seed] of [['IP 560', 3], ['VVX 410', 5]] as const) {
    const { record, truth } = await simRun({ model, mac: '0004f2123abc', seed } as never);
    console.log(model, seed, record.outcome, JSON.stringify(record.attemptLog.map((a) => [a.result, a.failure?.code, a.failure?.reason])), JSON.stringify((truth as any).variant));
  }
});
