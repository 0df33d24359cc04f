// The live Google Ads platform: campaigns with spend to date from GAQL, pauses and resumes by campaigns:mutate,
// each write verified by reading the status back.
import type { PauseOutcome, PlatformAdapter, PlatformSnapshot, ResumeOutcome } from '../../agent/ports.js';
import type { Config } from '../../config.js';
import type { CampaignStatus, PlatformCampaign } from '../../domain/types.js';
import { ConfigError, PlatformError } from '../../errors.js';
import type { NamingConvention } from '../naming.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import { dateFields, formatCustomerId, GoogleAdsClient, type GoogleAdsRow } from './client.js';
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

/** Google says reported cost can lag real spend by up to about three hours. */
const REPORTING_LAG_HOURS = 3;
/** Before v23 an end date of 2037-12-30 meant "runs indefinitely" (campaign.proto, end_date). */
const OPEN_END_DATE = '2037-12-30';

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

  async fetchCampaigns(): Promise<PlatformSnapshot> {
    // No segments.date in the query and no date condition: metrics are over the campaign's whole life, i.e. its
    // flight to date — the figure the tracker's target_spend is compared with.
    const query =
      `SELECT campaign.id, campaign.name, campaign.status, ${this.fields.start}, ${this.fields.end}, ` +
      'campaign_budget.amount_micros, customer.currency_code, metrics.cost_micros ' +
      "FROM campaign WHERE campaign.status != 'REMOVED'";
    const settled = await Promise.allSettled(
      this.customerIds.map(async (customerId) => {
        const rows = await this.client.search(customerId, query);
        return { customerId, rows, fetchedAt: new Date(this.deps.clock()).toISOString() };
      }),
    );

    const campaigns: PlatformCampaign[] = [];
    const errors: string[] = [];
    const failures: PlatformError[] = [];
    const seen = new Map<string, string>();
    settled.forEach((result, i) => {
      const customerId = this.customerIds[i] as string;
      if (result.status === 'rejected') {
        const reason: unknown = result.reason;
        failures.push(
          reason instanceof PlatformError
            ? reason
            : new PlatformError(
                this.platform,
                `Google Ads customer ${formatCustomerId(customerId)}: ${reason instanceof Error ? reason.message : String(reason)}`,
              ),
        );
        return;
      }
      for (const row of result.value.rows) {
        const mapped = this.toCampaign(row, customerId, result.value.fetchedAt);
        if ('error' in mapped) {
          errors.push(mapped.error);
          continue;
        }
        const { campaign, problem } = mapped;
        const first = seen.get(campaign.id);
        if (first !== undefined) {
          errors.push(
            `Google Ads campaign ${campaign.id} appears in customer ${formatCustomerId(first)} and ${formatCustomerId(customerId)}; only the first is used.`,
          );
          continue;
        }
        seen.set(campaign.id, customerId);
        this.owner.set(campaign.id, customerId);
        if (problem) errors.push(`Google Ads campaign ${campaign.id}: ${problem}.`);
        campaigns.push(campaign);
      }
    });

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
    // One account failing leaves the others' campaigns in the run; its failure is reported with them.
    errors.unshift(...failures.map((f) => `${f.message} Its campaigns are missing from this run.`));
    return { campaigns, errors };
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

  private toCampaign(
    row: GoogleAdsRow,
    customerId: string,
    fetchedAt: string,
  ): { campaign: PlatformCampaign; problem: string | null } | { error: string } {
    const c = row.campaign ?? {};
    const where = `Google Ads customer ${formatCustomerId(customerId)}`;
    if (typeof c.id !== 'string' || !/^\d+$/.test(c.id))
      return { error: `${where}: a campaign row without a valid id was skipped.` };
    if (c.status !== 'ENABLED' && c.status !== 'PAUSED') {
      return {
        error: `${where}, campaign ${c.id}: status ${JSON.stringify(c.status ?? null)} is neither ENABLED nor PAUSED; skipped.`,
      };
    }
    // JSON leaves out fields that are unset: no cost recorded reads as zero spend.
    const spend = microsToAmount(row.metrics?.costMicros ?? '0');
    if (spend === null)
      return {
        error: `${where}, campaign ${c.id}: metrics.costMicros ${JSON.stringify(row.metrics?.costMicros)} is not a whole number of micros; skipped.`,
      };
    if (spend < 0) return { error: `${where}, campaign ${c.id}: cost ${spend} is negative; skipped.` };
    const budgetMicros = row.campaignBudget?.amountMicros;
    const dailyBudget = budgetMicros === undefined ? null : microsToAmount(budgetMicros);
    const name = typeof c.name === 'string' ? c.name : '';
    const parts = this.deps.naming.parse(name);
    const endDate = datePart(c[this.fields.endKey]);
    const currency = row.customer?.currencyCode;
    return {
      campaign: {
        platform: this.platform,
        id: c.id,
        name,
        market: parts.problem ? null : parts.market,
        product: parts.problem ? null : parts.product,
        startDate: datePart(c[this.fields.startKey]),
        endDate: endDate === OPEN_END_DATE ? null : endDate,
        spend,
        status: c.status,
        fetchedAt,
        dailyBudget,
        currency: typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : null,
        reportingLagHours: REPORTING_LAG_HOURS,
      },
      problem: parts.problem,
    };
  }
}

/**
 * Micros (an int64 as a decimal string) to an amount rounded to cents, half away from zero. Integer arithmetic
 * throughout, so "1234567890123" micros is exactly 1234567.89, not a float that drifts.
 */
export function microsToAmount(micros: string): number | null {
  if (typeof micros !== 'string' || !/^-?\d+$/.test(micros.trim())) return null;
  const value = BigInt(micros.trim());
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const cents = (abs + 5_000n) / 10_000n;
  const amount = Number(cents) / 100;
  return negative ? -amount : amount;
}

/** "2026-11-01 00:00:00" or "2026-11-01" → "2026-11-01"; anything else → null. */
export function datePart(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(value.trim());
  return m ? (m[1] as string) : null;
}
