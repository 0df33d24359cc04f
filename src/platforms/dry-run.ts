// PACING_MODE=dry-run: reads go to the live platform, writes only say what they would have done.
import type { BudgetChangeOutcome, PlatformAdapter, PlatformSnapshot, SpendWindow } from '../agent/ports.js';
import type { PauseOutcome, ResumeOutcome } from '../domain/records.js';
import type { CampaignStatus } from '../domain/types.js';
import { PlatformError } from '../errors.js';

export class DryRunPlatform implements PlatformAdapter {
  readonly platform;
  readonly description: string;
  private readonly known = new Map<string, CampaignStatus>();

  constructor(private readonly inner: PlatformAdapter) {
    this.platform = inner.platform;
    this.description = `${inner.description}, dry-run (PACING_MODE=dry-run: nothing is paused)`;
  }

  async fetchCampaigns(window?: SpendWindow): Promise<PlatformSnapshot> {
    const snapshot = await this.inner.fetchCampaigns(window);
    for (const c of snapshot.campaigns) this.known.set(c.id, c.status);
    return snapshot;
  }

  async pause(campaignId: string): Promise<PauseOutcome> {
    return (await this.status(campaignId)) === 'PAUSED' ? 'already_paused' : 'would_pause';
  }

  async resume(campaignId: string): Promise<ResumeOutcome> {
    return (await this.status(campaignId)) === 'ENABLED' ? 'already_enabled' : 'would_resume';
  }

  /** Asks the platform to check the change (Google validates it; Meta is only read) and changes nothing. */
  async setDailyBudget(campaignId: string, amount: number, currency: string): Promise<BudgetChangeOutcome> {
    if (!this.inner.setDailyBudget) {
      throw new PlatformError(this.platform, `${this.inner.description} cannot change daily budgets.`, false);
    }
    // Every adapter honours validateOnly; its outcome is passed on as it is, so that a change that did happen
    // could never be reported as one that only would have.
    return this.inner.setDailyBudget(campaignId, amount, currency, { validateOnly: true });
  }

  private async status(campaignId: string): Promise<CampaignStatus | null> {
    return (await this.inner.currentStatus?.(campaignId)) ?? this.known.get(campaignId) ?? null;
  }
}
