// The pacing commands: each takes parsed arguments, does its job through the agent, and prints.

import type { RunReport } from '../agent/cycle.js';
import { campaignHint, findCampaign, findPlanCampaign, findQuestion } from '../domain/lookup.js';
import { questionAtStake } from '../domain/overview.js';
import type { Escalation, ResultRow } from '../domain/records.js';
import { buildReport, type Report, type ReportBy } from '../domain/report.js';
import { didYouMean } from '../domain/suggest.js';
import { DecisionConflict, PacingError } from '../errors.js';
import type { ReadApp } from '../open.js';
import type { AgentApp } from '../wiring.js';
import { isAuditType, noEventsOfType, unknownAuditType } from './audit-types.js';
import { auditTable, campaignDetail, type RunView, runReport } from './format.js';
import type { CollectingNotifier } from './notifier.js';
import { byAge, pendingTable, questionLabel } from './pending.js';
import { reportCsv, reportTable, statusCsv } from './report.js';
import { campaignName, DEFAULT_WIDTH } from './results-table.js';
import { wrap } from './text.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** How wide the terminal is (COLUMNS, or the terminal's own width); DEFAULT_WIDTH when unknown. */
  columns?: number | undefined;
}

/** What was typed is not a valid use of the command: the CLI says why and exits 2. */
export class UsageError extends Error {
  /** Whether the general help follows the message (not when the message lists the valid values itself). */
  constructor(
    message: string,
    readonly showHelp = true,
  ) {
    super(message);
  }
}

const widthOf = (io: Io): number => io.columns ?? DEFAULT_WIDTH;

export interface Options {
  json: boolean;
  /** RFC 4180 CSV on stdout (status, report); never together with json. */
  csv?: boolean | undefined;
  /** Every row of a large run's table, not only those that need attention. */
  all?: boolean | undefined;
  /** `digest --now`: send the digest now rather than on its schedule. */
  now?: boolean | undefined;
  /** How `report` groups the results (market when unset). */
  by?: ReportBy | undefined;
  user?: string | undefined;
  reason?: string | undefined;
  campaign?: string | undefined;
  type?: string | undefined;
  run?: string | undefined;
  limit?: number | undefined;
  /** `optimise --pool`: one budget pool only. */
  pool?: string | undefined;
  /** `migrate --from`: the SQLite file to copy into PostgreSQL. */
  from?: string | undefined;
  /** `replay --runs`: the latest n runs. */
  runs?: number | undefined;
  /** `replay --since`: runs started on this day (YYYY-MM-DD, UTC) or later. */
  since?: string | undefined;
  /** `replay --set KEY=VALUE`, repeatable: the settings to decide again with. */
  set?: string[] | undefined;
}

/**
 * One JSON document on stdout: indented for people while it is small, compact past COMPACT_JSON_CHARS (a
 * 10,000-campaign run is 18 MB indented, 13 MB compact, and a fifth faster to write).
 */
export const json = (io: Io, doc: unknown): void => {
  const text = JSON.stringify(doc);
  io.out(text.length > COMPACT_JSON_CHARS ? text : JSON.stringify(doc, null, 2));
};
export const COMPACT_JSON_CHARS = 1_000_000;

/** CSV is printed exactly as rendered, its last CRLF included: `io.out` adds the final \n itself. */
const csv = (io: Io, text: string) => io.out(text.endsWith('\n') ? text.slice(0, -1) : text);

/** The run document of SPEC: { runId, results, errors } plus what else helps a reader (`run`/`status --json`). */
export function runDoc(v: RunView) {
  return {
    runId: v.runId,
    startedAt: v.startedAt,
    results: v.results,
    errors: v.errors,
    platformErrors: v.platformErrors,
    summary: v.summary,
  };
}

export async function run(app: AgentApp, notifier: CollectingNotifier, o: Options, io: Io): Promise<RunReport> {
  const report = await app.agent.run('cli', o.user ?? 'cli');
  if (o.json) {
    json(io, runDoc(report));
    return report;
  }
  io.out(runReport({ ...report, opened: await app.reads.openedIn(report.runId) }, widthOf(io), o));
  if (notifier.lines.length) {
    io.out(
      `\nNotifications (${app.config.slack.botToken ? 'Slack' : 'Slack is not configured, so they are printed here'}):`,
    );
    // Each notification wrapped to the terminal, its continuation lines under its text (past "HALT  ").
    for (const l of notifier.lines) {
      const tag = /^\S+\s+/.exec(l)?.[0] ?? '';
      const indent = ' '.repeat(2 + tag.length);
      const lines = wrap(l.slice(tag.length), Math.max(20, widthOf(io) - indent.length));
      io.out(lines.map((part, i) => `${i ? indent : `  ${tag}`}${part}`).join('\n'));
    }
  }
  return report;
}

