// What the agent may do alone. Assessments (the matrix's verdicts) + what the store remembers (open questions,
// people's decisions) + the guard settings → one intent per row, batch questions, and questions to close, each
// with its reason. Pure: deciding lives here, doing lives in agent/effects.ts.
import type { Assessment } from './assess.js';
import { mitigate } from './mitigation.js';
import { formatPct, round2 } from './money.js';
import type { BatchKind } from './records.js';
import type { Cause, CauseCode, Platform, ProposedAction } from './types.js';

export interface GuardSettings {
  confidence: number;
  freshnessHours: number;
  /** Guard 1's opt-out: zero delivery pauses at any confidence (the seed's literal matrix row). */
  zeroDeliveryAnyConfidence: boolean;
  earlyFlightHours: number;
  dataFaultShare: number;
  maxAutonomousHalts: number;
  maxOrphanEscalations: number;
  humanDecisionHours: number;
}

export const DEFAULT_GUARDS: Omit<GuardSettings, 'confidence' | 'freshnessHours'> = {
  zeroDeliveryAnyConfidence: false,
  earlyFlightHours: 24,
  dataFaultShare: 0.5,
  maxAutonomousHalts: 20,
  maxOrphanEscalations: 20,
  humanDecisionHours: 72,
};

/** A storm needs at least this many suspect campaigns in one account. */
export const DATA_FAULT_MIN_CAMPAIGNS = 3;
/** How far |variance| must grow past a person's decision before the agent asks again. */
export const REASK_POINTS = 10;

/** A question awaiting an approver; a batch's members all point at their batch. */
export interface OpenQuestion {
  id: string;
  proposedAction: ProposedAction;
  createdAt: string;
  batch: boolean;
}

/** The latest thing a person decided about a campaign. */
export interface HumanDecision {
  kind: 'approved' | 'rejected' | 'resumed';
  actor: string;
  at: string;
  /** What was proposed (approvals and rejections); null for a resume. */
  proposedAction: ProposedAction | null;
  escalationId: string | null;
  /** The campaign's figures when the person decided, to tell whether it has got worse since. */
  variancePct: number | null;
  actualSpend: number | null;
}

export interface Memory {
  /** Open questions by campaign key. */
  open: ReadonlyMap<string, OpenQuestion>;
  /** People's latest decisions within HUMAN_DECISION_HOURS, by campaign key or platform key (`google:123`). */
  decisions: ReadonlyMap<string, HumanDecision>;
  /** Platforms read completely this run: only there can a missing orphan be taken as gone. */
  complete: ReadonlySet<Platform>;
}

export type Intent =
  | { do: 'log' }
  | { do: 'alert' }
  /** Pause alone (a campaign already paused is only noted). */
  | { do: 'pause' }
  /** Ask an approver; `supersedes` is an open milder question this one replaces. */
  | { do: 'ask'; proposed: ProposedAction; supersedes: string | null }
  /** Already asked: point at the open question. */
  | { do: 'wait'; escalationId: string }
  /** Asked and answered recently: the answer stands. */
  | { do: 'answered'; escalationId: string; status: 'approved' | 'overridden'; note: string }
  /** One of many: asked in batch number `batch`. */
  | { do: 'batch'; batch: number }
  /** Could not be assessed (platform data missing, plan row invalid): nothing to do, reported as failed. */
  | { do: 'report' };

export interface PlannedRow {
  row: Assessment;
  intent: Intent;
}

export interface Batch {
  kind: BatchKind;
  /** What the batch is about: an account, or the run. */
  scope: string;
  proposed: ProposedAction;
  reason: string;
  /** Indices into `rows`, biggest money at stake first. */
  members: number[];
}

export interface ClosePlan {
  escalationId: string;
  /** The campaign key the question was about (for a batch: its own key). */
  key: string;
  note: string;
}

