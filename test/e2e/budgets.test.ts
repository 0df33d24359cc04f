// Steering budgets end to end, through the built CLI on a real SQLite file: a proposal becomes a question,
// approving it changes the fixture platform's daily budget (kept in the database, read back by the next run) and
// audits budget_changed, restore-budget puts it back; in auto the agent changes budgets alone, once a day; against
// the Google Ads wire fake a refused change is never recorded as done and a dry run writes nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/domain/money.js';
import { FAKE_GOOGLE, type FakeGoogleAds, startFakeGoogleAds } from '../fakes/google-ads.js';
import {
  ensureBuilt,
  type PendingDoc,
  pacing,
  pacingJson,
  type ResultDoc,
  type RunDoc,
  readAudit,
  row,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';

interface Proposal {
  from: number;
  to: number;
  currency: string | null;
  recommended: number;
  step: boolean;
  applicable: boolean;
  reason: string;
  escalationId: string | null;
}
type BudgetRow = ResultDoc & {
  budgetProposal: Proposal | null;
  budgetChange: { from: number; to: number; status: string } | null;
};
type BudgetRun = Omit<RunDoc, 'results'> & { results: BudgetRow[] };

const spaces: Workspace[] = [];
// Budget questions are asked unless a test says otherwise (the app's default only shows proposals, for now).
const ws = (env: Record<string, string> = {}) => {
  const w = workspace({ BUDGET_ACTIONS: 'ask', ...env });
  spaces.push(w);
  return w;
};
afterAll(() => {
  for (const w of spaces) w.cleanup();
});
beforeAll(ensureBuilt, 60_000);

const run = async (w: Workspace, env: Record<string, string> = {}) =>
  pacingJson<BudgetRun>(w, ['run'], env) as Promise<BudgetRun>;
const budgetRow = (doc: BudgetRun, id: string) => row(doc as RunDoc, id) as BudgetRow;
/** The daily budgets the fixture platforms keep in the database (what the next run reads). */
const fixtureBudgets = (w: Workspace) => {
  const db = new Database(w.db, { readonly: true });
  try {
    return db.prepare('SELECT campaign_id, daily_budget FROM fixture_campaign_budget').all() as {
      campaign_id: string;
      daily_budget: number;
    }[];
  } finally {
    db.close();
  }
};
const budgetEvents = (w: Workspace, type = 'budget_changed') => readAudit(w).filter((e) => e.type === type);

// ACM-G-007 (BF26 Football, Google): 1,200.00 GBP a day; at this rate it ends 31.2 % over, and 1,025.45 a day lands it.
const G007 = '21098765432';

describe('BUDGET_ACTIONS=ask: a question, approved, then undone', () => {
  it('changes the budget on approval, reads it back next run, and restore-budget puts it back', async () => {
    const w = ws();
    const first = await run(w);
    const g7 = budgetRow(first, 'ACM-G-007');
    expect(g7.budgetProposal).toMatchObject({
      from: 1200,
      to: 1025.45,
      currency: 'GBP',
      applicable: true,
      step: false,
    });
    // The row's own action is what the matrix said: the budget question is asked beside it.
    expect(g7.action).toBe('alert');
    const question = g7.budgetProposal?.escalationId as string;
    expect(question).toMatch(/^esc-/);
    const pending = await pacingJson<PendingDoc>(w, ['pending']);
    expect(pending.pending.find((e) => e.escalationId === question)).toMatchObject({
      campaignId: 'ACM-G-007',
      proposedAction: 'budget',
    });
    // Asked once: the next run points at the same open question.
    const again = await run(w);
    expect(budgetRow(again, 'ACM-G-007').budgetProposal?.escalationId).toBe(question);
    expect(
      (await pacingJson<PendingDoc>(w, ['pending'])).pending.filter((e) => e.campaignId === 'ACM-G-007'),
    ).toHaveLength(1);

    const approved = await pacing(w, ['approve', question, '--user', 'U1']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(budgetEvents(w)).toEqual([
      expect.objectContaining({
        campaignId: 'ACM-G-007',
        platformCampaignId: G007,
        actor: 'U1',
        details: expect.objectContaining({
          from: 1200,
          to: 1025.45,
          currency: 'GBP',
          by: 'U1',
          escalationId: question,
        }),
      }),
    ]);
    expect(fixtureBudgets(w)).toEqual([{ campaign_id: G007, daily_budget: 1025.45 }]);
    // The next run reads the new budget back from the platform: nothing left to propose.
    const after = await run(w);
    expect(budgetRow(after, 'ACM-G-007').budgetProposal).toBeNull();

    const restored = await pacing(w, ['restore-budget', 'ACM-G-007', '--user', 'U2']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/restored to 1,200\.00 GBP/);
    expect(budgetEvents(w).at(-1)).toMatchObject({
      actor: 'U2',
      details: expect.objectContaining({ from: 1025.45, to: 1200, currency: 'GBP', by: 'U2', restore: true }),
    });
    expect(fixtureBudgets(w)).toEqual([{ campaign_id: G007, daily_budget: 1200 }]);
    // The person's restore is respected: shown, not asked again.
    const respected = await run(w);
    const p = budgetRow(respected, 'ACM-G-007').budgetProposal;
    expect(p).toMatchObject({ from: 1200, to: 1025.45, escalationId: null });
    expect(p?.reason).toMatch(/^Not asked: the budget was restored by U2/);
    // Nothing of the agent's is left to undo.
    const twice = await pacing(w, ['restore-budget', 'google', G007, '--user', 'U2']);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/nothing to put back/);
  }, 60_000);

  it('records a rejection as an override and changes nothing', async () => {
    const w = ws();
    const first = await run(w);
    const question = budgetRow(first, 'ACM-G-007').budgetProposal?.escalationId as string;
    const rejected = await pacing(w, ['reject', question, '--user', 'U1']);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(readAudit(w).some((e) => e.type === 'escalation_overridden' && e.details.escalationId === question)).toBe(
      true,
    );
    expect(budgetEvents(w)).toEqual([]);
    expect(fixtureBudgets(w)).toEqual([]);
  }, 60_000);

  it('restore-budget closes an open budget question about the campaign', async () => {
    const w = ws({ BUDGET_ACTIONS: 'auto' });
    // Changed alone first (auto), then asked about once the 24 hours are over.
    await run(w);
    // Two days on, ACM-G-007 (1,200 → 1,025.45 GBP alone) is asked about again: it now ends under its budget.
    const later = { PACING_NOW: '2026-11-22T10:00:00Z', BUDGET_ACTIONS: 'ask' };
    const asked = await run(w, later);
    const question = budgetRow(asked, 'ACM-G-007').budgetProposal?.escalationId as string;
    expect(question).toMatch(/^esc-/);
    const restored = await pacing(w, ['restore-budget', 'ACM-G-007', '--user', 'U1'], later);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(new RegExp(`${question} is closed`));
    const pending = await pacingJson<PendingDoc>(w, ['pending'], later);
    expect(pending.pending.map((e) => e.escalationId)).not.toContain(question);
  }, 60_000);
});

describe('BUDGET_ACTIONS=auto and off', () => {
  it('auto: changes unguarded budgets alone, alerts, and leaves them alone for 24 h', async () => {
    const w = ws({ BUDGET_ACTIONS: 'auto' });
    const first = await run(w);
    const g7 = budgetRow(first, 'ACM-G-007');
    expect(g7.budgetChange).toEqual({ from: 1200, to: 1025.45, status: 'changed' });
    expect(budgetEvents(w).find((e) => e.platformCampaignId === G007)).toMatchObject({ actor: 'agent' });
    const second = await run(w, { PACING_NOW: '2026-11-20T15:00:00Z' });
    const g2 = budgetRow(second, 'ACM-G-002');
    // ACM-G-002 took one step (250 → 200); the next step waits a day.
    expect(budgetRow(first, 'ACM-G-002').budgetChange).toEqual({ from: 250, to: 200, status: 'changed' });
    expect(g2.budgetChange ?? null).toBeNull();
    expect(g2.budgetProposal?.reason).toMatch(/at most once in 24 h/);
    expect(budgetEvents(w).filter((e) => e.campaignId === 'ACM-G-002')).toHaveLength(1);
  }, 60_000);

  it('auto: past MAX_AUTONOMOUS_BUDGET_CHANGES the rest are one batch question, approved all at once', async () => {
    const w = ws({ BUDGET_ACTIONS: 'auto', MAX_AUTONOMOUS_BUDGET_CHANGES: '1' });
    const doc = await run(w);
    const changed = doc.results.filter((r) => (r as BudgetRow).budgetChange?.status === 'changed');
    // The biggest forecast miss first: ACM-G-007 ends 5,616 GBP over.
    expect(changed.map((r) => r.campaignId)).toEqual(['ACM-G-007']);
    const batch = (await pacingJson<PendingDoc>(w, ['pending'])).pending.filter(
      (e) => (e.proposedAction as string) === 'budget',
    );
    expect(batch).toHaveLength(1);
    expect(batch[0]?.campaignId).toBeNull();
    const members = (batch[0]?.campaigns ?? []).map((c) => c.campaignId).sort();
    // ACM-G-006 shares its budget with other campaigns in the demo: advice, never in the batch.
    expect(members).toEqual(['ACM-G-002']);
    for (const id of members)
      expect(budgetRow(doc, id as string).budgetProposal?.escalationId).toBe(batch[0]?.escalationId);
    const approved = await pacing(w, ['approve', batch[0]?.escalationId as string, '--user', 'U1']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(
      budgetEvents(w)
        .map((e) => e.campaignId)
        .sort(),
    ).toEqual(['ACM-G-002', 'ACM-G-007']);
  }, 60_000);

  it('off: proposals are shown, nothing is asked or changed', async () => {
    const w = ws({ BUDGET_ACTIONS: 'off' });
    const doc = await run(w);
    expect(budgetRow(doc, 'ACM-G-007').budgetProposal).toMatchObject({ to: 1025.45, escalationId: null });
    const pending = await pacingJson<PendingDoc>(w, ['pending']);
    expect(pending.pending.filter((e) => (e.proposedAction as string) === 'budget')).toEqual([]);
    expect(budgetEvents(w, 'budget_change_requested')).toEqual([]);
  }, 60_000);
});

describe('against the Google Ads wire fake', () => {
  const CUSTOMER = '1234567890';
  let google: FakeGoogleAds;
  afterEach(async () => {
    await google.close();
  });

  // 120 EUR a day for 19 days of a 30-day flight budgeted 3,000: it ends at 3,600 (+20 %); one step takes the
  // 100 EUR daily budget to 80.
  const days = Object.fromEntries(
    Array.from({ length: 19 }, (_, i) => [`2026-11-${String(i + 1).padStart(2, '0')}`, '120000000']),
  );
  async function live(minDailyBudgetMicros?: string) {
    google = await startFakeGoogleAds({
      customers: [{ id: CUSTOMER, currencyCode: 'EUR', ...(minDailyBudgetMicros ? { minDailyBudgetMicros } : {}) }],
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
    const w = ws({
      BUDGET_ACTIONS: 'auto',
      PACING_PLATFORMS: 'google=live,meta=fixtures',
      GOOGLE_ADS_API_BASE_URL: google.url,
      GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_ADS_CUSTOMER_IDS: CUSTOMER,
      GOOGLE_ADS_CLIENT_ID: FAKE_GOOGLE.clientId,
      GOOGLE_ADS_CLIENT_SECRET: FAKE_GOOGLE.clientSecret,
      GOOGLE_ADS_REFRESH_TOKEN: FAKE_GOOGLE.refreshToken,
    });
    writeFileSync(
      join(w.dataDir, 'tracker.csv'),
      'campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend,budget,currency\n' +
        'G-1,Acme_DE_Sneakers_Prospecting,google,DE,Sneakers,2026-11-01,2026-11-30,2280,3000,EUR\n',
    );
    return w;
  }
  const mutates = () => google.requests.filter((r) => r.kind === 'mutate' && r.path.endsWith('campaignBudgets:mutate'));

  it('a change Google refuses is reported and asked, never recorded as done', async () => {
    const w = await live('90000000');
    const doc = await run(w, { PACING_MODE: 'live' });
    const g = budgetRow(doc, 'G-1');
    expect(g.budgetProposal).toMatchObject({ from: 100, to: 80, step: true });
    expect(g.budgetChange).toEqual({ from: 100, to: 80, status: 'failed' });
    expect(mutates().map((r) => r.status)).toContain(400);
    expect(google.campaign('111')?.budgetMicros).toBe('100000000');
    expect(budgetEvents(w)).toEqual([]);
    expect(budgetEvents(w, 'budget_change_failed')[0]?.details.error).toMatch(/minimum/i);
    const pending = await pacingJson<PendingDoc>(w, ['pending']);
    const asked = pending.pending.find((e) => e.campaignId === 'G-1');
    expect(asked).toMatchObject({ proposedAction: 'budget' });
    expect(asked?.reason).toMatch(/automatic budget change failed/);
  }, 60_000);

  it('in dry run (the default for live platforms) writes nothing and says so', async () => {
    const w = await live();
    const doc = await run(w);
    const g = budgetRow(doc, 'G-1');
    expect(g.budgetChange).toEqual({ from: 100, to: 80, status: 'would_change' });
    expect(google.campaign('111')?.budgetMicros).toBe('100000000');
    for (const r of mutates()) expect(r.body).toMatchObject({ validateOnly: true });
    expect(budgetEvents(w)).toEqual([]);
    expect(budgetEvents(w, 'budget_dry_run')).toHaveLength(1);
  }, 60_000);
});

describe('budget pools', () => {
  // Two Google campaigns sharing one 6,000 EUR total, each on course to overspend by about a quarter.
  function pooled() {
    const w = ws();
    writeFileSync(
      join(w.dataDir, 'tracker.csv'),
      'campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend,budget,currency,budget_pool\n' +
        'P-1,Acme_DE_Socks_Search_Q4,google,DE,Socks,2026-11-01,2026-11-30,2400,3000,EUR,DE Socks\n' +
        'P-2,Acme_DE_Socks_Shopping_Q4,google,DE,Socks,2026-11-01,2026-11-30,2400,3000,EUR,DE Socks\n',
    );
    const campaign = (id: string, name: string) => ({
      id,
      name,
      market: 'DE',
      product: 'Socks',
      start_date: '2026-11-01',
      end_date: '2026-11-30',
      spend: 2400,
      status: 'ENABLED',
      daily_budget: 130,
      currency: 'EUR',
    });
    writeFileSync(
      join(w.dataDir, 'google.json'),
      JSON.stringify({
        fetched_at: '2026-11-20T08:45:00Z',
        campaigns: [campaign('301', 'Acme_DE_Socks_Search_Q4'), campaign('302', 'Acme_DE_Socks_Shopping_Q4')],
      }),
    );
    writeFileSync(join(w.dataDir, 'meta.json'), JSON.stringify({ fetched_at: '2026-11-20T08:45:00Z', campaigns: [] }));
    return w;
  }

  it("optimise --json prints each pool's rebalance; run asks one question per pool; approving applies each change", async () => {
    const w = pooled();
    const doc = await run(w);
    // Pool members get no single-campaign proposal when their pool is asked about.
    expect(doc.results.map((r) => (r as BudgetRow).budgetProposal)).toEqual([null, null]);
    const opt = await pacingJson<{ pools: Record<string, unknown>[] }>(w, ['optimise', '--pool', 'DE Socks']);
    expect(opt.pools).toHaveLength(1);
    const pool = opt.pools[0] as {
      pool: string;
      currency: string;
      budget: number;
      actualSpend: number;
      projectedSpend: number;
      projectedAfter: number;
      changes: { campaignId: string; from: number; to: number }[];
      note: string;
    };
    expect(Object.keys(pool).sort()).toEqual(
      ['actualSpend', 'budget', 'changes', 'currency', 'note', 'pool', 'projectedAfter', 'projectedSpend'].sort(),
    );
    expect(pool).toMatchObject({ pool: 'DE Socks', currency: 'EUR', budget: 6000, actualSpend: 4800 });
    expect(pool.projectedSpend).toBeGreaterThan(6600);
    expect(pool.changes.map((c) => c.campaignId)).toEqual(['P-1', 'P-2']);
    for (const c of pool.changes) {
      expect(c.from).toBe(130);
      expect(c.to).toBeLessThan(130);
      expect(c.to).toBeGreaterThanOrEqual(104);
    }
    expect((await pacingJson<{ pools: unknown[] }>(w, ['optimise', '--pool', 'nope'])).pools).toEqual([]);

    const pending = await pacingJson<PendingDoc>(w, ['pending']);
    const q = pending.pending.find((e) => (e.proposedAction as string) === 'rebalance');
    expect(q?.reason).toMatch(/^Rebalance DE Socks: 2 changes, lands at/);
    expect(q?.campaigns?.map((c) => c.campaignId)).toEqual(['P-1', 'P-2']);
    // A member's status says what its pool's rebalance does to it, and which question asks it.
    const status = await pacing(w, ['status', 'P-1']);
    expect(status.stdout).toContain(
      `budget pool       DE Socks: → ${formatMoney(pool.changes[0]?.to ?? 0, 'EUR')} a day (now 130.00 EUR), asked in ${q?.escalationId}`,
    );
    // Not asked twice while open.
    await run(w);
    const again = await pacingJson<PendingDoc>(w, ['pending']);
    expect(again.pending.filter((e) => (e.proposedAction as string) === 'rebalance')).toHaveLength(1);

    const approved = await pacing(w, ['approve', q?.escalationId as string, '--user', 'U1']);
    expect(approved.code, approved.stderr).toBe(0);
    const budgets = fixtureBudgets(w).sort((a, b) => a.campaign_id.localeCompare(b.campaign_id));
    expect(budgets).toEqual(pool.changes.map((c, i) => ({ campaign_id: ['301', '302'][i], daily_budget: c.to })));
    expect(budgetEvents(w).map((e) => e.campaignId)).toEqual(['P-1', 'P-2']);
  }, 60_000);
});
