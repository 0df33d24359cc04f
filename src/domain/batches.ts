// Guard 5, run-wide: a storm in one account, more pauses than MAX_AUTONOMOUS_HALTS, more orphans than
// MAX_ORPHAN_ESCALATIONS — each becomes one batch question instead of many pauses or questions. Pure.
import type { Assessment } from './assess.js';
import { dayOf } from './forecast.js';
import { type Guard, type GuardSettings, hoursIntoFlight } from './guards.js';
import type { Batch, DecidedRow, Memory, PolicyOutcome } from './intents.js';
import { round2 } from './money.js';
import type { BatchKind, BatchMember, ResultRow } from './records.js';
import { PLATFORM_NAME, type Platform } from './types.js';

/** A storm needs at least this many suspect campaigns in one account. */
export const DATA_FAULT_MIN_CAMPAIGNS = 3;

/** |actual − target|: the money a row's decision is about. */
export const moneyAtStake = (a: Assessment): number =>
  a.actualSpend === null ? 0 : Math.abs(a.actualSpend - (a.targetSpend ?? 0));

/** In flight at `now`: from the start date 00:00 to the end date 24:00, in the account's zone (UTC for fixtures). */
function inFlight(a: Assessment, now: string): boolean {
  if (a.startDate === null || a.endDate === null) return false;
  const today = dayOf(now, a.timeZone);
  return a.startDate <= today && today <= a.endDate;
}

/**
 * Guard 5: an account where many campaigns show no delivery at once has a data problem, not a hundred
 * campaigns to pause. Its would-be pauses (and zero-delivery pause questions) become one batch question.
 */
