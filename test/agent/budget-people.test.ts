// A person's resume holds the budget lever back too (SPEC, Steering budgets: auto applies a pause's guards, people's
// decisions within HUMAN_DECISION_HOURS among them): after a person resumed a campaign the agent had paused, a later
// run in BUDGET_ACTIONS=auto asks before changing its daily budget instead of changing it alone — even when the
// campaign no longer warrants a pause, so the pause's own guard has nothing to say. The bundled fixtures on a real
// SQLite file, the agent as the app wires it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { RecordingNotifier } from '../fakes/platform.js';

// ACM-G-004 (NL Outdoor, Google): +40 % on its plan, paused by the agent; 900.00 EUR a day.
const G004 = '20512340004';

let dir: string;
const open = (): Promise<App> =>
  createApp(
    loadConfig({
      PACING_DATA_DIR: join(dir, 'data'),
      PACING_DB: join(dir, 'p.db'),
      PACING_NOW: NOW,
      BUDGET_ACTIONS: 'auto',
    }),
    new RecordingNotifier(),
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-budget-people-'));
  cpSync(FIXTURES, join(dir, 'data'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The platform now reports less spend for G-004: a warning the matrix alerts on, its forecast still 11 % over. */
function slowDown(): void {
  const file = join(dir, 'data', 'google.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { campaigns: Record<string, unknown>[] };
  const g4 = doc.campaigns.find((c) => c.id === G004) as Record<string, unknown>;
  g4.spend = 12_900;
  delete g4.daily;
  writeFileSync(file, JSON.stringify(doc));
}

const g004 = (report: Awaited<ReturnType<App['agent']['run']>>) =>
  report.results.find((r) => r.campaignId === 'ACM-G-004');

describe("a person's resume and the budget lever", () => {
  it('in auto, a campaign a person resumed is asked about, not changed alone', async () => {
    const app = await open();
    try {
      const first = await app.agent.run('test');
      expect(g004(first)).toMatchObject({ action: 'halt', pause: 'paused', budgetProposal: null });
      expect(await app.agent.resumeCampaign('google', G004, 'U0PERSON1')).toBe('resumed');

      slowDown();
      const second = await app.agent.run('test');
      const row = g004(second);
      // No pause is proposed any more: the pause's own guard (people's decisions) has nothing to hold back.
      expect(row?.action).toBe('alert');
      expect(row?.rootCause.map((c) => c.code)).not.toContain('guard_human_decision');
      expect(row?.budgetProposal).toMatchObject({ from: 900, applicable: true });
      expect(row?.budgetChange ?? null).toBeNull();
      const question = await app.store.escalations.get(row?.budgetProposal?.escalationId as string);
      expect(question).toMatchObject({ proposedAction: 'budget', campaignId: 'ACM-G-004', status: 'pending' });
      expect(question?.reason).toMatch(
        /^It was resumed by U0PERSON1 at .*: the agent does not change its budget alone/,
      );
      expect(
        (await app.store.audit.list({ type: 'budget_changed' })).filter((e) => e.campaignId === 'ACM-G-004'),
      ).toEqual([]);
      // Campaigns no person touched are steered alone: the guard is about the resumed one only.
      expect(first.results.find((r) => r.campaignId === 'ACM-G-007')?.budgetChange).toMatchObject({
        status: 'changed',
      });
    } finally {
      await app.close();
    }
  });
});
