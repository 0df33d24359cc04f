// Everything the agent's cycle and escalation graphs need, handed in once: store, platforms, notifier, clock and settings.
import { randomBytes } from 'node:crypto';
import type { BudgetSettings } from '../domain/budget.js';
import { DEFAULT_GUARDS, type GuardSettings } from '../domain/policy.js';
import type { Platform, Thresholds } from '../domain/types.js';
import type { Store } from '../store/index.js';
import type { Explainer, Notifier, PlanSource, PlatformAdapter, Progress } from './ports.js';

export interface AgentDeps {
  store: Store;
  tracker: PlanSource;
  platforms: ReadonlyMap<Platform, PlatformAdapter>;
  notifier: Notifier;
  clock: () => string;
  thresholds: Thresholds;
  /** The safety guards' settings (SPEC, Safety guards); defaults when left out. */
  guards?: Partial<Omit<GuardSettings, 'confidence' | 'freshnessHours'>>;
  /** Steering daily budgets (BUDGET_ACTIONS …); left out, proposals are only shown (`off`). */
  budgets?: Partial<BudgetSettings>;
  /** PACING_CURRENCY: the plan's currency where a tracker row states none. */
  planCurrency?: string | null;
  approvalTimeoutHours: number;
  checkpointRetentionDays: number;
  /** Per-campaign results older than this are deleted; defaults to keeping them. */
  resultsRetentionDays?: number;
  /** Slack user ids allowed to decide; empty means the CLI operator decides (Slack refuses everyone). */
  approvers: readonly string[];
  progress?: Progress;
  /** Told how long each step of a run took (the bench's stage timings); a run does not wait on it. */
  onStep?: (step: CycleStep, ms: number) => void;
  newId?: (prefix: string) => string;
  /** The model that explains halts and escalations (SPEC, Explanations); left out, rows carry no note. */
  explainer?: Explainer | null;
  /** The explanation step's deadline for the whole run (ms) and its most calls a run. */
  explanations?: { timeoutMs: number; maxCallsPerRun: number };
}

/** The steps of a pacing cycle, in order. */
export type CycleStep = 'ingest' | 'reconcile' | 'assess' | 'decide' | 'apply' | 'record';

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export const addHours = (iso: string, hours: number): string =>
  new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

/** The guard settings in force: the thresholds' confidence and freshness, and the guards' own settings. */
export function guardSettings(deps: Pick<AgentDeps, 'thresholds' | 'guards'>): GuardSettings {
  return {
    ...DEFAULT_GUARDS,
    ...deps.guards,
    confidence: deps.thresholds.confidence,
    freshnessHours: deps.thresholds.freshnessHours,
  };
}
