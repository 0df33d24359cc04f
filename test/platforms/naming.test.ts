import { describe, expect, it } from 'vitest';
import { NamingConvention } from '../../src/platforms/naming.js';

describe('naming convention', () => {
  const n = new NamingConvention();
  it.each([
    ['Acme_DE_Sneakers_Prospecting_Q4', 'DE', 'Sneakers'],
    ['ACME | FR | Running | Retargeting', 'FR', 'Running'],
    ['Acme-uk-Trail-Search', 'UK', 'Trail'],
    ['Acme NL Basketball', 'NL', 'Basketball'],
    ['Acme_USA_Running Shoes_Broad', 'USA', 'Running Shoes'],
  ])('reads %s', (name, market, product) => {
    expect(n.parse(name)).toEqual({ market, product, problem: null });
  });

  it('says why a name does not parse, without throwing', () => {
    const p = n.parse('BF26 Football');
    expect(p.market === null || p.product === null).toBe(true);
    expect(p.problem).toMatch(/naming convention/);
  });

  it('takes a custom pattern with named groups, and refuses one without', () => {
    const custom = new NamingConvention(String.raw`^(?<product>\w+)\.(?<market>\w\w)$`);
    expect(custom.parse('Shoes.de')).toEqual({ market: 'DE', product: 'Shoes', problem: null });
    expect(() => new NamingConvention('^(\\w+)$')).toThrow(/named groups/);
  });
});