export interface PolicyPlan {
  rows: PlannedRow[];
  batches: Batch[];
  /** Open questions that no longer stand. */
  close: ClosePlan[];
  /** Members of open batches that no longer need the proposal, by batch id. */
  drop: { escalationId: string; key: string }[];
  /** Said about the run's data, e.g. an account whose data looks faulty. */
  warnings: { platform: Platform; message: string }[];
  /** Rows each guard held back. */
  guarded: Partial<Record<CauseCode, number>>;
}

const HOUR_MS = 3_600_000;
const PLATFORM_NAME: Record<Platform, string> = { google: 'Google Ads', meta: 'Meta' };

/** |actual − target|: the money a row's decision is about. */
export const moneyAtStake = (a: Assessment): number =>
  a.actualSpend === null ? 0 : Math.abs(a.actualSpend - (a.targetSpend ?? 0));

export function plan(
  assessments: readonly Assessment[],
  memory: Memory,
  settings: GuardSettings,
  now: string,
): PolicyPlan {
  const out: PolicyPlan = { rows: [], batches: [], close: [], drop: [], warnings: [], guarded: {} };
  const guard = (a: Assessment, code: CauseCode, message: string, evidence: Cause['evidence']): Assessment => {
    out.guarded[code] = (out.guarded[code] ?? 0) + 1;
    return withCause(a, { code, message, evidence });
  };
  for (const assessed of assessments) {
    const row = guardRow(assessed, settings, now, guard);
    out.rows.push({ row, intent: baseIntent(row) });
  }
  respectPeople(out, memory, settings, guard);
  linkOpenQuestions(out, memory);
  batchStorms(out, settings, now, guard);
  batchOverBudget(out, settings, guard);
  batchOrphans(out, settings, guard);
  closeStale(out, memory);
  return out;
}

type Guard = (a: Assessment, code: CauseCode, message: string, evidence: Cause['evidence']) => Assessment;

// Shared, never mutated (intents are replaced, not changed): ten thousand rows need no ten thousand objects.
const LOG: Intent = Object.freeze({ do: 'log' });
const ALERT: Intent = Object.freeze({ do: 'alert' });
const PAUSE: Intent = Object.freeze({ do: 'pause' });
const REPORT: Intent = Object.freeze({ do: 'report' });

function baseIntent(a: Assessment): Intent {
  if (
    a.rootCause.length > 0 &&
    a.rootCause.some((c) => c.code === 'platform_unavailable' || c.code === 'plan_row_invalid')
  )
    return REPORT;
  switch (a.action) {
    case 'log':
      return LOG;
    case 'alert':
      return ALERT;
    case 'halt':
      return PAUSE;
    case 'escalate':
      return { do: 'ask', proposed: a.proposedAction ?? 'alert', supersedes: null };
  }
}

