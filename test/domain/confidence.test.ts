import { describe, expect, it } from 'vitest';
import {
  confidence,
  dataAgeHours,
  flightAgreement,
  freshnessScore,
  metadataScore,
  NO_CONFIDENCE,
  nameScore,
} from '../../src/domain/confidence.js';
import { round2 } from '../../src/domain/money.js';
import { campaign, hoursBefore, NOW, planRow } from './builders.js';

// Plan flight in the builders: 2024-05-01 … 2024-05-31.

describe('flightAgreement', () => {
  it('is same when both ends are equal', () => {
    expect(flightAgreement(planRow(), campaign())).toBe('same');
  });

  it('is same when both ends are within one day', () => {
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-04-30', endDate: '2024-06-01' }))).toBe('same');
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-05-02', endDate: '2024-05-30' }))).toBe('same');
  });

  it('is overlap when one end is two days off', () => {
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-05-03' }))).toBe('overlap');
    expect(flightAgreement(planRow(), campaign({ endDate: '2024-06-02' }))).toBe('overlap');
  });

  it('is overlap for partly shared ranges and for ranges touching on one day', () => {
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-05-20', endDate: '2024-06-30' }))).toBe('overlap');
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-05-31', endDate: '2024-06-30' }))).toBe('overlap');
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-04-01', endDate: '2024-05-01' }))).toBe('overlap');
  });

  it('is disjoint when the ranges share no day', () => {
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-06-01', endDate: '2024-06-30' }))).toBe('disjoint');
    expect(flightAgreement(planRow(), campaign({ startDate: '2024-03-01', endDate: '2024-04-30' }))).toBe('disjoint');
  });

  it('is unknown when the platform has no flight dates', () => {
    expect(flightAgreement(planRow(), campaign({ startDate: null }))).toBe('unknown');
    expect(flightAgreement(planRow(), campaign({ endDate: null }))).toBe('unknown');
    expect(flightAgreement(planRow(), campaign({ startDate: null, endDate: null }))).toBe('unknown');
  });
});

describe('metadataScore (50 points: market, product, flight a third each)', () => {
  const score = (overrides: Parameters<typeof campaign>[0]) => round2(metadataScore(planRow(), campaign(overrides)));

  it('is 50 when market, product and flight all agree', () => {
    expect(score({})).toBe(50);
  });

  it('compares market and product case- and separator-insensitively', () => {
    expect(score({ market: 'uk', product: ' BRAND ' })).toBe(50);
  });

  it('gives 50/3 per agreeing label', () => {
    // market only: flight disjoint, product differs → 16.666…
    expect(score({ product: 'Generic', startDate: '2024-07-01', endDate: '2024-07-31' })).toBe(16.67);
    // market and product, flight disjoint → 33.333…
    expect(score({ startDate: '2024-07-01', endDate: '2024-07-31' })).toBe(33.33);
    // product and flight, market differs → 33.333…
    expect(score({ market: 'DE' })).toBe(33.33);
  });

  it('gives half of the flight third (25/3) when the ranges only overlap', () => {
    // market + product + half flight = 100/3 + 25/3 = 125/3 = 41.666…
    expect(score({ startDate: '2024-05-03' })).toBe(41.67);
    // market + half flight = 50/3 + 25/3 = 25
    expect(score({ product: 'Generic', startDate: '2024-05-03' })).toBe(25);
    // half flight only = 8.333…
    expect(score({ market: 'DE', product: 'Generic', startDate: '2024-05-03' })).toBe(8.33);
  });

  it('gives no flight points when the ranges are disjoint or platform dates are missing', () => {
    expect(score({ startDate: '2024-06-01', endDate: '2024-06-30' })).toBe(33.33);
    expect(score({ startDate: null })).toBe(33.33);
    expect(score({ endDate: null })).toBe(33.33);
  });

  it('gives no label points when the platform does not report the label', () => {
    expect(score({ market: null })).toBe(33.33);
    expect(score({ market: null, product: null })).toBe(16.67);
  });

  it('is 0 when nothing agrees', () => {
    expect(score({ market: 'DE', product: 'Generic', startDate: '2024-07-01', endDate: '2024-07-31' })).toBe(0);
  });
});

describe('nameScore (30 points × similarity of normalised names)', () => {
  it('is 30 for names equal after normalisation', () => {
    expect(nameScore('UK_Brand-Search', 'uk brand search')).toBe(30);
  });

  it('is 30 × (1 − lev / max len)', () => {
    // abcd / abce: 1 edit over 4 → 30 × 0.75
    expect(nameScore('abcd', 'abce')).toBe(22.5);
    // kitten / sitting: 3 edits over 7 → 30 × 4/7 = 17.142857…
    expect(round2(nameScore('kitten', 'sitting'))).toBe(17.14);
    // abcdefghi / abcdefghx: 1 edit over 9 → 30 × 8/9 = 26.666…
    expect(round2(nameScore('abcdefghi', 'abcdefghx'))).toBe(26.67);
    // abcd / abxy: half → 15
    expect(nameScore('abcd', 'abxy')).toBe(15);
  });

  it('measures the distance on normalised names', () => {
    // "UK__Brand" → "uk brand" vs "uk brandx": 1 edit over 9
    expect(round2(nameScore('UK__Brand', 'uk brandx'))).toBe(26.67);
  });

  it('is 0 for completely different names of equal length', () => {
    expect(nameScore('abc', 'xyz')).toBe(0);
  });
});

describe('dataAgeHours', () => {
  it('is the age of the spend figure in hours', () => {
    expect(dataAgeHours('2024-05-14T22:00:00Z', NOW)).toBe(2);
    expect(dataAgeHours('2024-05-14T11:30:00Z', NOW)).toBe(12.5);
  });

  it('is 0 for a fetched_at in the future', () => {
    expect(dataAgeHours('2024-05-15T03:00:00Z', NOW)).toBe(0);
  });
});

