// App Home through the real server (Bolt's HTTP receiver, signed requests, the fake Web API, a real SQLite
// file): the latest run in one line, every pending escalation with its buttons for approvers, chronic offenders;
// a click in the Home tab (no message, no response_url) decides the escalation and republishes the tab.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type Server, serve } from '../../src/slack/serve.js';
import { createApp } from '../../src/wiring.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { blockAction, eventCallback } from '../fakes/slack-requests.js';
import { APPROVER, BUYER, SECRET, type SlackWorld, slackWorld } from './helpers.js';

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Button[] };
type Button = { action_id: string; value: string; text: { text: string }; style?: string };

let world: SlackWorld;
let server: Server;
/** Escalation ids by plan campaign id, as the offline run opened them. */
let pending: Map<string, string>;

beforeAll(async () => {
  world = await slackWorld();
  // A run made before Slack was configured: six escalations wait (as in serve.test.ts).
  const offline = await createApp(loadConfig({ ...world.env, SLACK_BOT_TOKEN: '' }), new CollectingNotifier());
  await offline.agent.run('cli');
  pending = new Map((await offline.agent.pending()).map((e) => [e.campaignId ?? e.platformCampaignId ?? e.key, e.id]));
  await offline.close();
  server = await serve(loadConfig(world.env), silentLogger());
});

afterAll(async () => {
  await server?.stop();
  await world?.cleanup();
});

const publishes = (user: string) => world.fake.callsTo('views.publish').filter((c) => c.body.user_id === user && ok(c));
const ok = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;
const blocksOf = (c: RecordedCall | undefined) =>
  ((c?.body.view as { blocks?: Block[] } | undefined)?.blocks ?? []) as Block[];
const buttons = (blocks: Block[]) => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

/** Waits for the `n`-th Home tab published for `user`. */
async function nthPublish(user: string, n: number): Promise<Block[]> {
  await world.fake.waitFor(() => publishes(user).length >= n, 10_000);
  return blocksOf(publishes(user)[n - 1]);
}

const audit = (type: string) =>
  new Database(world.env.PACING_DB as string, { readonly: true })
    .prepare("SELECT actor, json_extract(details, '$.escalationId') AS escalation_id FROM audit WHERE type = ?")
    .all(type) as { actor: string; escalation_id: string | null }[];

async function openHome(user: string): Promise<Block[]> {
  const before = publishes(user).length;
  await eventCallback(world.base, SECRET, { type: 'app_home_opened', user, channel: 'D0HOME0001', tab: 'home' });
  return nthPublish(user, before + 1);
}

describe('App Home', () => {
  it('shows an approver the latest run once, every pending escalation with its two buttons, no CLI advice', async () => {
    const blocks = await openHome(APPROVER);
    const text = JSON.stringify(blocks);
    expect(text).toContain('*Latest run* <!date^');
    expect(text).toContain('*Money at stake:* 12,360.00 EUR · 4,836.00 USD · 3,290.00 GBP');
    expect(text).toContain('6 escalations awaiting a decision');
    // The queue appears once: one question per escalation, each followed by its own buttons.
    expect(text.match(/awaiting a decision/g)).toHaveLength(1);
    const actions = blocks.filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(6);
    expect(new Set(actions.map((b) => b.block_id)).size).toBe(6);
    for (const id of pending.values()) {
      const mine = buttons(blocks).filter((b) => b.value === id);
      expect(mine.map((b) => b.action_id)).toEqual(['pacing_approve', 'pacing_reject']);
    }
    const m005 = buttons(blocks).filter((b) => b.value === pending.get('ACM-M-005'));
    expect(m005.map((b) => b.text.text)).toEqual(['Yes, pause it', 'No, keep it running']);
    expect(text).toContain('Is this the right campaign? ACME | US | Basketball | Launch');
    expect(text).not.toMatch(/npx pacing|pacing approve|\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('shows a buyer the same tab without buttons, saying who can decide', async () => {
    const blocks = await openHome(BUYER);
    expect(buttons(blocks)).toEqual([]);
    expect(JSON.stringify(blocks)).toContain('Only approvers can decide');
    expect(JSON.stringify(blocks)).toContain('6 escalations awaiting a decision');
  });

  it('a buyer clicking a button there is told in the tab; nothing is decided and nothing breaks', async () => {
    const id = pending.get('ACM-M-004') as string;
    const before = publishes(BUYER).length;
    const res = await blockAction(world.base, SECRET, {
      surface: 'home',
      userId: BUYER,
      actionId: 'pacing_approve',
      value: id,
      blocks: blocksOf(publishes(APPROVER).at(-1)),
    });
    expect(res.status).toBe(200);
    const blocks = await nthPublish(BUYER, before + 1);
    expect(JSON.stringify(blocks[1])).toContain('Only approvers can do this');
    expect(audit('escalation_approved')).toEqual([]);
  });

  it('an approver approves from the tab: the escalation is decided, the card updated, the tab republished', async () => {
    const id = pending.get('ACM-M-005') as string;
    const home = blocksOf(publishes(APPROVER).at(-1));
    const before = publishes(APPROVER).length;
    const res = await blockAction(world.base, SECRET, {
      surface: 'home',
      userId: APPROVER,
      actionId: 'pacing_approve',
      value: id,
      blocks: home,
    });
    expect(res.status).toBe(200);
    const blocks = await nthPublish(APPROVER, before + 1);
    const text = JSON.stringify(blocks);
    expect(text).toContain(':white_check_mark: You approved: ACME | US | Basketball | Launch (ACM-M-005)');
    expect(text).toContain('5 escalations awaiting a decision');
    expect(buttons(blocks).some((b) => b.value === id)).toBe(false);
    expect(buttons(blocks)).toHaveLength(10);
    expect(audit('escalation_approved')).toEqual([expect.objectContaining({ actor: APPROVER, escalation_id: id })]);
    // The card in the approvals channel follows (through the outbox).
    await world.fake.waitFor((c) => c.method === 'chat.update' && JSON.stringify(c.body.blocks).includes(id), 10_000);
  });

  it('an approver rejects from the tab: asked for a reason in a modal, the tab republished without it', async () => {
    const id = pending.get('ACM-M-004') as string;
    const before = publishes(APPROVER).length;
    await blockAction(world.base, SECRET, {
      surface: 'home',
      userId: APPROVER,
      actionId: 'pacing_reject',
      value: id,
      triggerId: 'trig-home-1',
      blocks: blocksOf(publishes(APPROVER).at(-1)),
    });
    const blocks = await nthPublish(APPROVER, before + 1);
    expect(JSON.stringify(blocks)).toContain(
      ':no_entry_sign: You rejected: ACME | UK | Trail | Prospecting (ACM-M-004)',
    );
    expect(JSON.stringify(blocks)).toContain('4 escalations awaiting a decision');
    expect(world.fake.openedViews.map((v) => v.callback_id)).toContain('pacing_reject_reason');
    expect(audit('escalation_overridden')).toEqual([expect.objectContaining({ actor: APPROVER, escalation_id: id })]);
  });
});
