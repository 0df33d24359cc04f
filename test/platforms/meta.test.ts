// The live Meta adapter against a local fake of the Graph API (test/fakes/meta-graph.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { PlatformCampaign } from '../../src/domain/types.js';
import { PlatformError } from '../../src/errors.js';
import { MetaPlatform } from '../../src/platforms/meta/adapter.js';
import { readAccountAnswers } from '../../src/platforms/meta/campaigns.js';
import type { MetaCallRecord } from '../../src/platforms/meta/client.js';
import { CURRENT_META_API_VERSION } from '../../src/platforms/meta/errors.js';
import { microsToNumber, moneyToMicros, parseMoney } from '../../src/platforms/meta/money.js';
import { parseMetaTime } from '../../src/platforms/meta/time.js';
import { parseUsage, slowDownMs } from '../../src/platforms/meta/usage.js';
import { NamingConvention } from '../../src/platforms/naming.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../../src/platforms/retry.js';
import {
  type FakeMetaAccount,
  type FakeMetaGraph,
  type FakeMetaGraphOptions,
  metaFailures,
  startFakeMetaGraph,
} from '../fakes/meta-graph.js';

const NOW = '2026-11-20T09:00:00.000Z';

const berlin = (): FakeMetaAccount => ({
  id: '111',
  currency: 'EUR',
  timezone_name: 'Europe/Berlin',
  campaigns: [
    {
      id: '120001',
      name: 'Acme_DE_Shoes_Q4',
      status: 'ACTIVE',
      start_time: '2026-11-01T00:00:00+0100',
      stop_time: '2026-12-01T00:00:00+0100',
      daily_budget: '5050',
      spend: '1234.56',
    },
    {
      id: '120002',
      name: 'Acme_FR_Bags_Q4',
      status: 'PAUSED',
      start_time: '2026-11-02T09:30:00+0100',
      daily_budget: '10000',
      spend: '0.10',
    },
    // Active but no delivery: no insights row at all.
    { id: '120003', name: 'Acme_DE_Hats', status: 'ACTIVE', start_time: '2026-11-15T00:00:00+0100' },
    { id: '120004', name: 'Acme_DE_Old', status: 'DELETED', spend: '99.00' },
    { id: '120005', name: 'Acme_DE_Archive', status: 'ARCHIVED', spend: '5.00' },
    // Does not follow the naming convention.
    { id: '120006', name: 'Summer promo', status: 'ACTIVE', effective_status: 'IN_PROCESS', spend: '12' },
    { id: '120007', name: 'Acme_AT_Socks', status: 'ACTIVE', lifetime_budget: '300000', spend: '7.5' },
  ],
});

const tokyo = (): FakeMetaAccount => ({
  id: '222',
  currency: 'JPY',
  timezone_name: 'Asia/Tokyo',
  campaigns: [
    {
      id: '130001',
      name: 'Acme_JP_Shoes',
      status: 'ACTIVE',
      // Midnight in Tokyo, stated in UTC: the UTC date (Oct 31) must not leak through.
      start_time: '2026-10-31T15:00:00+0000',
      stop_time: '2026-11-30T14:59:59+0000',
      daily_budget: '5000',
      spend: '250000',
    },
  ],
});

const losAngeles = (): FakeMetaAccount => ({
  id: '333',
  currency: 'USD',
  timezone_name: 'America/Los_Angeles',
  campaigns: [
    { id: '140001', name: 'Acme_US_Boots', status: 'ACTIVE', start_time: '2026-11-01T05:00:00+0000', spend: '1.05' },
  ],
});

interface Harness {
  fake: FakeMetaGraph;
  meta: MetaPlatform;
  sleeps: number[];
  logged: MetaCallRecord[];
}

let fakes: FakeMetaGraph[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function setup(
  opts: Partial<FakeMetaGraphOptions> & {
    ids?: string[];
    retry?: Partial<RetryPolicy>;
    pageSize?: number;
    /** Wraps the real fetch, e.g. to alter an answer. */
    fetch?: typeof fetch;
    /** The META_API_VERSION the adapter calls (default v27.0, the config's default). */
    apiVersion?: string;
  } = {},
): Promise<Harness> {
  const fake = await startFakeMetaGraph({
    accounts: opts.accounts ?? [berlin(), tokyo()],
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    ...(opts.usage ? { usage: opts.usage } : {}),
    ...(opts.retiredVersions ? { retiredVersions: opts.retiredVersions } : {}),
  });
  fakes.push(fake);
  const sleeps: number[] = [];
  const logged: MetaCallRecord[] = [];
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...opts.retry,
  };
  const meta = new MetaPlatform(
    {
      accessToken: fake.token,
      adAccountIds: opts.ids ?? ['111', '222'],
      apiBaseUrl: fake.url,
      apiVersion: opts.apiVersion ?? 'v27.0',
    },
    {
      clock: () => NOW,
      naming: new NamingConvention(),
      retry,
      onCall: (c) => logged.push(c),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    },
  );
  return { fake, meta, sleeps, logged };
}

