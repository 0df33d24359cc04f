// `pacing report` and `--csv`: the table and the CSV as rendered, then the built CLI on the bundled fixtures (the
// grouping itself is tested in test/domain/report.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_CSV_COLUMNS, reportCsv, reportTable, STATUS_CSV_COLUMNS, statusCsv } from '../../src/cli/report.js';
import { buildReport, REPORT_BY, type ReportGroup, type ReportRow } from '../../src/domain/report.js';
import { forecast, ROWS, reportRow as result } from '../domain/report-rows.js';
import { ensureBuilt, type Outcome, pacing, pacingJson, type Workspace, workspace } from '../fakes/pacing-cli.js';

describe('rendering', () => {
  const doc = buildReport(ROWS, 'market', 'run-1');

  it('prints a table with thousands separators, unknowns as —, the foreign spend named', () => {
    const big = buildReport(
      [
        result({
          market: 'United Kingdom and Ireland',
          targetSpend: 1234567.891,
          actualSpend: 1300000,
          budget: 9500000,
          forecast: forecast(9600000),
        }),
      ],
      'market',
      'run-2',
    );
    const text = reportTable(big, { startedAt: '2026-11-20T09:00:00.000Z', results: [] });
    expect(text).toContain('1,234,567.89');
    expect(text).toContain('9,600,000.00');
    expect(text).toContain('United King…');
    expect(text).toContain('+5.30%');
    const table = reportTable(doc, { startedAt: '2026-11-20T09:00:00.000Z', results: ROWS });
    expect(table).toMatch(/^SE +— +1 +20\.00 +— +— +30\.00 +— +0\/0\/0$/m);
    expect(table).toMatch(/^— +USD +1 +— +20\.00 /m);
    expect(table).toContain('DE-4: 999.00 USD against a plan in EUR');
    for (const line of [...table.split('\n'), ...text.split('\n')]) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('fits an 80-column terminal: one space between columns, the legend wrapped', () => {
    const wide = buildReport(
      [
        result({
          market: 'Netherlands',
          targetSpend: 81350,
          actualSpend: 73606,
          budget: 131000,
          forecast: forecast(105974.25),
        }),
      ],
      'market',
      'run-3',
    );
    const text = reportTable(wide, { startedAt: '2026-11-20T09:00:00.000Z', results: [] }, 80);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).toMatch(/^Netherlands EUR +1 +81,350\.00 +73,606\.00 /m);
    expect(text.replaceAll('\n', ' ')).toContain('Amounts in different currencies are never added.');
  });

  it('says when there is no run', () => {
    expect(reportTable({ by: 'market', runId: null, groups: [] })).toBe(
      'No pacing run yet. Start one with: npx pacing run',
    );
  });

  it('writes report CSV with CRLF, a header and empty cells for null', () => {
    const text = reportCsv(doc);
    expect(text.split('\r\n')[0]).toBe(REPORT_CSV_COLUMNS.join(','));
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('\r\nSE,,1,20,,,30,,0,0,0\r\n');
    expect(text).toContain('\r\n,USD,1,,20,,,,0,0,0\r\n');
    const back = parse(text, { columns: true }) as Record<string, string>[];
    expect(back).toHaveLength(doc.groups.length);
  });

  it('writes status CSV whose awkward names come back whole, numbers plain', () => {
    const names = ['Acme, "Quoted" Q4', 'two\nlines', 'cr\rlf\r\nboth', ' padded ', '=SUM(A1)'];
    const rows = names.map((campaignName, i) =>
      result({ campaignId: `C-${i}`, campaignName, variancePct: -12.5, forecast: forecast(1e21 / 1e28, 333.3) }),
    );
    const text = statusCsv(rows);
    // Quoted, not merely readable by csv-parse (which takes a bare \n inside a CRLF file as text): RFC 4180.
    expect(text).toContain(',"Acme, ""Quoted"" Q4",');
    expect(text).toContain(',"two\nlines",');
    expect(text).toContain(',"cr\rlf\r\nboth",');
    const back = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(back[0] ?? {})).toEqual([...STATUS_CSV_COLUMNS]);
    expect(back.map((r) => r.campaignName)).toEqual(names);
    expect(back[0]).toMatchObject({
      variancePct: '-12.5',
      projectedSpend: '0.0000001',
      recommendedDailyBudget: '333.3',
      escalationId: '',
    });
  });

  it('names an orphan after its platform campaign', () => {
    const [orphan] = parse(statusCsv([ROWS[4] as ReportRow]), { columns: true }) as Record<string, string>[];
    expect(orphan).toMatchObject({ campaignId: '', campaignName: 'Acme_IT_Sandals', targetSpend: '', currency: 'EUR' });
  });
});

