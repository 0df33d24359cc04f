// Meta's money strings read exactly: spend as whole millionths (summed as integers, and turned back into a number
// only as a total), and budgets in the account currency's minor units
// (developers.facebook.com/docs/marketing-api/currencies).

/** Currencies Meta keeps in whole units (offset 1); every other supported currency has offset 100. */
const OFFSET_1_CURRENCIES = new Set(['CLP', 'COP', 'CRC', 'HUF', 'IDR', 'ISK', 'JPY', 'KRW', 'PYG', 'TWD', 'VND']);

/** How many minor units make one unit of the account currency, per Meta's currency table. */
export function currencyOffset(currency: string): number {
  return OFFSET_1_CURRENCIES.has(currency.toUpperCase()) ? 1 : 100;
}

const MONEY = /^\d{1,15}(\.\d{1,6})?$/;

/**
 * A money string from Meta ("1234.56", "0", "12") as a number, or null when it is not a plain non-negative decimal.
 * Format-checked first so that "1,234.56", "1e3", " 12", "0x1F" or "" are refused rather than half-read.
 */
export function parseMoney(text: unknown): number | null {
  if (typeof text !== 'string' || !MONEY.test(text)) return null;
  return Number(text);
}

const MICROS = 1_000_000n;

/**
 * A money string as an exact whole number of millionths (finer than any currency's minor unit, and as fine as
 * parseMoney accepts), or null when parseMoney would refuse it. Read from the digits, never through a float.
 */
export function moneyToMicros(text: unknown): bigint | null {
  if (typeof text !== 'string' || !MONEY.test(text)) return null;
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * MICROS + BigInt(frac.padEnd(6, '0'));
}

/** Millionths back to a number, through the decimal string: the double nearest the exact amount. */
export function microsToNumber(micros: bigint): number {
  const frac = (micros % MICROS).toString().padStart(6, '0');
  return Number(`${micros / MICROS}.${frac}`);
}

/** A budget in minor units ("5000") as major units in the account currency; null when absent or 0. */
export function budgetFromMinor(text: unknown, currency: string): number | null | undefined {
  if (text === undefined || text === null || text === '') return null;
  if (typeof text !== 'string' || !/^\d{1,18}$/.test(text)) return undefined;
  const minor = Number(text);
  // Both operands are exact, so the division is the double nearest the decimal value (5050 / 100 === 50.5).
  return minor === 0 ? null : minor / currencyOffset(currency);
}
