// Each campaign's spend per day, one row per campaign with its days as a JSON object: the two statements that
// merge new days in and forget old ones are written for each engine (their JSON functions differ).
import type { Sql } from './sql.js';

/** A campaign's days to write: platform, platform campaign id, its first day, the days as a JSON object. */
export type SpendDaysRow = [platform: string, platformCampaignId: string, firstDay: string, days: string];

/** Campaigns written in one statement on PostgreSQL (4 parameters each, far below its limit). */
const ROWS_PER_STATEMENT = 1_000;

/**
 * Writes each campaign's days, merged into those kept (a day written again takes the new figure). SQLite runs
 * one prepared statement per campaign (in process, that is the fastest); PostgreSQL takes them a thousand to a
 * statement, as one round trip each costs more than the statement.
 */
export async function upsertSpendDays(sql: Sql, rows: readonly SpendDaysRow[]): Promise<void> {
  const merged =
    sql.dialect === 'sqlite'
      ? 'days = json_patch(spend_days.days, excluded.days), first_day = min(spend_days.first_day, excluded.first_day)'
      : 'days = (spend_days.days::jsonb || excluded.days::jsonb)::text, first_day = LEAST(spend_days.first_day, excluded.first_day)';
  const upsert = (n: number) =>
    `INSERT INTO spend_days (platform, platform_campaign_id, first_day, days) VALUES ${Array(n).fill('(?, ?, ?, ?)').join(', ')}
    ON CONFLICT (platform, platform_campaign_id) DO UPDATE SET ${merged}`;
  if (sql.dialect === 'sqlite') {
    const one = upsert(1);
    for (const r of rows) await sql.run(one, r);
    return;
  }
  // One statement may not update a row twice: a campaign listed twice is merged first, as one after the other would.
  const byCampaign = new Map<string, SpendDaysRow>();
  for (const r of rows) {
    const key = `${r[0]}:${r[1]}`;
    const had = byCampaign.get(key);
    byCampaign.set(
      key,
      had
        ? [
            r[0],
            r[1],
            [had[2], r[2]].sort()[0] as string,
            JSON.stringify({ ...JSON.parse(had[3]), ...JSON.parse(r[3]) }),
          ]
        : r,
    );
  }
  const unique = [...byCampaign.values()];
  for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
    const some = unique.slice(i, i + ROWS_PER_STATEMENT);
    await sql.run(upsert(some.length), some.flat());
  }
}

/** Forgets days before `day` (YYYY-MM-DD); a campaign with no day left goes. Touches only rows holding such days. */
export async function pruneSpendDays(sql: Sql, day: string): Promise<void> {
  if (sql.dialect === 'sqlite') {
    await sql.run(
      'DELETE FROM spend_days WHERE first_day < ? AND NOT EXISTS (SELECT 1 FROM json_each(days) WHERE key >= ?)',
      [day, day],
    );
    await sql.run(
      `UPDATE spend_days SET
         days = (SELECT json_group_object(key, value) FROM json_each(spend_days.days) WHERE key >= ?),
         first_day = (SELECT MIN(key) FROM json_each(spend_days.days) WHERE key >= ?)
       WHERE first_day < ?`,
      [day, day, day],
    );
    return;
  }
  await sql.run(
    'DELETE FROM spend_days WHERE first_day < ? AND NOT EXISTS (SELECT 1 FROM jsonb_each(days::jsonb) d WHERE d.key >= ?)',
    [day, day],
  );
  await sql.run(
    `UPDATE spend_days SET
       days = (SELECT jsonb_object_agg(d.key, d.value)::text FROM jsonb_each(spend_days.days::jsonb) d WHERE d.key >= ?),
       first_day = (SELECT MIN(d.key) FROM jsonb_each(spend_days.days::jsonb) d WHERE d.key >= ?)
     WHERE first_day < ?`,
    [day, day, day],
  );
}
