// Which incidents paging opens and resolves, as a table over what the store says and what paging remembers.
import { describe, expect, it } from 'vitest';
import {
  DEDUP,
  dedupKey,
  evaluatePaging,
  type FailedBudgetChange,
  type FailedPause,
  type KnownIncident,
  type PagingFacts,
  pauseCleared,
  type RefusedMessage,
  type Storm,
} from '../../src/ops/paging.js';

const failed = (over: Partial<FailedPause> = {}): FailedPause => ({
  platform: 'google',
  platformCampaignId: '20512340004',
  campaignId: 'ACM-G-004',
  campaignName: 'ACME | DE | Running | Always On',
  intentKey: 'pause:run-1:google:20512340004',
  runId: 'run-1',
  escalationId: null,
  actor: 'agent',
  at: '2026-11-20T09:00:00.000Z',
  error: 'Google Ads refused the change (PERMISSION_DENIED)',
  overridden: false,
  later: null,
  ...over,
});

const facts = (over: Partial<PagingFacts> = {}): PagingFacts => ({
  failedPauses: [],
  failedBudgetChanges: [],
  unavailable: [],
  storms: [],
  refusedMessages: [],
  runs: { lastFailed: null, lastCompletedAuditId: 10, thrown: null },
  mark: 20,
  ...over,
});

const open = (key: string, kind: string, over: Partial<KnownIncident> = {}): [string, KnownIncident] => [
  key,
  { dedupKey: key, kind, status: 'open', occurrence: null, watermark: 15, ...over },
];

const PAUSE_KEY = 'pacing:pause_failed:google:20512340004';
const wanting = {
  present: true as const,
  platformStatus: 'ENABLED',
  action: 'halt',
  proposedAction: 'halt',
  unavailable: false,
};

describe('dedup keys', () => {
  it('names each condition stably, within PagerDuty’s 255 characters', () => {
    expect(DEDUP.pauseFailed('google', '20512340004')).toBe(PAUSE_KEY);
    expect(DEDUP.platformUnavailable('meta')).toBe('pacing:platform_unavailable:meta');
    expect(DEDUP.storm('esc-1')).toBe('pacing:storm:esc-1');
    expect(DEDUP.runFailed).toBe('pacing:run_failed');
    const long = dedupKey(`pacing:pause_failed:google:${'x'.repeat(400)}`);
    expect(long).toHaveLength(255);
    expect(long).toBe(dedupKey(`pacing:pause_failed:google:${'x'.repeat(400)}`));
    expect(long).not.toBe(dedupKey(`pacing:pause_failed:google:${'x'.repeat(399)}y`));
  });
});

describe('a failed pause: does it still need someone?', () => {
  const cases: { name: string; pause: FailedPause; cleared: string | null }[] = [
    { name: 'no run since the failure', pause: failed(), cleared: null },
    { name: 'a later run still wants it paused', pause: failed({ later: wanting }), cleared: null },
    {
      name: 'a later run asks an approver to pause it',
      pause: failed({ later: { ...wanting, action: 'escalate' } }),
      cleared: null,
    },
    {
      name: 'a later run could not read the platform',
      pause: failed({ later: { ...wanting, action: 'log', proposedAction: null, unavailable: true } }),
      cleared: null,
    },
    {
      name: 'a person paused it on the platform',
      pause: failed({ later: { ...wanting, platformStatus: 'PAUSED' } }),
      cleared: 'the latest run found it paused',
    },
    {
      name: 'back on plan',
      pause: failed({ later: { ...wanting, action: 'log', proposedAction: null } }),
      cleared: 'the latest run no longer calls for pausing it',
    },
    {
      name: 'an alert only (a human decision stands)',
      pause: failed({ later: { ...wanting, action: 'alert' } }),
      cleared: 'the latest run no longer calls for pausing it',
    },
    {
      name: 'asked to alert, not to pause',
      pause: failed({ later: { ...wanting, action: 'escalate', proposedAction: 'alert' } }),
      cleared: 'the latest run no longer calls for pausing it',
    },
    {
      name: 'gone from the plan and the platform',
      pause: failed({ later: { present: false } }),
      cleared: 'the campaign is no longer in the latest run',
    },
    {
      name: 'an approver rejected the pause',
      pause: failed({ overridden: true }),
      cleared: 'an approver decided not to pause it',
    },
  ];
  it.each(cases)('$name', ({ pause, cleared }) => {
    expect(pauseCleared(pause)).toBe(cleared);
  });
});

