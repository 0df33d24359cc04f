// A campaign's last runs: off plan how often, chronic or not, within 10 runs and 14 days.
import { describe, expect, it } from 'vitest';
import { decodePacing, encodePacing, runHistory } from '../../src/domain/history.js';

const warn = { severity: 'warning', variancePct: 15 } as const;
const ok = { severity: 'healthy', variancePct: 2 } as const;

describe('runHistory', () => {
  it.each([
    ['a first run', [], warn, { runs: 1, offPlanRuns: 1, chronic: false }],
    ['three off plan of three', [warn, warn], warn, { runs: 3, offPlanRuns: 3, chronic: true }],
    ['three off plan of six: half', [ok, ok, ok, warn, warn], warn, { runs: 6, offPlanRuns: 3, chronic: true }],
    [
      'three off plan of seven: under half',
      [ok, ok, ok, ok, warn, warn],
      warn,
      { runs: 7, offPlanRuns: 3, chronic: false },
    ],
    ['two off plan of two: too few', [warn], warn, { runs: 2, offPlanRuns: 2, chronic: false }],
  ] as const)('%s', (_name, earlier, now, expected) => {
    expect(runHistory(earlier, now)).toMatchObject(expected);
  });

  it('counts at most the last 10 runs', () => {
    const h = runHistory(
      Array.from({ length: 15 }, () => warn),
      ok,
    );
    expect(h).toMatchObject({ runs: 10, offPlanRuns: 9, chronic: true });
    expect(h.variances).toHaveLength(10);
  });
});

describe('pacing kept with each result', () => {
  const DAY = 86_400_000;
  it('round-trips severity and variance, oldest first, and drops runs older than 14 days', () => {
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    let enc = encodePacing(null, t0, warn, t0 - 14 * DAY);
    enc = encodePacing(enc, t0 + DAY, { severity: null, variancePct: null }, t0 + DAY - 14 * DAY);
    enc = encodePacing(enc, t0 + 20 * DAY, ok, t0 + 6 * DAY);
    expect(decodePacing(enc, 0)).toEqual([{ severity: 'healthy', variancePct: 2 }]);
    expect(decodePacing(encodePacing(null, t0, warn, 0), 0)).toEqual([{ severity: 'warning', variancePct: 15 }]);
  });
});
