// What the agent does with each row's daily-budget proposal (SPEC, Steering budgets: Acting, Undo): show it, ask
// about it, wait on the question already asked, or change the budget alone — and which budget questions to close.
// Pure: the policy decided the rows already; this only adds the budget lever on top of them.
import type { Assessment } from './assess.js';
import {
  type BudgetProposal,
  type BudgetSettings,
  mayChangeBudgetAgain,
  mayGetProposal,
  proposeBudget,
} from './budget.js';
import { dataAgeHours } from './confidence.js';
import { type GuardSettings, hoursIntoFlight } from './guards.js';
import type { PolicyOutcome } from './intents.js';
import { round2 } from './money.js';
import type { PlatformCampaign } from './types.js';

/** How far |projectedVariancePct| must grow past a person's restore or rejection before the agent asks again. */
export const BUDGET_REASK_POINTS = 10;

/** A person's word on a campaign's budget: a restore, or a rejected budget question. */
export interface BudgetDecision {
  kind: 'restored' | 'rejected';
  actor: string;
  at: string;
  /** The forecast's |projectedVariancePct| then (null when unknown: any growth is then unknown, so no re-ask). */
  projectedVariancePct: number | null;
}

/** What the store remembers about budgets, keyed by platform key (`google:123`). */
export interface BudgetMemory {
  /** Open budget questions by the row's key (`plan:…`); `batch`: the row is one member of a batch question. */
  open: ReadonlyMap<string, { id: string; batch: boolean; proposedAction?: 'budget' | 'rebalance' }>;
  /** When the agent last changed each campaign's budget (alone or on approval), not counting restores. */
  lastChange: ReadonlyMap<string, string>;
  /** People's restores and rejections within HUMAN_DECISION_HOURS, the latest per campaign (row key or platform key). */
  decisions: ReadonlyMap<string, BudgetDecision>;
  /**
   * People who kept a campaign running within HUMAN_DECISION_HOURS (resumed it, or rejected its pause), by row key
   * and platform key: in `auto` the agent asks before changing its budget, as it would before pausing it.
   */
  keptRunning: ReadonlyMap<string, KeptRunning>;
}

/** A person's resume of a campaign, or their no to pausing it. */
export interface KeptRunning {
  kind: 'resumed' | 'rejected_pause';
  actor: string;
  at: string;
}

export type BudgetIntent =
  /** Shown only: `off`, advice, or held back (the reason says why). */
  | { do: 'show'; note: string | null }
  | { do: 'ask'; why: string | null }
  | { do: 'wait'; escalationId: string }
  | { do: 'change' }
  /** Over MAX_AUTONOMOUS_BUDGET_CHANGES: asked in the run's one batch question. */
  | { do: 'batch' };

export interface SteeredRow {
  proposal: BudgetProposal;
  intent: BudgetIntent;
}

export interface SteeringPlan {
  /** Aligned with the policy's rows: null where the row gets no proposal. */
  rows: (SteeredRow | null)[];
  /** Open budget questions that no longer stand. */
  close: { escalationId: string; key: string; note: string }[];
  /**
   * Members (row keys) of an open batch of budget changes whose change no longer stands: approving the batch leaves
   * them alone. A batch none of whose changes stands is closed instead.
   */
  drop: { escalationId: string; key: string }[];
  /** Indices of rows over the cap, biggest money first: one batch question. */
  batch: number[];
}

export interface SteeringInput {
  plan: PolicyOutcome;
  /** The platform's campaigns by platform key (`google:123`). */
  campaigns: ReadonlyMap<string, PlatformCampaign>;
  memory: BudgetMemory;
  budgets: BudgetSettings;
  guards: GuardSettings;
  now: string;
  /** Rows (indices) left to their pool's rebalance question this run: no single-campaign proposal. */
  pooled?: ReadonlySet<number>;
}

export const platformKey = (a: Pick<Assessment, 'platform' | 'platformCampaignId'>): string =>
  `${a.platform}:${a.platformCampaignId}`;

/** Money a budget proposal is about: how far the flight ends from its budget at this rate. */
export const budgetAtStake = (a: Assessment): number =>
  a.forecast === null ? 0 : Math.abs(a.forecast.projectedSpend - a.forecast.budget);

