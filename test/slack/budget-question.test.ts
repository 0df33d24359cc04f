// A budget question end to end through Slack, in BUDGET_ACTIONS=ask: `/pacing run` posts the question card about
// ACM-G-007's daily budget and the DE Boots pool's rebalance card to the fake Slack API; a signed click on Approve
// through Bolt's real HTTP receiver changes the fixture platform's budget (kept in the database and read back by the
// next run), audits budget_changed and updates the card, whose "Restore budget" button then puts it back.
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/runs.js';
import { blockAction, slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack({ BUDGET_ACTIONS: 'ask' });

// ACM-G-007 (BF26 Football, Google): 1,200.00 GBP a day; at this rate it ends 31.2 % over, and 1,025.45 a day lands it.
const G007 = '21098765432';

type Blocks = { type: string; block_id?: string; elements?: { action_id?: string; value?: string }[] }[];

/** The question card posted to the approvals channel whose header contains `title`. */
function card(title: string) {
  const call = t.world.fake
    .callsTo('chat.postMessage')
    .find(
      (c) =>
        c.body.channel === CHANNELS.approvals &&
        (c.response as { ok?: boolean } | undefined)?.ok === true &&
        JSON.stringify((c.body.blocks as unknown[] | undefined)?.[0] ?? '').includes(title),
    );
  if (!call) throw new Error(`no question card titled "${title}"`);
  const blocks = call.body.blocks as Blocks;
  const buttons = blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
  return { blocks, buttons, ts: String((call.response as { ts: string }).ts), text: JSON.stringify(blocks) };
}

const click = (actionId: string, value: string, ts: string, blocks: Blocks, responseId: string) =>
  blockAction(t.world.base, SECRET, {
    userId: APPROVER,
    actionId,
    value,
    channelId: CHANNELS.approvals,
    messageTs: ts,
    blocks,
    responseUrl: t.world.fake.responseUrl(responseId),
  });

/** The card as the app last replaced it (chat.update of the message at `ts`). */
const updated = async (ts: string) => {
  const call = await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === ts, 5_000);
  const blocks = call.body.blocks as Blocks;
  return { blocks, text: JSON.stringify(blocks) };
};

const fixtureBudgets = () =>
  t.read(
    (db) =>
      db.prepare('SELECT campaign_id, daily_budget FROM fixture_campaign_budget ORDER BY campaign_id').all() as {
        campaign_id: string;
        daily_budget: number;
      }[],
  );
const details = (a: { details: string } | undefined) => JSON.parse(a?.details ?? '{}') as Record<string, unknown>;

