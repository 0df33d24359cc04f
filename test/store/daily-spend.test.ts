// Each campaign's spend per day, kept across runs: written whole once, then only the days a platform still
// revises; pruned with the results; carried over from the one-row-per-day table of earlier versions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ENGINES, useStore } from './engines.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-spend-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const series = (id: string, days: Record<string, number>) => ({
  platform: 'google',
  platformCampaignId: id,
  days,
  spend: Object.values(days).reduce((a, b) => a + b, 0),
});

describe.each(ENGINES)('daily spend on $dialect', (engine) => {
  const s = useStore(engine);

  it('is written whole the first time, then merged from the revised days on; unchanged spend writes nothing', async () => {
    const store = s.get();
    const known = new Set<string>();
    const save = async (s: ReturnType<typeof series>[], unchanged = false) => {
      await store.runs.saveDailySpend(
        s,
        '2026-11-19',
        (_p, id) => known.has(id),
        () => unchanged,
      );
      for (const x of s) known.add(x.platformCampaignId);
    };
    await save([series('1', { '2026-11-18': 10, '2026-11-16': 30.1, '2026-11-17': 0.30000000000000004 })]);
    expect(await store.runs.dailySpend('google', '1')).toEqual([
      { day: '2026-11-16', spend: 30.1 },
      { day: '2026-11-17', spend: 0.30000000000000004 },
      { day: '2026-11-18', spend: 10 },
    ]);
    // Known now: days before 2026-11-19 are not rewritten even when the platform's figure differs.
    await save([series('1', { '2026-11-16': 999, '2026-11-18': 10, '2026-11-19': 12.5, '2026-11-20': 3 })]);
    expect(await store.runs.dailySpend('google', '1')).toEqual([
      { day: '2026-11-16', spend: 30.1 },
      { day: '2026-11-17', spend: 0.30000000000000004 },
      { day: '2026-11-18', spend: 10 },
      { day: '2026-11-19', spend: 12.5 },
      { day: '2026-11-20', spend: 3 },
    ]);
    await save([series('1', { '2026-11-20': 7.25 })]);
    expect((await store.runs.dailySpend('google', '1')).at(-1)).toEqual({ day: '2026-11-20', spend: 7.25 });
    await save([series('1', { '2026-11-20': 100 })], true);
    expect((await store.runs.dailySpend('google', '1')).at(-1)).toEqual({ day: '2026-11-20', spend: 7.25 });
    expect(await store.runs.dailySpend('google', 'unknown')).toEqual([]);
    expect(await store.runs.dailySpend('meta', '1')).toEqual([]);
  });

  it('is pruned with the results: days before retention go, and a campaign with none left', async () => {
    const store = s.get();
    await store.runs.saveDailySpend(
      [
        series('old', { '2026-10-01': 5, '2026-10-02': 6 }),
        series('both', { '2026-10-02': 1, '2026-10-20': 2, '2026-10-21': 3 }),
        series('new', { '2026-10-25': 4 }),
      ],
      '2026-10-30',
      () => false,
    );
    await store.runs.pruneResults('2026-10-20T00:00:00Z');
    expect(await store.runs.dailySpend('google', 'old')).toEqual([]);
    expect(await store.runs.dailySpend('google', 'both')).toEqual([
      { day: '2026-10-20', spend: 2 },
      { day: '2026-10-21', spend: 3 },
    ]);
    expect(await store.runs.dailySpend('google', 'new')).toEqual([{ day: '2026-10-25', spend: 4 }]);
    const rows = await store.sql.all('SELECT platform_campaign_id AS id, first_day FROM spend_days ORDER BY id');
    expect(rows).toEqual([
      { id: 'both', first_day: '2026-10-20' },
      { id: 'new', first_day: '2026-10-25' },
    ]);
  });
});

describe('daily spend kept by an earlier version', () => {
  it('kept one row per day by an earlier version is carried over when the database is opened', async () => {
    const file = join(dir, 'old.db');
    // The schema as version 7 left it: this version's tables, with daily spend one row per day.
    const old = await Store.open(file);
    old.db.exec(`
      DROP TABLE spend_days;
      DROP TABLE fixture_campaign_budget;
      DROP TABLE explanations;
      CREATE TABLE daily_spend (
        platform TEXT NOT NULL, platform_campaign_id TEXT NOT NULL, day TEXT NOT NULL, spend REAL NOT NULL,
        PRIMARY KEY (platform, platform_campaign_id, day)
      ) WITHOUT ROWID;
      INSERT INTO daily_spend VALUES
        ('google', '1', '2026-11-02', 20.5), ('google', '1', '2026-11-01', 0.30000000000000004),
        ('meta', '1', '2026-11-01', 7), ('meta', '2', '2026-11-03', 8);
    `);
    old.db.pragma('user_version = 7');
    await old.close();

    const store = await Store.open(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await store.runs.dailySpend('google', '1')).toEqual([
      { day: '2026-11-01', spend: 0.30000000000000004 },
      { day: '2026-11-02', spend: 20.5 },
    ]);
    expect(await store.runs.dailySpend('meta', '1')).toEqual([{ day: '2026-11-01', spend: 7 }]);
    expect(await store.runs.dailySpend('meta', '2')).toEqual([{ day: '2026-11-03', spend: 8 }]);
    expect(store.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'daily_spend'`).get()).toBeUndefined();
    await store.close();
  });
});