const byId = (campaigns: PlatformCampaign[]) => new Map(campaigns.map((c) => [c.id, c]));

async function rejection(p: Promise<unknown>): Promise<PlatformError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

describe('MetaPlatform.fetchCampaigns', () => {
  it('maps campaigns, spend, budgets, statuses, dates and currency from the Graph wire format', async () => {
    const { meta } = await setup();
    const { campaigns, errors } = await meta.fetchCampaigns();
    const c = byId(campaigns);

    // Deleted and archived campaigns are skipped.
    expect([...c.keys()].sort()).toEqual(['120001', '120002', '120003', '120006', '120007', '130001']);
    expect(c.get('120001')).toEqual({
      platform: 'meta',
      id: '120001',
      name: 'Acme_DE_Shoes_Q4',
      market: 'DE',
      product: 'Shoes',
      startDate: '2026-11-01',
      // Stops at 00:00 on Dec 1 in Berlin: the last day of delivery is Nov 30.
      endDate: '2026-11-30',
      spend: 1234.56,
      status: 'ENABLED',
      fetchedAt: NOW,
      account: 'act_111',
      timeZone: 'Europe/Berlin',
      dailyBudget: 50.5,
      lifetimeBudget: null,
      adSetBudgets: false,
      currency: 'EUR',
    });
    expect(c.get('120002')).toMatchObject({
      status: 'PAUSED',
      spend: 0.1,
      dailyBudget: 100,
      endDate: null,
      market: 'FR',
    });
    // Zero delivery: listed, but absent from insights.
    expect(c.get('120003')).toMatchObject({ spend: 0, status: 'ENABLED', dailyBudget: null });
    // Neither budget on the campaign: the budgets are on its ad sets (no Advantage campaign budget).
    expect(c.get('120003')).toMatchObject({ lifetimeBudget: null, adSetBudgets: true });
    // Configured ACTIVE counts as enabled whatever the delivery state.
    expect(c.get('120006')).toMatchObject({ status: 'ENABLED', spend: 12, market: null, product: null });
    // A lifetime (not daily) budget leaves dailyBudget unknown.
    expect(c.get('120007')).toMatchObject({ dailyBudget: null, spend: 7.5, lifetimeBudget: 3000, adSetBudgets: false });
    // JPY has offset 1: "5000" is 5000 yen, not 50.
    expect(c.get('130001')).toMatchObject({
      currency: 'JPY',
      dailyBudget: 5000,
      spend: 250000,
      startDate: '2026-11-01',
      endDate: '2026-11-30',
    });

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Meta campaign 120006 in act_111: "Summer promo" does not follow the naming convention/);
  });

  it('turns flight times into days in the account time zone, not in UTC', async () => {
    const { meta } = await setup({ accounts: [losAngeles()], ids: ['333'] });
    const { campaigns } = await meta.fetchCampaigns();
    // 05:00 UTC on Nov 1 is 22:00 on Oct 31 in Los Angeles.
    expect(campaigns[0]).toMatchObject({ startDate: '2026-10-31', currency: 'USD', spend: 1.05 });
  });

  it('follows cursor paging to the end, with the token only in the Authorization header', async () => {
    const { fake, meta } = await setup({ pageSize: 2 });
    const { campaigns } = await meta.fetchCampaigns();
    expect(campaigns).toHaveLength(6);

    const pages = fake.requestsTo('act_111/campaigns');
    expect(pages).toHaveLength(4); // 7 campaigns, 2 a page
    expect(pages[0]?.query.after).toBeUndefined();
    expect(pages.slice(1).every((r) => typeof r.query.after === 'string')).toBe(true);
    expect(pages[1]?.query.fields).toBe(
      'id,name,status,effective_status,start_time,stop_time,daily_budget,lifetime_budget',
    );
    const insights = fake.requestsTo('act_111/insights');
    expect(insights).toHaveLength(3); // 5 rows with spend
    expect(insights[0]?.query).toMatchObject({
      level: 'campaign',
      fields: 'campaign_id,campaign_name,spend',
      date_preset: 'maximum',
    });
    expect(insights[2]?.query.date_preset).toBe('maximum');

    // paging.next carries access_token (as Meta's does); it is stripped before the link is followed.
    expect(fake.requests.every((r) => r.auth === 'header' && r.tokenOk)).toBe(true);
    expect(fake.requests.some((r) => r.target.includes('access_token'))).toBe(false);
    expect(fake.requests.every((r) => r.version === 'v27.0')).toBe(true);
  });

  it('reads spend strings exactly and refuses malformed ones instead of half-reading them', async () => {
    expect(parseMoney('1234.56')).toBe(1234.56);
    expect(parseMoney('0')).toBe(0);
    expect(parseMoney('250000')).toBe(250000);
    for (const bad of ['1,234.56', '1e3', ' 12', '12.', '-5', '0x1F', '', 'NaN', '12.3.4'])
      expect(parseMoney(bad)).toBeNull();
    expect(parseMoney(12)).toBeNull();

    const account = berlin();
    account.campaigns = [
      { id: '150001', name: 'Acme_DE_Good', status: 'ACTIVE', spend: '0.30' },
      { id: '150002', name: 'Acme_DE_Bad', status: 'ACTIVE', spend: '1,234.56' },
    ];
    const { meta } = await setup({ accounts: [account], ids: ['111'] });
    const { campaigns, errors } = await meta.fetchCampaigns();
    expect(campaigns.map((c) => [c.id, c.spend])).toEqual([['150001', 0.3]]);
    expect(errors).toEqual([
      expect.stringMatching(/Meta campaign 150002 in act_111: spend "1,234.56" is not a decimal amount/),
    ]);
  });

  it('parses Meta times with and without a colon in the offset', () => {
    expect(parseMetaTime('2026-11-01T00:00:00+0100')).toBe(Date.parse('2026-10-31T23:00:00Z'));
    expect(parseMetaTime('2026-11-01T00:00:00-07:00')).toBe(Date.parse('2026-11-01T07:00:00Z'));
    expect(parseMetaTime('2026-11-01T00:00:00Z')).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(parseMetaTime('2026-02-30T00:00:00+0000')).toBeNull();
    expect(parseMetaTime('2026-11-01')).toBeNull();
  });

  it('waits out a throttle and then succeeds', async () => {
    const { fake, meta, sleeps } = await setup({ ids: ['111'] });
    fake.failNext('act_111/insights', metaFailures.throttle(80004));
    fake.failNext('act_111/campaigns', metaFailures.throttle(17));
    fake.failNext('act_111', metaFailures.throttle(613, 1));
    const { campaigns } = await meta.fetchCampaigns();
    expect(campaigns).toHaveLength(5);
    expect(fake.requestsTo('act_111/insights')).toHaveLength(2);
    expect(fake.requestsTo('act_111/campaigns')).toHaveLength(2);
    expect(fake.requestsTo('act_111')).toHaveLength(2);
    // estimated_time_to_regain_access is in minutes: 1 minute → 60 s before the retry.
    expect(sleeps).toContain(60_000);
  });

  it('retries a 500 and a dropped connection', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    fake.failNext('act_111/insights', metaFailures.serverError());
    fake.failNext('act_111/campaigns', metaFailures.down);
    fake.failNext('act_111', { http: 503, body: 'Service Unavailable' });
    const { campaigns } = await meta.fetchCampaigns();
    expect(campaigns).toHaveLength(5);
  });

  it('gives up for the run when Meta asks to wait longer than the run can, and says so', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    fake.failNext('act_111/insights', metaFailures.throttle(80000, 180));
    const err = await rejection(meta.fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/Meta is throttling GET act_111\/insights \(code 80000\/subcode 2446079/);
    expect(err.message).toMatch(/Meta estimates access is back in 3 h/);
    expect(err.message).toMatch(/asks to wait 3 h, longer than this run can: giving up for this run/);
    expect(err.retryAfterMs).toBe(180 * 60_000);
    expect(fake.requestsTo('act_111/insights')).toHaveLength(1);
  });

  it('stops at once on an expired token (190) with a clear instruction, without retrying', async () => {
    const { fake, meta, sleeps } = await setup({ ids: ['111'] });
    fake.failNext('*', metaFailures.tokenExpired(), 3);
    const err = await rejection(meta.fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /META_ACCESS_TOKEN has expired or is invalid \(code 190\/subcode 463: the token has expired\): create a new system-user token/,
    );
    expect(fake.requests).toHaveLength(3); // one per call, none repeated
    expect(sleeps).toEqual([]);
  });

  it('stops at once when Meta refuses the API version as retired (2635), naming the setting to change', async () => {
    const { fake, meta, sleeps } = await setup({ ids: ['111'], apiVersion: 'v24.0', retiredVersions: ['v24.0'] });
    const err = await rejection(meta.fetchCampaigns());
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(
      'Meta refused API version v24.0 as retired (error #2635): set META_API_VERSION to a current version such as v27.0.',
    );
    expect(err.message).toContain('You are calling a deprecated version of the Ads API');
    expect(fake.requests).toHaveLength(3); // one per call, none repeated
    expect(fake.requests.every((r) => r.version === 'v24.0' && r.status === 400)).toBe(true);
    expect(sleeps).toEqual([]);
  });

  it('does not suggest the version it already calls when Meta retires that one too', async () => {
    const { fake, meta, sleeps } = await setup({ ids: ['111'] });
    fake.failNext('GET 120001', metaFailures.retiredVersion('v28.0'));
    const err = await rejection(meta.pause('120001'));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /^Meta refused API version v27\.0 as retired \(error #2635\): set META_API_VERSION to a current version \(see Meta's Marketing API changelog\)\. Meta said: \(#2635\) .*latest version: v28\.0\.$/,
    );
    expect(fake.requestsTo('120001', 'POST')).toHaveLength(0);
    expect(sleeps).toEqual([]);
  });

  it('calls the current Marketing API version by default (META_API_VERSION v27.0, released 2026-11-04)', async () => {
    const version = loadConfig({}).platforms.meta.apiVersion;
    expect(version).toBe('v27.0');
    expect(version).toBe(CURRENT_META_API_VERSION);
    const { fake, meta } = await setup({ apiVersion: version, retiredVersions: ['v24.0'] });
    const { campaigns } = await meta.fetchCampaigns();
    expect(campaigns).toHaveLength(6);
    expect(fake.requests.every((r) => r.version === 'v27.0' && r.status === 200)).toBe(true);
  });

  it('still calls v26.0 when META_API_VERSION says so (Meta serves it too)', async () => {
    const version = loadConfig({ META_API_VERSION: 'v26.0' }).platforms.meta.apiVersion;
    expect(version).toBe('v26.0');
    const { fake, meta } = await setup({ apiVersion: version, retiredVersions: ['v24.0'] });
    const { campaigns } = await meta.fetchCampaigns();
    expect(campaigns).toHaveLength(6);
    expect(await meta.pause('120001')).toBe('paused');
    expect(fake.campaign('120001')?.status).toBe('PAUSED');
    expect(fake.requests.length).toBeGreaterThan(3);
    expect(fake.requests.every((r) => r.version === 'v26.0' && r.status === 200)).toBe(true);
  });

  it('keeps one account’s campaigns when the other fails, with the failure in errors', async () => {
    const { fake, meta } = await setup();
    fake.failNext('act_222/insights', metaFailures.permission());
    const { campaigns, errors } = await meta.fetchCampaigns();
    expect(campaigns.map((c) => c.id).sort()).toEqual(['120001', '120002', '120003', '120006', '120007']);
    expect(errors).toContainEqual(
      expect.stringMatching(
        /Meta ad account act_222 could not be read: Meta refused GET act_222\/insights \(code 200, fbtrace_id \w+\): \(#200\) Ad account owner has NOT grant/,
      ),
    );
    expect(fake.requestsTo('act_222/insights')).toHaveLength(1);
  });

  it('says the snapshot is incomplete when one of two accounts fails, and not when both are read', async () => {
    const { fake, meta } = await setup();
    const whole = await meta.fetchCampaigns({ since: '2026-11-01', until: '2026-11-20' });
    expect(whole.incomplete ?? null).toBeNull();

    fake.failNext('act_222/campaigns', metaFailures.permission());
    const { campaigns, errors, incomplete } = await meta.fetchCampaigns({ since: '2026-11-01', until: '2026-11-20' });
    expect(campaigns.map((c) => c.id).sort()).toEqual(['120001', '120002', '120003', '120006', '120007']);
    expect(incomplete).toMatch(
      /^Meta ad account act_222 could not be read \(1 of 2\), so its campaigns are missing from this run\. act_222: Meta refused GET act_222\/campaigns \(code 200/,
    );
    // Still reported as an error too.
    expect(errors).toContainEqual(expect.stringMatching(/^Meta ad account act_222 could not be read: Meta refused/));
  });

  it('keeps one account when the other is unreachable after all retries', async () => {
    const { fake, meta } = await setup();
    fake.failNext('act_222', metaFailures.down, DEFAULT_RETRY.attempts);
    const { campaigns, errors } = await meta.fetchCampaigns();
    expect(campaigns).toHaveLength(5);
    expect(errors).toContainEqual(
      expect.stringMatching(
        /act_222 could not be read: Meta Graph API could not be reached for GET act_222.*gave up after 5 attempts/,
      ),
    );
  });

  it('throws when no account can be read', async () => {
    const { fake, meta } = await setup();
    fake.failNext('act_111', metaFailures.permission());
    fake.failNext('act_222', metaFailures.permission());
    const err = await rejection(meta.fetchCampaigns());
    expect(err.message).toMatch(
      /^No Meta ad account could be read\. act_111: Meta refused GET act_111 .*; act_222: Meta refused GET act_222 /,
    );
  });
});