export async function status(app: ReadApp, campaign: string | undefined, o: Options, io: Io): Promise<void> {
  const latest = await app.reads.latest();
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
    else io.out(runReport({ ...view, opened: await app.reads.openedIn(view.runId) }, widthOf(io), o));
    return;
  }
  const found = findCampaign(latest.results, campaign);
  if (found.length === 0)
    throw new PacingError(
      'not_found',
      `No campaign "${campaign}" in the latest run (${latest.run.id}).${campaignHint(campaign, latest.results) || ' `npx pacing status` lists them.'}`,
    );
  if (o.csv) {
    csv(io, statusCsv(found));
    return;
  }
  if (o.json) {
    json(io, { ...runDoc(view), results: found });
    return;
  }
  const details: string[] = [];
  for (const r of found)
    details.push(
      campaignDetail(
        r,
        r.escalationId ? await app.reads.escalation(r.escalationId) : null,
        await app.reads.poolChangeFor(r),
      ),
    );
  io.out(details.join('\n\n'));
}

/** The latest run's results totalled per group, each currency apart (SPEC, Report). */
export async function report(app: ReadApp, o: Options, io: Io): Promise<void> {
  const by = o.by ?? 'market';
  const latest = await app.reads.latest();
  const doc = buildReport(latest?.results ?? [], by, latest?.run.id ?? null);
  if (o.json) json(io, reportDoc(doc));
  // CSV has an empty cell for "unknown": a 0 there would read as "nothing spent".
  else if (o.csv) csv(io, reportCsv({ ...doc, groups: doc.groups.map((g) => ({ ...g, key: g.key ?? '(unknown)' })) }));
  else
    io.out(
      reportTable(doc, latest ? { startedAt: latest.run.startedAt, results: latest.results } : undefined, widthOf(io)),
    );
}

/**
 * The `report --json` document. SPEC's contract: every group has a key and numeric totals (a group without the
 * figure sums to 0).
 */
export function reportDoc(doc: Report) {
  return {
    ...doc,
    groups: doc.groups.map((g) => ({
      ...g,
      key: g.key ?? '(unknown)',
      targetSpend: g.targetSpend ?? 0,
      actualSpend: g.actualSpend ?? 0,
    })),
  };
}

/** One open question as `pending --json` lists it (SPEC's fields, then what else helps a reader). */
export function pendingEntry(e: Escalation) {
  return {
    escalationId: e.id,
    campaignId: e.campaignId,
    platformCampaignId: e.platformCampaignId,
    platform: e.platform,
    proposedAction: e.proposedAction,
    reason: e.reason,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    // The money the question is about, per currency (domain/overview.ts), as the table shows it.
    moneyAtStake: questionAtStake(e),
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
  };
}

export async function pending(app: ReadApp, o: Options, io: Io): Promise<void> {
  // Oldest first, for people and programs alike.
  const list = byAge(await app.reads.pending());
  if (o.json) {
    json(io, { pending: list.map(pendingEntry) });
    return;
  }
  io.out(pendingTable(list, app.config.clock(), app.config.schedule.tz, widthOf(io)));
}

export async function decide(
  app: AgentApp,
  typed: string,
  decision: 'approved' | 'overridden',
  o: Options,
  io: Io,
): Promise<void> {
  if (!o.user) throw new UsageError('Say who decides: --user <slack-user-id> (one of PACING_APPROVERS when set).');
  if (app.config.approvers.length === 0) {
    io.err('Note: PACING_APPROVERS is not set, so any --user may decide from the CLI; set it before connecting Slack.');
  }
  // An escalation id, or a plan campaign id with exactly one open question (`approve ACM-M-005`).
  const found = findQuestion(typed, await app.reads.pending(), (await app.reads.latest())?.results ?? []);
  if (found.kind === 'ambiguous' || found.kind === 'none') throw new PacingError('not_found', found.message);
  const id = found.kind === 'escalation' ? found.id : typed;
  const e = await app.agent.decide(id, decision, o.user, o.reason ?? null, 'cli').catch(async (err: unknown) => {
    throw err instanceof DecisionConflict && err.currentStatus === null ? await unknownEscalation(app, id, err) : err;
  });
  if (o.json)
    json(io, {
      escalationId: e.id,
      status: e.status,
      outcome: e.outcome,
      detail: e.outcomeDetail,
      decidedBy: e.decidedBy,
      decidedAt: e.decidedAt,
    });
  else io.out(`${e.id} (${questionLabel(e)}): ${e.outcomeDetail ?? e.status}`);
  if (e.outcome === 'failed')
    throw new DecisionConflict(e.id, `The decision was recorded, but carrying it out failed.`, e.status);
}

