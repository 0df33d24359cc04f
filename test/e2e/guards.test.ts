// The safety guards end to end: each bad day of the "safe autonomy" issue replayed through `pacing run --json`
// on fixture data, in real processes with a real SQLite file. Nothing the guards hold back is paused; a storm is
// one question; good campaigns beside them are handled as before.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditDoc,
  ensureBuilt,
  type PendingDoc,
  pacing,
  pacingJson,
  type ResultDoc,
  type RunDoc,
  readAudit,
  row,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';

const G004 = '20512340004';
const M003 = '23851200000000003';
const M005 = '23851200000000005';
const ORPHAN = '20599990001';

const spaces: Workspace[] = [];
const ws = (env: Record<string, string> = {}) => {
  const w = workspace(env);
  spaces.push(w);
  return w;
};
afterAll(() => {
  for (const w of spaces) w.cleanup();
});
beforeAll(ensureBuilt, 60_000);

const run = (w: Workspace, env: Record<string, string> = {}) => pacingJson<RunDoc>(w, ['run'], env);
const paused = (w: Workspace, id?: string) =>
  readAudit(w).filter((e) => e.type === 'campaign_paused' && (id === undefined || e.platformCampaignId === id));
const codes = (r: { rootCause: { code: string }[] }) => r.rootCause.map((c) => c.code);

type FixtureCampaign = Record<string, unknown> & { id: string };
function editPlatform(
  w: Workspace,
  platform: 'google' | 'meta',
  edit: (doc: { fetched_at: string; campaigns: FixtureCampaign[] }) => void,
) {
  const file = join(w.dataDir, `${platform}.json`);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
}
function editTracker(w: Workspace, edit: (lines: string[]) => string[]) {
  const file = join(w.dataDir, 'tracker.csv');
  writeFileSync(file, `${edit(readFileSync(file, 'utf8').trimEnd().split('\n')).join('\n')}\n`);
}
const campaignOf = (doc: { campaigns: FixtureCampaign[] }, id: string) => {
  const c = doc.campaigns.find((x) => x.id === id);
  if (!c) throw new Error(`no campaign ${id}`);
  return c;
};

describe('guard 5: a data outage is one question, not a pause per campaign (fixtures/outage)', () => {
  it('holds every Google pause in one batch, says the data looks faulty, and pauses the batch once when approved', async () => {
    const w = ws();
    const env = { PACING_DATA_DIR: join(w.dataDir, 'outage') };
    const doc = await run(w, env);
    const google = doc.results.filter((r) => r.platform === 'google' && r.campaignId !== 'ACM-G-005');
    expect(google).toHaveLength(6);
    const batchId = google[0]?.escalationId;
    for (const r of google) {
      expect(r).toMatchObject({ action: 'escalate', status: 'awaiting_approval', escalationId: batchId });
      expect(codes(r)).toContain('guard_data_fault');
    }
    expect(doc.platformErrors.map((e) => e.message).join(' ')).toMatch(
      /6 of 6 in-flight campaigns .* data looks faulty/,
    );
    expect(paused(w).map((e) => e.platformCampaignId)).toEqual([M003]); // Meta's zero delivery is real
    const pending = await pacingJson<PendingDoc>(w, ['pending'], env);
    const batch = pending.pending.find((p) => p.escalationId === batchId);
    expect(batch).toMatchObject({ campaignId: null, platformCampaignId: null, proposedAction: 'halt' });
    expect(batch?.campaigns).toHaveLength(6);

    // The outage goes on: the next run points at the same question instead of asking again.
    const again = await run(w, env);
    expect(row(again, 'ACM-G-001').escalationId).toBe(batchId);
    expect(readAudit(w).filter((e) => e.type === 'escalation_opened' && e.details.batch)).toHaveLength(1);

    const approved = await pacing(w, ['approve', batchId as string, '--user', 'U1'], env);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/6 paused/);
    expect(paused(w).filter((e) => e.actor === 'U1')).toHaveLength(6);
    expect((await pacing(w, ['approve', batchId as string, '--user', 'U1'], env)).code).toBe(1);
    expect(paused(w).filter((e) => e.actor === 'U1')).toHaveLength(6);
  });

  it('rejecting the batch changes nothing', async () => {
    const w = ws();
    const env = { PACING_DATA_DIR: join(w.dataDir, 'outage') };
    const doc = await run(w, env);
    const batchId = row(doc, 'ACM-G-001').escalationId as string;
    expect((await pacing(w, ['reject', batchId, '--user', 'U1', '--reason', 'export broke'], env)).code).toBe(0);
    expect(paused(w).filter((e) => e.actor === 'U1')).toEqual([]);
  });
});