describe('MetaPlatform.fetchCampaigns with a spend window', () => {
  const WINDOW = { since: '2026-11-01', until: '2026-11-20' };

  /** An always-on campaign reused for this flight, and others around the window's edges. */
  const daily = (): FakeMetaAccount => ({
    id: '444',
    currency: 'EUR',
    timezone_name: 'Europe/Berlin',
    campaigns: [
      {
        id: '160001',
        name: 'Acme_DE_Shoes_AlwaysOn',
        status: 'ACTIVE',
        start_time: '2025-01-01T00:00:00+0100',
        // Lifetime spend is far more than the window's: it must not be used.
        spend: '98765.43',
        spendByDay: {
          '2026-10-30': '500.00',
          '2026-10-31': '499.99',
          '2026-11-01': '0.10',
          '2026-11-02': '0.20',
          '2026-11-03': '0',
          '2026-11-20': '33.33',
          // After the window (a future "today" in the data): left out.
          '2026-11-21': '7.00',
        },
      },
      // Spent only before the window: no rows in it.
      { id: '160002', name: 'Acme_DE_Bags_Old', status: 'PAUSED', spendByDay: { '2026-10-15': '120.00' } },
      // Never delivered.
      { id: '160003', name: 'Acme_DE_Hats_New', status: 'ACTIVE' },
      // Many days of 0.10, which a float sum gets wrong.
      {
        id: '160004',
        name: 'Acme_DE_Socks',
        status: 'ACTIVE',
        spendByDay: Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [`2026-11-${String(i + 1).padStart(2, '0')}`, '0.10']),
        ),
      },
    ],
  });

  it('asks for one row per campaign per day over the window, with time_range as a JSON object', async () => {
    const { fake, meta } = await setup({ accounts: [daily()], ids: ['444'] });
    await meta.fetchCampaigns(WINDOW);
    const [first] = fake.requestsTo('act_444/insights');
    expect(first?.query).toEqual({
      level: 'campaign',
      fields: 'campaign_id,spend,date_start,date_stop',
      time_range: '{"since":"2026-11-01","until":"2026-11-20"}',
      time_increment: '1',
      limit: '200',
    });
    // On the wire: the JSON object percent-encoded in the query string.
    expect(first?.target).toContain(
      'time_range=%7B%22since%22%3A%222026-11-01%22%2C%22until%22%3A%222026-11-20%22%7D&time_increment=1',
    );
    expect(first?.query.date_preset).toBeUndefined();
  });

  it('sums only the window’s days, exactly, and gives spend per day', async () => {
    const { meta } = await setup({ accounts: [daily()], ids: ['444'] });
    const { campaigns, errors, incomplete } = await meta.fetchCampaigns(WINDOW);
    expect(errors).toEqual([]);
    expect(incomplete ?? null).toBeNull();
    const c = byId(campaigns);

    expect(c.get('160001')).toMatchObject({ spend: 33.63, startDate: '2025-01-01' });
    expect(c.get('160001')?.spendByDay).toEqual({
      '2026-11-01': 0.1,
      '2026-11-02': 0.2,
      '2026-11-03': 0, // a row of 0 is accepted as 0
      '2026-11-20': 33.33,
    });
    expect(Object.keys(c.get('160001')?.spendByDay ?? {})).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-20',
    ]);

    // 20 × 0.10 is 2, not the 2.0000000000000004 a float sum gives.
    expect(Array.from({ length: 20 }, () => 0.1).reduce((a, b) => a + b)).not.toBe(2);
    expect(c.get('160004')?.spend).toBe(2);
    expect(Object.values(c.get('160004')?.spendByDay ?? {})).toEqual(Array.from({ length: 20 }, () => 0.1));
  });

  it('gives spend 0 and no days to campaigns without insights in the window', async () => {
    const { meta } = await setup({ accounts: [daily()], ids: ['444'] });
    const c = byId((await meta.fetchCampaigns(WINDOW)).campaigns);
    expect(c.get('160002')).toMatchObject({ spend: 0, spendByDay: {}, status: 'PAUSED' });
    expect(c.get('160003')).toMatchObject({ spend: 0, spendByDay: {}, status: 'ENABLED' });
  });

  it('pages through daily rows, keeping the window on every page', async () => {
    const { fake, meta } = await setup({ accounts: [daily()], ids: ['444'], pageSize: 3 });
    const c = byId((await meta.fetchCampaigns(WINDOW)).campaigns);
    expect(c.get('160001')?.spend).toBe(33.63);
    expect(c.get('160004')?.spend).toBe(2);
    const pages = fake.requestsTo('act_444/insights');
    expect(pages).toHaveLength(8); // 4 + 20 daily rows, 3 a page
    for (const p of pages) {
      expect(p.query).toMatchObject({ time_range: '{"since":"2026-11-01","until":"2026-11-20"}', time_increment: '1' });
    }
    expect(pages.slice(1).every((r) => typeof r.query.after === 'string')).toBe(true);
  });

  it('keeps the lifetime read (date_preset=maximum, no spendByDay) without a window', async () => {
    const { fake, meta } = await setup({ accounts: [daily()], ids: ['444'] });
    const c = byId((await meta.fetchCampaigns()).campaigns);
    expect(c.get('160001')?.spend).toBe(98765.43);
    expect(c.get('160002')?.spend).toBe(120); // the fake's lifetime = sum of its days
    expect([...c.values()].some((x) => 'spendByDay' in x)).toBe(false);
    expect(fake.requestsTo('act_444/insights')[0]?.query).toMatchObject({
      date_preset: 'maximum',
      fields: 'campaign_id,campaign_name,spend',
    });
  });

  it('leaves out a campaign whose row is not one day of the window, with a reason', async () => {
    const realFetch = globalThis.fetch;
    const { meta } = await setup({
      accounts: [daily()],
      ids: ['444'],
      // As if Meta ignored time_increment: a row spanning the whole window.
      fetch: async (input, init) => {
        const res = await realFetch(input, init);
        if (!String(input).includes('/insights')) return res;
        const body = (await res.json()) as { data: Record<string, string>[] };
        for (const row of body.data) if (row.campaign_id === '160001') row.date_stop = '2026-11-20';
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      },
    });
    const { campaigns, errors } = await meta.fetchCampaigns(WINDOW);
    expect(campaigns.map((x) => x.id).sort()).toEqual(['160002', '160003', '160004']);
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^Meta campaign 160001 in act_444: an insights row for "2026-11-01" to "2026-11-20" is not one day from 2026-11-01 to 2026-11-20, so the campaign is left out\.$/,
      ),
    );
  });

  it('refuses a malformed window before calling Meta', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    for (const bad of [
      { since: '2026-11-20', until: '2026-11-01' },
      { since: '2026-11-31', until: '2026-12-01' },
      { since: '2026/11/01', until: '2026-11-20' },
    ]) {
      expect((await rejection(meta.fetchCampaigns(bad))).message).toMatch(/^The spend window .* is not two days/);
    }
    expect(fake.requests).toEqual([]);
  });

  it('reads and sums money in exact millionths', () => {
    expect(moneyToMicros('1234.56')).toBe(1_234_560_000n);
    expect(moneyToMicros('0.000001')).toBe(1n);
    expect(moneyToMicros('250000')).toBe(250_000_000_000n);
    expect(moneyToMicros('1,234.56')).toBeNull();
    expect(microsToNumber((moneyToMicros('0.1') ?? 0n) + (moneyToMicros('0.2') ?? 0n))).toBe(0.3);
    // Past 2^53 millionths, still the double nearest the decimal amount.
    expect(microsToNumber(999_999_999_999_999_999_999n)).toBe(Number('999999999999999.999999'));
  });
});

