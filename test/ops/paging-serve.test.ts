// `pacing serve` with Slack and PagerDuty configured, in process: a pause that fails opens one incident however
// often runs repeat, and its recovery (the pause approved in Slack, now taking effect) resolves it.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type Server, serve } from '../../src/slack/serve.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';
import { FAKE_SLACK } from '../fakes/slack-api.js';
import { blockAction, slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, SECRET, type SlackWorld, slackWorld } from '../slack/helpers.js';

const KEY = 'b1c2d3e4f5a60718293a4b5c6d7e8f90';
const G004 = '20512340004';
const PAUSE_KEY = `pacing:pause_failed:google:${G004}`;

let world: SlackWorld;
let pd: FakePagerDuty;
let server: Server | null = null;

beforeEach(async () => {
  pd = await startFakePagerDuty();
  world = await slackWorld({ PAGERDUTY_ROUTING_KEY: KEY, PAGERDUTY_EVENTS_URL: pd.url });
});

afterEach(async () => {
  await server?.stop();
  server = null;
  await world.cleanup();
  await pd.close();
});

/** A second connection to serve's database, as an operator's tool would open it. */
function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(world.env.PACING_DB as string);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function runFromSlack(id: string): Promise<void> {
  const res = await slashCommand(world.base, SECRET, {
    text: 'run',
    userId: APPROVER,
    channelId: CHANNELS.alerts,
    responseUrl: world.fake.responseUrl(id),
  });
  expect(res.status).toBe(200);
  await world.fake.waitForRespond((r) => r.id === id, 20_000);
}

const triggers = () => pd.accepted().filter((e) => e.event_action === 'trigger');

describe('pacing serve pages PagerDuty', () => {
  it('opens one incident for a failing pause across runs, and resolves it when the approved pause takes effect', async () => {
    server = await serve(loadConfig(world.env), silentLogger());
    // Google refuses to pause ACM-G-004 (the fixture platform keeps its pauses in this table).
    withDb((db) =>
      db.exec(
        `CREATE TRIGGER refuse_pause BEFORE INSERT ON fixture_campaign_status WHEN NEW.campaign_id = '${G004}'
         BEGIN SELECT RAISE(ABORT, 'Google Ads refused the change (PERMISSION_DENIED)'); END`,
      ),
    );

    await runFromSlack('run-1');
    const trigger = await pd.waitFor((r) => r.status === 202, 10_000);
    expect(trigger.body).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: PAUSE_KEY,
      payload: { severity: 'critical', class: 'pause_failed', custom_details: { campaignId: 'ACM-G-004' } },
    });

    // The incident links to the Slack question about the campaign (its permalink, from chat.getPermalink), where
    // whoever is paged can decide.
    const question = withDb(
      (db) =>
        db
          .prepare(
            `SELECT o.channel, o.ts FROM outbox o JOIN escalations e ON e.id = o.escalation_id
             WHERE o.kind = 'escalation' AND e.platform_campaign_id = ? AND o.status = 'sent'`,
          )
          .get(G004) as { channel: string; ts: string },
    );
    expect(question.channel).toBe(CHANNELS.approvals);
    expect(trigger.body).toMatchObject({
      links: [
        {
          href: `https://${FAKE_SLACK.teamDomain}.slack.com/archives/${CHANNELS.approvals}/p${question.ts.replace('.', '')}`,
          text: 'The question in Slack (decide there)',
        },
      ],
    });
    expect(world.fake.callsTo('chat.getPermalink')).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({ channel: question.channel, message_ts: question.ts }),
      }),
    ]);

    await runFromSlack('run-2');
    await new Promise((r) => setTimeout(r, 500));
    expect(triggers()).toHaveLength(1);
    expect(pd.alerts).toEqual([expect.objectContaining({ dedupKey: PAUSE_KEY, status: 'triggered', triggers: 1 })]);

    // Google takes changes again; an approver approves the pause that the (latest) failure asked for.
    withDb((db) => db.exec('DROP TRIGGER refuse_pause'));
    const { id } = withDb(
      (db) =>
        db.prepare(`SELECT id FROM escalations WHERE platform_campaign_id = ? AND status = 'pending'`).get(G004) as {
          id: string;
        },
    );
    const announced = await world.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === CHANNELS.approvals &&
        JSON.stringify(c.body.blocks).includes(`"value":"${id}"`) &&
        (c.response as { ok?: boolean } | undefined)?.ok === true,
      20_000,
    );
    const click = await blockAction(world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_approve',
      value: id,
      channelId: CHANNELS.approvals,
      messageTs: String((announced.response as { ts: string }).ts),
      responseUrl: world.fake.responseUrl('approve'),
    });
    expect(click.status).toBe(200);
    const resolve = await pd.waitFor(
      (r) => r.status === 202 && (r.body as { event_action?: string }).event_action === 'resolve',
      10_000,
    );
    expect(resolve.body).toMatchObject({ routing_key: KEY, dedup_key: PAUSE_KEY });
    expect(pd.alerts).toEqual([expect.objectContaining({ dedupKey: PAUSE_KEY, status: 'resolved', triggers: 1 })]);
    const audited = withDb(
      (db) =>
        db.prepare(`SELECT actor FROM audit WHERE type = 'campaign_paused' AND platform_campaign_id = ?`).all(G004) as {
          actor: string;
        }[],
    );
    expect(audited).toEqual([{ actor: APPROVER }]);

    // Stopping leaves nothing queued, and the routing key in no table.
    await server.stop();
    server = null;
    withDb((db) => {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM page_events WHERE status = 'pending'`).get()).toEqual({ n: 0 });
      expect(JSON.stringify(db.prepare('SELECT * FROM page_events').all())).not.toContain(KEY);
      expect(db.prepare('SELECT status FROM page_incidents WHERE dedup_key = ?').get(PAUSE_KEY)).toEqual({
        status: 'resolved',
      });
    });
  }, 90_000);
});