export function batchStorms(out: PolicyOutcome, s: GuardSettings, now: string, guard: Guard, memory: Memory): void {
  const accounts = new Map<string, { platform: Platform; label: string; live: number; zero: number }>();
  const accountOf = (a: Assessment) => `${a.platform}:${a.account ?? ''}`;
  for (const { row: a } of out.rows) {
    if (a.campaignId === null || a.platformCampaignId === null || a.platformStatus !== 'ENABLED') continue;
    if (!inFlight(a, now)) continue;
    // A flight in its first hours has not had time to deliver (guard 3): its zero says nothing about the data.
    const into = hoursIntoFlight(a, now);
    if (into !== null && into < s.earlyFlightHours) continue;
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
    // A storm that grew since the last run is still one storm: its new members join the open question.
    const joins = openBatchOf(out, memory, 'data_fault', (a) => accountOf(a) === id);
    const waiting = members.length
      ? joins
        ? `; ${members.length} more would-be pause(s) join the open question ${joins}`
        : `; ${members.length} would-be pause(s) wait for one approver decision`
      : '';
    out.warnings.push({
      platform: acc.platform,
      message: `${what}: the data looks faulty, so none of them was paused alone this run${waiting}.`,
    });
    if (members.length === 0) continue;
    addBatch(
      out,
      {
        kind: 'data_fault',
        scope: id,
        proposed: 'halt',
        // No count of would-be pauses here: joining, this reason replaces the open question's, which covers more.
        reason: `${what}: more likely a data outage than real stalls. Check the platform's data before pausing any of them.`,
        members,
        joins,
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
export function batchOverBudget(out: PolicyOutcome, s: GuardSettings, guard: Guard): void {
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

/**
 * Guard 5: many orphans at once usually mean an incomplete tracker: one question, proposing a review. The cap
 * counts the orphan questions still open as well as this run's new ones, so a trickle (20, then 25) does not
 * become 25 single questions: the new ones, and the open single ones, join one batch (the open one, if any).
 */
export function batchOrphans(out: PolicyOutcome, s: GuardSettings, guard: Guard, memory: Memory): void {
  let open = 0;
  const orphans: { p: DecidedRow; i: number }[] = [];
  out.rows.forEach((p, i) => {
    if (p.row.campaignId !== null) return;
    if (p.intent.do === 'ask') orphans.push({ p, i });
    else if (p.intent.do === 'wait') {
      open++;
      // A single open question is folded into the batch (and closed as replaced); a batch member stays put.
      if (!memory.open.get(p.row.key)?.batch) orphans.push({ p, i });
    }
  });
  const total = open + orphans.filter(({ p }) => p.intent.do === 'ask').length;
  if (total <= s.maxOrphanEscalations || orphans.length === 0) return;
  orphans.sort((x, y) => moneyAtStake(y.p.row) - moneyAtStake(x.p.row) || x.i - y.i);
  addBatch(
    out,
    {
      kind: 'orphans',
      scope: 'run',
      proposed: 'alert',
      reason: `${total} campaigns spend with no plan row (more than MAX_ORPHAN_ESCALATIONS, ${s.maxOrphanEscalations}): the tracker may be incomplete. Review them; approving flags them, nothing is paused.`,
      members: orphans.map(({ i }) => i),
      joins: openBatchOf(out, memory, 'orphans', (a) => a.campaignId === null),
    },
    (a) =>
      guard(
        a,
        'guard_orphan_budget',
        `${total} campaigns spend with no plan row: the tracker may be incomplete, so they are asked about together.`,
        { orphans: total, maxOrphanEscalations: s.maxOrphanEscalations },
      ),
  );
}

/**
 * Guard 5 for a platform that returns nothing for most of the plan (an empty or truncated export): that is a data
 * fault, not dozens of campaigns missing at once. The "no matching campaign" questions become one batch.
 */
export function batchMissing(out: PolicyOutcome, s: GuardSettings, guard: Guard, memory: Memory): void {
  const platforms = new Map<Platform, { planned: number; missing: number[] }>();
  out.rows.forEach((p, i) => {
    const a = p.row;
    if (a.campaignId === null || p.intent.do === 'report') return;
    const acc = platforms.get(a.platform) ?? { planned: 0, missing: [] };
    acc.planned++;
    if (a.platformCampaignId === null && a.rootCause.some((c) => c.code.startsWith('unmatched_'))) acc.missing.push(i);
    platforms.set(a.platform, acc);
  });
  for (const [platform, acc] of platforms) {
    const n = acc.missing.length;
    if (n < DATA_FAULT_MIN_CAMPAIGNS || n / acc.planned < s.dataFaultShare) continue;
    const name = PLATFORM_NAME[platform];
    const what = `${n} of ${acc.planned} planned ${name} campaigns (${Math.round((n / acc.planned) * 100)} %) are missing from its data`;
    const members = acc.missing.filter((i) => {
      const p = out.rows[i] as DecidedRow;
      return p.intent.do === 'ask' || (p.intent.do === 'wait' && !memory.open.get(p.row.key)?.batch);
    });
    const joins = openBatchOf(
      out,
      memory,
      'data_fault',
      (a) => a.platform === platform && a.campaignId !== null && a.platformCampaignId === null,
    );
    out.warnings.push({
      platform,
      message: `${what}: the export looks faulty or incomplete, so they are asked about in one question, not one each.`,
    });
    if (members.length === 0) continue;
    addBatch(
      out,
      {
        kind: 'data_fault',
        scope: `${platform}:missing`,
        proposed: 'alert',
        reason: `${what}: more likely a faulty or incomplete export than that many campaigns gone. Check the ${name} connection and the tracker; nothing is paused.`,
        members,
        joins,
      },
      (a) =>
        guard(a, 'guard_data_fault', `${what}: the platform's data looks faulty, so they are asked about together.`, {
          platform,
          missing: n,
          planned: acc.planned,
        }),
    );
  }
}

/** The open batch question of this kind that a row matching `about` is waiting on, if any. */
function openBatchOf(
  out: PolicyOutcome,
  memory: Memory,
  kind: BatchKind,
  about: (a: Assessment) => boolean,
): string | null {
  for (const p of out.rows) {
    if (p.intent.do !== 'wait' || !about(p.row)) continue;
    const q = memory.open.get(p.row.key);
    if (q?.batch && q.kind === kind && q.id === p.intent.escalationId) return q.id;
  }
  return null;
}

function addBatch(out: PolicyOutcome, batch: Batch, mark: (a: Assessment) => Assessment): void {
  const index = out.batches.length;
  batch.members.sort(
    (x, y) => moneyAtStake((out.rows[y] as DecidedRow).row) - moneyAtStake((out.rows[x] as DecidedRow).row) || x - y,
  );
  out.batches.push(batch);
  for (const i of batch.members) {
    const p = out.rows[i] as DecidedRow;
    p.row = mark({ ...p.row, action: 'escalate', proposedAction: batch.proposed });
    p.row.reason = `${batch.reason} (${p.row.reason})`;
    p.intent = { do: 'batch', batch: index };
  }
}

/** A batch member as its message and its approval need it. */
export function memberOf(row: ResultRow): BatchMember {
  return {
    key: row.key,
    campaignId: row.campaignId,
    campaignName: row.campaignName,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    platformCampaignName: row.platformCampaignName,
    currency: row.platformCurrency ?? row.currency,
    targetSpend: row.targetSpend,
    actualSpend: row.actualSpend,
    variancePct: row.variancePct,
    dropped: false,
  };
}
