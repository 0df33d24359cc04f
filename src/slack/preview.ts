// `pacing preview`: the Slack messages of the latest run — its alerts, its open questions and the digest — built
// by the same notifier and views that post them, without a workspace: as Block Kit, or as plain text.
import type { Reads } from '../agent/reads.js';
import type { ResultRow } from '../domain/records.js';
import { runFigures } from '../domain/run-counts.js';
import type { Store } from '../store/index.js';
import type { NewOutboxItem } from '../store/outbox.js';
import { buildDigest, type DigestReads } from './digest.js';
import { SlackNotifier } from './notifier.js';
import { digestBlocks, digestText } from './views/digest.js';

/** Where a message would go: the role of its channel (SLACK_ALERT_CHANNEL, SLACK_APPROVAL_CHANNEL, SLACK_DIGEST_CHANNEL). */
export type PreviewChannel = 'alerts' | 'approvals' | 'digest';

export interface PreviewMessage {
  /** Its place in the preview, 1 first; `threadOf` names the message whose thread it is posted in. */
  n: number;
  channel: PreviewChannel;
  kind: string;
  threadOf: number | null;
  text: string;
  blocks: unknown[];
}

export interface Preview {
  runId: string | null;
  messages: PreviewMessage[];
}

/**
 * Rows whose cards a run posts: its alerts and pauses (open questions go to the approvals channel instead), but
 * not one it found unchanged since the last post (`notice` "repeat"): the run did not post it again.
 */
const alerted = (r: ResultRow) =>
  (r.action === 'alert' || r.action === 'halt') && r.status !== 'awaiting_approval' && r.notice !== 'repeat';

/**
 * The messages the latest run posted, as an empty channel would show them: the notifier writes into a list instead
 * of the outbox, so a summary with its cards in the thread, the ten-card cap and the buttons are exactly Slack's.
 */
export async function buildPreview(
  reads: DigestReads & Pick<Reads, 'latest' | 'openedIn'>,
  now: string,
  settings: { healthyVariance: number },
): Promise<Preview> {
  const latest = await reads.latest();
  if (!latest) return { runId: null, messages: [] };
  const messages: PreviewMessage[] = [];
  const capture = {
    outbox: {
      enqueue: async (item: NewOutboxItem) => {
        const n = messages.length + 1;
        const payload = item.payload as { text?: unknown; blocks?: unknown };
        messages.push({
          n,
          channel: item.channel as PreviewChannel,
          kind: item.kind,
          threadOf: item.threadOf ?? null,
          text: String(payload.text ?? ''),
          blocks: Array.isArray(payload.blocks) ? payload.blocks : [],
        });
        return n;
      },
      lastHaltAlert: async () => null,
    },
    transaction: <T>(fn: (tx: Store) => Promise<T>): Promise<T> => fn(capture),
  } as unknown as Store;
  const notifier = new SlackNotifier(capture, { alert: 'alerts', approval: 'approvals' }, () => now);
  // The summary's counts and money are the whole run's, as the run gives them (and the CLI prints them).
  const figures = runFigures(latest.results, await reads.openedIn(latest.run.id));
  await notifier.runAlerts(latest.run.id, latest.results.filter(alerted), figures);
  for (const e of await reads.pending()) await notifier.escalationOpened(e);
  // The digest as the first one would read (nothing to compare with); its chart is uploaded beside it.
  const digest = await buildDigest(reads, null, now, { healthyVariance: settings.healthyVariance });
  await capture.outbox.enqueue(
    {
      kind: 'digest',
      method: 'chat.postMessage',
      channel: 'digest',
      payload: { text: digestText(digest), blocks: digestBlocks(digest) },
    },
    now,
  );
  return { runId: latest.run.id, messages };
}

/** Slack's mrkdwn for a terminal: dates, mentions and links by their readable part; escapes undone. */
export function plainMrkdwn(text: string): string {
  return text
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/<#([A-Z0-9]+)(\|[^>]*)?>/g, '#$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

interface AnyBlock {
  type: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { type?: string; text?: string | { text?: string }; alt_text?: string }[];
  accessory?: { type?: string; text?: { text?: string } };
  alt_text?: string;
}

const buttonLabel = (e: { text?: string | { text?: string } }) =>
  `[${typeof e.text === 'string' ? e.text : (e.text?.text ?? '')}]`;

/** One message's blocks as lines of text: headers, sections, fields, context, buttons in brackets. */
export function renderBlocks(blocks: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const raw of blocks as AnyBlock[]) {
    switch (raw.type) {
      case 'header':
        out.push(`# ${raw.text?.text ?? ''}`);
        break;
      case 'section':
        if (raw.text?.text) out.push(...plainMrkdwn(raw.text.text).split('\n'));
        for (const f of raw.fields ?? [])
          out.push(
            ...plainMrkdwn(f.text ?? '')
              .split('\n')
              .map((l) => `  ${l}`),
          );
        if (raw.accessory?.type === 'button') out.push(`  ${buttonLabel(raw.accessory)}`);
        break;
      case 'context':
        out.push(
          `  ${(raw.elements ?? [])
            .map((e) =>
              e.type === 'image' ? '' : plainMrkdwn(typeof e.text === 'string' ? e.text : (e.text?.text ?? '')),
            )
            .filter(Boolean)
            .join(' · ')}`,
        );
        break;
      case 'actions':
        out.push((raw.elements ?? []).map(buttonLabel).join(' '));
        break;
      case 'divider':
        out.push('---');
        break;
      case 'image':
        out.push(`[image: ${raw.alt_text ?? ''}]`);
        break;
      default:
        out.push(`[${raw.type} block]`);
    }
  }
  return out;
}

/** The whole preview for a terminal: each message under a line saying where it goes. */
export function previewText(p: Preview): string {
  if (p.runId === null) return 'No pacing run yet, so nothing to preview. Start one with: npx pacing run';
  const parts = [`The Slack messages of run ${p.runId} (\`--json\` gives their Block Kit):`];
  for (const m of p.messages) {
    const where = m.threadOf ? `#${m.channel}, in the thread of message ${m.threadOf}` : `#${m.channel}`;
    parts.push('', `── ${m.n}. ${where} · ${m.kind} ──`, ...renderBlocks(m.blocks));
  }
  parts.push('', 'In Slack the digest also carries a chart of spend against plan (a PNG upload).');
  return parts.join('\n');
}
