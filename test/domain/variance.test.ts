import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';
import { decimalPlaces, isZeroDelivery, severityOf, variancePct } from '../../src/domain/variance.js';

describe('variancePct', () => {
  it('is (actual − target) / target × 100', () => {
    expect(variancePct(110, 100)).toBe(10);
    expect(variancePct(90, 100)).toBe(-10);
    expect(variancePct(125, 100)).toBe(25);
    expect(variancePct(75, 100)).toBe(-25);
    expect(variancePct(100, 100)).toBe(0);
    expect(variancePct(1820, 1400)).toBe(30);
  });

  it('rounds to 2 decimals, half away from zero', () => {
    expect(variancePct(4, 3)).toBe(33.33);
    expect(variancePct(2, 3)).toBe(-33.33);
    expect(variancePct(1, 3)).toBe(-66.67);
    expect(variancePct(5, 3)).toBe(66.67);
    // +0.005 % and −0.005 % are halves: away from zero.
    expect(variancePct(100.005, 100)).toBe(0.01);
    expect(variancePct(99.995, 100)).toBe(-0.01);
    // 1.005 % is a binary-noise half: (101.005 − 100) is 1.00499999… in floating point.
    expect(variancePct(101.005, 100)).toBe(1.01);
    expect(variancePct(98.995, 100)).toBe(-1.01);
  });

  it('is −100 for zero delivery', () => {
    expect(variancePct(0, 100)).toBe(-100);
  });

  it('is null for a target of 0, with or without spend', () => {
    expect(variancePct(50, 0)).toBeNull();
    expect(variancePct(0, 0)).toBeNull();
  });

  it('rounds exact halves of real money figures away from zero despite noise in actual − target', () => {
    // 11659.47 − 10600 = 1059.47 (1059.4699999999993 in floating point); 1059.47 / 10600 = 9.995 % exactly.
    expect(variancePct(11659.47, 10600)).toBe(10);
    // −16391.8 / 164000 = −9.995 % exactly.
    expect(variancePct(147608.2, 164000)).toBe(-10);
    // −168.7 / 2800 = −6.025 % exactly.
    expect(variancePct(2631.3, 2800)).toBe(-6.03);
    // 59.43 / 600 = 9.905 % exactly.
    expect(variancePct(659.43, 600)).toBe(9.91);
    // Micros-precision spend: 0.000491 / 0.02 = 2.455 % exactly.
    expect(variancePct(0.020491, 0.02)).toBe(2.46);
  });

  it('matches exact decimal arithmetic on random money figures (seeded)', () => {
    let seed = 20240515;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    /** 100 × (a − t) / t rounded half away from zero to 2 decimals, exactly, on integer cents. */
    const exact = (a: bigint, t: bigint): number => {
      const n = 10000n * (a - t);
      const size = n < 0n ? -n : n;
      const q = (2n * size + t) / (2n * t);
      return Number(n < 0n ? -q : q) / 100;
    };
    for (let i = 0; i < 2000; i++) {
      // A target in cents, and an actual that lands on an exact half of a hundredth of a percent.
      const halfThousandths = BigInt(Math.floor(rand() * 6000) - 3000) * 10n + 5n; // −29.995 … 29.995 %
      const t = 20000n * BigInt(1 + Math.floor(rand() * 100000)); // a multiple of 200.00, so a is whole cents
      const a = t + (t * halfThousandths) / 100000n;
      expect(variancePct(Number(a) / 100, Number(t) / 100), `${a} vs ${t} cents`).toBe(exact(a, t));
    }
  });

  it('absorbs floating-point noise in the division', () => {
    // (0.33 − 0.3) / 0.3 × 100 is 10.000000000000009 in floating point.
    expect(variancePct(0.33, 0.3)).toBe(10);
  });
});

