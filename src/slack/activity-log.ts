// What `serve` did, at info level, for the operator reading its logs: each pause, each question asked, each
// decision. A notifier in front of Slack's, so every path that acts (runs, clicks, expiries) is logged alike.
import type { Escalation, EscalationClosed, Notifier, ResultRow } from '../agent/ports.js';
import type { RunFigures } from '../domain/run-counts.js';
import type { Logger } from '../log.js';

const where = (r: Pick<ResultRow, 'campaignId' | 'platform' | 'platformCampaignId'>) => ({
  campaignId: r.campaignId,
  platform: r.platform,
  platformCampaignId: r.platformCampaignId,
});

export class LoggingNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly log: Logger,
  ) {}

  private pause(row: ResultRow): void {
    if (row.action !== 'halt' || row.pause === null) return;
    const about = { ...where(row), runId: row.runId, variancePct: row.variancePct, escalationId: row.escalationId };
    if (row.pause === 'paused') this.log.info(about, `Paused ${row.campaignId ?? row.platformCampaignId}`);
    else if (row.pause === 'would_pause')
      this.log.info(about, `Dry run: ${row.campaignId ?? row.platformCampaignId} would have been paused`);
    else if (row.pause === 'failed')
      this.log.warn({ ...about, note: row.actionNote }, `Pause of ${row.campaignId ?? row.platformCampaignId} failed`);
  }

  async alert(row: ResultRow): Promise<void> {
    this.pause(row);
    await this.inner.alert(row);
  }

  async runAlerts(runId: string, rows: readonly ResultRow[], figures?: RunFigures): Promise<void> {
    for (const row of rows) this.pause(row);
    await this.inner.runAlerts(runId, rows, figures);
  }

  async escalationOpened(e: Escalation): Promise<void> {
    this.log.info(
      {
        escalationId: e.id,
        campaignId: e.campaignId,
        platform: e.platform,
        platformCampaignId: e.platformCampaignId,
        proposedAction: e.proposedAction,
        campaigns: e.batch ? e.batch.members.length : undefined,
      },
      `Asked approvers: ${e.reason}`,
    );
    await this.inner.escalationOpened(e);
  }

  async escalationClosed(c: EscalationClosed): Promise<void> {
    this.log.info(
      {
        escalationId: c.escalation.id,
        campaignId: c.escalation.campaignId,
        decision: c.decision,
        actor: c.actor,
        outcome: c.outcome,
      },
      `Decision on ${c.escalation.id}: ${c.detail}`,
    );
    await this.inner.escalationClosed(c);
  }

  /** A batch whose members changed: passed on, or Slack's message would go on showing the old question. */
  async escalationUpdated(e: Escalation): Promise<void> {
    await this.inner.escalationUpdated?.(e);
  }

  async campaignResumed(r: { platform: string; platformCampaignId: string; actor: string; at: string }): Promise<void> {
    this.log.info(r, `Campaign ${r.platform}:${r.platformCampaignId} resumed by ${r.actor}`);
    await this.inner.campaignResumed?.(r);
  }
}
