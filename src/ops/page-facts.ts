// What the store says about the conditions that page: failed pauses and budget changes, platforms not read, storms held for a decision,
// failed runs. Small indexed queries, read from the database so that runs and clicks of other processes count too.
import type { PlatformFailure, ResultRow, RunSummary } from '../domain/records.js';
import type { Store } from '../store/index.js';
import { RESULT_COLUMNS, resultFromStore, type StoredResult } from '../store/runs.js';
import { insertionOrder, jsonText } from '../store/sql.js';
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

/** Campaigns looked up in one query (well under either engine's limit on parameters). */
const KEYS_PER_QUERY = 500;

export class PageFacts {
  /**
   * `kept` holds the latest run's unavailable platforms while it stays the latest (its rows do not change),
   * shared with the facts read within a transaction (`within`).
   */
  constructor(
    private readonly store: Store,
    private readonly kept: { unavailable: { runId: string; platforms: UnavailablePlatform[] } | null } = {
      unavailable: null,
    },
  ) {}

  /** The same facts, read through a transaction's store (all of them as of one moment). */
  within(tx: Store): PageFacts {
    return new PageFacts(tx, this.kept);
  }

  async read(thrown: RunOutcomes['thrown'] = null): Promise<PagingFacts> {
    const latest = await this.latestRun();
    const mark = await this.sql.get<{ id: number }>('SELECT COALESCE(MAX(id), 0) AS id FROM audit');
    return {
      failedPauses: await this.failedPauses(latest),
      failedBudgetChanges: await this.failedBudgetChanges(),
      unavailable: await this.unavailable(latest),
      storms: await this.storms(),
      refusedMessages: await this.refusedMessages(),
      runs: { ...(await this.runOutcomes()), thrown },
      mark: Number(mark?.id ?? 0),
    };
  }

  private get sql() {
    return this.store.sql;
  }

  private async latestRun(): Promise<LatestRun | null> {
    const order = insertionOrder(this.sql);
    const r = await this.sql.get<LatestRun>(
      `SELECT id, ${order} AS seq, summary, platform_errors FROM runs WHERE status = 'completed' ORDER BY started_at DESC, ${order} DESC LIMIT 1`,
    );
    return r ? { ...r, seq: Number(r.seq) } : null;
  }

  /** Campaigns whose latest settled pause failed, with what happened since. */
  async failedPauses(given?: LatestRun | null): Promise<FailedPause[]> {
    const latest = given === undefined ? await this.latestRun() : given;
    const failed = await this.sql.all<IntentRow>(
      `SELECT p.key, p.run_id, p.escalation_id, p.campaign_id, p.platform, p.platform_campaign_id, p.actor, p.created_at, p.settled_at
       FROM pause_intents p
       WHERE p.outcome IN ('failed', 'not_paused')
         AND NOT EXISTS (SELECT 1 FROM pause_intents q WHERE q.platform = p.platform AND q.platform_campaign_id = p.platform_campaign_id
           AND q.outcome IS NOT NULL AND ${insertionOrder(this.sql, 'q')} > ${insertionOrder(this.sql, 'p')})`,
    );
    if (failed.length === 0) return [];
    const rows = latest ? await this.rowsOf(latest.id, failed) : new Map<string, ResultRow>();
    const seqOf = async (runId: string | null) => {
      if (runId === null) return null;
      const r = await this.sql.get<{ seq: number }>(
        `SELECT ${insertionOrder(this.sql)} AS seq FROM runs WHERE id = ?`,
        [runId],
      );
      return r ? Number(r.seq) : null;
    };
    const out: FailedPause[] = [];
    for (const f of failed) {
      const failedSeq = await seqOf(f.run_id);
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
      const audited = await this.sql.get<{ details: string }>(
        `SELECT details FROM audit WHERE platform_campaign_id = ? AND platform = ? AND type = 'pause_failed' ORDER BY id DESC LIMIT 1`,
        [f.platform_campaign_id, f.platform],
      );
      const error = audited ? String((JSON.parse(audited.details) as { error?: unknown }).error ?? '') : '';
      const overridden =
        failedSeq !== null &&
        (await this.sql.get(
          `SELECT 1 AS found FROM escalations e JOIN runs r ON r.id = e.run_id
           WHERE e.platform = ? AND e.platform_campaign_id = ? AND e.status = 'overridden' AND e.id IS DISTINCT FROM ? AND ${insertionOrder(this.sql, 'r')} >= ? LIMIT 1`,
          [f.platform, f.platform_campaign_id, f.escalation_id, failedSeq],
        )) !== undefined;
      out.push({
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
        overridden,
        later,
      });
    }
    return out;
  }

