// What one cycle carries from node to node (outside LangGraph's state, which holds only ids): its inputs, the
// reconciliation and assessments, the policy's plan and the results.
import type { Assessment } from '../domain/assess.js';
import type { Reconciliation } from '../domain/match.js';
import type { PolicyPlan } from '../domain/policy.js';
import type { PlatformFailure } from '../domain/records.js';
import type { PlanRow, Platform, PlatformCampaign, RejectedRow, UnusableCampaign } from '../domain/types.js';
import type { Escalation, Plan, ResultRow } from './ports.js';

export interface Workspace {
  plan: PlanRow[];
  errors: Plan['errors'];
  rejected: RejectedRow[];
  campaigns: PlatformCampaign[];
  unavailable: Map<Platform, string>;
  incomplete: Map<Platform, string>;
  unusable: Map<Platform, UnusableCampaign[]>;
  platformErrors: PlatformFailure[];
  reconciliation: Reconciliation | null;
  assessments: Assessment[];
  /** Campaigns (platform keys) the latest earlier run saw, with their spend then. */
  observedBefore: ReadonlyMap<string, unknown>;
  /** Each campaign's recent pacing, stored with its result for the next run. */
  pacing: Map<string, string>;
  /** Campaigns healthy in this run and the one before: nothing to record beyond their result. */
  steady: Set<string>;
  /** The policy's plan for this run. */
  plan2: PolicyPlan | null;
  results: ResultRow[];
  opened: Escalation[];
  superseded: Escalation[];
  started: number;
}
