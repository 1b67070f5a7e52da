import { describe, expect, it } from 'vitest';
import { Catalog, getCatalog } from '../../src/catalog/catalog.js';
import { MODELS } from '../../src/catalog/models.js';
import { ConfigError } from '../../src/errors/errors.js';

const catalog = getCatalog();

describe('catalog lookup', () => {
  it.each([
    ['VVX410', 'vvx-410'],
    ['VVX 410', 'vvx-410'],
    ['vvx-410', 'vvx-410'],
    ['Polycom VVX 410', 'vvx-410'],
    ['IP 335', 'soundpoint-ip-335'],
    ['SoundPoint IP 335', 'soundpoint-ip-335'],
    ['soundpoint-ip-335', 'soundpoint-ip-335'],
    ['SP IP 650', 'soundpoint-ip-650'],
    ['SoundStation IP 6000', 'soundstation-ip-6000'],
    ['IP6000', 'soundstation-ip-6000'],
    ['SoundStation 5000', 'soundstation-ip-5000'],
    ['Conference Phone IP5000', 'soundstation-ip-5000'],
    ['SoundStation Duo', 'soundstation-duo'],
    ['SpectraLink 8440', 'spectralink-8400'],
    ['Trio 8300', 'trio-8300'],
    ['VVX 1500', 'vvx-1500'],
  ])('%s is %s', (typed, id) => {
    expect(catalog.find(typed).id).toBe(id);
  });

  it('an unknown model is a config error naming the nearest models', () => {
    let err: unknown;
    try {
      catalog.find('VVX 4100');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('unknown-model');
    expect(e.oneLine()).toMatch(/unknown model 'VVX 4100'.*nearest: .*VVX 410/);
  });

  it('a name two models share is refused as ambiguous', () => {
    const a = { ...MODELS.find((m) => m.id === 'vvx-410')!, id: 'x-1', name: 'Same', aliases: [] };
    const b = { ...a, id: 'x-2' };
    expect(() => new Catalog([a, b]).find('same')).toThrow(/matches Same and Same/);
  });

  it('no spelling of one model resolves to another', () => {
    for (const m of MODELS) {
      expect(catalog.find(m.name).id).toBe(m.id);
      expect(catalog.find(m.id).id).toBe(m.id);
      for (const a of m.aliases) expect(catalog.find(a).id).toBe(m.id);
    }
  });
});

describe('catalog content follows the seeds', () => {
  const combo = (id: string) => {
    const p = catalog.find(id).procedure;
    return p.kind === 'cancel-combo' ? p.combos.map((c) => c.keys.join('')) : [];
  };

  it('VVX phones hold 1+3+5 (seed 001)', () => {
    for (const n of ['150', '250', '300', '301', '310', '311', '350', '400', '401', '410', '411', '450', '500', '501', '600', '601']) {
      expect(combo(`VVX ${n}`)).toEqual(['135']);
    }
    expect(combo('SpectraLink 8400')).toEqual(['135']);
    expect(combo('Trio 8300')).toEqual(['135']);
  });

  it('SoundPoint IP and VVX 1500 per seeds 000, 001 and 003', () => {
    for (const n of ['320', '321', '330', '331', '335', '430', '450']) expect(combo(`IP ${n}`)).toEqual(['1357']);
    for (const n of ['301', '501', '550', '600', '601', '650', '670']) expect(combo(`IP ${n}`)).toEqual(['468*']);
    expect(combo('VVX 1500')).toEqual(['468*']);
  });

  it('where seeds disagree, every seed-backed combo is tried', () => {
    expect(combo('IP 560')).toEqual(['468*', '1357']);
    expect(combo('SoundStation IP 6000')).toEqual(['68*', '1357']);
    expect(combo('SoundStation IP 5000')).toEqual(['1357', '68*']);
    expect(combo('SoundStation IP 4000')).toEqual(['68*']);
    expect(combo('SoundStation IP 7000')).toEqual(['1357']);
    expect(combo('SoundStation Duo')).toEqual(['1357']);
  });

  it('every model and combo cites a seed', () => {
    for (const m of MODELS) {
      expect(m.sources.length, m.id).toBeGreaterThan(0);
      const p = m.procedure;
      if (p.kind === 'cancel-combo' || p.kind === 'led-combo') for (const c of p.combos) expect(c.sources.join(' '), m.id).toMatch(/seed 00[0-3]/);
    }
  });
});
