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
  people: null as unknown as Workspace,
};
const firstRuns = {} as Record<keyof typeof scenarios, Outcome>;

beforeAll(async () => {
  await ensureBuilt();
  // These scenarios count the matrix's questions (pauses and alerts): budget questions are test/e2e/budgets.test.ts's.
  const matrixOnly = { BUDGET_ACTIONS: 'off' };
  scenarios.main = workspace(matrixOnly);
  scenarios.expiry = workspace(matrixOnly);
  scenarios.approvers = workspace({ PACING_APPROVERS: 'U1', ...matrixOnly });
  scenarios.bad = workspace(matrixOnly);
  scenarios.noMeta = workspace(matrixOnly);
  scenarios.people = workspace(matrixOnly);
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
    expect(run1.results).toHaveLength(21);
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
      // The DE Boots pool: each on plan to date, together heading 12 % under their 60,000 (a rebalance).
      ['ACM-G-020', 'log', 'done'],
      ['ACM-G-022', 'log', 'done'],
      ['ACM-M-020', 'log', 'done'],
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
    // Each question says how much money it is about: ACM-M-005 spent 8,100 USD against 6,000 planned.
    expect(pending.find((p) => p.campaignId === 'ACM-M-005')?.moneyAtStake).toEqual([
      { currency: 'USD', amount: 2100 },
    ]);
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

describe('the CLI for people: names, did-you-mean, resume by plan id, pending by age, audit types', () => {
  let ws: Workspace;
  let run1: RunDoc;
  const text = (args: string[], columns: number, env: Record<string, string> = {}) =>
    pacing(ws, args, { COLUMNS: String(columns), ...env });
  const pacingTable = (stdout: string) => {
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('ID ') && l.includes('CAMPAIGN'));
    return lines.slice(
      start,
      lines.findIndex((l, i) => i > start && l === ''),
    );
  };

  beforeAll(() => {
    ws = scenarios.people;
    run1 = parsed('people');
  });

  it.each([
    { columns: 120, money: '15,960.00', header: /^ID\s+CAMPAIGN\s+PLATFORM\s+CUR\s+TARGET\s+ACTUAL\s+VARIANCE\s/ },
    { columns: 80, money: '15,960', header: /^ID\s+CAMPAIGN\s+CUR\s+TARGET\s+ACTUAL\s+VARIANCE\s+OUTCOME$/ },
  ])(
    'status at $columns columns: plan names, a currency column, money with separators, nothing wider',
    async ({ columns, money, header }) => {
      const out = await text(['status'], columns);
      expect(out.code, out.stderr).toBe(0);
      for (const l of out.stdout.split('\n')) expect(l.length, l).toBeLessThanOrEqual(columns);
      const table = pacingTable(out.stdout);
      expect(table[0]).toMatch(header);
      expect(table.filter((l) => /^(ACM-|\(orphan\) )/.test(l))).toHaveLength(run1.results.length);
      const g004 = table.find((l) => l.startsWith('ACM-G-004 ')) ?? '';
      expect(g004).toMatch(/^ACM-G-004 {2}Acme_NL_Outdo/);
      expect(g004).toMatch(/\sEUR\s/);
      expect(g004).toContain(money);
      expect(table.find((l) => l.startsWith('ACM-G-007 '))).toMatch(/^ACM-G-007 {2}Acme_UK_Football\S*\s.*\sGBP\s/);
      expect(table.find((l) => l.startsWith('ACM-G-006 '))).toMatch(/\sUSD\s/);
      expect(table.find((l) => l.startsWith('ACM-M-001 '))).toMatch(/\sEUR\/USD\s/);
      expect(table.find((l) => l.startsWith('(orphan) '))).toMatch(/^\(orphan\)\s+Acme_IT_Sandals/);
      // The first run did all of it: two pauses, the questions; the campaign paused by a person stands.
      expect(out.stdout).toMatch(/^This run: 2 paused · .*6 escalated$/m);
      expect(out.stdout).toMatch(/^Standing: 1 paused earlier$/m);
    },
  );

  it('a second run over the same data says nothing new happened, and what stands', async () => {
    const out = await text(['run'], 120);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^This run: nothing new$/m);
    expect(out.stdout).toMatch(/^Standing: 3 paused earlier · .*6 still awaiting a decision$/m);
  });

  it('status of an unknown campaign exits non-zero and suggests the nearest id', async () => {
    const out = await pacing(ws, ['status', 'ACM-G-01']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('No campaign "ACM-G-01" in the latest run');
    expect(out.stderr).toContain('Did you mean ACM-G-001 (Acme_DE_Sneakers_Prospecting_Q4)?');
    const json = await pacing(ws, ['status', 'ACM-G-01', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    const far = await pacing(ws, ['status', 'nothing-like-it']);
    expect(far.code).toBe(1);
    expect(far.stderr).not.toContain('Did you mean');
  });

  it('approve with an escalation id one character off exits non-zero, suggests the open one, changes nothing', async () => {
    const id = row(run1, 'ACM-M-004').escalationId as string;
    const typo = `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
    const before = readAudit(ws);
    const out = await pacing(ws, ['approve', typo, '--user', 'U1']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`There is no escalation ${typo}. Did you mean ${id} (ACM-M-004`);
    expect(readAudit(ws)).toEqual(before);
  });

  it('audit --type with an unknown type exits 2 and lists the valid types, with the nearest ones', async () => {
    const out = await pacing(ws, ['audit', '--type', 'pause']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    const said = out.stderr.replace(/\s+/g, ' ');
    expect(said).toContain('"pause" is not an audit event type. Did you mean campaign_paused,');
    expect(said).toMatch(/Types on record: .*campaign_paused \(2\)/);
    for (const t of ['campaign_resumed', 'escalation_approved', 'run_failed']) expect(said).toContain(t);
  });

  it('audit --type with a type that matches nothing says so and lists the types', async () => {
    const out = await pacing(ws, ['audit', '--type', 'campaign_resumed']);
    expect(out.code, out.stderr).toBe(0);
    const said = out.stdout.replace(/\s+/g, ' ');
    expect(said).toContain('No campaign_resumed events in the audit trail.');
    expect(said).toMatch(/Types on record: .*campaign_paused \(2\), decision \(\d+\)/);
    expect(said).toMatch(/Other types: .*campaign_resumed/);
    expect(await audit(ws, ['--type', 'campaign_resumed'])).toEqual([]);
  });

  it('resume-campaign takes the plan’s campaign id: platform and platform id looked up in the latest run', async () => {
    const unknown = await pacing(ws, ['resume-campaign', 'ACM-G-04', '--user', 'U1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No campaign "ACM-G-04" in the latest run');
    expect(unknown.stderr).toContain('Did you mean ACM-G-004');
    const unmatched = await pacing(ws, ['resume-campaign', 'ACM-M-007', '--user', 'U1']);
    expect(unmatched.code).toBe(1);
    expect(unmatched.stderr).toMatch(/ACM-M-007 \(ACME \| SE \| Yoga \| Awareness\) has no meta campaign/);
    expect(pauses(readAudit(ws), '20512340004')).toHaveLength(1);

    const out = await pacing(ws, ['resume-campaign', 'ACM-G-004', '--user', 'U1']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe('ACM-G-004 (google campaign 20512340004) resumed.');
    const resumed = (await audit(ws, ['--type', 'campaign_resumed'])).map((e) => [
      e.campaignId,
      e.platformCampaignId,
      e.actor,
    ]);
    expect(resumed).toEqual([['ACM-G-004', '20512340004', 'U1']]);
    // The contract's form is unchanged.
    const contract = await pacing(ws, ['resume-campaign', 'meta', '23851200000000003', '--user', 'U1']);
    expect(contract.code, contract.stderr).toBe(0);
    expect(contract.stdout.trim()).toBe('meta campaign 23851200000000003 resumed.');
  });

  it('pending lists the oldest question first, each reason whole on its own line, times in words', async () => {
    // A later run (2 h on) asks about a new plan row; the six questions of the first run stay open, older.
    const tracker = join(ws.dataDir, 'tracker.csv');
    writeFileSync(
      tracker,
      `${readFileSync(tracker, 'utf8').trimEnd()}\nACM-M-099,ACME | PL | Running | Launch,meta,PL,Running,2026-11-01,2026-11-30,1000.00,2000.00,EUR,,23859999999999999\n`,
    );
    const later2h = { PACING_NOW: later(2) };
    const run = await pacingJson<RunDoc>(ws, ['run'], later2h);
    expect(row(run, 'ACM-M-099')).toMatchObject({ action: 'escalate', status: 'awaiting_approval' });

    const order = ['ACM-M-001', 'ACM-M-004', 'ACM-M-005', 'ACM-M-007', 'ACM-M-008', null, 'ACM-M-099'];
    const { pending } = await pacingJson<PendingDoc>(ws, ['pending'], later2h);
    expect(pending.map((p) => p.campaignId)).toEqual(order);
    expect(pending.at(-1)?.createdAt).toBe(later(2));

    const out = await text(['pending'], 200, later2h);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.split('\n');
    const heads = lines.filter((l) => l.startsWith('esc-'));
    expect(heads.map((l) => l.split(/\s+/)[0])).toEqual(pending.map((p) => p.escalationId));
    for (const p of pending) expect(lines, p.escalationId).toContain(`  ${p.reason}`);
    expect(out.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(out.stdout).toContain('raised 2 h ago (Fri 20 Nov 09:00 UTC) · expires in 22 h (Sat 21 Nov 09:00 UTC)');
    expect(out.stdout).toContain('raised just now (Fri 20 Nov 11:00 UTC) · expires in 24 h (Sat 21 Nov 11:00 UTC)');

    // At 80 columns a long reason wraps onto lines of its own, whole.
    const narrow = await text(['pending'], 80, later2h);
    const flat = narrow.stdout.replace(/\s+/g, ' ');
    for (const p of pending) expect(flat).toContain(p.reason.replace(/\s+/g, ' '));
    for (const l of narrow.stdout.split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
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
    expect([...byLine.keys()]).toEqual([9, 23, 24, 25, 26, 27]);
    expect(byLine.get(9)).toMatch(/target_spend.*TBD.*not a number/);
    expect(byLine.get(23)).toMatch(/target_spend.*-500.*negative/);
    expect(byLine.get(24)).toMatch(/platform.*tiktok.*not supported/);
    expect(byLine.get(25)).toMatch(/ACM-G-001.*duplicate.*line 2/);
    expect(byLine.get(26)).toMatch(/start_date.*YYYY-MM-DD/);
    expect(byLine.get(27)).toMatch(/target_spend.*lots.*not a number/);
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
    expect(metaRows).toHaveLength(11);
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
