// The one rounding rule for money and percentages: 2 decimals, half away from zero.

/**
 * Rounds to 2 decimals, half away from zero. The product is first cut to 15 significant digits so that
 * binary noise (1.005 * 100 = 100.49999…) does not decide which way a half goes.
 */
export function round2(value: number): number {
  if (!Number.isFinite(value)) return value;
  const scaled = Number((Math.abs(value) * 100).toPrecision(15));
  const rounded = Math.round(scaled) / 100;
  return value < 0 ? -rounded : rounded;
}

/** Formats money for people: thousands separators, 2 decimals, optional ISO currency code. */
export function formatMoney(value: number | null, currency?: string | null): string {
  if (value === null) return '—';
  const text = round2(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${text} ${currency}` : text;
}

/** Formats a variance for people: sign, 2 decimals, percent. */
export function formatPct(value: number | null): string {
  if (value === null) return '—';
  const sign = value > 0 ? '+' : '';
  return `${sign}${value.toFixed(2)}%`;
}
