// Daily budgets on Meta over the wire: read with the campaigns, written as minor units with the currency's offset,
// read back, refused as Meta refuses, not written in dry-run.
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { DryRunPlatform } from '../../src/platforms/dry-run.js';
import { MetaPlatform } from '../../src/platforms/meta/adapter.js';
import { amountToMinor } from '../../src/platforms/meta/budgets.js';
import { NamingConvention } from '../../src/platforms/naming.js';
import { DEFAULT_RETRY } from '../../src/platforms/retry.js';
import { type FakeMetaGraph, metaFailures, startFakeMetaGraph } from '../fakes/meta-graph.js';

let fake: FakeMetaGraph | null = null;
let sleeps: number[] = [];
afterEach(async () => {
  await fake?.close();
  fake = null;
  sleeps = [];
});

async function setup(): Promise<{ f: FakeMetaGraph; meta: MetaPlatform }> {
  fake = await startFakeMetaGraph({
    accounts: [
      {
        id: '111',
        currency: 'EUR',
        timezone_name: 'Europe/Berlin',
        campaigns: [
          // Advantage campaign budget: the daily budget is on the campaign.
          { id: '120001', name: 'Acme_DE_Shoes', status: 'ACTIVE', daily_budget: '5050' },
          // Budgets on the ad sets: nothing on the campaign.
          { id: '120002', name: 'Acme_DE_Bags', status: 'ACTIVE' },
          { id: '120003', name: 'Acme_DE_Hats', status: 'ACTIVE', lifetime_budget: '300000' },
        ],
      },
      {
        id: '222',
        currency: 'JPY',
        timezone_name: 'Asia/Tokyo',
        campaigns: [{ id: '130001', name: 'Acme_JP_Shoes', status: 'ACTIVE', daily_budget: '5000' }],
      },
    ],
  });
  const meta = new MetaPlatform(
    { accessToken: fake.token, adAccountIds: ['111', '222'], apiBaseUrl: fake.url, apiVersion: 'v27.0' },
    {
      clock: () => '2026-11-20T09:00:00.000Z',
      naming: new NamingConvention(),
      retry: {
        ...DEFAULT_RETRY,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 1,
      },
    },
  );
  return { f: fake, meta };
}

async function rejection(p: Promise<unknown>): Promise<PlatformError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

const budgetPosts = (f: FakeMetaGraph) => f.requests.filter((r) => r.method === 'POST' && 'daily_budget' in r.form);

describe('Meta budgets: reading', () => {
  it('says where the budget is: daily on the campaign, on the ad sets, or a lifetime budget', async () => {
    const { meta } = await setup();
    const { campaigns } = await meta.fetchCampaigns();
    const c = new Map(campaigns.map((x) => [x.id, x]));
    expect(c.get('120001')).toMatchObject({ dailyBudget: 50.5, lifetimeBudget: null, adSetBudgets: false });
    expect(c.get('120002')).toMatchObject({ dailyBudget: null, lifetimeBudget: null, adSetBudgets: true });
    expect(c.get('120003')).toMatchObject({ dailyBudget: null, lifetimeBudget: 3000, adSetBudgets: false });
    expect(c.get('130001')).toMatchObject({ dailyBudget: 5000, currency: 'JPY' });
  });
});