describe('slowing down before Meta’s limit', () => {
  it('computes a wait proportional to usage from 75 %', () => {
    expect(slowDownMs(0)).toBe(0);
    expect(slowDownMs(74.9)).toBe(0);
    expect(slowDownMs(75)).toBe(5_000);
    expect(slowDownMs(80)).toBe(16_000);
    expect(slowDownMs(90)).toBe(38_000);
    expect(slowDownMs(100)).toBe(60_000);
    expect(slowDownMs(130)).toBe(60_000);
  });

  it('reads the three usage headers', () => {
    const usage = parseUsage(
      new Headers({
        'x-app-usage': '{"call_count":12,"total_cputime":3,"total_time":4}',
        'x-ad-account-usage':
          '{"acc_id_util_pct":9.67,"reset_time_duration":100,"ads_api_access_tier":"standard_access"}',
        'x-business-use-case-usage':
          '{"111":[{"type":"ads_insights","call_count":81,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":0}],"9":[{"type":"ads_management","call_count":5,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":7}]}',
      }),
    );
    expect(usage.app).toEqual({ call_count: 12, total_cputime: 3, total_time: 4 });
    expect(usage.adAccount).toEqual({
      acc_id_util_pct: 9.67,
      reset_time_duration: 100,
      ads_api_access_tier: 'standard_access',
    });
    expect(usage.businessUseCase.map((b) => [b.objectId, b.type, b.call_count]).sort()).toEqual([
      ['111', 'ads_insights', 81],
      ['9', 'ads_management', 5],
    ]);
    expect(usage.maxPct).toBe(81);
    expect(usage.regainAccessMs).toBe(7 * 60_000);
    expect(parseUsage(new Headers({ 'x-app-usage': 'not json' }))).toMatchObject({ app: null, maxPct: 0 });
  });

  it('waits before every next call while app usage is at 80 %', async () => {
    const { meta, sleeps, logged } = await setup({ ids: ['111'], usage: { app: { call_count: 80, total_time: 10 } } });
    await meta.fetchCampaigns();
    expect(meta.client.lastUsage?.app?.call_count).toBe(80);
    expect(meta.client.delayBeforeNextCall()).toBe(16_000);
    expect(meta.client.delayBeforeNextCall('111')).toBe(16_000);
    // The first calls went out before any usage was known; later ones waited.
    expect(sleeps.length).toBeGreaterThan(0);
    expect(sleeps.every((ms) => ms === 16_000)).toBe(true);
    expect(logged.filter((c) => c.waitedMs === 16_000)).toHaveLength(sleeps.length);
    expect(logged.every((c) => c.usagePct === 80)).toBe(true);
  });

  it('slows one ad account down on its Business Use Case usage, and not below 75 %', async () => {
    const { fake, meta, sleeps } = await setup({
      ids: ['111'],
      usage: { buc: { type: 'ads_insights', call_count: 90 } },
    });
    await meta.fetchCampaigns();
    expect(meta.client.delayBeforeNextCall('111')).toBe(38_000);
    expect(meta.client.delayBeforeNextCall()).toBe(0);
    fake.setUsage({ buc: { call_count: 60 }, adAccount: { acc_id_util_pct: 40 } });
    await meta.fetchCampaigns();
    sleeps.length = 0;
    await meta.fetchCampaigns();
    expect(sleeps).toEqual([]);
    expect(meta.client.delayBeforeNextCall('111')).toBe(0);
  });
});