/** Guards that need only the row: early flight, unknown currency, stale data, low confidence on zero delivery. */
export function guardRow(a: Assessment, s: GuardSettings, now: string, guard: Guard = plainGuard): Assessment {
  if (a.campaignId === null || a.platformCampaignId === null) return a;
  const proposesHalt = a.action === 'halt' || (a.action === 'escalate' && a.proposedAction === 'halt');
  let row = a;

  // Guard 3: in its first hours a flight has not had time to deliver; under-delivery is never halted.
  const started = a.startDate === null ? null : (Date.parse(now) - Date.parse(`${a.startDate}T00:00:00Z`)) / HOUR_MS;
  const under = a.zeroDelivery || (a.variancePct !== null && a.variancePct < 0);
  if (proposesHalt && under && started !== null && started < s.earlyFlightHours) {
    const age = started < 0 ? 'has not started yet' : `started ${round2(started)} h ago`;
    row = guard(
      { ...a, action: 'alert', proposedAction: null },
      'guard_early_flight',
      `Too early to judge: the flight ${age} (EARLY_FLIGHT_HOURS ${s.earlyFlightHours}); not paused.`,
      { startDate: a.startDate, hoursSinceStart: round2(started), earlyFlightHours: s.earlyFlightHours },
    );
    row.reason = `Too early to judge: the flight ${age}, so under-delivery is only reported. ${a.reason}`;
    return row;
  }

  // Guard 4: spend in a stated currency against a plan that states none cannot be compared safely: nothing is
  // done alone. A row within tolerance is only logged (saying so): asking approvers about campaigns on plan
  // would bury the questions that matter.
  if (a.planCurrency === null && a.platformCurrency !== null) {
    const acts = a.action === 'alert' || a.action === 'halt';
    const proposed: ProposedAction = proposesHalt ? 'halt' : 'alert';
    row = guard(
      acts ? { ...row, action: 'escalate', proposedAction: proposed } : row,
      'guard_currency_unknown',
      `The plan row states no currency and ${a.platform} reports ${a.platformCurrency}: the variance may compare different money.`,
      { platformCurrency: a.platformCurrency, line: a.line },
    );
    row.reason = acts
      ? `The plan has no currency and ${a.platform} reports ${a.platformCurrency}: an approver must confirm before anything is done (set the tracker's currency column or PACING_CURRENCY). ${a.reason}`
      : `${row.reason} The plan states no currency (${a.platform} reports ${a.platformCurrency}).`;
  }

  // Guard 2: data too old to be scored (freshness 0) never pauses alone; every row says how old it is.
  const zeroAt = 2 * s.freshnessHours;
  if (a.dataAgeHours !== null && a.dataAgeHours > zeroAt) {
    const age = formatAge(a.dataAgeHours);
    const halts = row.action === 'halt';
    row = guard(
      halts ? { ...row, action: 'escalate', proposedAction: 'halt' } : { ...row },
      'guard_stale_data',
      `The spend data is ${age} old (over ${zeroAt} h): too old to act on alone.`,
      { ageHours: round2(a.dataAgeHours), limitHours: zeroAt },
    );
    row.reason = halts
      ? `Would pause, but the spend data is ${age} old (over ${zeroAt} h): an approver must confirm. ${a.reason}`
      : `${row.reason} Spend data is ${age} old.`;
  }

  // Guard 1: zero delivery pauses alone only on a confident match.
  if (row.action === 'halt' && a.zeroDelivery && a.confidence < s.confidence && !s.zeroDeliveryAnyConfidence) {
    row = guard(
      { ...row, action: 'escalate', proposedAction: 'halt' },
      'guard_low_confidence',
      `No delivery, but confidence ${a.confidence} < ${s.confidence}: the match may be the wrong campaign.`,
      { confidence: a.confidence, threshold: s.confidence },
    );
    row.reason = `Delivers nothing, but confidence ${a.confidence} < ${s.confidence}: the match may be the wrong campaign, so an approver must confirm the pause.`;
  }
  return row;
}

/** Guard 6: a person who kept a campaign running is not overridden for HUMAN_DECISION_HOURS. */
function respectPeople(out: PolicyPlan, memory: Memory, s: GuardSettings, guard: Guard): void {
  for (const p of out.rows) {
    if (p.intent.do !== 'pause' || p.row.platformStatus === 'PAUSED') continue;
    const a = p.row;
    const d =
      memory.decisions.get(a.key) ??
      (a.platformCampaignId === null ? undefined : memory.decisions.get(`${a.platform}:${a.platformCampaignId}`));
    if (!d || !(d.kind === 'resumed' || (d.kind === 'rejected' && d.proposedAction === 'halt'))) continue;
    const what = d.kind === 'resumed' ? `resumed by ${d.actor}` : `a pause was rejected by ${d.actor}`;
    const grown = growth(a, d);
    const evidence = { decidedBy: d.actor, decidedAt: d.at, escalationId: d.escalationId, growthPoints: grown };
    if (grown !== null && grown >= REASK_POINTS) {
      p.row = guard(
        { ...a, action: 'escalate', proposedAction: 'halt' },
        'guard_human_decision',
        `It was ${what} at ${d.at}; since then |variance| grew by ${grown} points, so the agent asks again.`,
        evidence,
      );
      p.row.reason = `It was ${what} at ${d.at}, and it has got worse by ${grown} points since: asking again instead of pausing. ${a.reason}`;
      p.intent = { do: 'ask', proposed: 'halt', supersedes: null };
    } else {
      p.row = guard(
        { ...a, action: 'alert', proposedAction: null },
        'guard_human_decision',
        `It was ${what} at ${d.at}: the agent does not pause it alone for ${s.humanDecisionHours} h.`,
        evidence,
      );
      p.row.reason = `Not paused: it was ${what} at ${d.at}, and the agent does not override a person for ${s.humanDecisionHours} h. ${a.reason}`;
      p.intent = ALERT;
    }
  }
}

