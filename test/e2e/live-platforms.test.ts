// A full `pacing run` against local fakes that speak Google Ads' and Meta's wire formats: dry-run by
// default, real pauses only with PACING_MODE=live, and throttling, quota, an expired token and an outage
// each reported without losing the other platform's results.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GOOGLE, type FakeGoogleAds, startFakeGoogleAds } from '../fakes/google-ads.js';
import { FAKE_META_TOKEN, type FakeMetaGraph, metaFailures, startFakeMetaGraph } from '../fakes/meta-graph.js';
import { ensureBuilt, pacing, readAudit, type Workspace, workspace } from '../fakes/pacing-cli.js';

const CUSTOMER = '1234567890';
const ACCOUNT = '5550001';

const TRACKER = `campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend,currency
G-SNEAK,Acme_DE_Sneakers_Prospecting,google,DE,Sneakers,2026-11-01,2026-11-30,10000,EUR
G-RUN,Acme_DE_Running_Search,google,DE,Running,2026-11-01,2026-11-30,10000,EUR
G-TRAIL,Acme_FR_Trail_Brand,google,FR,Trail,2026-11-01,2026-11-30,5000,EUR
M-BASKET,Acme_NL_Basketball_Prospecting,meta,NL,Basketball,2026-11-01,2026-11-30,5000,EUR
M-RUN,Acme_NL_Running_Retargeting,meta,NL,Running,2026-11-01,2026-11-30,1000,EUR
`;

let google: FakeGoogleAds;
let meta: FakeMetaGraph;
let ws: Workspace;

beforeAll(ensureBuilt);

beforeEach(async () => {
  google = await startFakeGoogleAds({
    customers: [{ id: CUSTOMER, currencyCode: 'EUR' }],
    campaigns: [
      {
        customerId: CUSTOMER,
        id: '111',
        name: 'Acme_DE_Sneakers_Prospecting',
        status: 'ENABLED',
        startDate: '2026-11-01',
        endDate: '2026-11-30',
        // Reused: 4000 from an earlier flight, 11000 in this one (lifetime 15000).
        costByDay: { '2026-10-20': '4000000000', '2026-11-02': '5000000000', '2026-11-10': '6000000000' },
      },
      {
        customerId: CUSTOMER,
        id: '222',
        name: 'Acme_DE_Running_Search',
        status: 'ENABLED',
        startDate: '2026-11-01',
        endDate: '2026-11-30',
        costByDay: { '2026-11-05': '7000000000', '2026-11-15': '7000000000' },
      },
      {
        customerId: CUSTOMER,
        id: '333',
        name: 'Acme_FR_Trail_Brand',
        status: 'ENABLED',
        startDate: '2026-11-01',
        endDate: '2026-11-30',
        costByDay: { '2026-11-03': '5000000000' },
      },
    ],
  });
  meta = await startFakeMetaGraph({
    accounts: [
      {
        id: ACCOUNT,
        currency: 'EUR',
        timezone_name: 'Europe/Berlin',
        campaigns: [
          {
            id: '9001',
            name: 'Acme_NL_Basketball_Prospecting',
            status: 'ACTIVE',
            start_time: '2026-11-01T00:00:00+0100',
            stop_time: '2026-12-01T00:00:00+0100',
            // Reused: 4000 from an earlier flight, 6500 in this one (lifetime 10500).
            spendByDay: {
              '2026-10-20': '4000.00',
              '2026-11-01': '3000.00',
              '2026-11-10': '3000.00',
              '2026-11-20': '500.00',
            },
          },
          {
            id: '9002',
            name: 'Acme_NL_Running_Retargeting',
            status: 'ACTIVE',
            start_time: '2026-11-01T00:00:00+0100',
            stop_time: '2026-12-01T00:00:00+0100',
          },
        ],
      },
    ],
  });
  ws = workspace();
  writeFileSync(join(ws.dataDir, 'tracker.csv'), TRACKER);
});

afterEach(async () => {
  await google.close();
  await meta.close();
  ws.cleanup();
});

const liveEnv = (extra: Record<string, string> = {}) => ({
  PACING_PLATFORMS: 'live',
  GOOGLE_ADS_API_BASE_URL: google.url,
  GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
  GOOGLE_ADS_CUSTOMER_IDS: CUSTOMER,
  GOOGLE_ADS_CLIENT_ID: FAKE_GOOGLE.clientId,
  GOOGLE_ADS_CLIENT_SECRET: FAKE_GOOGLE.clientSecret,
  GOOGLE_ADS_REFRESH_TOKEN: FAKE_GOOGLE.refreshToken,
  GOOGLE_ADS_DEVELOPER_TOKEN: FAKE_GOOGLE.developerToken,
  META_GRAPH_API_BASE_URL: meta.url,
  META_ACCESS_TOKEN: FAKE_META_TOKEN,
  META_AD_ACCOUNT_IDS: ACCOUNT,
  ...extra,
});

type Row = {
  campaignId: string;
  action: string;
  status: string;
  actionNote: string | null;
  platformCampaignId: string | null;
  actualSpend: number | null;
};
async function run(extra: Record<string, string> = {}) {
  const out = await pacing(ws, ['run', '--json'], liveEnv(extra));
  expect(out.code, out.stderr).toBe(0);
  const doc = JSON.parse(out.stdout) as { results: Row[]; platformErrors: { platform: string; message: string }[] };
  const byId = new Map(doc.results.map((r) => [r.campaignId, r]));
  return { doc, byId, out };
}

