// The Slack notifier: renders each message and queues it durably; the dispatcher delivers it.
import type { Notifier } from '../agent/ports.js';
import type { Escalation, EscalationClosed, ResultRow } from '../domain/records.js';
import type { RunFigures } from '../domain/run-counts.js';
import type { Store } from '../store/index.js';
import {
  alertBlocks,
  alertSummaryBlocks,
  alertSummaryText,
  alertText,
  byUrgency,
  MAX_THREADED,
  resumedBlocks,
} from './views/alert.js';
import { type Block, esc, plainNote, section, slackDate, withNote } from './views/blocks.js';
import { closedBlocks, escalationBlocks, escalationText } from './views/escalation.js';

/** An open question's message re-rendered in place (a batch whose members changed); dropped if decided first. */
export const ESCALATION_UPDATE = 'escalation_update';

/** More new alerts than this in one run are posted as one summary message with the cards in its thread. */
export const SUMMARY_ABOVE = 5;

export interface Channels {
  alert: string | null;
  approval: string | null;
}

/** What an alert is about, so its delivery is audited against the campaign as `alert_sent`. */
const subjectOf = (row: ResultRow) => ({
  campaignId: row.campaignId,
  platform: row.platform,
  platformCampaignId: row.platformCampaignId,
  details: {
    key: row.key,
    severity: row.severity,
    variancePct: row.variancePct,
    pause: row.pause,
    notice: row.notice ?? null,
    ...(row.escalationId ? { escalationId: row.escalationId } : {}),
  },
});

export class SlackNotifier implements Notifier {
  constructor(
    private readonly store: Store,
    private readonly channels: Channels,
    private readonly clock: () => string,
    private readonly onQueued: () => void = () => {},
    /** Said in every message's context line: demo data, or a dry run that paused nothing (views/blocks.ts). */
    private readonly note: string | null = null,
  ) {}

  /** The message as posted: with the note, in its context line and its notification text. */
  private noted(payload: { text: string; blocks: Block[] }): { text: string; blocks: Block[] } {
    if (!this.note) return payload;
    const plain = plainNote(this.note);
    const text = payload.text.includes(plain) ? payload.text : `${payload.text} (${plain})`;
    return { text, blocks: withNote(payload.blocks, this.note) };
  }

  /** One alert on its own (an approved escalation's alert). */
  async alert(row: ResultRow): Promise<void> {
    const channel = this.channels.alert;
    if (!channel) return;
    await this.queueAlert(channel, row, null);
  }

  /**
   * A run's new and changed alerts (SPEC, No alert fatigue): up to SUMMARY_ABOVE go out as cards; more become
   * one summary message with the cards in its thread, halts first. Past MAX_THREADED cards the thread ends with
   * one line naming how many more there are (Slack allows about one message a second per channel).
   */
  async runAlerts(runId: string, rows: readonly ResultRow[], figures?: RunFigures): Promise<void> {
    const channel = this.channels.alert;
    if (!channel || rows.length === 0) return;
    if (rows.length <= SUMMARY_ABOVE) {
      for (const row of byUrgency(rows)) await this.queueAlert(channel, row, null);
      return;
    }
    const sorted = byUrgency(rows);
    await this.store.transaction(async (tx) => {
      const parent = await tx.outbox.enqueue(
        {
          kind: 'alert_summary',
          method: 'chat.postMessage',
          channel,
          runId,
          payload: this.noted({
            text: alertSummaryText(rows, figures),
            blocks: alertSummaryBlocks(runId, rows, figures),
          }),
        },
        this.clock(),
      );
      // Every pause is posted, whatever the cap: it carries the undo button.
      const carded = sorted.filter((r, i) => i < MAX_THREADED || r.pause === 'paused' || r.pause === 'failed');
      for (const row of carded) await this.queueAlert(channel, row, parent, false, tx);
      const rest = sorted.length - carded.length;
      if (rest > 0) {
        const text = `${rest} more alert${rest === 1 ? '' : 's'} in run ${runId} are listed in \`/pacing status\` rather than posted one by one.`;
        await tx.outbox.enqueue(
          {
            kind: 'alert',
            method: 'chat.postMessage',
            channel,
            runId,
            threadOf: parent,
            payload: this.noted({ text, blocks: [section(text)] }),
          },
          this.clock(),
        );
      }
    });
    this.onQueued();
  }

  private async queueAlert(
    channel: string,
    row: ResultRow,
    threadOf: number | null,
    kick = true,
    via: Store = this.store,
  ): Promise<void> {
    await via.outbox.enqueue(
      {
        // A pause's card is found again by its kind when the campaign is resumed, to say so in its header.
        kind: row.pause === 'paused' ? 'halt_alert' : 'alert',
        method: 'chat.postMessage',
        channel,
        runId: row.runId,
        threadOf,
        subject: subjectOf(row),
        payload: this.noted({ text: alertText(row), blocks: alertBlocks(row) }),
      },
      this.clock(),
    );
    if (kick) this.onQueued();
  }

  async escalationOpened(e: Escalation): Promise<void> {
    const channel = this.channels.approval;
    if (!channel) return; // serve refuses to start without it; the CLI then only lists escalations
    await this.queue({
      kind: 'escalation',
      method: 'chat.postMessage',
      channel,
      escalationId: e.id,
      runId: e.runId,
      payload: this.noted({ text: escalationText(e), blocks: escalationBlocks(e) }),
    });
  }

  async escalationClosed(c: EscalationClosed): Promise<void> {
    const channel = this.channels.approval;
    if (!channel) return;
    await this.queue({
      kind: 'escalation_closed',
      method: 'chat.update',
      channel,
      escalationId: c.escalation.id,
      runId: c.escalation.runId,
      payload: this.noted({ text: `${escalationText(c.escalation)} — ${esc(c.detail)}`, blocks: closedBlocks(c) }),
    });
  }

  /**
   * Edits an open batch's message once its members changed (joined, or back on plan), to the count, money at
   * stake and biggest members now.
   * Only a message already queued or posted is edited: one never announced yet is posted with its members then.
   */
  async escalationUpdated(e: Escalation): Promise<void> {
    const channel = this.channels.approval;
    if (!channel || !(await this.store.outbox.announcement(e.id))) return;
    await this.queue({
      kind: ESCALATION_UPDATE,
      method: 'chat.update',
      channel,
      escalationId: e.id,
      runId: e.runId,
      payload: { text: escalationText(e), blocks: escalationBlocks(e) },
    });
  }

  /** Edits the card of a pause the agent made, once a person resumed the campaign. */
  async campaignResumed(r: { platform: string; platformCampaignId: string; actor: string; at: string }): Promise<void> {
    const { platform, platformCampaignId, actor: by, at } = r;
    const card = await this.store.outbox.lastHaltAlert(platform, platformCampaignId);
    if (!card?.ts) return;
    const blocks = resumedBlocks((card.payload.blocks ?? []) as Block[], by, slackDate(at));
    await this.queue({
      kind: 'alert_update',
      method: 'chat.update',
      channel: card.channel,
      // The card had its note when posted: withNote keeps it once.
      payload: { ts: card.ts, ...this.noted({ text: `Resumed by ${by}: ${String(card.payload.text ?? '')}`, blocks }) },
    });
  }

  private async queue(item: Parameters<Store['outbox']['enqueue']>[0]): Promise<void> {
    await this.store.outbox.enqueue(item, this.clock());
    this.onQueued();
  }
}
