// The pacing commands: each takes parsed arguments, does its job through the agent, and prints.

import type { RunReport } from '../agent/cycle.js';
import type { ResultRow } from '../agent/ports.js';
import { DecisionConflict, PacingError } from '../errors.js';
import type { App } from '../wiring.js';
import { auditTable, campaignDetail, pendingTable, type RunView, runReport } from './format.js';
import type { CollectingNotifier } from './notifier.js';
import { buildReport, type ReportBy, reportCsv, reportTable, statusCsv } from './report.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Options {
  json: boolean;
  /** RFC 4180 CSV on stdout (status, report); never together with json. */
  csv?: boolean | undefined;
  /** How `report` groups the results (market when unset). */
  by?: ReportBy | undefined;
  user?: string | undefined;
  reason?: string | undefined;
  campaign?: string | undefined;
  type?: string | undefined;
  run?: string | undefined;
  limit?: number | undefined;
}

const json = (io: Io, doc: unknown) => io.out(JSON.stringify(doc, null, 2));

/** CSV is printed exactly as rendered, its last CRLF included: `io.out` adds the final \n itself. */
const csv = (io: Io, text: string) => io.out(text.endsWith('\n') ? text.slice(0, -1) : text);

/** The run document of SPEC: { runId, results, errors } plus what else helps a reader. */
function runDoc(v: RunView) {
  return {
    runId: v.runId,
    startedAt: v.startedAt,
    results: v.results,
    errors: v.errors,
    platformErrors: v.platformErrors,
    summary: v.summary,
  };
}

export async function run(app: App, notifier: CollectingNotifier, o: Options, io: Io): Promise<RunReport> {
  const report = await app.agent.run('cli', o.user ?? 'cli');
  if (o.json) {
    json(io, runDoc(report));
    return report;
  }
  io.out(runReport(report));
  if (notifier.lines.length) {
    io.out(
      `\nNotifications (${app.config.slack.botToken ? 'Slack' : 'Slack is not configured, so they are printed here'}):`,
    );
    for (const l of notifier.lines) io.out(`  ${l}`);
  }
  return report;
}

export async function status(app: App, campaign: string | undefined, o: Options, io: Io): Promise<void> {
  const latest = app.agent.latest();
  if (!latest) {
    if (o.json) json(io, { runId: null, results: [], errors: [] });
    else if (o.csv) csv(io, statusCsv([]));
    else io.out('No pacing run yet. Start one with: npx pacing run');
    return;
  }
  const view: RunView = {
    runId: latest.run.id,
    startedAt: latest.run.startedAt,
    results: latest.results,
    errors: latest.run.errors,
    platformErrors: latest.run.platformErrors,
    summary: latest.run.summary as RunView['summary'],
  };
  if (campaign === undefined) {
    if (o.json) json(io, runDoc(view));
    else if (o.csv) csv(io, statusCsv(latest.results));
    else io.out(runReport(view));
    return;
  }
  const found = findCampaign(latest.results, campaign);
  if (found.length === 0)
    throw new PacingError('not_found', `No campaign matching "${campaign}" in run ${latest.run.id}.`);
  if (o.csv) {
    csv(io, statusCsv(found));
    return;
  }
  if (o.json) {
    json(io, { ...runDoc(view), results: found });
    return;
  }
  io.out(
    found.map((r) => campaignDetail(r, r.escalationId ? app.store.escalations.get(r.escalationId) : null)).join('\n\n'),
  );
}

/** The latest run's results totalled per group, each currency apart (SPEC, Report). */
export async function report(app: App, o: Options, io: Io): Promise<void> {
  const by = o.by ?? 'market';
  const latest = app.agent.latest();
  const doc = buildReport(latest?.results ?? [], by, latest?.run.id ?? null);
  // SPEC's contract: every group has a key and numeric totals (a group without the figure sums to 0).
  const out = {
    ...doc,
    groups: doc.groups.map((g) => ({
      ...g,
      key: g.key ?? '(unknown)',
      targetSpend: g.targetSpend ?? 0,
      actualSpend: g.actualSpend ?? 0,
    })),
  };
  if (o.json) json(io, out);
  else if (o.csv) csv(io, reportCsv(out));
  else io.out(reportTable(doc, latest ? { startedAt: latest.run.startedAt, results: latest.results } : undefined));
}

