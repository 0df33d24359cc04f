// The digest message: money at stake, what changed since the last digest, chronic offenders, forecasts that miss
// their budget, the biggest over- and underspends, and the escalations waiting or expired. Read in seconds.

import { roughMoney } from '../../domain/budget-outlook.js';
import { formatAmount, formatMoney, formatPct } from '../../domain/money.js';
import { atStake, type MoneyAtStake } from '../../domain/overview.js';
import type { ResultRow } from '../../domain/records.js';
import { byStake } from '../../domain/stake.js';
import { standsPaused } from '../../domain/standing.js';
import type { Digest } from '../digest.js';
import { analysisLine } from './analysis.js';
import { type Block, context, esc, header, section, severityIcon, slackDate, withinLimits } from './blocks.js';
import { age, PROPOSES, plural, question, rowName, subject } from './names.js';

/** Lines per list: enough to act on, short enough to read at a glance. */
const LIST = 8;
/** For the lists that repeat campaigns seen in another list (over/under, forecasts, chronic). */
const SHORT = 5;

const money = (value: number | null, currency: string | null): string =>
  currency ? formatMoney(value, esc(currency)) : `${formatMoney(value)} (currency unknown)`;

/** "4,560.00 EUR over plan" — the money one row's variance is about. */
const stake = (r: ResultRow): string =>
  `${money(atStake(r), r.currency)} ${(r.actualSpend ?? 0) > (r.targetSpend ?? 0) ? 'over' : 'under'} plan`;

/** A list of up to `max` lines, saying how many were left out. */
function list<T>(items: readonly T[], line: (x: T) => string, max = LIST, more = ''): string {
  const shown = items.slice(0, max).map(line);
  if (items.length > max) shown.push(`…and ${items.length - max} more${more}`);
  return shown.join('\n');
}

export function moneyLines(m: readonly MoneyAtStake[]): string {
  return m
    .map(
      (x) =>
        `• *${money(x.amount, x.currency)}* across ${plural(x.campaigns, 'campaign')}` +
        ` — ${formatAmount(x.over, x.currency)} over plan, ${formatAmount(x.under, x.currency)} under`,
    )
    .join('\n');
}

/** The short notification text (and what clients without blocks show). */
export function digestText(d: Digest): string {
  const parts = [
    d.moneyAtStake.length
      ? `${d.moneyAtStake.map((m) => money(m.amount, m.currency)).join(' + ')} at stake`
      : 'nothing off plan',
    ...(d.changes?.newCriticals.length ? [plural(d.changes.newCriticals.length, 'new critical', 'new criticals')] : []),
    ...(d.pending.length ? [`${d.pending.length} awaiting a decision`] : []),
  ];
  return `Pacing digest: ${parts.join(', ')}`;
}

function intro(d: Digest): string {
  if (!d.latestRunId) return 'No pacing run yet: nothing to report.';
  const latest = `latest ${slackDate(d.latestAt)}`;
  const when =
    d.since === null
      ? `First digest · ${plural(d.runs, 'run')} so far, ${latest}`
      : d.runs === 0
        ? `No run since the last digest (${slackDate(d.since)}): figures from the run of ${slackDate(d.latestAt)}`
        : `${plural(d.runs, 'run')} since the last digest (${slackDate(d.since)}), ${latest}`;
  const s = d.latest?.bySeverity;
  const severities = s
    ? `\n${severityIcon('critical')} *${s.critical}* critical   ${severityIcon('warning')} *${s.warning}* warning   ${severityIcon('healthy')} *${s.healthy}* healthy` +
      (s.none ? `   ${severityIcon(null)} *${s.none}* without a variance` : '')
    : '';
  return `${when}${severities}`;
}

function changeBlock(d: Digest): Block | null {
  const c = d.changes;
  if (!c) return null;
  const lines: string[] = [];
  if (c.newCriticals.length)
    lines.push(
      `${severityIcon('critical')} *Newly critical (${c.newCriticals.length})*\n${list(c.newCriticals, (r) => `• ${rowName(r)} · *${formatPct(r.variancePct)}* · ${stake(r)}${standsPaused(r) ? ' · paused' : ''}`)}`,
    );
  if (c.resolved.length)
    lines.push(
      `:white_check_mark: *Back on plan (${c.resolved.length})*\n${list(c.resolved, (x) => `• ${rowName(x.row)} · ${formatPct(x.before.variancePct)} → ${formatPct(x.row.variancePct)}`)}`,
    );
  if (!lines.length) lines.push('Nothing newly critical, nothing back on plan.');
  return section(`*Since the last digest*\n${lines.join('\n')}`);
}

