// What a past run knew, rebuilt from the escalations and resumes on record: checked case by case, and against
// what the agent itself loads from a real SQLite store at that time.
import { describe, expect, it } from 'vitest';
import type { AgentDeps } from '../../src/agent/deps.js';
import { loadMemory } from '../../src/agent/memory.js';
import { Reads } from '../../src/agent/reads.js';
import type { AuditEvent, Escalation } from '../../src/domain/records.js';
import { EscalationHistory, memoryAt } from '../../src/domain/replay-memory.js';
import { Store } from '../../src/store/index.js';
import { escalation, row } from '../cli/rows.js';

const RUN_AT = '2026-11-20T13:00:00.000Z';
const ago = (h: number) => new Date(Date.parse(RUN_AT) - h * 3_600_000).toISOString();
const later = (h: number) => new Date(Date.parse(RUN_AT) + h * 3_600_000).toISOString();

function esc(id: string, campaignId: string, o: Partial<Escalation> = {}): Escalation {
  return escalation({
    id,
    campaignId,
    key: `plan:${campaignId}`,
    runId: 'run-old',
    createdAt: ago(4),
    snapshot: row({ campaignId, variancePct: 30, actualSpend: 1300 }),
    ...o,
  });
}

function resume(campaignId: string, at: string, actor = 'U2'): AuditEvent {
  return {
    id: 1,
    at,
    runId: null,
    type: 'campaign_resumed',
    campaignId,
    platform: 'meta',
    platformCampaignId: `p-${campaignId}`,
    actor,
    details: { variancePct: 40, actualSpend: 1400 },
  };
}