/** By plan id or platform id exactly, else by a case-insensitive part of either name. */
export function findCampaign(results: readonly ResultRow[], query: string): ResultRow[] {
  const exact = results.filter((r) => r.campaignId === query || r.platformCampaignId === query);
  if (exact.length) return exact;
  const q = query.toLowerCase();
  return results.filter((r) =>
    [r.campaignId, r.campaignName, r.platformCampaignName].some((v) => v?.toLowerCase().includes(q)),
  );
}

export async function pending(app: App, o: Options, io: Io): Promise<void> {
  const list = app.agent.pending();
  if (o.json) {
    json(io, {
      pending: list.map((e) => ({
        escalationId: e.id,
        campaignId: e.campaignId,
        platformCampaignId: e.platformCampaignId,
        platform: e.platform,
        proposedAction: e.proposedAction,
        reason: e.reason,
        createdAt: e.createdAt,
        expiresAt: e.expiresAt,
        // A batch (SPEC, Batch escalations): one question about many campaigns, listed here.
        campaigns: e.batch
          ? e.batch.members
              .filter((m) => !m.dropped)
              .map((m) => ({
                campaignId: m.campaignId,
                platform: m.platform,
                platformCampaignId: m.platformCampaignId,
              }))
          : null,
      })),
    });
    return;
  }
  io.out(pendingTable(list));
}

export async function decide(
  app: App,
  id: string,
  decision: 'approved' | 'overridden',
  o: Options,
  io: Io,
): Promise<void> {
  if (!o.user)
    throw new PacingError(
      'not_authorised',
      'Say who decides: --user <slack-user-id> (one of PACING_APPROVERS when set).',
    );
  if (app.config.approvers.length === 0) {
    io.err('Note: PACING_APPROVERS is not set, so any --user may decide from the CLI; set it before connecting Slack.');
  }
  const e = await app.agent.decide(id, decision, o.user, o.reason ?? null, 'cli');
  if (o.json)
    json(io, {
      escalationId: e.id,
      status: e.status,
      outcome: e.outcome,
      detail: e.outcomeDetail,
      decidedBy: e.decidedBy,
      decidedAt: e.decidedAt,
    });
  else io.out(`${e.id}: ${e.outcomeDetail ?? e.status}`);
  if (e.outcome === 'failed')
    throw new DecisionConflict(e.id, `The decision was recorded, but carrying it out failed.`, e.status);
}

export async function audit(app: App, o: Options, io: Io): Promise<void> {
  const events = app.store.audit.list({
    ...(o.campaign ? { campaign: o.campaign } : {}),
    ...(o.type ? { type: o.type } : {}),
    ...(o.run ? { runId: o.run } : {}),
    ...(o.limit ? { limit: o.limit } : {}),
  });
  if (o.json) json(io, { events });
  else io.out(auditTable(events));
}

export async function resumeCampaign(app: App, platform: string, id: string, o: Options, io: Io): Promise<void> {
  if (platform !== 'google' && platform !== 'meta')
    throw new PacingError('not_found', `Unknown platform "${platform}" (use google or meta).`);
  if (!o.user) throw new PacingError('not_authorised', 'Say who undoes the halt: --user <slack-user-id>.');
  const outcome = await app.agent.resumeCampaign(platform, id, o.user, 'cli');
  io.out(
    {
      resumed: `${platform} campaign ${id} resumed.`,
      already_enabled: `${platform} campaign ${id} was already running.`,
      would_resume: `Dry run: ${platform} campaign ${id} would have been resumed (PACING_MODE=dry-run).`,
    }[outcome],
  );
}
