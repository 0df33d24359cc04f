// The CLI's notifier: without Slack, alerts and escalations are collected and printed after the table.
import type { Escalation, EscalationClosed, Notifier, ResultRow } from '../agent/ports.js';
import { formatPct } from '../domain/money.js';

export class CollectingNotifier implements Notifier {
  readonly lines: string[] = [];

  async alert(row: ResultRow): Promise<void> {
    const what = row.action === 'halt' ? 'HALT ' : 'ALERT';
    const name = row.campaignId ?? `${row.platform}:${row.platformCampaignId}`;
    this.lines.push(
      `${what} ${name}: variance ${formatPct(row.variancePct)}, confidence ${row.confidence}. ${row.actionNote ?? row.reason}`,
    );
  }

  async escalationOpened(e: Escalation): Promise<void> {
    const name = e.batch
      ? `${e.batch.members.length} campaigns`
      : (e.campaignId ?? `${e.platform}:${e.platformCampaignId}`);
    this.lines.push(`ASK   ${e.id} ${name}: proposes ${e.proposedAction}. ${e.reason}`);
  }

  async escalationClosed(c: EscalationClosed): Promise<void> {
    this.lines.push(`DONE  ${c.escalation.id}: ${c.detail}`);
  }
}

/** Sends to several notifiers: the terminal and Slack's outbox. */
export class TeeNotifier implements Notifier {
  constructor(private readonly all: Notifier[]) {}
  async alert(row: ResultRow): Promise<void> {
    for (const n of this.all) await n.alert(row);
  }
  async escalationOpened(e: Escalation): Promise<void> {
    for (const n of this.all) await n.escalationOpened(e);
  }
  async escalationClosed(c: EscalationClosed): Promise<void> {
    for (const n of this.all) await n.escalationClosed(c);
  }
}
