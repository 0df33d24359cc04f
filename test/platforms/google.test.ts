import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { PlatformError } from '../../src/errors.js';
import { GoogleAdsPlatform } from '../../src/platforms/google/adapter.js';
import { dailyCosts } from '../../src/platforms/google/campaigns.js';
import { dateFields, parseDuration } from '../../src/platforms/google/client.js';
import { datePart, microsToAmount } from '../../src/platforms/google/convert.js';
import { NamingConvention } from '../../src/platforms/naming.js';
import type { RetryPolicy } from '../../src/platforms/retry.js';
import { createApp } from '../../src/wiring.js';
import {
  FAKE_GOOGLE,
  type FakeGoogleAds,
  type FakeGoogleAdsOptions,
  type FakeGoogleCampaign,
  startFakeGoogleAds,
} from '../fakes/google-ads.js';

const NOW = '2026-11-20T09:00:00.000Z';
const CUST_A = '1112223334';
const CUST_B = '5556667778';

const CAMPAIGNS: FakeGoogleCampaign[] = [
  {
    customerId: CUST_A,
    id: '101',
    name: 'Acme_DE_Sneakers_Prospecting',
    status: 'ENABLED',
    startDate: '2026-11-01',
    endDate: '2026-11-30',
    budgetMicros: '50000000',
    costMicros: '1234567890',
  },
  {
    customerId: CUST_A,
    id: '102',
    name: 'BF26 Football',
    status: 'PAUSED',
    startDate: '2026-11-10',
    endDate: null,
    budgetMicros: '20000000',
    costMicros: null,
  },
  {
    customerId: CUST_A,
    id: '103',
    name: 'Acme_DE_Old_Removed',
    status: 'REMOVED',
    startDate: '2026-01-01',
    endDate: '2026-02-01',
    costMicros: '5000000',
  },
  {
    customerId: CUST_B,
    id: '201',
    name: 'Acme_FR_Running_Search',
    status: 'ENABLED',
    startDate: '2026-11-05',
    endDate: '2026-12-05',
    budgetMicros: '12345678',
    costMicros: '999995000',
  },
];

let fake: FakeGoogleAds | null = null;
let sleeps: number[] = [];

afterEach(async () => {
  await fake?.close();
  fake = null;
  sleeps = [];
});

function policy(over: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxRetryAfterMs: 120_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  };
}

async function start(opts: FakeGoogleAdsOptions = {}): Promise<FakeGoogleAds> {
  fake = await startFakeGoogleAds({
    campaigns: CAMPAIGNS,
    customers: [
      { id: CUST_A, currencyCode: 'EUR' },
      { id: CUST_B, currencyCode: 'USD' },
    ],
    ...opts,
  });
  return fake;
}

function platform(
  f: FakeGoogleAds,
  opts: { settings?: Parameters<FakeGoogleAds['settings']>[0]; retry?: RetryPolicy; now?: () => number } = {},
): GoogleAdsPlatform {
  return new GoogleAdsPlatform(f.settings(opts.settings), {
    clock: () => NOW,
    naming: new NamingConvention(),
    retry: opts.retry ?? policy(),
    ...(opts.now ? { now: opts.now } : {}),
  });
}

const searches = (f: FakeGoogleAds, customerId?: string) =>
  f.requests.filter((r) => r.kind === 'search' && (customerId === undefined || r.customerId === customerId));
const queryOf = (r: { body: unknown } | undefined): string => (r?.body as { query?: string } | null)?.query ?? '';
const tokenRequests = (f: FakeGoogleAds) => f.requests.filter((r) => r.kind === 'token');

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

