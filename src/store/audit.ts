// The append-only audit trail: every decision and action, with time, run, campaign and actor.

import type { AuditEvent, AuditType, NewAuditEvent } from '../domain/records.js';
import { redact } from '../redact.js';
import type { Sql, SqlValue } from './sql.js';

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

const AUDIT_COLUMNS = ['at', 'run_id', 'type', 'campaign_id', 'platform', 'platform_campaign_id', 'actor', 'details'];
const INSERT_AUDIT = `INSERT INTO audit (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map(() => '?').join(', ')})`;

/** An event as its row's values, in AUDIT_COLUMNS order (its details redacted). */
const auditValues = (event: NewAuditEvent): SqlValue[] => [
  event.at,
  event.runId ?? null,
  event.type,
  event.campaignId ?? null,
  event.platform ?? null,
  event.platformCampaignId ?? null,
  event.actor,
  JSON.stringify(redact(event.details ?? {})),
];

export class AuditLog {
  constructor(private readonly sql: Sql) {}

  async append(event: NewAuditEvent): Promise<void> {
    await this.sql.run(INSERT_AUDIT, auditValues(event));
  }

  /** Appends all events in one transaction. */
  async appendAll(events: readonly NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.sql.transaction((tx) => tx.insertMany('audit', AUDIT_COLUMNS, events.map(auditValues)));
  }

  /** Whether a run before `runId` already paused this campaign or found it paused. */
  async hasPauseRecord(platform: string, platformCampaignId: string, runId: string): Promise<boolean> {
    const r = await this.sql.get(
      `SELECT 1 AS found FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type IN ('campaign_paused', 'pause_skipped') AND run_id IS DISTINCT FROM ? LIMIT 1`,
      [platformCampaignId, platform, runId],
    );
    return r !== undefined;
  }

  /** The latest pause or undo of a campaign, to check that an undo undoes a pause of ours. */
  async lastPauseEvent(platform: string, platformCampaignId: string): Promise<AuditEvent | null> {
    const r = await this.sql.get<AuditRecord>(
      `SELECT * FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type IN ('campaign_paused', 'campaign_resumed') ORDER BY id DESC LIMIT 1`,
      [platformCampaignId, platform],
    );
    return r ? toEvent(r) : null;
  }

  /** Campaigns people resumed after `since` (not the agent), oldest first, with the figures they had then. */
  async resumesSince(since: string): Promise<AuditEvent[]> {
    const rows = await this.sql.all<AuditRecord>(
      `SELECT * FROM audit WHERE type = 'campaign_resumed' AND at > ? AND actor != 'agent' ORDER BY at, id`,
      [since],
    );
    return rows.map(toEvent);
  }

  /** Daily-budget changes after `since` (the agent's, approved ones and people's restores), oldest first. */
  async budgetChangesSince(since: string): Promise<AuditEvent[]> {
    const rows = await this.sql.all<AuditRecord>(
      `SELECT * FROM audit WHERE type = 'budget_changed' AND at > ? ORDER BY at, id`,
      [since],
    );
    return rows.map(toEvent);
  }

  /** The latest daily-budget change the agent made to a campaign (not a restore), for `restore-budget`. */
  async lastBudgetChange(platform: string, platformCampaignId: string): Promise<AuditEvent | null> {
    const r = await this.sql.get<AuditRecord>(
      `SELECT * FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type = 'budget_changed' ORDER BY id DESC LIMIT 1`,
      [platformCampaignId, platform],
    );
    const last = r ? toEvent(r) : null;
    // The newest change is a restore already: there is nothing of the agent's left to undo.
    return last && last.details.restore !== true ? last : null;
  }

  /**
   * Daily-budget changes asked of a platform with no outcome recorded for the campaign since (changed, confirmed,
   * failed or dry run): the latest such request per campaign, oldest first.
   */
  async unsettledBudgetChanges(): Promise<AuditEvent[]> {
    const rows = await this.sql.all<AuditRecord>(
      `SELECT * FROM audit a WHERE a.type = 'budget_change_requested' AND a.platform_campaign_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM audit b WHERE b.platform_campaign_id = a.platform_campaign_id AND b.platform = a.platform
           AND b.type IN ('budget_changed', 'budget_confirmed', 'budget_change_failed', 'budget_dry_run', 'budget_change_requested')
           AND b.id > a.id)
       ORDER BY a.id`,
    );
    return rows.map(toEvent);
  }

  /** Counts events by type in (since, until], for the digest, without loading the trail. */
  async countByType(since: string | null, until: string): Promise<Record<string, number>> {
    const rows = await this.sql.all<{ type: string; n: number }>(
      since === null
        ? 'SELECT type, COUNT(*) AS n FROM audit WHERE at <= ? GROUP BY type'
        : 'SELECT type, COUNT(*) AS n FROM audit WHERE at > ? AND at <= ? GROUP BY type',
      since === null ? [until] : [since, until],
    );
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  }

  /** Oldest first; `campaign` matches the plan's campaign id or the platform's campaign id. */
  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.campaign) {
      where.push('(campaign_id = ? OR platform_campaign_id = ?)');
      params.push(filter.campaign, filter.campaign);
    }
    if (filter.type) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (filter.runId) {
      where.push('run_id = ?');
      params.push(filter.runId);
    }
    const limit = filter.limit ? `LIMIT ${Math.max(1, Math.floor(filter.limit))}` : '';
    const sql = `SELECT * FROM (SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC ${limit}) AS latest ORDER BY id`;
    return (await this.sql.all<AuditRecord>(sql, params)).map(toEvent);
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
