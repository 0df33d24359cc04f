// The live Meta adapter: campaigns with flight-to-date spend from the Marketing API, and pause/resume that is
// checked by reading the campaign back. Dry-run is a wrapper around this (../dry-run.ts), not handled here.
//
// Per ad account it reads (see client.ts for the wire format; campaigns.ts and insights.ts read the answers):
// - `act_{id}?fields=currency,timezone_name`: budgets are in the currency's minor units and a day's spend is
//   counted in the account's time zone (developers.facebook.com/docs/marketing-api/currencies).
// - `act_{id}/campaigns`: the campaigns, with status, flight times and budgets.
// - `act_{id}/insights?level=campaign`: spend per campaign. With a spend window (the cycle's earliest flight start
//   to today), `time_range={"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}&time_increment=1` gives one row per campaign
//   per day (`date_start` = `date_stop` = the day, in the account's time zone), so each plan row can be charged
//   only the days of its own flight; without a window, `date_preset=maximum` gives each campaign's lifetime spend.
import type { BudgetChangeOutcome, PlatformAdapter, PlatformSnapshot, SpendWindow } from '../../agent/ports.js';
import type { Config } from '../../config.js';
import type { PauseOutcome, ResumeOutcome } from '../../domain/records.js';
import type { CampaignStatus, PlatformCampaign } from '../../domain/types.js';
import { asPacingError, ConfigError, PlatformError } from '../../errors.js';
import type { NamingConvention } from '../naming.js';
import type { RetryPolicy } from '../retry.js';
import { setDailyBudget } from './budgets.js';
import { type AccountRead, mapStatus, readAccountAnswers, SKIPPED_STATUSES } from './campaigns.js';
import { type MetaCallRecord, MetaGraphClient } from './client.js';
import { isObject, str } from './json.js';
import { isDay } from './time.js';
import type { SlowDown } from './usage.js';

export type MetaSettings = Config['platforms']['meta'];

export interface MetaDeps {
  clock: () => string;
  naming: NamingConvention;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  /** Usage-based slowing down (default: from 75 %, 5 s rising to 60 s at 100 %). */
  slowDown?: SlowDown;
  /** Calls at once per ad account (default 2). */
  concurrency?: number;
  /** Page size asked of list edges (Meta may send fewer per page). */
  pageSize?: number;
  /** Told about every Graph call (token-free), e.g. for debug logs. */
  onCall?: (call: MetaCallRecord) => void;
}

const CAMPAIGN_FIELDS = 'id,name,status,effective_status,start_time,stop_time,daily_budget,lifetime_budget';
/** Lifetime (date_preset=maximum): one row per campaign. */
const LIFETIME_INSIGHT_FIELDS = 'campaign_id,campaign_name,spend';
/** A window with time_increment=1: one row per campaign per day. */
const DAILY_INSIGHT_FIELDS = 'campaign_id,spend,date_start,date_stop';
/** Reads of a campaign's status after a change before the change is declared not to have taken effect. */
const VERIFY_READS = 3;

export class MetaPlatform implements PlatformAdapter {
  readonly platform = 'meta' as const;
  readonly description: string;
  readonly client: MetaGraphClient;
  private readonly accounts: string[];
  private readonly pageSize: string;
  /** Which ad account each campaign came from, so that pause/resume calls are paced with that account. */
  private readonly accountOf = new Map<string, string>();
  /** Each fetched campaign's account currency: budgets are written in its minor units. */
  private readonly currencyOf = new Map<string, string>();