export function steer(input: SteeringInput): SteeringPlan {
  const { plan, budgets, now } = input;
  const out: SteeringPlan = { rows: [], close: [], batch: [], drop: [] };
  const changes: number[] = [];
  const fallen = new Map<string, string[]>();
  plan.rows.forEach((p, i) => {
    const proposal = input.pooled?.has(i) ? null : proposalFor(p.row, input.campaigns, budgets, now);
    const open = input.memory.open.get(p.row.key);
    if (proposal === null || !proposal.applicable || budgets.actions === 'off') {
      if (open && !open.batch)
        out.close.push({ escalationId: open.id, key: p.row.key, note: noLongerNote(proposal, budgets) });
      // A batch stands for its other members too: this one's change leaves it, so approving applies only the
      // changes still standing. (A pool's question is its rebalance's to keep: domain/pool-steering.ts.)
      else if (open?.batch && open.proposedAction === 'budget')
        fallen.set(open.id, [...(fallen.get(open.id) ?? []), p.row.key]);
      out.rows.push(proposal === null ? null : { proposal, intent: { do: 'show', note: null } });
      return;
    }
    if (open) {
      const wait: BudgetIntent = { do: 'wait', escalationId: open.id };
      out.rows.push({ proposal: { ...proposal, escalationId: open.id }, intent: wait });
      return;
    }
    const intent = intentFor(p.row, input);
    if (intent.do === 'change') changes.push(i);
    out.rows.push({ proposal, intent });
  });
  for (const [escalationId, keys] of fallen) {
    const standing = [...input.memory.open.values()].filter((q) => q.id === escalationId).length;
    if (keys.length < standing) for (const key of keys) out.drop.push({ escalationId, key });
    else
      out.close.push({
        escalationId,
        key: keys[0] as string,
        note:
          budgets.actions === 'off'
            ? 'no longer asked: BUDGET_ACTIONS is off'
            : 'no longer needed: none of its budget changes stands any more',
      });
  }
  // The cap: the biggest money first changes alone, the rest are asked together.
  changes.sort((x, y) => budgetAtStake(rowAt(plan, y)) - budgetAtStake(rowAt(plan, x)) || x - y);
  for (const i of changes.slice(budgets.maxAutonomousChanges)) {
    const s = out.rows[i] as SteeredRow;
    s.intent = { do: 'batch' };
    out.batch.push(i);
  }
  return out;
}

const rowAt = (plan: PolicyOutcome, i: number): Assessment => (plan.rows[i] as PolicyOutcome['rows'][number]).row;

function proposalFor(
  a: Assessment,
  campaigns: ReadonlyMap<string, PlatformCampaign>,
  budgets: BudgetSettings,
  now: string,
): BudgetProposal | null {
  if (a.campaignId === null || a.platformCampaignId === null || !mayGetProposal(a, budgets)) return null;
  const c = campaigns.get(platformKey(a));
  if (!c) return null;
  // Only the fields a proposal reads: spreading the whole row (some 50 keys) for each of 10,000 rows was a fifth of
  // the decide step and most of its garbage.
  const proposal = proposeBudget(
    {
      campaignId: a.campaignId,
      platformCampaignId: a.platformCampaignId,
      platformStatus: a.platformStatus,
      startDate: a.startDate,
      endDate: a.endDate,
      timeZone: a.timeZone,
      budget: a.budget,
      planCurrency: a.planCurrency,
      platformCurrency: a.platformCurrency,
      forecast: a.forecast,
      action: a.action,
      proposedAction: a.proposedAction,
      dailyBudget: c.dailyBudget,
      sharedBudget: c.sharedBudget,
      lifetimeBudget: c.lifetimeBudget,
    },
    budgets,
    now,
  );
  if (proposal === null || !proposal.applicable || c.adSetBudgets !== true) return proposal;
  // Meta keeps the budgets on the ad sets when the campaign has no Advantage campaign budget: nothing to set here.
  return {
    ...proposal,
    applicable: false,
    reason: `Advice only: the campaign's budgets are on its ad sets, which the agent does not change. ${proposal.reason}`,
  };
}

function noLongerNote(proposal: BudgetProposal | null, budgets: BudgetSettings): string {
  if (budgets.actions === 'off') return 'no longer asked: BUDGET_ACTIONS is off';
  if (proposal === null) return 'no longer needed: the flight no longer needs a budget change';
  return 'no longer asked: the budget can only be advised on';
}

/**
 * A person's recent word on a campaign's budget (a restore, or a change they said no to, alone or in a pool):
 * `held` while it stands, with what they did; `regrown` once the forecast has moved BUDGET_REASK_POINTS further off
 * since, and the agent may ask again; null when no person spoke within HUMAN_DECISION_HOURS.
 */
