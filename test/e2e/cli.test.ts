// The CLI end to end: real child processes (`node dist/cli/bin.js`), a real SQLite file per scenario, and a
// temporary copy of the bundled fixtures. Every process is a fresh start, so state that crosses commands
// (escalations, LangGraph checkpoints, fixture pauses) is read back from the database.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditDoc,
  ensureBuilt,
  NOW,
  type Outcome,
  type PendingDoc,
  pacing,
  pacingJson,
  type RunDoc,
  readAudit,
  readEscalations,
  row,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';

const ORPHAN = '20599990001';
const M005 = '23851200000000005';
const M001 = '23851200000000001';
const HOUR = 3_600_000;
const later = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR).toISOString();

const audit = (ws: Workspace, args: string[] = [], env: Record<string, string> = {}) =>
  pacingJson<AuditDoc>(ws, ['audit', ...args], env).then((d) => d.events);
const pauses = (events: AuditDoc['events'], platformCampaignId?: string) =>
  events.filter(
    (e) =>
      e.type === 'campaign_paused' && (platformCampaignId === undefined || e.platformCampaignId === platformCampaignId),
  );

// Each scenario has its own workspace; their first runs are independent, so they start together.
const scenarios = {
  main: null as unknown as Workspace,
  expiry: null as unknown as Workspace,
  approvers: null as unknown as Workspace,
  bad: null as unknown as Workspace,
  noMeta: null as unknown as Workspace,
};
const firstRuns = {} as Record<keyof typeof scenarios, Outcome>;

beforeAll(async () => {
  await ensureBuilt();
  scenarios.main = workspace();
  scenarios.expiry = workspace();
  scenarios.approvers = workspace({ PACING_APPROVERS: 'U1' });
  scenarios.bad = workspace();
  scenarios.noMeta = workspace();
  prepareBadInput(scenarios.bad, scenarios.noMeta);
  const names = Object.keys(scenarios) as (keyof typeof scenarios)[];
  const outs = await Promise.all(names.map((n) => pacing(scenarios[n], ['run', '--json'])));
  names.forEach((n, i) => {
    firstRuns[n] = outs[i] as Outcome;
  });
}, 60_000);
afterAll(() => {
  for (const ws of Object.values(scenarios)) ws?.cleanup();
});

const parsed = (n: keyof typeof scenarios): RunDoc => {
  const out = firstRuns[n];
  if (out.code !== 0) throw new Error(`run in ${n} exited ${out.code}: ${out.stderr}`);
  return JSON.parse(out.stdout) as RunDoc;
};

