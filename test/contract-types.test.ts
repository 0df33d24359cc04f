// Type-level contracts, checked by the compiler (`npm run typecheck` covers test/): the ports adapters implement,
// and the JSON records programs outside the repository read (SPEC, Interface contract). Renaming or retyping a
// field fails here at compile time, before any run. New fields are additions, so records are checked on the fields
// SPEC names (a Pick), not as a whole; a union SPEC lists in full (action, status, severity) is checked exactly.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BudgetChangeOutcome,
  Notifier,
  Plan,
  PlanSource,
  PlatformAdapter,
  PlatformSnapshot,
  Progress,
  SpendWindow,
} from '../src/agent/ports.js';
import type { pendingEntry, reportDoc, runDoc } from '../src/cli/commands.js';
import type { RunView } from '../src/cli/format.js';
import type {
  AuditEvent,
  AuditType,
  Escalation,
  EscalationClosed,
  PauseOutcome,
  ResultRow,
  ResumeOutcome,
  RowError,
} from '../src/domain/records.js';
import type { ReportBy } from '../src/domain/report.js';
import type { RunFigures } from '../src/domain/run-counts.js';
import type { CampaignStatus, PlanRow, Platform, ProposedAction } from '../src/domain/types.js';

describe('ports', () => {
  it('PlatformAdapter: read campaigns, pause, resume, and the optional status and budget calls', () => {
    expectTypeOf<PlatformAdapter['platform']>().toEqualTypeOf<Platform>();
    expectTypeOf<PlatformAdapter['description']>().toEqualTypeOf<string>();
    expectTypeOf<PlatformAdapter['fetchCampaigns']>().toEqualTypeOf<
      (window?: SpendWindow) => Promise<PlatformSnapshot>
    >();
    expectTypeOf<PlatformAdapter['pause']>().toEqualTypeOf<(campaignId: string) => Promise<PauseOutcome>>();
    expectTypeOf<PlatformAdapter['resume']>().toEqualTypeOf<(campaignId: string) => Promise<ResumeOutcome>>();
    expectTypeOf<PlatformAdapter['currentStatus']>().toEqualTypeOf<
      ((campaignId: string) => Promise<CampaignStatus | null>) | undefined
    >();
    expectTypeOf<PlatformAdapter['setDailyBudget']>().toEqualTypeOf<
      | ((
          campaignId: string,
          amount: number,
          currency: string,
          options?: { validateOnly?: boolean },
        ) => Promise<BudgetChangeOutcome>)
      | undefined
    >();
    expectTypeOf<SpendWindow>().toEqualTypeOf<{ since: string; until: string }>();
    expectTypeOf<PauseOutcome>().toEqualTypeOf<'paused' | 'already_paused' | 'would_pause'>();
    expectTypeOf<ResumeOutcome>().toEqualTypeOf<'resumed' | 'already_enabled' | 'would_resume'>();
    expectTypeOf<BudgetChangeOutcome>().toMatchObjectType<{
      outcome: 'changed' | 'unchanged' | 'would_change';
      from: number;
      to: number;
      currency: string;
    }>();
    expectTypeOf<Pick<PlatformSnapshot, 'campaigns' | 'errors'>>().toMatchObjectType<{
      campaigns: PlatformSnapshot['campaigns'];
      errors: string[];
    }>();
  });

  it('Notifier: alerts, run alerts, escalations opened and closed, and the optional updates', () => {
    expectTypeOf<Notifier['alert']>().toEqualTypeOf<(row: ResultRow) => Promise<void>>();
    expectTypeOf<Notifier['runAlerts']>().toEqualTypeOf<
      (runId: string, rows: readonly ResultRow[], figures?: RunFigures) => Promise<void>
    >();
    expectTypeOf<Notifier['escalationOpened']>().toEqualTypeOf<(escalation: Escalation) => Promise<void>>();
    expectTypeOf<Notifier['escalationClosed']>().toEqualTypeOf<(closed: EscalationClosed) => Promise<void>>();
    expectTypeOf<Notifier['escalationUpdated']>().toEqualTypeOf<
      ((escalation: Escalation) => Promise<void>) | undefined
    >();
    expectTypeOf<Notifier['campaignResumed']>().toEqualTypeOf<
      | ((resumed: { platform: string; platformCampaignId: string; actor: string; at: string }) => Promise<void>)
      | undefined
    >();
    expectTypeOf<Pick<EscalationClosed, 'escalation' | 'decision' | 'actor' | 'outcome' | 'detail'>>().toEqualTypeOf<{
      escalation: Escalation;
      decision: 'approved' | 'overridden' | 'expired';
      actor: string;
      outcome: 'done' | 'failed';
      detail: string;
    }>();
  });

  it('PlanSource: a description and a plan of rows and their line-numbered errors', () => {
    expectTypeOf<PlanSource['description']>().toEqualTypeOf<string>();
    expectTypeOf<PlanSource['read']>().toEqualTypeOf<() => Promise<Plan>>();
    expectTypeOf<Pick<Plan, 'rows' | 'errors'>>().toEqualTypeOf<{ rows: PlanRow[]; errors: RowError[] }>();
    expectTypeOf<Progress>().toEqualTypeOf<(stage: string, done: number, total: number) => void>();
  });
});