// ---- The built CLI on the bundled fixtures ----

interface ReportDoc {
  by: string;
  runId: string | null;
  groups: ReportGroup[];
}
interface StatusRow {
  campaignId: string | null;
  campaignName: string | null;
  platformCampaignName: string | null;
  platformCampaignId: string | null;
  market: string | null;
  currency: string | null;
  planCurrency: string | null;
  platformCurrency: string | null;
  targetSpend: number | null;
  actualSpend: number | null;
  variancePct: number | null;
  confidence: number;
}

interface StatusDoc {
  runId: string;
  results: StatusRow[];
}

const AWKWARD = 'Acme, "UK" Football\nBlack Friday';

describe('pacing report and --csv, end to end', () => {
  let demo: Workspace;
  let names: Workspace;
  let empty: Workspace;
  let status: StatusDoc;

  beforeAll(async () => {
    await ensureBuilt();
    demo = workspace();
    names = workspace();
    empty = workspace();
    // ACM-G-007 is matched by its platform id, so a name full of CSV's special characters still pairs.
    const tracker = join(names.dataDir, 'tracker.csv');
    writeFileSync(
      tracker,
      readFileSync(tracker, 'utf8').replace(
        'ACM-G-007,Acme_UK_Football_BlackFriday_Q4,',
        `ACM-G-007,"${AWKWARD.replaceAll('"', '""')}",`,
      ),
    );
    const runs = await Promise.all([pacing(demo, ['run', '--json']), pacing(names, ['run', '--json'])]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    status = await pacingJson<StatusDoc>(demo, ['status']);
  }, 60_000);
  afterAll(() => {
    for (const ws of [demo, names, empty]) ws?.cleanup();
  });

  it('report --by market --json: SPEC keys per group, UK in GBP and US in USD apart', async () => {
    const doc = await pacingJson<ReportDoc>(demo, ['report', '--by', 'market']);
    expect(doc.by).toBe('market');
    expect(doc.runId).toBe(status.runId);
    for (const g of doc.groups) {
      expect(Object.keys(g).sort()).toEqual([...REPORT_CSV_COLUMNS].sort());
    }
    const uk = doc.groups.filter((g) => g.key === 'UK');
    const us = doc.groups.filter((g) => g.key === 'US');
    expect(uk.map((g) => g.currency)).toEqual(['GBP']);
    expect(us.map((g) => g.currency)).toEqual(['USD']);
    // The totals are the status rows' sums, market by market (orphans and rows without a currency included).
    for (const g of doc.groups) {
      const rows = status.results.filter(
        (r) => r.market === g.key && (r.planCurrency ?? r.platformCurrency ?? r.currency) === g.currency,
      );
      expect(g.campaigns).toBe(rows.length);
      const target = rows.filter((r) => r.targetSpend !== null);
      // SPEC's contract: a group whose rows have no target sums to 0 in the JSON.
      expect(g.targetSpend).toBe(target.reduce((s, r) => s + (r.targetSpend ?? 0), 0));
    }
    expect(doc.groups.reduce((n, g) => n + g.campaigns, 0)).toBe(status.results.length);
    // The GBP spend of the UK and the USD spend of the US are never in one figure.
    const ukActual = status.results.filter((r) => r.market === 'UK').reduce((s, r) => s + (r.actualSpend ?? 0), 0);
    expect(uk[0]?.actualSpend).toBe(ukActual);
    // The demo's EUR plan run from a USD account (ACM-M-001, FR) keeps its USD spend out of FR's EUR total.
    const fr = status.results.filter((r) => r.market === 'FR' && r.platformCurrency === 'EUR');
    expect(doc.groups.find((g) => g.key === 'FR')?.actualSpend).toBe(fr.reduce((s, r) => s + (r.actualSpend ?? 0), 0));
  });

  it('report --by platform keeps google EUR, GBP and USD apart', async () => {
    const doc = await pacingJson<ReportDoc>(demo, ['report', '--by', 'platform']);
    expect(doc.groups.filter((g) => g.key === 'google').map((g) => g.currency)).toEqual(['EUR', 'GBP', 'USD']);
  });

  it('report prints a table that fits 100 columns', async () => {
    const out = await pacing(demo, ['report']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^MARKET +CUR +CAMPS +TARGET +ACTUAL +VARIANCE +BUDGET +PROJECTED +C\/W\/H$/m);
    expect(out.stdout).toMatch(/^UK +GBP +4 +18,800\.00 /m);
    for (const line of out.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('report --csv parses back to the JSON figures', async () => {
    const [json, csv] = await Promise.all([
      pacingJson<ReportDoc>(demo, ['report', '--by', 'owner']),
      pacing(demo, ['report', '--by', 'owner', '--csv']),
    ]);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(REPORT_CSV_COLUMNS.join(','));
    const back = parse(csv.stdout, { columns: true, cast: false }) as Record<string, string>[];
    const asText = (v: unknown) => (v === null ? '' : String(v));
    // JSON's contract sums an unknown amount to 0; CSV leaves it empty (then the group has no variance either).
    const unknown = (c: string, r: Record<string, string> | undefined) =>
      (c === 'targetSpend' || c === 'actualSpend') && r?.[c] === '' && r.variancePct === '';
    expect(back).toEqual(
      json.groups.map((g, i) =>
        Object.fromEntries(REPORT_CSV_COLUMNS.map((c) => [c, unknown(c, back[i]) && g[c] === 0 ? '' : asText(g[c])])),
      ),
    );
  });

  it('status --csv: one record per result, names with comma, quote and newline intact', async () => {
    const [json, csv] = await Promise.all([
      pacingJson<StatusDoc>(names, ['status']),
      pacing(names, ['status', '--csv']),
    ]);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toBe('');
    const back = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(back[0] ?? {})).toEqual([...STATUS_CSV_COLUMNS]);
    expect(back).toHaveLength(json.results.length);
    expect(back.find((r) => r.campaignId === 'ACM-G-007')?.campaignName).toBe(AWKWARD);
    expect(csv.stdout).toContain(`,"${AWKWARD.replaceAll('"', '""')}",`);
    back.forEach((r, i) => {
      const j = json.results[i] as StatusRow;
      expect(r.campaignId).toBe(j.campaignId ?? '');
      expect(r.campaignName).toBe(j.campaignName ?? j.platformCampaignName ?? '');
      expect(r.actualSpend).toBe(j.actualSpend === null ? '' : String(j.actualSpend));
      expect(r.variancePct).toBe(j.variancePct === null ? '' : String(j.variancePct));
      expect(r.confidence).toBe(String(j.confidence));
    });
  });

  it('report --csv leaves an unknown amount empty where --json says 0', async () => {
    const [doc, out] = await Promise.all([
      pacingJson<ReportDoc>(demo, ['report', '--by', 'owner']),
      pacing(demo, ['report', '--by', 'owner', '--csv']),
    ]);
    const records = parse(out.stdout, { columns: true }) as Record<string, string>[];
    // The row with no platform spend at all (ACM-M-007, owner U05NOSOC05): unknown, not "nothing spent".
    const unknown = records.find((r) => r.key === 'U05NOSOC05');
    expect(unknown?.actualSpend).toBe('');
    expect(doc.groups.find((g) => g.key === 'U05NOSOC05')?.actualSpend).toBe(0);
    // Known amounts stay as they are.
    const known = records.find((r) => r.key === 'U04NLBUY04');
    expect(known?.actualSpend).toBe('15960');
  });

  it('report --by nonsense is a usage error listing the valid groupings', async () => {
    const out = await pacing(demo, ['report', '--by', 'nonsense']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`--by takes one of ${REPORT_BY.join(', ')}`);
  });

  it.each([
    [['report', '--json', '--csv'], '--json and --csv do not go together'],
    [['audit', '--csv'], '--csv is for status and report'],
    [['status', '--by', 'market'], '--by is for report'],
  ])('%j is a usage error', async (args, message) => {
    const out = await pacing(demo, args);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(message);
  });

  it('before any run: a hint, an empty document, a header alone', async () => {
    const [table, json, csv, statusCsvOut] = await Promise.all([
      pacing(empty, ['report']),
      pacingJson<ReportDoc>(empty, ['report', '--by', 'product']),
      pacing(empty, ['report', '--csv']),
      pacing(empty, ['status', '--csv']),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout.trim()).toBe('No pacing run yet. Start one with: npx pacing run');
    expect(json).toEqual({ by: 'product', runId: null, groups: [] });
    expect(csv.stdout).toBe(`${REPORT_CSV_COLUMNS.join(',')}\r\n`);
    expect(statusCsvOut.stdout).toBe(`${STATUS_CSV_COLUMNS.join(',')}\r\n`);
    for (const o of [csv, statusCsvOut] as Outcome[]) expect(o.code).toBe(0);
  });
});