describe('severityOf (healthy < 10, warning 10…25 inclusive, critical > 25)', () => {
  const sev = (pct: number | null) => severityOf(pct, DEFAULT_THRESHOLDS);

  it.each([
    [0, 'healthy'],
    [5, 'healthy'],
    [9.99, 'healthy'],
    [10, 'warning'],
    [17.5, 'warning'],
    [25, 'warning'],
    [25.01, 'critical'],
    [100, 'critical'],
    [500, 'critical'],
  ] as const)('%d %% → %s, and the same below zero', (pct, expected) => {
    expect(sev(pct)).toBe(expected);
    expect(sev(-pct)).toBe(expected);
  });

  it('has no severity without a variance', () => {
    expect(sev(null)).toBeNull();
  });

  it('follows configured thresholds', () => {
    const t = { healthyVariance: 5, warningVariance: 15 };
    expect(severityOf(4.99, t)).toBe('healthy');
    expect(severityOf(5, t)).toBe('warning');
    expect(severityOf(-15, t)).toBe('warning');
    expect(severityOf(15.01, t)).toBe('critical');
    expect(severityOf(-15.01, t)).toBe('critical');
  });
});

describe('severity of a computed variance: rounding happens before classification', () => {
  const sevOf = (actual: number, target: number) => severityOf(variancePct(actual, target), DEFAULT_THRESHOLDS);

  it('9.996 % rounds to 10.00 % and is a warning', () => {
    expect(variancePct(109.996, 100)).toBe(10);
    expect(sevOf(109.996, 100)).toBe('warning');
    expect(variancePct(90.004, 100)).toBe(-10);
    expect(sevOf(90.004, 100)).toBe('warning');
  });

  it('9.994 % rounds to 9.99 % and is healthy', () => {
    expect(variancePct(109.994, 100)).toBe(9.99);
    expect(sevOf(109.994, 100)).toBe('healthy');
    expect(sevOf(90.006, 100)).toBe('healthy');
  });

  it('25.004 % rounds to 25.00 % and is still a warning', () => {
    expect(variancePct(125.004, 100)).toBe(25);
    expect(sevOf(125.004, 100)).toBe('warning');
    expect(variancePct(74.996, 100)).toBe(-25);
    expect(sevOf(74.996, 100)).toBe('warning');
  });

  it('25.005 % rounds half away from zero to 25.01 % and is critical', () => {
    expect(variancePct(125.005, 100)).toBe(25.01);
    expect(sevOf(125.005, 100)).toBe('critical');
    expect(variancePct(74.995, 100)).toBe(-25.01);
    expect(sevOf(74.995, 100)).toBe('critical');
  });

  it('a real-money 9.995 % is a warning, not healthy', () => {
    expect(sevOf(11659.47, 10600)).toBe('warning');
    expect(sevOf(147608.2, 164000)).toBe('warning');
  });

  it('zero delivery is critical', () => {
    expect(sevOf(0, 100)).toBe('critical');
  });

  it('a zero target has no severity', () => {
    expect(sevOf(50, 0)).toBeNull();
  });
});

describe('isZeroDelivery (target > 0 and actual = 0)', () => {
  it('is true for a positive target and no spend', () => {
    expect(isZeroDelivery(100, 0)).toBe(true);
    expect(isZeroDelivery(0.01, 0)).toBe(true);
  });

  it('is false when anything was spent', () => {
    expect(isZeroDelivery(100, 0.01)).toBe(false);
    expect(isZeroDelivery(100, 150)).toBe(false);
  });

  it('is false when nothing was planned', () => {
    expect(isZeroDelivery(0, 0)).toBe(false);
    expect(isZeroDelivery(0, 10)).toBe(false);
  });
});

describe('decimalPlaces', () => {
  /** The places of the shortest text JavaScript writes for x (null in exponent form). */
  const written = (x: number): number | null => {
    const text = String(x);
    if (!Number.isFinite(x) || text.includes('e')) return null;
    const dot = text.indexOf('.');
    return dot < 0 ? 0 : text.length - dot - 1;
  };

  it('counts the decimals JavaScript writes, cents and tenths included, at every size', () => {
    let seed = 5;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const xs = [
      0.1,
      -0.05,
      0.15,
      1.005,
      9.995,
      0.1 + 0.2,
      1e-7,
      5e-324,
      1e13 - 0.5,
      1e13 + 0.25,
      2 ** 52 + 0.5,
      Number.NaN,
    ];
    for (let i = 0; i < 20_000; i++) {
      const size = 10 ** Math.floor(random() * 18 - 4);
      const places = 10 ** Math.floor(random() * 5);
      xs.push(Math.round((random() - 0.5) * size * places) / places, (random() - 0.5) * size);
    }
    for (const x of xs) expect(decimalPlaces(x)).toBe(written(x));
  });
});