/** Points by which |variance| grew since the decision (null when either figure is missing). */
function growth(a: Assessment, d: HumanDecision): number | null {
  if (a.variancePct === null || d.variancePct === null) return null;
  return round2(Math.abs(a.variancePct) - Math.abs(d.variancePct));
}

/** Questions already asked (or answered) are not asked again; a worse one replaces a milder open one. */
function linkOpenQuestions(out: PolicyPlan, memory: Memory): void {
  for (const p of out.rows) {
    const open = memory.open.get(p.row.key);
    if (p.intent.do === 'ask') {
      if (open && !open.batch && open.proposedAction === 'alert' && p.intent.proposed === 'halt') {
        p.intent = { ...p.intent, supersedes: open.id };
        continue;
      }
      if (open) {
        // A batch member stays in its batch: the batch's proposal was made for this very situation.
        p.intent = { do: 'wait', escalationId: open.id };
        continue;
      }
      const d = memory.decisions.get(p.row.key);
      if (
        !open &&
        d &&
        (d.kind === 'approved' || d.kind === 'rejected') &&
        d.escalationId !== null &&
        d.proposedAction !== null &&
        (d.proposedAction === p.intent.proposed || d.proposedAction === 'halt') &&
        !worse(p.row, d)
      ) {
        const status = d.kind === 'approved' ? 'approved' : 'overridden';
        p.intent = {
          do: 'answered',
          escalationId: d.escalationId,
          status,
          note: `${status === 'approved' ? 'Approved' : 'Rejected'} by ${d.actor} at ${d.at} (${d.escalationId}); not asked again unless it gets worse by ${REASK_POINTS} points.`,
        };
      }
    } else if (p.intent.do === 'pause' && open?.batch && open.proposedAction === 'halt') {
      // Already one of a batch that asks about pausing it: the approver's answer covers it.
      p.row = { ...p.row, action: 'escalate', proposedAction: 'halt' };
      p.row.reason = `Waiting for the approvers' answer on the batch ${open.id}. ${p.row.reason}`;
      p.intent = { do: 'wait', escalationId: open.id };
    }
  }
}

function worse(a: Assessment, d: HumanDecision): boolean {
  const grown = growth(a, d);
  if (grown !== null) return grown >= REASK_POINTS;
  if (a.actualSpend !== null && d.actualSpend !== null) return a.actualSpend > d.actualSpend * 1.25;
  return false;
}

/** In flight on `today` (YYYY-MM-DD, UTC): from the start date 00:00 to the end date 24:00. */
function inFlight(a: Assessment, today: string): boolean {
  return a.startDate !== null && a.endDate !== null && a.startDate <= today && today <= a.endDate;
}

/**
 * Guard 5: an account where many campaigns show no delivery at once has a data problem, not a hundred
 * campaigns to pause. Its would-be pauses (and zero-delivery pause questions) become one batch question.
 */
