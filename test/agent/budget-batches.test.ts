// A batch of budget changes stands for each change only while it stands (SPEC, Steering budgets: approving applies
// every change still standing): a later run takes a member whose change no longer stands out of its open question —
// a flight back on course, or a pool member being paused now (a pause and a budget change never fight) — so that
// approving leaves it alone. The bundled fixtures on a real SQLite file, the agent as the app wires it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEscalation } from '../../src/agent/effects/index.js';
import { budgetKey } from '../../src/agent/steer.js';
import { loadConfig } from '../../src/config.js';
import { memberOf } from '../../src/domain/batches.js';
import type { Escalation, ResultRow } from '../../src/domain/records.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { RecordingNotifier } from '../fakes/platform.js';

// ACM-G-007: 1,200.00 GBP a day, ends 31.2 % over. ACM-G-022: a member of the DE Boots pool, 420.00 EUR a day.
const G007 = '21098765432';
const G022 = '20512340022';

let dir: string;
let notifier: RecordingNotifier;
const open = (env: Record<string, string>): Promise<App> =>
  createApp(
    loadConfig({ PACING_DATA_DIR: join(dir, 'data'), PACING_DB: join(dir, 'p.db'), PACING_NOW: NOW, ...env }),
    notifier,
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-budget-batches-'));
  cpSync(FIXTURES, join(dir, 'data'), { recursive: true });
  notifier = new RecordingNotifier();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What the Google fixture reports a campaign spent so far, as time passes between runs (the change, today's). */
function reportSpend(platformCampaignId: string, spend: number): void {
  const file = join(dir, 'data', 'google.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { campaigns: Record<string, unknown>[] };
  const c = doc.campaigns.find((x) => x.id === platformCampaignId) as Record<string, unknown>;
  const daily = c.daily as { date: string; spend: number }[] | undefined;
  const today = daily?.at(-1);
  if (today) today.spend += spend - (c.spend as number);
  c.spend = spend;
  writeFileSync(file, JSON.stringify(doc));
}

const standing = (e: Escalation | null) => (e?.batch?.members ?? []).filter((m) => !m.dropped).map((m) => m.campaignId);

describe("a pool's question and what people said", () => {
  it('a pool whose rebalance a person rejected is not asked about again within HUMAN_DECISION_HOURS', async () => {
    const app = await open({ BUDGET_ACTIONS: 'ask' });
    try {
      await app.agent.run('test');
      const pool = (await app.agent.pending()).find((e) => e.batch?.kind === 'pool');
      await app.agent.decide(pool?.id as string, 'overridden', 'U1', 'planned', 'cli');
      const again = await app.agent.run('test');
      expect((await app.agent.pending()).filter((e) => e.batch?.kind === 'pool')).toEqual([]);
      expect(again.summary.pools?.[0]?.note).toMatch(/Held: ACM-G-020 \(a change was rejected by U1\)/);
    } finally {
      await app.close();
    }
  });

  it('an approved rebalance is not asked again for 24 h; a restored member stays as the person put it', async () => {
    const app = await open({ BUDGET_ACTIONS: 'ask' });
    try {
      await app.agent.run('test');
      const pool = (await app.agent.pending()).find((e) => e.batch?.kind === 'pool');
      await app.agent.decide(pool?.id as string, 'approved', 'U1', null, 'cli');
      await app.agent.restoreBudget({ campaignId: 'ACM-G-022' }, 'U2', 'cli');
      const again = await app.agent.run('test');
      expect((await app.agent.pending()).filter((e) => e.batch?.kind === 'pool')).toEqual([]);
      const note = again.summary.pools?.[0]?.note ?? '';
      expect(note).toMatch(/ACM-G-022 \(restored by U2\)/);
      expect(note).toMatch(/ACM-G-020 \(changed at /);
    } finally {
      await app.close();
    }
  });
});

describe('restore-budget on a campaign in an open batch', () => {
  it('takes the campaign out of the batch, so approving it cannot undo the restore; an emptied batch is closed', async () => {
    const app = await open({ BUDGET_ACTIONS: 'auto' });
    try {
      const run = await app.agent.run('test');
      const rows = ['ACM-G-007', 'ACM-G-002'].map((id) => run.results.find((r) => r.campaignId === id) as ResultRow);
      for (const r of rows) expect(r.budgetChange?.status).toBe('changed');
      // A batch of further changes about both (as a later run over the cap asks), opened through the effects.
      const batch = await openEscalation(app.agent.deps, {
        id: 'esc-batch00001',
        runId: run.runId,
        key: 'batch:budget:run:esc-batch00001',
        proposed: 'budget',
        reason: '2 more daily-budget changes than the agent makes alone in one run.',
        snapshot: rows[0] as ResultRow,
        batch: {
          kind: 'budget',
          members: rows.map((r) => ({
            ...memberOf(r),
            key: budgetKey(r.key),
            budget: { from: r.budgetChange?.to as number, to: (r.budgetChange?.to as number) * 0.9, currency: null },
          })),
        },
      });

      expect(await app.agent.restoreBudget({ campaignId: 'ACM-G-007' }, 'U2', 'cli')).toMatchObject({
        outcome: 'changed',
        to: 1200,
        closed: null,
      });
      const after = await app.store.escalations.get(batch.id);
      expect(after?.status).toBe('pending');
      expect(standing(after)).toEqual(['ACM-G-002']);
      expect(notifier.updated.map((e) => e.id)).toContain(batch.id);

      // The last change standing restored too: nothing left to approve, the batch is closed.
      expect(await app.agent.restoreBudget({ campaignId: 'ACM-G-002' }, 'U2', 'cli')).toMatchObject({
        closed: batch.id,
      });
      expect((await app.store.escalations.get(batch.id))?.outcomeDetail).toMatch(/U2 restored the daily budget/);
    } finally {
      await app.close();
    }
  });
});

describe('a batch question whose changes no longer all stand', () => {
  it('over MAX_AUTONOMOUS_BUDGET_CHANGES: a flight back on course leaves the batch; approving skips it', async () => {
    const app = await open({ BUDGET_ACTIONS: 'auto', MAX_AUTONOMOUS_BUDGET_CHANGES: '0' });
    try {
      await app.agent.run('test');
      const batch = (await app.agent.pending()).find((e) => e.batch?.kind === 'budget') ?? null;
      expect(standing(batch)).toEqual(expect.arrayContaining(['ACM-G-007', 'ACM-G-002']));

      // G-007 slows down: 5,122 GBP by now ends near its 18,000 GBP, so its change no longer stands.
      reportSpend(G007, 5_122);
      const second = await app.agent.run('test');
      expect(second.results.find((r) => r.campaignId === 'ACM-G-007')?.budgetProposal ?? null).toBeNull();
      const after = await app.store.escalations.get(batch?.id as string);
      expect(after?.status).toBe('pending');
      expect(standing(after)).not.toContain('ACM-G-007');
      expect(standing(after)).toContain('ACM-G-002');
      // Its message is brought up to date with the changes approving now makes.
      expect(notifier.updated.map((e) => e.id)).toContain(batch?.id);

      await app.agent.decide(batch?.id as string, 'approved', 'U1', null, 'cli');
      const changed = (await app.store.audit.list({ type: 'budget_changed' })).map((e) => e.campaignId);
      expect(changed).toContain('ACM-G-002');
      expect(changed).not.toContain('ACM-G-007');
    } finally {
      await app.close();
    }
  });

  it("a pool member being paused leaves its pool's question; approving changes only the others", async () => {
    const app = await open({ BUDGET_ACTIONS: 'ask' });
    try {
      await app.agent.run('test');
      const pool = (await app.agent.pending()).find((e) => e.batch?.kind === 'pool') ?? null;
      expect(standing(pool)).toEqual(['ACM-G-020', 'ACM-G-022', 'ACM-M-020']);

      // G-022 runs away (16,000 EUR against 11,625 planned to date): the agent pauses it.
      reportSpend(G022, 16_000);
      const second = await app.agent.run('test');
      expect(second.results.find((r) => r.campaignId === 'ACM-G-022')).toMatchObject({
        action: 'halt',
        pause: 'paused',
      });
      const after = await app.store.escalations.get(pool?.id as string);
      expect(after?.status).toBe('pending');
      expect(standing(after)).toEqual(['ACM-G-020', 'ACM-M-020']);
      expect((await app.agent.pending()).filter((e) => e.batch?.kind === 'pool')).toHaveLength(1);

      await app.agent.decide(pool?.id as string, 'approved', 'U1', null, 'cli');
      const changed = (await app.store.audit.list({ type: 'budget_changed' })).map((e) => e.campaignId);
      expect(changed.sort()).toEqual(['ACM-G-020', 'ACM-M-020']);
    } finally {
      await app.close();
    }
  });
});