describe('guard 1: zero delivery on a weak match is asked, not paused', () => {
  it('escalates a zero-delivery match of confidence < 70, and pauses it with ZERO_DELIVERY_ANY_CONFIDENCE=true', async () => {
    const w = ws();
    editPlatform(w, 'google', (d) =>
      Object.assign(campaignOf(d, G004), { spend: 0, daily: undefined, market: 'FR', product: 'Other' }),
    );
    const doc = await run(w);
    expect(row(doc, 'ACM-G-004')).toMatchObject({ action: 'escalate', proposedAction: 'halt', zeroDelivery: true });
    expect(row(doc, 'ACM-G-004').confidence).toBeLessThan(70);
    expect(codes(row(doc, 'ACM-G-004'))).toContain('guard_low_confidence');
    expect(paused(w, G004)).toEqual([]);
    expect(paused(w, M003)).toHaveLength(1); // a confident zero delivery still halts

    const optOut = await run(w, { ZERO_DELIVERY_ANY_CONFIDENCE: 'true', PACING_DB: join(w.dir, 'opt-out.db') });
    expect(row(optOut, 'ACM-G-004')).toMatchObject({ action: 'halt', status: 'done' });
  });
});

describe('guard 2: stale or impossible data', () => {
  it('never pauses on data 50 days old, still alerts a warning and says how old the data is', async () => {
    const w = ws();
    editPlatform(w, 'google', (d) => {
      d.fetched_at = '2026-10-01T09:00:00Z';
    });
    const doc = await run(w);
    expect(row(doc, 'ACM-G-004')).toMatchObject({
      action: 'escalate',
      proposedAction: 'halt',
      status: 'awaiting_approval',
    });
    expect(codes(row(doc, 'ACM-G-004'))).toContain('guard_stale_data');
    expect(row(doc, 'ACM-G-002')).toMatchObject({ action: 'alert' });
    expect((row(doc, 'ACM-G-002') as { reason?: string }).reason).toMatch(/50 days old/);
    expect(paused(w, G004)).toEqual([]);
  });

  it('leaves out a campaign whose fetched_at is not a time or lies in the future, and says so', async () => {
    const w = ws();
    editPlatform(w, 'google', (d) => {
      campaignOf(d, G004).fetched_at = '2030-01-01T00:00:00Z';
      campaignOf(d, '20512340002').fetched_at = '5';
    });
    const doc = await run(w);
    const said = doc.platformErrors.map((e) => e.message).join('\n');
    expect(said).toMatch(/20512340004.*future|future.*20512340004/s);
    expect(said).toMatch(/20512340002[^\n]*"5"/);
    expect(doc.results.some((r) => r.platformCampaignId === G004)).toBe(false);
    expect(paused(w, G004)).toEqual([]);
    // The approver is told the campaign's data was unusable, not that it has no match.
    expect(codes(row(doc, 'ACM-G-004'))).toEqual(['platform_data_unusable']);
    expect(row(doc, 'ACM-G-004').rootCause[0]?.message).toMatch(/data was unusable: .*lies in the future/);
    expect(codes(row(doc, 'ACM-G-002'))).toEqual(['platform_data_unusable']);
  });
});