function batchStorms(out: PolicyPlan, s: GuardSettings, now: string, guard: Guard): void {
  const today = new Date(now).toISOString().slice(0, 10);
  const accounts = new Map<string, { platform: Platform; label: string; live: number; zero: number }>();
  const accountOf = (a: Assessment) => `${a.platform}:${a.account ?? ''}`;
  for (const { row: a } of out.rows) {
    if (a.campaignId === null || a.platformCampaignId === null || a.platformStatus !== 'ENABLED') continue;
    if (!inFlight(a, today)) continue;
    const id = accountOf(a);
    const name = PLATFORM_NAME[a.platform];
    const label = a.account ? `${name} account ${a.account}` : `the ${name} data`;
    const acc = accounts.get(id) ?? { platform: a.platform, label, live: 0, zero: 0 };
    acc.live++;
    if (a.zeroDelivery) acc.zero++;
    accounts.set(id, acc);
  }
  for (const [id, acc] of accounts) {
    if (acc.zero < DATA_FAULT_MIN_CAMPAIGNS || acc.zero / acc.live < s.dataFaultShare) continue;
    const members: number[] = [];
    out.rows.forEach((p, i) => {
      const a = p.row;
      if (accountOf(a) !== id || a.platformStatus === 'PAUSED') return;
      const zeroAsk = p.intent.do === 'ask' && p.intent.proposed === 'halt' && a.zeroDelivery;
      if (p.intent.do === 'pause' || zeroAsk) members.push(i);
    });
    const share = Math.round((acc.zero / acc.live) * 100);
    const what = `${acc.zero} of ${acc.live} in-flight campaigns in ${acc.label} (${share} %) show no delivery`;
    out.warnings.push({
      platform: acc.platform,
      message: `${what}: the data looks faulty, so none of them was paused alone this run${members.length ? `; ${members.length} would-be pause(s) wait for one approver decision` : ''}.`,
    });
    if (members.length === 0) continue;
    addBatch(
      out,
      {
        kind: 'data_fault',
        scope: id,
        proposed: 'halt',
        reason: `${what}: more likely a data outage than real stalls. Approve to pause all ${members.length}, or reject and check the platform's data.`,
        members,
      },
      (a) =>
        guard(a, 'guard_data_fault', `${what}: the account's data looks faulty, so nothing there is paused alone.`, {
          account: acc.label,
          zeroDelivery: acc.zero,
          inFlight: acc.live,
          share: round2(acc.zero / acc.live),
        }),
    );
  }
}

/** Guard 5: at most MAX_AUTONOMOUS_HALTS pauses a run, the biggest money first; the rest are asked in one batch. */
function batchOverBudget(out: PolicyPlan, s: GuardSettings, guard: Guard): void {
  const pauses = out.rows
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.intent.do === 'pause' && p.row.platformStatus !== 'PAUSED')
    .sort((x, y) => moneyAtStake(y.p.row) - moneyAtStake(x.p.row) || x.i - y.i);
  if (pauses.length <= s.maxAutonomousHalts) return;
  const members = pauses.slice(s.maxAutonomousHalts).map(({ i }) => i);
  addBatch(
    out,
    {
      kind: 'halt_budget',
      scope: 'run',
      proposed: 'halt',
      reason: `${pauses.length} campaigns would be paused in one run; the agent paused the ${s.maxAutonomousHalts} with the most money at stake (MAX_AUTONOMOUS_HALTS) and asks about the other ${members.length}.`,
      members,
    },
    (a) =>
      guard(
        a,
        'guard_halt_budget',
        `${pauses.length} pauses in one run exceed MAX_AUTONOMOUS_HALTS (${s.maxAutonomousHalts}); this one has less money at stake than those paused.`,
        { wouldPause: pauses.length, maxAutonomousHalts: s.maxAutonomousHalts },
      ),
  );
}

/** Guard 5: many orphans at once usually mean an incomplete tracker: one question, proposing a review. */
function batchOrphans(out: PolicyPlan, s: GuardSettings, guard: Guard): void {
  const orphans = out.rows
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.row.campaignId === null && p.intent.do === 'ask')
    .sort((x, y) => moneyAtStake(y.p.row) - moneyAtStake(x.p.row) || x.i - y.i);
  if (orphans.length <= s.maxOrphanEscalations) return;
  addBatch(
    out,
    {
      kind: 'orphans',
      scope: 'run',
      proposed: 'alert',
      reason: `${orphans.length} campaigns spend with no plan row (more than MAX_ORPHAN_ESCALATIONS, ${s.maxOrphanEscalations}): the tracker may be incomplete. Review them; approving flags them, nothing is paused.`,
      members: orphans.map(({ i }) => i),
    },
    (a) =>
      guard(
        a,
        'guard_orphan_budget',
        `${orphans.length} campaigns spend with no plan row: the tracker may be incomplete, so they are asked about together.`,
        { orphans: orphans.length, maxOrphanEscalations: s.maxOrphanEscalations },
      ),
  );
}

