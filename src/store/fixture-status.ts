// The bundled fixture platforms' durable state: campaigns paused and daily budgets changed, so a later run sees them.
import type { CampaignStatus, Platform } from '../domain/types.js';
import type { Db } from './db.js';

/** Pauses and budget changes made on fixture campaigns (fixtures are files, so their changes live here). */
export class FixtureStatusStore {
  constructor(private readonly db: Db) {}

  all(platform: Platform): Map<string, CampaignStatus> {
    const rows = this.db
      .prepare('SELECT campaign_id, status FROM fixture_campaign_status WHERE platform = ?')
      .all(platform) as { campaign_id: string; status: CampaignStatus }[];
    return new Map(rows.map((r) => [r.campaign_id, r.status]));
  }

  get(platform: Platform, campaignId: string): CampaignStatus | null {
    const r = this.db
      .prepare('SELECT status FROM fixture_campaign_status WHERE platform = ? AND campaign_id = ?')
      .get(platform, campaignId) as { status: CampaignStatus } | undefined;
    return r?.status ?? null;
  }

  set(platform: Platform, campaignId: string, status: CampaignStatus, at: string): void {
    this.db
      .prepare(
        `INSERT INTO fixture_campaign_status (platform, campaign_id, status, changed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, campaign_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at`,
      )
      .run(platform, campaignId, status, at);
  }

  /** Daily budgets changed on the platform's fixture campaigns, by campaign id. */
  allBudgets(platform: Platform): Map<string, number> {
    const rows = this.db
      .prepare('SELECT campaign_id, daily_budget FROM fixture_campaign_budget WHERE platform = ?')
      .all(platform) as { campaign_id: string; daily_budget: number }[];
    return new Map(rows.map((r) => [r.campaign_id, r.daily_budget]));
  }

  setBudget(platform: Platform, campaignId: string, dailyBudget: number, currency: string | null, at: string): void {
    this.db
      .prepare(
        `INSERT INTO fixture_campaign_budget (platform, campaign_id, daily_budget, currency, changed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, campaign_id) DO UPDATE SET daily_budget = excluded.daily_budget, currency = excluded.currency, changed_at = excluded.changed_at`,
      )
      .run(platform, campaignId, dailyBudget, currency, at);
  }
}