describe('guard 3: early flight', () => {
  it('only alerts about a campaign that has not delivered in its first hours', async () => {
    const w = ws();
    editTracker(w, (l) => [
      ...l,
      'ACM-G-010,Acme_DE_Socks_Launch_Q4,google,DE,Socks,2026-11-20,2026-11-30,500.00,5000.00,EUR,,',
    ]);
    editPlatform(w, 'google', (d) => {
      d.campaigns.push({
        id: '20512340010',
        name: 'Acme_DE_Socks_Launch_Q4',
        market: 'DE',
        product: 'Socks',
        start_date: '2026-11-20',
        end_date: '2026-11-30',
        spend: 0,
        status: 'ENABLED',
        currency: 'EUR',
      });
    });
    const doc = await run(w);
    expect(row(doc, 'ACM-G-010')).toMatchObject({ action: 'alert', zeroDelivery: true, status: 'done' });
    expect(codes(row(doc, 'ACM-G-010'))).toContain('guard_early_flight');
    expect(paused(w, '20512340010')).toEqual([]);
  });
});

describe('guard 4: money must be comparable', () => {
  it('escalates a plan row without a currency, and acts once PACING_CURRENCY says which', async () => {
    const w = ws();
    editTracker(w, (l) => l.map((x) => (x.startsWith('ACM-G-004,') ? x.replace(',EUR,', ',,') : x)));
    const doc = await run(w);
    expect(row(doc, 'ACM-G-004')).toMatchObject({ action: 'escalate', proposedAction: 'halt' });
    expect(codes(row(doc, 'ACM-G-004'))).toContain('guard_currency_unknown');
    expect(paused(w, G004)).toEqual([]);
    const withCurrency = await run(w, { PACING_CURRENCY: 'EUR', PACING_DB: join(w.dir, 'eur.db') });
    expect(row(withCurrency, 'ACM-G-004')).toMatchObject({ action: 'halt', status: 'done' });
  });
});

describe('guard 5: budgets per run', () => {
  it('pauses at most MAX_AUTONOMOUS_HALTS alone, the biggest money first, and asks about the rest together', async () => {
    const w = ws({ MAX_AUTONOMOUS_HALTS: '1' });
    const doc = await run(w);
    // ACM-G-004 is 4,560 over plan, ACM-M-003 2,400 under: the first is paused, the second joins a batch.
    expect(row(doc, 'ACM-G-004')).toMatchObject({ action: 'halt', status: 'done' });
    expect(row(doc, 'ACM-M-003')).toMatchObject({ action: 'escalate', status: 'awaiting_approval' });
    expect(codes(row(doc, 'ACM-M-003'))).toContain('guard_halt_budget');
    expect(paused(w).map((e) => e.platformCampaignId)).toEqual([G004]);
  });

  it('turns more than MAX_ORPHAN_ESCALATIONS orphans into one question that proposes a review', async () => {
    const w = ws();
    editPlatform(w, 'google', (d) => {
      for (let i = 0; i < 24; i++)
        d.campaigns.push({
          id: `2066600${String(i).padStart(4, '0')}`,
          name: `Zz_Unplanned_${i}_Qq`,
          market: 'IT',
          product: 'Misc',
          spend: 100 + i,
          status: 'ENABLED',
          currency: 'EUR',
        });
    });
    const doc = await run(w);
    const orphans = doc.results.filter((r) => r.campaignId === null);
    expect(orphans).toHaveLength(25);
    expect(new Set(orphans.map((r) => r.escalationId)).size).toBe(1);
    expect(orphans.every((r) => r.proposedAction === 'alert' && codes(r).includes('guard_orphan_budget'))).toBe(true);
    expect(readAudit(w).filter((e) => e.type === 'escalation_opened' && e.campaignId === null)).toHaveLength(1);
  });
});

