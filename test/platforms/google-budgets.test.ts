// Daily budgets on Google Ads over the wire: read with the campaigns, changed with campaignBudgets:mutate,
// read back, refused as Google refuses, checked only (validateOnly) in dry-run.
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { DryRunPlatform } from '../../src/platforms/dry-run.js';
import { GoogleAdsPlatform } from '../../src/platforms/google/adapter.js';
import { amountToMicros } from '../../src/platforms/google/convert.js';
import { NamingConvention } from '../../src/platforms/naming.js';
import type { RetryPolicy } from '../../src/platforms/retry.js';
import { type FakeGoogleAds, type FakeGoogleCampaign, startFakeGoogleAds } from '../fakes/google-ads.js';

const EUR_CUST = '1112223334';
const JPY_CUST = '5556667778';

const CAMPAIGNS: FakeGoogleCampaign[] = [
  { customerId: EUR_CUST, id: '101', name: 'Acme_DE_Sneakers', status: 'ENABLED', budgetMicros: '50000000' },
  // Two campaigns on one explicitly shared budget.
  {
    customerId: EUR_CUST,
    id: '102',
    name: 'Acme_DE_Shared_A',
    status: 'ENABLED',
    budgetMicros: '80000000',
    budgetId: '9001',
    budgetShared: true,
  },
  {
    customerId: EUR_CUST,
    id: '103',
    name: 'Acme_DE_Shared_B',
    status: 'ENABLED',
    budgetMicros: '80000000',
    budgetId: '9001',
    budgetShared: true,
  },
  { customerId: JPY_CUST, id: '201', name: 'Acme_JP_Running', status: 'ENABLED', budgetMicros: '15000000000' },
];

let fake: FakeGoogleAds | null = null;
let sleeps: number[] = [];

afterEach(async () => {
  await fake?.close();
  fake = null;
  sleeps = [];
});

const retry: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxRetryAfterMs: 120_000,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
};

async function setup(): Promise<{ f: FakeGoogleAds; p: GoogleAdsPlatform }> {
  fake = await startFakeGoogleAds({
    campaigns: CAMPAIGNS,
    customers: [
      { id: EUR_CUST, currencyCode: 'EUR', minDailyBudgetMicros: '1000000' },
      { id: JPY_CUST, currencyCode: 'JPY' },
    ],
  });
  const p = new GoogleAdsPlatform(fake.settings(), {
    clock: () => '2026-11-20T09:00:00.000Z',
    naming: new NamingConvention(),
    retry,
  });
  return { f: fake, p };
}

const queryOf = (r: { body: unknown } | undefined): string => (r?.body as { query?: string } | null)?.query ?? '';
const budgetMutates = (f: FakeGoogleAds) => f.requests.filter((r) => r.path.endsWith('/campaignBudgets:mutate'));

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

describe('Google Ads budgets: reading', () => {
  it('carries the budget resource, the daily budget and whether it is shared on each campaign', async () => {
    const { p, f } = await setup();
    const snap = await p.fetchCampaigns();
    const byId = new Map(snap.campaigns.map((c) => [c.id, c]));
    expect(byId.get('101')).toMatchObject({
      dailyBudget: 50,
      budgetResource: `customers/${EUR_CUST}/campaignBudgets/1010`,
      sharedBudget: false,
    });
    expect(byId.get('102')).toMatchObject({
      budgetResource: `customers/${EUR_CUST}/campaignBudgets/9001`,
      sharedBudget: true,
    });
    expect(byId.get('201')).toMatchObject({ dailyBudget: 15_000, currency: 'JPY', sharedBudget: false });
    const query = queryOf(f.requests.find((r) => r.kind === 'search'));
    expect(query).toMatch(
      /campaign\.campaign_budget, campaign_budget\.amount_micros, campaign_budget\.explicitly_shared/,
    );
  });
});