describe('Meta budgets: changing', () => {
  it('posts daily_budget in minor units (offset 100 for EUR) and reads it back', async () => {
    const { f, meta } = await setup();
    await meta.fetchCampaigns();
    await expect(meta.setDailyBudget('120001', 61.234, 'EUR')).resolves.toEqual({
      outcome: 'changed',
      from: 50.5,
      to: 61.23,
      currency: 'EUR',
    });
    const [post] = budgetPosts(f);
    expect(post?.path).toBe('120001');
    expect(post?.form).toEqual({ daily_budget: '6123' });
    expect(f.campaign('120001')?.daily_budget).toBe('6123');
    const after = f.requests.slice(f.requests.indexOf(post as (typeof f.requests)[number]) + 1);
    expect(after.map((r) => `${r.method} ${r.path} ${r.query.fields}`)).toEqual(['GET 120001 daily_budget']);
  });

  it('JPY has offset 1: whole yen, rounded half away from zero', async () => {
    const { f, meta } = await setup();
    await meta.fetchCampaigns();
    await expect(meta.setDailyBudget('130001', 6000.5, 'JPY')).resolves.toMatchObject({ from: 5000, to: 6001 });
    expect(budgetPosts(f)[0]?.form).toEqual({ daily_budget: '6001' });
    expect(amountToMinor(12.345, 'EUR')).toBe(1235);
    expect(amountToMinor(99.5, 'KRW')).toBe(100);
    expect(amountToMinor(0.001, 'EUR')).toBeNull();
  });

  it('without a prior fetch it finds the account and its currency from the campaign', async () => {
    const { f, meta } = await setup();
    await expect(meta.setDailyBudget('130001', 7000, 'JPY')).resolves.toMatchObject({ outcome: 'changed', to: 7000 });
    expect(f.requests.map((r) => `${r.method} ${r.path}`).slice(0, 2)).toEqual(['GET 130001', 'GET act_222']);
  });

  it('the same amount again: nothing posted', async () => {
    const { f, meta } = await setup();
    await expect(meta.setDailyBudget('120001', 50.5, 'EUR')).resolves.toMatchObject({ outcome: 'unchanged' });
    expect(budgetPosts(f)).toHaveLength(0);
  });

  it('budgets on ad sets and lifetime budgets are advice only: never written', async () => {
    const { f, meta } = await setup();
    expect((await rejection(meta.setDailyBudget('120002', 80, 'EUR'))).message).toMatch(
      /campaign 120002 .*budgets are on its ad sets/,
    );
    expect((await rejection(meta.setDailyBudget('120003', 80, 'EUR'))).message).toMatch(/lifetime budget/);
    expect((await rejection(meta.setDailyBudget('130001', 80, 'EUR'))).message).toMatch(/currency is JPY, not EUR/);
    expect(budgetPosts(f)).toHaveLength(0);
  });

  it('a throttled write is retried as for a pause', async () => {
    const { f, meta } = await setup();
    await meta.fetchCampaigns();
    f.failNext('POST 120001', metaFailures.throttle(17), 1);
    await expect(meta.setDailyBudget('120001', 55, 'EUR')).resolves.toMatchObject({ outcome: 'changed', to: 55 });
    expect(budgetPosts(f).map((r) => r.status)).toEqual([400, 200]);
    expect(sleeps.length).toBeGreaterThan(0);
  });

  it('an accepted write the read-back does not show is not a change', async () => {
    const { f, meta } = await setup();
    await meta.fetchCampaigns();
    f.ignoreWritesTo('120001');
    const err = await rejection(meta.setDailyBudget('120001', 55, 'EUR'));
    expect(err.message).toMatch(/accepted the daily budget 55\.00 EUR .*still reads 50\.50 EUR after 3 checks/);
  });
});

describe('Meta fake: budgets refused as Meta refuses them', () => {
  const post = (f: FakeMetaGraph, id: string, form: Record<string, string>) =>
    fetch(`${f.url}/v27.0/${id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: Record<string, unknown> } }));

  it('refuses a daily_budget that is not whole minor units, and one on an ad-set-budget campaign', async () => {
    const { f } = await setup();
    const decimal = await post(f, '120001', { daily_budget: '61.23' });
    expect(decimal.status).toBe(400);
    expect(decimal.body.error).toMatchObject({ code: 100 });
    const conflict = await post(f, '120002', { daily_budget: '8000' });
    expect(conflict.body.error).toMatchObject({ code: 100, error_subcode: 1885621 });
    expect(f.campaign('120001')?.daily_budget).toBe('5050');
    expect(f.campaign('120002')?.daily_budget).toBeUndefined();
  });
});

describe('Meta budgets: dry-run', () => {
  it('reads the budget and says what it would set, writing nothing', async () => {
    const { f, meta } = await setup();
    await meta.fetchCampaigns();
    await expect(new DryRunPlatform(meta).setDailyBudget('120001', 61.23, 'EUR')).resolves.toEqual({
      outcome: 'would_change',
      from: 50.5,
      to: 61.23,
      currency: 'EUR',
    });
    expect(f.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(f.campaign('120001')?.daily_budget).toBe('5050');
  });
});
