// A campaign's daily budget on Google Ads: read it (resource, amount, shared or not), change it with
// campaignBudgets:mutate, and trust the change only once a read-back shows it.
import type { BudgetChangeOutcome } from '../../agent/ports.js';
import { formatMoney } from '../../domain/money.js';
import { PlatformError } from '../../errors.js';
import { formatCustomerId, type GoogleAdsClient } from './client.js';
import { amountToMicros, microsToMajor } from './convert.js';

interface BudgetRead {
  resourceName: string | null;
  amountMicros: string | null;
  shared: boolean;
  currency: string | null;
}

/** The campaign's budget as Google has it now; null when the customer has no such campaign. */
export async function readBudget(
  client: GoogleAdsClient,
  customerId: string,
  campaignId: string,
): Promise<BudgetRead | null> {
  const rows = await client.search(
    customerId,
    'SELECT campaign.id, campaign.campaign_budget, campaign_budget.amount_micros, campaign_budget.explicitly_shared, ' +
      `customer.currency_code FROM campaign WHERE campaign.id = ${campaignId}`,
    `reading the budget of campaign ${campaignId}`,
  );
  const row = rows[0];
  if (!row) return null;
  const micros = row.campaignBudget?.amountMicros;
  const resource = row.campaign?.campaignBudget ?? row.campaignBudget?.resourceName;
  return {
    resourceName: typeof resource === 'string' && resource !== '' ? resource : null,
    amountMicros: typeof micros === 'string' && /^\d+$/.test(micros) ? micros : null,
    shared: row.campaignBudget?.explicitlyShared === true,
    currency: typeof row.customer?.currencyCode === 'string' ? row.customer.currencyCode.toUpperCase() : null,
  };
}

/**
 * Sets the campaign's daily budget to `amount` (rounded to the currency's minimum unit) and reads it back.
 * Refuses a shared budget, another currency than the account's, and an amount that is not positive money.
 */
export async function setDailyBudget(
  client: GoogleAdsClient,
  customerId: string,
  campaignId: string,
  amount: number,
  currency: string,
  validateOnly: boolean,
): Promise<BudgetChangeOutcome> {
  const where = `Google Ads campaign ${campaignId} (customer ${formatCustomerId(customerId)})`;
  const refuse = (why: string) =>
    new PlatformError('google', `Cannot set the daily budget of ${where} to ${formatMoney(amount, currency)}: ${why}`);
  const before = await readBudget(client, customerId, campaignId);
  if (!before) throw refuse('Google no longer lists the campaign.');
  if (!before.resourceName || before.amountMicros === null) throw refuse('it has no daily budget to change.');
  if (before.shared) {
    // Changing it would move every campaign on the budget, not only this one.
    throw refuse(`its budget ${before.resourceName} is shared with other campaigns; it is left as it is.`);
  }
  if (before.currency !== currency.toUpperCase()) {
    throw refuse(`the account's currency is ${before.currency ?? 'unknown'}, not ${currency}.`);
  }
  const micros = amountToMicros(amount, currency);
  if (micros === null) throw refuse('that is not a positive amount of money.');
  const from = microsToMajor(before.amountMicros);
  const to = microsToMajor(micros);
  if (micros === before.amountMicros) return { outcome: 'unchanged', from, to, currency: before.currency };
  const what = `setting the daily budget of campaign ${campaignId} to ${formatMoney(to, currency)}`;
  await client.mutateCampaignBudget(customerId, before.resourceName, micros, what, validateOnly);
  if (validateOnly) return { outcome: 'would_change', from, to, currency: before.currency };
  // Trust nothing but a read-back: an accepted mutate that left the amount as it was is a failed change.
  const after = await readBudget(client, customerId, campaignId);
  if (after?.amountMicros !== micros) {
    const shown = after?.amountMicros ? formatMoney(microsToMajor(after.amountMicros), currency) : 'no budget';
    throw new PlatformError(
      'google',
      `Google Ads accepted the daily budget ${formatMoney(to, currency)} for ${where}, but reading it back shows ${shown}: the change is not confirmed.`,
    );
  }
  return { outcome: 'changed', from, to, currency: before.currency };
}