describe('pacing CLI on the bundled scenario', () => {
  let ws: Workspace;
  let first: Outcome;
  let run1: RunDoc;
  let escalationOf: (campaignId: string | null, platformCampaignId?: string) => string;

  // Read-only commands on the first run, started together.
  let status1: RunDoc;
  let detail: Outcome;
  let pending1: PendingDoc;

  beforeAll(async () => {
    ws = scenarios.main;
    first = firstRuns.main;
    run1 = parsed('main');
    escalationOf = (c, p) => row(run1, c, p).escalationId as string;
    [status1, detail, pending1] = await Promise.all([
      pacingJson<RunDoc>(ws, ['status']),
      pacing(ws, ['status', 'ACM-G-004']),
      pacingJson<PendingDoc>(ws, ['pending']),
    ]);
  });

  it('run --json exits 0 and prints exactly one JSON document with runId, results and errors', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(() => JSON.parse(first.stdout)).not.toThrow();
    expect(run1.runId).toMatch(/\S/);
    expect(Array.isArray(run1.results)).toBe(true);
    expect(run1.results).toHaveLength(18);
    expect(run1.errors).toHaveLength(1);
  });

  it('decides every fixture case as fixtures/README.md says', () => {
    const expected: [string, string, string, ('alert' | 'halt')?][] = [
      ['ACM-G-001', 'log', 'done'],
      ['ACM-G-002', 'alert', 'done'],
      ['ACM-G-003', 'alert', 'done'],
      ['ACM-G-004', 'halt', 'done'],
      ['ACM-G-005', 'halt', 'done'],
      ['ACM-G-006', 'alert', 'done'],
      ['ACM-G-007', 'alert', 'done'],
      ['ACM-M-001', 'escalate', 'awaiting_approval', 'alert'],
      ['ACM-M-002', 'log', 'done'],
      ['ACM-M-003', 'halt', 'done'],
      ['ACM-M-004', 'escalate', 'awaiting_approval', 'alert'],
      ['ACM-M-005', 'escalate', 'awaiting_approval', 'halt'],
      ['ACM-M-006', 'log', 'done'],
      ['ACM-M-007', 'escalate', 'awaiting_approval', 'alert'],
      ['ACM-M-008', 'escalate', 'awaiting_approval', 'alert'],
      ['ACM-M-009', 'alert', 'done'],
      // Launched this morning and not delivering yet: too early to judge (safety guard 3), only alerted.
      ['ACM-M-010', 'alert', 'done'],
    ];
    for (const [id, action, status, proposed] of expected) {
      const r = row(run1, id);
      expect({ id, action: r.action, status: r.status }).toEqual({ id, action, status });
      if (proposed) expect(r.proposedAction, id).toBe(proposed);
      if (action === 'escalate') expect(r.escalationId, id).toMatch(/\S/);
      else expect(r.escalationId, id).toBeNull();
    }
    expect(row(run1, 'ACM-G-002')).toMatchObject({ variancePct: 10, severity: 'warning' });
    expect(row(run1, 'ACM-G-003')).toMatchObject({ variancePct: -25, severity: 'warning' });
    expect(row(run1, 'ACM-G-004')).toMatchObject({
      variancePct: 40,
      severity: 'critical',
      platformCampaignId: '20512340004',
    });
    expect(row(run1, 'ACM-M-003')).toMatchObject({ zeroDelivery: true, actualSpend: 0, severity: 'critical' });
    expect(row(run1, 'ACM-G-005').rootCause.map((c) => c.code)).toContain('campaign_paused');
    expect(row(run1, 'ACM-M-007').platformCampaignId).toBeNull();
    // The unmatched, unspent Google campaign is ignored.
    expect(run1.results.some((r) => r.platformCampaignId === '20599990002')).toBe(false);
  });

  it('reports the invalid line 9 in errors and keeps the other rows', () => {
    expect(run1.errors).toEqual([{ line: 9, message: expect.stringMatching(/target_spend.*TBD.*not a number/) }]);
    expect(run1.results.some((r) => r.campaignId === 'ACM-G-008')).toBe(false);
  });

  it('reports the orphan with campaignId null, escalated with a proposed halt', () => {
    const orphan = row(run1, null, ORPHAN);
    expect(orphan).toMatchObject({
      platform: 'google',
      action: 'escalate',
      proposedAction: 'halt',
      status: 'awaiting_approval',
      actualSpend: 1850.4,
      confidence: 0,
    });
    expect(orphan.rootCause.map((c) => c.code)).toContain('orphan_spend');
    expect(run1.results.filter((r) => r.campaignId === null)).toHaveLength(1);
  });

  it('gives confidence as the sum of its three parts on every row', () => {
    for (const r of run1.results) {
      const { metadata, name, freshness } = r.confidenceParts;
      // The total is the exact sum rounded once; the rounded parts may differ from it by a hundredth.
      expect(Math.abs(r.confidence - (metadata + name + freshness)), r.campaignId ?? 'orphan').toBeLessThan(0.02);
    }
    expect(row(run1, 'ACM-G-006')).toMatchObject({
      confidence: 86.67,
      confidenceParts: { metadata: 50, name: 30, freshness: 6.67 },
    });
    expect(row(run1, 'ACM-G-007')).toMatchObject({ confidence: 80.65, confidenceParts: { name: 10.65 } });
    expect(row(run1, 'ACM-M-004')).toMatchObject({ confidence: 66.67, confidenceParts: { metadata: 16.67 } });
    expect(row(run1, 'ACM-M-005')).toMatchObject({
      confidence: 66.67,
      confidenceParts: { metadata: 33.33, freshness: 3.33 },
    });
    expect(row(run1, 'ACM-M-006')).toMatchObject({ confidence: 97, confidenceParts: { name: 27 } });
  });

  it('pauses the two confident halts itself, and not the campaign that was already paused', () => {
    const paused = pauses(readAudit(ws));
    expect(paused.map((e) => e.platformCampaignId).sort()).toEqual(['20512340004', '23851200000000003']);
    expect(paused.every((e) => e.actor === 'agent')).toBe(true);
  });

  it('status --json shows the same run', () => {
    const status = status1;
    expect(status.runId).toBe(run1.runId);
    expect(status.results.map((r) => [r.campaignId, r.action, r.status, r.escalationId])).toEqual(
      run1.results.map((r) => [r.campaignId, r.action, r.status, r.escalationId]),
    );
    expect(status.errors).toEqual(run1.errors);
  });

  it('status <campaign> explains the root cause and the mitigation in words', () => {
    const out = detail;
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('ACM-G-004');
    expect(out.stdout).toMatch(/root cause/i);
    expect(out.stdout).toMatch(/mitigation/i);
    expect(out.stdout).toMatch(/budget/i);
  });

  it('pending --json lists the 6 escalations, each expiring 24 h after it was raised', () => {
    const { pending } = pending1;
    expect(pending).toHaveLength(6);
    expect(pending.map((p) => p.campaignId).sort()).toEqual(
      ['ACM-M-001', 'ACM-M-004', 'ACM-M-005', 'ACM-M-007', 'ACM-M-008', null].sort(),
    );
    for (const p of pending) {
      const r = row(run1, p.campaignId, p.campaignId === null ? ORPHAN : undefined);
      expect(p.escalationId).toBe(r.escalationId);
      expect(p.proposedAction).toBe(r.proposedAction);
      expect(p.reason).toMatch(/\S/);
      expect(new Date(p.createdAt).toISOString()).toBe(p.createdAt);
      expect(new Date(p.expiresAt).toISOString()).toBe(p.expiresAt);
      expect(Date.parse(p.createdAt)).toBe(Date.parse(NOW));
      expect(Date.parse(p.expiresAt) - Date.parse(p.createdAt)).toBe(24 * HOUR);
    }
    const halts = pending.filter((p) => p.proposedAction === 'halt').map((p) => p.platformCampaignId);
    expect(halts.sort()).toEqual([ORPHAN, M005]);
  });

  it('a second run links the open escalations instead of asking again', async () => {
    const run2 = await pacingJson<RunDoc>(ws, ['run']);
    expect(run2.runId).not.toBe(run1.runId);
    for (const r1 of run1.results.filter((r) => r.action === 'escalate')) {
      const r2 = row(run2, r1.campaignId, r1.campaignId === null ? ORPHAN : undefined);
      expect(r2.status, r1.campaignId ?? 'orphan').toBe('awaiting_approval');
      expect(r2.escalationId, r1.campaignId ?? 'orphan').toBe(r1.escalationId);
    }
    expect([...readEscalations(ws).values()].filter((s) => s === 'pending')).toHaveLength(6);
    expect(readAudit(ws).filter((e) => e.type === 'escalation_opened')).toHaveLength(6);
  });

  it('approve in a new process carries out the halt: one campaign_paused by U1, seen paused by the next run', async () => {
    const id = escalationOf('ACM-M-005');
    const out = await pacing(ws, ['approve', id, '--user', 'U1']);
    expect(out.code, out.stderr).toBe(0);

    const events = await audit(ws);
    const paused = pauses(events, M005);
    expect(paused).toHaveLength(1);
    expect(paused[0]?.actor).toBe('U1');
    expect(events.filter((e) => e.type === 'escalation_approved' && e.details.escalationId === id)).toEqual([
      expect.objectContaining({ actor: 'U1', campaignId: 'ACM-M-005' }),
    ]);

    // The latest run's row that points at the escalation now shows the decision.
    const status = await pacingJson<RunDoc>(ws, ['status']);
    expect(row(status, 'ACM-M-005')).toMatchObject({ escalationId: id, status: 'approved' });
    expect(readEscalations(ws).get(id)).toBe('approved');

    const run3 = await pacingJson<RunDoc>(ws, ['run']);
    expect(row(run3, 'ACM-M-005').platformStatus).toBe('PAUSED');
    expect(pauses(readAudit(ws), M005)).toHaveLength(1);
  });

  it('reject overrides: recorded with who and why, nothing paused', async () => {
    const id = escalationOf(null, ORPHAN);
    const out = await pacing(ws, ['reject', id, '--user', 'U1', '--reason', 'planned']);
    expect(out.code, out.stderr).toBe(0);
    const events = readAudit(ws);
    expect(pauses(events, ORPHAN)).toHaveLength(0);
    const overridden = events.filter((e) => e.type === 'escalation_overridden' && e.details.escalationId === id);
    expect(overridden).toHaveLength(1);
    expect(overridden[0]).toMatchObject({ actor: 'U1', details: { note: 'planned' } });
    const status = await pacingJson<RunDoc>(ws, ['status']);
    expect(row(status, null, ORPHAN)).toMatchObject({ escalationId: id, status: 'overridden' });
  });

  it('a decision is taken once: deciding again exits non-zero, says so, and changes nothing', async () => {
    const before = readAudit(ws);
    const again = [
      await pacing(ws, ['approve', escalationOf(null, ORPHAN), '--user', 'U1']),
      await pacing(ws, ['reject', escalationOf('ACM-M-005'), '--user', 'U1', '--reason', 'late']),
    ];
    for (const out of again) {
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/already/i);
    }
    const after = readAudit(ws);
    expect(after).toHaveLength(before.length);
    expect(pauses(after, M005)).toHaveLength(1);
  });

  it('an unknown escalation id exits non-zero', async () => {
    const out = await pacing(ws, ['approve', 'esc-0000000000', '--user', 'U1']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('esc-0000000000');
  });

  it('a currency mismatch is escalated with a proposed alert and never paused, even when approved', async () => {
    const r = row(run1, 'ACM-M-001');
    expect(r).toMatchObject({ action: 'escalate', proposedAction: 'alert', variancePct: null });
    expect(r.rootCause.map((c) => c.code)).toContain('currency_mismatch');
    const out = await pacing(ws, ['approve', r.escalationId as string, '--user', 'U1']);
    expect(out.code, out.stderr).toBe(0);
    const events = readAudit(ws);
    expect(pauses(events, M001)).toHaveLength(0);
    expect(events.some((e) => e.type === 'alert_raised' && e.details.escalationId === r.escalationId)).toBe(true);
  });

  it('audit --campaign filters the trail to one campaign', async () => {
    const events = await audit(ws, ['--campaign', 'ACM-G-004']);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events)
      expect(e.campaignId === 'ACM-G-004' || e.platformCampaignId === '20512340004', e.type).toBe(true);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['decision', 'campaign_paused']));
    expect(readAudit(ws).length).toBeGreaterThan(events.length);
  });
});

