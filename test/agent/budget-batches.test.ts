// A batch of budget changes stands for each change only while it stands (SPEC, Steering budgets: approving applies
// every change still standing): a later run takes a member whose change no longer stands out of its open question —
// a flight back on course, or a pool member being paused now (a pause and a budget change never fight) — so that
// approving leaves it alone. The bundled fixtures on a real SQLite file, the agent as the app wires it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Escalation } from '../../src/domain/records.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { RecordingNotifier } from '../fakes/platform.js';

// ACM-G-007: 1,200.00 GBP a day, ends 31.2 % over. ACM-G-022: a member of the DE Boots pool, 420.00 EUR a day.
const G007 = '21098765432';
const G022 = '20512340022';

let dir: string;
let notifier: RecordingNotifier;
const open = (env: Record<string, string>): App =>
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

describe('a batch question whose changes no longer all stand', () => {
  it('over MAX_AUTONOMOUS_BUDGET_CHANGES: a flight back on course leaves the batch; approving skips it', async () => {
    const app = open({ BUDGET_ACTIONS: 'auto', MAX_AUTONOMOUS_BUDGET_CHANGES: '0' });
    try {
      await app.agent.run('test');
      const batch = app.agent.pending().find((e) => e.batch?.kind === 'budget') ?? null;
      expect(standing(batch)).toEqual(expect.arrayContaining(['ACM-G-007', 'ACM-G-002']));

      // G-007 slows down: 5,122 GBP by now ends near its 18,000 GBP, so its change no longer stands.
      reportSpend(G007, 5_122);
      const second = await app.agent.run('test');
      expect(second.results.find((r) => r.campaignId === 'ACM-G-007')?.budgetProposal ?? null).toBeNull();
      const after = app.store.escalations.get(batch?.id as string);
      expect(after?.status).toBe('pending');
      expect(standing(after)).not.toContain('ACM-G-007');
      expect(standing(after)).toContain('ACM-G-002');
      // Its message is brought up to date with the changes approving now makes.
      expect(notifier.updated.map((e) => e.id)).toContain(batch?.id);

      await app.agent.decide(batch?.id as string, 'approved', 'U1', null, 'cli');
      const changed = app.store.audit.list({ type: 'budget_changed' }).map((e) => e.campaignId);
      expect(changed).toContain('ACM-G-002');
      expect(changed).not.toContain('ACM-G-007');
    } finally {
      app.close();
    }
  });

  it("a pool member being paused leaves its pool's question; approving changes only the others", async () => {
    const app = open({ BUDGET_ACTIONS: 'ask' });
    try {
      await app.agent.run('test');
      const pool = app.agent.pending().find((e) => e.batch?.kind === 'pool') ?? null;
      expect(standing(pool)).toEqual(['ACM-G-020', 'ACM-G-022', 'ACM-M-020']);

      // G-022 runs away (16,000 EUR against 11,625 planned to date): the agent pauses it.
      reportSpend(G022, 16_000);
      const second = await app.agent.run('test');
      expect(second.results.find((r) => r.campaignId === 'ACM-G-022')).toMatchObject({
        action: 'halt',
        pause: 'paused',
      });
      const after = app.store.escalations.get(pool?.id as string);
      expect(after?.status).toBe('pending');
      expect(standing(after)).toEqual(['ACM-G-020', 'ACM-M-020']);
      expect(app.agent.pending().filter((e) => e.batch?.kind === 'pool')).toHaveLength(1);

      await app.agent.decide(pool?.id as string, 'approved', 'U1', null, 'cli');
      const changed = app.store.audit.list({ type: 'budget_changed' }).map((e) => e.campaignId);
      expect(changed.sort()).toEqual(['ACM-G-020', 'ACM-M-020']);
    } finally {
      app.close();
    }
  });
});
