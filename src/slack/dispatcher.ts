// Delivers queued messages to Slack: paced per channel, Retry-After honoured, transient failures retried
// with backoff, permanent ones kept as failed (never dropped) and audited.
import type { WebClient } from '@slack/web-api';
import { DeliveryLoop, sleep } from '../delivery-loop.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { OutboxItem } from '../store/outbox.js';
import { ESCALATION_UPDATE } from './notifier.js';

/** Slack errors that no retry will fix: the message stays in the outbox as failed, for an operator. */
const PERMANENT = new Set([
  'invalid_blocks',
  'invalid_arguments',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'cant_update_message',
  'restricted_action',
]);

const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Slack allows about one message per second per channel. */
const CHANNEL_GAP_MS = 1_000;

export interface DispatcherOptions {
  now?: () => number;
  random?: () => number;
}

export class Dispatcher extends DeliveryLoop {
  private readonly lastPost = new Map<string, number>();
  private readonly random: () => number;

  constructor(
    private readonly store: Store,
    private readonly client: WebClient,
    log: Logger,
    private readonly clock: () => string,
    opts: DispatcherOptions = {},
  ) {
    super(log, { now: opts.now ?? Date.now, idleMs: 2_000, what: 'outbox' });
    this.random = opts.random ?? Math.random;
  }

  protected nextDueAt(): number | null {
    return this.store.outbox.nextDueAt();
  }

  protected pendingCount(): number {
    return this.store.outbox.pendingCount();
  }

  /**
   * Delivers due items, oldest first, until none is left that can go now. A channel posted to less than a
   * second ago waits its turn while other channels go ahead; within a channel the order is kept.
   */
  protected async pass(): Promise<void> {
    for (;;) {
      const paced = new Set<string>();
      let sent = 0;
      let waitMs = Number.POSITIVE_INFINITY;
      // A message waiting for its retry holds back the later messages of its channel (order is kept). Updates
      // edit an earlier message in place (or replace an announcement that never went out), so they need not wait.
      const waiting = this.store.outbox.waitingByChannel(this.now());
      for (const item of this.store.outbox.due(this.now())) {
        // Past flush()'s deadline (or stopping) nothing new is started: the rest waits for the server.
        if (this.halting || this.now() >= this.until) return;
        if (paced.has(item.channel)) continue;
        if (
          (item.method === 'chat.postMessage' || item.method === 'files.uploadV2') &&
          (waiting.get(item.channel) ?? Number.POSITIVE_INFINITY) < item.id
        )
          continue;
        const gap = CHANNEL_GAP_MS - (this.now() - (this.lastPost.get(item.channel) ?? 0));
        if (gap > 0) {
          paced.add(item.channel);
          waitMs = Math.min(waitMs, gap);
          continue;
        }
        if (!this.store.outbox.claim(item.id, this.now(), LEASE_MS)) continue;
        await this.deliver(item);
        this.lastPost.set(item.channel, Math.max(this.lastPost.get(item.channel) ?? 0, this.now()));
        paced.add(item.channel);
        sent++;
      }
      if (sent === 0 && waitMs === Number.POSITIVE_INFINITY) return;
      // Shutting down, or flush()'s deadline would pass while waiting: what is left goes on the next start.
      if (sent === 0 && (this.halting || this.now() + waitMs > this.until)) return;
      if (sent === 0) await sleep(waitMs);
    }
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { outbox } = this.store;
    let method = item.method;
    const args: Record<string, unknown> = { channel: item.channel, ...item.payload };
    if (item.threadOf !== null) {
      // A card under a run's summary: posted in its thread once the summary has its ts; if the summary could
      // not be posted at all, the card goes to the channel on its own rather than being lost.
      const parent = outbox.get(item.threadOf);
      if (parent?.status === 'pending') {
        outbox.retryLater(item.id, this.now() + 1_000, 'waiting for the summary message to go out');
        return;
      }
      if (parent?.ts) args.thread_ts = parent.ts;
    }
    if (item.kind === ESCALATION_UPDATE && this.store.escalations.get(item.escalationId ?? '')?.status !== 'pending') {
      // Decided since it was queued: the outcome replaces the message, and its buttons must not come back.
      outbox.drop(item.id, 'the question was decided before its update went out');
      return;
    }
    if (item.method === 'chat.update' && typeof item.payload.ts === 'string') {
      // An edit of a message already posted (a halt's card after a resume): nothing to wait for.
    } else if (item.method === 'chat.update') {
      const target = this.updateTarget(item);
      if (target === 'wait') {
        // The announcement is being sent by another dispatcher right now: update it once it has its ts.
        outbox.retryLater(item.id, this.now() + 2_000, 'waiting for the announcement to go out');
        return;
      }
      if (target) {
        args.channel = target.channel;
        args.ts = target.ts;
      } else {
        method = 'chat.postMessage'; // the original never went out: post the outcome as a new message
      }
    }
    if (item.method === 'files.uploadV2') {
      await this.deliverFile(item, args);
      return;
    }
    try {
      const res = (await this.client.apiCall(method, args)) as { ts?: string; channel?: string };
      this.store.transaction(() => {
        outbox.markSent(item.id, this.clock(), res.ts ?? null);
        // What the audit trail calls "alert_sent" is what Slack accepted, not what the agent decided to say.
        if (item.subject && (item.kind === 'alert' || item.kind === 'halt_alert')) {
          this.store.audit.append({
            at: this.clock(),
            type: 'alert_sent',
            actor: 'agent',
            runId: item.runId,
            campaignId: item.subject.campaignId,
            platform: item.subject.platform,
            platformCampaignId: item.subject.platformCampaignId,
            details: { ...item.subject.details, channel: res.channel ?? item.channel, ts: res.ts ?? null },
          });
        }
      });
      // An update posted as the first message (its announcement never went out) is the message to edit later.
      if ((item.kind === 'escalation' || item.kind === ESCALATION_UPDATE) && item.escalationId && res.ts) {
        this.store.escalations.setMessage(item.escalationId, res.channel ?? item.channel, res.ts);
      }
    } catch (err) {
      this.failed(item, err);
    }
  }