  /**
   * Campaigns whose latest budget outcome is a failure: no later change, confirmation or failure of the same
   * campaign's daily budget in the audit trail (a later failure is the one reported).
   */
  async failedBudgetChanges(): Promise<FailedBudgetChange[]> {
    const rows = await this.sql.all<{
      id: number;
      at: string;
      run_id: string | null;
      campaign_id: string | null;
      platform: string;
      platform_campaign_id: string;
      actor: string;
      details: string;
      kept: number;
    }>(
      `SELECT a.id, a.at, a.run_id, a.campaign_id, a.platform, a.platform_campaign_id, a.actor, a.details,
         CASE WHEN EXISTS (SELECT 1 FROM escalations e WHERE e.platform = a.platform AND e.platform_campaign_id = a.platform_campaign_id
           AND e.proposed_action = 'budget' AND e.status = 'overridden' AND e.decided_at >= a.at) THEN 1 ELSE 0 END AS kept
       FROM audit a
       WHERE a.type = 'budget_change_failed' AND a.platform_campaign_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM audit b WHERE b.platform_campaign_id = a.platform_campaign_id AND b.platform = a.platform
           AND b.type IN ('budget_changed', 'budget_confirmed', 'budget_change_failed') AND b.id > a.id)
       ORDER BY a.id`,
    );
    return rows.map((r) => {
      const d = JSON.parse(r.details) as Record<string, unknown>;
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      return {
        platform: r.platform,
        platformCampaignId: r.platform_campaign_id,
        campaignId: r.campaign_id,
        auditId: Number(r.id),
        runId: r.run_id,
        escalationId: typeof d.escalationId === 'string' ? d.escalationId : null,
        actor: r.actor,
        restore: d.restore === true,
        at: r.at,
        from: num(d.from),
        to: num(d.to),
        currency: typeof d.currency === 'string' ? d.currency : null,
        error: typeof d.error === 'string' && d.error ? d.error : 'the platform did not confirm the change',
        kept: Number(r.kept) === 1,
      };
    });
  }

  /** The latest run's rows about these campaigns, by `platform:id` (one pass over that run's rows). */
  private async rowsOf(runId: string, campaigns: readonly IntentRow[]): Promise<Map<string, ResultRow>> {
    const keys = [...new Set(campaigns.map((c) => `${c.platform}:${c.platform_campaign_id}`))];
    const out = new Map<string, ResultRow>();
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const some = keys.slice(i, i + KEYS_PER_QUERY);
      const rows = await this.sql.all<StoredResult & { platform_key: string }>(
        `SELECT platform_key, ${RESULT_COLUMNS} FROM results WHERE run_id = ? AND platform_key IN (${some.map(() => '?').join(', ')})`,
        [runId, ...some],
      );
      for (const r of rows) out.set(r.platform_key, resultFromStore(r));
    }
    return out;
  }

  /** Platforms the latest completed run could not read, wholly or some of their accounts. */
  async unavailable(given?: LatestRun | null): Promise<UnavailablePlatform[]> {
    const latest = given === undefined ? await this.latestRun() : given;
    if (latest === null) return [];
    if (this.kept.unavailable?.runId === latest.id) return this.kept.unavailable.platforms;
    const summary = latest.summary ? (JSON.parse(latest.summary) as RunSummary) : null;
    const down = new Map<string, number>();
    for (const [platform, s] of Object.entries(summary?.platforms ?? {})) if (!s.ok) down.set(platform, 0);
    // Rows left without data (a whole platform, or accounts of it that could not be read): a cheap text match
    // first, then each candidate's causes read properly.
    const rows = await this.sql.all<StoredResult>(
      `SELECT ${RESULT_COLUMNS} FROM results WHERE run_id = ? AND data LIKE '%platform_unavailable%'`,
      [latest.id],
    );
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
    this.kept.unavailable = { runId: latest.id, platforms: unavailable };
    return unavailable;
  }

  /** Storms held as one batch escalation, still awaiting a decision. */
  async storms(): Promise<Storm[]> {
    const rows = await this.sql.all<{
      id: string;
      batch_kind: Storm['kind'];
      proposed_action: string;
      platform: string;
      reason: string;
      created_at: string;
      campaigns: number;
    }>(
      `SELECT e.id, e.batch_kind, e.proposed_action, e.platform, e.reason, e.created_at,
         (SELECT COUNT(*) FROM escalation_members m WHERE m.escalation_id = e.id AND m.dropped = 0) AS campaigns
       FROM escalations e WHERE e.status = 'pending' AND e.batch_kind IN ('data_fault', 'halt_budget') ORDER BY e.created_at, e.id`,
    );
    return rows.map((r) => ({
      escalationId: r.id,
      kind: r.batch_kind,
      // Only a batch about missing campaigns proposes a check; anything else held here is would-be pauses.
      proposedAction: r.proposed_action === 'alert' ? 'alert' : 'halt',
      platform: r.platform,
      campaigns: Number(r.campaigns),
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }

  /** Halt cards and escalations Slack refused for good, still kept as failed in the outbox. */
  async refusedMessages(): Promise<RefusedMessage[]> {
    const field = (...path: string[]) => jsonText(this.sql, 'subject', path);
    const rows = await this.sql.all<{
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
    }>(
      `SELECT id, kind, channel, last_error, escalation_id, run_id, created_at,
         ${field('campaignId')} AS campaign_id, ${field('platform')} AS platform,
         ${field('platformCampaignId')} AS platform_campaign_id
       FROM outbox WHERE status = 'failed'
         AND (kind IN ('halt_alert', 'escalation') OR ${field('details', 'pause')} = 'failed')
       ORDER BY id`,
    );
    return rows.map((r) => ({
      outboxId: Number(r.id),
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
  async runOutcomes(): Promise<Omit<RunOutcomes, 'thrown'>> {
    const failed = await this.sql.get<{ id: number; run_id: string | null; at: string; details: string }>(
      `SELECT id, run_id, at, details FROM audit WHERE type = 'run_failed' ORDER BY id DESC LIMIT 1`,
    );
    const completed = await this.sql.get<{ id: number }>(
      `SELECT COALESCE(MAX(id), 0) AS id FROM audit WHERE type = 'run_completed'`,
    );
    return {
      lastFailed: failed
        ? {
            auditId: Number(failed.id),
            runId: failed.run_id,
            at: failed.at,
            error: String((JSON.parse(failed.details) as { error?: unknown }).error ?? 'unknown error'),
          }
        : null,
      lastCompletedAuditId: Number(completed?.id ?? 0),
    };
  }
}