/** An unknown escalation id, with the open question (or the campaign with one) it is closest to, if one is. */
async function unknownEscalation(app: AgentApp, id: string, err: DecisionConflict): Promise<DecisionConflict> {
  const open = await app.reads.pending();
  const hint = didYouMean(id, [
    ...open.map((e: Escalation) => ({ id: e.id, label: `${questionLabel(e)}; proposes ${e.proposedAction}` })),
    ...open
      .filter((e) => e.campaignId !== null)
      .map((e) => ({ id: e.campaignId as string, label: `open question ${e.id}; proposes ${e.proposedAction}` })),
  ]);
  const what = /^esc-/i.test(id)
    ? `There is no escalation ${id}.`
    : `"${id}" is neither an escalation id nor a campaign with an open question.`;
  return hint || !/^esc-/i.test(id) ? new DecisionConflict(id, `${what}${hint}`, null) : err;
}

export async function audit(app: ReadApp, o: Options, io: Io): Promise<void> {
  // Types on record count as valid too: events written before a type was renamed can still be listed.
  const onRecord = await app.reads.auditCounts();
  if (o.type !== undefined && !isAuditType(o.type) && !Object.hasOwn(onRecord, o.type))
    throw new UsageError(unknownAuditType(o.type, onRecord, widthOf(io)), false);
  const events = await app.reads.audit({
    ...(o.campaign ? { campaign: o.campaign } : {}),
    ...(o.type ? { type: o.type } : {}),
    ...(o.run ? { runId: o.run } : {}),
    ...(o.limit ? { limit: o.limit } : {}),
  });
  const none = events.length === 0 && o.type !== undefined ? noEventsOfType(o, onRecord, widthOf(io)) : null;
  if (o.json) {
    json(io, { events });
    if (none) io.err(none);
  } else io.out(none ?? auditTable(events));
}

/**
 * Undoes a halt. `<platform> <platform-campaign-id>` as the contract says, or the plan's campaign id alone (the
 * platform and its campaign looked up in the latest run).
 */
export async function resumeCampaign(app: AgentApp, args: readonly string[], o: Options, io: Io): Promise<void> {
  const [first = '', second] = args;
  let platform: string;
  let id: string;
  let label: string;
  if (second !== undefined) {
    platform = first;
    id = second;
    label = `${platform} campaign ${id}`;
  } else {
    if (first === 'google' || first === 'meta')
      throw new UsageError(`resume-campaign ${first} needs the ${first} campaign id too.`);
    const row = await planCampaign(app, first);
    platform = row.platform;
    id = row.platformCampaignId as string;
    label = `${row.campaignId ?? campaignName(row)} (${platform} campaign ${id})`;
  }
  if (platform !== 'google' && platform !== 'meta')
    throw new PacingError('not_found', `Unknown platform "${platform}" (use google or meta).`);
  if (!o.user) throw new PacingError('not_authorised', 'Say who undoes the halt: --user <slack-user-id>.');
  const outcome = await app.agent.resumeCampaign(platform, id, o.user, 'cli');
  io.out(
    {
      resumed: `${label} resumed.`,
      already_enabled: `${label} was already running.`,
      would_resume: `Dry run: ${label} would have been resumed (PACING_MODE=dry-run).`,
    }[outcome],
  );
}

/** The latest run's row for a plan campaign id (or, failing that, a platform campaign id), with its platform campaign. */
async function planCampaign(app: AgentApp, query: string): Promise<ResultRow & { platformCampaignId: string }> {
  const latest = await app.reads.latest();
  if (!latest)
    throw new PacingError(
      'not_found',
      `No pacing run yet to look "${query}" up in: name the platform too (resume-campaign <google|meta> <platform-campaign-id>).`,
    );
  const row = findPlanCampaign(latest.results, query);
  if (!row)
    throw new PacingError(
      'not_found',
      `No campaign "${query}" in the latest run (${latest.run.id}).${campaignHint(query, latest.results) || ' `npx pacing status` lists them.'}`,
    );
  if (row.platformCampaignId === null)
    throw new PacingError(
      'not_found',
      `${row.campaignId} (${campaignName(row)}) has no ${row.platform} campaign: none matched it in run ${latest.run.id}, so there is nothing to resume.`,
    );
  return row as ResultRow & { platformCampaignId: string };
}
