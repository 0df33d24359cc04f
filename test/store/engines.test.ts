// The store written once, run on both engines: what each module writes reads back the same on SQLite and on
// PostgreSQL, the claims that make things happen once hold under concurrent callers, and where the two engines'
// SQL differs (JSON, insertion order) the answers agree.
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/domain/explanation.js';
import type { BatchMember, RunSummary } from '../../src/domain/records.js';
import { escalation, row } from '../cli/rows.js';
import { ENGINES, useStore } from './engines.js';

const T0 = '2026-11-20T09:00:00.000Z';
const T1 = '2026-11-20T10:00:00.000Z';
const summary = { rows: 1 } as unknown as RunSummary;
const event = (type: string, o: Record<string, unknown> = {}) =>
  ({ at: T0, type, actor: 'agent', details: {}, ...o }) as Parameters<
    ReturnType<ReturnType<typeof useStore>['get']>['audit']['append']
  >[0];
const member = (key: string): BatchMember =>
  ({ key, campaignId: key, platform: 'google', platformCampaignId: key }) as unknown as BatchMember;

describe.each(ENGINES)('the store on $dialect', (engine) => {
  const s = useStore(engine);

  it('keeps runs and their results, the latest by start and then by insertion, and what the last one saw', async () => {
    const store = s.get();
    for (const id of ['run-a', 'run-b']) {
      await store.runs.start({ id, startedAt: T0, trigger: 'test', actor: 'agent' });
      await store.transaction((tx) =>
        tx.runs.complete(id, T1, summary, [], [], [row({ runId: id, actualSpend: id === 'run-a' ? 1 : 2 })], new Map()),
      );
    }
    // Same start time: the one inserted later is the latest.
    expect((await store.runs.latestCompleted())?.id).toBe('run-b');
    expect((await store.runs.latestCompletedBy(T1))?.id).toBe('run-b');
    expect((await store.runs.completedSince(null)).map((r) => r.id)).toEqual(['run-a', 'run-b']);
    expect(await store.runs.completedSince(T1)).toEqual([]);
    expect((await store.runs.results('run-b'))[0]).toMatchObject({ runId: 'run-b', actualSpend: 2, key: 'plan:C-1' });
    expect((await store.runs.latestResultFor('google', '111'))?.runId).toBe('run-b');
    expect((await store.runs.previousRun()).observations.get('google:111')).toEqual({ at: T0, actualSpend: 2 });
    expect([...(await store.runs.resultsWithoutHistory('run-a'))].map((r) => r.actualSpend)).toEqual([1]);
    expect(await store.runs.dataWidth('run-a')).toBeGreaterThan(30);
    await store.runs.start({ id: 'run-c', startedAt: T1, trigger: 'test', actor: 'agent' });
    await store.runs.failAbandoned(T1, null);
    expect((await store.runs.get('run-c'))?.status).toBe('failed');
    // Retention keeps the latest run's rows.
    expect(await store.runs.pruneResults('2026-12-01T00:00:00Z')).toBe(1);
    expect(await store.runs.results('run-b')).toHaveLength(1);
  });

  it('merges each campaign’s daily spend and forgets days past retention', async () => {
    const store = s.get();
    const save = (days: Record<string, number>, known: boolean) =>
      store.runs.saveDailySpend(
        [{ platform: 'google', platformCampaignId: '1', days, spend: 0 }],
        '2026-11-19',
        () => known,
      );
    await save({ '2026-11-17': 5, '2026-11-18': 10 }, false);
    await save({ '2026-11-18': 99, '2026-11-19': 12.5, '2026-11-20': 3 }, true);
    expect(await store.runs.dailySpend('google', '1')).toEqual([
      { day: '2026-11-17', spend: 5 },
      { day: '2026-11-18', spend: 10 },
      { day: '2026-11-19', spend: 12.5 },
      { day: '2026-11-20', spend: 3 },
    ]);
    await store.runs.pruneResults('2026-11-19T00:00:00Z');
    expect((await store.runs.dailySpend('google', '1')).map((d) => d.day)).toEqual(['2026-11-19', '2026-11-20']);
    await store.runs.pruneResults('2026-11-30T00:00:00Z');
    expect(await store.runs.dailySpend('google', '1')).toEqual([]);
  });

  it('appends and filters the audit trail, counts it by type, and finds pauses and unsettled budget changes', async () => {
    const store = s.get();
    await store.audit.append(event('campaign_paused', { runId: 'run-1', platform: 'google', platformCampaignId: '1' }));
    await store.audit.appendAll([
      event('decision', { runId: 'run-2', campaignId: 'C-1' }),
      event('budget_change_requested', { at: T1, platform: 'meta', platformCampaignId: '2', details: { to: 5 } }),
    ]);
    expect((await store.audit.list({ campaign: 'C-1' })).map((e) => e.type)).toEqual(['decision']);
    expect((await store.audit.list({ limit: 2 })).map((e) => e.type)).toEqual(['decision', 'budget_change_requested']);
    expect(await store.audit.countByType(null, T1)).toEqual({
      campaign_paused: 1,
      decision: 1,
      budget_change_requested: 1,
    });
    expect(await store.audit.countByType(T0, T1)).toEqual({ budget_change_requested: 1 });
    expect(await store.audit.hasPauseRecord('google', '1', 'run-2')).toBe(true);
    expect(await store.audit.hasPauseRecord('google', '1', 'run-1')).toBe(false);
    expect((await store.audit.lastPauseEvent('google', '1'))?.type).toBe('campaign_paused');
    expect((await store.audit.unsettledBudgetChanges()).map((e) => e.details)).toEqual([{ to: 5 }]);
  });

  it('opens an escalation once per key, and lets exactly one of many concurrent claims take the decision', async () => {
    const store = s.get();
    const first = await store.escalations.open(escalation({ id: 'esc-1' }));
    const again = await store.escalations.open(escalation({ id: 'esc-2' }));
    expect([first.created, again.created, again.escalation.id]).toEqual([true, false, 'esc-1']);
    const claims = await Promise.all(
      ['U1', 'U2', 'U3', 'U4'].map((u) => store.escalations.claim('esc-1', 'approved', u, T1, null)),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect((await store.escalations.get('esc-1'))?.status).toBe('approved');
    expect((await store.escalations.decisionsSince(T0)).map((d) => d.decision.kind)).toEqual(['approved']);
    // Decided but not carried out, by this live process: left to it.
    expect(await store.escalations.unsettled()).toEqual([]);
    await store.escalations.settle('esc-1', 'done', 'paused');
    expect((await store.escalations.prunable('2026-12-01T00:00:00Z')).map((e) => e.id)).toEqual(['esc-1']);
    await store.escalations.markPruned('esc-1');
    expect(await store.escalations.prunable('2026-12-01T00:00:00Z')).toEqual([]);
    // An expiry needs no time left; a person's decision does.
    await store.escalations.open(escalation({ id: 'esc-3', key: 'plan:C-3', expiresAt: T0 }));
    expect((await store.escalations.claim('esc-3', 'approved', 'U1', T1, null)).claimed).toBe(false);
    expect((await store.escalations.due(T1)).map((e) => e.id)).toEqual(['esc-3']);
    expect((await store.escalations.claim('esc-3', 'expired', 'agent', T1, 'late')).claimed).toBe(true);
  });

  it('grows and shrinks a batch, and knows which questions were never announced', async () => {
    const store = s.get();
    const batch = escalation({ id: 'esc-b', key: 'batch:x', batch: { kind: 'data_fault', members: [member('m1')] } });
    await store.escalations.open(batch as never);
    expect(await store.escalations.addMembers('esc-b', [member('m1'), member('m2')], 'grew')).toBe(true);
    await store.escalations.dropMember('esc-b', 'm1');
    const grown = await store.escalations.get('esc-b');
    expect(grown?.reason).toBe('grew');
    expect(grown?.batch?.members.map((m) => [m.key, m.dropped])).toEqual([
      ['m1', true],
      ['m2', false],
    ]);
    expect([...(await store.escalations.openQuestions()).keys()]).toEqual(['m2']);
    expect((await store.escalations.unannounced()).map((e) => e.id)).toEqual(['esc-b']);
    await store.effects.record('announce:esc-b', T0);
    await store.effects.record('announce:esc-b', T1);
    expect(await store.effects.done('announce:esc-b')).toBe(true);
    expect(await store.escalations.unannounced()).toEqual([]);
    await store.escalations.setMessage('esc-b', 'C1', '1.1');
    expect(await store.escalations.message('esc-b')).toEqual({ channel: 'C1', ts: '1.1' });
  });

  it('queues messages: one announcement per question, one claimer per item, and finds a halt’s card by its subject', async () => {
    const store = s.get();
    const subject = { campaignId: 'C-1', platform: 'google', platformCampaignId: '111', details: {} };
    const post = (kind: string, extra: Record<string, unknown> = {}) =>
      store.outbox.enqueue({ kind, method: 'chat.postMessage', channel: 'C1', payload: { text: kind }, ...extra }, T0);
    const announce = await post('escalation', { escalationId: 'esc-1' });
    expect(await post('escalation', { escalationId: 'esc-1' })).toBe(announce);
    const halt = await post('halt_alert', { subject });
    const now = Date.now();
    const claims = await Promise.all([1, 2, 3].map(() => store.outbox.claim(halt, now, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await store.outbox.due(now)).map((i) => i.id)).toEqual([announce]);
    expect(await store.outbox.waitingByChannel(now)).toEqual(new Map([['C1', halt]]));
    await store.outbox.markSent(halt, T0, '9.9');
    expect((await store.outbox.lastHaltAlert('google', '111'))?.id).toBe(halt);
    expect(
      await store.outbox.messageAbout({ escalationId: null, platform: 'google', platformCampaignId: '111' }),
    ).toEqual({ kind: 'halt_alert', channel: 'C1', ts: '9.9', status: 'sent' });
    expect(await store.outbox.pendingCount()).toBe(1);
    expect(await store.outbox.nextDueAt()).toBe(0);
    const refused = await post('alert');
    await store.outbox.markFailed(refused, 'channel_not_found');
    expect(await store.outbox.retryFailed()).toBe(1);
    // The latest halt card about a campaign is kept whatever its age.
    expect(await store.outbox.prune('2026-12-01T00:00:00Z')).toBe(0);
  });

  it('queues PagerDuty events in order per incident, one claimer each, and withdraws an unsent trigger', async () => {
    const store = s.get();
    await store.pages.open(
      { dedupKey: 'k', kind: 'failed_pause', occurrence: null, watermark: 3, summary: 's', details: {} },
      T0,
    );
    const trigger = await store.pages.enqueue({ dedupKey: 'k', action: 'trigger', body: {} }, T0);
    const resolve = await store.pages.enqueue({ dedupKey: 'k', action: 'resolve', body: {} }, T0);
    expect(resolve).toBeGreaterThan(trigger);
    const now = Date.now();
    expect((await store.pages.due(now)).map((e) => e.id)).toEqual([trigger]);
    const claims = await Promise.all([1, 2].map(() => store.pages.claim(trigger, now, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.pages.markSent(trigger, T0);
    await store.pages.resolve('k', T1, 'cleared', null);
    expect((await store.pages.incident('k'))?.status).toBe('resolved');
    const again = await store.pages.enqueue({ dedupKey: 'j', action: 'trigger', body: {} }, T0);
    expect(await store.pages.withdrawTrigger('j', now)).toBe(true);
    expect((await store.pages.get(again))?.status).toBe('superseded');
    expect(await store.pages.pendingCount()).toBe(1);
    // The sent trigger is neither the incident's latest event nor its latest not withdrawn.
    expect(await store.pages.prune('2026-12-01T00:00:00Z')).toBe(1);
  });

  it('gives work one owner: a claim is this process’s until it is gone, then the next asking takes it over', async () => {
    const store = s.get();
    expect(await store.effects.claim('thread:esc-1', T0)).toBe(true);
    expect(await store.effects.claim('thread:esc-1', T1)).toBe(true);
    // Claimed by a process that no longer runs (no such pid here, no session on the server).
    await store.sql.run('INSERT INTO effects (key, at, result) VALUES (?, ?, ?)', [
      'thread:esc-2',
      T0,
      JSON.stringify({ owner: '4194305:gone' }),
    ]);
    const takers = await Promise.all([1, 2, 3].map(() => store.effects.claim('thread:esc-2', T1)));
    expect(takers).toContain(true);
    expect(await store.effects.done('thread:esc-2')).toBe(true);
  });

  it('claims many keys at once as one by one: new ones, its own, and those of a process that is gone', async () => {
    const store = s.get();
    expect(await store.effects.claim('thread:mine', T0)).toBe(true);
    await store.sql.run('INSERT INTO effects (key, at, result) VALUES (?, ?, ?)', [
      'thread:gone',
      T0,
      JSON.stringify({ owner: '4194305:gone' }),
    ]);
    // Held by a process that still runs (this one's pid, without its token).
    await store.sql.run('INSERT INTO effects (key, at, result) VALUES (?, ?, ?)', [
      'thread:live',
      T0,
      JSON.stringify({ owner: String(process.pid) }),
    ]);
    const keys = ['thread:new-1', 'thread:mine', 'thread:gone', 'thread:live', 'thread:new-2'];
    const held = await store.effects.claimAll(keys, T1);
    expect([...held].sort()).toEqual(['thread:gone', 'thread:mine', 'thread:new-1', 'thread:new-2']);
    // Each of those is this process's now; a second claim of all finds the same.
    expect([...(await store.effects.claimAll(keys, T1))].sort()).toEqual([...held].sort());
    expect(await store.effects.claimAll([], T1)).toEqual(new Set());
  });

  it('remembers hundreds of announcements at once and forgets them at once, the last state of a key standing', async () => {
    const store = s.get();
    const state = (i: number) => ({
      severity: i % 2 ? 'warning' : null,
      action: 'alert',
      pause: null,
      variancePct: i / 4,
    });
    const posted = Array.from({ length: 1_500 }, (_, i) => ({ key: `plan:C-${i}`, state: state(i) }));
    await store.announcements.update('run-1', T0, [...posted, { key: 'plan:C-7', state: state(8) }], []);
    const all = await store.announcements.all();
    expect(all.size).toBe(1_500);
    expect(all.get('plan:C-3')).toEqual(state(3));
    expect(all.get('plan:C-7')).toEqual(state(8));
    await store.announcements.update(
      'run-2',
      T1,
      [{ key: 'plan:C-3', state: state(4) }],
      posted.slice(10).map((p) => p.key),
    );
    expect(await store.announcements.all()).toEqual(
      new Map(posted.slice(0, 10).map((p, i) => [p.key, i === 3 ? state(4) : i === 7 ? state(8) : p.state])),
    );
  });

  it('acts once on a request signature, whoever sees it (concurrent replicas included)', async () => {
    const store = s.get();
    const firsts = await Promise.all([1, 2, 3, 4].map(() => store.seenRequests.first('v0=abc', Date.now())));
    expect(firsts.filter(Boolean)).toHaveLength(1);
    expect(await store.seenRequests.first('v0=def', Date.now())).toBe(true);
  });

  it('keeps locks, pause intents, fixture changes, announcements, digests and the analyst’s notes', async () => {
    const store = s.get();
    expect(await store.locks.acquire('cycle', 'run-1', T0)).toBeNull();
    expect((await store.locks.acquire('cycle', 'run-2', T0))?.holder).toBe('run-1');
    await store.locks.release('cycle', 'run-1');
    expect(await store.locks.holder('cycle')).toBeNull();

    const intent = {
      key: 'pause:1',
      createdAt: T0,
      runId: 'run-1',
      escalationId: null,
      campaignId: 'C-1',
      platform: 'google' as const,
      platformCampaignId: '1',
      actor: 'agent',
      details: { why: 'x' },
    };
    expect((await store.pauses.record(intent)).existed).toBe(false);
    expect((await store.pauses.record(intent)).existed).toBe(true);
    await store.pauses.settle('pause:1', 'paused', T1);
    expect((await store.pauses.get('pause:1'))?.outcome).toBe('paused');

    await store.fixtureStatus.set('google', '1', 'PAUSED', T0);
    await store.fixtureStatus.setBudget('google', '1', 12.5, 'EUR', T0);
    expect(await store.fixtureStatus.get('google', '1')).toBe('PAUSED');
    expect(await store.fixtureStatus.allBudgets('google')).toEqual(new Map([['1', 12.5]]));

    const state = { severity: 'warning', action: 'alert', pause: null, variancePct: 12 };
    await store.announcements.update('run-1', T0, [{ key: 'plan:C-1', state }], []);
    expect(await store.announcements.all()).toEqual(new Map([['plan:C-1', state]]));
    await store.announcements.update('run-2', T1, [], ['plan:C-1']);
    expect((await store.announcements.all()).size).toBe(0);

    await store.digests.record('C1', T0, 2);
    expect(await store.digests.lastAt('C1')).toBe(T0);

    const note = { text: 'why' } as unknown as Explanation;
    await store.escalations.open(escalation({ id: 'esc-n' }));
    await store.explanations.save('run-1', T0, [{ key: 'plan:C-1', question: 'q', explanation: note }]);
    await store.explanations.attach([{ escalationId: 'esc-n', explanation: note }]);
    expect((await store.explanations.of(['plan:C-1', 'plan:none'])).get('plan:C-1')).toEqual({
      question: 'q',
      explanation: note,
    });
    expect((await store.escalations.get('esc-n'))?.snapshot.explanation).toEqual(note);
  });

  it('lands a transaction’s writes together or not at all, while others wait for it', async () => {
    const store = s.get();
    await expect(
      store.transaction(async (tx) => {
        await tx.effects.record('a', T0);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.effects.done('a')).toBe(false);
    await store.transaction(async (tx) => {
      await tx.effects.record('b', T0);
      await tx.transaction((inner) => inner.effects.record('c', T0));
      // A nested transaction that fails takes only its own writes with it.
      await expect(
        tx.transaction(async (inner) => {
          await inner.effects.record('d', T0);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
    });
    expect([await store.effects.done('b'), await store.effects.done('c'), await store.effects.done('d')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