describe('Google Ads adapter: reading campaigns', () => {
  it('maps GAQL rows to platform campaigns: exact spend from micros, dates from start_date_time, naming, currency', async () => {
    const f = await start();
    const snap = await platform(f).fetchCampaigns();

    expect(snap.campaigns.map((c) => c.id).sort()).toEqual(['101', '102', '201']);
    const c101 = snap.campaigns.find((c) => c.id === '101');
    expect(c101).toEqual({
      platform: 'google',
      id: '101',
      name: 'Acme_DE_Sneakers_Prospecting',
      market: 'DE',
      product: 'Sneakers',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
      spend: 1234.57,
      status: 'ENABLED',
      fetchedAt: NOW,
      account: '1112223334',
      timeZone: 'Europe/Berlin',
      dailyBudget: 50,
      budgetResource: 'customers/1112223334/campaignBudgets/1010',
      sharedBudget: false,
      currency: 'EUR',
      reportingLagHours: 3,
    });
    // 999,995,000 micros = 999.995: half away from zero gives 1000.00 (a float 999.995 * 100 would round down).
    const c201 = snap.campaigns.find((c) => c.id === '201');
    expect(c201).toMatchObject({
      spend: 1000,
      dailyBudget: 12.35,
      currency: 'USD',
      market: 'FR',
      product: 'Running',
      endDate: '2026-12-05',
    });
    // No cost recorded (field left out of the JSON) is zero spend; no end date is an open flight.
    const c102 = snap.campaigns.find((c) => c.id === '102');
    expect(c102).toMatchObject({ spend: 0, status: 'PAUSED', endDate: null, market: null, product: null });
    // The name that does not follow the convention is reported; the run goes on.
    expect(snap.errors).toEqual([
      expect.stringMatching(/campaign 102: "BF26 Football" does not follow the naming convention/),
    ]);

    const [first] = searches(f);
    const query = queryOf(first);
    expect(query).toContain('campaign.start_date_time');
    expect(query).toContain('campaign.end_date_time');
    expect(query).toContain("campaign.status != 'REMOVED'");
    expect(query).toMatch(/metrics\.cost_micros/);
    expect(query).not.toMatch(/segments\.date/);
    expect(first?.body).not.toHaveProperty('pageSize');
    expect(first?.path).toBe(`/v26/customers/${CUST_A}/googleAds:search`);
  });

  it('follows nextPageToken across pages', async () => {
    const many: FakeGoogleCampaign[] = Array.from({ length: 5 }, (_, i) => ({
      customerId: CUST_A,
      id: String(300 + i),
      name: `Acme_DE_Product${i}_Search`,
      status: 'ENABLED',
      costMicros: String((i + 1) * 1_000_000),
    }));
    const f = await start({ campaigns: many, customers: [{ id: CUST_A, currencyCode: 'EUR' }], pageSize: 2 });
    const snap = await platform(f).fetchCampaigns();
    expect(snap.campaigns.map((c) => c.id)).toEqual(['300', '301', '302', '303', '304']);
    expect(snap.campaigns.map((c) => c.spend)).toEqual([1, 2, 3, 4, 5]);
    const pages = searches(f);
    expect(pages).toHaveLength(3);
    expect(pages[0]?.body).not.toHaveProperty('pageToken');
    expect(pages[1]?.body).toHaveProperty('pageToken');
    expect(queryOf(pages[2])).toBe(queryOf(pages[0]));
  });

  it('uses campaign.start_date / end_date before v23 (2037-12-30 meaning no end date)', async () => {
    const f = await start();
    const snap = await platform(f, { settings: { apiVersion: 'v22' } }).fetchCampaigns();
    const query = queryOf(searches(f)[0]);
    expect(query).toContain('campaign.start_date,');
    expect(query).not.toContain('start_date_time');
    expect(searches(f)[0]?.path).toMatch(/^\/v22\//);
    expect(snap.campaigns.find((c) => c.id === '101')).toMatchObject({
      startDate: '2026-11-01',
      endDate: '2026-11-30',
    });
    expect(snap.campaigns.find((c) => c.id === '102')?.endDate).toBeNull();
  });

  it('sends Authorization, developer-token and login-customer-id', async () => {
    const f = await start({ managerId: '9998887776' });
    await platform(f).fetchCampaigns();
    for (const r of searches(f)) {
      expect(r.headers.authorization).toBe(`Bearer ${f.issuedTokens[0]}`);
      expect(r.headers['developer-token']).toBe(FAKE_GOOGLE.developerToken);
      expect(r.headers['login-customer-id']).toBe('9998887776');
      expect(r.headers['content-type']).toMatch(/application\/json/);
    }
    const token = tokenRequests(f)[0];
    expect(token?.body).toEqual({
      grant_type: 'refresh_token',
      client_id: FAKE_GOOGLE.clientId,
      client_secret: FAKE_GOOGLE.clientSecret,
      refresh_token: FAKE_GOOGLE.refreshToken,
    });
    expect(token?.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
  });

  it('leaves out developer-token and login-customer-id when they are not configured', async () => {
    const f = await start();
    await platform(f, { settings: { developerToken: null, loginCustomerId: null } }).fetchCampaigns();
    for (const r of searches(f)) {
      expect(r.headers).not.toHaveProperty('developer-token');
      expect(r.headers).not.toHaveProperty('login-customer-id');
    }
  });

  it("without login-customer-id for a manager-reached account: Google's refusal, with the setting to fix it", async () => {
    const f = await start({ managerId: '9998887776' });
    const err = await failure(platform(f, { settings: { loginCustomerId: null } }).fetchCampaigns());
    expect(err.message).toMatch(/authorizationError: USER_PERMISSION_DENIED/);
    expect(err.message).toMatch(/GOOGLE_ADS_LOGIN_CUSTOMER_ID/);
    expect(sleeps).toEqual([]);
  });

  it("one customer failing keeps the other customer's campaigns and reports the failure", async () => {
    const f = await start();
    f.fail({
      on: 'search',
      customerId: CUST_A,
      times: Number.POSITIVE_INFINITY,
      failure: { type: 'permission_denied' },
    });
    const snap = await platform(f).fetchCampaigns();
    expect(snap.campaigns.map((c) => c.id)).toEqual(['201']);
    expect(snap.errors[0]).toMatch(
      /customer 111-222-3334 failed: HTTP 403, authorizationError: USER_PERMISSION_DENIED — User doesn't have permission/,
    );
    expect(snap.errors[0]).toMatch(/missing from this run/);
    expect(snap.incomplete).toMatch(/^Google Ads customer 111-222-3334 could not be read: its campaigns are missing/);
    // 403 is not retried.
    expect(searches(f, CUST_A)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('every customer failing: the platform is unavailable for the run (PlatformError)', async () => {
    const f = await start();
    f.fail({ on: 'search', times: Number.POSITIVE_INFINITY, failure: { type: 'permission_denied' } });
    const err = await failure(platform(f).fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/every configured customer/);
    expect(err.message).toContain('111-222-3334');
    expect(err.message).toContain('555-666-7778');
  });

  it('describes itself with the API version and accounts', async () => {
    const f = await start();
    expect(platform(f).description).toBe('Google Ads API v26 (customers 111-222-3334, 555-666-7778)');
  });
});

describe('Google Ads adapter: spend in a window', () => {
  const WINDOW = { since: '2026-11-01', until: '2026-11-20' };
  const DAILY: FakeGoogleCampaign[] = [
    {
      // Always on: 9000 over its life, of which only the window's days count.
      customerId: CUST_A,
      id: '401',
      name: 'Acme_DE_Sneakers_AlwaysOn',
      status: 'ENABLED',
      startDate: '2025-01-01',
      endDate: null,
      budgetMicros: '50000000',
      costMicros: '9000000000',
      costByDay: {
        '2026-10-31': '3000000000',
        '2026-11-01': '1234565000',
        '2026-11-02': '5000',
        '2026-11-05': '0',
        '2026-11-20': '10000000',
        '2026-11-21': '7000000',
      },
    },
    {
      // Spent before the window only: no row in the segmented report.
      customerId: CUST_A,
      id: '402',
      name: 'Acme_DE_Running_Search',
      status: 'PAUSED',
      startDate: '2026-10-01',
      endDate: '2026-10-31',
      costByDay: { '2026-10-15': '500000000' },
    },
    {
      customerId: CUST_B,
      id: '501',
      name: 'Acme_FR_Trail_Brand',
      status: 'ENABLED',
      startDate: '2026-11-10',
      endDate: '2026-11-30',
      costByDay: { '2026-11-10': '999995000', '2026-11-11': '1' },
    },
  ];
  const startDaily = (opts: FakeGoogleAdsOptions = {}) => start({ campaigns: DAILY, ...opts });
  const byId = (snap: { campaigns: { id: string }[] }, id: string) => snap.campaigns.find((c) => c.id === id);

  it("sums only the window's days: spendByDay exact per day, the total summed in micros and rounded once", async () => {
    const f = await startDaily();
    const snap = await platform(f).fetchCampaigns(WINDOW);

    expect(snap.errors).toEqual([]);
    expect(snap.incomplete).toBeNull();
    expect(byId(snap, '401')).toEqual({
      platform: 'google',
      id: '401',
      name: 'Acme_DE_Sneakers_AlwaysOn',
      market: 'DE',
      product: 'Sneakers',
      startDate: '2025-01-01',
      endDate: null,
      // 1,234,565,000 + 5,000 + 10,000,000 micros = 1244.57; the rounded days would add up to 1244.58.
      spend: 1244.57,
      spendByDay: { '2026-11-01': 1234.57, '2026-11-02': 0.01, '2026-11-20': 10 },
      status: 'ENABLED',
      fetchedAt: NOW,
      account: '1112223334',
      timeZone: 'Europe/Berlin',
      dailyBudget: 50,
      budgetResource: 'customers/1112223334/campaignBudgets/4010',
      sharedBudget: false,
      currency: 'EUR',
      reportingLagHours: 3,
    });
    // 999,995,001 micros: 1000.00 in all, and the single micro on the 11th rounds to 0.00.
    expect(byId(snap, '501')).toMatchObject({ spend: 1000, spendByDay: { '2026-11-10': 1000, '2026-11-11': 0 } });

    const queries = searches(f, CUST_A).map(queryOf);
    expect(queries).toHaveLength(2);
    const attributes = queries.find((q) => !q.includes('segments.date')) ?? '';
    expect(attributes).toContain('campaign.start_date_time');
    expect(attributes).not.toContain('metrics.');
    expect(queries.find((q) => q.includes('segments.date'))).toBe(
      "SELECT campaign.id, segments.date, metrics.cost_micros FROM campaign WHERE campaign.status != 'REMOVED' " +
        "AND segments.date BETWEEN '2026-11-01' AND '2026-11-20'",
    );
  });

  it('lists a campaign with no cost in the window, with spend 0 (zero delivery shows)', async () => {
    const f = await startDaily();
    const snap = await platform(f).fetchCampaigns(WINDOW);
    expect(snap.campaigns.map((c) => c.id).sort()).toEqual(['401', '402', '501']);
    expect(byId(snap, '402')).toMatchObject({ spend: 0, spendByDay: {}, status: 'PAUSED', endDate: '2026-10-31' });
  });

  it('without a window keeps lifetime spend and gives no spendByDay (one query per customer, as before)', async () => {
    const f = await startDaily();
    const snap = await platform(f).fetchCampaigns();
    expect(byId(snap, '401')).toMatchObject({ spend: 9000 });
    expect(byId(snap, '402')).toMatchObject({ spend: 500 });
    for (const c of snap.campaigns) expect(c).not.toHaveProperty('spendByDay');
    expect(searches(f)).toHaveLength(2);
    for (const r of searches(f)) {
      expect(queryOf(r)).toContain('metrics.cost_micros');
      expect(queryOf(r)).not.toContain('segments.date');
    }
  });

  it('follows nextPageToken through the daily rows', async () => {
    const days = ['2026-11-01', '2026-11-02', '2026-11-03'];
    const many: FakeGoogleCampaign[] = Array.from({ length: 3 }, (_, i) => ({
      customerId: CUST_A,
      id: String(600 + i),
      name: `Acme_DE_Product${i}_Search`,
      status: 'ENABLED',
      // (i + 1) per day in the window, and 100 the day before it.
      costByDay: {
        '2026-10-31': '100000000',
        ...Object.fromEntries(days.map((d) => [d, String((i + 1) * 1_000_000)])),
      },
    }));
    const f = await start({ campaigns: many, customers: [{ id: CUST_A, currencyCode: 'EUR' }], pageSize: 2 });
    const snap = await platform(f).fetchCampaigns({ since: '2026-11-01', until: '2026-11-03' });
    expect(snap.campaigns.map((c) => [c.id, c.spend])).toEqual([
      ['600', 3],
      ['601', 6],
      ['602', 9],
    ]);
    expect(snap.campaigns[2]?.spendByDay).toEqual({ '2026-11-01': 3, '2026-11-02': 3, '2026-11-03': 3 });
    // 9 daily rows at 2 a page: 5 pages, the same query each time, a token from the second on.
    const daily = searches(f).filter((r) => queryOf(r).includes('segments.date'));
    expect(daily).toHaveLength(5);
    expect(daily[0]?.body).not.toHaveProperty('pageToken');
    for (const r of daily.slice(1)) {
      expect(r.body).toHaveProperty('pageToken');
      expect(queryOf(r)).toBe(queryOf(daily[0]));
    }
    expect(searches(f).filter((r) => !queryOf(r).includes('segments.date'))).toHaveLength(2);
  });

  it('one of two customers failing: the snapshot is incomplete, and the failure is still in errors', async () => {
    const f = await startDaily();
    f.fail({
      on: 'search',
      customerId: CUST_B,
      times: Number.POSITIVE_INFINITY,
      failure: { type: 'permission_denied' },
    });
    const snap = await platform(f).fetchCampaigns(WINDOW);
    expect(snap.campaigns.map((c) => c.id).sort()).toEqual(['401', '402']);
    expect(snap.incomplete).toBe(
      'Google Ads customer 555-666-7778 could not be read: its campaigns are missing from this run, so a plan row without a matching campaign may belong to it.',
    );
    expect(snap.errors).toEqual([
      expect.stringMatching(/customer 555-666-7778 failed: HTTP 403.*missing from this run/),
    ]);
  });

  it("either of a customer's two queries failing fails the whole customer: never campaigns without their cost", async () => {
    const f = await startDaily();
    // Only the first of CUST_A's two searches to arrive is refused, whichever it is.
    f.fail({ on: 'search', customerId: CUST_A, failure: { type: 'permission_denied' } });
    const snap = await platform(f).fetchCampaigns(WINDOW);
    expect(snap.campaigns.map((c) => c.id)).toEqual(['501']);
    expect(snap.incomplete).toMatch(/customer 111-222-3334 could not be read/);
  });

  it('a daily row that cannot be trusted skips its campaign with the reason; a day without costMicros is 0', async () => {
    const f = await startDaily();
    // Google would not send these; a proxy or a change on its side might.
    const tamper: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body = typeof init?.body === 'string' ? init.body : '';
      if (!String(input).includes(`/customers/${CUST_A}/`) || !body.includes('segments.date')) return res;
      const json = (await res.json()) as { results?: unknown[] };
      json.results = [
        ...(json.results ?? []),
        { campaign: { id: '401' }, segments: { date: '2026-11-25' }, metrics: { costMicros: '1000000' } },
        { campaign: { id: '402' }, segments: { date: '2026-11-04' }, metrics: {} },
        { segments: { date: '2026-11-03' }, metrics: { costMicros: '5' } },
      ];
      return new Response(JSON.stringify(json), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const p = new GoogleAdsPlatform(f.settings(), {
      clock: () => NOW,
      naming: new NamingConvention(),
      retry: policy(),
      fetch: tamper,
    });
    const snap = await p.fetchCampaigns(WINDOW);
    expect(snap.campaigns.map((c) => c.id).sort()).toEqual(['402', '501']);
    expect(byId(snap, '402')).toMatchObject({ spend: 0, spendByDay: { '2026-11-04': 0 } });
    expect(snap.errors).toEqual([
      'Google Ads customer 111-222-3334: a daily cost row without a valid campaign id was skipped.',
      'Google Ads customer 111-222-3334, campaign 401: segments.date "2026-11-25" is not a day from 2026-11-01 to 2026-11-20; skipped.',
    ]);
    // Named, so that a plan row meaning campaign 401 is told its data was unusable rather than "no match".
    expect(snap.unusable).toEqual([
      { id: '401', name: expect.any(String), message: expect.stringMatching(/campaign 401/) },
    ]);
  });

  it('refuses a malformed window without asking Google; a window ending before it starts has no spend', async () => {
    const f = await startDaily();
    const err = await failure(platform(f).fetchCampaigns({ since: '2026-11-01', until: "2026-11-20' OR 1=1" }));
    expect(err.message).toMatch(/not two dates as YYYY-MM-DD/);
    expect(searches(f)).toHaveLength(0);

    const snap = await platform(f).fetchCampaigns({ since: '2026-11-21', until: '2026-11-20' });
    expect(snap.campaigns.map((c) => [c.id, c.spend, c.spendByDay])).toEqual([
      ['401', 0, {}],
      ['402', 0, {}],
      ['501', 0, {}],
    ]);
    expect(searches(f).filter((r) => queryOf(r).includes('segments.date'))).toHaveLength(0);
  });
});

describe('Google Ads fake: dates as Google documents them', () => {
  async function rawSearch(f: FakeGoogleAds, query: string) {
    const token = (await (
      await fetch(f.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: FAKE_GOOGLE.clientId,
          client_secret: FAKE_GOOGLE.clientSecret,
          refresh_token: FAKE_GOOGLE.refreshToken,
        }).toString(),
      })
    ).json()) as { access_token: string };
    const res = await fetch(`${f.url}/v26/customers/${CUST_A}/googleAds:search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const campaigns: FakeGoogleCampaign[] = [
    {
      customerId: CUST_A,
      id: '701',
      name: 'Acme_DE_A_Search',
      status: 'ENABLED',
      costByDay: { '2026-11-01': '1000000', '2026-11-02': '0', '2026-11-03': '2000000' },
    },
    { customerId: CUST_A, id: '702', name: 'Acme_DE_B_Search', status: 'ENABLED' },
  ];

  it('segments.date in SELECT needs a finite range in WHERE (EXPECTED_FILTERS_ON_DATE_RANGE)', async () => {
    const f = await start({ campaigns, customers: [{ id: CUST_A, currencyCode: 'EUR' }] });
    const open = await rawSearch(
      f,
      "SELECT campaign.id, segments.date, metrics.cost_micros FROM campaign WHERE segments.date >= '2026-11-01'",
    );
    expect(open.status).toBe(400);
    expect(JSON.stringify(open.body)).toContain('"queryError":"EXPECTED_FILTERS_ON_DATE_RANGE"');
  });

  it('segmented: one row per campaign per day, zero-cost days and campaigns left out', async () => {
    const f = await start({ campaigns, customers: [{ id: CUST_A, currencyCode: 'EUR' }] });
    const { status, body } = await rawSearch(
      f,
      "SELECT campaign.id, segments.date, metrics.cost_micros FROM campaign WHERE segments.date BETWEEN '20261101' AND '2026-11-03'",
    );
    expect(status).toBe(200);
    expect(body.results).toEqual([
      {
        campaign: { resourceName: `customers/${CUST_A}/campaigns/701`, id: '701' },
        segments: { date: '2026-11-01' },
        metrics: { costMicros: '1000000' },
      },
      {
        campaign: { resourceName: `customers/${CUST_A}/campaigns/701`, id: '701' },
        segments: { date: '2026-11-03' },
        metrics: { costMicros: '2000000' },
      },
    ]);
    expect(body.fieldMask).toBe('campaign.id,segments.date,metrics.costMicros');
  });

  it('a date condition without segments.date in SELECT sums over the range and keeps zero rows', async () => {
    const f = await start({ campaigns, customers: [{ id: CUST_A, currencyCode: 'EUR' }] });
    const { body } = await rawSearch(
      f,
      "SELECT campaign.id, metrics.cost_micros FROM campaign WHERE segments.date BETWEEN '2026-11-02' AND '2026-11-03'",
    );
    expect(
      (body.results as { campaign: { id: string }; metrics: unknown }[]).map((r) => [r.campaign.id, r.metrics]),
    ).toEqual([
      ['701', { costMicros: '2000000' }],
      ['702', {}],
    ]);
  });
});

describe('Google Ads adapter: OAuth tokens', () => {
  it('caches the access token and refreshes it about a minute before it expires; one refresh for concurrent calls', async () => {
    const f = await start({ tokenTtlSeconds: 3600 });
    let now = 1_000_000;
    const p = platform(f, { now: () => now });
    await p.fetchCampaigns(); // two customers at once
    expect(tokenRequests(f)).toHaveLength(1);
    now += 3_530_000; // 70 s before expiry
    await p.fetchCampaigns();
    expect(tokenRequests(f)).toHaveLength(1);
    now += 20_000; // 50 s before expiry: inside the margin
    await p.fetchCampaigns();
    expect(tokenRequests(f)).toHaveLength(2);
    const last = searches(f).at(-1);
    expect(last?.headers.authorization).toBe(`Bearer ${f.issuedTokens[1]}`);
  });

  it('on a 401 refreshes the token once and repeats the call', async () => {
    const f = await start({
      campaigns: CAMPAIGNS.filter((c) => c.customerId === CUST_A),
      customers: [{ id: CUST_A, currencyCode: 'EUR' }],
    });
    const p = platform(f);
    await p.fetchCampaigns();
    f.expireTokens();
    const snap = await p.fetchCampaigns();
    expect(snap.campaigns).toHaveLength(2);
    expect(tokenRequests(f)).toHaveLength(2);
    expect(searches(f).map((r) => r.status)).toEqual([200, 401, 200]);
    expect(sleeps).toEqual([]);
  });

  it('a 401 that survives a fresh token is reported, not looped on', async () => {
    const f = await start({
      campaigns: CAMPAIGNS.filter((c) => c.customerId === CUST_A),
      customers: [{ id: CUST_A, currencyCode: 'EUR' }],
    });
    f.fail({ on: 'search', times: Number.POSITIVE_INFINITY, failure: { type: 'unauthenticated' } });
    const err = await failure(platform(f).fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401, UNAUTHENTICATED/);
    expect(err.message).toMatch(/adwords scope/);
    expect(searches(f)).toHaveLength(2);
    expect(tokenRequests(f)).toHaveLength(2);
  });

  it('a refused refresh token (invalid_grant) is fatal and says to re-create GOOGLE_ADS_REFRESH_TOKEN', async () => {
    const f = await start();
    f.revokeRefreshToken();
    const err = await failure(platform(f).fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/invalid_grant: Token has been expired or revoked/);
    expect(err.message).toMatch(/re-create GOOGLE_ADS_REFRESH_TOKEN/);
    expect(err.message.match(/re-create/g)).toHaveLength(1); // said once, not once per customer
    expect(tokenRequests(f)).toHaveLength(1); // one shared, unretried refresh for both customers
    expect(searches(f)).toHaveLength(0);
  });

  it('a wrong client secret names the settings to check', async () => {
    const f = await start();
    const err = await failure(
      platform(f, { settings: { clientSecret: 'GOCSPX-wrong-secret-value' } }).fetchCampaigns(),
    );
    expect(err.message).toMatch(/invalid_client/);
    expect(err.message).toMatch(/GOOGLE_ADS_CLIENT_ID and GOOGLE_ADS_CLIENT_SECRET/);
    expect(err.message).not.toContain('GOCSPX-wrong-secret-value');
  });
});

describe('Google Ads adapter: retries and quota', () => {
  const onlyA = () =>
    start({
      campaigns: CAMPAIGNS.filter((c) => c.customerId === CUST_A),
      customers: [{ id: CUST_A, currencyCode: 'EUR' }],
    });

  it('429 RESOURCE_EXHAUSTED with a short retryDelay: waits that long, then succeeds', async () => {
    const f = await onlyA();
    f.fail({ on: 'search', failure: { type: 'quota', retryDelay: '2s' } });
    const snap = await platform(f).fetchCampaigns();
    expect(snap.campaigns).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(searches(f).map((r) => r.status)).toEqual([429, 200]);
  });

  it('RESOURCE_TEMPORARILY_EXHAUSTED once: backs off and succeeds', async () => {
    const f = await onlyA();
    f.fail({ on: 'search', failure: { type: 'temporarily_exhausted' } });
    const snap = await platform(f).fetchCampaigns();
    expect(snap.campaigns).toHaveLength(2);
    expect(sleeps).toEqual([75]); // base 100 ms, half of it plus random 0.5 of the other half
  });

  it('500 and a dropped connection are retried with backoff', async () => {
    const f = await onlyA();
    f.fail({ on: 'search', failure: { type: 'internal' } });
    f.fail({ on: 'search', failure: { type: 'reset' } });
    const snap = await platform(f).fetchCampaigns();
    expect(snap.campaigns).toHaveLength(2);
    expect(sleeps).toEqual([75, 150]);
    expect(searches(f).map((r) => r.status)).toEqual([500, 0, 200]);
  });

  it('a long retryDelay ("40591s") is fatal for the run at once, with Google\'s words', async () => {
    const f = await onlyA();
    f.fail({ on: 'search', times: Number.POSITIVE_INFINITY, failure: { type: 'quota', retryDelay: '40591s' } });
    const err = await failure(platform(f).fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.retryAfterMs).toBe(40_591_000);
    expect(err.message).toMatch(
      /HTTP 429, quotaError: RESOURCE_EXHAUSTED — Too many requests\. Retry in 40591 seconds\./,
    );
    expect(err.message).toMatch(/asks to wait 11 h, longer than this run can: giving up for this run/);
    expect(sleeps).toEqual([]);
    expect(searches(f)).toHaveLength(1);
  });

  it('403 is not retried', async () => {
    const f = await onlyA();
    f.fail({ on: 'search', failure: { type: 'permission_denied' } });
    const err = await failure(platform(f).fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/authorizationError: USER_PERMISSION_DENIED/);
    expect(searches(f)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('the platform down (connection refused): retried, then a clear PlatformError', async () => {
    const f = await onlyA();
    const p = platform(f, { retry: policy({ attempts: 3 }) });
    await f.goDown();
    const err = await failure(p.fetchCampaigns());
    expect(err.message).toMatch(/cannot reach .* \(ECONNREFUSED\)/);
    expect(err.message).toMatch(/gave up after 3 attempts/);
    expect(sleeps).toHaveLength(2);
  });
});

describe('Google Ads adapter: pause and resume', () => {
  it('pauses with campaigns:mutate and verifies by reading the status back', async () => {
    const f = await start();
    const p = platform(f);
    await p.fetchCampaigns();
    const before = f.requests.length;
    await expect(p.pause('101')).resolves.toBe('paused');
    expect(f.campaign('101')?.status).toBe('PAUSED');
    const calls = f.requests.slice(before);
    expect(calls.map((r) => r.kind)).toEqual(['search', 'mutate', 'search']);
    const mutate = calls[1];
    expect(mutate?.path).toBe(`/v26/customers/${CUST_A}/campaigns:mutate`);
    expect(mutate?.body).toEqual({
      operations: [
        { update: { resourceName: `customers/${CUST_A}/campaigns/101`, status: 'PAUSED' }, updateMask: 'status' },
      ],
    });
    expect(queryOf(calls[2])).toMatch(/WHERE campaign\.id = 101$/);
    await expect(p.currentStatus('101')).resolves.toBe('PAUSED');
  });

  it('already paused: no mutate', async () => {
    const f = await start();
    const p = platform(f);
    await expect(p.pause('102')).resolves.toBe('already_paused');
    expect(f.requests.filter((r) => r.kind === 'mutate')).toHaveLength(0);
  });

  it("finds the campaign's account without a prior fetch", async () => {
    const f = await start();
    const p = platform(f);
    await expect(p.pause('201')).resolves.toBe('paused');
    expect(f.campaign('201')?.status).toBe('PAUSED');
    expect(f.requests.find((r) => r.kind === 'mutate')?.customerId).toBe(CUST_B);
  });

  it('a mutate that "succeeds" but leaves the campaign enabled is a failed pause', async () => {
    const f = await start();
    const p = platform(f);
    await p.fetchCampaigns();
    f.fail({ on: 'mutate', failure: { type: 'mutate_noop' } });
    const err = await failure(p.pause('101'));
    expect(err.message).toMatch(
      /accepted the request to pause campaign 101 .*reading it back shows ENABLED, not PAUSED/,
    );
    expect(f.campaign('101')?.status).toBe('ENABLED');
  });

  it('a refused mutate is a failed pause', async () => {
    const f = await start();
    const p = platform(f);
    f.fail({ on: 'mutate', failure: { type: 'permission_denied' } });
    const err = await failure(p.pause('101'));
    expect(err.message).toMatch(/pausing campaign 101 for customer 111-222-3334 failed: HTTP 403/);
  });

  it('resumes, and says when the campaign is already enabled', async () => {
    const f = await start();
    const p = platform(f);
    await expect(p.resume('102')).resolves.toBe('resumed');
    expect(f.campaign('102')?.status).toBe('ENABLED');
    await expect(p.resume('101')).resolves.toBe('already_enabled');
  });

  it('an unknown or removed campaign cannot be paused', async () => {
    const f = await start();
    const p = platform(f);
    expect((await failure(p.pause('999'))).message).toMatch(/no configured customer .* has it/);
    expect((await failure(p.pause('103'))).message).toMatch(/has been removed/);
    await expect(p.currentStatus('999')).resolves.toBeNull();
  });
});

describe('Google Ads adapter: secrets', () => {
  it('never puts the refresh token, client secret or an access token in an error message', async () => {
    const messages: string[] = [];
    const collect = async (p: Promise<unknown>) => {
      const result = await p.then(
        (v) => v,
        (e: unknown) => e,
      );
      if (result instanceof Error) messages.push(result.message);
      else if (result && typeof result === 'object' && 'errors' in result)
        messages.push(...(result as { errors: string[] }).errors);
    };

    const f = await start();
    const p = platform(f);
    // Google echoing credentials back (it does not, but a proxy might): scrubbed all the same.
    f.fail({
      on: 'search',
      customerId: CUST_A,
      failure: {
        type: 'raw',
        status: 400,
        body: ({ token }: { token: string | null }) => ({
          error: {
            code: 400,
            status: 'INVALID_ARGUMENT',
            message: `bad ${token} / ${FAKE_GOOGLE.refreshToken} / ${FAKE_GOOGLE.clientSecret}`,
          },
        }),
      },
    });
    await collect(p.fetchCampaigns());
    expect(messages.join('\n')).toContain('[redacted]');
    f.fail({ on: 'search', times: 2, failure: { type: 'unauthenticated' } });
    await collect(p.fetchCampaigns());
    f.fail({ on: 'search', times: 2, failure: { type: 'quota', retryDelay: '40591s' } });
    await collect(p.fetchCampaigns());
    f.fail({ on: 'mutate', failure: { type: 'mutate_noop' } });
    await collect(p.pause('101'));
    f.fail({
      on: 'token',
      failure: {
        type: 'raw',
        status: 400,
        body: { error: 'invalid_grant', error_description: `refresh ${FAKE_GOOGLE.refreshToken} revoked` },
      },
    });
    f.expireTokens();
    await collect(platform(f).fetchCampaigns());
    f.revokeRefreshToken();
    await collect(platform(f).fetchCampaigns());
    await collect(platform(f, { settings: { clientSecret: 'GOCSPX-another-wrong-secret' } }).fetchCampaigns());
    await f.goDown();
    await collect(platform(f, { retry: policy({ attempts: 1 }) }).fetchCampaigns());

    expect(messages.length).toBeGreaterThanOrEqual(8);
    expect(f.issuedTokens.length).toBeGreaterThan(0);
    for (const m of messages) {
      expect(m).not.toContain(FAKE_GOOGLE.refreshToken);
      expect(m).not.toContain(FAKE_GOOGLE.clientSecret);
      expect(m).not.toContain('GOCSPX-another-wrong-secret');
      for (const token of f.issuedTokens) expect(m).not.toContain(token);
    }
  });
});

describe('Google Ads helpers', () => {
  it('converts micros to money exactly, rounding half away from zero', () => {
    expect(microsToAmount('1234567890123')).toBe(1234567.89);
    expect(microsToAmount('999995000')).toBe(1000);
    expect(microsToAmount('5000')).toBe(0.01);
    expect(microsToAmount('4999')).toBe(0);
    expect(microsToAmount('0')).toBe(0);
    expect(microsToAmount('-15000')).toBe(-0.02);
    expect(microsToAmount('12.5')).toBeNull();
    expect(microsToAmount('abc')).toBeNull();
  });

  it('takes the date part of Google date-times', () => {
    expect(datePart('2026-11-01 00:00:00')).toBe('2026-11-01');
    expect(datePart('2026-11-30')).toBe('2026-11-30');
    expect(datePart('')).toBeNull();
    expect(datePart(undefined)).toBeNull();
  });

  it('ties date field names to the API version and reads protobuf durations', () => {
    expect(dateFields('v22').start).toBe('campaign.start_date');
    expect(dateFields('v23').start).toBe('campaign.start_date_time');
    expect(dateFields('v26').endKey).toBe('endDateTime');
    expect(parseDuration('40591s')).toBe(40_591_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration({ seconds: '3', nanos: 500_000_000 })).toBe(3500);
    expect(parseDuration('soon')).toBeNull();
  });
});

describe('ids sent as JSON numbers too large to be exact', () => {
  // A proxy that turns Google's int64 strings into numbers: JSON.parse has already rounded them.
  const unsafe = JSON.parse('12345678901234567891') as number;
  const window = { since: '2026-11-01', until: '2026-11-20' };

  it("does not use a customer's costs when a cost row names its campaign by one", () => {
    const rows = [
      { campaign: { id: '101' }, segments: { date: '2026-11-02' }, metrics: { costMicros: '1000000' } },
      { campaign: { id: unsafe }, segments: { date: '2026-11-02' }, metrics: { costMicros: '5000000' } },
    ] as unknown as Parameters<typeof dailyCosts>[0];
    expect(dailyCosts(rows, window, 'Google Ads customer 111-222-3334').fault).toMatch(
      /campaign\.id came as the JSON number 12345678901234567000, too large to be exact/,
    );
  });
});

describe('Google Ads adapter: faulty answers on the wire', () => {
  const ZERO_COPY: FakeGoogleCampaign = {
    customerId: CUST_A,
    id: '101',
    name: 'Acme_DE_Sneakers_Prospecting',
    status: 'ENABLED',
    startDate: '2026-11-01',
    endDate: '2026-11-30',
    costMicros: null,
  };
  const window = { since: '2026-11-01', until: '2026-11-20' };

  it('uses neither copy of a campaign listed twice by one customer, and names it', async () => {
    const f = await start({ campaigns: [...CAMPAIGNS, ZERO_COPY] });
    const rows = await platform(f).fetchCampaigns();
    expect(rows.campaigns.map((c) => c.id).sort()).toEqual(['102', '201']);
    expect(rows.errors).toContain(
      'Google Ads campaign 101 appears twice (customer 111-222-3334 and 111-222-3334); neither copy is used.',
    );
    expect(rows.unusable?.filter((u) => u.id === '101')).toHaveLength(2);
  });

  it('uses neither copy of one id listed by two customers, also when spend is read per day', async () => {
    const f = await start({
      campaigns: [
        { ...ZERO_COPY, costByDay: { '2026-11-10': '900000000' } },
        { ...ZERO_COPY, customerId: CUST_B, costByDay: {} },
        CAMPAIGNS[3] as FakeGoogleCampaign,
      ],
    });
    const rows = await platform(f).fetchCampaigns(window);
    expect(rows.campaigns.map((c) => c.id)).toEqual(['201']);
    expect(rows.errors).toContain(
      'Google Ads campaign 101 appears twice (customer 111-222-3334 and 555-666-7778); neither copy is used.',
    );
    // Both copies really went over the wire: the fault is Google's answer, not the fake's bookkeeping.
    const listed = searches(f).filter((r) => !queryOf(r).includes('segments.date'));
    expect(listed.map((r) => r.customerId).sort()).toEqual([CUST_A, CUST_B]);
  });

  const UNSAFE = '12345678901234567891';

  it('refuses a campaign whose id comes as a JSON number past 2^53, naming campaign.id, and keeps the rest', async () => {
    const f = await start({
      campaigns: [...CAMPAIGNS, { ...ZERO_COPY, id: UNSAFE, idAsNumber: true, costMicros: '5000000' }],
    });
    const rows = await platform(f).fetchCampaigns();
    expect(rows.campaigns.map((c) => c.id).sort()).toEqual(['101', '102', '201']);
    // No campaign named after the rounded number either.
    expect(rows.campaigns.some((c) => c.id.startsWith('123456789012345678'))).toBe(false);
    expect(rows.errors).toContainEqual(
      expect.stringMatching(
        /^Google Ads customer 111-222-3334: a campaign row's campaign\.id came as the JSON number 12345678901234567000, too large to be exact/,
      ),
    );
  });

  it("does not use a customer's daily cost when a cost row names its campaign by such a number", async () => {
    const f = await start({
      campaigns: [
        { ...ZERO_COPY, costByDay: { '2026-11-10': '900000000' } },
        { ...ZERO_COPY, id: UNSAFE, idAsNumber: true, costByDay: { '2026-11-10': '5000000' } },
        CAMPAIGNS[3] as FakeGoogleCampaign,
      ],
    });
    const rows = await platform(f).fetchCampaigns(window);
    // Customer A's spend cannot be attributed: none of its campaigns is read (101 would look idle otherwise).
    expect(rows.campaigns.map((c) => c.id)).toEqual(['201']);
    expect(rows.errors[0]).toMatch(/campaign\.id came as the JSON number 12345678901234567000, too large to be exact/);
    expect(rows.incomplete).toMatch(/customer 111-222-3334 could not be read/);
  });
});

describe('a run on Google Ads that lists one campaign twice, PACING_MODE=live', () => {
  it('pauses neither copy (one of them shows no spend), while it still pauses a campaign that is really idle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacing-google-dup-'));
    // Both copies list the campaign the plan pins; one shows spend on plan, the other none at all.
    const sneakers: FakeGoogleCampaign = {
      customerId: CUST_A,
      id: '101',
      name: 'Acme_DE_Sneakers_Prospecting',
      status: 'ENABLED',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
    };
    const f = await start({
      campaigns: [
        // The copy at zero comes first: taking the first copy would pause a campaign spending on plan.
        { ...sneakers, costByDay: {} },
        { ...sneakers, customerId: CUST_B, costByDay: { '2026-11-10': '900000000' } },
        {
          customerId: CUST_A,
          id: '105',
          name: 'Acme_DE_Running_Search',
          status: 'ENABLED',
          startDate: '2026-11-01',
          endDate: '2026-11-30',
          costByDay: {},
        },
      ],
      customers: [
        { id: CUST_A, currencyCode: 'EUR' },
        { id: CUST_B, currencyCode: 'EUR' },
      ],
    });
    writeFileSync(
      join(dir, 'tracker.csv'),
      [
        'campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend,currency,platform_campaign_id',
        'G-DUP,Acme_DE_Sneakers_Prospecting,google,DE,Sneakers,2026-11-01,2026-11-30,900,EUR,101',
        'G-IDLE,Acme_DE_Running_Search,google,DE,Running,2026-11-01,2026-11-30,900,EUR,105',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ fetched_at: NOW, campaigns: [] }));
    const app = await createApp(
      loadConfig({
        PACING_DATA_DIR: dir,
        PACING_DB: join(dir, 'p.db'),
        PACING_NOW: NOW,
        PACING_PLATFORMS: 'google=live,meta=fixtures',
        PACING_MODE: 'live',
        GOOGLE_ADS_CUSTOMER_IDS: `${CUST_A},${CUST_B}`,
        GOOGLE_ADS_API_BASE_URL: f.url,
        GOOGLE_OAUTH_TOKEN_URL: f.tokenUrl,
        GOOGLE_ADS_CLIENT_ID: FAKE_GOOGLE.clientId,
        GOOGLE_ADS_CLIENT_SECRET: FAKE_GOOGLE.clientSecret,
        GOOGLE_ADS_REFRESH_TOKEN: FAKE_GOOGLE.refreshToken,
        LOG_LEVEL: 'silent',
      }),
      new CollectingNotifier(),
    );
    try {
      const report = await app.agent.run('test');
      const byId = new Map(report.results.map((r) => [r.campaignId, r]));
      // The engine can pause here: the campaign that is really idle is paused through the API.
      expect(byId.get('G-IDLE')).toMatchObject({ action: 'halt', pause: 'paused' });
      const paused = f.requests
        .filter((r) => r.kind === 'mutate' && r.status === 200)
        .map((r) => JSON.stringify(r.body));
      expect(paused).toHaveLength(1);
      expect(paused[0]).toContain(`customers/${CUST_A}/campaigns/105`);
      // The duplicated one is reported, not judged on either copy.
      expect(byId.get('G-DUP')?.action).not.toBe('halt');
      expect(byId.get('G-DUP')?.pause).toBeNull();
      expect(report.platformErrors.map((e) => e.message)).toContainEqual(
        expect.stringContaining('Google Ads campaign 101 appears twice'),
      );
      expect(f.campaign('101')?.status).toBe('ENABLED');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