describe('escalations expire after their timeout', () => {
  let ws: Workspace;
  let run: RunDoc;
  const late = { PACING_NOW: later(25) };

  beforeAll(() => {
    ws = scenarios.expiry;
    run = parsed('expiry');
  });

  it('25 h later nothing is pending, the rows show expired, and nothing was paused for them', async () => {
    const { pending } = await pacingJson<PendingDoc>(ws, ['pending'], late);
    expect(pending).toEqual([]);

    const status = await pacingJson<RunDoc>(ws, ['status'], late);
    const escalated = status.results.filter((r) => r.escalationId !== null);
    expect(escalated).toHaveLength(6);
    for (const r of escalated) expect(r.status, r.campaignId ?? 'orphan').toBe('expired');

    const events = readAudit(ws);
    expect(events.filter((e) => e.type === 'escalation_expired')).toHaveLength(6);
    // Only the two autonomous halts of the run paused anything.
    expect(
      pauses(events)
        .map((e) => e.platformCampaignId)
        .sort(),
    ).toEqual(['20512340004', '23851200000000003']);
  });

  it('approving an expired escalation fails and changes nothing', async () => {
    const before = readAudit(ws);
    const id = row(run, 'ACM-M-005').escalationId as string;
    const out = await pacing(ws, ['approve', id, '--user', 'U1'], late);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/expired/i);
    const after = readAudit(ws);
    expect(after).toHaveLength(before.length);
    expect(pauses(after, M005)).toHaveLength(0);
  });
});

