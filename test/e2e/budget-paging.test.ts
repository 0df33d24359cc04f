// A failed budget change pages like a failed pause: the built CLI against the Google Ads wire fake (which refuses a
// budget below the account's per-day minimum) and the fake PagerDuty Events API. One incident per campaign, kept
// while the change stays undone, resolved by the run after a change that took.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GOOGLE, type FakeGoogleAds, type FakeGoogleCustomer, startFakeGoogleAds } from '../fakes/google-ads.js';
import { ensureBuilt, type PendingDoc, pacing, pacingJson, type Workspace, workspace } from '../fakes/pacing-cli.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';

const KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';
const CUSTOMER = '1234567890';
const DEDUP_KEY = 'pacing:budget_change_failed:google:111';
// 120 EUR a day for 19 days of a 30-day flight budgeted 3,000: one step takes the 100 EUR daily budget to 80, which
// the account's 90 EUR minimum refuses.
const days = Object.fromEntries(
  Array.from({ length: 19 }, (_, i) => [`2026-11-${String(i + 1).padStart(2, '0')}`, '120000000']),
);
// The fake keeps this object: lowering its minimum later lets the same change through.
const customer: FakeGoogleCustomer = { id: CUSTOMER, currencyCode: 'EUR', minDailyBudgetMicros: '90000000' };

let google: FakeGoogleAds;
let pd: FakePagerDuty;
let ws: Workspace;

beforeAll(async () => {
  await ensureBuilt();
  pd = await startFakePagerDuty();
  google = await startFakeGoogleAds({
    customers: [customer],
    campaigns: [
      {
        customerId: CUSTOMER,
        id: '111',
        name: 'Acme_DE_Sneakers_Prospecting',
        status: 'ENABLED',
        startDate: '2026-11-01',
        endDate: '2026-11-30',
        budgetMicros: '100000000',
        costByDay: days,
      },
    ],
  });
  ws = workspace({
    BUDGET_ACTIONS: 'auto',
    PACING_MODE: 'live',
    PACING_PLATFORMS: 'google=live,meta=fixtures',
    GOOGLE_ADS_API_BASE_URL: google.url,
    GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
    GOOGLE_ADS_CUSTOMER_IDS: CUSTOMER,
    GOOGLE_ADS_CLIENT_ID: FAKE_GOOGLE.clientId,
    GOOGLE_ADS_CLIENT_SECRET: FAKE_GOOGLE.clientSecret,
    GOOGLE_ADS_REFRESH_TOKEN: FAKE_GOOGLE.refreshToken,
    PAGERDUTY_ROUTING_KEY: KEY,
    PAGERDUTY_EVENTS_URL: pd.url,
  });
  writeFileSync(
    join(ws.dataDir, 'tracker.csv'),
    'campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend,budget,currency\n' +
      'G-1,Acme_DE_Sneakers_Prospecting,google,DE,Sneakers,2026-11-01,2026-11-30,2280,3000,EUR\n',
  );
}, 60_000);

afterAll(async () => {
  ws?.cleanup();
  await google?.close();
  await pd?.close();
});

const events = (action: string) =>
  pd
    .accepted()
    .filter((e) => e.event_action === action)
    .map((e) => String(e.dedup_key));

describe('a budget change Google refuses', () => {
  it('pages once per campaign, and resolves once a later change took', async () => {
    const first = await pacing(ws, ['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(events('trigger')).toEqual([DEDUP_KEY]);
    const [trigger] = pd.accepted().filter((e) => e.event_action === 'trigger');
    const payload = trigger?.payload as { summary: string; severity: string; component: string };
    expect(payload).toMatchObject({ severity: 'error', component: 'google' });
    expect(payload.summary).toMatch(/Budget change failed: google campaign 111 \(G-1\) was not set to 80\.00 EUR/);
    expect(payload.summary).toMatch(/minimum/i);

    // The refused change is asked; the next run over the same failure opens no second incident.
    const again = await pacing(ws, ['run', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(events('trigger')).toEqual([DEDUP_KEY]);
    expect(events('resolve')).toEqual([]);

    // The account takes the budget now: an approver's change goes through, and the next run resolves the page.
    customer.minDailyBudgetMicros = '10000';
    const question = (await pacingJson<PendingDoc>(ws, ['pending'])).pending.find((e) => e.campaignId === 'G-1');
    expect(question?.proposedAction).toBe('budget');
    const approved = await pacing(ws, ['approve', question?.escalationId as string, '--user', 'U1']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(google.campaign('111')?.budgetMicros).toBe('80000000');
    const third = await pacing(ws, ['run', '--json']);
    expect(third.code, third.stderr).toBe(0);
    expect(events('resolve')).toEqual([DEDUP_KEY]);
    expect(events('trigger')).toEqual([DEDUP_KEY]);
    expect(first.stdout + first.stderr + third.stdout + third.stderr).not.toContain(KEY);
  }, 90_000);
});
