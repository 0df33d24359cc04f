// A run's results are stored as their columns plus the rest of each row as JSON, and read back whole; rows
// stored whole by earlier versions read back the same.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePacing, runHistory } from '../../src/domain/history.js';
import type { RunSummary } from '../../src/domain/records.js';
import { Store } from '../../src/store/index.js';
import { row } from '../cli/rows.js';
import { ENGINES, useStore } from './engines.js';

const summary = {} as RunSummary;

describe.each(ENGINES)('stored results on $dialect', (engine) => {
  const s = useStore(engine);

  it('keep each field once: the columns hold the ids, action, status and spend; data the rest', async () => {
    const store = s.get();
    await store.runs.start({ id: 'run-1', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'agent' });
    const rows = [
      row({ runId: 'run-1', campaignId: 'C-1', platformCampaignId: '111', actualSpend: 9_321 }),
      row({
        runId: 'run-1',
        key: 'orphan:google:222',
        campaignId: null,
        platformCampaignId: '222',
        action: 'escalate',
      }),
    ];
    await store.runs.complete('run-1', '2026-11-20T09:00:05Z', summary, [], [], rows);
    const data = (await store.sql.all<{ data: string }>('SELECT data FROM results ORDER BY seq')).map(
      (r) => JSON.parse(r.data) as unknown[],
    );
    for (const d of data) {
      // The other fields as an array in a fixed order: no field name is written 10,000 times a run.
      expect(Array.isArray(d)).toBe(true);
      for (const value of ['C-1', 'orphan:google:222', '111', '222', 'run-1', 9_321]) expect(d).not.toContain(value);
      expect(d).toContainEqual({ metadata: 50, name: 30, freshness: 20 });
    }
    expect(await store.runs.results('run-1')).toEqual(rows);
    expect(await store.runs.latestResultFor('google', '222')).toEqual(rows[1]);
  });

  it('read every field back, each in its place (every field holds a value no other field holds)', async () => {
    const store = s.get();
    await store.runs.start({ id: 'run-3', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'agent' });
    const full = row({
      runId: 'run-3',
      line: 7,
      campaignName: 'Plan name',
      platformCampaignName: 'Platform name',
      platformStatus: 'PAUSED',
      market: 'FR',
      product: 'Boots',
      ownerSlackId: 'U0OWNER',
      currency: 'EUR',
      platformCurrency: 'USD',
      planCurrency: 'GBP',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
      matchedBy: 'pinned_id',
      confidence: 87,
      confidenceParts: { metadata: 45, name: 25, freshness: 17 },
      dataAgeHours: 1.5,
      reportingLagHours: 3,
      targetSpend: 9_400,
      targetSource: 'budget',
      budget: 15_000,
      variancePct: 12.5,
      reason: 'Overspending.',
      account: '123-456-7890',
      timeZone: 'America/Los_Angeles',
      fetchedAt: '2026-11-20T07:30:00.000Z',
      forecast: {
        dailyRunRate: 1230.69,
        projectedSpend: 113223.72,
        budget: 113309.96,
        projectedVariancePct: -0.08,
        daysLeft: 42,
        recommendedDailyBudget: 1232.74,
        basis: 'last_7_days',
      },
      rootCause: [{ code: 'spend_spike', message: 'Spend jumped.', evidence: { ratio: 3.2, note: null } }],
      mitigation: [{ cause: 'spend_spike', step: 'Check the bids.' }],
      actionNote: 'paused on google',
      pause: 'paused',
      notice: 'new',
      budgetProposal: {
        from: 1200,
        to: 1117.09,
        currency: 'EUR',
        recommended: 1100.5,
        step: true,
        applicable: true,
        reason: 'Step toward 1,100.50 EUR a day.',
        escalationId: 'esc-budget',
      },
      budgetChange: { from: 1250, to: 1150.25, status: 'changed' },
      poolEscalationId: 'esc-pool',
      explanation: {
        summary: 'Spend jumped on 2026-11-18.',
        causes: [{ text: 'A spike.', evidence: ['spend_spike'] }],
        nextStep: 'Check the bids.',
        model: 'gpt-test',
      },
      proposedAction: 'halt',
      severity: 'critical',
      zeroDelivery: true,
    });
    await store.runs.complete('run-3', '2026-11-20T09:00:05Z', summary, [], [], [full]);
    expect(await store.runs.results('run-3')).toEqual([full]);
  });

  it('read a row written as an object of its other fields (the previous format) as it was', async () => {
    const store = s.get();
    await store.runs.start({ id: 'run-4', startedAt: '2026-11-19T09:00:00Z', trigger: 'test', actor: 'agent' });
    const r = row({ runId: 'run-4' });
    const { key, campaignId, platform, platformCampaignId, action, status, escalationId, actualSpend, runId, ...rest } =
      r;
    await store.sql.run(
      `INSERT INTO results (run_id, seq, key, platform_key, campaign_id, platform, platform_campaign_id, action, status, escalation_id, actual_spend, pacing, data)
         VALUES ('run-4', 0, ?, 'google:111', ?, 'google', '111', ?, ?, NULL, ?, NULL, ?)`,
      [key, campaignId, action, status, actualSpend, JSON.stringify(rest)],
    );
    expect(await store.runs.results('run-4')).toEqual([r]);
  });

  it('read a row stored whole (before this format) as it was', async () => {
    const store = s.get();
    await store.runs.start({ id: 'run-0', startedAt: '2026-11-19T09:00:00Z', trigger: 'test', actor: 'agent' });
    const whole = row({ runId: 'run-0' });
    await store.sql.run(
      `INSERT INTO results (run_id, seq, key, platform_key, campaign_id, platform, platform_campaign_id, action, status, escalation_id, actual_spend, pacing, data)
         VALUES ('run-0', 0, ?, 'google:111', ?, 'google', '111', ?, ?, NULL, ?, NULL, ?)`,
      [whole.key, whole.campaignId, whole.action, whole.status, whole.actualSpend, JSON.stringify(whole)],
    );
    expect(await store.runs.results('run-0')).toEqual([whole]);
  });

  it("rebuild each row's run history from its pacing column instead of storing it twice", async () => {
    const store = s.get();
    await store.runs.start({ id: 'run-2', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'agent' });
    const t0 = Date.parse('2026-11-10T09:00:00Z');
    const runs = [
      { severity: 'healthy', variancePct: 3.5 },
      { severity: 'warning', variancePct: 12.25 },
      { severity: null, variancePct: null },
      { severity: 'critical', variancePct: -41 },
    ] as const;
    let pacing: string | null = null;
    runs.forEach((r, i) => {
      pacing = encodePacing(pacing, t0 + i * 86_400_000, r, 0);
    });
    const history = runHistory(runs.slice(0, -1), runs[3]);
    const rows = [row({ runId: 'run-2', history }), row({ runId: 'run-2', key: 'plan:C-2', history: null })];
    await store.runs.complete(
      'run-2',
      '2026-11-20T09:00:05Z',
      summary,
      [],
      [],
      rows,
      new Map([['plan:C-1', pacing ?? '']]),
    );
    const data = await store.sql.all<{ data: string }>('SELECT data FROM results ORDER BY seq');
    for (const d of data) expect(d.data).not.toContain('12.25');
    expect(await store.runs.results('run-2')).toEqual(rows);
    expect(history).toMatchObject({ runs: 4, offPlanRuns: 2, variances: [3.5, 12.25, null, -41] });
  });
});

