// The agent as the rest of the app sees it: run a cycle, list and decide escalations, undo a halt or a budget change.

import { campaignTitle, findPlanCampaign } from '../domain/lookup.js';
import type { Decision, Escalation, ResumeOutcome } from '../domain/records.js';
import type { Platform } from '../domain/types.js';
import { NotAuthorised, PacingError, PlatformError } from '../errors.js';
import { type RunReport, runCycle } from './cycle.js';
import { Decisions } from './decisions.js';
import type { AgentDeps } from './deps.js';
import {
  announceEscalation,
  claimThread,
  closeNotice,
  noteRejection,
  pruneThreads,
  recoverBudgetChanges,
  recoverPauses,
  resume,
} from './effects/index.js';
import { buildEscalationGraph, type EscalationGraph, startMissing } from './escalation.js';
import { type LatestRun, Reads } from './reads.js';
import { type BudgetRestored, restoreBudget } from './restore-budget.js';

export type { LatestRun } from './reads.js';

/** How a run ended, for observers: its report, or the error that stopped it (a run refused as busy included). */
export interface RunEnd {
  trigger: string;
  durationMs: number;
  report: RunReport | null;
  error: unknown;
}

export class PacingAgent {
  readonly decisions: Decisions;
  readonly reads: Reads;
  private readonly escalationGraph: EscalationGraph;

  constructor(readonly deps: AgentDeps) {
    this.escalationGraph = buildEscalationGraph(deps);
    this.decisions = new Decisions(deps, this.escalationGraph);
    this.reads = new Reads(deps.store);
  }

  /**
   * Housekeeping every entry point does first: finish decisions a stopped process left half done, and
   * resolve escalations whose time ran out.
   */
  async catchUp(): Promise<{ recovered: number; started: number; expired: Escalation[] }> {
    // Pauses whose outcome a stopped process never recorded are read back first (SPEC, Safety guard 7).
    await recoverPauses(this.deps);
    // So are budget changes: one asked of a platform and never settled is read back and recorded as it stands.
    await recoverBudgetChanges(this.deps);
    const recovered = await this.decisions.recover();
    // Only threads that never announced their escalation can be missing (a state read each costs).
    const missing: Escalation[] = [];
    for (const e of await this.deps.store.escalations.unannounced())
      if (await claimThread(this.deps, e)) missing.push(e);
    const started = await startMissing(this.escalationGraph, missing);
    const expired = await this.decisions.expireDue();
    return { recovered, started, expired };
  }

  async run(trigger: string, actor = 'agent'): Promise<RunReport> {
    const started = performance.now();
    let report: RunReport;
    try {
      await this.catchUp();
      report = await runCycle(this.deps, this.escalationGraph, trigger, actor);
    } catch (error) {
      await this.tell({ trigger, durationMs: performance.now() - started, report: null, error });
      throw error;
    }
    await this.tell({ trigger, durationMs: performance.now() - started, report, error: null });
    await this.pruneThreads();
    await this.pruneResults();
    return report;
  }

