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

  // Per separator: brand, market (2–3 letters), product = the third part only; whatever follows is ignored.
  describe.each([
    {
      separator: 'underscore',
      cases: [
        ['Acme_DE_Sneakers_Prospecting_Q4', 'DE', 'Sneakers'],
        ['Acme_DE_Sneakers', 'DE', 'Sneakers'],
        ['BRX_DE_Garden_Holiday2026_Stories', 'DE', 'Garden'],
        ['Acme_usa_Trail_Search_Brand', 'USA', 'Trail'],
        // With `_`, `-` or `|` a product may have spaces: it ends at the next separator.
        ['Acme_USA_Running Shoes_Broad', 'USA', 'Running Shoes'],
        ['Acme_FR_Running Shoes', 'FR', 'Running Shoes'],
      ],
    },
    {
      separator: 'hyphen',
      cases: [
        ['Acme-DE-Sneakers-Q4', 'DE', 'Sneakers'],
        ['Acme-DE-Sneakers', 'DE', 'Sneakers'],
        ['Acme-uk-Trail-Search', 'UK', 'Trail'],
        ['BRX - DE - Garden - Holiday2026 - Stories', 'DE', 'Garden'],
      ],
    },
    {
      separator: 'pipe',
      cases: [
        ['ACME | FR | Running | Retargeting', 'FR', 'Running'],
        ['ACME|FR|Running|Retargeting', 'FR', 'Running'],
        ['ACME | FR | Running', 'FR', 'Running'],
        ['BRX | DE | Garden | Holiday2026 | Stories', 'DE', 'Garden'],
        ['ACME | FR | Running Shoes | Retargeting', 'FR', 'Running Shoes'],
      ],
    },
    {
      separator: 'space',
      cases: [
        // With spaces the product is one word: the parts after it are ignored.
        ['BRX DE Garden Holiday2026 Stories', 'DE', 'Garden'],
        ['Acme NL Basketball', 'NL', 'Basketball'],
        ['Acme DE Sneakers Prospecting Q4', 'DE', 'Sneakers'],
        ['  Acme   usa   Trail   Search  ', 'USA', 'Trail'],
        ['Acme\tDE\tSneakers\tQ4', 'DE', 'Sneakers'],
      ],
    },
  ])('with $separator between parts', ({ cases }) => {
    it.each(cases)('reads %s as market %s, product %s', (name, market, product) => {
      expect(n.parse(name)).toEqual({ market, product, problem: null });
    });
  });

  it('ends the product at the separator that follows the market, when a name mixes them', () => {
    expect(n.parse('Acme DE Sneakers_Q4')).toEqual({ market: 'DE', product: 'Sneakers', problem: null });
    expect(n.parse('Acme DE Garden-Holiday Stories')).toEqual({ market: 'DE', product: 'Garden', problem: null });
    expect(n.parse('Acme_DE Sneakers Q4')).toEqual({ market: 'DE', product: 'Sneakers', problem: null });
    expect(n.parse('Acme DE_Sneakers Q4_Broad')).toEqual({ market: 'DE', product: 'Sneakers Q4', problem: null });
  });

  it.each(['Acme_DE', 'Acme DE', 'Acme | DE | ', 'Acme_Germany_Sneakers', 'Acme Germany Sneakers', 'Sneakers'])(
    'does not read %j',
    (name) => {
      const p = n.parse(name);
      expect(p.market === null || p.product === null).toBe(true);
      expect(p.problem).toMatch(/naming convention/);
    },
  );

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