describe('BUDGET_ACTIONS=ask through Slack', () => {
  it('approve sets the daily budget on the platform and updates the card; Restore budget puts it back', async () => {
    await t.start();
    await t.runFromSlack();
    const q = card('Set the daily budget of Acme_UK_Football_BlackFriday_Q4 to 1,025.45 GBP?');
    // The forecast before and after sits beside the buttons.
    expect(q.text).toContain('At this rate the flight ends at *23,616.00 GBP* of its 18,000.00 GBP budget (+31.20%)');
    const [yes, no] = q.buttons;
    expect(yes).toMatchObject({ action_id: 'pacing_approve', text: { text: 'Set daily budget to 1,025.45 GBP' } });
    expect(no).toMatchObject({ action_id: 'pacing_reject', text: { text: 'Keep 1,200.00 GBP' } });
    const id = yes?.value as string;
    expect(fixtureBudgets()).toEqual([]);

    expect((await click('pacing_approve', id, q.ts, q.blocks, 'approve')).status).toBe(200);
    const after = await updated(q.ts);
    expect(after.text).toContain(
      ':money_with_wings: Daily budget set to 1,025.45 GBP: Acme_UK_Football_BlackFriday_Q4',
    );
    expect(after.text).toContain(`*<@${APPROVER}> approved*`);
    // The question's buttons are gone; the undo is offered in their place.
    const buttons = after.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([['pacing_restore_budget', 'ACM-G-007']]);

    const changed = t.audit('budget_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ actor: APPROVER, campaign_id: 'ACM-G-007', platform_campaign_id: G007 });
    expect(details(changed[0])).toMatchObject({
      from: 1200,
      to: 1025.45,
      currency: 'GBP',
      by: APPROVER,
      escalationId: id,
    });
    expect(fixtureBudgets()).toEqual([{ campaign_id: G007, daily_budget: 1025.45 }]);
    expect(t.audit('escalation_approved').map((a) => details(a).escalationId)).toContain(id);

    // The next run reads the new budget back from the platform: it lands the flight, nothing is left to propose.
    await t.runFromSlack('second run');
    const { runs, latest } = await t.readStore(async (sql) => {
      const store = new RunStore(sql);
      return { runs: await store.completedSince(null), latest: await store.latestResultFor('google', G007) };
    });
    expect(runs).toHaveLength(2);
    expect(latest?.runId).toBe(runs[1]?.id);
    expect(latest?.budgetProposal ?? null).toBeNull();

    expect((await click('pacing_restore_budget', 'ACM-G-007', q.ts, after.blocks, 'restore')).status).toBe(200);
    const reply = await t.world.fake.waitForRespond((r) => r.id === 'restore', 5_000);
    const body = reply.body as { replace_original?: boolean; blocks?: Blocks };
    expect(body.replace_original).toBe(true);
    expect(JSON.stringify(body.blocks)).toContain('Daily budget restored to 1,200.00 GBP (was 1,025.45 GBP)');
    expect(body.blocks?.some((b) => b.type === 'actions')).toBe(false);
    const restores = t.audit('budget_changed').filter((a) => details(a).restore === true);
    expect(restores).toHaveLength(1);
    expect(restores[0]).toMatchObject({ actor: APPROVER, campaign_id: 'ACM-G-007' });
    expect(details(restores[0])).toMatchObject({ from: 1025.45, to: 1200, currency: 'GBP', restore: true });
    expect(fixtureBudgets()).toEqual([{ campaign_id: G007, daily_budget: 1200 }]);
  }, 60_000);

  it('asks about the DE Boots pool with its figures, and approving applies each change', async () => {
    await t.start();
    await t.runFromSlack();
    const q = card('Rebalance DE Boots');
    // The pool's own figures, kept with the question: the busy buyer's whole question in the header.
    expect(q.text).toMatch(/Rebalance DE Boots: 3 changes, lands at \d+\.\d % of 60,000 EUR/);
    expect(q.text).toContain("At today's rates the pool ends at *");
    expect(q.text).toContain('of its 60,000.00 EUR');
    for (const id of ['ACM-G-020', 'ACM-G-022', 'ACM-M-020']) expect(q.text).toContain(`(${id}): `);
    expect(q.text).toContain('restart the learning phase');
    const [yes] = q.buttons;
    expect(yes).toMatchObject({ action_id: 'pacing_approve', text: { text: 'Apply 3 changes' } });
    // /pacing status of a member says what the rebalance does to it, and which question asks it.
    await slashCommand(t.world.base, SECRET, {
      text: 'status ACM-G-020',
      userId: APPROVER,
      channelId: CHANNELS.alerts,
      responseUrl: t.world.fake.responseUrl('status'),
    });
    const status = JSON.stringify((await t.world.fake.waitForRespond((r) => r.id === 'status', 5_000)).body);
    expect(status).toContain(`*Budget pool DE Boots:* 650.00 → 780.00 EUR a day, asked in rebalance \`${yes?.value}\``);

    expect((await click('pacing_approve', yes?.value as string, q.ts, q.blocks, 'pool')).status).toBe(200);
    const after = await updated(q.ts);
    expect(after.text).toContain('Rebalanced: pool DE Boots');
    expect(after.text).toContain("At today's rates the pool ends at *");
    const changed = t.audit('budget_changed');
    expect(changed.map((a) => a.campaign_id).sort()).toEqual(['ACM-G-020', 'ACM-G-022', 'ACM-M-020']);
    expect(fixtureBudgets()).toHaveLength(3);
    for (const a of changed) {
      const b = fixtureBudgets().find((f) => f.campaign_id === a.platform_campaign_id);
      expect(b?.daily_budget).toBe(details(a).to);
    }

    // Each change can be put back from the card, one campaign at a time.
    const restoreButtons = () =>
      after.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).map((b) => [b.action_id, b.value]);
    expect(restoreButtons()).toEqual([
      ['pacing_restore_budget', 'ACM-G-020'],
      ['pacing_restore_budget', 'ACM-G-022'],
      ['pacing_restore_budget', 'ACM-M-020'],
    ]);
    expect(after.text).toContain('Restore Acme_DE_Boots_Display_Q4');
    expect((await click('pacing_restore_budget', 'ACM-G-022', q.ts, after.blocks, 'undo-one')).status).toBe(200);
    const reply = await t.world.fake.waitForRespond((r) => r.id === 'undo-one', 5_000);
    const body = reply.body as { replace_original?: boolean; blocks?: Blocks };
    expect(body.replace_original).toBe(true);
    expect(JSON.stringify(body.blocks)).toContain('Daily budget restored to 420.00 EUR (was 504.00 EUR)');
    // That campaign's button is gone; the others stay.
    const left = (body.blocks ?? [])
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .map((b) => b.value);
    expect(left).toEqual(['ACM-G-020', 'ACM-M-020']);
    const g022 = changed.find((a) => a.campaign_id === 'ACM-G-022')?.platform_campaign_id;
    expect(fixtureBudgets().find((f) => f.campaign_id === g022)?.daily_budget).toBe(420);
    expect(
      t
        .audit('budget_changed')
        .filter((a) => details(a).restore === true)
        .map((a) => a.campaign_id),
    ).toEqual(['ACM-G-022']);
  }, 60_000);
});
