// Sends the digest: the message and its chart go into the outbox in one transaction, with the digest's time, so
// the next digest counts from here. The dispatcher delivers them in that order.
import type { WebClient } from '@slack/web-api';
import { Reads } from '../agent/reads.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { chartAltText, chartData, renderSpendChart } from './chart.js';
import { buildDigest, type Digest } from './digest.js';
import { Dispatcher } from './dispatcher.js';
import { plainNote, withNote } from './views/blocks.js';
import { digestBlocks, digestText } from './views/digest.js';

export interface DigestSettings {
  channel: string;
  /** The healthy band (percent): a forecast beyond it misses its budget; the chart shades it. */
  healthyVariance: number;
  /** PACING_TZ, for the chart's title. */
  timeZone: string;
  /** Demo data or a dry run (views/blocks.ts, modeNote): said in the digest's context line. */
  note?: string | null;
}

/**
 * Queues the digest message and, when the latest run has anything to draw, its chart as a PNG upload
 * (`files.uploadV2`: Slack's getUploadURLExternal / completeUploadExternal flow). The chart is shared in the
 * digest's channel just after the message (not in its thread), so a reader sees it without opening anything;
 * the dispatcher keeps a channel's order, so it never comes before the digest. A chart that fails to render is
 * logged and left out: the digest still goes.
 */
export async function postDigest(
  store: Store,
  settings: DigestSettings,
  until: string,
  log: Logger,
  render: typeof renderSpendChart = renderSpendChart,
): Promise<{ digest: Digest; outboxIds: number[] }> {
  const digest = await buildDigest(new Reads(store), await store.digests.lastAt(settings.channel), until, {
    healthyVariance: settings.healthyVariance,
  });
  let png: Buffer | null = null;
  if (digest.latestAt) {
    try {
      png = await render(digest.results, {
        runAt: digest.latestAt,
        timeZone: settings.timeZone,
        healthyVariance: settings.healthyVariance,
      });
    } catch (err) {
      log.warn({ err }, 'could not render the digest chart; the digest goes out without it');
    }
  }
  const outboxIds = await store.transaction(async (tx) => {
    const ids = [
      await tx.outbox.enqueue(
        {
          kind: 'digest',
          method: 'chat.postMessage',
          channel: settings.channel,
          payload: {
            text: settings.note ? `${digestText(digest)} (${plainNote(settings.note)})` : digestText(digest),
            blocks: withNote(digestBlocks(digest), settings.note ?? null),
          },
        },
        until,
      ),
    ];
    if (png && digest.latestAt) {
      const day = digest.latestAt.slice(0, 10);
      ids.push(
        await tx.outbox.enqueue(
          {
            kind: 'digest_chart',
            method: 'files.uploadV2',
            channel: settings.channel,
            payload: {
              file: png.toString('base64'),
              filename: `pacing-${day}.png`,
              title: `Spend against plan to date (run of ${day})`,
              // Slack's name for it (files.getUploadURLExternal), not @slack/web-api's `alt_text`.
              alt_txt: chartAltText(chartData(digest.results)),
            },
          },
          until,
        ),
      );
    }
    await tx.digests.record(settings.channel, until, digest.runs);
    return ids;
  });
  return { digest, outboxIds };
}

/** A digest sent now: where each of its messages stands once delivery had its time, and Slack's refusal if any. */
export interface DigestDelivery {
  digest: Digest;
  /** One per message (the digest, then its chart): sent, or still pending for a running server to deliver. */
  statuses: string[];
  refused: string | null;
}

/**
 * `digest --now`: queues the digest exactly as the schedule does (so the next scheduled one counts from here), then
 * delivers the outbox for up to `waitMs` (15 s) at the channel's pace; what is left, a running `serve` delivers.
 */
export async function sendDigestNow(
  store: Store,
  settings: DigestSettings,
  client: WebClient,
  log: Logger,
  clock: () => string,
  delivery: { waitMs?: number; channelPaceMs?: number } = {},
): Promise<DigestDelivery> {
  const { digest, outboxIds } = await postDigest(store, settings, clock(), log);
  const pace = delivery.channelPaceMs === undefined ? {} : { channelPaceMs: delivery.channelPaceMs };
  await new Dispatcher(store, client, log, clock, pace).flush(delivery.waitMs ?? 15_000);
  const items = await Promise.all(outboxIds.map((id) => store.outbox.get(id)));
  const failed = items.find((i) => i?.status === 'failed');
  return {
    digest,
    statuses: items.map((i) => i?.status ?? 'pending'),
    refused: failed ? (failed.lastError ?? 'unknown error') : null,
  };
}
