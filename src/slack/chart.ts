// The digest's chart: actual spend as a percentage of the plan to date, for the campaigns with the most money at
// stake, as a PNG (a Vega-Lite spec → SVG with vega → PNG with resvg). Percentages keep it currency-neutral.
import type { TopLevelSpec } from 'vega-lite';
import { formatMoney } from '../domain/money.js';
import { atStake, isOffPlan } from '../domain/overview.js';
import type { ResultRow } from '../domain/records.js';

/** How many campaigns the chart shows: more would not be readable in a Slack preview. */
export const CHART_CAMPAIGNS = 15;

/** Slack's own colours, so the chart reads like the 🟢 🟡 🔴 of the messages. */
const COLOURS = { critical: '#E01E5A', warning: '#ECB22E', healthy: '#2EB67D' };
/** Fonts tried in order; resvg takes the first one installed (DejaVu on Debian, Arial or Helvetica elsewhere). */
const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

export interface ChartOptions {
  /** When the run took place (its start), for the title. */
  runAt: string;
  /** Time zone for the title's date (PACING_TZ); UTC when not given. */
  timeZone?: string;
  /** The healthy band around the plan (percent), drawn as a shaded strip. */
  healthyVariance?: number;
  /** Campaigns shown (default CHART_CAMPAIGNS). */
  max?: number;
}

export interface ChartDatum {
  /** The plan's campaign name (its id added when two share a name), the bar's label. */
  name: string;
  /** Actual spend as a percentage of the plan to date. */
  pct: number;
  severity: 'healthy' | 'warning' | 'critical';
  /** "140% · 4,560.00 EUR over": the figure beside the bar. */
  label: string;
}

/**
 * The campaigns to draw: those with a plan to date, a spend and a severity. Off-plan ones by money at stake
 * (|actual − target|, the measure the policy ranks by — across currencies as given, there being no exchange
 * rate), then on-plan ones by their distance from the plan, up to `max`; drawn most overspent first.
 */
export function chartData(rows: readonly ResultRow[], max = CHART_CAMPAIGNS): ChartDatum[] {
  const drawable = rows.filter(
    (r) => r.severity !== null && r.targetSpend !== null && r.targetSpend > 0 && r.actualSpend !== null,
  );
  const distance = (r: ResultRow) => Math.abs((r.actualSpend ?? 0) - (r.targetSpend ?? 0));
  const picked = drawable
    .sort((a, b) => Number(isOffPlan(b)) - Number(isOffPlan(a)) || atStake(b) - atStake(a) || distance(b) - distance(a))
    .slice(0, max);
  const names = new Map<string, number>();
  for (const r of picked) names.set(baseName(r), (names.get(baseName(r)) ?? 0) + 1);
  return picked
    .map((r) => {
      const pct = Math.round(((r.actualSpend as number) / (r.targetSpend as number)) * 1000) / 10;
      const gap = (r.actualSpend as number) - (r.targetSpend as number);
      const money = formatMoney(Math.abs(gap), r.currency);
      return {
        name: (names.get(baseName(r)) ?? 0) > 1 ? `${baseName(r)} (${r.campaignId})` : baseName(r),
        pct,
        severity: r.severity as ChartDatum['severity'],
        label: isOffPlan(r) ? `${pct}% · ${money} ${gap > 0 ? 'over' : 'under'}` : `${pct}%`,
      };
    })
    .sort((a, b) => b.pct - a.pct || a.name.localeCompare(b.name));
}

const baseName = (r: ResultRow): string => r.campaignName ?? r.campaignId ?? r.platformCampaignName ?? '?';

/** "21 Nov 2026, 09:00 UTC" in the given zone. */
function runDate(iso: string, timeZone = 'UTC'): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
  return `${text} ${timeZone === 'UTC' ? 'UTC' : timeZone}`;
}

