// What the store says about the conditions that page: failed pauses and budget changes, platforms not read, storms held for a decision,
// failed runs. Small indexed queries, read from the database so that runs and clicks of other processes count too.
import type { PlatformFailure, ResultRow, RunSummary } from '../domain/records.js';
import type { Store } from '../store/index.js';
import { RESULT_COLUMNS, resultFromStore, type StoredResult } from '../store/runs.js';
import type {
  FailedBudgetChange,
  FailedPause,
  LaterRow,
  PagingFacts,
  RefusedMessage,
  RunOutcomes,
  Storm,
  UnavailablePlatform,
} from './paging.js';

interface IntentRow {
  key: string;
  run_id: string | null;
  escalation_id: string | null;
  campaign_id: string | null;
  platform: string;
  platform_campaign_id: string;
  actor: string;
  created_at: string;
  settled_at: string | null;
}

interface LatestRun {
  id: string;
  seq: number;
  summary: string | null;
  platform_errors: string;
}

export class PageFacts {
  /** The latest run's unavailable platforms, kept while it stays the latest (its rows do not change). */
  private cached: { runId: string; unavailable: UnavailablePlatform[] } | null = null;

  constructor(private readonly store: Store) {}

  read(thrown: RunOutcomes['thrown'] = null): PagingFacts {
    const latest = this.latestRun();
    return {
      failedPauses: this.failedPauses(latest),
      failedBudgetChanges: this.failedBudgetChanges(),
      unavailable: this.unavailable(latest),
      storms: this.storms(),
      refusedMessages: this.refusedMessages(),
      runs: { ...this.runOutcomes(), thrown },
      mark: (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit').get() as { id: number }).id,
    };
  }

  private get db() {
    return this.store.db;
  }

  private latestRun(): LatestRun | null {
    return (
      (this.db
        .prepare(
          `SELECT id, rowid AS seq, summary, platform_errors FROM runs WHERE status = 'completed' ORDER BY started_at DESC, rowid DESC LIMIT 1`,
        )
        .get() as LatestRun | undefined) ?? null
    );
  }

  /** Campaigns whose latest settled pause failed, with what happened since. */
  failedPauses(latest: LatestRun | null = this.latestRun()): FailedPause[] {
    const failed = this.db
      .prepare(
        `SELECT p.key, p.run_id, p.escalation_id, p.campaign_id, p.platform, p.platform_campaign_id, p.actor, p.created_at, p.settled_at
         FROM pause_intents p
         WHERE p.outcome IN ('failed', 'not_paused')
           AND NOT EXISTS (SELECT 1 FROM pause_intents q WHERE q.platform = p.platform AND q.platform_campaign_id = p.platform_campaign_id
             AND q.outcome IS NOT NULL AND q.rowid > p.rowid)`,
      )
      .all() as IntentRow[];
    if (failed.length === 0) return [];
    const rows = latest ? this.rowsOf(latest.id, failed) : new Map<string, ResultRow>();
    const runSeq = this.db.prepare('SELECT rowid AS seq FROM runs WHERE id = ?');
    const seqOf = (runId: string | null) =>
      runId === null ? null : ((runSeq.get(runId) as { seq: number } | undefined)?.seq ?? null);
    const lastError = this.db.prepare(
      `SELECT details FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type = 'pause_failed' ORDER BY id DESC LIMIT 1`,
    );
    const overridden = this.db.prepare(
      `SELECT 1 FROM escalations e JOIN runs r ON r.id = e.run_id
       WHERE e.platform = ? AND e.platform_campaign_id = ? AND e.status = 'overridden' AND e.id IS NOT ? AND r.rowid >= ? LIMIT 1`,
    );
    return failed.map((f) => {
      const failedSeq = seqOf(f.run_id);
      const row = rows.get(`${f.platform}:${f.platform_campaign_id}`);
      // Only a run after the failure's own run tells what became of the campaign since.
      const later: LaterRow | null =
        latest === null || failedSeq === null || latest.seq <= failedSeq
          ? null
          : row
            ? {
                present: true,
                platformStatus: row.platformStatus ?? null,
                action: row.action,
                proposedAction: row.proposedAction ?? null,
                unavailable: row.rootCause.some((c) => c.code === 'platform_unavailable'),
              }
            : { present: false };
      const audited = lastError.get(f.platform_campaign_id, f.platform) as { details: string } | undefined;
      const error = audited ? String((JSON.parse(audited.details) as { error?: unknown }).error ?? '') : '';
      return {
        platform: f.platform,
        platformCampaignId: f.platform_campaign_id,
        campaignId: f.campaign_id,
        campaignName: row?.campaignName ?? row?.platformCampaignName ?? null,
        intentKey: f.key,
        runId: f.run_id,
        escalationId: f.escalation_id,
        actor: f.actor,
        at: f.settled_at ?? f.created_at,
        error: error || 'the platform did not confirm the pause',
        overridden:
          failedSeq !== null &&
          overridden.get(f.platform, f.platform_campaign_id, f.escalation_id, failedSeq) !== undefined,
        later,
      };
    });
  }

  /**
   * Campaigns whose latest budget outcome is a failure: no later change, confirmation or failure of the same
   * campaign's daily budget in the audit trail (a later failure is the one reported).
   */
  failedBudgetChanges(): FailedBudgetChange[] {
    const rows = this.db
      .prepare(
        `SELECT a.id, a.at, a.run_id, a.campaign_id, a.platform, a.platform_campaign_id, a.actor, a.details,
           EXISTS (SELECT 1 FROM escalations e WHERE e.platform = a.platform AND e.platform_campaign_id = a.platform_campaign_id
             AND e.proposed_action = 'budget' AND e.status = 'overridden' AND e.decided_at >= a.at) AS kept
         FROM audit a
         WHERE a.type = 'budget_change_failed' AND a.platform_campaign_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM audit b WHERE b.platform_campaign_id = a.platform_campaign_id AND b.platform = a.platform
             AND b.type IN ('budget_changed', 'budget_confirmed', 'budget_change_failed') AND b.id > a.id)
         ORDER BY a.id`,
      )
      .all() as {
      id: number;
      at: string;
      run_id: string | null;
      campaign_id: string | null;
      platform: string;
      platform_campaign_id: string;
      actor: string;
      details: string;
      kept: number;
    }[];
    return rows.map((r) => {
      const d = JSON.parse(r.details) as Record<string, unknown>;
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      return {
        platform: r.platform,
        platformCampaignId: r.platform_campaign_id,
        campaignId: r.campaign_id,
        auditId: r.id,
        runId: r.run_id,
        escalationId: typeof d.escalationId === 'string' ? d.escalationId : null,
        actor: r.actor,
        restore: d.restore === true,
        at: r.at,
        from: num(d.from),
        to: num(d.to),
        currency: typeof d.currency === 'string' ? d.currency : null,
        error: typeof d.error === 'string' && d.error ? d.error : 'the platform did not confirm the change',
        kept: r.kept === 1,
      };
    });
  }

  /** The latest run's rows about these campaigns, by `platform:id` (one pass over that run's rows). */
  private rowsOf(runId: string, campaigns: readonly IntentRow[]): Map<string, ResultRow> {
    const keys = JSON.stringify(campaigns.map((c) => `${c.platform}:${c.platform_campaign_id}`));
    const rows = this.db
      .prepare(
        `SELECT platform_key, ${RESULT_COLUMNS} FROM results WHERE run_id = ? AND platform_key IN (SELECT value FROM json_each(?))`,
      )
      .all(runId, keys) as (StoredResult & { platform_key: string })[];
    return new Map(rows.map((r) => [r.platform_key, resultFromStore(r)]));
  }

  /** Platforms the latest completed run could not read, wholly or some of their accounts. */
  unavailable(latest: LatestRun | null = this.latestRun()): UnavailablePlatform[] {
    if (latest === null) return [];
    if (this.cached?.runId === latest.id) return this.cached.unavailable;
    const summary = latest.summary ? (JSON.parse(latest.summary) as RunSummary) : null;
    const down = new Map<string, number>();
    for (const [platform, s] of Object.entries(summary?.platforms ?? {})) if (!s.ok) down.set(platform, 0);
    // Rows left without data (a whole platform, or accounts of it that could not be read): a cheap text match
    // first, then each candidate's causes read properly.
    const rows = this.db
      .prepare(`SELECT ${RESULT_COLUMNS} FROM results WHERE run_id = ? AND data LIKE '%platform_unavailable%'`)
      .all(latest.id) as StoredResult[];
    for (const r of rows) {
      const row = resultFromStore(r);
      if (row.rootCause.some((c) => c.code === 'platform_unavailable'))
        down.set(r.platform, (down.get(r.platform) ?? 0) + 1);
    }
    const errors = JSON.parse(latest.platform_errors) as PlatformFailure[];
    const unavailable = [...down].map(([platform, campaigns]) => ({
      platform,
      runId: latest.id,
      campaigns,
      messages: errors.filter((e) => e.platform === platform).map((e) => e.message),
    }));
    this.cached = { runId: latest.id, unavailable };
    return unavailable;
  }

  /** Storms held as one batch escalation, still awaiting a decision. */
  storms(): Storm[] {
    const rows = this.db
      .prepare(
        `SELECT e.id, e.batch_kind, e.proposed_action, e.platform, e.reason, e.created_at,
           (SELECT COUNT(*) FROM escalation_members m WHERE m.escalation_id = e.id AND m.dropped = 0) AS campaigns
         FROM escalations e WHERE e.status = 'pending' AND e.batch_kind IN ('data_fault', 'halt_budget') ORDER BY e.created_at, e.id`,
      )
      .all() as {
      id: string;
      batch_kind: Storm['kind'];
      proposed_action: string;
      platform: string;
      reason: string;
      created_at: string;
      campaigns: number;
    }[];
    return rows.map((r) => ({
      escalationId: r.id,
      kind: r.batch_kind,
      // Only a batch about missing campaigns proposes a check; anything else held here is would-be pauses.
      proposedAction: r.proposed_action === 'alert' ? 'alert' : 'halt',
      platform: r.platform,
      campaigns: r.campaigns,
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }

  /** Halt cards and escalations Slack refused for good, still kept as failed in the outbox. */
  refusedMessages(): RefusedMessage[] {
    const rows = this.db
      .prepare(
        `SELECT id, kind, channel, last_error, escalation_id, run_id, created_at,
           json_extract(subject, '$.campaignId') AS campaign_id, json_extract(subject, '$.platform') AS platform,
           json_extract(subject, '$.platformCampaignId') AS platform_campaign_id
         FROM outbox WHERE status = 'failed'
           AND (kind IN ('halt_alert', 'escalation') OR json_extract(subject, '$.details.pause') = 'failed')
         ORDER BY id`,
      )
      .all() as {
      id: number;
      kind: string;
      channel: string;
      last_error: string | null;
      escalation_id: string | null;
      run_id: string | null;
      created_at: string;
      campaign_id: string | null;
      platform: string | null;
      platform_campaign_id: string | null;
    }[];
    return rows.map((r) => ({
      outboxId: r.id,
      kind: r.kind === 'escalation' ? 'escalation' : 'halt',
      channel: r.channel,
      error: r.last_error ?? 'refused',
      campaignId: r.campaign_id,
      platform: r.platform,
      platformCampaignId: r.platform_campaign_id,
      escalationId: r.escalation_id,
      runId: r.run_id,
      createdAt: r.created_at,
    }));
  }

  /** The latest run failure and the latest completion, by their place in the audit trail (times may be equal). */
  runOutcomes(): Omit<RunOutcomes, 'thrown'> {
    const failed = this.db
      .prepare(`SELECT id, run_id, at, details FROM audit WHERE type = 'run_failed' ORDER BY id DESC LIMIT 1`)
      .get() as { id: number; run_id: string | null; at: string; details: string } | undefined;
    const completed = this.db
      .prepare(`SELECT COALESCE(MAX(id), 0) AS id FROM audit WHERE type = 'run_completed'`)
      .get() as { id: number };
    return {
      lastFailed: failed
        ? {
            auditId: failed.id,
            runId: failed.run_id,
            at: failed.at,
            error: String((JSON.parse(failed.details) as { error?: unknown }).error ?? 'unknown error'),
          }
        : null,
      lastCompletedAuditId: completed.id,
    };
  }
}