describe('Google Ads budgets: changing', () => {
  it('sends campaignBudgets:mutate with the resource, amountMicros as a string and the mask, then reads it back', async () => {
    const { p, f } = await setup();
    await expect(p.setDailyBudget('101', 61.234, 'EUR')).resolves.toEqual({
      outcome: 'changed',
      from: 50,
      to: 61.23,
      currency: 'EUR',
    });
    const [mutate] = budgetMutates(f);
    expect(mutate?.path).toBe(`/v26/customers/${EUR_CUST}/campaignBudgets:mutate`);
    expect(mutate?.body).toEqual({
      operations: [
        {
          update: { resourceName: `customers/${EUR_CUST}/campaignBudgets/1010`, amountMicros: '61230000' },
          updateMask: 'amountMicros',
        },
      ],
    });
    expect(f.campaign('101')?.budgetMicros).toBe('61230000');
    // The read-back is a search after the mutate.
    const after = f.requests.slice(f.requests.indexOf(mutate as (typeof f.requests)[number]) + 1);
    expect(after.map((r) => r.kind)).toEqual(['search']);
    expect(queryOf(after[0])).toMatch(/campaign_budget\.amount_micros.*campaign\.id = 101$/);
  });

  it('rounds to the currency minimum unit: cents for EUR (multiples of 10,000 micros), whole yen for JPY', async () => {
    const { p, f } = await setup();
    await p.setDailyBudget('101', 70.005, 'EUR');
    await p.setDailyBudget('201', 12_345.6, 'JPY');
    const sent = budgetMutates(f).map(
      (r) => (r.body as { operations: { update: { amountMicros: string } }[] }).operations[0]?.update.amountMicros,
    );
    expect(sent).toEqual(['70010000', '12346000000']);
    expect(f.campaign('201')?.budgetMicros).toBe('12346000000');
    expect(amountToMicros(0.004, 'EUR')).toBeNull();
    expect(amountToMicros(-5, 'EUR')).toBeNull();
    expect(amountToMicros(1.5, 'KWD')).toBe('1500000');
  });

  it('the same amount again: no mutate', async () => {
    const { p, f } = await setup();
    await expect(p.setDailyBudget('101', 50, 'EUR')).resolves.toMatchObject({ outcome: 'unchanged', to: 50 });
    expect(budgetMutates(f)).toHaveLength(0);
  });

  it('never changes a shared budget', async () => {
    const { p, f } = await setup();
    const err = await failure(p.setDailyBudget('102', 90, 'EUR'));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/campaign 102 .*shared with other campaigns/);
    expect(budgetMutates(f)).toHaveLength(0);
    expect(f.campaign('103')?.budgetMicros).toBe('80000000');
  });

  it('refuses another currency than the account has', async () => {
    const { p, f } = await setup();
    const err = await failure(p.setDailyBudget('201', 100, 'EUR'));
    expect(err.message).toMatch(/currency is JPY, not EUR/);
    expect(budgetMutates(f)).toHaveLength(0);
  });

  it("BUDGET_BELOW_PER_DAY_MINIMUM is a clear refusal naming the campaign, the amount and Google's minimum", async () => {
    const { p, f } = await setup();
    const err = await failure(p.setDailyBudget('101', 0.5, 'EUR'));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/daily budget of campaign 101 to 0\.50 EUR/);
    expect(err.message).toMatch(/campaignBudgetError: BUDGET_BELOW_PER_DAY_MINIMUM/);
    expect(err.message).toMatch(/minimum for this campaign is 1 a day/);
    expect(budgetMutates(f)).toHaveLength(1);
    expect(f.campaign('101')?.budgetMicros).toBe('50000000');
  });

  it('the fake refuses micros that are not a multiple of the minimum unit, as Google does', async () => {
    const { f } = await setup();
    const token = await fetch(f.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: f.settings().clientId as string,
        client_secret: f.settings().clientSecret as string,
        refresh_token: f.settings().refreshToken as string,
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const res = await fetch(`${f.url}/v26/customers/${EUR_CUST}/campaignBudgets:mutate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        operations: [
          {
            update: { resourceName: `customers/${EUR_CUST}/campaignBudgets/1010`, amountMicros: '61234567' },
            updateMask: 'amountMicros',
          },
        ],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { details: { errors: { errorCode: Record<string, string> }[] }[] };
    };
    expect(body.error.details[0]?.errors[0]?.errorCode).toEqual({
      campaignBudgetError: 'NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT',
    });
  });

  it('a quota error is retried as for a pause, then the change goes through', async () => {
    const { p, f } = await setup();
    f.fail({ on: 'mutate', failure: { type: 'quota', retryDelay: '3s' } });
    await expect(p.setDailyBudget('101', 55, 'EUR')).resolves.toMatchObject({ outcome: 'changed', to: 55 });
    expect(sleeps).toEqual([3000]);
    expect(budgetMutates(f).map((r) => r.status)).toEqual([429, 200]);
  });

  it('an accepted mutate the read-back does not show is not a change', async () => {
    const { p, f } = await setup();
    f.fail({ on: 'mutate', failure: { type: 'mutate_noop' } });
    const err = await failure(p.setDailyBudget('101', 55, 'EUR'));
    expect(err.message).toMatch(/accepted the daily budget 55\.00 EUR .*reading it back shows 50\.00 EUR/);
  });

  it('an unknown campaign cannot have its budget changed', async () => {
    const { p } = await setup();
    expect((await failure(p.setDailyBudget('999', 55, 'EUR'))).message).toMatch(/no configured customer/);
  });
});

describe('Google Ads budgets: dry-run', () => {
  it('sends validateOnly so Google checks the change, and changes nothing', async () => {
    const { p, f } = await setup();
    const dry = new DryRunPlatform(p);
    await expect(dry.setDailyBudget('101', 61.23, 'EUR')).resolves.toEqual({
      outcome: 'would_change',
      from: 50,
      to: 61.23,
      currency: 'EUR',
    });
    const [mutate] = budgetMutates(f);
    expect(mutate?.body).toMatchObject({ validateOnly: true });
    expect(f.campaign('101')?.budgetMicros).toBe('50000000');
  });

  it("Google's refusal of the amount shows in dry-run too", async () => {
    const { p, f } = await setup();
    const err = await failure(new DryRunPlatform(p).setDailyBudget('101', 0.2, 'EUR'));
    expect(err.message).toMatch(/BUDGET_BELOW_PER_DAY_MINIMUM/);
    expect(f.campaign('101')?.budgetMicros).toBe('50000000');
  });
});