  constructor(
    settings: MetaSettings,
    private readonly deps: MetaDeps,
  ) {
    if (!settings.accessToken) {
      throw new ConfigError('META_ACCESS_TOKEN', 'META_ACCESS_TOKEN is not set, but the live Meta adapter needs it.');
    }
    this.accounts = settings.adAccountIds.map((id) => id.replace(/^act_/, ''));
    const bad = this.accounts.find((id) => !/^\d+$/.test(id));
    if (bad !== undefined) {
      throw new ConfigError(
        'META_AD_ACCOUNT_IDS',
        `META_AD_ACCOUNT_IDS has "${bad}", which is not an ad account id such as act_1234567890.`,
      );
    }
    this.pageSize = String(deps.pageSize ?? 200);
    this.client = new MetaGraphClient({
      accessToken: settings.accessToken,
      apiBaseUrl: settings.apiBaseUrl,
      apiVersion: settings.apiVersion,
      fetch: deps.fetch,
      retry: deps.retry,
      slowDown: deps.slowDown,
      concurrency: deps.concurrency,
      onCall: deps.onCall,
    });
    const n = this.accounts.length;
    this.description = `Meta Marketing API ${settings.apiVersion} (${n} ad account${n === 1 ? '' : 's'})`;
  }

  async fetchCampaigns(window?: SpendWindow): Promise<PlatformSnapshot> {
    if (this.accounts.length === 0) {
      throw new PlatformError('meta', 'No Meta ad accounts to read: set META_AD_ACCOUNT_IDS.', false);
    }
    if (window && !(isDay(window.since) && isDay(window.until) && window.since <= window.until)) {
      throw new PlatformError(
        'meta',
        `The spend window ${JSON.stringify(window.since)} to ${JSON.stringify(window.until)} is not two days (YYYY-MM-DD) in order, so Meta's spend was not read.`,
        false,
      );
    }
    const settled = await Promise.allSettled(this.accounts.map((id) => this.readAccount(id, window)));
    const campaigns: PlatformCampaign[] = [];
    const errors: string[] = [];
    const failures: { id: string; err: unknown }[] = [];
    settled.forEach((r, i) => {
      const id = this.accounts[i] as string;
      if (r.status === 'fulfilled') {
        campaigns.push(...r.value.campaigns);
        errors.push(...r.value.errors);
      } else {
        failures.push({ id, err: r.reason });
        errors.push(`Meta ad account act_${id} could not be read: ${asPacingError(r.reason).message}`);
      }
    });
    if (failures.length === this.accounts.length) {
      const detail = failures.map((f) => `act_${f.id}: ${asPacingError(f.err).message}`).join('; ');
      const retryAfter =
        failures.map((f) => (f.err instanceof PlatformError ? f.err.retryAfterMs : null)).find((v) => v !== null) ??
        null;
      throw new PlatformError('meta', `No Meta ad account could be read. ${detail}`, false, retryAfter);
    }
    // Some accounts failed: their campaigns are missing, so "no matching campaign" is not proof of anything.
    let incomplete: string | null = null;
    if (failures.length > 0) {
      const one = failures.length === 1;
      const ids = failures.map((f) => `act_${f.id}`).join(', ');
      const detail = failures.map((f) => `act_${f.id}: ${asPacingError(f.err).message}`).join('; ');
      incomplete = `Meta ad account${one ? '' : 's'} ${ids} could not be read (${failures.length} of ${this.accounts.length}), so ${one ? 'its' : 'their'} campaigns are missing from this run. ${detail}`;
    }
    return { campaigns, errors, incomplete };
  }

