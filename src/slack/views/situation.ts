// What every card about one campaign says first (SPEC, Slack surface): which campaign, how much money is at stake
// and where the flight ends at this rate, who owns it, where to open it, and how sure the agent is.

import { formatMoney, formatPct } from '../../domain/money.js';
import type { ResultRow } from '../../domain/records.js';
import { standsPaused, tooEarlyToJudge } from '../../domain/standing.js';
import { esc, platformName, slackDate } from './blocks.js';

type Row = Omit<ResultRow, 'runId' | 'status' | 'escalationId' | 'actionNote' | 'pause'> &
  Partial<Pick<ResultRow, 'actionNote' | 'pause' | 'runId' | 'escalationId' | 'status'>>;

/** The plan's name for the campaign (the id when the plan gave none); an orphan is the platform's name. */
export function displayName(
  r: Pick<Row, 'campaignId' | 'campaignName' | 'platformCampaignName' | 'platformCampaignId'>,
): string {
  return r.campaignName ?? r.campaignId ?? r.platformCampaignName ?? r.platformCampaignId ?? 'unnamed campaign';
}

/** The id people search the tracker or the platform by, shown beside the name. */
export function idLine(r: Pick<Row, 'campaignId' | 'campaignName' | 'platform' | 'platformCampaignId'>): string {
  const ids = [
    r.campaignId && r.campaignName ? r.campaignId : null,
    r.platformCampaignId ? `${platformName(r.platform)} ${r.platformCampaignId}` : platformName(r.platform),
  ].filter(Boolean);
  return ids.join(' · ');
}

const currencyOf = (r: Row): string | null => r.platformCurrency ?? r.currency;

/** "4,560.00 EUR" — money as everywhere in the app; a value without a known currency says so. */
export const money = (value: number | null, currency: string | null): string =>
  value === null ? '—' : currency ? formatMoney(value, esc(currency)) : `${formatMoney(value)} (currency unknown)`;

/** Over or under plan, from the variance's sign. */
export const direction = (r: Pick<Row, 'variancePct' | 'actualSpend' | 'targetSpend'>): 'over' | 'under' | null => {
  if (r.variancePct !== null) return r.variancePct > 0 ? 'over' : r.variancePct < 0 ? 'under' : null;
  if (r.actualSpend !== null && r.targetSpend !== null)
    return r.actualSpend > r.targetSpend ? 'over' : r.actualSpend < r.targetSpend ? 'under' : null;
  return null;
};

/** |actual − target| in the row's currency, or null when the two cannot be compared. */
export function atStake(r: Pick<Row, 'actualSpend' | 'targetSpend' | 'variancePct'>): number | null {
  if (r.actualSpend === null || r.targetSpend === null || r.variancePct === null) return null;
  return Math.abs(r.actualSpend - r.targetSpend);
}

/** The first line of every card: the money at stake, in words a buyer reads at a glance. */
export function stakeLine(r: Row): string {
  const cur = currencyOf(r);
  if (r.campaignId === null) return `*${money(r.actualSpend, cur)} spent with no plan* on ${platformName(r.platform)}.`;
  if (r.actualSpend === null)
    return `*No spend found* on ${platformName(r.platform)} for ${money(r.targetSpend, r.currency)} planned to date.`;
  if (r.planCurrency && r.platformCurrency && r.planCurrency !== r.platformCurrency)
    return `*Plan in ${esc(r.planCurrency)}, ${platformName(r.platform)} reports ${esc(r.platformCurrency)}*: ${money(r.actualSpend, r.platformCurrency)} spent against ${money(r.targetSpend, r.planCurrency)} planned, not compared.`;
  if (r.zeroDelivery) return `*Nothing spent* against ${money(r.targetSpend, r.currency)} planned to date.`;
  const stake = atStake(r);
  const dir = direction(r);
  const head =
    stake === null || dir === null ? `*On plan*` : `*${money(stake, cur)} ${dir} plan* (${formatPct(r.variancePct)})`;
  return `${head}: ${money(r.actualSpend, cur)} spent of ${money(r.targetSpend, r.currency)} planned to date.`;
}

