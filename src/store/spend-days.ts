// Each campaign's spend per day, one row per campaign with its days as a JSON object: the two statements that
// merge new days in and forget old ones are written for each engine (their JSON functions differ).
import type { Sql } from './sql.js';

/** The upsert that writes a campaign's days, merged into those kept (a day written again takes the new figure). */
export function upsertSpendDays(sql: Sql): string {
  const merged =
    sql.dialect === 'sqlite'
      ? 'days = json_patch(spend_days.days, excluded.days), first_day = min(spend_days.first_day, excluded.first_day)'
      : 'days = (spend_days.days::jsonb || excluded.days::jsonb)::text, first_day = LEAST(spend_days.first_day, excluded.first_day)';
  return `INSERT INTO spend_days (platform, platform_campaign_id, first_day, days) VALUES (?, ?, ?, ?)
    ON CONFLICT (platform, platform_campaign_id) DO UPDATE SET ${merged}`;
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
