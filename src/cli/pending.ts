// `pending` for people: the open questions oldest first, with their full reasons and times in words.

import { moneyAtStakeText, questionAtStake } from '../domain/overview.js';
import type { Escalation } from '../domain/records.js';
import { PLATFORM_NAME } from '../domain/types.js';
import { DEFAULT_WIDTH } from './results-table.js';
import { clip, plural, wrap } from './text.js';

/**
 * "Fri 20 Nov 09:00 UTC" in the configured time zone (PACING_TZ); the year is added when it is not the year of
 * `now` ("Tue 5 Jan 2027 09:00 UTC").
 */
export function readableTime(iso: string, timeZone = 'UTC', now?: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const parts = (at: number) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
  const p = parts(t);
  const sameYear = now !== undefined && !Number.isNaN(Date.parse(now)) && parts(Date.parse(now)).year === p.year;
  return `${p.weekday} ${p.day} ${p.month}${sameYear ? '' : ` ${p.year}`} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

/** "just now", "40 min ago", "3 h ago", "in 21 h", "2 days ago". */
export function relativeTime(iso: string, now: string): string {
  const ms = Date.parse(iso) - Date.parse(now);
  if (Number.isNaN(ms)) return '';
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 1) return 'just now';
  const span =
    minutes < 60
      ? `${minutes} min`
      : minutes < 48 * 60
        ? `${Math.round(minutes / 60)} h`
        : plural(Math.round(minutes / 1440), 'day');
  return ms < 0 ? `${span} ago` : `in ${span}`;
}

/** Oldest first; questions raised together (one run) by campaign id, batches and orphans last. */
export function byAge(pending: readonly Escalation[]): Escalation[] {
  const last = '\uffff';
  return [...pending].sort(
    (a, b) =>
      Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
      (a.campaignId ?? last).localeCompare(b.campaignId ?? last) ||
      a.id.localeCompare(b.id),
  );
}

/** Which campaign a question is about, by its plan id and name (an orphan: the platform's). */
export function questionLabel(e: Escalation): string {
  if (e.batch) return `${plural(e.batch.members.filter((m) => !m.dropped).length, 'campaign')} (batch)`;
  const name = e.snapshot?.campaignName ?? e.snapshot?.platformCampaignName ?? null;
  if (e.campaignId) return name ? `${e.campaignId} · ${name}` : e.campaignId;
  return `(orphan) ${PLATFORM_NAME[e.platform] ?? e.platform} ${e.platformCampaignId ?? '—'}${name ? ` · ${name}` : ''}`;
}

/**
 * The open questions, oldest first, each in three parts: id, proposal and campaign; the money at stake, when it was
 * raised and when it expires, in words; and its full reason on lines of its own.
 */
export function pendingTable(
  pending: readonly Escalation[],
  now: string,
  timeZone = 'UTC',
  width = DEFAULT_WIDTH,
): string {
  if (pending.length === 0) return 'No escalations are waiting for a decision.';
  // The campaigns line up below the longest proposal listed ("proposes rebalance" is longer than "proposes alert").
  const proposes = Math.max(...pending.map((e) => `proposes ${e.proposedAction}`.length), 'proposes alert'.length);
  const blocks = byAge(pending).map((e) => {
    const head = `${e.id}  ${`proposes ${e.proposedAction}`.padEnd(proposes)}  ${questionLabel(e)}`;
    const stake = `at stake ${moneyAtStakeText(questionAtStake(e)) || '—'}`;
    const raised = `raised ${relativeTime(e.createdAt, now)} (${readableTime(e.createdAt, timeZone, now)})`;
    const expires = `expires ${relativeTime(e.expiresAt, now)} (${readableTime(e.expiresAt, timeZone, now)})`;
    // On one line when it fits; else the money on its own, then the times (together when they fit).
    const fits = (l: string) => l.length <= width - 2;
    const times = `${raised} · ${expires}`;
    const when = `${stake} · ${times}`;
    return [
      clip(head, width),
      ...(fits(when) ? [when] : fits(times) ? [stake, times] : [stake, raised, expires]).map((l) => `  ${l}`),
      ...wrap(e.reason, width - 2).map((l) => `  ${l}`),
    ].join('\n');
  });
  const n = pending.length;
  return [
    `${plural(n, 'escalation')} ${n === 1 ? 'waits' : 'wait'} for a decision, oldest first:`,
    '',
    blocks.join('\n\n'),
    '',
    'Decide with: npx pacing approve <escalation> --user <slack-user-id>',
    '         or: npx pacing reject <escalation> --user <slack-user-id> --reason "…"',
  ].join('\n');
}
