// The digest's chart over a real fixture run: which campaigns it draws and how (the Vega-Lite spec), and that it
// renders to a real PNG with vega + resvg; vega, vega-lite and resvg are loaded only when a chart is drawn.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRow } from '../../src/domain/records.js';
import { CHART_CAMPAIGNS, chartAltText, chartData, renderSpendChart, spendChartSpec } from '../../src/slack/chart.js';
import { RecordingNotifier } from '../fakes/platform.js';
import { type FixtureWorld, fixtureWorld, NOW } from './fixture-app.js';

let world: FixtureWorld;
let rows: ResultRow[];
const RUN_AT = new Date(NOW).toISOString();

beforeAll(async () => {
  world = fixtureWorld();
  rows = (await (await world.open(new RecordingNotifier())).agent.run('test')).results;
});
afterAll(() => world?.cleanup());

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Many campaigns of a made-up run: i-th overspends by i %, in three currencies. */
function many(n: number): ResultRow[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(rows.find((r) => r.campaignId === 'ACM-G-004') as ResultRow),
    key: `plan:X-${i}`,
    campaignId: `X-${i}`,
    campaignName: `Campaign ${i}`,
    currency: ['EUR', 'GBP', 'USD'][i % 3] as string,
    targetSpend: 1000,
    actualSpend: 1000 + i * 10,
    variancePct: i,
    severity: i > 25 ? 'critical' : i > 10 ? 'warning' : 'healthy',
  }));
}

describe('chartData', () => {
  it('draws the campaigns with a plan and a spend, as % of plan, most overspent first, named by the plan', () => {
    const data = chartData(rows);
    // 21 rows: the orphan, the missing campaigns and the currency mismatch have no variance to draw; of the 17
    // left, the chart keeps the CHART_CAMPAIGNS with the most money at stake.
    expect(data).toHaveLength(CHART_CAMPAIGNS);
    expect(data[0]).toEqual({
      name: 'Acme_NL_Outdoor_Awareness_Q4',
      pct: 140,
      severity: 'critical',
      label: '140% · 4,560.00 EUR over',
    });
    expect(data.find((d) => d.name === 'ACME | DE | Sneakers | Retargeting')).toMatchObject({
      pct: 0,
      label: '0% · 2,400.00 EUR under',
    });
    // On plan: just the percentage.
    expect(data.find((d) => d.severity === 'healthy')?.label).toMatch(/^\d+(\.\d)?%$/);
    const pcts = data.map((d) => d.pct);
    expect(pcts).toEqual([...pcts].sort((a, b) => b - a));
  });

  it('keeps the campaigns with the most money at stake, off-plan ones before on-plan ones', () => {
    const data = chartData(many(40));
    expect(data).toHaveLength(CHART_CAMPAIGNS);
    // 14 critical (26–39 %) are at stake; then warnings by money (25 %…): healthy ones do not make the cut.
    expect(data.filter((d) => d.severity === 'critical')).toHaveLength(14);
    expect(data.map((d) => d.name)).toContain('Campaign 25');
    expect(data.some((d) => d.severity === 'healthy')).toBe(false);
    expect(chartData([])).toEqual([]);
  });

  it('tells campaigns that share a name apart by their plan id', () => {
    const twins = many(2).map((r) => ({ ...r, campaignName: 'Same name' }));
    expect(chartData(twins).map((d) => d.name)).toEqual(['Same name (X-1)', 'Same name (X-0)']);
  });
});

describe('spendChartSpec', () => {
  it('horizontal bars coloured by severity, a rule at 100 %, the healthy band, the run date in the title', () => {
    const spec = spendChartSpec(chartData(rows), {
      runAt: RUN_AT,
      timeZone: 'Europe/Amsterdam',
      healthyVariance: 10,
    }) as unknown as Record<string, unknown>;
    const json = JSON.stringify(spec);
    expect((spec.title as { text: string }).text).toBe(
      'Spend against plan to date · run of 20 Nov 2026, 10:00 Europe/Amsterdam',
    );
    expect(json).toContain('"type":"rule"');
    expect(json).toContain('"datum":100');
    expect(json).toContain('"datum":90');
    expect(json).toContain('"datum":110');
    expect(json).toContain('"domain":["critical","warning","healthy"]');
    // Currency-neutral: the axis is a percentage of plan; money appears only in each bar's label.
    expect(json).toContain('"field":"shown"');
    expect(json).toContain('"title":"% of plan to date"');
    // A runaway campaign does not flatten the others: the axis stops at 300 %.
    const runaway = spendChartSpec([{ name: 'A', pct: 1200, severity: 'critical', label: '1200%' }], {
      runAt: RUN_AT,
    });
    expect(JSON.stringify(runaway)).toContain('"domain":[0,300]');
  });

  it('alt text says what the chart shows', () => {
    expect(chartAltText(chartData(rows))).toMatch(
      /^Bar chart of actual spend as a percentage of the plan to date for 15 campaigns \(5 critical, 6 warning, 4 healthy\)\. Most over plan: Acme_NL_Outdoor_Awareness_Q4 at 140 %/,
    );
  });
});

describe('renderSpendChart', () => {
  it('renders a real PNG of a sane size', async () => {
    const png = await renderSpendChart(rows, { runAt: RUN_AT, healthyVariance: 10 });
    if (!png) throw new Error('no chart');
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    const { width, height } = pngSize(png);
    // Drawn at twice its CSS size, for sharp text in Slack's preview: about 1,900 × 900 for 15 bars.
    expect(width).toBeGreaterThan(1_200);
    expect(width).toBeLessThan(2_600);
    expect(height).toBeGreaterThan(500);
    expect(height).toBeLessThan(1_400);
    expect(png.length).toBeGreaterThan(20_000); // bars and text, not a blank page
    expect(png.length).toBeLessThan(1_000_000);
    // More campaigns make a taller chart, never a wider one.
    const shorter = await renderSpendChart(many(8), { runAt: RUN_AT });
    expect(pngSize(shorter as Buffer).height).toBeLessThan(height);
  });

  it('draws nothing when no campaign has a plan and a spend', async () => {
    expect(await renderSpendChart([], { runAt: RUN_AT })).toBeNull();
  });

  it('loads vega, vega-lite and resvg only inside the render function', () => {
    const source = readFileSync(new URL('../../src/slack/chart.ts', import.meta.url), 'utf8');
    const staticImports = source.split('\n').filter((l) => /^import (?!type )/.test(l));
    expect(staticImports.filter((l) => /vega|resvg/.test(l))).toEqual([]);
    expect(source).toContain("import('vega')");
    expect(source).toContain("import('@resvg/resvg-js')");
  });
});
