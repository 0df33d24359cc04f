// An open question's message brought up to date in place (a batch that grew), against a real SQLite store, the
// Slack notifier and dispatcher, and the fake Slack Web API: an edit queued before a decision never brings the
// buttons back, an edit of a message that never went out becomes the message, and a question never announced
// is left to its announcement.
import { afterEach, describe, expect, it } from 'vitest';
import type { Notifier } from '../../src/agent/ports.js';
import type { Escalation, EscalationClosed, ResultRow } from '../../src/domain/records.js';
import { silentLogger } from '../../src/log.js';
import { Dispatcher, type DispatcherOptions } from '../../src/slack/dispatcher.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import { type RecordedCall, startFakeSlackApi } from '../fakes/slack-api.js';
import { APPROVERS, fastClient, fixtureWorld } from './fixture-app.js';

const APPROVALS = 'C0APPROVE1';
const CAMPAIGN = 'ACM-M-005';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** The Slack notifier, limited to one campaign's escalation so that a test waits for one message, not six. */
class OnlyFor implements Notifier {
  constructor(readonly inner: SlackNotifier) {}
  async alert(_row: ResultRow): Promise<void> {}
  async runAlerts(_runId: string, _rows: readonly ResultRow[]): Promise<void> {}
  async escalationOpened(e: Escalation): Promise<void> {
    if (e.campaignId === CAMPAIGN) await this.inner.escalationOpened(e);
  }
  async escalationClosed(c: EscalationClosed): Promise<void> {
    if (c.escalation.campaignId === CAMPAIGN) await this.inner.escalationClosed(c);
  }
}

/** As if the process stopped before any announcement was queued. */
class NeverAnnounced extends OnlyFor {
  override async escalationOpened(_e: Escalation): Promise<void> {}
}

async function world(announce = true) {
  const w = fixtureWorld();
  cleanups.push(() => w.cleanup());
  const fake = await startFakeSlackApi({ knownChannels: [APPROVALS] });
  cleanups.push(() => fake.close());
  let slack: SlackNotifier | null = null;
  const app = await w.open((store) => {
    slack = new SlackNotifier(store, { alert: null, approval: APPROVALS }, () => new Date().toISOString());
    return announce ? new OnlyFor(slack) : new NeverAnnounced(slack);
  });
  await app.agent.run('test');
  const e = (await app.agent.pending()).find((x) => x.campaignId === CAMPAIGN) as Escalation;
  const items = () =>
    app.store.db.prepare('SELECT kind, method, status FROM outbox ORDER BY id').all() as {
      kind: string;
      method: string;
      status: string;
    }[];
  const dispatcher = (opts: DispatcherOptions = {}) => {
    const d = new Dispatcher(app.store, fastClient(fake.url), silentLogger(), () => new Date().toISOString(), opts);
    cleanups.push(() => d.stop());
    return d;
  };
  return { app, fake, e, items, dispatcher, slack: slack as unknown as SlackNotifier };
}

const ok = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;
const hasButtons = (blocks: unknown) => JSON.stringify(blocks).includes('"type":"actions"');

describe('an open question edited in place', () => {
  it('drops an edit that was still queued when the question was decided: the buttons do not come back', async () => {
    const { app, fake, e, items, dispatcher, slack } = await world();
    expect(await dispatcher().flush(5_000)).toBe(0);
    const ts = (await app.store.escalations.message(e.id))?.ts;
    await slack.escalationUpdated(e);
    await app.agent.decide(e.id, 'overridden', APPROVERS[0] as string, null, 'slack');
    expect(await dispatcher().flush(5_000)).toBe(0);

    expect(items().map((i) => [i.kind, i.status])).toEqual([
      ['escalation', 'sent'],
      ['escalation_update', 'superseded'],
      ['escalation_closed', 'sent'],
    ]);
    const message = fake.messages.get(`${APPROVALS}/${ts}`);
    expect(message?.updates).toBe(1);
    expect(hasButtons(message?.blocks)).toBe(false);
  });

  it('posts the edit as the message when the announcement has not gone out, and edits that one later', async () => {
    const { app, fake, e, items, dispatcher, slack } = await world();
    fake.failNext('chat.postMessage', { status: 503 }, 2);
    let offset = 0;
    const d = dispatcher({ now: () => Date.now() + offset, random: () => 1 });
    await d.drain(); // 503: retry in 1 s
    offset += 1_000;
    await d.drain(); // 503 again: retry in 2 s
    await slack.escalationUpdated(e);
    offset += 1_000; // the edit is due (and its channel free); the announcement is not
    await d.drain();
    expect(items().map((i) => [i.kind, i.method, i.status])).toEqual([
      ['escalation', 'chat.postMessage', 'superseded'],
      ['escalation_update', 'chat.update', 'sent'],
    ]);
    const posted = fake.callsTo('chat.postMessage').filter(ok);
    expect(posted).toHaveLength(1);
    expect(hasButtons(posted[0]?.body.blocks)).toBe(true);
    const ts = (posted[0]?.response as { ts?: string } | undefined)?.ts;
    expect(await app.store.escalations.message(e.id)).toEqual({ channel: APPROVALS, ts });

    await app.agent.decide(e.id, 'approved', APPROVERS[0] as string, null, 'slack');
    offset += 5_000;
    await d.drain();
    expect(
      fake
        .callsTo('chat.update')
        .filter(ok)
        .map((c) => c.body.ts),
    ).toEqual([ts]);
    expect(hasButtons(fake.messages.get(`${APPROVALS}/${ts}`)?.blocks)).toBe(false);
  });

  it('queues nothing for a question not announced yet: its announcement will show it as it is then', async () => {
    const { e, items, slack } = await world(false);
    expect(items()).toEqual([]);
    await slack.escalationUpdated(e);
    expect(items()).toEqual([]);
  });
});