describe('MetaPlatform.pause / resume', () => {
  it('pauses, then verifies by reading the status back', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    expect(await meta.pause('120001')).toBe('paused');
    expect(fake.campaign('120001')?.status).toBe('PAUSED');
    const calls = fake.requests.map((r) =>
      `${r.method} ${r.path} ${r.query.fields ?? ''}${r.form.status ?? ''}`.trim(),
    );
    expect(calls).toEqual(['GET 120001 status', 'POST 120001 PAUSED', 'GET 120001 status']);
    expect(fake.requests.every((r) => r.auth === 'header')).toBe(true);
    expect(await meta.currentStatus('120001')).toBe('PAUSED');
  });

  it('takes a status value it does not know for ENABLED, so a needed pause is not skipped', async () => {
    const account = berlin();
    account.campaigns = [
      { id: '170001', name: 'Acme_DE_Future', status: 'SOME_NEW_STATUS' },
      { id: '170002', name: 'Acme_DE_Paused', status: 'PAUSED', effective_status: 'SOME_NEW_STATUS' },
    ];
    const { fake, meta } = await setup({ accounts: [account], ids: ['111'] });
    const c = byId((await meta.fetchCampaigns()).campaigns);
    expect(c.get('170001')?.status).toBe('ENABLED');
    expect(c.get('170002')?.status).toBe('PAUSED'); // the configured status decides
    expect(await meta.currentStatus('170001')).toBe('ENABLED');
    expect(await meta.pause('170001')).toBe('paused');
    expect(fake.campaign('170001')?.status).toBe('PAUSED');
  });

  it('says already_paused without writing when the campaign is paused', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    expect(await meta.pause('120002')).toBe('already_paused');
    expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('throws when Meta accepts the pause but the campaign still runs', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    fake.ignoreWritesTo('120001');
    const err = await rejection(meta.pause('120001'));
    expect(err.message).toMatch(
      /Meta accepted status=PAUSED for campaign 120001, but it still reads ACTIVE after 3 checks: the pause did not take effect/,
    );
    expect(fake.requestsTo('120001', 'GET')).toHaveLength(4);
  });

  it('resumes, and says already_enabled for an active campaign', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    expect(await meta.resume('120002')).toBe('resumed');
    expect(fake.campaign('120002')?.status).toBe('ACTIVE');
    expect(await meta.resume('120001')).toBe('already_enabled');
    expect(await meta.currentStatus('120002')).toBe('ENABLED');
    expect(await meta.currentStatus('120004')).toBeNull(); // deleted
  });

  it('retries a throttled pause and refuses unknown or malformed ids', async () => {
    const { fake, meta } = await setup({ ids: ['111'] });
    fake.failNext('POST 120001', metaFailures.throttle(80004));
    expect(await meta.pause('120001')).toBe('paused');
    expect(fake.requestsTo('120001', 'POST')).toHaveLength(2);

    const unknown = await rejection(meta.pause('999999'));
    expect(unknown.message).toMatch(
      /Meta refused GET 999999 \(code 100\/subcode 33.*Object with ID '999999' does not exist/,
    );
    const malformed = await rejection(meta.pause('../act_111'));
    expect(malformed.message).toMatch(/not a Meta campaign id/);
    expect(await rejection(meta.pause('120004'))).toHaveProperty(
      'message',
      'Meta campaign 120004 is DELETED; it cannot be paused.',
    );
  });
});

