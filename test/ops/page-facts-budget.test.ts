// Which failed budget changes the store says still stand: read from a real SQLite file's audit trail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditType } from '../../src/domain/records.js';
import { PageFacts } from '../../src/ops/page-facts.js';
import { Store } from '../../src/store/index.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-page-facts-'));
  store = await Store.open(join(dir, 'p.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const event = async (type: AuditType, id: string, at: string, details: Record<string, unknown> = {}) =>
  await store.audit.append({
    at,
    type,
    actor: 'agent',
    runId: null,
    campaignId: `C-${id}`,
    platform: 'google',
    platformCampaignId: id,
    details: { from: 100, to: 80, currency: 'EUR', by: 'agent', ...details },
  });

describe('failed budget changes in the store', () => {
  const cases: { name: string; events: [AuditType, string][]; standing: string[] }[] = [
    { name: 'a refusal stands', events: [['budget_change_failed', '1']], standing: ['1'] },
    {
      name: 'a later change of the same campaign clears it',
      events: [
        ['budget_change_failed', '1'],
        ['budget_changed', '1'],
      ],
      standing: [],
    },
    {
      name: 'a later read-back finding the budget already set clears it',
      events: [
        ['budget_change_failed', '1'],
        ['budget_confirmed', '1'],
      ],
      standing: [],
    },
    {
      name: "another campaign's change clears nothing",
      events: [
        ['budget_change_failed', '1'],
        ['budget_changed', '2'],
      ],
      standing: ['1'],
    },
    {
      name: 'a change then a failure: the failure stands',
      events: [
        ['budget_changed', '1'],
        ['budget_change_failed', '1'],
      ],
      standing: ['1'],
    },
    {
      name: 'a dry run is no change',
      events: [
        ['budget_change_failed', '1'],
        ['budget_dry_run', '1'],
      ],
      standing: ['1'],
    },
  ];
  it.each(cases)('$name', async ({ events, standing }) => {
    for (const [i, [type, id]] of events.entries())
      await event(type, id, `2026-11-20T09:0${i}:00.000Z`, type === 'budget_change_failed' ? { error: 'refused' } : {});
    const facts = await new PageFacts(store).failedBudgetChanges();
    expect(facts.map((f) => f.platformCampaignId)).toEqual(standing);
    for (const f of facts)
      expect(f).toMatchObject({ from: 100, to: 80, currency: 'EUR', error: 'refused', kept: false });
  });
});
