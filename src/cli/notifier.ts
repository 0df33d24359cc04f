// The CLI's notifier: without Slack, alerts and escalations are collected and printed after the table.
import type { Escalation, EscalationClosed, Notifier, ResultRow } from '../agent/ports.js';
import { formatMoney, formatPct } from '../domain/money.js';
import type { RunFigures } from '../domain/run-counts.js';

export class CollectingNotifier implements Notifier {
  readonly lines: string[] = [];

  async alert(row: ResultRow): Promise<void> {
    const what = row.action === 'halt' ? 'HALT ' : 'ALERT';
    const id = row.campaignId ?? `${row.platform}:${row.platformCampaignId}`;
    const name = row.campaignName ?? row.platformCampaignName;
    const cur = row.platformCurrency ?? row.currency;
    const gap =
      row.actualSpend !== null && row.targetSpend !== null && row.variancePct !== null
        ? ` (${formatMoney(Math.abs(row.actualSpend - row.targetSpend), cur)} ${row.actualSpend >= row.targetSpend ? 'over' : 'under'} plan)`
        : '';
    this.lines.push(
      `${what} ${id}${name ? ` ${name}` : ''}: ${formatPct(row.variancePct)}${gap}, confidence ${row.confidence}. ${row.actionNote ?? row.reason}`,
    );
  }

  async runAlerts(_runId: string, rows: readonly ResultRow[]): Promise<void> {
    for (const row of rows) await this.alert(row);
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
  async runAlerts(runId: string, rows: readonly ResultRow[], figures?: RunFigures): Promise<void> {
    for (const n of this.all) await n.runAlerts(runId, rows, figures);
  }
  async escalationOpened(e: Escalation): Promise<void> {
    for (const n of this.all) await n.escalationOpened(e);
  }
  async escalationClosed(c: EscalationClosed): Promise<void> {
    for (const n of this.all) await n.escalationClosed(c);
  }
  async escalationUpdated(e: Escalation): Promise<void> {
    for (const n of this.all) await n.escalationUpdated?.(e);
  }
  async campaignResumed(r: Parameters<NonNullable<Notifier['campaignResumed']>>[0]): Promise<void> {
    for (const n of this.all) await n.campaignResumed?.(r);
  }
}
