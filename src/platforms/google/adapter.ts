// The live Google Ads platform: campaigns with spend from GAQL (per day inside a window, or lifetime without
// one), pauses and resumes by campaigns:mutate, each write verified by reading the status back. The rows are read
// into campaigns in campaigns.ts.
import type { BudgetChangeOutcome, PlatformAdapter, PlatformSnapshot, SpendWindow } from '../../agent/ports.js';
import type { Config } from '../../config.js';
import type { PauseOutcome, ResumeOutcome } from '../../domain/records.js';
import type { CampaignStatus, PlatformCampaign, UnusableCampaign } from '../../domain/types.js';
import { asPacingError, ConfigError, PlatformError } from '../../errors.js';
import type { NamingConvention } from '../naming.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import { setDailyBudget } from './budgets.js';
import { dailyCosts, toCampaign } from './campaigns.js';
import { dateFields, formatCustomerId, GoogleAdsClient } from './client.js';
import { isDay } from './convert.js';
import { GoogleOAuth } from './oauth.js';

export type GoogleSettings = Config['platforms']['google'];

export interface GoogleAdsDeps {
  /** ISO "now" for fetchedAt (PACING_NOW when pinned). */
  clock: () => string;
  naming: NamingConvention;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  /** Real milliseconds for the access-token cache (default Date.now); never the pinned clock. */
  now?: () => number;
}

type RawStatus = CampaignStatus | 'REMOVED' | string;

export class GoogleAdsPlatform implements PlatformAdapter {
  readonly platform = 'google' as const;
  readonly description: string;
  private readonly client: GoogleAdsClient;
  private readonly customerIds: string[];
  private readonly fields: ReturnType<typeof dateFields>;
  /** Which customer account each campaign was last seen in, for pause and resume. */
  private readonly owner = new Map<string, string>();

  constructor(
    settings: GoogleSettings,
    private readonly deps: GoogleAdsDeps,
  ) {
    const need = (variable: string, value: string | null): string => {
      if (!value) throw new ConfigError(variable, `${variable} is not set, but the live Google Ads platform needs it.`);
      return value;
    };
    this.customerIds = [...new Set(settings.customerIds.map((id) => id.replaceAll('-', '')))];
    if (this.customerIds.length === 0) {
      throw new ConfigError(
        'GOOGLE_ADS_CUSTOMER_IDS',
        'GOOGLE_ADS_CUSTOMER_IDS is not set, but the live Google Ads platform needs it.',
      );
    }
    const fetchImpl = deps.fetch ?? globalThis.fetch;
    const oauth = new GoogleOAuth(
      {
        clientId: need('GOOGLE_ADS_CLIENT_ID', settings.clientId),
        clientSecret: need('GOOGLE_ADS_CLIENT_SECRET', settings.clientSecret),
        refreshToken: need('GOOGLE_ADS_REFRESH_TOKEN', settings.refreshToken),
        tokenUrl: settings.oauthTokenUrl,
      },
      { fetch: fetchImpl, ...(deps.now ? { now: deps.now } : {}) },
    );
    this.client = new GoogleAdsClient(
      {
        apiBaseUrl: settings.apiBaseUrl,
        apiVersion: settings.apiVersion,
        developerToken: settings.developerToken,
        loginCustomerId: settings.loginCustomerId,
      },
      oauth,
      { fetch: fetchImpl, retry: deps.retry ?? DEFAULT_RETRY },
    );
    this.fields = dateFields(settings.apiVersion);
    const accounts = this.customerIds.map(formatCustomerId).join(', ');
    this.description = `Google Ads API ${settings.apiVersion} (customer${this.customerIds.length === 1 ? '' : 's'} ${accounts})`;
  }