describe('only configured approvers decide', () => {
  let ws: Workspace;
  let run: RunDoc;

  beforeAll(() => {
    ws = scenarios.approvers;
    run = parsed('approvers');
  });

  it('someone else is refused and nothing changes; an approver then may decide', async () => {
    const id = row(run, 'ACM-M-005').escalationId as string;
    const before = readAudit(ws);
    const refused = await pacing(ws, ['approve', id, '--user', 'U2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/U2.*approver|approver.*U2/i);
    expect(readAudit(ws)).toEqual(before);
    expect(readEscalations(ws).get(id)).toBe('pending');

    const allowed = await pacing(ws, ['approve', id, '--user', 'U1']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readEscalations(ws).get(id)).toBe('approved');
    expect(pauses(readAudit(ws), M005)).toEqual([expect.objectContaining({ actor: 'U1' })]);
  });
});

describe.concurrent('bad configuration stops the program with a message naming the variable or path', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace();
  });
  afterAll(() => ws?.cleanup());

  it.each([
    ['CONFIDENCE_THRESHOLD', 'lots'],
    ['PACING_NOW', 'yesterday'],
    ['PACING_TZ', 'Mars/Base'],
  ])('%s=%s', async (variable, value) => {
    const out = await pacing(ws, ['run', '--json'], { [variable]: value });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(variable);
    expect(out.stdout).toBe('');
  });

  it('PACING_DATA_DIR that does not exist', async () => {
    const out = await pacing(ws, ['run', '--json'], { PACING_DATA_DIR: '/nonexistent' });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('/nonexistent');
  });

  it('a data dir without tracker.csv', async () => {
    const dir = join(ws.dir, 'no-tracker');
    mkdirSync(dir);
    for (const f of ['google.json', 'meta.json']) writeFileSync(join(dir, f), readFileSync(join(ws.dataDir, f)));
    const out = await pacing(ws, ['run', '--json'], { PACING_DATA_DIR: dir });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('tracker.csv');
    expect(out.stdout).toBe('');
  });
});

