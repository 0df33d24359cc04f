// Delivers queued messages to Slack: paced per channel, Retry-After honoured, transient failures retried
// with backoff, refusals kept as failed (never dropped), audited, and out of the way of the messages behind them.
import type { WebClient } from '@slack/web-api';
import { DeliveryLoop, sleep } from '../delivery-loop.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { OutboxItem } from '../store/outbox.js';
import { sharedIn, uploadFile } from './file-upload.js';
import { ESCALATION_UPDATE } from './notifier.js';

/** Slack's errors that say it could not answer now: retried with backoff, for as long as it takes. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/**
 * Slack errors that no retry will fix: refused at the first try. Any other error Slack answers (e.g.
 * `msg_blocks_too_long`) is tried up to MAX_TRIES times, then refused the same way.
 */
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

/** Tries a message gets before an error Slack answers (other than a transient one) counts as a refusal. */
export const MAX_TRIES = 3;

/** What a failed call means for its message. */
export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; error: string }
  | { kind: 'refused'; error: string; final: boolean };

/**
 * Reads a WebClient error: a rate limit; Slack busy or unreachable (network, timeout, HTTP 5xx); or a refusal,
 * final once it is a known permanent error or the message has had `tries` (this one included) of MAX_TRIES.
 */
export function classifyFailure(err: unknown, tries: number): SlackFailure {
  const e = (err ?? {}) as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    message?: string;
    statusCode?: number;
  };
  const slackError = e.data?.error;
  const error = slackError ?? e.message ?? String(err);
  if (e.code === 'slack_webapi_rate_limited_error' || slackError === 'ratelimited')
    return { kind: 'rate_limited', retryAfterMs: ((e.retryAfter ?? 1) * 1_000) | 0 };
  if (slackError === undefined) {
    const transient =
      e.code === 'slack_webapi_request_error' ||
      (e.code === 'slack_webapi_http_error' &&
        (e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 408));
    if (transient) return { kind: 'transient', error };
  } else if (TRANSIENT.has(slackError)) return { kind: 'transient', error };
  return {
    kind: 'refused',
    error,
    final: (slackError !== undefined && PERMANENT.has(slackError)) || tries >= MAX_TRIES,
  };
}

const LEASE_MS = 60_000;
/** Looks for a completed upload in its channel this many times, further apart each time (1, 2, 3… s). */
const SHARE_CHECKS = 6;
const SHARE_CHECK_MS = 1_000;

interface FilePayload {
  file: string;
  filename: string;
  title?: string;
  alt_txt?: string;
  alt_text?: string;
  /** Set once uploaded: what is left is to see it shared. */
  fileId?: string;
  shareChecks?: number;
}
const MAX_BACKOFF_MS = 5 * 60_000;
/** Slack allows about one message per second per channel. */
const CHANNEL_PACE_MS = 1_000;

export interface DispatcherOptions {
  now?: () => number;
  /** Least time between two messages to one channel (ms): Slack's pace unless a test's fake Slack is faster. */
  channelPaceMs?: number;
  random?: () => number;
  /** Told when Slack refused a message for good (paging looks again: a refused halt or question pages). */
  onRefused?: (item: OutboxItem) => void;
}

export class Dispatcher extends DeliveryLoop {
  private readonly lastPost = new Map<string, number>();
  private readonly random: () => number;
  private readonly paceMs: number;
  private readonly onRefused: (item: OutboxItem) => void;

  constructor(
    private readonly store: Store,
    private readonly client: WebClient,
    log: Logger,
    private readonly clock: () => string,
    opts: DispatcherOptions = {},
  ) {
    super(log, { now: opts.now ?? Date.now, idleMs: 2_000, what: 'outbox' });
    this.random = opts.random ?? Math.random;
    this.paceMs = opts.channelPaceMs ?? CHANNEL_PACE_MS;
    this.onRefused = opts.onRefused ?? (() => {});
  }

  protected nextDueAt(): Promise<number | null> {
    return this.store.outbox.nextDueAt();
  }