describe('guard 6: people are not overridden', () => {
  it('does not pause again a campaign a person resumed; it alerts, naming who and when', async () => {
    const w = ws();
    await run(w);
    expect(paused(w, G004)).toHaveLength(1);
    expect((await pacing(w, ['resume-campaign', 'google', G004, '--user', 'U7'])).code).toBe(0);
    const doc = await run(w);
    expect(row(doc, 'ACM-G-004')).toMatchObject({ action: 'alert', status: 'done' });
    expect((row(doc, 'ACM-G-004') as { reason?: string }).reason).toMatch(/resumed by U7 at 2026-11-20T09:00:00/);
    expect(paused(w, G004)).toHaveLength(1);
    // Beyond HUMAN_DECISION_HOURS the agent acts alone again.
    const later = await run(w, { PACING_NOW: '2026-11-23T10:00:00Z', PACING_PLATFORMS: 'fixtures' });
    expect(row(later, 'ACM-G-004').action).not.toBe('alert');
  });

  it('does not carry out a pause an approver rejected once fresher data lifts the confidence', async () => {
    const w = ws();
    const first = await run(w);
    const id = row(first, 'ACM-M-005').escalationId as string;
    expect((await pacing(w, ['reject', id, '--user', 'U1', '--reason', 'launch push'])).code).toBe(0);
    editPlatform(w, 'meta', (d) => {
      const c = campaignOf(d, M005);
      c.product = 'Basketball';
      delete c.fetched_at;
    });
    const doc = await run(w);
    expect(row(doc, 'ACM-M-005').confidence).toBeGreaterThanOrEqual(70);
    expect(row(doc, 'ACM-M-005')).toMatchObject({ action: 'alert' });
    expect(codes(row(doc, 'ACM-M-005'))).toContain('guard_human_decision');
    expect(paused(w, M005)).toEqual([]);
  });
});

describe('guard 7: nothing lost between deciding and doing', () => {
  it('reads back a pause a crashed run left unrecorded, records it, and lets an approver undo it', async () => {
    const w = ws();
    expect((await pacing(w, ['pending'])).code).toBe(0); // creates the database
    const db = new Database(w.db);
    db.prepare(
      `INSERT INTO pause_intents (key, created_at, run_id, campaign_id, platform, platform_campaign_id, actor, details, owner)
       VALUES ('pause:run-x:google:${G004}', '2026-11-20T08:00:00Z', 'run-x', 'ACM-G-004', 'google', '${G004}', 'agent', '{}', '4194305:gone')`,
    ).run();
    // The platform took the pause; the process was killed before it wrote anything else.
    db.prepare(
      `INSERT INTO fixture_campaign_status (platform, campaign_id, status, changed_at) VALUES ('google', '${G004}', 'PAUSED', '2026-11-20T08:00:01Z')`,
    ).run();
    db.close();
    const doc = await run(w);
    expect(paused(w, G004)).toMatchObject([{ actor: 'agent', details: { recovered: true } }]);
    expect(row(doc, 'ACM-G-004').platformStatus).toBe('PAUSED');
    expect((await pacing(w, ['resume-campaign', 'google', G004, '--user', 'U1'])).code).toBe(0);
  });

  it('closes an orphan question once the campaign has a plan row, so the stale pause cannot be approved', async () => {
    const w = ws();
    const first = await run(w);
    const id = row(first, null, ORPHAN).escalationId as string;
    editTracker(w, (l) => [
      ...l,
      'ACM-G-011,Acme_IT_Sandals_Clearance_Test,google,IT,Sandals,2026-11-10,2026-11-30,1800.00,,EUR,,',
    ]);
    const second = await run(w);
    expect(row(second, 'ACM-G-011')).toMatchObject({ action: 'log', platformCampaignId: ORPHAN });
    const events = await pacingJson<AuditDoc>(w, ['audit', '--type', 'escalation_expired']);
    expect(events.events.find((e) => e.details.escalationId === id)?.details.note).toMatch(
      /now has a plan row \(ACM-G-011\)/,
    );
    expect((await pacing(w, ['approve', id, '--user', 'U1'])).code).toBe(1);
    expect(paused(w, ORPHAN)).toEqual([]);
  });
});

