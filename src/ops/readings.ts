// What the store says about the app's state, read when Prometheus scrapes or a probe asks: small aggregate
// queries, so that runs made by the CLI (another process) count as well as those made by `pacing serve`.
import { moneyAtStake as moneyAtStakeOf } from '../domain/overview.js';
import type { Store } from '../store/index.js';
import { insertionOrder } from '../store/sql.js';

/** Label values kept to a fixed set: never a campaign id, never free text. */
export const PLATFORMS = ['google', 'meta'] as const;
export const SEVERITIES = ['healthy', 'warning', 'critical', 'none'] as const;

export const platformLabel = (p: string): string => ((PLATFORMS as readonly string[]).includes(p) ? p : 'other');

/** Figures of the latest completed run; fixed once the run is stored, so they are computed once per run. */
export interface LatestRunFigures {
  runId: string;
  finishedAt: string | null;
  /** Campaigns (result rows) per platform and severity (`none`: no variance, e.g. a target of 0). */
  campaigns: Map<string, Map<string, number>>;
  /**
   * Money at stake per currency (`unknown` when the row states none): domain/overview.ts's one definition, the sum
   * of |actual − target| over the off-plan rows, as the Slack summary, the digest and the CLI give it.
   */
  moneyAtStake: Map<string, number>;
  /** Whether each platform could be read in that run. */
  platformsOk: Map<string, boolean>;
}

export async function latestRunFigures(
  store: Store,
  cached: LatestRunFigures | null,
): Promise<LatestRunFigures | null> {
  const run = await store.runs.latestCompleted();
  if (!run) return null;
  if (cached?.runId === run.id) return cached;
  const campaigns = new Map<string, Map<string, number>>();
  const moneyAtStake = new Map<string, number>();
  const results = await store.runs.results(run.id);
  for (const r of results) {
    const platform = platformLabel(r.platform);
    const bySeverity = campaigns.get(platform) ?? new Map<string, number>();
    const severity = r.severity ?? 'none';
    bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + 1);
    campaigns.set(platform, bySeverity);
  }
  for (const m of moneyAtStakeOf(results)) {
    // A currency code is a short fixed set in practice; anything else is folded so labels stay few.
    const code = m.currency?.toUpperCase() ?? '';
    const currency = /^[A-Z]{3}$/.test(code) ? code : 'unknown';
    moneyAtStake.set(currency, (moneyAtStake.get(currency) ?? 0) + m.amount);
  }
  const platformsOk = new Map<string, boolean>();
  for (const [p, s] of Object.entries(run.summary?.platforms ?? {})) {
    const label = platformLabel(p);
    platformsOk.set(label, (platformsOk.get(label) ?? true) && s.ok);
  }
  return { runId: run.id, finishedAt: run.finishedAt, campaigns, moneyAtStake, platformsOk };
}

export interface Backlog {
  count: number;
  /** Creation time (ISO) of the oldest item, or null when there is none. */
  oldestAt: string | null;
}

export async function pendingEscalations(store: Store): Promise<Backlog> {
  const r = await store.sql.get<{ n: number; oldest: string | null }>(
    `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM escalations WHERE status = 'pending'`,
  );
  return { count: Number(r?.n ?? 0), oldestAt: r?.oldest ?? null };
}

/** Slack messages queued and not yet delivered (waiting for their turn, or for a retry). */
export async function pendingOutbox(store: Store): Promise<Backlog> {
  const n = await store.outbox.pendingCount();
  const r = await store.sql.get<{ oldest: string }>(
    `SELECT created_at AS oldest FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1`,
  );
  return { count: n, oldestAt: r?.oldest ?? null };
}

/** Kinds of Slack message, as labels (a fixed set: anything else counts as `other`). */
export const MESSAGE_KINDS = [
  'alert',
  'halt_alert',
  'alert_summary',
  'alert_update',
  'escalation',
  'escalation_closed',
  'digest',
  'digest_chart',
  'other',
] as const;

/** Slack messages Slack refused for good (kept as failed in the outbox), by kind. */
export async function refusedMessages(store: Store): Promise<Map<string, number>> {
  const rows = await store.sql.all<{ kind: string; n: number }>(
    `SELECT kind, COUNT(*) AS n FROM outbox WHERE status = 'failed' GROUP BY kind`,
  );
  const out = new Map<string, number>();
  for (const r of rows) {
    const kind = (MESSAGE_KINDS as readonly string[]).includes(r.kind) ? r.kind : 'other';
    out.set(kind, (out.get(kind) ?? 0) + Number(r.n));
  }
  return out;
}

/** The latest run that finished (completed or failed), whoever ran it. */
export async function lastFinishedRun(
  store: Store,
): Promise<{ id: string; status: 'completed' | 'failed'; finishedAt: string | null } | null> {
  const r = await store.sql.get<{ id: string; status: 'completed' | 'failed'; finished_at: string | null }>(
    `SELECT id, status, finished_at FROM runs WHERE status != 'running' ORDER BY started_at DESC, ${insertionOrder(store.sql)} DESC LIMIT 1`,
  );
  return r ? { id: r.id, status: r.status, finishedAt: r.finished_at } : null;
}

/** Seconds from `from` (ISO) to `now` (ISO), never negative; 0 when there is nothing. */
export function ageSeconds(from: string | null, now: string): number {
  if (from === null) return 0;
  const age = (Date.parse(now) - Date.parse(from)) / 1000;
  return Number.isFinite(age) && age > 0 ? age : 0;
}
