// Guard 5, run-wide: a storm in one account, more pauses than MAX_AUTONOMOUS_HALTS, more orphans than
// MAX_ORPHAN_ESCALATIONS — each becomes one batch question instead of many pauses or questions. Pure.
import type { Assessment } from './assess.js';
import type { Guard, GuardSettings } from './guards.js';
import type { Batch, PlannedRow, PolicyPlan } from './intents.js';
import { round2 } from './money.js';
import type { Platform } from './types.js';

/** A storm needs at least this many suspect campaigns in one account. */
export const DATA_FAULT_MIN_CAMPAIGNS = 3;

const PLATFORM_NAME: Record<Platform, string> = { google: 'Google Ads', meta: 'Meta' };

/** |actual − target|: the money a row's decision is about. */
export const moneyAtStake = (a: Assessment): number =>
  a.actualSpend === null ? 0 : Math.abs(a.actualSpend - (a.targetSpend ?? 0));

/** In flight on `today` (YYYY-MM-DD, UTC): from the start date 00:00 to the end date 24:00. */
function inFlight(a: Assessment, today: string): boolean {
  return a.startDate !== null && a.endDate !== null && a.startDate <= today && today <= a.endDate;
}

/**
 * Guard 5: an account where many campaigns show no delivery at once has a data problem, not a hundred
 * campaigns to pause. Its would-be pauses (and zero-delivery pause questions) become one batch question.
 */
export function batchStorms(out: PolicyPlan, s: GuardSettings, now: string, guard: Guard): void {
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
        reason: `${what}: more likely a data outage than real stalls. Check the platform's data before pausing any of them.`,
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
export function batchOverBudget(out: PolicyPlan, s: GuardSettings, guard: Guard): void {
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
export function batchOrphans(out: PolicyPlan, s: GuardSettings, guard: Guard): void {
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