  /**
   * A file (the digest's chart) through Slack's external upload flow, as @slack/web-api's filesUploadV2 runs it:
   * files.getUploadURLExternal, the bytes POSTed to the URL it answers, files.completeUploadExternal sharing it to
   * the item's channel. A failure at any step retries the whole flow (a fresh upload URL each time).
   */
  private async deliverFile(item: OutboxItem, args: Record<string, unknown>): Promise<void> {
    const p = item.payload as { file: string; filename: string; title?: string; alt_text?: string };
    const file = {
      file: Buffer.from(p.file, 'base64'),
      filename: p.filename,
      title: p.title ?? p.filename,
      ...(p.alt_text ? { alt_text: p.alt_text } : {}),
    };
    try {
      await this.client.filesUploadV2(
        typeof args.thread_ts === 'string'
          ? { ...file, channel_id: item.channel, thread_ts: args.thread_ts }
          : { ...file, channel_id: item.channel },
      );
      // Slack shares the file asynchronously and answers no message ts for it.
      this.store.outbox.markSent(item.id, this.clock(), null);
    } catch (err) {
      this.failed(item, err);
    }
  }

  /** Where to apply an update; supersedes an announcement that is still queued. */
  private updateTarget(item: OutboxItem): { channel: string; ts: string } | 'wait' | null {
    if (!item.escalationId) return null;
    const posted = this.store.escalations.message(item.escalationId);
    if (posted) return posted;
    const announcement = this.store.outbox.announcement(item.escalationId);
    if (
      announcement &&
      announcement.status === 'pending' &&
      !this.store.outbox.supersede(announcement.id, this.now())
    ) {
      return 'wait';
    }
    return null;
  }

  private failed(item: OutboxItem, err: unknown): void {
    const e = err as {
      code?: string;
      retryAfter?: number;
      data?: { error?: string };
      message?: string;
      statusCode?: number;
    };
    const slackError = e.data?.error;
    const description = slackError ?? e.message ?? String(err);
    if (e.code === 'slack_webapi_rate_limited_error' || slackError === 'ratelimited') {
      const wait = ((e.retryAfter ?? 1) * 1_000) | 0;
      this.log.warn(
        { outboxId: item.id, channel: item.channel, retryAfterMs: wait },
        'Slack rate limit: waiting as asked',
      );
      this.store.outbox.retryLater(item.id, this.now() + wait, `rate limited, retry after ${wait} ms`);
      // The channel's next post may go once the wait is over (not a further pacing gap after it).
      this.lastPost.set(item.channel, this.now() + wait - CHANNEL_GAP_MS);
      return;
    }
    if (item.method === 'chat.update' && slackError === 'message_not_found') {
      this.store.outbox.retryLater(item.id, this.now(), description);
      this.store.escalations.setMessage(item.escalationId ?? '', '', '');
      return;
    }
    if (slackError && PERMANENT.has(slackError)) {
      this.log.error(
        { outboxId: item.id, channel: item.channel, error: slackError },
        'Slack refused a message; kept as failed in the outbox',
      );
      this.store.outbox.markFailed(item.id, description);
      this.store.audit.append({
        at: this.clock(),
        type: 'notification_failed',
        actor: 'agent',
        runId: item.runId,
        details: { outboxId: item.id, kind: item.kind, channel: item.channel, error: description },
      });
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(item.attempts, 12));
    const delay = Math.round(backoff / 2 + (this.random() * backoff) / 2);
    this.log.warn({ outboxId: item.id, error: description, retryInMs: delay }, 'Slack delivery failed; will retry');
    this.store.outbox.retryLater(item.id, this.now() + delay, description);
  }
}