describe('evaluatePaging', () => {
  const cases: {
    name: string;
    facts: PagingFacts;
    known: [string, KnownIncident][];
    trigger: string[];
    resolve: string[];
  }[] = [
    { name: 'nothing wrong, nothing known', facts: facts(), known: [], trigger: [], resolve: [] },
    {
      name: 'a failed pause opens its incident',
      facts: facts({ failedPauses: [failed()] }),
      known: [],
      trigger: [PAUSE_KEY],
      resolve: [],
    },
    {
      name: 'an open incident is not triggered again (a repeated run)',
      facts: facts({ failedPauses: [failed({ later: wanting })] }),
      known: [open(PAUSE_KEY, 'pause_failed', { occurrence: 'pause:run-1:google:20512340004' })],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a new failure of a campaign with an open incident stays one incident',
      facts: facts({ failedPauses: [failed({ intentKey: 'pause:run-2:google:20512340004', runId: 'run-2' })] }),
      known: [open(PAUSE_KEY, 'pause_failed', { occurrence: 'pause:run-1:google:20512340004' })],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a later pause that took effect resolves it (no failure left)',
      facts: facts(),
      known: [open(PAUSE_KEY, 'pause_failed')],
      trigger: [],
      resolve: [PAUSE_KEY],
    },
    {
      name: 'a campaign found paused resolves it',
      facts: facts({ failedPauses: [failed({ later: { ...wanting, platformStatus: 'PAUSED' } })] }),
      known: [open(PAUSE_KEY, 'pause_failed')],
      trigger: [],
      resolve: [PAUSE_KEY],
    },
    {
      name: 'the same failure never reopens a resolved incident',
      facts: facts({ failedPauses: [failed({ later: wanting })] }),
      known: [open(PAUSE_KEY, 'pause_failed', { status: 'resolved', occurrence: 'pause:run-1:google:20512340004' })],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a new failure after a resolved one pages again',
      facts: facts({ failedPauses: [failed({ intentKey: 'pause:run-5:google:20512340004', runId: 'run-5' })] }),
      known: [open(PAUSE_KEY, 'pause_failed', { status: 'resolved', occurrence: 'pause:run-1:google:20512340004' })],
      trigger: [PAUSE_KEY],
      resolve: [],
    },
    {
      name: 'a platform not read opens its incident',
      facts: facts({ unavailable: [{ platform: 'meta', runId: 'run-3', campaigns: 9, messages: ['HTTP 503'] }] }),
      known: [],
      trigger: ['pacing:platform_unavailable:meta'],
      resolve: [],
    },
    {
      name: 'a platform read fine again resolves it',
      facts: facts(),
      known: [open('pacing:platform_unavailable:meta', 'platform_unavailable')],
      trigger: [],
      resolve: ['pacing:platform_unavailable:meta'],
    },
    {
      name: 'a platform down again after a resolve is a new incident',
      facts: facts({ unavailable: [{ platform: 'meta', runId: 'run-9', campaigns: 9, messages: [] }] }),
      known: [open('pacing:platform_unavailable:meta', 'platform_unavailable', { status: 'resolved' })],
      trigger: ['pacing:platform_unavailable:meta'],
      resolve: [],
    },
    {
      name: 'a storm held for a decision opens its incident',
      facts: facts({
        storms: [
          {
            escalationId: 'esc-7',
            kind: 'data_fault',
            proposedAction: 'halt',
            platform: 'google',
            campaigns: 6,
            reason: 'looks like an outage',
            createdAt: '2026-11-20T09:00:00Z',
          },
        ],
      }),
      known: [],
      trigger: ['pacing:storm:esc-7'],
      resolve: [],
    },
    {
      name: 'a storm decided resolves it',
      facts: facts(),
      known: [open('pacing:storm:esc-7', 'storm')],
      trigger: [],
      resolve: ['pacing:storm:esc-7'],
    },
    {
      name: 'the latest run failed',
      facts: facts({
        runs: {
          lastFailed: { auditId: 12, runId: 'run-4', at: 't', error: 'tracker' },
          lastCompletedAuditId: 10,
          thrown: null,
        },
      }),
      known: [],
      trigger: ['pacing:run_failed'],
      resolve: [],
    },
    {
      name: 'a failure older than the latest completion is history',
      facts: facts({
        runs: {
          lastFailed: { auditId: 8, runId: 'run-2', at: 't', error: 'tracker' },
          lastCompletedAuditId: 10,
          thrown: null,
        },
      }),
      known: [],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a run that threw without a trace in the audit trail',
      facts: facts({
        runs: { lastFailed: null, lastCompletedAuditId: 10, thrown: { trigger: 'cli', error: 'disk full' } },
      }),
      known: [],
      trigger: ['pacing:run_failed'],
      resolve: [],
    },
    {
      name: 'a run failure stays open until a run completes after it opened',
      facts: facts({ runs: { lastFailed: null, lastCompletedAuditId: 15, thrown: null } }),
      known: [open('pacing:run_failed', 'run_failed', { watermark: 15 })],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a run completed after the failure resolves it',
      facts: facts({
        runs: {
          lastFailed: { auditId: 12, runId: 'run-4', at: 't', error: 'x' },
          lastCompletedAuditId: 16,
          thrown: null,
        },
      }),
      known: [open('pacing:run_failed', 'run_failed', { watermark: 15 })],
      trigger: [],
      resolve: ['pacing:run_failed'],
    },
    {
      name: 'several conditions at once, each on its own key',
      facts: facts({
        failedPauses: [failed(), failed({ platform: 'meta', platformCampaignId: '238', intentKey: 'k2' })],
        unavailable: [{ platform: 'google', runId: 'r', campaigns: 1, messages: [] }],
      }),
      known: [open('pacing:storm:esc-1', 'storm')],
      trigger: [PAUSE_KEY, 'pacing:pause_failed:meta:238', 'pacing:platform_unavailable:google'],
      resolve: ['pacing:storm:esc-1'],
    },
  ];
  it.each(cases)('$name', ({ facts: f, known, trigger, resolve }) => {
    const plan = evaluatePaging(f, new Map(known));
    expect(plan.trigger.map((t) => t.dedupKey)).toEqual(trigger);
    expect(plan.resolve.map((r) => r.dedupKey)).toEqual(resolve);
  });

  it('describes a failed pause so that the person woken knows what to do', () => {
    const [t] = evaluatePaging(facts({ failedPauses: [failed()] }), new Map()).trigger;
    expect(t).toMatchObject({
      kind: 'pause_failed',
      severity: 'critical',
      component: 'google',
      occurrence: 'pause:run-1:google:20512340004',
      details: {
        campaignId: 'ACM-G-004',
        platformCampaignId: '20512340004',
        error: expect.stringContaining('PERMISSION'),
      },
    });
    expect(t?.summary).toContain('"ACME | DE | Running | Always On" (google 20512340004) is still running');
    expect(t?.summary).toContain('Pause it by hand');
  });

  it('keeps a summary within PagerDuty’s 1,024 characters', () => {
    const [t] = evaluatePaging(facts({ failedPauses: [failed({ error: 'e'.repeat(5_000) })] }), new Map()).trigger;
    expect(t?.summary.length).toBe(1024);
    expect(t?.summary.endsWith('…')).toBe(true);
  });

  it('says why an incident resolved', () => {
    const plan = evaluatePaging(
      facts({ failedPauses: [failed({ later: { ...wanting, platformStatus: 'PAUSED' } })] }),
      new Map([open(PAUSE_KEY, 'pause_failed')]),
    );
    expect(plan.resolve[0]).toMatchObject({
      reason: 'the latest run found it paused',
      occurrence: 'pause:run-1:google:20512340004',
    });
  });
});

