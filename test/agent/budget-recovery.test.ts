// Nothing lost between deciding and doing, for budgets (SPEC, Safety guard 7, as for pauses): a change asked of the
// platform is recorded before the call; a process that stops before the outcome leaves the request alone in the
// audit trail, and the next start reads the platform back and records what happened. A real SQLite file, the
// fixture platforms (which keep budget changes in the database), two apps one after the other.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeBudget } from '../../src/agent/effects/index.js';
import { loadConfig } from '../../src/config.js';
import { PROCESS_ID } from '../../src/store/owner.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { RecordingNotifier } from '../fakes/platform.js';

// ACM-G-007: 1,200.00 GBP a day on the fixture platform; ACM-G-002: 250.00 EUR.
const G007 = '21098765432';
const G002 = '20512340002';

let dir: string;
const open = (): Promise<App> =>
  createApp(
    loadConfig({ PACING_DATA_DIR: join(dir, 'data'), PACING_DB: join(dir, 'p.db'), PACING_NOW: NOW }),
    new RecordingNotifier(),
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-budget-recovery-'));
  cpSync(FIXTURES, join(dir, 'data'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A process that has exited: what a crashed run leaves as the owner of its request. */
const deadOwner = () => `${spawnSync(process.execPath, ['-e', '0']).pid}:0123456789ab`;

/** What a process records before it calls the platform (changeBudget's first step), then stops. */
async function requested(
  app: App,
  platformCampaignId: string,
  campaignId: string,
  to: number,
  currency: string,
  owner: string,
) {
  const from = platformCampaignId === G007 ? 1200 : 250;
  await app.store.audit.append({
    at: NOW,
    type: 'budget_change_requested',
    actor: 'agent',
    runId: null,
    campaignId,
    platform: 'google',
    platformCampaignId,
    details: { from, to, currency, by: 'agent', owner },
  });
}

const budgetEvents = async (app: App, id: string) =>
  (await app.store.audit.list({ campaign: id }))
    .filter((e) => e.type.startsWith('budget_'))
    .map((e): Record<string, unknown> => ({ type: e.type, ...e.details }));

describe('a budget change whose outcome a stopped process never recorded', () => {
  it('is recorded before the platform is called', async () => {
    const app = await open();
    try {
      let seen: string[] = [];
      const google = app.agent.deps.platforms.get('google');
      const set = google?.setDailyBudget?.bind(google);
      if (!google || !set) throw new Error('the fixture platform changes budgets');
      // What the audit trail holds at the moment the platform is asked: the request is already there.
      google.setDailyBudget = async (...args) => {
        seen = (await budgetEvents(app, G007)).map((e) => String(e.type));
        return set(...args);
      };
      await changeBudget(app.agent.deps, {
        runId: null,
        escalationId: null,
        campaignId: 'ACM-G-007',
        platform: 'google',
        platformCampaignId: G007,
        from: 1200,
        to: 1025.45,
        currency: 'GBP',
        actor: 'agent',
      });
      expect(seen).toEqual(['budget_change_requested']);
      expect((await budgetEvents(app, G007)).map((e) => e.type)).toEqual(['budget_change_requested', 'budget_changed']);
    } finally {
      await app.close();
    }
  });

  it('is read back on the next start: the new budget → budget_changed, the old one → budget_change_failed', async () => {
    const crashed = await open();
    const owner = deadOwner();
    // G-007's change reached the platform before the process died; G-002's never did.
    await crashed.agent.deps.platforms.get('google')?.setDailyBudget?.(G007, 1025.45, 'GBP');
    await requested(crashed, G007, 'ACM-G-007', 1025.45, 'GBP', owner);
    await requested(crashed, G002, 'ACM-G-002', 280, 'EUR', owner);
    await crashed.close();

    const next = await open();
    try {
      await next.agent.catchUp();
      expect(await budgetEvents(next, G007)).toEqual([
        expect.objectContaining({ type: 'budget_change_requested' }),
        expect.objectContaining({ type: 'budget_changed', from: 1200, to: 1025.45, currency: 'GBP', recovered: true }),
      ]);
      const g2 = await budgetEvents(next, G002);
      expect(g2).toEqual([
        expect.objectContaining({ type: 'budget_change_requested' }),
        expect.objectContaining({ type: 'budget_change_failed', from: 250, to: 280, recovered: true }),
      ]);
      expect(String(g2[1]?.error)).toMatch(/stopped before the platform confirmed.*250\.00 EUR/);
      // Recovery only reads: G-002's budget is as it was, and nothing is owned by the dead process any more.
      expect(await next.store.audit.unsettledBudgetChanges()).toEqual([]);
      // Settled once: the next start finds nothing to do.
      await next.agent.catchUp();
      expect(await budgetEvents(next, G007)).toHaveLength(2);
      expect(await budgetEvents(next, G002)).toHaveLength(2);
    } finally {
      await next.close();
    }
    // The budget a later run reads is the one the platform keeps.
    const later = await open();
    try {
      const snapshot = await later.agent.deps.platforms.get('google')?.fetchCampaigns();
      const budgets = new Map(snapshot?.campaigns.map((c) => [c.id, c.dailyBudget]));
      expect(budgets.get(G007)).toBe(1025.45);
      expect(budgets.get(G002)).toBe(250);
    } finally {
      await later.close();
    }
  });

  it('a change whose process still runs is left to it', async () => {
    const app = await open();
    try {
      await requested(app, G002, 'ACM-G-002', 280, 'EUR', PROCESS_ID);
      await app.agent.catchUp();
      expect((await budgetEvents(app, G002)).map((e) => e.type)).toEqual(['budget_change_requested']);
    } finally {
      await app.close();
    }
  });
});