describe('the access token', () => {
  it('never appears in an error message or a recorded call', async () => {
    const { fake, meta, logged } = await setup({ pageSize: 2 });
    const messages: string[] = [];
    const collect = async (p: Promise<unknown>) => {
      try {
        const r = await p;
        if (r && typeof r === 'object' && 'errors' in r) messages.push(...(r as { errors: string[] }).errors);
      } catch (err) {
        messages.push(String(err), (err as Error).message);
      }
    };
    // Meta echoing the token back in a message must not carry it further.
    fake.failNext('act_111/insights', {
      graphError: { code: 100, message: `(#100) Malformed access token ${fake.token}` },
    });
    await collect(meta.fetchCampaigns());
    fake.failNext('*', metaFailures.tokenExpired(), 6);
    await collect(meta.fetchCampaigns());
    fake.failNext('act_111/campaigns', metaFailures.throttle(80004, 600));
    await collect(meta.fetchCampaigns());
    fake.failNext('GET 120001', { http: 502, body: `bad gateway for ?access_token=${fake.token}` }, 5);
    await collect(meta.pause('120001'));
    fake.ignoreWritesTo('120002');
    await collect(meta.resume('120002'));
    await collect(meta.fetchCampaigns());

    expect(messages.length).toBeGreaterThanOrEqual(6);
    expect(messages.join('\n')).toContain('[redacted]');
    for (const text of [...messages, JSON.stringify(logged), JSON.stringify(meta.client.calls)]) {
      expect(text).not.toContain(fake.token);
      expect(text).not.toMatch(/access_token=(?!\[redacted\])/);
    }
    // Paging links were followed (recorded without their token).
    expect(logged.some((c) => c.url.includes('after='))).toBe(true);
  });
});