  /**
   * Calls `listener` after every run this process makes (metrics, paging), with its report or the error that
   * stopped it. A listener's failure never changes the run. Returns a function that removes the listener.
   */
  onRunEnd(listener: (end: RunEnd) => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly listeners = new Set<(end: RunEnd) => void | Promise<void>>();

  private async tell(end: RunEnd): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(end);
      } catch {
        // Observers report; they never decide what happened to the run.
      }
    }
  }

  /** Whether this user may decide, undo a halt or give a rejection's reason, from this channel. */
  mayDecide(actor: string, channel: 'cli' | 'slack'): boolean {
    return this.decisions.mayDecide(actor, channel);
  }

  /**
   * Records why an approver rejected an escalation, in the one place a rejection's reason lives (the decision
   * note, as the CLI's --reason). Only the approver who rejected it may, and only once: a reason from anyone
   * else, for a pending escalation, or for one decided otherwise is refused.
   */
  async recordRejectionReason(
    escalationId: string,
    actor: string,
    reason: string,
    channel: 'cli' | 'slack',
  ): Promise<Escalation> {
    if (!this.mayDecide(actor, channel)) throw new NotAuthorised(`${actor} is not an approver (PACING_APPROVERS).`);
    const text = reason.trim().slice(0, 2_000);
    const e = await this.deps.store.escalations.get(escalationId);
    if (!e) throw new PacingError('not_found', `There is no escalation ${escalationId}.`);
    if (e.status !== 'overridden' || e.decidedBy !== actor)
      throw new NotAuthorised(
        e.status === 'pending'
          ? `Escalation ${escalationId} has not been rejected; a reason is given with the rejection.`
          : `Only the approver who rejected escalation ${escalationId} can give its reason.`,
      );
    if (e.decisionNote) throw new PacingError('decision_conflict', `Escalation ${escalationId} already has a reason.`);
    const updated = await noteRejection(this.deps, e, actor, text);
    // The decided message shows the reason too (SPEC, Human in the loop); not waited for, a failure is audited.
    void closeNotice(this.deps, {
      escalation: updated,
      decision: 'overridden',
      actor,
      outcome: updated.outcome ?? 'done',
      detail: updated.outcomeDetail ?? 'Rejected: nothing was done.',
    });
    return updated;
  }

  decide(
    id: string,
    decision: Exclude<Decision, 'expired'>,
    actor: string,
    note: string | null,
    channel: 'cli' | 'slack',
  ): Promise<Escalation> {
    return this.decisions.decide(id, decision, actor, note, channel);
  }

  pending(): Promise<Escalation[]> {
    return this.reads.pending();
  }

  latest(): Promise<LatestRun | null> {
    return this.reads.latest();
  }

  /**
   * Undoes a halt: resumes the campaign on its platform, audited with who asked and the figures it had, so the
   * agent does not pause it alone again for HUMAN_DECISION_HOURS unless it gets clearly worse.
   */
  async resumeCampaign(
    platform: Platform,
    platformCampaignId: string,
    actor: string,
    channel: 'cli' | 'slack' = 'cli',
  ): Promise<ResumeOutcome> {
    if (!this.mayDecide(actor, channel)) throw new NotAuthorised(`${actor} is not an approver (PACING_APPROVERS).`);
    const adapter = this.deps.platforms.get(platform);
    if (!adapter) throw new PlatformError(platform, `No ${platform} platform is configured.`);
    // Looked up, never taken from the caller: the campaign's plan id and its figures at the time of the undo.
    const latest = await this.deps.store.runs.latestResultFor(platform, platformCampaignId);
    const figures = latest ? { variancePct: latest.variancePct, actualSpend: latest.actualSpend } : {};
    // An undo undoes a pause of ours: never a campaign a person paused, nor one already resumed.
    const last = await this.deps.store.audit.lastPauseEvent(platform, platformCampaignId);
    if (last?.type !== 'campaign_paused') {
      // Named as people know it: plan id and name when the campaign is planned.
      const title = latest ? campaignTitle(latest) : `${platform} campaign ${platformCampaignId}`;
      throw new PacingError(
        'not_found',
        last
          ? `${title} was already resumed by ${last.actor} at ${last.at}; nothing to undo.`
          : `The agent has no pause of ${title} on record, so there is nothing to undo. If it should run, resume it on the platform.`,
      );
    }
    return resume(this.deps, { platform, platformCampaignId, campaignId: latest?.campaignId ?? null, actor, figures });
  }

  /**
   * Undoes the agent's last daily-budget change: puts back the budget from before it, audited `budget_changed` with
   * `restore: true`, and closes any open budget question about the campaign. Approvers only. The campaign is the
   * plan's campaign id (Slack's "Restore budget" button, action id `pacing_restore_budget`, value the plan campaign
   * id) or the platform and its campaign id.
   */
  async restoreBudget(
    target: { campaignId: string } | { platform: Platform; platformCampaignId: string },
    actor: string,
    channel: 'cli' | 'slack' = 'cli',
  ): Promise<BudgetRestored> {
    if (!this.mayDecide(actor, channel)) throw new NotAuthorised(`${actor} is not an approver (PACING_APPROVERS).`);
    let platform: Platform;
    let id: string;
    if ('campaignId' in target) {
      // A button's value is looked up, never trusted: the plan campaign as the latest run matched it.
      const results = (await this.reads.latest())?.results ?? [];
      const row = findPlanCampaign(results, target.campaignId);
      if (!row || row.platformCampaignId === null)
        throw new PacingError('not_found', `No matched campaign "${target.campaignId}" in the latest run.`);
      platform = row.platform;
      id = row.platformCampaignId;
    } else {
      platform = target.platform;
      id = target.platformCampaignId;
    }
    return restoreBudget(this.deps, this.escalationGraph, platform, id, actor);
  }

  /**
   * Asks again the open questions that `posted` says never reached people (escalations opened while the
   * notifier could not post them, e.g. before Slack was configured). Returns how many were asked.
   */
  async announceUnposted(posted: (escalationId: string) => boolean | Promise<boolean>): Promise<number> {
    const unposted: Escalation[] = [];
    for (const e of await this.pending()) if (!(await posted(e.id))) unposted.push(e);
    for (const e of unposted) await announceEscalation(this.deps, e);
    return unposted.length;
  }

  /**
   * Deletes per-campaign results past RESULTS_RETENTION_DAYS (about 1 KB per campaign per run), and the Slack
   * messages of that age that are done with.
   */
  async pruneResults(): Promise<number> {
    const days = this.deps.resultsRetentionDays;
    if (days === undefined) return 0;
    const before = new Date(Date.parse(this.deps.clock()) - days * 86_400_000).toISOString();
    const deleted = await this.deps.store.runs.pruneResults(before);
    // Slack messages done with are kept as long as results (the outbox doubles as the index of posted messages).
    const messages = await this.deps.store.outbox.prune(before);
    if (deleted > 0 || messages > 0) {
      await this.deps.store.audit.append({
        at: this.deps.clock(),
        type: 'results_pruned',
        actor: 'agent',
        details: { rows: deleted, messages, before },
      });
    }
    return deleted;
  }

  /** Deletes the checkpoints of threads settled longer ago than the retention (SqliteSaver never prunes). */
  async pruneThreads(): Promise<number> {
    const before = new Date(
      Date.parse(this.deps.clock()) - this.deps.checkpointRetentionDays * 86_400_000,
    ).toISOString();
    return pruneThreads(this.deps, before);
  }
}
