// A Meta campaign's daily budget: changed with `POST /{campaign-id}` `daily_budget=<minor units>` and trusted only
// once `GET /{campaign-id}?fields=daily_budget` shows it. Only a campaign budget (Advantage campaign budget) with a
// daily amount is changed: a lifetime budget has no daily amount, and budgets on ad sets are not the campaign's.
import type { BudgetChangeOutcome } from '../../agent/ports.js';
import { formatMoney } from '../../domain/money.js';
import { PlatformError } from '../../errors.js';
import type { MetaGraphClient } from './client.js';
import { isObject, str } from './json.js';
import { currencyOffset } from './money.js';

/** Reads of the budget after a change before the change is declared not to have taken effect. */
const VERIFY_READS = 3;

export interface BudgetTarget {
  campaignId: string;
  /** The ad account the campaign was fetched from (digits), to pace the calls with it; read from Meta if unknown. */
  accountId: string | undefined;
  /** The account's currency, when a fetch already said it. */
  accountCurrency: string | undefined;
}

/** `amount` (major units) in the currency's minor units, Meta's way (offset 100 for EUR, 1 for JPY); null if not > 0. */
export function amountToMinor(amount: number, currency: string): number | null {
  if (!Number.isFinite(amount) || amount <= 0) return null;
  const minor = Math.round(Number((amount * currencyOffset(currency)).toPrecision(15)));
  return minor > 0 && Number.isSafeInteger(minor) ? minor : null;
}

export async function setDailyBudget(
  client: MetaGraphClient,
  target: BudgetTarget,
  amount: number,
  currency: string,
  validateOnly: boolean,
): Promise<BudgetChangeOutcome> {
  const { campaignId } = target;
  const refuse = (why: string) =>
    new PlatformError(
      'meta',
      `Cannot set the daily budget of Meta campaign ${campaignId} to ${formatMoney(amount, currency)}: ${why}`,
      false,
    );
  const node = await client.get(campaignId, { fields: 'daily_budget,lifetime_budget,account_id' }, target.accountId);
  if (!isObject(node)) throw refuse('Meta did not answer with the campaign.');
  const accountId = target.accountId ?? str(node.account_id) ?? undefined;
  const accountCurrency = target.accountCurrency ?? (await readCurrency(client, accountId));
  const lifetime = minorOf(node.lifetime_budget);
  const daily = minorOf(node.daily_budget);
  if (lifetime !== null && lifetime > 0) throw refuse('it has a lifetime budget, which has no daily amount to change.');
  if (daily === null || daily === 0) {
    throw refuse('its budgets are on its ad sets (no Advantage campaign budget); changing them is left to a person.');
  }
  if (accountCurrency !== currency.toUpperCase()) {
    throw refuse(`the ad account's currency is ${accountCurrency ?? 'unknown'}, not ${currency}.`);
  }
  const offset = currencyOffset(accountCurrency);
  const minor = amountToMinor(amount, accountCurrency);
  if (minor === null) throw refuse('that is not a positive amount of money.');
  const from = daily / offset;
  const to = minor / offset;
  if (minor === daily) return { outcome: 'unchanged', from, to, currency: accountCurrency };
  // Meta has no check-only write here: a dry run reads and says what it would send.
  if (validateOnly) return { outcome: 'would_change', from, to, currency: accountCurrency };
  const answer = await client.post(campaignId, { daily_budget: String(minor) }, accountId);
  if (!isObject(answer) || answer.success !== true) {
    throw new PlatformError(
      'meta',
      `Meta did not confirm the daily budget ${formatMoney(to, accountCurrency)} for campaign ${campaignId} (answered ${client.scrub(JSON.stringify(answer) ?? 'nothing').slice(0, 200)}).`,
      false,
    );
  }
  let now: number | null = daily;
  for (let read = 1; read <= VERIFY_READS; read++) {
    if (read > 1) await client.policy.sleep(client.policy.baseDelayMs);
    const back = await client.get(campaignId, { fields: 'daily_budget' }, accountId);
    now = isObject(back) ? minorOf(back.daily_budget) : null;
    if (now === minor) return { outcome: 'changed', from, to, currency: accountCurrency };
  }
  const shown = now === null ? 'no daily budget' : formatMoney(now / offset, accountCurrency);
  throw new PlatformError(
    'meta',
    `Meta accepted the daily budget ${formatMoney(to, accountCurrency)} for campaign ${campaignId}, but it still reads ${shown} after ${VERIFY_READS} checks: the change is not confirmed. Check the campaign in Ads Manager.`,
    false,
  );
}

async function readCurrency(client: MetaGraphClient, accountId: string | undefined): Promise<string | null> {
  if (!accountId) return null;
  const account = await client.get(`act_${accountId}`, { fields: 'currency' }, accountId);
  const currency = isObject(account) ? str(account.currency) : null;
  return currency ? currency.toUpperCase() : null;
}

/** A budget in minor units as Meta sends it ("5000"); null when absent or not whole digits. */
function minorOf(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}