  private async readAccount(accountId: string, window: SpendWindow | undefined): Promise<AccountRead> {
    const act = `act_${accountId}`;
    // allSettled, so that no call for this account is still running when the account is reported on.
    const settled = await Promise.allSettled([
      this.client.get(act, { fields: 'currency,timezone_name' }, accountId),
      this.client.getAll(`${act}/campaigns`, { fields: CAMPAIGN_FIELDS, limit: this.pageSize }, accountId),
      // With a window: one row per campaign per day from `since` to `until` (inclusive), days in the account's
      // time zone; time_range is a JSON object, as Meta's SDKs send it. Without: date_preset=maximum, everything
      // Meta keeps for the campaign (about 37 months), i.e. its lifetime spend.
      this.client.getAll(
        `${act}/insights`,
        window
          ? {
              level: 'campaign',
              fields: DAILY_INSIGHT_FIELDS,
              time_range: JSON.stringify({ since: window.since, until: window.until }),
              time_increment: '1',
              limit: this.pageSize,
            }
          : { level: 'campaign', fields: LIFETIME_INSIGHT_FIELDS, date_preset: 'maximum', limit: this.pageSize },
        accountId,
      ),
    ]);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [account, campaigns, insights] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      unknown,
      unknown[],
      unknown[],
    ];
    const read = readAccountAnswers(act, { account, campaigns, insights }, window, this.deps);
    for (const campaign of read.campaigns) {
      this.accountOf.set(campaign.id, accountId);
      if (campaign.currency) this.currencyOf.set(campaign.id, campaign.currency);
    }
    return read;
  }

  async pause(campaignId: string): Promise<PauseOutcome> {
    return (await this.setStatus(campaignId, 'PAUSED')) === 'already' ? 'already_paused' : 'paused';
  }

  async resume(campaignId: string): Promise<ResumeOutcome> {
    return (await this.setStatus(campaignId, 'ACTIVE')) === 'already' ? 'already_enabled' : 'resumed';
  }

  async currentStatus(campaignId: string): Promise<CampaignStatus | null> {
    const status = await this.readStatus(campaignId);
    if (status === null || SKIPPED_STATUSES.has(status)) return null;
    return mapStatus(status, null);
  }

  /** Changes the campaign's daily budget (see budgets.ts); `validateOnly` reads only and writes nothing. */
  async setDailyBudget(
    campaignId: string,
    amount: number,
    currency: string,
    options: { validateOnly?: boolean } = {},
  ): Promise<BudgetChangeOutcome> {
    if (!/^\d+$/.test(campaignId)) {
      throw new PlatformError('meta', `"${campaignId}" is not a Meta campaign id (digits only).`, false);
    }
    const target = {
      campaignId,
      accountId: this.accountOf.get(campaignId),
      accountCurrency: this.currencyOf.get(campaignId),
    };
    return setDailyBudget(this.client, target, amount, currency, options.validateOnly === true);
  }

  /** Sets the campaign's configured status, then reads it back until it shows the change. */
  private async setStatus(campaignId: string, target: 'PAUSED' | 'ACTIVE'): Promise<'changed' | 'already'> {
    const verb = target === 'PAUSED' ? 'pause' : 'resume';
    const before = await this.readStatus(campaignId);
    if (before === target) return 'already';
    if (before !== null && SKIPPED_STATUSES.has(before)) {
      throw new PlatformError('meta', `Meta campaign ${campaignId} is ${before}; it cannot be ${verb}d.`, false);
    }
    const answer = await this.client.post(campaignId, { status: target }, this.accountOf.get(campaignId));
    if (!isObject(answer) || answer.success !== true) {
      throw new PlatformError(
        'meta',
        `Meta did not confirm the ${verb} of campaign ${campaignId} (answered ${this.client.scrub(JSON.stringify(answer) ?? 'nothing').slice(0, 200)}).`,
        false,
      );
    }
    let now: string | null = before;
    for (let read = 1; read <= VERIFY_READS; read++) {
      if (read > 1) await this.client.policy.sleep(this.client.policy.baseDelayMs);
      now = await this.readStatus(campaignId);
      if (now === target) return 'changed';
    }
    throw new PlatformError(
      'meta',
      `Meta accepted status=${target} for campaign ${campaignId}, but it still reads ${now ?? 'no status'} after ${VERIFY_READS} checks: the ${verb} did not take effect. Check the campaign in Ads Manager.`,
      false,
    );
  }

  private async readStatus(campaignId: string): Promise<string | null> {
    if (!/^\d+$/.test(campaignId)) {
      throw new PlatformError('meta', `"${campaignId}" is not a Meta campaign id (digits only).`, false);
    }
    const body = await this.client.get(campaignId, { fields: 'status' }, this.accountOf.get(campaignId));
    return isObject(body) ? str(body.status) : null;
  }
}
