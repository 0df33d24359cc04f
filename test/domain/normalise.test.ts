import { describe, expect, it } from 'vitest';
import { marketCode, normaliseName, sameLabel, sameMarket, similarity } from '../../src/domain/normalise.js';

describe('normaliseName', () => {
  it('lower-cases', () => {
    expect(normaliseName('UK Brand SEARCH')).toBe('uk brand search');
  });

  it.each([
    ['UK_Brand_Search', 'uk brand search'],
    ['UK-Brand-Search', 'uk brand search'],
    ['UK.Brand.Search', 'uk brand search'],
    ['UK|Brand|Search', 'uk brand search'],
    ['UK/Brand/Search', 'uk brand search'],
    ['UK Brand Search', 'uk brand search'],
  ])('treats each separator as a space: %s', (raw, expected) => {
    expect(normaliseName(raw)).toBe(expected);
  });

  it('folds a run of mixed separators to one space', () => {
    expect(normaliseName('UK__Brand--Search')).toBe('uk brand search');
    expect(normaliseName('UK _-.|/ Brand')).toBe('uk brand');
    expect(normaliseName('DE | Generic / Q1')).toBe('de generic q1');
    expect(normaliseName('a    b')).toBe('a b');
  });

  it('trims leading and trailing separators', () => {
    expect(normaliseName('  UK Brand  ')).toBe('uk brand');
    expect(normaliseName('__UK-Brand--')).toBe('uk brand');
    expect(normaliseName('|/UK/|')).toBe('uk');
  });

  it('leaves other characters alone', () => {
    expect(normaliseName('Q1+Q2 (Test)')).toBe('q1+q2 (test)');
    expect(normaliseName("Mother's_Day,2024")).toBe("mother's day,2024");
  });

  it('turns empty and separator-only names into the empty string', () => {
    expect(normaliseName('')).toBe('');
    expect(normaliseName(' _-.|/ ')).toBe('');
  });

  it('is idempotent', () => {
    const once = normaliseName(' FR__Promo | Summer-2024 ');
    expect(once).toBe('fr promo summer 2024');
    expect(normaliseName(once)).toBe(once);
  });
});

describe('similarity', () => {
  it('is 1 for identical names, including two empty ones', () => {
    expect(similarity('uk brand', 'uk brand')).toBe(1);
    expect(similarity('', '')).toBe(1);
  });

  it('is 0 against an empty name', () => {
    expect(similarity('abc', '')).toBe(0);
    expect(similarity('', 'abc')).toBe(0);
  });

  it('is 1 − levenshtein / longer length', () => {
    // kitten → sitting: 3 edits, longer length 7.
    expect(similarity('kitten', 'sitting')).toBeCloseTo(4 / 7, 12);
    expect(similarity('abcd', 'abce')).toBe(0.75);
    expect(similarity('abcd', 'abxy')).toBe(0.5);
    // 2 insertions over length 10.
    expect(similarity('abcdefgh', 'abcdefghij')).toBeCloseTo(0.8, 12);
  });

  it('is symmetric', () => {
    expect(similarity('sitting', 'kitten')).toBe(similarity('kitten', 'sitting'));
  });
});

describe('sameLabel', () => {
  it('ignores case, separators and surrounding space', () => {
    expect(sameLabel('UK', 'uk')).toBe(true);
    expect(sameLabel(' uk ', 'UK')).toBe(true);
    expect(sameLabel('Brand_Search', 'brand search')).toBe(true);
  });

  it('is false for different labels', () => {
    expect(sameLabel('UK', 'US')).toBe(false);
  });

  it('is false when either side is unknown', () => {
    expect(sameLabel(null, 'UK')).toBe(false);
    expect(sameLabel('UK', null)).toBe(false);
    expect(sameLabel(null, null)).toBe(false);
  });
});

describe('markets compare as ISO 3166 codes', () => {
  it.each([
    ['UK', 'GB', true],
    ['uk', 'gb', true],
    ['EL', 'GR', true],
    ['GR', 'el', true],
    ['DE', 'DE', true],
    ['UK', 'IE', false],
    ['UK', null, false],
  ] as const)('%s vs %s → %s', (a, b, same) => {
    expect(sameMarket(a, b)).toBe(same);
  });
  it('names the ISO code', () => {
    expect(marketCode(' uk ')).toBe('GB');
    expect(marketCode('EL')).toBe('GR');
  });
});