describe('freshnessScore (20 points, full ≤ 12 h, linear to 0 at 24 h)', () => {
  it.each([
    [0, 20],
    [6, 20],
    [12, 20],
    [15, 15],
    [18, 10],
    [21, 5],
    [24, 0],
    [30, 0],
    [1000, 0],
  ])('age %d h → %d points', (age, points) => {
    expect(freshnessScore(age, 12)).toBe(points);
  });

  it('falls linearly between 12 and 24 h', () => {
    // 20 × (24 − 12.5) / 12 = 19.1666…
    expect(round2(freshnessScore(12.5, 12))).toBe(19.17);
    // 20 × (24 − 23.5) / 12 = 0.8333…
    expect(round2(freshnessScore(23.5, 12))).toBe(0.83);
  });

  it('follows a configured freshness window', () => {
    expect(freshnessScore(6, 6)).toBe(20);
    expect(freshnessScore(9, 6)).toBe(10);
    expect(freshnessScore(12, 6)).toBe(0);
  });
});

describe('confidence', () => {
  it('is 100 for a perfect, fresh match and reports its parts', () => {
    expect(confidence(planRow(), campaign(), NOW, 12)).toEqual({
      total: 100,
      parts: { metadata: 50, name: 30, freshness: 20 },
    });
  });

  it('loses freshness points as data ages: 18 h old → 10 points', () => {
    const c = campaign({ fetchedAt: hoursBefore(NOW, 18) });
    expect(confidence(planRow(), c, NOW, 12)).toEqual({ total: 90, parts: { metadata: 50, name: 30, freshness: 10 } });
  });

  it('counts data at exactly 12 h as fresh and 24 h as worthless', () => {
    expect(confidence(planRow(), campaign({ fetchedAt: hoursBefore(NOW, 12) }), NOW, 12).parts.freshness).toBe(20);
    expect(confidence(planRow(), campaign({ fetchedAt: hoursBefore(NOW, 24) }), NOW, 12).parts.freshness).toBe(0);
  });

  it('counts a fetched_at in the future as fresh', () => {
    const c = campaign({ fetchedAt: '2024-05-15T02:00:00Z' });
    expect(confidence(planRow(), c, NOW, 12).parts.freshness).toBe(20);
  });

  it('rounds the exact total once, so rounded parts can never lift it over the threshold', () => {
    // market only (16.666…), 1 edit in 9 characters (26.666…), fresh (20).
    // Exact total 63.333… → 63.33; the rounded parts add up to 63.34 (within 0.01 of it).
    const row = planRow({ campaignName: 'abcdefghi' });
    const c = campaign({ name: 'abcdefghx', product: 'Generic', startDate: '2024-07-01', endDate: '2024-07-31' });
    const got = confidence(row, c, NOW, 12);
    expect(got).toEqual({ total: 63.33, parts: { metadata: 16.67, name: 26.67, freshness: 20 } });
    expect(Math.abs(got.parts.metadata + got.parts.name + got.parts.freshness - got.total)).toBeLessThan(0.02);
  });

  it('keeps 69.993 below 70 although its rounded parts add up to 70.00', () => {
    // overlap flight (41.666…), 1 edit in 9 (26.666…), 23.004 h old → freshness 20 × 0.996/12 = 1.66 → 69.993.
    const row = planRow({ campaignName: 'abcdefghi' });
    const c = campaign({ name: 'abcdefghx', startDate: '2024-05-03', fetchedAt: hoursBefore(NOW, 23.004) });
    const got = confidence(row, c, NOW, 12);
    expect(got.parts).toEqual({ metadata: 41.67, name: 26.67, freshness: 1.66 });
    expect(got.total).toBe(69.99);
  });

  it('combines partial parts', () => {
    // metadata 125/3 → 41.67 (overlap); kitten/sitting 17.14; 12.5 h → 19.17 → total 77.98
    const row = planRow({ campaignName: 'kitten' });
    const c = campaign({ name: 'sitting', startDate: '2024-05-03', fetchedAt: hoursBefore(NOW, 12.5) });
    expect(confidence(row, c, NOW, 12)).toEqual({
      total: 77.98,
      parts: { metadata: 41.67, name: 17.14, freshness: 19.17 },
    });
  });

  it('can be exactly 70: all metadata, names unrelated, fresh', () => {
    const row = planRow({ campaignName: 'abc' });
    const c = campaign({ name: 'xyz' });
    expect(confidence(row, c, NOW, 12)).toEqual({ total: 70, parts: { metadata: 50, name: 0, freshness: 20 } });
  });

  it('uses the configured freshness window', () => {
    const c = campaign({ fetchedAt: hoursBefore(NOW, 9) });
    expect(confidence(planRow(), c, NOW, 6).parts.freshness).toBe(10);
  });

  it('has an all-zero value for unmatched rows', () => {
    expect(NO_CONFIDENCE).toEqual({ total: 0, parts: { metadata: 0, name: 0, freshness: 0 } });
  });
});

describe('markets as ISO 3166 codes in the metadata part', () => {
  it('gives UK against GB, and EL against GR, the full market third', () => {
    expect(metadataScore(planRow({ market: 'UK' }), campaign({ market: 'GB' }))).toBeCloseTo(50, 6);
    expect(metadataScore(planRow({ market: 'EL' }), campaign({ market: 'GR' }))).toBeCloseTo(50, 6);
    expect(metadataScore(planRow({ market: 'UK' }), campaign({ market: 'IE' }))).toBeCloseTo(100 / 3, 6);
  });
});
