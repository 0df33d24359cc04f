// One run, four surfaces (SPEC, Slack surface; issue: "Counts agree"): the Slack summary message, the CLI's summary,
// the digest and the `pacing_money_at_stake` metric give the same counts and the same money at stake, because each
// reads them from one definition in domain/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/agent/cycle.js';
import { runReport } from '../../src/cli/format.js';
import { formatMoney } from '../../src/domain/money.js';
import { latestRunFigures } from '../../src/ops/readings.js';
import { buildDigest } from '../../src/slack/digest.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import { digestBlocks } from '../../src/slack/views/digest.js';
import { summaryText } from '../../src/slack/views/summary.js';
import type { App } from '../../src/wiring.js';
import { type FixtureWorld, fixtureWorld, NOW } from './fixture-app.js';

let world: FixtureWorld;
let app: App;
let report: RunReport;
let slackSummary: { text: string; blocks: { type: string; text?: { text: string } }[] };

beforeAll(async () => {
  world = fixtureWorld();
  app = await world.open(
    (store) => new SlackNotifier(store, { alert: 'C0ALERTS01', approval: 'C0APPROVE1' }, () => NOW),
  );
  report = await app.agent.run('test');
  const row = app.store.db
    .prepare(`SELECT payload FROM outbox WHERE run_id = ? AND kind = 'alert_summary'`)
    .get(report.runId) as { payload: string } | undefined;
  if (!row) throw new Error('the fixture run posted no summary message');
  slackSummary = JSON.parse(row.payload);
});

afterAll(() => world?.cleanup());

const openedIn = async () =>
  new Set(
    (await app.store.audit.list({ type: 'escalation_opened', runId: report.runId })).map((e) =>
      String(e.details.escalationId),
    ),
  );
const cliText = async () => runReport({ ...report, opened: await openedIn() }, 120);

describe('one run, the same counts and money everywhere', () => {
  it('the Slack summary counts what the CLI counts: pauses and new alerts', async () => {
    const header = slackSummary.blocks[0]?.text?.text ?? '';
    const thisRun = /^This run:\s+(.*)$/m.exec(await cliText())?.[1] ?? '';
    // /pacing run's reply says the same, in the same words.
    expect(summaryText(report, await openedIn())).toContain(`This run: ${thisRun.split(' · ').join(', ')}`);
    // "2 paused · 6 new alerts · …" in Slack, "2 paused · 6 new alerts · …" in the terminal.
    const paused = (s: string) => /(\d+) paused/.exec(s)?.[1];
    const alerts = (s: string) => /(\d+) new alerts?/.exec(s)?.[1];
    // Both are counted in the header (the demo run pauses and alerts), so the comparisons below compare numbers.
    expect(paused(header)).toMatch(/^[1-9]\d*$/);
    expect(alerts(header)).toMatch(/^[1-9]\d*$/);
    expect(paused(thisRun)).toBe(paused(header));
    expect(alerts(thisRun)).toBe(alerts(header));
    expect(slackSummary.text).toContain(`${paused(header)} paused`);
    expect(slackSummary.text).toContain(`${alerts(header)} new alert`);
  });

  it('money at stake: the Slack summary, the CLI, the digest and pacing_money_at_stake give the same amounts', async () => {
    const metric = (await latestRunFigures(app.store, null))?.moneyAtStake ?? new Map<string, number>();
    expect(metric.size).toBeGreaterThan(1);
    const digest = await buildDigest(app.reads, null, NOW);
    const slack = JSON.stringify(slackSummary.blocks);
    const cli = await cliText();
    const runReply = summaryText(report, await openedIn());
    const digestText = JSON.stringify(digestBlocks(digest));
    expect(digest.moneyAtStake.map((m) => [m.currency, m.amount])).toEqual(
      [...metric].map(([currency, amount]) => [currency, Math.round(amount * 100) / 100]),
    );
    for (const [currency, amount] of metric) {
      const text = formatMoney(amount, currency);
      expect(slack, `Slack ${text}`).toContain(text);
      expect(cli, `CLI ${text}`).toContain(text);
      expect(digestText, `digest ${text}`).toContain(text);
      expect(runReply, `/pacing run ${text}`).toContain(text);
    }
  });
});