describe('guard 8: a tracker that cannot be trusted does not act', () => {
  it('stops before acting on a header-only tracker (exit 1, a message), opening no escalation', async () => {
    const w = ws();
    editTracker(w, (l) => [l[0] as string]);
    const out = await pacing(w, ['run', '--json']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/no valid row.*nothing was decided or done/);
    expect(readAudit(w).filter((e) => e.type === 'escalation_opened' || e.type === 'campaign_paused')).toEqual([]);
  });

  it('reports a stray quote at the line where it opens and keeps every other row', async () => {
    const w = ws();
    editTracker(w, (l) => l.map((x, i) => (i === 3 ? x.replace('Acme_UK_Football', '"Acme_UK_Football') : x)));
    const doc = await run(w);
    expect(doc.errors.map((e) => e.line)).toEqual([4, 9]);
    expect(doc.errors[0]?.message).toMatch(/unclosed quote/);
    expect(doc.results.filter((r) => r.campaignId !== null)).toHaveLength(19);
    // Only the demo's real orphan is escalated; the skipped row's campaign is reported against its line.
    expect(doc.results.filter((r) => r.campaignId === null && r.action === 'escalate')).toHaveLength(1);
    expect(codes(row(doc, null, '20512340003'))).toEqual(['plan_row_invalid']);
  });
});

/** `reason` is in every result row of `run --json`; the shared document type does not list it. */
const reasonOf = (r: ResultDoc): string => (r as ResultDoc & { reason: string }).reason;

describe('duplicate ids and figures no budget can hold (fixtures)', () => {
  const G005 = '20512340005';
  it('acts on neither copy of an id listed twice, and reports it', async () => {
    const w = ws();
    // ACM-G-004 runs 40 % over plan and is paused on the bundled data; a zero-spend copy comes first.
    editPlatform(w, 'google', (doc) => {
      const { daily: _daily, ...copy } = campaignOf(doc, G004);
      doc.campaigns.unshift({ ...copy, spend: 0 });
    });
    const doc = await run(w);
    expect(paused(w, G004)).toEqual([]);
    expect(doc.platformErrors.map((e) => e.message).join('\n')).toMatch(
      new RegExp(`duplicate id ${G004} \\(also at campaigns\\[0\\]\\); neither copy is used`),
    );
    const g004 = row(doc, 'ACM-G-004');
    expect(g004.action).not.toBe('halt');
    expect(codes(g004)).toContain('platform_data_unusable');
  });

  it('reports spend of 1e308 instead of pausing on an overflowed variance', async () => {
    const w = ws();
    editPlatform(w, 'google', (doc) => {
      const c = campaignOf(doc, G004);
      c.spend = 1e308;
      delete c.daily;
    });
    const doc = await run(w);
    const g004 = row(doc, 'ACM-G-004');
    expect(g004).toMatchObject({ action: 'log', status: 'failed', variancePct: null, severity: null });
    expect(reasonOf(g004)).toMatch(/Not judged: spend 1e\+308 is beyond any real amount/);
    expect(paused(w, G004)).toEqual([]);
  });

  it('pauses a critical underspend by default, saying why, and only alerts it with UNDERSPEND_ACTION=alert', async () => {
    const enable = (w: Workspace) =>
      editPlatform(w, 'google', (doc) => {
        campaignOf(doc, G005).status = 'ENABLED'; // 50 % under plan
      });
    const byDefault = ws();
    enable(byDefault);
    const halted = row(await run(byDefault), 'ACM-G-005');
    expect(halted.action).toBe('halt');
    expect(reasonOf(halted)).toMatch(/pausing deepens the underspend.*UNDERSPEND_ACTION=alert/);
    expect(paused(byDefault, G005)).toHaveLength(1);

    const alerting = ws({ UNDERSPEND_ACTION: 'alert' });
    enable(alerting);
    const alerted = row(await run(alerting), 'ACM-G-005');
    expect(alerted).toMatchObject({ action: 'alert', proposedAction: null });
    expect(paused(alerting, G005)).toEqual([]);

    const bad = await pacing(alerting, ['run', '--json'], { UNDERSPEND_ACTION: 'pause' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/UNDERSPEND_ACTION.*halt or alert/);
  });
});