  async fetchCampaigns(window?: SpendWindow): Promise<PlatformSnapshot> {
    const range = window ? checkWindow(window) : null;
    // Without a window: no segments.date and no date condition, so metrics.cost_micros is the campaign's whole
    // life. With one: the campaigns' attributes without metrics (every campaign, spending or not), and cost in
    // a second query segmented by segments.date, one row per campaign per day with cost. Google leaves out rows
    // whose selected metrics are all zero when a report is segmented, so a campaign with no cost in the window
    // has no row there; it is still listed from the first query, with spend 0.
    const attributes =
      `SELECT campaign.id, campaign.name, campaign.status, ${this.fields.start}, ${this.fields.end}, ` +
      'campaign.campaign_budget, campaign_budget.amount_micros, campaign_budget.explicitly_shared, ' +
      `customer.currency_code, customer.time_zone${range ? '' : ', metrics.cost_micros'} ` +
      "FROM campaign WHERE campaign.status != 'REMOVED'";
    // BETWEEN is inclusive at both ends, and dates are days in each account's time zone. A window that ends
    // before it starts holds no day: nothing to ask for, every campaign spent 0 in it.
    const daily =
      range && range.since <= range.until
        ? {
            query:
              "SELECT campaign.id, segments.date, metrics.cost_micros FROM campaign WHERE campaign.status != 'REMOVED' " +
              `AND segments.date BETWEEN '${range.since}' AND '${range.until}'`,
            what: `reading daily cost from ${range.since} to ${range.until}`,
          }
        : null;
    const settled = await Promise.allSettled(
      this.customerIds.map(async (customerId) => {
        const [rows, costRows] = await Promise.all([
          this.client.search(customerId, attributes),
          daily === null ? Promise.resolve(null) : this.client.search(customerId, daily.query, daily.what),
        ]);
        return { customerId, rows, costRows, fetchedAt: new Date(this.deps.clock()).toISOString() };
      }),
    );

    const campaigns: PlatformCampaign[] = [];
    const errors: string[] = [];
    const unusable: UnusableCampaign[] = [];
    const failures: PlatformError[] = [];
    const seen = new Map<string, string>();
    const duplicated = new Set<string>();
    const read = { naming: this.deps.naming, fields: this.fields };
    settled.forEach((result, i) => {
      const customerId = this.customerIds[i] as string;
      if (result.status === 'rejected') {
        const reason: unknown = result.reason;
        failures.push(
          reason instanceof PlatformError
            ? reason
            : new PlatformError(
                this.platform,
                `Google Ads customer ${formatCustomerId(customerId)}: ${asPacingError(reason).message}`,
              ),
        );
        return;
      }
      // Cost rows of a campaign the attributes query did not return (created or removed between the two
      // queries) are left unused: the campaign is not in this run either way.
      const costs = range
        ? dailyCosts(result.value.costRows ?? [], range, `Google Ads customer ${formatCustomerId(customerId)}`)
        : null;
      if (costs?.fault) {
        failures.push(new PlatformError(this.platform, costs.fault, false));
        settled[i] = { status: 'rejected', reason: costs.fault };
        return;
      }
      if (costs) errors.push(...costs.errors);
      for (const row of result.value.rows) {
        const mapped = toCampaign(row, customerId, result.value.fetchedAt, costs?.byCampaign ?? null, read);
        if ('error' in mapped) {
          errors.push(mapped.error);
          // Named for the plan rows that meant it: they are told its data was unusable, not "no match".
          const c = row.campaign ?? {};
          unusable.push({
            id: typeof c.id === 'string' ? c.id : null,
            name: typeof c.name === 'string' ? c.name : null,
            message: mapped.error,
          });
          continue;
        }
        const { campaign, problem } = mapped;
        const first = seen.get(campaign.id);
        if (first !== undefined) {
          // Which copy holds the truth cannot be told: neither is acted on.
          const message = `Google Ads campaign ${campaign.id} appears twice (customer ${formatCustomerId(first)} and ${formatCustomerId(customerId)}); neither copy is used.`;
          errors.push(message);
          duplicated.add(campaign.id);
          unusable.push({ id: campaign.id, name: campaign.name, message });
          continue;
        }
        seen.set(campaign.id, customerId);
        this.owner.set(campaign.id, customerId);
        if (problem) errors.push(`Google Ads campaign ${campaign.id}: ${problem}.`);
        campaigns.push(campaign);
      }
    });

    if (duplicated.size > 0) {
      for (let i = campaigns.length - 1; i >= 0; i--) {
        const c = campaigns[i] as PlatformCampaign;
        if (!duplicated.has(c.id)) continue;
        unusable.push({
          id: c.id,
          name: c.name,
          message: `Google Ads campaign ${c.id} appears twice; neither copy is used.`,
        });
        campaigns.splice(i, 1);
      }
    }
    if (failures.length === this.customerIds.length) {
      // Every account failed: the platform is unavailable for this run (retries were already spent per call).
      // A sign-in failure is the same for every account: say it once.
      const messages = [...new Set(failures.map((f) => f.message))];
      const waits = failures.map((f) => f.retryAfterMs).filter((ms): ms is number => ms !== null);
      throw new PlatformError(
        this.platform,
        messages.length === 1
          ? (messages[0] as string)
          : `Google Ads is unavailable for every configured customer: ${messages.join(' ')}`,
        false,
        waits.length ? Math.max(...waits) : null,
      );
    }
    // One account failing leaves the others' campaigns in the run; its failure is reported with them, and the
    // snapshot says it is incomplete, so a plan row without a match is not taken for a campaign that does not exist.
    errors.unshift(...failures.map((f) => `${f.message} Its campaigns are missing from this run.`));
    const missing = this.customerIds.filter((_, i) => settled[i]?.status === 'rejected').map(formatCustomerId);
    const incomplete =
      missing.length === 0
        ? null
        : missing.length === 1
          ? `Google Ads customer ${missing[0]} could not be read: its campaigns are missing from this run, so a plan row without a matching campaign may belong to it.`
          : `Google Ads customers ${missing.join(', ')} could not be read: their campaigns are missing from this run, so a plan row without a matching campaign may belong to one of them.`;
    return { campaigns, errors, unusable, incomplete };
  }

