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

/** Formats money for people: thousands separators, 2 decimals, optional ISO currency code. */
export function formatMoney(value: number | null, currency?: string | null): string {
  if (value === null) return '—';
  // By hand rather than toLocaleString: the same text, at a fraction of the cost (thousands of reasons a run).
  const cents = Math.round(Math.abs(round2(value)) * 100);
  const whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${value < 0 && cents > 0 ? '-' : ''}${whole}.${String(cents % 100).padStart(2, '0')}`;
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
