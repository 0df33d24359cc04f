// Small Block Kit builders that respect Slack's limits, so no message is refused as invalid_blocks.
import type { types } from '@slack/bolt';
import type { ResultRow } from '../../agent/ports.js';
import { formatMoney, formatPct } from '../../domain/money.js';
import { standsPaused } from '../../domain/standing.js';

export type Block = types.KnownBlock;

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  context: 10,
};

export const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Escapes for mrkdwn, then clips to `n` characters without cutting an escape sequence in half. */
export function escClip(s: string, n: number): string {
  const whole = esc(s);
  if (whole.length <= n) return whole;
  let out = '';
  for (const ch of s) {
    const x = esc(ch);
    if (out.length + x.length > n - 1) break;
    out += x;
  }
  return `${out}…`;
}

export const header = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: clip(text, LIMITS.header), emoji: true },
});

export const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) },
});

export const fields = (items: string[]): Block => ({
  type: 'section',
  fields: items.slice(0, LIMITS.fields).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.field) })),
});

export const context = (items: string[]): Block => ({
  type: 'context',
  elements: items.slice(0, LIMITS.context).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.sectionText) })),
});

export const divider = (): Block => ({ type: 'divider' });

/** Keeps a message within Slack's 50-block limit, saying what was left out. */
export function withinLimits(blocks: Block[], more: (hidden: number) => string, max = LIMITS.blocks): Block[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  return [...kept, context([more(blocks.length - kept.length)])];
}

export const campaignName = (
  r: Pick<ResultRow, 'campaignId' | 'campaignName' | 'platformCampaignName' | 'platformCampaignId'>,
): string =>
  r.campaignId
    ? `${r.campaignId}${r.campaignName ? ` · ${r.campaignName}` : ''}`
    : `Orphan ${r.platformCampaignName ?? r.platformCampaignId}`;

export const platformName = (p: string): string => (p === 'google' ? 'Google Ads' : p === 'meta' ? 'Meta' : p);

const SEVERITY_ICON: Record<string, string> = {
  healthy: ':large_green_circle:',
  warning: ':large_yellow_circle:',
  critical: ':red_circle:',
};
export const severityIcon = (s: string | null): string => (s ? (SEVERITY_ICON[s] ?? '') : ':white_circle:');

/** The numbers every pacing message shows, as section fields. */
export function numbers(r: ResultRow): Block {
  return fields([
    `*Platform*\n${platformName(r.platform)}${r.platformCampaignId ? ` · ${esc(r.platformCampaignId)}` : ''}`,
    `*Market / product*\n${esc(r.market ?? '—')} / ${esc(r.product ?? '—')}`,
    `*Target to date*\n${formatMoney(r.targetSpend, r.currency)}`,
    `*Actual*\n${formatMoney(r.actualSpend, r.platformCurrency ?? r.currency)}`,
    `*Variance*\n${severityIcon(r.severity)} ${formatPct(r.variancePct)}${r.severity ? ` (${r.severity})` : ''}${r.zeroDelivery ? ' · zero delivery' : ''}`,
    `*Confidence*\n${r.confidence} of 100`,
    ...(r.forecast ? [forecastField(r)] : []),
  ]);
}

/** Where the flight ends at this rate, and the daily budget that lands it on budget. */
function forecastField(r: ResultRow): string {
  const f = r.forecast as NonNullable<ResultRow['forecast']>;
  const cur = r.platformCurrency ?? r.currency;
  const land =
    f.daysLeft > 0
      ? `\nto land on budget: ${formatMoney(f.recommendedDailyBudget, cur)} a day for ${f.daysLeft} days`
      : '';
  if (standsPaused(r))
    return `*Forecast*\npaused: ends at its spend so far, ${formatMoney(f.projectedSpend, cur)} against ${formatMoney(f.budget, r.currency)} (${formatPct(f.projectedVariancePct)})`;
  return `*Forecast*\nends at ${formatMoney(f.projectedSpend, cur)} against ${formatMoney(f.budget, r.currency)} (${formatPct(f.projectedVariancePct)})${land}`;
}

/** Root causes and mitigations as two sections (empty for healthy rows). */
export function explanation(r: ResultRow): Block[] {
  const out: Block[] = [];
  if (r.rootCause.length)
    out.push(section(`*Root cause*\n${r.rootCause.map((c) => `• ${esc(c.message)}`).join('\n')}`));
  if (r.mitigation.length) out.push(section(`*Mitigation*\n${r.mitigation.map((m) => `• ${esc(m.step)}`).join('\n')}`));
  return out;
}

/**
 * A time as a Slack date token: each reader sees it in their own time zone ("Nov 21 at 9:00 AM"); clients that
 * cannot render tokens show the fallback (UTC, minutes). `format` uses Slack's tokens, e.g. `{date_short_pretty}`.
 */
export function slackDate(iso: string | null | undefined, format = '{date_short_pretty} at {time}'): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return esc(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

/**
 * What every message must say when it is not about real money being acted on: demo data from fixture files, or
 * a dry run that paused nothing. Null for live data acted on for real.
 */
export function modeNote(mode: { demo: readonly string[]; dryRun: readonly string[] }): string | null {
  const notes: string[] = [];
  if (mode.demo.length)
    notes.push(
      `:test_tube: *Demo data* (fixture files${mode.dryRun.length || mode.demo.length < 2 ? ` for ${mode.demo.map(platformName).join(' and ')}` : ''}): no real ad account was read or changed`,
    );
  if (mode.dryRun.length) notes.push(':test_tube: *Dry run — nothing was paused* (PACING_MODE=dry-run)');
  return notes.length ? notes.join(' · ') : null;
}

/**
 * The message with `note` in its context line (a context block added at the end when it has none). Said once:
 * a message edited later (an escalation decided, a campaign resumed) keeps one note.
 */
export function withNote(blocks: readonly Block[], note: string | null): Block[] {
  if (!note || JSON.stringify(blocks).includes(JSON.stringify(note).slice(1, -1))) return [...blocks];
  const at = blocks.findLastIndex((b) => b.type === 'context');
  const last = blocks[at];
  if (last?.type === 'context' && last.elements.length < LIMITS.context) {
    const out = [...blocks];
    out[at] = { ...last, elements: [...last.elements, { type: 'mrkdwn', text: note }] };
    return out;
  }
  // A message already at Slack's 50 blocks gives up its last one: the note matters more than a 50th line.
  return [...blocks.slice(0, LIMITS.blocks - 1), context([note])];
}

/** The note without its mrkdwn, for a notification's plain text. */
export const plainNote = (note: string): string => note.replace(/:[a-z_]+: /g, '').replaceAll('*', '');