/** The Vega-Lite spec: horizontal bars with the healthy band, a rule at 100 %, and each bar's figure beside it. */
export function spendChartSpec(data: readonly ChartDatum[], opts: ChartOptions): TopLevelSpec {
  const band = opts.healthyVariance ?? 10;
  const top = Math.max(...data.map((d) => d.pct), 100);
  // A runaway campaign (1,000 %) must not flatten the rest: bars are cut at the axis end, the label tells the truth.
  const end = Math.min(300, Math.max(150, Math.ceil((top + 5) / 50) * 50));
  const barHeight = 24;
  const height = Math.max(3, data.length) * barHeight;
  const y = {
    field: 'name',
    type: 'nominal' as const,
    sort: null,
    axis: null,
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: {
      text: `Spend against plan to date · run of ${runDate(opts.runAt, opts.timeZone)}`,
      subtitle: `Actual spend as % of the plan to date, ${data.length === 1 ? 'one campaign' : `${data.length} campaigns`} with the most money at stake. Shaded: on plan (±${band}%).`,
      anchor: 'start',
      fontSize: 17,
      subtitleFontSize: 13,
      subtitleColor: '#555',
      offset: 12,
    },
    data: { values: data.map((d) => ({ ...d, shown: Math.min(d.pct, end) })) },
    hconcat: [
      {
        width: 430,
        height,
        layer: [
          {
            // Its own single datum: with the chart's data it would be drawn once per campaign, opaque.
            data: { values: [{}] },
            mark: { type: 'rect', color: COLOURS.healthy, opacity: 0.15 },
            encoding: { x: { datum: Math.max(0, 100 - band) }, x2: { datum: 100 + band } },
          },
          {
            mark: { type: 'bar', cornerRadiusEnd: 2, height: barHeight - 6 },
            encoding: {
              y: { ...y, axis: { title: null, labelLimit: 380, labelFontSize: 13, ticks: false, domain: false } },
              x: {
                field: 'shown',
                type: 'quantitative',
                scale: { domain: [0, end], nice: false },
                axis: { title: '% of plan to date', values: ticks(end), labelExpr: "datum.value + '%'", grid: true },
              },
              color: {
                field: 'severity',
                type: 'nominal',
                scale: {
                  domain: ['critical', 'warning', 'healthy'],
                  range: [COLOURS.critical, COLOURS.warning, COLOURS.healthy],
                },
                legend: { title: null, orient: 'top', direction: 'horizontal', symbolType: 'square' },
              },
            },
          },
          {
            mark: { type: 'rule', color: '#1D1C1D', strokeWidth: 1.5, strokeDash: [4, 3] },
            encoding: { x: { datum: 100 } },
          },
        ],
      },
      {
        width: 200,
        height,
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 13, color: '#1D1C1D' },
        encoding: { y, text: { field: 'label' }, x: { value: 0 } },
      },
    ],
    spacing: 6,
    config: {
      font: FONT,
      view: { stroke: null },
      axis: { labelColor: '#1D1C1D', titleColor: '#555', labelFontSize: 12, titleFontSize: 12 },
      legend: { labelFontSize: 13 },
    },
  } as TopLevelSpec;
}

const ticks = (end: number): number[] => Array.from({ length: end / 50 + 1 }, (_, i) => i * 50);

/** Alt text for the upload: what the chart shows, for screen readers and notifications. */
export function chartAltText(data: readonly ChartDatum[]): string {
  if (data.length === 0) return 'No campaign with a plan to date and a spend to chart.';
  const first = data[0] as ChartDatum;
  const last = data.at(-1) as ChartDatum;
  const count = (s: string) => data.filter((d) => d.severity === s).length;
  return `Bar chart of actual spend as a percentage of the plan to date for ${data.length} campaigns (${count('critical')} critical, ${count('warning')} warning, ${count('healthy')} healthy). Most over plan: ${first.name} at ${first.pct} %. Most under: ${last.name} at ${last.pct} %.`.slice(
    0,
    1000,
  );
}

/**
 * Renders the chart to PNG bytes, or null when there is nothing to draw. vega, vega-lite and resvg are loaded
 * here, on first use, so that CLI commands and start-up never pay for them.
 */
export async function renderSpendChart(rows: readonly ResultRow[], opts: ChartOptions): Promise<Buffer | null> {
  const data = chartData(rows, opts.max);
  if (data.length === 0) return null;
  const [vega, vl, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const spec = vl.compile(spendChartSpec(data, opts)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const png = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    // System fonts: the spec names DejaVu first (installed here) and common fallbacks after it; without any of
    // them resvg takes the first system font it finds.
    font: { loadSystemFonts: true },
  }).render();
  return png.asPng();
}
