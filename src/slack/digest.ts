// The scheduled digest: what happened since the last one, gathered from runs, escalations and the audit trail.
import type { Escalation, ResultRow } from '../agent/ports.js';
import type { Store } from '../store/index.js';
import type { RunSummary } from '../store/runs.js';

export interface Digest {
  since: string | null;
  until: string;
  runs: number;
  latestRunId: string | null;
  latest: RunSummary | null;
  actions: {
    paused: number;
    alerts: number;
    escalated: number;
    approved: number;
    overridden: number;
    expired: number;
    resumed: number;
  };
  pending: Escalation[];
  expired: Escalation[];
  biggest: ResultRow[];
}

export function buildDigest(store: Store, since: string | null, until: string): Digest {
  const runs = store.runs.completedSince(since).filter((r) => (r.finishedAt ?? r.startedAt) <= until);
  const latest = runs.at(-1) ?? null;
  const counts = store.audit.countByType(since, until);
  const count = (type: string) => counts[type] ?? 0;
  const decided = store.escalations.decidedSince(since);
  const biggest = latest
    ? store.runs
        .results(latest.id)
        .filter((r) => r.variancePct !== null)
        .sort((a, b) => Math.abs(b.variancePct ?? 0) - Math.abs(a.variancePct ?? 0))
        .slice(0, 5)
    : [];
  return {
    since,
    until,
    runs: runs.length,
    latestRunId: latest?.id ?? null,
    latest: latest?.summary ?? null,
    actions: {
      paused: count('campaign_paused'),
      alerts: count('alert_sent'),
      escalated: count('escalation_opened'),
      approved: count('escalation_approved'),
      overridden: count('escalation_overridden'),
      expired: count('escalation_expired'),
      resumed: count('campaign_resumed'),
    },
    pending: store.escalations.pending(),
    expired: decided.filter((e) => e.status === 'expired'),
    biggest,
  };
}
