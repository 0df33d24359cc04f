// PagerDuty's Events API v2 (POST /v2/enqueue) and the deliverer that drains paging's queue into it: the routing
// key added at send time, a 429 and 5xx retried with backoff, a refused event kept as failed and audited.
import { DeliveryLoop } from '../delivery-loop.js';
import type { Logger } from '../log.js';
import { redactAndClip, redactText } from '../redact.js';
import type { Store } from '../store/index.js';
import type { PageAction, PageEvent } from '../store/pages.js';

export interface PagerDutySettings {
  routingKey: string;
  eventsUrl: string;
}

/**
 * What became of one event, as the Events API's response codes say (developer.pagerduty.com, "Response Codes &
 * Retry Logic"): 202 accepted; 400 refused (do not retry); 429 rate limited and 5xx or no answer (retry later).
 */
export type SendResult =
  | { outcome: 'accepted'; dedupKey: string | null }
  | { outcome: 'refused'; status: number; error: string }
  | { outcome: 'rate_limited'; retryAfterMs: number | null }
  | { outcome: 'retry'; error: string };

/** Sends one event; never throws. The routing key goes in the request body only, never into a result. */
export async function sendEvent(
  settings: PagerDutySettings,
  event: { action: PageAction; dedupKey: string; body: Record<string, unknown> },
  timeoutMs = 10_000,
): Promise<SendResult> {
  const request = {
    ...event.body,
    routing_key: settings.routingKey,
    event_action: event.action,
    dedup_key: event.dedupKey,
  };
  const { url, authorization } = target(settings.eventsUrl);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    return { outcome: 'retry', error: redactText(`PagerDuty could not be reached: ${messageOf(err)}`) };
  }
  const answer = parseAnswer(text);
  if (res.status >= 200 && res.status < 300)
    return { outcome: 'accepted', dedupKey: typeof answer?.dedup_key === 'string' ? answer.dedup_key : null };
  if (res.status === 429)
    return { outcome: 'rate_limited', retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
  const said = describe(answer, text);
  if (res.status >= 500 || res.status === 408)
    return { outcome: 'retry', error: redactText(`PagerDuty answered HTTP ${res.status}${said ? `: ${said}` : ''}`) };
  return {
    outcome: 'refused',
    status: res.status,
    error: redactText(`PagerDuty refused the event (HTTP ${res.status})${said ? `: ${said}` : ''}`),
  };
}

