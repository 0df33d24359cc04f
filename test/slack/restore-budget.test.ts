// The "Restore budget" button through Bolt's real HTTP receiver with signed requests: only an approver may press it,
// it asks the agent to restore (by plan campaign id and clicker), and the card then loses its button.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PacingAgent } from '../../src/agent/agent.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type Server, serve } from '../../src/slack/serve.js';
import { alertBlocks } from '../../src/slack/views/alert.js';
import { row } from '../cli/rows.js';
import { blockAction } from '../fakes/slack-requests.js';
import { APPROVER, BUYER, CHANNELS, SECRET, type SlackWorld, slackWorld } from './helpers.js';

let world: SlackWorld;
let server: Server | null = null;
beforeEach(async () => {
  world = await slackWorld();
  server = await serve(loadConfig(world.env), silentLogger());
});
afterEach(async () => {
  await server?.stop();
  server = null;
  await world.cleanup();
});

/** The alert card posted after the agent changed ACM-G-004's daily budget alone. */
const card = alertBlocks(
  row({
    campaignId: 'ACM-G-004',
    campaignName: 'Acme_NL_Outdoor_Awareness_Q4',
    severity: 'warning',
    action: 'alert',
    budgetChange: { from: 1_200, to: 960, status: 'changed' },
  }),
) as unknown[];

const click = (userId: string, responseId: string) =>
  blockAction(world.base, SECRET, {
    userId,
    actionId: 'pacing_restore_budget',
    value: 'ACM-G-004',
    channelId: CHANNELS.alerts,
    messageTs: '1700000000.000100',
    blocks: card,
    responseUrl: world.fake.responseUrl(responseId),
  });

describe('Restore budget', () => {
  it('refuses someone who is not an approver, and changes nothing', async () => {
    expect((await click(BUYER, 'buyer')).status).toBe(200);
    const said = JSON.stringify((await world.fake.waitForRespond((r) => r.id === 'buyer', 5_000)).body);
    expect(said).toMatch(/approver/i);
  });

  it("asks the agent to restore the campaign's budget, then takes the button off the card", async () => {
    // The agent's restore is built elsewhere; this stands in for it through the interface the button declares.
    const calls: [string, string][] = [];
    const proto = PacingAgent.prototype as unknown as Record<string, unknown>;
    const had = Object.hasOwn(proto, 'restoreBudget') ? proto.restoreBudget : undefined;
    proto.restoreBudget = async (campaignId: string, actor: string) => {
      calls.push([campaignId, actor]);
      return 'Daily budget of ACM-G-004 restored to 1,200.00 EUR.';
    };
    try {
      expect((await click(APPROVER, 'approver')).status).toBe(200);
      const reply = await world.fake.waitForRespond((r) => r.id === 'approver', 5_000);
      expect(calls).toEqual([['ACM-G-004', APPROVER]]);
      const body = reply.body as { replace_original?: boolean; blocks?: { type: string; block_id?: string }[] };
      expect(body.replace_original).toBe(true);
      expect(body.blocks?.some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(body.blocks)).toContain('restored to 1,200.00 EUR');
    } finally {
      if (had === undefined) delete proto.restoreBudget;
      else proto.restoreBudget = had;
    }
  });
});
