// Counts agree with budget questions on (issue 17's one definition of counts, with issue 19's lever): in
// BUDGET_ACTIONS=ask the steering step opens questions after the matrix's, and the CLI's summary, Slack's summary
// message, the digest and `pending` must all count them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/agent/cycle.js';
import { runReport } from '../../src/cli/format.js';
import { buildDigest } from '../../src/slack/digest.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import { summaryText } from '../../src/slack/views/summary.js';
import type { App } from '../../src/wiring.js';
import { type FixtureWorld, fixtureWorld, NOW } from './fixture-app.js';

let world: FixtureWorld;
let app: App;
let report: RunReport;
let slackHeader: string;

beforeAll(async () => {
  world = fixtureWorld({ BUDGET_ACTIONS: 'ask' });
  app = await world.open(
    (store) => new SlackNotifier(store, { alert: 'C0ALERTS01', approval: 'C0APPROVE1' }, () => NOW),
  );
  report = await app.agent.run('test');
  const row = app.store.db
    .prepare(`SELECT payload FROM outbox WHERE run_id = ? AND kind = 'alert_summary'`)
    .get(report.runId) as { payload: string } | undefined;
  if (!row) throw new Error('the fixture run posted no summary message');
  slackHeader = (JSON.parse(row.payload) as { blocks: { text?: { text: string } }[] }).blocks[0]?.text?.text ?? '';
});

afterAll(() => world?.cleanup());

const escalated = (s: string) => {
  const m = /(\d+) escalated(?: in (\d+) questions?)?/.exec(s);
  return m ? { campaigns: Number(m[1]), questions: Number(m[2] ?? m[1]) } : null;
};

describe('BUDGET_ACTIONS=ask: budget questions are counted on every surface', () => {
  it('the CLI summary, the Slack summary, /pacing run, the digest and pending agree', async () => {
    const opened = await app.reads.openedIn(report.runId);
    const pending = await app.reads.pending();
    const budgetQuestions = pending.filter((e) => e.proposedAction === 'budget' || e.proposedAction === 'rebalance');
    // The scenario asks budget questions next to the matrix's, so the comparison below is about them.
    expect(budgetQuestions.length).toBeGreaterThan(0);
    expect(pending.length).toBe(opened.size);

    const campaigns = new Set(pending.flatMap((e) => (e.batch ? e.batch.members.map((m) => m.key) : [e.key])));
    const cli = escalated(/^This run:\s+(.*)$/m.exec(runReport({ ...report, opened }, 120))?.[1] ?? '');
    const slack = escalated(slackHeader);
    const reply = escalated(summaryText(report, opened));
    expect(cli?.questions).toBe(pending.length);
    expect(slack).toEqual(cli);
    expect(reply).toEqual(cli);
    expect(cli?.campaigns).toBe(campaigns.size);
    expect((await buildDigest(app.reads, null, NOW)).actions.escalated).toBe(pending.length);
  });
});