  protected pendingCount(): Promise<number> {
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
      const waiting = await this.store.outbox.waitingByChannel(this.now());
      for (const item of await this.store.outbox.due(this.now())) {
        // Past flush()'s deadline (or stopping) nothing new is started: the rest waits for the server.
        if (this.halting || this.now() >= this.until) return;
        if (paced.has(item.channel)) continue;
        if (
          (item.method === 'chat.postMessage' || item.method === 'files.uploadV2') &&
          (waiting.get(item.channel) ?? Number.POSITIVE_INFINITY) < item.id
        )
          continue;
        const gap = this.paceMs - (this.now() - (this.lastPost.get(item.channel) ?? 0));
        if (gap > 0) {
          paced.add(item.channel);
          waitMs = Math.min(waitMs, gap);
          continue;
        }
        if (!(await this.store.outbox.claim(item.id, this.now(), LEASE_MS))) continue;
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
      const parent = await outbox.get(item.threadOf);
      if (parent?.status === 'pending') {
        await outbox.defer(item.id, this.now() + 1_000, 'waiting for the summary message to go out');
        return;
      }
      if (parent?.ts) args.thread_ts = parent.ts;
    }
    if (
      item.kind === ESCALATION_UPDATE &&
      (await this.store.escalations.get(item.escalationId ?? ''))?.status !== 'pending'
    ) {
      // Decided since it was queued: the outcome replaces the message, and its buttons must not come back.
      await outbox.drop(item.id, 'the question was decided before its update went out');
      return;
    }
    if (item.method === 'chat.update' && typeof item.payload.ts === 'string') {
      // An edit of a message already posted (a halt's card after a resume): nothing to wait for.
    } else if (item.method === 'chat.update') {
      const target = await this.updateTarget(item);
      if (target === 'wait') {
        // The announcement is being sent by another dispatcher right now: update it once it has its ts.
        await outbox.defer(item.id, this.now() + 2_000, 'waiting for the announcement to go out');
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
      await this.store.transaction(async (tx) => {
        await tx.outbox.markSent(item.id, this.clock(), res.ts ?? null);
        // What the audit trail calls "alert_sent" is what Slack accepted, not what the agent decided to say.
        if (item.subject && (item.kind === 'alert' || item.kind === 'halt_alert')) {
          await tx.audit.append({
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
      this.log.info(
        { outboxId: item.id, kind: item.kind, method, channel: res.channel ?? item.channel, ts: res.ts ?? null },
        `Posted to Slack: ${item.kind}`,
      );
      // An update posted as the first message (its announcement never went out) is the message to edit later.
      if ((item.kind === 'escalation' || item.kind === ESCALATION_UPDATE) && item.escalationId && res.ts) {
        await this.store.escalations.setMessage(item.escalationId, res.channel ?? item.channel, res.ts);
      }
    } catch (err) {
      await this.failed(item, err);
    }
  }

  /**
   * A file (the digest's chart): uploaded and shared to the item's channel (file-upload.ts), then sent only once
   * Slack shows it shared there. Until then it waits (a few checks, without counting tries); a file Slack never
   * shares is refused like a message. A failure while uploading retries the whole flow (a fresh upload URL).
   */
  private async deliverFile(item: OutboxItem, args: Record<string, unknown>): Promise<void> {
    const p = item.payload as unknown as FilePayload;
    try {
      const fileId =
        p.fileId ??
        (await uploadFile(this.client, {
          bytes: Buffer.from(p.file, 'base64'),
          filename: p.filename,
          title: p.title ?? p.filename,
          // Queued before alt_txt was used, an item may still say alt_text.
          altText: p.alt_txt ?? p.alt_text ?? null,
          channel: item.channel,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
        }));
      const share = await sharedIn(this.client, fileId, item.channel).catch((err: unknown) => {
        // An app installed before files:read was asked for cannot look: the upload is all it can know.
        if ((err as { data?: { error?: string } }).data?.error !== 'missing_scope') throw err;
        this.log.warn(
          { outboxId: item.id, fileId },
          'cannot confirm the file was shared without the files:read scope (add it to the Slack app)',
        );
        return { shared: true as const, ts: null };
      });
      if (share.shared) {
        await this.store.outbox.markSent(item.id, this.clock(), share.ts);
        return;
      }
      const checks = (p.shareChecks ?? 0) + 1;
      if (checks >= SHARE_CHECKS) {
        await this.refused(item, `Slack did not share file ${fileId} in ${item.channel}`, item.attempts + 1);
        return;
      }
      // Kept with the item, so a restart checks the same file instead of uploading it again.
      await this.store.outbox.setPayload(item.id, { ...item.payload, fileId, shareChecks: checks });
      await this.store.outbox.defer(
        item.id,
        this.now() + SHARE_CHECK_MS * checks,
        'waiting for Slack to share the file',
      );
    } catch (err) {
      await this.failed(item, err);
    }
  }

  /** Where to apply an update; supersedes an announcement that is still queued. */
  private async updateTarget(item: OutboxItem): Promise<{ channel: string; ts: string } | 'wait' | null> {
    if (!item.escalationId) return null;
    const posted = await this.store.escalations.message(item.escalationId);
    if (posted) return posted;
    const announcement = await this.store.outbox.announcement(item.escalationId);
    if (
      announcement &&
      announcement.status === 'pending' &&
      !(await this.store.outbox.supersede(announcement.id, this.now()))
    ) {
      return 'wait';
    }
    return null;
  }

  private async failed(item: OutboxItem, err: unknown): Promise<void> {
    const slackError = (err as { data?: { error?: string } }).data?.error;
    if (item.method === 'chat.update' && slackError === 'message_not_found') {
      await this.store.outbox.retryLater(item.id, this.now(), slackError);
      await this.store.escalations.setMessage(item.escalationId ?? '', '', '');
      return;
    }
    const tries = item.attempts + 1;
    const failure = classifyFailure(err, tries);
    if (failure.kind === 'rate_limited') {
      const wait = failure.retryAfterMs;
      this.log.warn(
        { outboxId: item.id, channel: item.channel, retryAfterMs: wait },
        'Slack rate limit: waiting as asked',
      );
      await this.store.outbox.retryLater(item.id, this.now() + wait, `rate limited, retry after ${wait} ms`);
      // The channel's next post may go once the wait is over (not a further pacing gap after it).
      this.lastPost.set(item.channel, this.now() + wait - this.paceMs);
      return;
    }
    if (failure.kind === 'refused' && failure.final) {
      await this.refused(item, failure.error, tries);
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(item.attempts, 12));
    const delay = Math.round(backoff / 2 + (this.random() * backoff) / 2);
    this.log.warn(
      { outboxId: item.id, error: failure.error, tries, retryInMs: delay },
      failure.kind === 'refused'
        ? `Slack refused a message; trying again (at most ${MAX_TRIES} tries)`
        : 'Slack delivery failed; will retry',
    );
    await this.store.outbox.retryLater(item.id, this.now() + delay, failure.error);
  }

  /**
   * Slack refused the message for good: kept as failed with Slack's error (an operator can send it again), audited
   * against its campaign, and no longer holding back its channel. Paging is told: a halt or a question nobody saw
   * pages.
   */
  private async refused(item: OutboxItem, error: string, tries: number): Promise<void> {
    this.log.error(
      { outboxId: item.id, kind: item.kind, channel: item.channel, error, tries },
      'Slack refused a message; kept as failed in the outbox, later messages go on',
    );
    await this.store.transaction(async (tx) => {
      await tx.outbox.markFailed(item.id, error);
      await tx.audit.append({
        at: this.clock(),
        type: 'notification_failed',
        actor: 'agent',
        runId: item.runId,
        campaignId: item.subject?.campaignId ?? null,
        platform: item.subject?.platform ?? null,
        platformCampaignId: item.subject?.platformCampaignId ?? null,
        details: {
          outboxId: item.id,
          kind: item.kind,
          channel: item.channel,
          error,
          tries,
          ...(item.escalationId ? { escalationId: item.escalationId } : {}),
        },
      });
    });
    this.onRefused(item);
  }
}
