// Guard 3 on live platforms: a flight starts at 00:00 in the account's time zone as the platform reports it
// (Google customer.time_zone, Meta timezone_name), not at 00:00 UTC. 03:00 UTC on 21 November is 19:00 on the
// 20th in Los Angeles and 17:00 in Honolulu: flights starting on the 20th there are hours old, not a day, and a
// campaign that has not delivered yet is not paused with PACING_MODE=live.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GOOGLE, type FakeGoogleAds, startFakeGoogleAds } from '../fakes/google-ads.js';
import { FAKE_META_TOKEN, type FakeMetaGraph, startFakeMetaGraph } from '../fakes/meta-graph.js';
import { ensureBuilt, pacing, readAudit, type Workspace, workspace } from '../fakes/pacing-cli.js';

const CUSTOMER = '1234567890';
const ACCOUNT = '5550001';
const NOW = '2026-11-21T03:00:00Z';

const TRACKER = `campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend,currency
G-LAUNCH,Acme_US_Sneakers_Launch,google,US,Sneakers,2026-11-20,2026-11-30,400,USD
M-LAUNCH,Acme_US_Running_Launch,meta,US,Running,2026-11-20,2026-11-30,300,USD
`;

let google: FakeGoogleAds;
let meta: FakeMetaGraph;
let ws: Workspace;

beforeAll(ensureBuilt);

beforeEach(async () => {
  google = await startFakeGoogleAds({
    customers: [{ id: CUSTOMER, currencyCode: 'USD', timeZone: 'America/Los_Angeles' }],
    campaigns: [
      {
        customerId: CUSTOMER,
        id: '111',
        name: 'Acme_US_Sneakers_Launch',
        status: 'ENABLED',
        startDate: '2026-11-20',
        endDate: '2026-11-30',
        costByDay: {},
      },
    ],
  });
  meta = await startFakeMetaGraph({
    accounts: [
      {
        id: ACCOUNT,
        currency: 'USD',
        timezone_name: 'Pacific/Honolulu',
        campaigns: [
          {
            id: '9001',
            name: 'Acme_US_Running_Launch',
            status: 'ACTIVE',
            start_time: '2026-11-20T00:00:00-1000',
            stop_time: '2026-12-01T00:00:00-1000',
          },
        ],
      },
    ],
  });
  ws = workspace({ PACING_NOW: NOW });
  writeFileSync(join(ws.dataDir, 'tracker.csv'), TRACKER);
});

afterEach(async () => {
  await google.close();
  await meta.close();
  ws.cleanup();
});

describe("early flight in the account's time zone, PACING_MODE=live", () => {
  it('does not pause flights that started hours ago in Los Angeles and Honolulu although UTC says 27 h', async () => {
    const out = await pacing(ws, ['run', '--json'], {
      PACING_PLATFORMS: 'live',
      PACING_MODE: 'live',
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
    });
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(out.stdout) as {
      results: { campaignId: string; action: string; zeroDelivery: boolean; reason: string; timeZone: string }[];
    };
    const byId = new Map(doc.results.map((r) => [r.campaignId, r]));
    expect(byId.get('G-LAUNCH')).toMatchObject({
      action: 'alert',
      zeroDelivery: true,
      timeZone: 'America/Los_Angeles',
    });
    expect(byId.get('G-LAUNCH')?.reason).toMatch(/Too early to judge: the flight started 19 h ago/);
    expect(byId.get('M-LAUNCH')).toMatchObject({ action: 'alert', zeroDelivery: true, timeZone: 'Pacific/Honolulu' });
    expect(byId.get('M-LAUNCH')?.reason).toMatch(/Too early to judge: the flight started 17 h ago/);
    expect(readAudit(ws).filter((e) => e.type === 'campaign_paused')).toEqual([]);
    expect(google.campaign('111')?.status).toBe('ENABLED');
    expect(meta.campaign('9001')?.status).toBe('ACTIVE');
  });
});