describe('a halt or a question Slack refused', () => {
  const refused = (over: Partial<RefusedMessage> = {}): RefusedMessage => ({
    outboxId: 7,
    kind: 'escalation',
    channel: 'C0APPROVE1',
    error: 'msg_blocks_too_long',
    campaignId: null,
    platform: null,
    platformCampaignId: null,
    escalationId: 'esc-0a1b2c',
    runId: 'run-1',
    createdAt: '2026-11-20T09:00:00.000Z',
    ...over,
  });

  it.each([
    ['an escalation', refused(), /no approver in C0APPROVE1 was asked \(msg_blocks_too_long\)/],
    [
      'a halt card',
      refused({ kind: 'halt', campaignId: 'ACM-G-004', platform: 'google', platformCampaignId: '20512340004' }),
      /nobody in C0APPROVE1 was told it was paused/,
    ],
  ])('opens one incident for %s, once, and resolves it when the message is no longer refused', (_what, m, said) => {
    const key = DEDUP.messageRefused(m.outboxId);
    const first = evaluatePaging(facts({ refusedMessages: [m] }), new Map());
    expect(first.trigger).toHaveLength(1);
    expect(first.trigger[0]).toMatchObject({ dedupKey: key, kind: 'message_refused', severity: 'error' });
    expect(first.trigger[0]?.summary).toMatch(said);
    expect(evaluatePaging(facts({ refusedMessages: [m] }), new Map([open(key, 'message_refused')]))).toEqual({
      trigger: [],
      resolve: [],
    });
    const after = evaluatePaging(facts(), new Map([open(key, 'message_refused')]));
    expect(after.resolve).toEqual([expect.objectContaining({ dedupKey: key, kind: 'message_refused' })]);
  });
});