describe('memoryAt', () => {
  it.each([
    ['a question asked before the run and still pending', esc('e1', 'A'), true],
    ['a question the run asked itself', esc('e1', 'A', { runId: 'run-now', createdAt: RUN_AT }), false],
    ['a question asked after the run', esc('e1', 'A', { runId: 'run-later', createdAt: later(1) }), false],
    [
      'a question answered before the run',
      esc('e1', 'A', { status: 'approved', decidedAt: ago(1), decidedBy: 'U1' }),
      false,
    ],
    [
      'a question the run closed at its start',
      esc('e1', 'A', { status: 'expired', decidedAt: RUN_AT, decidedBy: 'agent' }),
      true,
    ],
    [
      'a question answered after the run',
      esc('e1', 'A', { status: 'overridden', decidedAt: later(2), decidedBy: 'U1' }),
      true,
    ],
  ])('%s: open then = %s', (_what, e, open) => {
    const m = memoryAt(RUN_AT, 'run-now', [e], [], 72);
    expect(m.open.has('plan:A')).toBe(open);
  });

  it("opens a batch under each member's key, except members dropped", () => {
    const batch = esc('e-batch', 'X', {
      key: 'batch:data_fault:google:x',
      campaignId: null,
      batch: {
        kind: 'data_fault',
        members: [
          { ...member('B'), dropped: false },
          { ...member('C'), dropped: true },
        ],
      },
    });
    const m = memoryAt(RUN_AT, 'run-now', [batch], [], 72);
    expect(m.open.get('plan:B')).toMatchObject({ id: 'e-batch', batch: true, kind: 'data_fault' });
    expect(m.open.has('plan:C')).toBe(false);
  });

  it('remembers answers and resumes within HUMAN_DECISION_HOURS before the run, the latest per campaign', () => {
    const m = memoryAt(
      RUN_AT,
      'run-now',
      [
        esc('e1', 'A', { status: 'overridden', proposedAction: 'halt', decidedAt: ago(10), decidedBy: 'U1' }),
        esc('e2', 'B', { status: 'approved', decidedAt: ago(100), decidedBy: 'U1' }),
        esc('e3', 'C', { status: 'approved', decidedAt: later(1), decidedBy: 'U1' }),
      ],
      [resume('A', ago(2)), resume('D', ago(3), 'agent'), resume('E', later(1))],
      72,
    );
    expect(m.decisions.get('plan:A')).toMatchObject({ kind: 'resumed', actor: 'U2', variancePct: 40 });
    expect(m.decisions.get('meta:p-A')).toMatchObject({ kind: 'resumed' });
    expect(m.decisions.has('plan:B')).toBe(false);
    expect(m.decisions.has('plan:C')).toBe(false);
    expect(m.decisions.has('plan:D')).toBe(false);
    expect(m.decisions.has('plan:E')).toBe(false);
    const older = memoryAt(
      RUN_AT,
      'run-now',
      [esc('e1', 'A', { status: 'overridden', decidedAt: ago(10), decidedBy: 'U1' })],
      [],
      72,
    );
    expect(older.decisions.get('plan:A')).toMatchObject({
      kind: 'rejected',
      actor: 'U1',
      escalationId: 'e1',
      variancePct: 30,
      actualSpend: 1300,
    });
  });

  it('knows what the agent loads from the store when nothing happened since', async () => {
    const store = await Store.open(':memory:');
    try {
      const all = [
        esc('e1', 'A'),
        esc('e2', 'B', { proposedAction: 'halt' }),
        esc('e3', 'C'),
        esc('e4', 'D'),
        esc('e5', 'E', {
          key: 'batch:orphans:run:e5',
          campaignId: null,
          batch: { kind: 'orphans', members: [member('F'), member('G')] },
        }),
      ];
      for (const e of all) await store.escalations.open(e);
      await store.escalations.claim('e2', 'overridden', 'U1', ago(5), 'no');
      await store.escalations.claim('e3', 'approved', 'U1', ago(80), null);
      await store.escalations.claim('e4', 'expired', 'agent', ago(1), 'closed');
      await store.audit.append({
        at: ago(6),
        runId: null,
        type: 'campaign_resumed',
        campaignId: 'H',
        platform: 'meta',
        platformCampaignId: 'p-H',
        actor: 'U3',
        details: { variancePct: 12, actualSpend: 99 },
      });
      const deps = { store } as unknown as AgentDeps;
      const loaded = await loadMemory(deps, RUN_AT, 72, new Set());
      const rebuilt = memoryAt(
        RUN_AT,
        'run-now',
        [...(await store.escalations.pending()), ...(await store.escalations.decidedSince(null))],
        await store.audit.list({ type: 'campaign_resumed' }),
        72,
      );
      expect(loaded.open.size).toBeGreaterThan(1);
      expect(loaded.decisions.size).toBeGreaterThan(1);
      expect(new Map(rebuilt.open)).toEqual(new Map(loaded.open));
      expect(new Map(rebuilt.decisions)).toEqual(new Map(loaded.decisions));
      // What a replay reads instead of every escalation ever: decided within the 72 h before the run or later,
      // created by the run; sorted once. It knows the same.
      const around = await new Reads(store).escalationsAround(ago(72), RUN_AT);
      expect(around.map((e) => e.id).sort()).toEqual(['e1', 'e2', 'e4', 'e5']);
      const narrowed = memoryAt(
        RUN_AT,
        'run-now',
        new EscalationHistory(around),
        await store.audit.list({ type: 'campaign_resumed' }),
        72,
      );
      expect(new Map(narrowed.open)).toEqual(new Map(loaded.open));
      expect(new Map(narrowed.decisions)).toEqual(new Map(loaded.decisions));
      expect(await new Reads(store).escalationsAround(ago(72), ago(1000))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

function member(campaignId: string) {
  return {
    key: `plan:${campaignId}`,
    campaignId,
    campaignName: null,
    platform: 'google' as const,
    platformCampaignId: `g-${campaignId}`,
    platformCampaignName: null,
    currency: 'EUR',
    targetSpend: 100,
    actualSpend: 0,
    variancePct: -100,
    dropped: false,
  };
}