function addBatch(out: PolicyPlan, batch: Batch, mark: (a: Assessment) => Assessment): void {
  const index = out.batches.length;
  batch.members.sort(
    (x, y) => moneyAtStake((out.rows[y] as PlannedRow).row) - moneyAtStake((out.rows[x] as PlannedRow).row) || x - y,
  );
  out.batches.push(batch);
  for (const i of batch.members) {
    const p = out.rows[i] as PlannedRow;
    p.row = mark({ ...p.row, action: 'escalate', proposedAction: batch.proposed });
    p.row.reason = `${batch.reason} (${p.row.reason})`;
    p.intent = { do: 'batch', batch: index };
  }
}

/** Open questions a run finds no longer standing are closed, so a stale pause cannot be approved later. */
function closeStale(out: PolicyPlan, memory: Memory): void {
  const byKey = new Map<string, PlannedRow>();
  const matchedPlatformKeys = new Map<string, PlannedRow>();
  for (const p of out.rows) {
    byKey.set(p.row.key, p);
    if (p.row.campaignId !== null && p.row.platformCampaignId !== null)
      matchedPlatformKeys.set(`${p.row.platform}:${p.row.platformCampaignId}`, p);
  }
  const closing = new Set<string>();
  const close = (id: string, key: string, note: string) => {
    if (closing.has(id)) return;
    closing.add(id);
    out.close.push({ escalationId: id, key, note });
  };
  const batchMembers = new Map<string, { standing: number; keys: string[] }>();
  for (const [key, q] of memory.open) {
    const p = byKey.get(key);
    if (q.batch) {
      const b = batchMembers.get(q.id) ?? { standing: 0, keys: [] };
      b.keys.push(key);
      if (p && p.intent.do === 'wait' && p.intent.escalationId === q.id) b.standing++;
      else if (p && p.intent.do !== 'report') out.drop.push({ escalationId: q.id, key });
      else b.standing++; // not seen or not assessable this run: it may still stand
      batchMembers.set(q.id, b);
      continue;
    }
    if (p) {
      if (p.intent.do === 'report' || p.intent.do === 'wait') continue;
      if (p.intent.do === 'batch') {
        close(q.id, key, 'replaced by a batch question about many campaigns at once');
        continue;
      }
      if (p.intent.do === 'ask' && p.intent.supersedes === q.id) {
        close(q.id, key, 'superseded: the campaign now warrants a pause');
        continue;
      }
      close(q.id, key, `no longer needed: this run decided "${p.row.action}" on its own`);
      continue;
    }
    // An orphan's question: it now has a plan row, or it no longer spends unplanned.
    const platform = key.split(':')[0] as Platform;
    const planned = matchedPlatformKeys.get(key);
    if (planned) close(q.id, key, `no longer needed: it now has a plan row (${planned.row.campaignId})`);
    else if (!key.startsWith('plan:') && memory.complete.has(platform))
      close(q.id, key, 'no longer needed: the campaign no longer spends without a plan');
  }
  for (const [id, b] of batchMembers) {
    if (b.standing === 0)
      close(id, `batch:${id}`, 'no longer needed: none of its campaigns needs the proposal any more');
  }
}

function withCause(a: Assessment, cause: Cause): Assessment {
  return { ...a, rootCause: [...a.rootCause, cause], mitigation: [...a.mitigation, ...mitigate([cause])] };
}

const plainGuard: Guard = (a, code, message, evidence) => withCause(a, { code, message, evidence });

/** "50 days", "20.5 h". */
export function formatAge(hours: number): string {
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${round2(hours)} h`;
}

export { formatPct };
