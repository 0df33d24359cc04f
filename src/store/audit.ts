// The append-only audit trail: every decision and action, with time, run, campaign and actor.

import type { AuditEvent, AuditType, NewAuditEvent } from '../domain/records.js';
import { redact } from '../redact.js';
import type { Db } from './db.js';

export interface AuditFilter {
  campaign?: string;
  type?: string;
  runId?: string;
  limit?: number;
}

interface AuditRecord {
  id: number;
  at: string;
  run_id: string | null;
  type: AuditType;
  campaign_id: string | null;
  platform: string | null;
  platform_campaign_id: string | null;
  actor: string;
  details: string;
}

export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    // Positional parameters: binding an object by name costs measurably more at 10,000 events a cycle.
    this.insert = db.prepare(
      `INSERT INTO audit (at, run_id, type, campaign_id, platform, platform_campaign_id, actor, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  append(event: NewAuditEvent): void {
    this.insert.run(
      event.at,
      event.runId ?? null,
      event.type,
      event.campaignId ?? null,
      event.platform ?? null,
      event.platformCampaignId ?? null,
      event.actor,
      JSON.stringify(redact(event.details ?? {})),
    );
  }

  /** Appends all events in one transaction. */
  appendAll(events: readonly NewAuditEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.append(e);
    })();
  }

  /** Whether a run before `runId` already paused this campaign or found it paused. */
  hasPauseRecord(platform: string, platformCampaignId: string, runId: string): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type IN ('campaign_paused', 'pause_skipped') AND run_id IS NOT ? LIMIT 1`,
        )
        .get(platformCampaignId, platform, runId) !== undefined
    );
  }

  /** The latest pause or undo of a campaign, to check that an undo undoes a pause of ours. */
  lastPauseEvent(platform: string, platformCampaignId: string): AuditEvent | null {
    const r = this.db
      .prepare(
        `SELECT * FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type IN ('campaign_paused', 'campaign_resumed') ORDER BY id DESC LIMIT 1`,
      )
      .get(platformCampaignId, platform) as AuditRecord | undefined;
    return r ? toEvent(r) : null;
  }

  /** Campaigns people resumed after `since` (not the agent), oldest first, with the figures they had then. */
  resumesSince(since: string): AuditEvent[] {
    return (
      this.db
        .prepare(`SELECT * FROM audit WHERE type = 'campaign_resumed' AND at > ? AND actor != 'agent' ORDER BY at, id`)
        .all(since) as AuditRecord[]
    ).map(toEvent);
  }

  /** Daily-budget changes after `since` (the agent's, approved ones and people's restores), oldest first. */
  budgetChangesSince(since: string): AuditEvent[] {
    return (
      this.db
        .prepare(`SELECT * FROM audit WHERE type = 'budget_changed' AND at > ? ORDER BY at, id`)
        .all(since) as AuditRecord[]
    ).map(toEvent);
  }

  /** The latest daily-budget change the agent made to a campaign (not a restore), for `restore-budget`. */
  lastBudgetChange(platform: string, platformCampaignId: string): AuditEvent | null {
    const r = this.db
      .prepare(
        `SELECT * FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type = 'budget_changed' ORDER BY id DESC LIMIT 1`,
      )
      .get(platformCampaignId, platform) as AuditRecord | undefined;
    const last = r ? toEvent(r) : null;
    // The newest change is a restore already: there is nothing of the agent's left to undo.
    return last && last.details.restore !== true ? last : null;
  }

  /**
   * Daily-budget changes asked of a platform with no outcome recorded for the campaign since (changed, confirmed,
   * failed or dry run): the latest such request per campaign, oldest first.
   */
  unsettledBudgetChanges(): AuditEvent[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit a WHERE a.type = 'budget_change_requested' AND a.platform_campaign_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM audit b WHERE b.platform_campaign_id = a.platform_campaign_id AND b.platform = a.platform
             AND b.type IN ('budget_changed', 'budget_confirmed', 'budget_change_failed', 'budget_dry_run', 'budget_change_requested')
             AND b.id > a.id)
         ORDER BY a.id`,
      )
      .all() as AuditRecord[];
    return rows.map(toEvent);
  }

  /** Counts events by type in (since, until], for the digest, without loading the trail. */
  countByType(since: string | null, until: string): Record<string, number> {
    const rows = this.db
      .prepare(`SELECT type, COUNT(*) AS n FROM audit WHERE (? IS NULL OR at > ?) AND at <= ? GROUP BY type`)
      .all(since, since, until) as { type: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  }

  /** Oldest first; `campaign` matches the plan's campaign id or the platform's campaign id. */
  list(filter: AuditFilter = {}): AuditEvent[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.campaign) {
      where.push('(campaign_id = @campaign OR platform_campaign_id = @campaign)');
      params.campaign = filter.campaign;
    }
    if (filter.type) {
      where.push('type = @type');
      params.type = filter.type;
    }
    if (filter.runId) {
      where.push('run_id = @runId');
      params.runId = filter.runId;
    }
    const limit = filter.limit ? `LIMIT ${Math.max(1, Math.floor(filter.limit))}` : '';
    const sql = `SELECT * FROM (SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC ${limit}) ORDER BY id`;
    return (this.db.prepare(sql).all(params) as AuditRecord[]).map(toEvent);
  }
}

function toEvent(r: AuditRecord): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    runId: r.run_id,
    type: r.type,
    campaignId: r.campaign_id,
    platform: r.platform,
    platformCampaignId: r.platform_campaign_id,
    actor: r.actor,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}
