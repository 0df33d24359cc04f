// The Slack notifier: renders each message and queues it durably; the dispatcher delivers it.
import type { Escalation, EscalationClosed, Notifier, ResultRow } from '../agent/ports.js';
import type { Store } from '../store/index.js';
import { alertBlocks, alertText } from './views/alert.js';
import { esc, section } from './views/blocks.js';
import { closedBlocks, escalationBlocks, escalationText } from './views/escalation.js';

/** Slack posts about one message per second per channel: past this, a run's alerts are summarised. */
export const MAX_ALERTS_PER_RUN = 20;

export interface Channels {
  alert: string | null;
  approval: string | null;
}

export class SlackNotifier implements Notifier {
  constructor(
    private readonly store: Store,
    private readonly channels: Channels,
    private readonly clock: () => string,
    private readonly onQueued: () => void = () => {},
  ) {}

  async alert(row: ResultRow): Promise<void> {
    const channel = this.channels.alert;
    if (!channel) return;
    const message = { text: alertText(row), blocks: alertBlocks(row) };
    // Anything that touched a campaign (a pause, a failed pause, a dry-run pause) is always posted on its own:
    // it carries the undo button and the owner. Only warnings are summarised past the cap.
    if (row.pause !== null && row.pause !== undefined) {
      this.queue({ kind: 'halt_alert', method: 'chat.postMessage', channel, runId: row.runId, payload: message });
      return;
    }
    const posted = this.store.outbox.countForRun(row.runId, 'alert');
    if (posted > MAX_ALERTS_PER_RUN) return;
    if (posted === MAX_ALERTS_PER_RUN) {
      const text = `More warnings in run ${row.runId} are not posted one by one (Slack allows about one message a second). See them all with \`/pacing status\`.`;
      this.queue({
        kind: 'alert',
        method: 'chat.postMessage',
        channel,
        runId: row.runId,
        payload: { text, blocks: [section(text)] },
      });
      return;
    }
    this.queue({ kind: 'alert', method: 'chat.postMessage', channel, runId: row.runId, payload: message });
  }

  async escalationOpened(e: Escalation): Promise<void> {
    const channel = this.channels.approval;
    if (!channel) return; // serve refuses to start without it; the CLI then only lists escalations
    this.queue({
      kind: 'escalation',
      method: 'chat.postMessage',
      channel,
      escalationId: e.id,
      runId: e.runId,
      payload: { text: escalationText(e), blocks: escalationBlocks(e) },
    });
  }

  async escalationClosed(c: EscalationClosed): Promise<void> {
    const channel = this.channels.approval;
    if (!channel) return;
    this.queue({
      kind: 'escalation_closed',
      method: 'chat.update',
      channel,
      escalationId: c.escalation.id,
      runId: c.escalation.runId,
      payload: { text: `${escalationText(c.escalation)} — ${esc(c.detail)}`, blocks: closedBlocks(c) },
    });
  }

  private queue(item: Parameters<Store['outbox']['enqueue']>[0]): void {
    this.store.outbox.enqueue(item, this.clock());
    this.onQueued();
  }
}
