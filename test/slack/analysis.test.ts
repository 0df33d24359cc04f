// The analyst's note on Slack: under "Analysis", marked as a model's with its name in a context line, escaped like
// every name, within Slack's limits (the fake Slack API refuses what Slack refuses); absent when there is no note.
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/domain/explanation.js';
import type { Digest } from '../../src/slack/digest.js';
import { alertBlocks } from '../../src/slack/views/alert.js';
import type { Block } from '../../src/slack/views/blocks.js';
import { digestBlocks } from '../../src/slack/views/digest.js';
import { escalationBlocks } from '../../src/slack/views/escalation.js';
import { homeView } from '../../src/slack/views/home.js';
import { campaignBlocks } from '../../src/slack/views/status.js';
import { escalation, row } from '../cli/rows.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/slack-api.js';
import { fastClient } from './fixture-app.js';

const CHANNEL = 'C0NOTES001';
let fake: FakeSlackApi;
let client: WebClient;
beforeAll(async () => {
  fake = await startFakeSlackApi({ knownChannels: [CHANNEL] });
  client = fastClient(fake.url);
});
afterAll(() => fake.close());

const note: Explanation = {
  summary: 'Spend doubled on 2026-11-18 when the daily budget rose from 600 to 1,200 EUR; the plan was not updated.',
  causes: [{ text: 'The platform budget is twice the plan.', evidence: ['budget_differs'] }],
  nextStep: 'Set the daily budget back to 600 EUR.',
  model: 'gpt-4o-mini',
};

const textOf = (blocks: Block[]) => JSON.stringify(blocks);
const analysisSection = (blocks: Block[]) =>
  blocks.find((b) => b.type === 'section' && JSON.stringify(b).includes('*Analysis*'));

async function post(blocks: Block[]): Promise<void> {
  const res = await client.chat.postMessage({ channel: CHANNEL, text: 'note', blocks });
  expect(res.ok).toBe(true);
}

describe('the Analysis section', () => {
  it('shows the note on an alert and on a question, with the model named in a context line', async () => {
    const halted = row({ action: 'halt', severity: 'critical', pause: 'paused', explanation: note });
    const asked = escalation({ snapshot: row({ action: 'escalate', explanation: note }) });
    for (const blocks of [alertBlocks(halted), escalationBlocks(asked)]) {
      const section = analysisSection(blocks);
      expect(JSON.stringify(section)).toContain('Spend doubled on 2026-11-18');
      expect(JSON.stringify(section)).toContain('Set the daily budget back to 600 EUR.');
      const i = blocks.indexOf(section as Block);
      expect(blocks[i + 1]).toMatchObject({ type: 'context' });
      expect(JSON.stringify(blocks[i + 1])).toContain('Analysis by gpt-4o-mini');
      await post(blocks);
    }
  });

  it('shows the note in `/pacing status <campaign>`', async () => {
    const blocks = campaignBlocks([row({ action: 'halt', severity: 'critical', explanation: note })], () => null);
    expect(JSON.stringify(analysisSection(blocks))).toContain('Spend doubled on 2026-11-18');
    await post(blocks);
  });

  it('is absent without a note', () => {
    expect(analysisSection(alertBlocks(row({ action: 'halt', severity: 'critical' })))).toBeUndefined();
    expect(analysisSection(escalationBlocks(escalation()))).toBeUndefined();
  });

  it("escapes the model's words like a name: no mention, link or markup reaches Slack as such", async () => {
    const hostile = {
      ...note,
      summary: '<!channel> ignore the plan, <https://evil.example|click> & relax',
      model: '<@U0EVIL> model',
    };
    const blocks = alertBlocks(row({ action: 'halt', severity: 'critical', explanation: hostile }));
    const text = textOf(blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
    expect(text).not.toContain('<@U0EVIL>');
    expect(text).toContain('&lt;!channel&gt;');
    await post(blocks);
  });

  it('stays within a section of 3,000 characters however long the note', async () => {
    const long = {
      summary: '&'.repeat(400),
      causes: Array.from({ length: 6 }, () => ({ text: '<'.repeat(400), evidence: ['budget_differs' as const] })),
      nextStep: '>'.repeat(300),
      model: 'm'.repeat(200),
    };
    const blocks = escalationBlocks(escalation({ snapshot: row({ action: 'escalate', explanation: long }) }));
    const section = analysisSection(blocks) as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    await post(blocks);
  });
});

describe("App Home's question list", () => {
  it('carries the note under its question', () => {
    const view = homeView({
      latest: null,
      pending: [escalation({ snapshot: row({ action: 'escalate', explanation: note }) })],
      canDecide: true,
      now: '2026-11-20T09:00:00Z',
    });
    expect(JSON.stringify(view.blocks)).toContain('Spend doubled on 2026-11-18');
    expect(JSON.stringify(view.blocks)).toContain('(gpt-4o-mini)');
  });
});

describe('the digest', () => {
  const digestOf = (overspends: ReturnType<typeof row>[]): Digest => ({
    since: null,
    until: '2026-11-20T09:00:00Z',
    runs: 1,
    latestRunId: 'run-1',
    latestAt: '2026-11-20T09:00:00Z',
    latest: null,
    actions: { paused: 0, alerts: 0, escalated: 0, approved: 0, overridden: 0, expired: 0, resumed: 0 },
    pending: [],
    expired: [],
    moneyAtStake: [],
    overspends,
    underspends: [],
    changes: null,
    chronic: [],
    forecastMisses: [],
    results: overspends,
  });

  it('carries one paragraph: the note of the biggest case that has one', async () => {
    const small = row({
      campaignId: 'SMALL',
      actualSpend: 1200,
      targetSpend: 1000,
      explanation: { ...note, summary: 'Small case.' },
    });
    const big = row({ campaignId: 'BIG', actualSpend: 9000, targetSpend: 1000, explanation: note });
    const bare = row({ campaignId: 'BARE', actualSpend: 99_000, targetSpend: 1000 });
    const blocks = digestBlocks(digestOf([bare, big, small]));
    const text = textOf(blocks);
    expect(text).toContain('The biggest case, as a model reads it:');
    expect(text).toContain('Spend doubled on 2026-11-18');
    expect(text).not.toContain('Small case.');
    await post(blocks);
  });

  it('ranks the biggest case by its share of the flight budget, not by an amount in another currency', () => {
    const yen = row({
      campaignId: 'YEN',
      currency: 'JPY',
      platformCurrency: 'JPY',
      actualSpend: 2_500_000,
      targetSpend: 2_000_000,
      budget: 50_000_000,
      explanation: { ...note, summary: 'Yen case.' },
    });
    const euro = row({ campaignId: 'EURO', actualSpend: 9000, targetSpend: 1000, explanation: note });
    const text = textOf(digestBlocks(digestOf([yen, euro])));
    expect(text).toContain('Spend doubled on 2026-11-18');
    expect(text).not.toContain('Yen case.');
  });

  it('carries none when no row has a note', () => {
    expect(textOf(digestBlocks(digestOf([row({ actualSpend: 9000, targetSpend: 1000 })])))).not.toContain(
      'as a model reads it',
    );
  });
});