export function personsWord(
  a: Assessment,
  memory: Pick<BudgetMemory, 'decisions'>,
): { held: string; at: string } | { regrown: string } | null {
  const d = memory.decisions.get(a.key) ?? memory.decisions.get(platformKey(a));
  if (!d) return null;
  const grown = growth(a, d);
  const what = d.kind === 'restored' ? `restored by ${d.actor}` : `a change was rejected by ${d.actor}`;
  if (grown === null || grown < BUDGET_REASK_POINTS) return { held: what, at: d.at };
  return {
    regrown: `The budget was ${what} at ${d.at}; the forecast has since moved ${grown} points further off, so the agent asks again.`,
  };
}

/** Ask, or (in `auto`, no guard holding) change alone; a person's recent word or the 24-hour rule holds it back. */
function intentFor(a: Assessment, input: SteeringInput): BudgetIntent {
  const { memory, guards, budgets, now } = input;
  const key = platformKey(a);
  const word = personsWord(a, memory);
  if (word && 'held' in word)
    return {
      do: 'show',
      note: `Not asked: the budget was ${word.held} at ${word.at}, and the agent does not override a person for ${guards.humanDecisionHours} h.`,
    };
  const regrown = word?.regrown ?? null;
  const last = memory.lastChange.get(key);
  if (last !== undefined && !mayChangeBudgetAgain(last, now))
    return {
      do: 'show',
      note: `Not changed again: the agent changed this budget at ${last}, and changes one campaign's budget at most once in 24 h.`,
    };
  if (budgets.actions === 'ask') return { do: 'ask', why: regrown };
  const guard = regrown ?? autoGuard(a, input);
  return guard === null ? { do: 'change' } : { do: 'ask', why: guard };
}

function growth(a: Assessment, d: BudgetDecision): number | null {
  if (a.forecast === null || d.projectedVariancePct === null) return null;
  return round2(Math.abs(a.forecast.projectedVariancePct) - Math.abs(d.projectedVariancePct));
}

/**
 * The pause's guards, read for a budget change (SPEC: confidence, stale data, early flight, comparable money,
 * people's decisions, storms): the reason the agent must ask instead of acting alone, or null.
 */
export function autoGuard(
  a: Assessment,
  input: Pick<SteeringInput, 'plan' | 'guards' | 'now' | 'memory'>,
): string | null {
  const { guards: s, now } = input;
  if (a.confidence < s.confidence)
    return `Confidence ${a.confidence} < ${s.confidence}: the match may be the wrong campaign.`;
  const age = a.fetchedAt ? dataAgeHours(a.fetchedAt, now) : a.dataAgeHours;
  if (age === null || age >= 2 * s.freshnessHours)
    return `The spend data is ${age === null ? 'of unknown age' : `${round2(age)} h old`}: too old to act on alone.`;
  const into = hoursIntoFlight(a, now);
  if (into !== null && into < s.earlyFlightHours)
    return `The flight started ${round2(into)} h ago (EARLY_FLIGHT_HOURS ${s.earlyFlightHours}): too early to steer alone.`;
  if (a.planCurrency === null) return 'The plan states no currency: an approver must confirm the money is comparable.';
  if (a.action === 'escalate' || a.rootCause.some((c) => c.code.startsWith('guard_')))
    return `A safety guard holds this campaign back (${a.rootCause
      .filter((c) => c.code.startsWith('guard_'))
      .map((c) => c.code)
      .join(', ')}): an approver decides.`;
  const kept = input.memory.keptRunning.get(a.key) ?? input.memory.keptRunning.get(platformKey(a));
  if (kept)
    return `It was ${kept.kind === 'resumed' ? 'resumed' : 'kept running (a pause was rejected)'} by ${kept.actor} at ${kept.at}: the agent does not change its budget alone for ${s.humanDecisionHours} h after a person's decision.`;
  if (inStorm(a, input.plan)) return 'Its account looks faulty this run (many campaigns show no delivery).';
  return null;
}

/** The row's account is the scope of a data-fault batch this run. */
function inStorm(a: Assessment, plan: PolicyOutcome): boolean {
  return plan.batches.some(
    (b) =>
      b.kind === 'data_fault' &&
      b.members.some((i) => {
        const m = plan.rows[i]?.row;
        return m !== undefined && m.platform === a.platform && m.account === a.account;
      }),
  );
}
