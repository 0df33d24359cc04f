// The "Restore budget" button through Bolt's real HTTP receiver with signed requests: a run in BUDGET_ACTIONS=auto
// changes ACM-G-007's daily budget on the fixture platform and posts its card with the button; only an approver may
// press it; the agent's own restore puts the budget back (audited), and the card then loses its button.
import { describe, expect, it } from 'vitest';
import { blockAction } from '../fakes/slack-requests.js';
import { APPROVER, BUYER, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack({ BUDGET_ACTIONS: 'auto' });

/** The posted card whose Restore budget button names `campaignId`, with the blocks to send back on a click. */
function restoreCard(campaignId: string) {
  for (const c of t.world.fake.callsTo('chat.postMessage')) {
    if ((c.response as { ok?: boolean } | undefined)?.ok !== true) continue;
    const blocks = (c.body.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[];
    const button = blocks
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .find((e) => e.action_id === 'pacing_restore_budget' && e.value === campaignId);
    if (button) return { blocks, channel: String(c.body.channel), ts: String((c.response as { ts: string }).ts) };
  }
  throw new Error(`no card with a Restore budget button for ${campaignId}`);
}

const click = (userId: string, responseId: string, card: ReturnType<typeof restoreCard>) =>
  blockAction(t.world.base, SECRET, {
    userId,
    actionId: 'pacing_restore_budget',
    value: 'ACM-G-007',
    channelId: card.channel,
    messageTs: card.ts,
    blocks: card.blocks,
    responseUrl: t.world.fake.responseUrl(responseId),
  });

describe('Restore budget', () => {
  it('refuses someone who is not an approver, and changes nothing', async () => {
    await t.start();
    await t.runFromSlack();
    const card = restoreCard('ACM-G-007');
    expect((await click(BUYER, 'buyer', card)).status).toBe(200);
    const said = JSON.stringify((await t.world.fake.waitForRespond((r) => r.id === 'buyer', 5_000)).body);
    expect(said).toMatch(/approver/i);
    expect(t.audit('budget_changed').filter((a) => JSON.parse(a.details).restore === true)).toEqual([]);
  });

  it("restores the campaign's budget through the agent, audits it, then takes the button off the card", async () => {
    await t.start();
    await t.runFromSlack();
    const changed = t.audit('budget_changed').find((a) => a.campaign_id === 'ACM-G-007');
    expect(JSON.parse(changed?.details ?? '{}')).toMatchObject({ from: 1200, to: 1025.45, currency: 'GBP' });
    const card = restoreCard('ACM-G-007');

    expect((await click(APPROVER, 'approver', card)).status).toBe(200);
    const reply = await t.world.fake.waitForRespond((r) => r.id === 'approver', 5_000);
    const body = reply.body as { replace_original?: boolean; blocks?: { type: string; block_id?: string }[] };
    expect(body.replace_original).toBe(true);
    expect(body.blocks?.some((b) => b.type === 'actions' && b.block_id?.startsWith('restore_budget:'))).toBe(false);
    expect(JSON.stringify(body.blocks)).toContain('restored to 1,200.00 GBP (was 1,025.45 GBP)');

    const restores = t.audit('budget_changed').filter((a) => JSON.parse(a.details).restore === true);
    expect(restores).toHaveLength(1);
    expect(restores[0]).toMatchObject({ actor: APPROVER, campaign_id: 'ACM-G-007' });
    expect(JSON.parse(restores[0]?.details ?? '{}')).toMatchObject({ from: 1025.45, to: 1200, restore: true });

    // A second click finds nothing left to undo and says so; nothing is changed twice.
    expect((await click(APPROVER, 'again', card)).status).toBe(200);
    const again = JSON.stringify((await t.world.fake.waitForRespond((r) => r.id === 'again', 5_000)).body);
    expect(again).toMatch(/nothing to put back/);
    expect(t.audit('budget_changed').filter((a) => JSON.parse(a.details).restore === true)).toHaveLength(1);
  });
});
