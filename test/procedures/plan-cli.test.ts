import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import { runCli } from '../provision/cli.js';

/** One model of each kind of procedure that types no password, and one the catalog has no procedure for. */
const silent = [...new Map(getCatalog().models.filter((m) => m.procedure.kind !== 'cancel-combo' && m.procedure.kind !== 'led-combo').map((m) => [m.procedure.kind, m])).values()];

describe('resetbot plan for a model whose procedure types no password', () => {
  it('covers every such kind of procedure in the catalog', () => {
    expect(silent.map((m) => m.procedure.kind).sort()).toEqual(expect.arrayContaining(['power-on-hold', 'touch-hold', 'unsupported']));
  });

  it.each(silent.map((m) => [m.procedure.kind, m.name] as const))('%s (%s): one line naming the model and saying it types nothing, exit 2', async (kind, name) => {
    const r = await runCli(['plan', '--model', name, '--mac', '0004f2aa814c']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(lines[0]).toMatch(/types no password/);
    if (kind !== 'unsupported') expect(lines[0]).toContain(`${kind} procedure`);
  });

  it('a model whose procedure types the MAC (Edge E, led-combo) still gets its plan', async () => {
    const r = await runCli(['plan', '--model', 'Edge E350', '--mac', '64167f0a1b2c', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ text: '64167f0a1b2c' });
  });
});
