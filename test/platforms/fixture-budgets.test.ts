// Budget changes on the fixture platforms are kept in the database, like pauses: the next run, in a new
// process with the same file, reads the new daily budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { FixturePlatform } from '../../src/platforms/fixtures/adapter.js';
import { Store } from '../../src/store/index.js';

const NOW = '2026-11-20T09:00:00.000Z';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-fixture-budgets-'));
  const campaign = (id: string, extra: Record<string, unknown>) => ({
    id,
    name: `Acme_DE_Sneakers_${id}`,
    market: 'DE',
    product: 'Sneakers',
    start_date: '2026-11-01',
    end_date: '2026-11-30',
    spend: 1000,
    status: 'ENABLED',
    ...extra,
  });
  writeFileSync(
    join(dir, 'google.json'),
    JSON.stringify({
      fetched_at: '2026-11-20T08:30:00Z',
      campaigns: [
        campaign('g-1', { currency: 'EUR', daily_budget: 1200 }),
        campaign('g-2', { currency: 'JPY', daily_budget: 15000 }),
        campaign('g-3', { currency: 'EUR', daily_budget: null }),
      ],
    }),
  );
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A "process": its own connection to the database file and its own fixture platform. */
async function open(): Promise<{ store: Store; google: FixturePlatform }> {
  const store = await Store.open(join(dir, 'pacing.db'));
  return { store, google: new FixturePlatform('google', dir, store.fixtureStatus, () => NOW) };
}

const budgetOf = async (p: FixturePlatform, id: string) =>
  (await p.fetchCampaigns()).campaigns.find((c) => c.id === id)?.dailyBudget;

describe('fixture platform: daily budgets', () => {
  it('records a change durably, rounded to the minor unit, and the next run reads it', async () => {
    const first = await open();
    await expect(first.google.setDailyBudget('g-1', 1117.094, 'EUR')).resolves.toEqual({
      outcome: 'changed',
      from: 1200,
      to: 1117.09,
      currency: 'EUR',
    });
    await expect(first.google.setDailyBudget('g-2', 12_345.6, 'JPY')).resolves.toMatchObject({ to: 12_346 });
    first.store.db.close();

    const next = await open();
    expect(await budgetOf(next.google, 'g-1')).toBe(1117.09);
    expect(await budgetOf(next.google, 'g-2')).toBe(12_346);
    // The change is the new "from" for the next one.
    await expect(next.google.setDailyBudget('g-1', 1117.09, 'EUR')).resolves.toMatchObject({
      outcome: 'unchanged',
      from: 1117.09,
    });
    next.store.db.close();
  });

  it('validateOnly (dry-run) records nothing', async () => {
    const { store, google } = await open();
    await expect(google.setDailyBudget('g-1', 1000, 'EUR', { validateOnly: true })).resolves.toMatchObject({
      outcome: 'would_change',
      to: 1000,
    });
    expect(await budgetOf(google, 'g-1')).toBe(1200);
    store.db.close();
  });

  it('refuses a campaign without a daily budget, another currency, and a non-positive amount', async () => {
    const { store, google } = await open();
    for (const [id, amount, currency, why] of [
      ['g-3', 100, 'EUR', /no daily budget/],
      ['g-1', 100, 'USD', /currency is EUR, not USD/],
      ['g-1', 0.001, 'EUR', /not a positive amount/],
      ['g-9', 100, 'EUR', /has no campaign g-9/],
    ] as const) {
      const err = await google.setDailyBudget(id, amount, currency).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as Error).message).toMatch(why);
    }
    expect(await budgetOf(google, 'g-1')).toBe(1200);
    store.db.close();
  });
});
