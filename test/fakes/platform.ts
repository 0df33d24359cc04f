// In-memory stand-ins for the agent's ports: an ad platform whose pause can be made to fail, a fixed plan,
// and a notifier that records what it was told.

import { PacingAgent } from '../../src/agent/agent.js';
import type { Notifier, Plan, PlanSource, PlatformAdapter, PlatformSnapshot } from '../../src/agent/ports.js';
import type { Escalation, EscalationClosed, PauseOutcome, ResultRow, ResumeOutcome } from '../../src/domain/records.js';
import type { CampaignStatus, PlanRow, Platform, PlatformCampaign } from '../../src/domain/types.js';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';
import { PlatformError } from '../../src/errors.js';
import type { Store } from '../../src/store/index.js';

export class FakePlatform implements PlatformAdapter {
  readonly description: string;
  readonly pauseCalls: string[] = [];
  readonly resumeCalls: string[] = [];
  /** When set, every pause throws it (and changes nothing). */
  pauseError: Error | null = null;
  private readonly campaigns: Map<string, PlatformCampaign>;

  constructor(
    readonly platform: Platform,
    campaigns: PlatformCampaign[] = [],
  ) {
    this.description = `fake ${platform}`;
    this.campaigns = new Map(campaigns.map((c) => [c.id, { ...c, platform }]));
  }

  async fetchCampaigns(): Promise<PlatformSnapshot> {
    return { campaigns: [...this.campaigns.values()].map((c) => ({ ...c })), errors: [] };
  }

  async pause(campaignId: string): Promise<PauseOutcome> {
    this.pauseCalls.push(campaignId);
    if (this.pauseError) throw this.pauseError;
    const c = this.find(campaignId);
    if (c.status === 'PAUSED') return 'already_paused';
    c.status = 'PAUSED';
    return 'paused';
  }

  async resume(campaignId: string): Promise<ResumeOutcome> {
    this.resumeCalls.push(campaignId);
    const c = this.find(campaignId);
    if (c.status === 'ENABLED') return 'already_enabled';
    c.status = 'ENABLED';
    return 'resumed';
  }

  /** Changes what the platform reports a campaign spent, as time passes between runs. */
  setSpend(campaignId: string, spend: number): void {
    this.find(campaignId).spend = spend;
  }

  async currentStatus(campaignId: string): Promise<CampaignStatus | null> {
    return this.campaigns.get(campaignId)?.status ?? null;
  }

  private find(campaignId: string): PlatformCampaign {
    const c = this.campaigns.get(campaignId);
    if (!c) throw new PlatformError(this.platform, `${this.platform} has no campaign ${campaignId}.`);
    return c;
  }
}

/** A plan handed in as rows. */
export class StaticPlan implements PlanSource {
  readonly description = 'static plan';
  constructor(
    private readonly rows: PlanRow[],
    private readonly errors: Plan['errors'] = [],
  ) {}
  async read(): Promise<Plan> {
    return { rows: this.rows.map((r) => ({ ...r })), errors: [...this.errors] };
  }
}

export class RecordingNotifier implements Notifier {
  readonly alerts: ResultRow[] = [];
  readonly opened: Escalation[] = [];
  readonly closed: EscalationClosed[] = [];
  /** Batches whose members changed, as they stood then. */
  readonly updated: Escalation[] = [];
  async alert(row: ResultRow): Promise<void> {
    this.alerts.push(row);
  }
  /** A run's alerts arrive together; recorded one by one, in order. */
  async runAlerts(_runId: string, rows: readonly ResultRow[]): Promise<void> {
    this.alerts.push(...rows);
  }
  async escalationOpened(escalation: Escalation): Promise<void> {
    this.opened.push(escalation);
  }
  async escalationClosed(closed: EscalationClosed): Promise<void> {
    this.closed.push(closed);
  }
  async escalationUpdated(escalation: Escalation): Promise<void> {
    this.updated.push(escalation);
  }
}

/** An agent on fakes: a fixed plan, a Google fake (Meta empty), a recording notifier, the domain tests' clock. */
export function agentOnFakes(opts: {
  store: Store;
  plan: PlanRow[];
  google: FakePlatform;
  notifier?: Notifier;
  now?: string;
}): PacingAgent {
  return new PacingAgent({
    store: opts.store,
    tracker: new StaticPlan(opts.plan),
    platforms: new Map([
      ['google', opts.google],
      ['meta', new FakePlatform('meta')],
    ]),
    notifier: opts.notifier ?? new RecordingNotifier(),
    clock: () => new Date(opts.now ?? '2024-05-15T00:00:00Z').toISOString(),
    thresholds: DEFAULT_THRESHOLDS,
    approvalTimeoutHours: 24,
    checkpointRetentionDays: 30,
    approvers: [],
  });
}