describe('a storm page says what the batch holds', () => {
  const storm = (over: Partial<Storm>): Storm => ({
    escalationId: 'esc-9',
    kind: 'data_fault',
    proposedAction: 'halt',
    platform: 'google',
    campaigns: 6,
    reason: 'the reason',
    createdAt: '2026-11-20T09:00:00Z',
    ...over,
  });
  const cases: { name: string; storm: Storm; says: string; never: RegExp; severity: string }[] = [
    {
      name: 'zero delivery in an account: would-be pauses',
      storm: storm({}),
      says: 'google data looks faulty: 6 would-be pauses held for one decision (escalation esc-9): the reason',
      never: /missing/,
      severity: 'error',
    },
    {
      name: 'planned campaigns missing from the export: a check, not pauses',
      storm: storm({ proposedAction: 'alert', campaigns: 30 }),
      says: 'google data looks faulty: 30 planned campaigns are missing from it, held for one check (nothing is paused) (escalation esc-9): the reason',
      never: /pause(?!d)/,
      severity: 'error',
    },
    {
      name: 'one planned campaign missing',
      storm: storm({ proposedAction: 'alert', campaigns: 1 }),
      says: 'google data looks faulty: 1 planned campaign is missing from it, held for one check (nothing is paused) (escalation esc-9): the reason',
      never: /would-be/,
      severity: 'error',
    },
    {
      name: 'more pauses than MAX_AUTONOMOUS_HALTS',
      storm: storm({ kind: 'halt_budget', campaigns: 4 }),
      says: '4 pauses over MAX_AUTONOMOUS_HALTS held for one decision (escalation esc-9): the reason',
      never: /data looks faulty/,
      severity: 'warning',
    },
  ];
  it.each(cases)('$name', ({ storm: s, says, never, severity }) => {
    const [t] = evaluatePaging(facts({ storms: [s] }), new Map()).trigger;
    expect(t?.summary).toBe(says);
    expect(t?.summary).not.toMatch(never);
    expect(t).toMatchObject({ severity, details: { proposedAction: s.proposedAction, batch: s.kind } });
  });
});

