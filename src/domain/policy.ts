// What the agent may do alone. Assessments (the matrix's verdicts) + what the store remembers (open questions,
// people's decisions) + the guard settings → one intent per row, batch questions, and questions to close, each
// with its reason. Pure: deciding lives here (with guards.ts and batches.ts), doing lives in agent/effects/.
import type { Assessment } from './assess.js';
import { batchMissing, batchOrphans, batchOverBudget, batchStorms } from './batches.js';
import { type Guard, type GuardSettings, guardRow, withCause } from './guards.js';
import type { DecidedRow, HumanDecision, Intent, Memory, PolicyOutcome } from './intents.js';
import { round2 } from './money.js';
import type { Platform } from './types.js';

export { DATA_FAULT_MIN_CAMPAIGNS, moneyAtStake } from './batches.js';
export { DEFAULT_GUARDS, formatAge, type GuardSettings, guardRow } from './guards.js';
export type {
  Batch,
  DecidedRow,
  HumanDecision,
  Intent,
  Memory,
  OpenQuestion,
  PolicyOutcome,
  QuestionToClose,
} from './intents.js';

/** How far |variance| must grow past a person's decision before the agent asks again. */
export const REASK_POINTS = 10;

export function decidePolicy(
  assessments: readonly Assessment[],
  memory: Memory,
  settings: GuardSettings,
  now: string,
): PolicyOutcome {
  const out: PolicyOutcome = { rows: [], batches: [], close: [], drop: [], warnings: [], guarded: {} };
  const guard: Guard = (a, code, message, evidence) => {
    out.guarded[code] = (out.guarded[code] ?? 0) + 1;
    return withCause(a, { code, message, evidence });
  };
  for (const assessed of assessments) {
    const row = guardRow(assessed, settings, now, guard);
    out.rows.push({ row, intent: baseIntent(row) });
  }
  respectPeople(out, memory, settings, guard);
  linkOpenQuestions(out, memory);
  batchStorms(out, settings, now, guard, memory);
  batchMissing(out, settings, guard, memory);
  batchOverBudget(out, settings, guard);
  batchOrphans(out, settings, guard, memory);
  closeStale(out, memory);
  return out;
}

// Shared, never mutated (intents are replaced, not changed): ten thousand rows need no ten thousand objects.
const LOG: Intent = Object.freeze({ do: 'log' });
const ALERT: Intent = Object.freeze({ do: 'alert' });
const PAUSE: Intent = Object.freeze({ do: 'pause' });
const REPORT: Intent = Object.freeze({ do: 'report' });

function baseIntent(a: Assessment): Intent {
  if (
    a.rootCause.length > 0 &&
    a.rootCause.some(
      (c) =>
        c.code === 'platform_unavailable' ||
        c.code === 'plan_row_invalid' ||
        // Figures that could not be compared (assess says so with a logged row): reported, nothing done.
        (c.code === 'platform_data_unusable' && a.action === 'log'),
    )
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

/** Guard 6: a person who kept a campaign running is not overridden for HUMAN_DECISION_HOURS. */
function respectPeople(out: PolicyOutcome, memory: Memory, s: GuardSettings, guard: Guard): void {
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
function linkOpenQuestions(out: PolicyOutcome, memory: Memory): void {
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

/** Open questions a run finds no longer standing are closed, so a stale pause cannot be approved later. */
function closeStale(out: PolicyOutcome, memory: Memory): void {
  const byKey = new Map<string, DecidedRow>();
  for (const p of out.rows) byKey.set(p.row.key, p);
  // Only an orphan's question needs the rows by platform key: built on first need, not 10,000 keys every run.
  let matchedPlatformKeys: Map<string, DecidedRow> | null = null;
  const plannedFor = (key: string): DecidedRow | undefined => {
    if (matchedPlatformKeys === null) {
      matchedPlatformKeys = new Map();
      for (const p of out.rows)
        if (p.row.campaignId !== null && p.row.platformCampaignId !== null)
          matchedPlatformKeys.set(`${p.row.platform}:${p.row.platformCampaignId}`, p);
    }
    return matchedPlatformKeys.get(key);
  };
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
    const planned = plannedFor(key);
    if (planned) close(q.id, key, `no longer needed: it now has a plan row (${planned.row.campaignId})`);
    else if (!key.startsWith('plan:') && memory.complete.has(platform))
      close(q.id, key, 'no longer needed: the campaign no longer spends without a plan');
  }
  for (const [id, b] of batchMembers) {
    if (b.standing === 0)
      close(id, `batch:${id}`, 'no longer needed: none of its campaigns needs the proposal any more');
  }
}