describe('bad input is reported and good data kept', () => {
  let badRun: RunDoc;
  let noMetaRun: RunDoc;

  beforeAll(() => {
    badRun = parsed('bad');
    noMetaRun = parsed('noMeta');
  });

  it('reports each bad tracker row with its line and a specific reason', () => {
    const byLine = new Map(badRun.errors.map((e) => [e.line, e.message]));
    expect([...byLine.keys()]).toEqual([9, 20, 21, 22, 23, 24]);
    expect(byLine.get(9)).toMatch(/target_spend.*TBD.*not a number/);
    expect(byLine.get(20)).toMatch(/target_spend.*-500.*negative/);
    expect(byLine.get(21)).toMatch(/platform.*tiktok.*not supported/);
    expect(byLine.get(22)).toMatch(/ACM-G-001.*duplicate.*line 2/);
    expect(byLine.get(23)).toMatch(/start_date.*YYYY-MM-DD/);
    expect(byLine.get(24)).toMatch(/target_spend.*lots.*not a number/);
  });

  it('keeps every good row, the first of a duplicate included', () => {
    const ids = badRun.results.map((r) => r.campaignId);
    for (const id of run1Ids) expect(ids, id).toContain(id);
    expect(ids.filter((id) => id === 'ACM-G-001')).toHaveLength(1);
    expect(row(badRun, 'ACM-G-001')).toMatchObject({
      targetSpend: 22800,
      platformCampaignId: '20512340001',
      action: 'log',
    });
    for (const id of ['ACM-X-001', 'ACM-X-002', 'ACM-X-003', 'ACM-X-004']) expect(ids).not.toContain(id);
  });

  it('reports platform campaigns with non-numeric or negative spend, and still matches the others', () => {
    const google = badRun.platformErrors.filter((e) => e.platform === 'google').map((e) => e.message);
    expect(google).toHaveLength(2);
    expect(google.find((m) => m.includes('20577770001'))).toMatch(/spend "abc" is not a number/);
    expect(google.find((m) => m.includes('20577770002'))).toMatch(/spend -10 is negative/);
    const expectedPairs: [string, string][] = [
      ['ACM-G-001', '20512340001'],
      ['ACM-G-002', '20512340002'],
      ['ACM-G-003', '20512340003'],
      ['ACM-G-004', '20512340004'],
      ['ACM-G-005', '20512340005'],
      ['ACM-G-006', '20512340006'],
      ['ACM-G-007', '21098765432'],
    ];
    for (const [id, platformId] of expectedPairs) expect(row(badRun, id).platformCampaignId, id).toBe(platformId);
    expect(
      badRun.results.some((r) => r.platformCampaignId === '20577770001' || r.platformCampaignId === '20577770002'),
    ).toBe(false);
  });

  it('a missing meta.json fails the Meta rows and leaves the Google results intact', () => {
    expect(noMetaRun.platformErrors).toEqual([{ platform: 'meta', message: expect.stringContaining('meta.json') }]);
    const metaRows = noMetaRun.results.filter((r) => r.platform === 'meta');
    expect(metaRows).toHaveLength(10);
    for (const r of metaRows) expect(r.status, r.campaignId ?? '').toBe('failed');
    expect(row(noMetaRun, 'ACM-G-001')).toMatchObject({
      action: 'log',
      status: 'done',
      platformCampaignId: '20512340001',
    });
    expect(row(noMetaRun, 'ACM-G-004')).toMatchObject({ action: 'halt', status: 'done', variancePct: 40 });
    expect(row(noMetaRun, 'ACM-G-007')).toMatchObject({ action: 'alert', status: 'done', confidence: 80.65 });
    expect(row(noMetaRun, null, ORPHAN)).toMatchObject({ action: 'escalate', status: 'awaiting_approval' });
  });
});