/** Where the flight ends at this rate (when there is a forecast), and what lands it on budget. */
export function forecastLine(r: Row): string | null {
  const f = r.forecast;
  if (!f) return null;
  const cur = currencyOf(r);
  const gap = f.projectedSpend - f.budget;
  const by = r.endDate ? ` by ${slackDate(`${r.endDate}T23:59:59Z`, '{date_short}')}` : '';
  // Paused, it spends no more: "at this rate" would describe a campaign that is not running.
  if (standsPaused(r))
    return `Paused, it ends at its spend so far: *${money(f.projectedSpend, cur)}* of its ${money(f.budget, r.currency)} budget (${formatPct(f.projectedVariancePct)}) unless it is resumed.`;
  if (tooEarlyToJudge(r))
    return `Too early for a forecast: the flight has only just started.${f.daysLeft > 0 ? ` To land on its ${money(f.budget, r.currency)} budget: ${money(f.recommendedDailyBudget, cur)} a day for the ${f.daysLeft} days left.` : ''}`;
  const land =
    f.daysLeft > 0 && Math.abs(f.projectedVariancePct) >= 1
      ? ` To land on budget: ${money(f.recommendedDailyBudget, cur)} a day for the ${f.daysLeft} days left.`
      : '';
  if (Math.abs(f.projectedVariancePct) < 1)
    return `At this rate it ends on its ${money(f.budget, r.currency)} budget${by}.`;
  return `At this rate *${money(Math.abs(gap), cur)} ${gap > 0 ? 'over' : 'under'}* its ${money(f.budget, r.currency)} budget${by}.${land}`;
}

/**
 * A link to the campaign in the platform's own UI, for live campaigns (fixture campaigns have no account).
 * Google Ads: `https://ads.google.com/aw/campaigns?campaignId=<id>&__e=<customer id>` (the customer id without
 * dashes selects the account). Meta: `https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=<ad account
 * id>&selected_campaign_ids=<id>` (the account id without its `act_` prefix).
 */
export function platformUrl(r: Pick<Row, 'platform' | 'account' | 'platformCampaignId'>): string | null {
  if (!r.account || !r.platformCampaignId) return null;
  const id = encodeURIComponent(r.platformCampaignId);
  if (r.platform === 'google') {
    const customer = encodeURIComponent(r.account.replaceAll('-', ''));
    return `https://ads.google.com/aw/campaigns?campaignId=${id}&__e=${customer}`;
  }
  if (r.platform === 'meta') {
    const act = encodeURIComponent(r.account.replace(/^act_/, ''));
    return `https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=${act}&selected_campaign_ids=${id}`;
  }
  return null;
}

export function platformLink(r: Pick<Row, 'platform' | 'account' | 'platformCampaignId'>): string | null {
  const url = platformUrl(r);
  if (!url) return null;
  return `<${url}|Open in ${r.platform === 'meta' ? 'Ads Manager' : platformName(r.platform)}>`;
}

export const ownerMention = (r: Pick<Row, 'ownerSlackId'>): string | null =>
  r.ownerSlackId ? `<@${r.ownerSlackId}>` : null;

/** The context line: where it runs, how sure the agent is and why (the arithmetic lives here, not the headline). */
export function detailsContext(r: Row): string[] {
  const p = r.confidenceParts;
  const age =
    r.dataAgeHours === null
      ? ''
      : ` · data ${formatAge(r.dataAgeHours)} old${r.reportingLagHours ? `, spend reported up to ${formatAge(r.reportingLagHours)} late` : ''}`;
  const where = [
    idLine(r),
    [r.market, r.product]
      .filter(Boolean)
      .map((x) => esc(String(x)))
      .join(' / '),
  ]
    .filter(Boolean)
    .join(' · ');
  const link = platformLink(r);
  // Without a match (unplanned spend, a plan row with no campaign) there is nothing to be confident about.
  const matched = r.campaignId !== null && r.platformCampaignId !== null;
  return [
    `${esc(where)}${link ? ` · ${link}` : ''}`,
    ...(matched
      ? [`Confidence *${r.confidence}* (metadata ${p.metadata} · name ${p.name} · freshness ${p.freshness})${age}`]
      : age
        ? [age.slice(3)]
        : []),
  ];
}

/** "3 h", "2 d 5 h" — an age a person reads at once. */
export function formatAge(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  const d = Math.floor(hours / 24);
  const h = Math.round(hours - d * 24);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** Root causes, each once, leaving out what the card already says (the action note). */
export function causeLines(r: Row, already: readonly string[] = []): string[] {
  const seen = new Set(already.map((s) => norm(s)));
  const out: string[] = [];
  const mismatch = r.planCurrency && r.platformCurrency && r.planCurrency !== r.platformCurrency;
  for (const c of r.rootCause) {
    // Said already by the first lines: the forecast, and a currency mismatch.
    if (c.code === 'forecast_miss' && r.forecast) continue;
    if (c.code === 'currency_mismatch' && mismatch) continue;
    const k = norm(c.message);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(`• ${esc(c.message)}`);
  }
  return out;
}

/** Mitigation steps, each once. */
export function stepLines(r: Row, skip = 0): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of r.mitigation.slice(skip)) {
    if (seen.has(m.step)) continue;
    seen.add(m.step);
    out.push(`• ${esc(m.step)}`);
  }
  return out;
}

const norm = (s: string): string => s.trim().replace(/\.+$/, '').toLowerCase();
