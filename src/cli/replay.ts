// `pacing replay [--runs n] [--since date] [--set KEY=VALUE]... [--json]`: what stored runs would have done under
// other settings (SPEC, Replay). Reads the database opened read-only; writes nothing.
import { type ReplayedRun, type ReplayReport, replay } from '../agent/replay.js';
import type { Config } from '../config.js';
import { withOverrides } from '../config-overrides.js';
import { formatMoney } from '../domain/money.js';
import { type ActionCounts, changeCounts, type ReplayChange } from '../domain/replay.js';
import { ConfigError } from '../errors.js';
import { openReadOnlyReader } from '../open.js';
import { type Io, json, type Options, UsageError } from './commands.js';
import { DEFAULT_WIDTH } from './results-table.js';
import { clip, plural, wrap } from './text.js';

/** Changed campaigns listed per run in the text; `--json` lists them all. */
export const CHANGES_SHOWN = 20;

export async function replayCommand(config: Config, o: Options, io: Io): Promise<void> {
  let overridden: ReturnType<typeof withOverrides>;
  try {
    overridden = withOverrides(config, o.set ?? []);
  } catch (err) {
    // A setting typed wrong is a usage error (exit 2), named as start-up would name it.
    if (err instanceof ConfigError) throw new UsageError(err.message, false);
    throw err;
  }
  const reader = await openReadOnlyReader(config);
  let report: ReplayReport;
  // When --since leaves nothing to replay: the latest run there is, so the answer can say what to ask instead.
  let latest: string | null = null;
  try {
    report = reader
      ? await replay(reader.reads, overridden.config, overridden.settings, { runs: o.runs, since: o.since })
      : { runs: [], settings: overridden.settings, skipped: [] };
    if (reader && o.since !== undefined && report.runs.length === 0 && report.skipped.length === 0)
      latest = (await reader.reads.runsCompletedSince(null)).reduce<string | null>(
        (l, r) => (l === null || r.startedAt > l ? r.startedAt : l),
        null,
      );
  } finally {
    await reader?.close();
  }
  if (o.json) {
    json(io, report);
    return;
  }
  io.out(replayText(report, io.columns ?? DEFAULT_WIDTH, { since: o.since, latest }));
}

/** Each run's action counts then and now, and the campaigns whose action changes, most at stake first. */
export function replayText(
  report: ReplayReport,
  columns: number = DEFAULT_WIDTH,
  asked: { since?: string | undefined; latest?: string | null } = {},
): string {
  const width = Math.max(40, columns);
  const lines = [...wrap(heading(report), width)];
  if (report.runs.length === 0 && report.skipped.length === 0) {
    lines.push(
      asked.since !== undefined && asked.latest
        ? `No run started on or after ${asked.since} (latest: ${when(asked.latest)}).`
        : 'No completed run to replay. Start one with: npx pacing run',
    );
    return lines.join('\n');
  }
  for (const run of report.runs) lines.push('', ...runLines(run, width));
  if (report.skipped.length > 0) {
    lines.push('', `Not replayed (${report.skipped.length}):`);
    for (const s of report.skipped)
      lines.push(...wrap(`${s.runId} (${when(s.startedAt)}): ${s.reason}`, width - 2).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

function heading(report: ReplayReport): string {
  const set = Object.entries(report.settings).map(([k, v]) => `${k}=${v}`);
  const runs = plural(report.runs.length, 'run');
  return `Replay of ${runs} with ${set.length ? set.join(', ') : "today's settings"}: ${changesText(report)}. "then" is what each run did; nothing was written.`;
}

/** "8 campaigns would change (24 decisions over 3 runs)". */
function changesText(report: Pick<ReplayReport, 'runs'>): string {
  const { campaigns, decisions } = changeCounts(report.runs);
  const runs = report.runs.length;
  const over = runs > 1 ? ` (${plural(decisions, 'decision')} over ${plural(runs, 'run')})` : '';
  return `${plural(campaigns, 'campaign')} would change${over}`;
}

const ACTIONS: readonly (keyof ActionCounts)[] = ['log', 'alert', 'escalate', 'halt'];

function runLines(run: ReplayedRun, width: number): string[] {
  const lines = [`${when(run.startedAt)}  ${run.runId}`];
  lines.push(`        ${ACTIONS.map((a) => a.padStart(9)).join('')}`);
  lines.push(`  then  ${ACTIONS.map((a) => String(run.then[a]).padStart(9)).join('')}`);
  lines.push(`  now   ${ACTIONS.map((a) => String(run.now[a]).padStart(9)).join('')}`);
  if (run.changed.length === 0) {
    lines.push('  No campaign would change its action.');
    return lines;
  }
  lines.push(`  ${plural(run.changed.length, 'campaign')} would change, most at stake first:`);
  for (const c of run.changed.slice(0, CHANGES_SHOWN)) lines.push(...changeLines(c, width));
  const more = run.changed.length - CHANGES_SHOWN;
  if (more > 0) lines.push(`  … and ${more} more (--json lists them all).`);
  return lines;
}

function changeLines(c: ReplayChange, width: number): string[] {
  const id = c.campaignId ?? `${c.platform} ${c.platformCampaignId ?? ''}`;
  const now = c.proposedAction ? `escalate (proposes ${c.proposedAction})` : c.now;
  const head = `${id}  ${c.then} → ${now}  ${formatMoney(c.atStake, c.currency)} at stake`;
  const name = c.campaignName ? `  ${c.campaignName}` : '';
  return [`  - ${clip(`${head}${name}`, width - 4)}`, ...wrap(c.reason, width - 6).map((l) => `      ${l}`)];
}

/** "2026-11-20 09:00 UTC". */
const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
