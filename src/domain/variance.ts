// Variance of actual spend against plan, its severity, and zero delivery.
import { round2 } from './money.js';
import type { Severity, Thresholds } from './types.js';

/** (actual − target) / target × 100, rounded to 2 decimals; null when there is no plan to compare with. */
export function variancePct(actual: number, target: number): number | null {
  if (target === 0) return null;
  // Money is decimal: subtract in whole units of the finest decimal place either figure is written with, so
  // that binary noise in `actual − target` (11659.47 − 10600 = 1059.4699999999993) cannot decide which way an
  // exact half goes (9.995 % must round to 10.00 %, a warning, not to 9.99 %).
  const places = Math.max(decimalPlaces(actual) ?? Number.NaN, decimalPlaces(target) ?? Number.NaN);
  if (places <= 15) {
    const scale = 10 ** places;
    const a = Math.round(actual * scale);
    const t = Math.round(target * scale);
    if (Number.isSafeInteger(a) && Number.isSafeInteger(t) && Number.isSafeInteger((a - t) * 100)) {
      return round2(((a - t) * 100) / t);
    }
  }
  return round2(((actual - target) / target) * 100);
}

/** Decimal places of a number as JavaScript writes it (shortest round-trip form); null in exponent form. */
export function decimalPlaces(x: number): number | null {
  // Whole amounts are common and need no text (one beyond 2^53 then fails the safe-integer check above).
  if (Number.isInteger(x)) return 0;
  // So are cents. x is the double nearest some number of one or two decimals exactly when rounding it there and
  // back gives x; its shortest form then has that many decimals, and no text is needed either. (Below 10^13 the
  // products are exact enough for the rounding to find that number.)
  if (Math.abs(x) < 1e13) {
    if (Math.round(x * 10) / 10 === x) return 1;
    if (Math.round(x * 100) / 100 === x) return 2;
  }
  const text = String(x);
  if (!Number.isFinite(x) || text.includes('e')) return null;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** healthy below the healthy threshold, warning up to and including the warning one, critical above. */
export function severityOf(
  pct: number | null,
  t: Pick<Thresholds, 'healthyVariance' | 'warningVariance'>,
): Severity | null {
  if (pct === null) return null;
  const size = Math.abs(pct);
  if (size < t.healthyVariance) return 'healthy';
  if (size <= t.warningVariance) return 'warning';
  return 'critical';
}

export function isZeroDelivery(target: number, actual: number): boolean {
  return target > 0 && actual === 0;
}
