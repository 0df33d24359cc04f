// Slack messages done with are forgotten after the results' retention, except those a later edit or thread needs.
import { describe, expect, it } from 'vitest';
import { escalation } from '../cli/rows.js';
import { ENGINES, useStore } from './engines.js';

const OLD = '2026-01-01T09:00:00Z';
const NOW = '2026-11-20T09:00:00Z';
const BEFORE = '2026-08-22T09:00:00Z';

describe.each(ENGINES)('outbox retention on $dialect', (engine) => {
  const s = useStore(engine);

  it('forgets old sent, dropped and refused messages; keeps what edits and threads still need', async () => {
    const store = s.get();
    const { outbox } = store;
    const post = async (kind: string, at: string, extra: Record<string, unknown> = {}) =>
      await outbox.enqueue({ kind, method: 'chat.postMessage', channel: 'C1', payload: { text: kind }, ...extra }, at);
    const subject = (id: string) => ({ campaignId: null, platform: 'google', platformCampaignId: id, details: {} });

    const oldAlert = await post('alert', OLD);
    await outbox.markSent(oldAlert, OLD, '1.1');
    const refused = await post('alert', OLD);
    await outbox.markFailed(refused, 'channel_not_found');
    const dropped = await post('alert', OLD);
    expect(await outbox.supersede(dropped, Date.now())).toBe(true);
    // Two halt alerts about one campaign: a resume edits the latest, so it stays however old.
    const firstHalt = await post('halt_alert', OLD, { subject: subject('111') });
    await outbox.markSent(firstHalt, OLD, '2.1');
    const latestHalt = await post('halt_alert', OLD, { subject: subject('111') });
    await outbox.markSent(latestHalt, OLD, '2.2');
    // The announcement of a question still open: its outcome edits it.
    await store.escalations.open(escalation({ id: 'esc-open', createdAt: OLD }));
    const open = await post('escalation', OLD, { escalationId: 'esc-open' });
    await outbox.markSent(open, OLD, '3.1');
    // A summary whose threaded card still waits to go out.
    const parent = await post('run_summary', OLD);
    await outbox.markSent(parent, OLD, '4.1');
    const child = await post('alert', NOW, { threadOf: parent });
    const recent = await post('alert', NOW);
    await outbox.markSent(recent, NOW, '5.1');
    const queued = await post('alert', OLD);

    expect(await outbox.prune(BEFORE)).toBe(4);
    const left = await store.sql.all<{ id: number }>('SELECT id FROM outbox ORDER BY id');
    expect(left.map((r) => r.id)).toEqual([latestHalt, open, parent, child, recent, queued]);
    expect((await outbox.lastHaltAlert('google', '111'))?.id).toBe(latestHalt);
    // Refused months ago and forgotten: putting refused messages back never sends it.
    expect(await outbox.retryFailed()).toBe(0);
  });
});