describe('ids sent as JSON numbers too large to be exact', () => {
  // JSON.parse has already rounded 12345678901234567891: the number names some other campaign.
  const answers = (campaigns: unknown[], insights: unknown[]) =>
    readAccountAnswers(
      'act_1',
      { account: { currency: 'EUR', timezone_name: 'Europe/Berlin' }, campaigns, insights },
      undefined,
      { clock: () => '2026-11-20T09:00:00.000Z', naming: new NamingConvention() },
    );
  const unsafe = JSON.parse('12345678901234567891') as number;

  it('refuses a campaign whose id is one, naming the field', () => {
    const read = answers(
      [
        { id: unsafe, name: 'Acme_DE_Sneakers_X', status: 'ACTIVE' },
        { id: '7', name: 'Acme_DE_Sneakers_Y', status: 'ACTIVE' },
      ],
      [],
    );
    expect(read.campaigns.map((c) => c.id)).toEqual(['7']);
    expect(read.errors.join(' ')).toMatch(
      /campaign's id came as the JSON number 12345678901234567000, too large to be exact/,
    );
  });

  it('does not use the account when an insights row names its campaign by one', () => {
    expect(() =>
      answers([{ id: '7', name: 'Acme_DE_Sneakers_Y', status: 'ACTIVE' }], [{ campaign_id: unsafe, spend: '12.00' }]),
    ).toThrow(/campaign_id came as the JSON number 12345678901234567000/);
  });

  it('accepts a safe whole number as an id', () => {
    expect(answers([{ id: 7, name: 'Acme_DE_Sneakers_Y', status: 'ACTIVE' }], []).campaigns.map((c) => c.id)).toEqual([
      '7',
    ]);
  });
});