/** fetch refuses a URL with credentials in it: a proxy's user and password go in an Authorization header instead. */
function target(eventsUrl: string): { url: string; authorization: string | null } {
  const u = new URL(eventsUrl);
  if (!u.username && !u.password) return { url: eventsUrl, authorization: null };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${basic}` };
}

interface Answer {
  status?: unknown;
  message?: unknown;
  dedup_key?: unknown;
  errors?: unknown;
}

function parseAnswer(text: string): Answer | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Answer) : null;
  } catch {
    return null;
  }
}

/** `invalid event: Event object is invalid (Length of 'routing_key' is incorrect)`, or the start of a non-JSON body. */
function describe(answer: Answer | null, text: string): string {
  // Redacted before it is cut: a 400 echoing the event cut through the routing key would leave half of it.
  if (!answer) return redactAndClip(text.trim(), 200);
  const errors = Array.isArray(answer.errors) ? answer.errors.map(String) : [];
  const head = [answer.status, answer.message].filter((v) => typeof v === 'string' && v).join(': ');
  return redactAndClip(`${head}${errors.length ? ` (${errors.join('; ')})` : ''}`, 1_000);
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1_000, MAX_BACKOFF_MS);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.min(Math.max(0, at - Date.now()), MAX_BACKOFF_MS);
}

const messageOf = (err: unknown): string => {
  const e = err as { name?: string; message?: string; cause?: { message?: string; code?: string } };
  if (e?.name === 'TimeoutError') return 'no answer within the time allowed';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
};

const LEASE_MS = 30_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** PagerDuty suggests retrying a rate-limited event about 30 seconds later, backing off from there. */
const RATE_LIMIT_BASE_MS = 30_000;
const ERROR_BASE_MS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** A link PagerDuty shows on the incident (Events API v2 `links`). */
export interface PageLink {
  href: string;
  text: string;
}

/**
 * Finds the links for a trigger when it is sent, not when the incident opens: the Slack message about it is
 * usually still being posted then. Resolves to none when there are none; may throw (the event goes without).
 */
export type LinkFinder = (event: PageEvent) => Promise<PageLink[]>;

export interface DelivererOptions {
  now?: () => number;
  random?: () => number;
  /** Links for trigger events (the Slack permalink of the related message); none when unset. */
  links?: LinkFinder;
}

/** Delivers queued events oldest first, one incident's events in order; passes run one at a time. */
export class PagerDutyDeliverer extends DeliveryLoop {
  private readonly random: () => number;
  private readonly links: LinkFinder | null;

  constructor(
    private readonly store: Store,
    private readonly settings: PagerDutySettings,
    log: Logger,
    private readonly clock: () => string,
    opts: DelivererOptions = {},
  ) {
    super(log, { now: opts.now ?? Date.now, idleMs: 5_000, what: 'PagerDuty' });
    this.random = opts.random ?? Math.random;
    this.links = opts.links ?? null;
  }

  protected nextDueAt(): Promise<number | null> {
    return this.store.pages.nextDueAt();
  }

  protected pendingCount(): Promise<number> {
    return this.store.pages.pendingCount();
  }

  protected async pass(): Promise<void> {
    for (;;) {
      let sent = 0;
      for (const event of await this.store.pages.due(this.now())) {
        if (this.halting || this.now() >= this.until) return;
        if (!(await this.store.pages.claim(event.id, this.now(), LEASE_MS))) continue;
        await this.deliver(event);
        sent++;
      }
      // Sending may have made an incident's next event due (a resolve behind its trigger): look again.
      if (sent === 0) return;
    }
  }

  private async deliver(event: PageEvent): Promise<void> {
    const { pages } = this.store;
    const body = event.action === 'trigger' ? await this.withLinks(event) : event.body;
    const timeout = Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, this.until - this.now()));
    const result = await sendEvent(this.settings, { ...event, body }, timeout);
    const about = { pageEventId: event.id, dedupKey: event.dedupKey, action: event.action };
    switch (result.outcome) {
      case 'accepted':
        await pages.markSent(event.id, this.clock());
        this.log.info(about, 'PagerDuty accepted the event');
        return;
      case 'rate_limited': {
        const wait = result.retryAfterMs ?? this.backoff(RATE_LIMIT_BASE_MS, event.attempts);
        this.log.warn({ ...about, retryInMs: wait }, 'PagerDuty rate limit: the event waits and is sent again');
        await pages.retryLater(event.id, this.now() + wait, `rate limited (HTTP 429), retry in ${wait} ms`);
        return;
      }
      case 'retry': {
        const wait = this.backoff(ERROR_BASE_MS, event.attempts);
        this.log.warn({ ...about, error: result.error, retryInMs: wait }, 'PagerDuty delivery failed; will retry');
        await pages.retryLater(event.id, this.now() + wait, result.error);
        return;
      }
      case 'refused': {
        this.log.error({ ...about, error: result.error }, 'PagerDuty refused an event; kept as failed');
        const subject = (event.body.payload as { custom_details?: Record<string, unknown> } | undefined)
          ?.custom_details;
        const field = (k: string) => (typeof subject?.[k] === 'string' ? (subject[k] as string) : null);
        await this.store.transaction(async (tx) => {
          await tx.pages.markFailed(event.id, result.error);
          await tx.audit.append({
            at: this.clock(),
            type: 'notification_failed',
            actor: 'agent',
            campaignId: field('campaignId'),
            platform: field('platform'),
            platformCampaignId: field('platformCampaignId'),
            details: {
              channel: 'pagerduty',
              pageEventId: event.id,
              dedupKey: event.dedupKey,
              action: event.action,
              status: result.status,
              error: result.error,
            },
          });
        });
        return;
      }
    }
  }

  /** The trigger's body with its links when any are known; a link that cannot be found never holds a page up. */
  private async withLinks(event: PageEvent): Promise<Record<string, unknown>> {
    if (!this.links) return event.body;
    try {
      const links = await this.links(event);
      return links.length > 0 ? { ...event.body, links } : event.body;
    } catch (err) {
      this.log.warn({ err, pageEventId: event.id }, 'no Slack link for the PagerDuty event; it is sent without');
      return event.body;
    }
  }

  /** Exponential from `base`, capped at 5 minutes, with jitter (half to all of it). */
  private backoff(base: number, attempts: number): number {
    const full = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(attempts, 12));
    return Math.round(full / 2 + (this.random() * full) / 2);
  }
}
