// PagerDuty incidents link to the Slack message about them (the question to decide, or the alert card), so that
// whoever is paged lands where the buttons are: the message found in the outbox, its permalink from Slack.
import type { WebClient } from '@slack/web-api';
import type { LinkFinder, PageLink } from '../ops/pagerduty.js';
import type { Store } from '../store/index.js';

export interface PageLinkOptions {
  /** How long to wait for a message still queued (the run's messages go out as the page does). */
  waitMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const WAIT_MS = 5_000;
const POLL_MS = 200;

/** What the incident's details name: the escalation, else the campaign. */
function subjectOf(body: Record<string, unknown>) {
  const details = ((body.payload as { custom_details?: Record<string, unknown> } | undefined)?.custom_details ??
    {}) as Record<string, unknown>;
  const text = (k: string) => (typeof details[k] === 'string' && details[k] !== '' ? (details[k] as string) : null);
  return {
    escalationId: text('escalationId'),
    platform: text('platform'),
    platformCampaignId: text('platformCampaignId'),
  };
}

export function slackPageLinks(store: Store, client: WebClient, opts: PageLinkOptions = {}): LinkFinder {
  const waitMs = opts.waitMs ?? WAIT_MS;
  const pollMs = opts.pollMs ?? POLL_MS;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (event) => {
    const subject = subjectOf(event.body);
    let message = await store.outbox.messageAbout(subject);
    // A message still queued gets a moment to be posted (it usually is within a second); then the page goes without.
    for (let waited = 0; message?.ts === null && message.status === 'pending' && waited < waitMs; waited += pollMs) {
      await sleep(pollMs);
      message = await store.outbox.messageAbout(subject);
    }
    if (!message?.ts) return [];
    const res = await client.chat.getPermalink({ channel: message.channel, message_ts: message.ts });
    if (!res.ok || typeof res.permalink !== 'string') return [];
    const link: PageLink = {
      href: res.permalink,
      text: message.kind === 'escalation' ? 'The question in Slack (decide there)' : 'The alert in Slack',
    };
    return [link];
  };
}