describe('a failed budget change pages like a failed pause', () => {
  const budget = (over: Partial<FailedBudgetChange> = {}): FailedBudgetChange => ({
    platform: 'google',
    platformCampaignId: '111',
    campaignId: 'G-1',
    auditId: 42,
    runId: 'run-1',
    escalationId: null,
    actor: 'agent',
    restore: false,
    at: '2026-11-20T09:00:00.000Z',
    from: 100,
    to: 80,
    currency: 'EUR',
    error: 'Google Ads refused the change (BUDGET_BELOW_PER_DAY_MINIMUM)',
    kept: false,
    ...over,
  });
  const KEY = 'pacing:budget_change_failed:google:111';
  const cases: {
    name: string;
    failed: FailedBudgetChange[];
    known: [string, KnownIncident][];
    trigger: string[];
    resolve: string[];
  }[] = [
    { name: 'a refused change opens its incident', failed: [budget()], known: [], trigger: [KEY], resolve: [] },
    {
      name: 'one incident per campaign: each campaign its own key',
      failed: [budget(), budget({ platform: 'meta', platformCampaignId: '238', auditId: 43 })],
      known: [],
      trigger: [KEY, 'pacing:budget_change_failed:meta:238'],
      resolve: [],
    },
    {
      name: 'a later failure of the same campaign while open: no second page',
      failed: [budget({ auditId: 50 })],
      known: [open(KEY, 'budget_change_failed', { occurrence: '42' })],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a later change or read-back took (no failure left): resolved',
      failed: [],
      known: [open(KEY, 'budget_change_failed', { occurrence: '42' })],
      trigger: [],
      resolve: [KEY],
    },
    {
      name: 'the failure an incident was resolved for does not reopen it',
      failed: [budget({ kept: false })],
      known: [open(KEY, 'budget_change_failed', { status: 'resolved', occurrence: '42' })],
      trigger: [],
      resolve: [],
    },
    {
      name: 'a new failure after a resolved one pages again',
      failed: [budget({ auditId: 77 })],
      known: [open(KEY, 'budget_change_failed', { status: 'resolved', occurrence: '42' })],
      trigger: [KEY],
      resolve: [],
    },
    {
      name: 'an approver kept the budget since: resolved, not triggered',
      failed: [budget({ kept: true })],
      known: [open(KEY, 'budget_change_failed', { occurrence: '42' })],
      trigger: [],
      resolve: [KEY],
    },
  ];
  it.each(cases)('$name', ({ failed: f, known, trigger, resolve }) => {
    const plan = evaluatePaging(facts({ failedBudgetChanges: f }), new Map(known));
    expect(plan.trigger.map((t) => t.dedupKey)).toEqual(trigger);
    expect(plan.resolve.map((r) => r.dedupKey)).toEqual(resolve);
  });

  it('says what was meant, who asked for it and what to do', () => {
    const [t] = evaluatePaging(
      facts({ failedBudgetChanges: [budget({ actor: 'U0APPROVER1', escalationId: 'esc-1' })] }),
      new Map(),
    ).trigger;
    expect(t).toMatchObject({ kind: 'budget_change_failed', severity: 'error', component: 'google', occurrence: '42' });
    expect(t?.summary).toContain('google campaign 111 (G-1) was not set to 80.00 EUR (it was 100.00 EUR)');
    expect(t?.summary).toContain('approved by U0APPROVER1');
    expect(t?.summary).toContain('BUDGET_BELOW_PER_DAY_MINIMUM');
    expect(t?.summary).toMatch(/Set it by hand on the platform/);
    expect(t?.details).toMatchObject({ escalationId: 'esc-1', from: 100, to: 80, currency: 'EUR' });
  });
});
