// A run's results are stored as their columns plus the rest of each row as JSON, and read back whole; rows
// stored whole by earlier versions read back the same.
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/domain/records.js';
import { Store } from '../../src/store/index.js';
import { row } from '../cli/rows.js';

const summary = {} as RunSummary;

describe('stored results', () => {
  it('keep each field once: the columns hold the ids, action, status and spend; data the rest', () => {
    const store = Store.open(':memory:');
    store.runs.start({ id: 'run-1', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'agent' });
    const rows = [
      row({ runId: 'run-1', campaignId: 'C-1', platformCampaignId: '111', actualSpend: 9_500 }),
      row({
        runId: 'run-1',
        key: 'orphan:google:222',
        campaignId: null,
        platformCampaignId: '222',
        action: 'escalate',
      }),
    ];
    store.runs.complete('run-1', '2026-11-20T09:00:05Z', summary, [], [], rows);
    const data = (store.db.prepare('SELECT data FROM results ORDER BY seq').all() as { data: string }[]).map(
      (r) => JSON.parse(r.data) as Record<string, unknown>,
    );
    for (const d of data) {
      for (const field of ['key', 'campaignId', 'platform', 'platformCampaignId', 'action', 'status', 'runId'])
        expect(d, field).not.toHaveProperty(field);
      expect(d).toHaveProperty('confidenceParts');
    }
    expect(store.runs.results('run-1')).toEqual(rows);
    expect(store.runs.latestResultFor('google', '222')).toEqual(rows[1]);
    store.close();
  });

  it('read a row stored whole (before this format) as it was', () => {
    const store = Store.open(':memory:');
    store.runs.start({ id: 'run-0', startedAt: '2026-11-19T09:00:00Z', trigger: 'test', actor: 'agent' });
    const whole = row({ runId: 'run-0' });
    store.db
      .prepare(
        `INSERT INTO results (run_id, seq, key, platform_key, campaign_id, platform, platform_campaign_id, action, status, escalation_id, actual_spend, pacing, data)
         VALUES ('run-0', 0, ?, 'google:111', ?, 'google', '111', ?, ?, NULL, ?, NULL, ?)`,
      )
      .run(whole.key, whole.campaignId, whole.action, whole.status, whole.actualSpend, JSON.stringify(whole));
    expect(store.runs.results('run-0')).toEqual([whole]);
    store.close();
  });
});
