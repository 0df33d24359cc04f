// Google Ads wire values read into ours: int64 micros to amounts rounded to cents, date-times to days, calendar days.
import { MAX_AMOUNT, minorUnits } from '../../domain/money.js';

/**
 * Micros (an int64 as a decimal string) to an amount rounded to cents, half away from zero. Integer arithmetic
 * throughout, so "1234567890123" micros is exactly 1234567.89, not a float that drifts.
 */
export function microsToAmount(micros: string): number | null {
  if (typeof micros !== 'string' || !/^-?\d+$/.test(micros.trim())) return null;
  return microsToMoney(BigInt(micros.trim()));
}

/** Micros as a BigInt to an amount rounded to cents, half away from zero. */
export function microsToMoney(value: bigint): number {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const cents = (abs + 5_000n) / 10_000n;
  const amount = Number(cents) / 100;
  return negative ? -amount : amount;
}

/** "2026-11-01 00:00:00" or "2026-11-01" → "2026-11-01"; anything else → null. */
export function datePart(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(value.trim());
  return m ? (m[1] as string) : null;
}

/** A real calendar day written YYYY-MM-DD. */
export function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * An amount in major units as micros (a decimal string), rounded to the currency's minimum unit: Google refuses
 * budgets that are not a multiple of it (NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT), 10,000 micros for cent
 * currencies, 1,000,000 for JPY or KRW. Null for an amount that is not positive, finite money.
 */
export function amountToMicros(amount: number, currency: string): string | null {
  if (!Number.isFinite(amount) || amount <= 0 || amount > MAX_AMOUNT) return null;
  const digits = Math.min(6, minorUnits(currency));
  const minor = Math.round(Number((amount * 10 ** digits).toPrecision(15)));
  if (minor <= 0) return null;
  return (BigInt(minor) * 10n ** BigInt(6 - digits)).toString();
}

/** Micros (a decimal string) as major units, exactly to the micro: for budgets read back and compared. */
export function microsToMajor(micros: string): number {
  const v = BigInt(micros);
  const frac = (v % 1_000_000n).toString().padStart(6, '0');
  return Number(`${v / 1_000_000n}.${frac}`);
}
