// Real process restarts: the cycle runs in one child process and exits; a second one claims a decision and is
// killed with SIGKILL before it can carry it out; a third, started fresh, must finish the job exactly once.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEscalationGraph, threadConfig } from '../../src/agent/escalation.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/wiring.js';
import {
  ensureBuilt,
  type Outcome,
  type PendingDoc,
  pacing,
  pacingJson,
  ROOT,
  type RunDoc,
  readAudit,
  row,
  runNode,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';
import { RecordingNotifier } from '../fakes/platform.js';

const M005 = '23851200000000005';
const CRASH = join(ROOT, 'test', 'fakes', 'claim-and-crash.mjs');

describe('restart between a claimed decision and its execution', async () => {
  let ws: Workspace;
  let run: RunDoc;
  let id: string;
  let crash: Outcome;

  beforeAll(async () => {
    await ensureBuilt();
    // The bundled scenario's matrix questions only (the count below): budget questions are not this test's subject.
    ws = workspace({ BUDGET_ACTIONS: 'off' });
    run = await pacingJson<RunDoc>(ws, ['run']);
    id = row(run, 'ACM-M-005').escalationId as string;
  }, 60_000);
  afterAll(() => ws?.cleanup());

  /** Reads the database in this process, as a separate reader of the file the children wrote. */
  async function inspect<T>(fn: (app: Awaited<ReturnType<typeof createApp>>) => Promise<T> | T): Promise<T> {
    const app = await createApp(
      loadConfig({
        PACING_DB: ws.db,
        PACING_NOW: ws.env.PACING_NOW,
        PACING_DATA_DIR: ws.dataDir,
        BUDGET_ACTIONS: 'off',
      }),
      new RecordingNotifier(),
    );
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  }

  it('the run process left the escalation thread checkpointed at its interrupt', async () => {
    await inspect(async (app) => {
      const e = await app.store.escalations.get(id);
      expect(e).toMatchObject({ status: 'pending', proposedAction: 'halt', platformCampaignId: M005 });
      const state = await buildEscalationGraph(app.agent.deps).getState(threadConfig(e?.threadId as string));
      expect(state.next).toEqual(['await_decision']);
    });
  });

  it('a process killed right after claiming leaves the decision taken but not carried out', async () => {
    crash = await runNode(ws, [CRASH, id, 'approved', 'U1']);
    expect(crash.signal, crash.stderr).toBe('SIGKILL');
    expect(crash.stdout).toContain(`claimed ${id}`);
    await inspect(async (app) => {
      expect(await app.store.escalations.get(id)).toMatchObject({ status: 'approved', decidedBy: 'U1', outcome: null });
    });
    expect(readAudit(ws).filter((e) => e.type === 'campaign_paused' && e.platformCampaignId === M005)).toHaveLength(0);
  });

  it('the next command (pending) recovers it: the campaign is paused once and the outcome recorded', async () => {
    const { pending } = await pacingJson<PendingDoc>(ws, ['pending']);
    expect(pending.map((p) => p.escalationId)).not.toContain(id);
    expect(pending).toHaveLength(5);

    const paused = readAudit(ws).filter((e) => e.type === 'campaign_paused' && e.platformCampaignId === M005);
    expect(paused).toEqual([expect.objectContaining({ actor: 'U1', campaignId: 'ACM-M-005' })]);
    await inspect(async (app) => {
      const e = await app.store.escalations.get(id);
      expect(e).toMatchObject({ status: 'approved', outcome: 'done' });
      expect(e?.outcomeDetail).toMatch(/paused/);
      const state = await buildEscalationGraph(app.agent.deps).getState(threadConfig(e?.threadId as string));
      expect(state.next).toEqual([]);
      expect((await app.store.fixtureStatus.all('meta')).get(M005)).toBe('PAUSED');
    });
  });

  it('later starts do not carry it out again, and deciding it again is refused', async () => {
    const status = await pacingJson<RunDoc>(ws, ['status']);
    expect(row(status, 'ACM-M-005')).toMatchObject({ escalationId: id, status: 'approved' });
    const again: Outcome = await pacing(ws, ['approve', id, '--user', 'U1']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already approved/);
    expect(readAudit(ws).filter((e) => e.type === 'campaign_paused' && e.platformCampaignId === M005)).toHaveLength(1);
  });
});