const run1Ids = [
  'ACM-G-001',
  'ACM-G-002',
  'ACM-G-003',
  'ACM-G-004',
  'ACM-G-005',
  'ACM-G-006',
  'ACM-G-007',
  'ACM-M-001',
  'ACM-M-002',
  'ACM-M-003',
  'ACM-M-004',
  'ACM-M-005',
  'ACM-M-006',
  'ACM-M-007',
  'ACM-M-008',
  'ACM-M-009',
];

/** A tracker with five more bad rows and a google.json with two unusable campaigns; a data dir without meta.json. */
function prepareBadInput(bad: Workspace, noMeta: Workspace): void {
  const tracker = readFileSync(join(bad.dataDir, 'tracker.csv'), 'utf8').trimEnd();
  const extra = [
    'ACM-X-001,Acme_FR_Negative_Target,google,FR,Running,2026-11-01,2026-11-30,-500.00,,EUR,,', // line 20
    'ACM-X-002,Acme_DE_TikTok_Launch,tiktok,DE,Sneakers,2026-11-01,2026-11-30,1000.00,,EUR,,', // line 21
    'ACM-G-001,Acme_DE_Sneakers_Prospecting_Q4_Copy,google,DE,Sneakers,2026-11-01,2026-11-30,100.00,,EUR,,', // line 22
    'ACM-X-003,Acme_DE_Bad_Date,google,DE,Sneakers,2026-11-31,2026-12-31,1000.00,,EUR,,', // line 23
    'ACM-X-004,Acme_DE_Words,google,DE,Sneakers,2026-11-01,2026-11-30,lots,,EUR,,', // line 24
  ];
  writeFileSync(join(bad.dataDir, 'tracker.csv'), `${[tracker, ...extra].join('\n')}\n`);
  const google = JSON.parse(readFileSync(join(bad.dataDir, 'google.json'), 'utf8')) as {
    campaigns: Record<string, unknown>[];
  };
  const extraCampaign = (id: string, name: string, spend: unknown) => ({
    id,
    name,
    market: 'DE',
    product: 'Sneakers',
    start_date: '2026-11-01',
    end_date: '2026-11-30',
    spend,
    status: 'ENABLED',
    currency: 'EUR',
  });
  google.campaigns.push(
    extraCampaign('20577770001', 'Acme_DE_Broken_Spend', 'abc'),
    extraCampaign('20577770002', 'Acme_DE_Negative_Spend', -10),
  );
  writeFileSync(join(bad.dataDir, 'google.json'), JSON.stringify(google));
  rmSync(join(noMeta.dataDir, 'meta.json'));
}
