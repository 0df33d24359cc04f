// The bundled fixture platforms' durable state: campaigns paused and daily budgets changed, so a later run sees them.
import type { CampaignStatus, Platform } from '../domain/types.js';
import type { Sql } from './sql.js';

/** Pauses and budget changes made on fixture campaigns (fixtures are files, so their changes live here). */
export class FixtureStatusStore {
  constructor(private readonly sql: Sql) {}

  async all(platform: Platform): Promise<Map<string, CampaignStatus>> {
    const rows = await this.sql.all<{ campaign_id: string; status: CampaignStatus }>(
      'SELECT campaign_id, status FROM fixture_campaign_status WHERE platform = ?',
      [platform],
    );
    return new Map(rows.map((r) => [r.campaign_id, r.status]));
  }

  async get(platform: Platform, campaignId: string): Promise<CampaignStatus | null> {
    const r = await this.sql.get<{ status: CampaignStatus }>(
      'SELECT status FROM fixture_campaign_status WHERE platform = ? AND campaign_id = ?',
      [platform, campaignId],
    );
    return r?.status ?? null;
  }

  async set(platform: Platform, campaignId: string, status: CampaignStatus, at: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO fixture_campaign_status (platform, campaign_id, status, changed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (platform, campaign_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at`,
      [platform, campaignId, status, at],
    );
  }

  /** Daily budgets changed on the platform's fixture campaigns, by campaign id. */
  async allBudgets(platform: Platform): Promise<Map<string, number>> {
    const rows = await this.sql.all<{ campaign_id: string; daily_budget: number }>(
      'SELECT campaign_id, daily_budget FROM fixture_campaign_budget WHERE platform = ?',
      [platform],
    );
    return new Map(rows.map((r) => [r.campaign_id, r.daily_budget]));
  }

  async setBudget(
    platform: Platform,
    campaignId: string,
    dailyBudget: number,
    currency: string | null,
    at: string,
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO fixture_campaign_budget (platform, campaign_id, daily_budget, currency, changed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (platform, campaign_id) DO UPDATE SET daily_budget = excluded.daily_budget, currency = excluded.currency, changed_at = excluded.changed_at`,
      [platform, campaignId, dailyBudget, currency, at],
    );
  }
}