function actionsLine(d: Digest): string {
  const a = d.actions;
  const parts = [
    a.paused && `${plural(a.paused, 'campaign')} paused`,
    a.resumed && `${a.resumed} resumed`,
    a.alerts && plural(a.alerts, 'alert'),
    a.escalated && `${plural(a.escalated, 'escalation')} opened`,
    a.approved && `${a.approved} approved`,
    a.overridden && `${a.overridden} rejected`,
    a.expired && `${a.expired} expired`,
  ].filter((p): p is string => Boolean(p));
  const window = d.since ? 'Since the last digest' : 'So far';
  return parts.length ? `${window}: ${parts.join(' · ')}` : `${window}: no action taken.`;
}

/**
 * "3 budget changes would steer 2.1 M EUR of flights toward their budgets": what steering would do, per currency.
 * Not "land": a step or a pool's rebalance moves a flight toward its budget without always landing it there.
 */
export function budgetLine(d: Digest): string | null {
  const p = d.budgetProposals;
  if (!p || p.count === 0) return null;
  const sums = p.budgets.map((b) => roughMoney(b.amount, b.currency ? esc(b.currency) : null)).join(' and ');
  return `:money_with_wings: *${plural(p.count, 'budget change')} would steer ${sums ? `${sums} of flights` : 'their flights'} toward their budgets* — see \`/pacing status\` for each.`;
}

export function digestBlocks(d: Digest): Block[] {
  const blocks: Block[] = [header('Pacing digest'), section(intro(d))];
  if (d.latestRunId) {
    blocks.push(
      section(
        d.moneyAtStake.length
          ? `*Money at stake* (off plan: actual vs plan to date)\n${moneyLines(d.moneyAtStake)}`
          : '*Money at stake:* none — every campaign with a variance is on plan.',
      ),
    );
    const changes = changeBlock(d);
    if (changes) blocks.push(changes);
    const variance = (r: ResultRow) =>
      `• ${severityIcon(r.severity)} ${rowName(r)} · *${formatPct(r.variancePct)}* · ${stake(r)}${standsPaused(r) ? ' · paused' : ''}`;
    if (d.overspends.length) blocks.push(section(`*Biggest overspends*\n${list(d.overspends, variance, SHORT)}`));
    if (d.underspends.length) blocks.push(section(`*Biggest underspends*\n${list(d.underspends, variance, SHORT)}`));
    // One paragraph from the analyst's notes: the run's biggest case that has one (the largest share of its flight's
    // budget off plan, so no currency outranks another by its size).
    const noted = [...d.overspends, ...d.underspends].filter((r) => r.explanation).sort(byStake)[0];
    const note = noted ? analysisLine(noted.explanation, 500) : null;
    if (noted && note) blocks.push(section(`*The biggest case, as a model reads it:* ${rowName(noted)}\n${note}`));
    if (d.forecastMisses.length)
      blocks.push(
        section(
          `*Will miss budget at this rate (${d.forecastMisses.length})*\n${list(
            d.forecastMisses,
            (r) => {
              const f = r.forecast as NonNullable<ResultRow['forecast']>;
              const cur = r.platformCurrency ?? r.currency;
              const ends = standsPaused(r) ? 'paused, ends at its spend so far:' : 'ends at';
              return `• ${rowName(r)} · ${ends} ${money(f.projectedSpend, cur)} vs ${money(f.budget, r.currency)} budget (*${formatPct(f.projectedVariancePct)}*)`;
            },
            SHORT,
          )}`,
        ),
      );
    const budgets = budgetLine(d);
    if (budgets) blocks.push(section(budgets));
    if (d.chronic.length)
      blocks.push(
        section(
          `*Chronic offenders (${d.chronic.length})* — off plan in most of their recent runs\n${list(
            d.chronic,
            (r) =>
              `• ${rowName(r)} · off plan in ${r.history?.offPlanRuns ?? '?'} of ${plural(r.history?.runs ?? 0, 'run')} · now *${formatPct(r.variancePct)}*`,
            SHORT,
          )}`,
        ),
      );
  }
  blocks.push(
    section(
      d.pending.length
        ? `*Awaiting a decision (${d.pending.length})* — oldest first\n${list(
            d.pending,
            (e) => `• ${question(e)} · waiting ${age(e.createdAt, d.until)} · expires ${slackDate(e.expiresAt)}`,
            LIST,
            ' (`/pacing pending`)',
          )}`
        : 'Nothing awaits a decision.',
    ),
  );
  if (d.expired.length) {
    blocks.push(
      section(
        `*Expired without a decision (${d.expired.length})* — nothing was done\n${list(
          d.expired,
          (e) => `• ${subject(e)} (proposed: ${PROPOSES[e.proposedAction].replace(/^an? /, '')})`,
        )}`,
      ),
    );
  }
  blocks.push(context([actionsLine(d)]));
  return withinLimits(blocks, (n) => `${n} more blocks left out.`);
}
