// The one rounding rule for money and percentages: 2 decimals, half away from zero.

/**
 * Rounds to 2 decimals, half away from zero. The product is first cut to 15 significant digits so that
 * binary noise (1.005 * 100 = 100.49999…) does not decide which way a half goes.
 */
export function round2(value: number): number {
  // From 2^53 on every double is a whole number: nothing to round (and × 100 would overflow near the top).
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 53) return value;
  const raw = Math.abs(value) * 100;
  // Only a value within binary noise of a half needs the 15-digit cut (a string round trip, the slow part): far
  // from one, the cut cannot change which way it rounds. Thousands of figures a run go through here.
  const frac = raw - Math.floor(raw);
  const scaled = Math.abs(frac - 0.5) > 1e-9 + raw * 1e-13 ? raw : Number(raw.toPrecision(15));
  const rounded = Math.round(scaled) / 100;
  return value < 0 ? -rounded : rounded;
}

/** Digits after the point when no currency is known: the cents most currencies have. */
const DEFAULT_MINOR_UNITS = 2;
const minorUnitsByCode = new Map<string, number>();

/**
 * How many digits a currency's amounts carry (its minor units, as Intl knows them): 2 for EUR and USD, 0 for JPY
 * and KRW, 3 for KWD. Unknown or malformed codes get 2.
 */
export function minorUnits(currency: string | null | undefined): number {
  if (!currency) return DEFAULT_MINOR_UNITS;
  let digits = minorUnitsByCode.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      digits = DEFAULT_MINOR_UNITS; // not an ISO 4217 shape: Intl refuses it
    }
    if (minorUnitsByCode.size > 1000) minorUnitsByCode.clear();
    minorUnitsByCode.set(currency, digits ?? DEFAULT_MINOR_UNITS);
  }
  return digits ?? DEFAULT_MINOR_UNITS;
}

/** Rounds to `digits` decimals, half away from zero, with the same guard against binary noise as round2. */
function roundTo(value: number, digits: number): number {
  if (digits === 2) return round2(value);
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  const rounded = Math.round(Number((Math.abs(value) * f).toPrecision(15))) / f;
  return value < 0 ? -rounded : rounded;
}

/** Money rounded to its currency's minor units (whole yen, cents of a euro). */
export const roundMoney = (value: number, currency?: string | null): number => roundTo(value, minorUnits(currency));

// One formatter per number of digits, made once: building an Intl.NumberFormat costs far more than using one.
const formatters = new Map<number, Intl.NumberFormat>();
function formatterFor(digits: number): Intl.NumberFormat {
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatters.set(digits, f);
  }
  return f;
}

/**
 * An amount as people read it, without the currency code: thousands separators and the currency's minor units
 * ("1,234.56" for EUR, "1,235" for JPY), rounded half away from zero like every figure in the app.
 */
export function formatAmount(value: number | null, currency?: string | null): string {
  if (value === null) return '—';
  const digits = minorUnits(currency);
  // + 0 turns a negative zero (a tiny negative rounded away) into 0, which Intl would print as "-0.00".
  const rounded = roundTo(value, digits) + 0;
  return groupedAmount(rounded, digits) ?? formatterFor(digits).format(rounded);
}

/**
 * What Intl's en-US formatter writes for an amount already rounded to `digits` decimals ("-1,234.56"), written out
 * by hand: a run formats some 30,000 amounts, and Intl costs several times more. Past 10^12 (beyond any budget),
 * null: Intl then writes it.
 */
function groupedAmount(rounded: number, digits: number): string | null {
  if (!(Math.abs(rounded) < 1e12)) return null;
  // The amount is the double nearest to a number of `digits` decimals: toFixed writes exactly those decimals.
  const text = Math.abs(rounded).toFixed(digits);
  const point = digits > 0 ? text.length - digits - 1 : text.length;
  let whole = text.slice(0, point);
  if (point > 3) {
    let at = point % 3 || 3;
    let grouped = text.slice(0, at);
    for (; at < point; at += 3) grouped += `,${text.slice(at, at + 3)}`;
    whole = grouped;
  }
  return `${rounded < 0 ? '-' : ''}${whole}${text.slice(point)}`;
}

/** Money for people, the one way the app writes it: "1,234.56 EUR", "150,000 JPY"; no code when none is known. */
export function formatMoney(value: number | null, currency?: string | null): string {
  if (value === null) return '—';
  const text = formatAmount(value, currency);
  return currency ? `${text} ${currency}` : text;
}

/** A total in a headline: "120,000 EUR" when it has no minor part, else as always ("120,000.50 EUR"). */
export function formatTotal(value: number | null, currency?: string | null): string {
  if (value === null) return '—';
  const rounded = roundMoney(value, currency);
  if (!Number.isInteger(rounded)) return formatMoney(value, currency);
  const text = formatterFor(0).format(rounded + 0);
  return currency ? `${text} ${currency}` : text;
}

/** Formats a variance for people: sign, 2 decimals, percent. */
export function formatPct(value: number | null): string {
  if (value === null) return '—';
  const sign = value > 0 ? '+' : '';
  return `${sign}${value.toFixed(2)}%`;
}

/**
 * The largest amount taken as money: past it a double cannot hold every cent (2^53 cents). A figure beyond it is
 * bad input, not a campaign to act on.
 */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER / 100;