  async pause(campaignId: string): Promise<PauseOutcome> {
    return (await this.setStatus(campaignId, 'PAUSED')) ? 'paused' : 'already_paused';
  }

  async resume(campaignId: string): Promise<ResumeOutcome> {
    return (await this.setStatus(campaignId, 'ENABLED')) ? 'resumed' : 'already_enabled';
  }

  /** The campaign's status on Google now; null when no configured account has it (or it was removed). */
  async currentStatus(campaignId: string): Promise<CampaignStatus | null> {
    const found = await this.locate(campaignId);
    if (!found || (found.status !== 'ENABLED' && found.status !== 'PAUSED')) return null;
    return found.status;
  }

  /** Changes the campaign's daily budget (see budgets.ts); `validateOnly` has Google check it and change nothing. */
  async setDailyBudget(
    campaignId: string,
    amount: number,
    currency: string,
    options: { validateOnly?: boolean } = {},
  ): Promise<BudgetChangeOutcome> {
    const found = await this.locate(campaignId);
    if (!found || found.status === 'REMOVED') {
      throw new PlatformError(
        this.platform,
        `Cannot set the daily budget of Google Ads campaign ${campaignId}: no configured customer (${this.customerIds.map(formatCustomerId).join(', ')}) has it.`,
      );
    }
    return setDailyBudget(this.client, found.customerId, campaignId, amount, currency, options.validateOnly === true);
  }

  /** True when the status was changed, false when it already was `target`. Throws unless Google confirms it. */
  private async setStatus(campaignId: string, target: CampaignStatus): Promise<boolean> {
    const verb = target === 'PAUSED' ? 'pause' : 'resume';
    const found = await this.locate(campaignId);
    if (!found) {
      throw new PlatformError(
        this.platform,
        `Cannot ${verb} Google Ads campaign ${campaignId}: no configured customer (${this.customerIds.map(formatCustomerId).join(', ')}) has it.`,
      );
    }
    if (found.status === target) return false;
    if (found.status === 'REMOVED') {
      throw new PlatformError(this.platform, `Cannot ${verb} Google Ads campaign ${campaignId}: it has been removed.`);
    }
    await this.client.mutateCampaignStatus(found.customerId, campaignId, target);
    // Trust nothing but a read-back: an accepted mutate that left the status unchanged is a failed pause.
    const after = await this.readStatus(found.customerId, campaignId);
    if (after !== target) {
      throw new PlatformError(
        this.platform,
        `Google Ads accepted the request to ${verb} campaign ${campaignId} (customer ${formatCustomerId(found.customerId)}), but reading it back shows ${after ?? 'no such campaign'}, not ${target}.`,
      );
    }
    return true;
  }

  /** The account and current status of a campaign: the account remembered from the last fetch, else a search. */
  private async locate(campaignId: string): Promise<{ customerId: string; status: RawStatus } | null> {
    if (!/^\d+$/.test(campaignId)) {
      throw new PlatformError(this.platform, `"${campaignId}" is not a Google Ads campaign id (digits only).`);
    }
    const known = this.owner.get(campaignId);
    if (known) {
      const status = await this.readStatus(known, campaignId);
      if (status !== null) return { customerId: known, status };
      this.owner.delete(campaignId);
    }
    // Not seen in a fetch yet: ask each account. One account failing does not hide the campaign in another;
    // but when it is found nowhere and an account could not be asked, that failure is the answer.
    let failure: unknown = null;
    for (const customerId of this.customerIds) {
      if (customerId === known) continue;
      try {
        const status = await this.readStatus(customerId, campaignId);
        if (status !== null) {
          this.owner.set(campaignId, customerId);
          return { customerId, status };
        }
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
    return null;
  }

  private async readStatus(customerId: string, campaignId: string): Promise<RawStatus | null> {
    const rows = await this.client.search(
      customerId,
      `SELECT campaign.id, campaign.status FROM campaign WHERE campaign.id = ${campaignId}`,
      `reading the status of campaign ${campaignId}`,
    );
    return rows[0]?.campaign?.status ?? null;
  }
}

/** Checks a window's dates before they go into GAQL: real calendar days, YYYY-MM-DD. */
function checkWindow(window: SpendWindow): SpendWindow {
  for (const day of [window.since, window.until]) {
    if (!isDay(day)) {
      throw new PlatformError(
        'google',
        `The spend window ${JSON.stringify(window)} is not two dates as YYYY-MM-DD; Google Ads was not asked.`,
      );
    }
  }
  return { since: window.since, until: window.until };
}