/** The fields SPEC lists for each row of `run --json` and `status --json`. */
type SpecResultRow = {
  campaignId: string | null;
  platform: Platform;
  platformCampaignId: string | null;
  confidence: number;
  confidenceParts: { metadata: number; name: number; freshness: number };
  targetSpend: number | null;
  actualSpend: number | null;
  variancePct: number | null;
  // Null for a row without variance (target 0, unmatched, orphan): SPEC's three values otherwise.
  severity: 'healthy' | 'warning' | 'critical' | null;
  zeroDelivery: boolean;
  action: 'log' | 'alert' | 'escalate' | 'halt';
  status: 'done' | 'awaiting_approval' | 'approved' | 'overridden' | 'expired' | 'failed';
  escalationId: string | null;
  rootCause: ResultRow['rootCause'];
  mitigation: ResultRow['mitigation'];
};

describe('JSON records read outside the repository', () => {
  it('run --json and status --json: { runId, results, errors }, each result with SPEC’s fields', () => {
    type RunDoc = ReturnType<typeof runDoc>;
    expectTypeOf<Pick<RunDoc, 'runId' | 'results' | 'errors'>>().toEqualTypeOf<{
      runId: string;
      results: ResultRow[];
      errors: RowError[];
    }>();
    expectTypeOf<Parameters<typeof runDoc>>().toEqualTypeOf<[v: RunView]>();
    expectTypeOf<RowError>().toEqualTypeOf<{ line: number; message: string }>();
    expectTypeOf<Pick<ResultRow, keyof SpecResultRow>>().toEqualTypeOf<SpecResultRow>();
    expectTypeOf<ResultRow['rootCause'][number]>().toHaveProperty('code');
    expectTypeOf<ResultRow['rootCause'][number]>().toHaveProperty('message');
    expectTypeOf<ResultRow['rootCause'][number]>().toHaveProperty('evidence');
    expectTypeOf<ResultRow['mitigation'][number]>().toHaveProperty('step');
  });

  it('pending --json: each entry with SPEC’s fields, and a batch’s members', () => {
    type Entry = ReturnType<typeof pendingEntry>;
    expectTypeOf<Parameters<typeof pendingEntry>>().toEqualTypeOf<[e: Escalation]>();
    expectTypeOf<
      Pick<
        Entry,
        'escalationId' | 'campaignId' | 'platformCampaignId' | 'proposedAction' | 'reason' | 'createdAt' | 'expiresAt'
      >
    >().toEqualTypeOf<{
      escalationId: string;
      campaignId: string | null;
      platformCampaignId: string | null;
      proposedAction: ProposedAction;
      reason: string;
      createdAt: string;
      expiresAt: string;
    }>();
    // SPEC's proposals: a pause or an alert (more kinds may be added, never these removed).
    expectTypeOf<'halt' | 'alert'>().toExtend<Entry['proposedAction']>();
    expectTypeOf<Entry['campaigns']>().toEqualTypeOf<
      { campaignId: string | null; platform: Platform; platformCampaignId: string | null }[] | null
    >();
  });

  it('audit --json: { events }, each with SPEC’s fields and the event types SPEC names', () => {
    expectTypeOf<
      Pick<AuditEvent, 'id' | 'at' | 'type' | 'campaignId' | 'platformCampaignId' | 'actor' | 'details'>
    >().toEqualTypeOf<{
      id: number;
      at: string;
      type: AuditType;
      campaignId: string | null;
      platformCampaignId: string | null;
      actor: string;
      details: Record<string, unknown>;
    }>();
    expectTypeOf<'campaign_paused' | 'campaign_resumed' | 'run_completed'>().toExtend<AuditType>();
  });

  it('report --json: { by, groups }, each group keyed, in one currency, with its totals and counts', () => {
    type Doc = ReturnType<typeof reportDoc>;
    expectTypeOf<Doc['by']>().toEqualTypeOf<ReportBy>();
    expectTypeOf<ReportBy>().toEqualTypeOf<'market' | 'product' | 'platform' | 'owner' | 'currency'>();
    expectTypeOf<Doc['groups'][number]>().toEqualTypeOf<{
      key: string;
      currency: string | null;
      campaigns: number;
      targetSpend: number;
      actualSpend: number;
      variancePct: number | null;
      budget: number | null;
      projectedSpend: number | null;
      critical: number;
      warning: number;
      healthy: number;
    }>();
  });
});