describe('stored results on SQLite', () => {
  it('give the next run what the last one saw, from memory the same as from the table', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pacing-prev-')), 'prev.db');
    const store = await Store.open(file);
    await store.runs.start({ id: 'run-5', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'agent' });
    const rows = [
      row({ runId: 'run-5', campaignId: 'C-1', platformCampaignId: '111', actualSpend: 10 }),
      row({ runId: 'run-5', campaignId: 'C-2', platformCampaignId: null, actualSpend: null }),
      row({ runId: 'run-5', key: 'orphan:meta:9', campaignId: null, platform: 'meta', platformCampaignId: '9' }),
    ];
    const pacing = new Map([
      ['plan:C-1', 'x|h|1'],
      ['orphan:meta:9', 'x|c|-40'],
    ]);
    await store.transaction((tx) => tx.runs.complete('run-5', '2026-11-20T09:00:05Z', summary, [], [], rows, pacing));
    const fromMemory = await store.runs.previousRun();
    const other = await Store.open(file);
    const fromTable = await other.runs.previousRun();
    expect(fromMemory).toEqual(fromTable);
    expect([...fromTable.observations.keys()]).toEqual(['google:111', 'meta:9']);
    expect(fromTable.observations.get('google:111')).toEqual({ at: '2026-11-20T09:00:00Z', actualSpend: 10 });
    expect([...fromTable.pacing]).toEqual([...pacing]);

    // A run another process completed since is read from the table, not taken for the one remembered.
    await other.runs.start({ id: 'run-6', startedAt: '2026-11-20T10:00:00Z', trigger: 'test', actor: 'agent' });
    await other.runs.complete(
      'run-6',
      '2026-11-20T10:00:05Z',
      summary,
      [],
      [],
      [row({ runId: 'run-6', actualSpend: 99 })],
    );
    expect((await store.runs.previousRun()).observations.get('google:111')).toEqual({
      at: '2026-11-20T10:00:00Z',
      actualSpend: 99,
    });
    // A run whose write rolled back is not remembered as the latest.
    await store.runs.start({ id: 'run-7', startedAt: '2026-11-20T11:00:00Z', trigger: 'test', actor: 'agent' });
    await expect(
      store.transaction(async (tx) => {
        await tx.runs.complete(
          'run-7',
          '2026-11-20T11:00:05Z',
          summary,
          [],
          [],
          [row({ runId: 'run-7', actualSpend: 5 })],
        );
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect((await store.runs.previousRun()).observations.get('google:111')?.actualSpend).toBe(99);
    await other.close();
    await store.close();
  });
});
