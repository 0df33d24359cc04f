// PagerDuty triggers carry `links` (the Slack message about the incident) when a LinkFinder knows one: found when
// the event is sent, sent without when there is none or finding fails; the fake refuses links PagerDuty would.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { type Config, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { Pager, pagingSettings } from '../../src/ops/pager.js';
import type { LinkFinder } from '../../src/ops/pagerduty.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';

const KEY = 'a93facc04764012d7bfb002500d5d1a7';
const G004 = '20512340004';
const LINK = { href: 'https://acme.slack.com/archives/C0APPROVALS/p1732093200000100', text: 'The question in Slack' };

let fake: FakePagerDuty;
let dir: string;
let app: App;
let config: Config;

beforeEach(async () => {
  fake = await startFakePagerDuty();
  dir = mkdtempSync(join(tmpdir(), 'pacing-links-'));
  cpSync(FIXTURES, join(dir, 'data'), { recursive: true });
  config = loadConfig({
    PACING_DATA_DIR: join(dir, 'data'),
    PACING_DB: join(dir, 'p.db'),
    PACING_NOW: NOW,
    PAGERDUTY_ROUTING_KEY: KEY,
    PAGERDUTY_EVENTS_URL: fake.url,
    LOG_LEVEL: 'silent',
  });
  app = await createApp(config, new CollectingNotifier());
  // A pause the platform refuses: one pause_failed incident to page.
  app.store.db.exec(
    `CREATE TRIGGER refuse_pause BEFORE INSERT ON fixture_campaign_status WHEN NEW.campaign_id = '${G004}'
     BEGIN SELECT RAISE(ABORT, 'the platform refused the change (PERMISSION_DENIED)'); END`,
  );
  await app.agent.run('cli');
});

afterEach(async () => {
  await app.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function page(links: LinkFinder): Promise<Record<string, unknown>[]> {
  const settings = pagingSettings(config) as NonNullable<ReturnType<typeof pagingSettings>>;
  const pager = new Pager(app.store, settings, silentLogger(), config.clock, { links });
  await pager.evaluate();
  await pager.deliverer.drain();
  return fake.accepted();
}

describe('links on PagerDuty events', () => {
  it('adds the links the finder gives to a trigger, asked when the event is sent, with its details', async () => {
    const asked: unknown[] = [];
    const [event] = await page(async (e) => {
      asked.push((e.body.payload as { custom_details?: unknown }).custom_details);
      return [LINK];
    });
    expect(event).toMatchObject({ event_action: 'trigger', links: [LINK] });
    expect(asked).toEqual([expect.objectContaining({ platform: 'google', platformCampaignId: G004 })]);
    // Found at send time, not stored with the event.
    expect(JSON.stringify(await app.store.pages.events())).not.toContain(LINK.href);
  });

  it('sends the trigger without links when the finder knows none', async () => {
    const [none] = await page(async () => []);
    expect(none).toMatchObject({ event_action: 'trigger' });
    expect(none).not.toHaveProperty('links');
  });

  it('never holds a page up for a link: a failing finder leaves the event to go without', async () => {
    const [event] = await page(async () => {
      throw new Error('channel_not_found');
    });
    expect(event).toMatchObject({ event_action: 'trigger', dedup_key: `pacing:pause_failed:google:${G004}` });
    expect(event).not.toHaveProperty('links');
    expect(await app.store.pages.events()).toEqual([expect.objectContaining({ status: 'sent' })]);
  });

  it('is refused by the fake as PagerDuty refuses bad links', async () => {
    const post = async (links: unknown) => {
      const res = await fetch(fake.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: KEY,
          event_action: 'trigger',
          payload: { summary: 's', source: 'h', severity: 'info' },
          links,
        }),
      });
      return { status: res.status, body: (await res.json()) as { errors?: string[] } };
    };
    expect((await post([LINK])).status).toBe(202);
    expect((await post([{ href: LINK.href }])).status).toBe(202);
    expect((await post({ href: LINK.href })).body.errors).toEqual(["'links' must be an array"]);
    expect((await post([{ text: 'no href' }])).body.errors).toEqual(["'links[0].href' must be an http or https URL"]);
  });
});