const SECRETS = [FAKE_GOOGLE.clientSecret, FAKE_GOOGLE.refreshToken, FAKE_GOOGLE.developerToken, FAKE_META_TOKEN];
function expectNoSecrets(...texts: string[]) {
  for (const t of texts)
    for (const s of SECRETS) expect(t.includes(s), `a secret leaked: ${s.slice(0, 6)}…`).toBe(false);
}

describe('pacing run against live platforms', () => {
  it('in dry-run (the default) says what it would pause and pauses nothing', async () => {
    const { byId, out } = await run();
    expect(byId.get('G-SNEAK')).toMatchObject({ action: 'alert', status: 'done', actualSpend: 11000 });
    expect(byId.get('G-TRAIL')).toMatchObject({ action: 'log' });
    for (const id of ['G-RUN', 'M-BASKET', 'M-RUN']) {
      expect(byId.get(id)).toMatchObject({ action: 'halt', status: 'done' });
      expect(byId.get(id)?.actionNote).toMatch(/Dry run: would pause/);
    }
    expect(byId.get('M-RUN')?.actualSpend).toBe(0); // absent from insights = zero delivery
    // Google's cost is read per day over the plan's window too: the earlier flight's 4000 on 111 is not charged.
    const gaql = google.requests
      .filter((r) => r.kind === 'search')
      .map((r) => (r.body as { query?: string } | null)?.query ?? '');
    expect(gaql.filter((q) => q.includes('segments.date'))).toEqual([
      expect.stringMatching(/segments\.date BETWEEN '2026-11-01' AND '2026-11-20'$/),
    ]);
    // Meta's spend is read per day over the plan's window, so the earlier flight's 4000 is not charged.
    expect(byId.get('M-BASKET')?.actualSpend).toBe(6500);
    expect(meta.requestsTo(`act_${ACCOUNT}/insights`)[0]?.query).toMatchObject({
      time_range: '{"since":"2026-11-01","until":"2026-11-20"}',
      time_increment: '1',
    });
    const audit = readAudit(ws);
    expect(audit.filter((e) => e.type === 'campaign_paused')).toHaveLength(0);
    expect(audit.filter((e) => e.type === 'pause_dry_run')).toHaveLength(3);
    expect(google.campaign('222')?.status).toBe('ENABLED');
    expect(meta.campaign('9001')?.status).toBe('ACTIVE');
    expect(meta.requests.some((r) => r.method === 'POST')).toBe(false);
    expectNoSecrets(out.stdout, out.stderr, readFileSync(ws.db).toString('latin1'));
  });

  it('with PACING_MODE=live pauses exactly what the matrix says, verified, and records each pause', async () => {
    const { byId, out } = await run({ PACING_MODE: 'live' });
    expect(google.campaign('222')?.status).toBe('PAUSED');
    expect(google.campaign('111')?.status).toBe('ENABLED'); // a warning alerts, never pauses
    expect(meta.campaign('9001')?.status).toBe('PAUSED');
    expect(meta.campaign('9002')?.status).toBe('PAUSED');
    for (const id of ['G-RUN', 'M-BASKET', 'M-RUN']) expect(byId.get(id)?.actionNote).toBe('Paused by the agent.');
    const paused = readAudit(ws)
      .filter((e) => e.type === 'campaign_paused')
      .map((e) => e.platformCampaignId)
      .sort();
    expect(paused).toEqual(['222', '9001', '9002']);
    expectNoSecrets(out.stdout, out.stderr, readFileSync(ws.db).toString('latin1'));
  });

  it('survives a 429 (temporarily exhausted) with a retry', async () => {
    google.fail({ on: 'search', failure: { type: 'temporarily_exhausted' } });
    const { byId, doc } = await run();
    expect(doc.platformErrors).toEqual([]);
    expect(byId.get('G-RUN')?.action).toBe('halt');
  });

  it('gives up on Google for the run when its quota is exhausted for hours, keeping Meta', async () => {
    google.fail({ on: 'search', times: Number.POSITIVE_INFINITY, failure: { type: 'quota', retryDelay: '40591s' } });
    const { byId, doc } = await run();
    const err = doc.platformErrors.find((e) => e.platform === 'google');
    expect(err?.message).toMatch(/giving up for this run/);
    expect(byId.get('G-RUN')).toMatchObject({ status: 'failed', action: 'log' });
    expect(byId.get('M-BASKET')).toMatchObject({ action: 'halt', status: 'done' });
    expect(readAudit(ws).some((e) => e.type === 'platform_error')).toBe(true);
  });

  it('reports an expired Meta token clearly and does not retry it', async () => {
    meta.failNext('*', metaFailures.tokenExpired(), 100);
    const { byId, doc } = await run();
    expect(doc.platformErrors.find((e) => e.platform === 'meta')?.message).toMatch(/META_ACCESS_TOKEN/);
    expect(byId.get('M-BASKET')?.status).toBe('failed');
    expect(byId.get('G-RUN')?.action).toBe('halt');
    expect(meta.requests.length).toBeLessThanOrEqual(3);
  });

  it('keeps Meta results when Google is down', async () => {
    await google.goDown();
    const { byId, doc } = await run();
    expect(doc.platformErrors.some((e) => e.platform === 'google')).toBe(true);
    expect(byId.get('G-SNEAK')?.status).toBe('failed');
    expect(byId.get('M-BASKET')).toMatchObject({ action: 'halt', status: 'done' });
  });

  it('names a missing live setting', async () => {
    const out = await pacing(ws, ['run', '--json'], { ...liveEnv(), META_ACCESS_TOKEN: '' });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/META_ACCESS_TOKEN/);
  });
});
