import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  formatMoney,
  formatPct,
  formatTotal,
  minorUnits,
  round2,
  roundMoney,
} from '../../src/domain/money.js';

describe('round2', () => {
  it.each([
    [1.234, 1.23],
    [1.236, 1.24],
    [1.235, 1.24],
    [2.5, 2.5],
    [7, 7],
    [0, 0],
    [0.004, 0],
    [0.005, 0.01],
    [0.125, 0.13],
    [0.375, 0.38],
    [10.075, 10.08],
  ])('rounds %d to %d (half up for positives)', (value, expected) => {
    expect(round2(value)).toBe(expected);
  });

  it.each([
    [-1.234, -1.23],
    [-1.235, -1.24],
    [-0.005, -0.01],
    [-0.125, -0.13],
    [-2.5, -2.5],
    [-10.075, -10.08],
  ])('rounds negative %d to %d (half away from zero, symmetric with positives)', (value, expected) => {
    expect(round2(value)).toBe(expected);
    expect(round2(-value)).toBe(-expected);
  });

  // Each of these is a decimal half whose binary value lies just below the half, so a naive
  // Math.round(x * 100) / 100 goes the wrong way (1.005 * 100 === 100.49999999999999).
  it.each([
    [1.005, 1.01],
    [-1.005, -1.01],
    [2.675, 2.68],
    [-2.675, -2.68],
    [1.045, 1.05],
    [8.345, 8.35],
    [-8.345, -8.35],
    [4.015, 4.02],
    [1234567.895, 1234567.9],
    [-1234567.895, -1234567.9],
  ])('is not fooled by binary noise: %d → %d', (value, expected) => {
    expect(round2(value)).toBe(expected);
  });

  it('cleans sums with binary noise', () => {
    expect(round2(0.1 + 0.2)).toBe(0.3);
    expect(round2(16.67 + 16.67 + 16.66)).toBe(50);
  });

  it('does not round values just below a half up', () => {
    expect(round2(1.0049)).toBe(1);
    expect(round2(-1.0049)).toBe(-1);
    expect(round2(2.6749)).toBe(2.67);
  });

  it('gives zero (not a negative number) for tiny negatives', () => {
    // -0 === 0, but it must not be a visible negative value.
    expect(round2(-0.001) === 0).toBe(true);
    expect(round2(-0.004) === 0).toBe(true);
  });

  it('passes non-finite values through', () => {
    expect(round2(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(round2(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(round2(Number.NaN)).toBeNaN();
  });
});

describe('round2 against the plain 15-digit rule', () => {
  /** The rule as first written: every value through a 15-significant-digit cut, then half away from zero. */
  const reference = (value: number): number => {
    if (!Number.isFinite(value)) return value;
    const r = Math.round(Number((Math.abs(value) * 100).toPrecision(15))) / 100;
    return value < 0 ? -r : r;
  };

  it('gives the same answer on halves, binary-noise halves, large, small and negative values', () => {
    // A fixed pseudo-random sequence, so a failure names a value that fails again.
    let seed = 20261201;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const shapes = [
      (x: number) => (Math.floor(x * 1e7) + 0.5) / 100,
      (x: number) => -(Math.floor(x * 1e7) + 0.5) / 100,
      (x: number) => Math.floor(x * 1e6) / 1000 + 0.005,
      (x: number) => x * 1e9,
      (x: number) => (x - 0.5) * 200,
      (x: number) => (Math.floor(x * 1e5) / 100) * 1.1,
      (x: number) => x * 1e-3,
    ];
    const differ: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const v = (shapes[i % shapes.length] as (x: number) => number)(next());
      if (round2(v) !== reference(v)) differ.push(v);
    }
    for (const v of [1.005, 2.675, 1.255, -1.005, 0.125, 4.35, 8.345, 10.075, 1234567.895, 1e15 + 0.5, 0.005, -0.005])
      if (round2(v) !== reference(v)) differ.push(v);
    expect(differ).toEqual([]);
  });
});

describe('formatMoney', () => {
  it('uses thousands separators and two decimals', () => {
    expect(formatMoney(1234.5)).toBe('1,234.50');
    expect(formatMoney(1234567.895)).toBe('1,234,567.90');
    expect(formatMoney(0)).toBe('0.00');
  });

  it('rounds half away from zero like round2', () => {
    expect(formatMoney(1.005)).toBe('1.01');
    expect(formatMoney(-2.675)).toBe('-2.68');
  });

  it('appends the currency code when given', () => {
    expect(formatMoney(1234.5, 'EUR')).toBe('1,234.50 EUR');
    expect(formatMoney(10, null)).toBe('10.00');
  });

  it('shows a dash for a missing amount', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(null, 'EUR')).toBe('—');
  });
});

describe('formatTotal', () => {
  it.each([
    [120_000, 'EUR', '120,000 EUR'],
    [120_000.004, 'EUR', '120,000 EUR'],
    [120_000.5, 'EUR', '120,000.50 EUR'],
    [150_000, 'JPY', '150,000 JPY'],
    [1_234.5, 'KWD', '1,234.500 KWD'],
    [60_000, null, '60,000'],
    [null, 'EUR', '—'],
  ])('writes %s %s as %s: whole totals without their zero minor part', (value, currency, out) => {
    expect(formatTotal(value, currency)).toBe(out);
  });
});

describe('formatPct', () => {
  it('signs positives and keeps the minus on negatives', () => {
    expect(formatPct(12.5)).toBe('+12.50%');
    expect(formatPct(-3)).toBe('-3.00%');
    expect(formatPct(0)).toBe('0.00%');
    expect(formatPct(25.01)).toBe('+25.01%');
  });

  it('shows a dash for no variance', () => {
    expect(formatPct(null)).toBe('—');
  });
});

describe('money in its currency (Intl, minor units)', () => {
  it.each([
    [27000, 'EUR', '27,000.00 EUR'],
    [1850.4, 'USD', '1,850.40 USD'],
    [185.45, 'GBP', '185.45 GBP'],
    [150000.4, 'JPY', '150,000 JPY'],
    [1234567.5, 'KRW', '1,234,568 KRW'],
    [-2.5, 'JPY', '-3 JPY'],
    [12.3456, 'KWD', '12.346 KWD'],
    [-0.001, 'EUR', '0.00 EUR'],
  ])('formats %d %s as %s', (value, currency, text) => {
    expect(formatMoney(value, currency)).toBe(text);
  });

  it('knows each currency minor units, and 2 for what is not a currency code', () => {
    expect([minorUnits('EUR'), minorUnits('JPY'), minorUnits('KRW'), minorUnits('KWD')]).toEqual([2, 0, 0, 3]);
    expect([minorUnits(null), minorUnits('euro'), minorUnits('')]).toEqual([2, 2, 2]);
  });

  it('gives the amount alone for tables that show the currency apart', () => {
    expect(formatAmount(98765.4, 'JPY')).toBe('98,765');
    expect(formatAmount(98765.4, 'EUR')).toBe('98,765.40');
    expect(formatAmount(null, 'EUR')).toBe('—');
  });

  it('writes every amount as Intl en-US writes the amount rounded to its minor units', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const amounts = [
      0, -0, 0.004, -0.005, 0.5, 1.005, 999.995, 999.5, 1000, -1000, 123456.785, 999_999_999_999.99, 1e12, 5e13,
    ];
    for (let i = 0; i < 3000; i++) amounts.push((random() - 0.5) * 10 ** Math.floor(random() * 15 - 3));
    for (const currency of ['EUR', 'JPY', 'KWD', null]) {
      const digits = minorUnits(currency);
      const intl = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
      for (const v of amounts) expect(formatAmount(v, currency)).toBe(intl.format(roundMoney(v, currency) + 0));
    }
  });

  it('rounds to the minor unit half away from zero, as stored', () => {
    expect(roundMoney(1.005, 'EUR')).toBe(1.01);
    expect(roundMoney(1499.5, 'JPY')).toBe(1500);
    expect(roundMoney(-1499.5, 'KRW')).toBe(-1500);
  });
});
