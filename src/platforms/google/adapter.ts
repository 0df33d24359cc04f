// The live Google Ads platform: campaigns with spend from GAQL (per day inside a window, or lifetime without
// one), pauses and resumes by campaigns:mutate, each write verified by reading the status back.
import type { PauseOutcome, PlatformAdapter, PlatformSnapshot, ResumeOutcome, SpendWindow } from '../../agent/ports.js';
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

  async fetchCampaigns(window?: SpendWindow): Promise<PlatformSnapshot> {
    const range = window ? checkWindow(window) : null;
    // Without a window: no segments.date and no date condition, so metrics.cost_micros is the campaign's whole
    // life. With one: the campaigns' attributes without metrics (every campaign, spending or not), and cost in
    // a second query segmented by segments.date, one row per campaign per day with cost. Google leaves out rows
    // whose selected metrics are all zero when a report is segmented, so a campaign with no cost in the window
    // has no row there; it is still listed from the first query, with spend 0.
    const attributes =
      `SELECT campaign.id, campaign.name, campaign.status, ${this.fields.start}, ${this.fields.end}, ` +
      `campaign_budget.amount_micros, customer.currency_code${range ? '' : ', metrics.cost_micros'} ` +
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
      // Cost rows of a campaign the attributes query did not return (created or removed between the two
      // queries) are left unused: the campaign is not in this run either way.
      const costs = range
        ? dailyCosts(result.value.costRows ?? [], range, `Google Ads customer ${formatCustomerId(customerId)}`)
        : null;
      if (costs) errors.push(...costs.errors);
      for (const row of result.value.rows) {
        const mapped = this.toCampaign(row, customerId, result.value.fetchedAt, costs?.byCampaign ?? null);
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
    return { campaigns, errors, incomplete };
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

  /**
   * One attributes row as a campaign. `costs` (with a window) holds each campaign's cost per day from the
   * segmented query; without it the row's own metrics.cost_micros is the lifetime cost.
   */
  private toCampaign(
    row: GoogleAdsRow,
    customerId: string,
    fetchedAt: string,
    costs: Map<string, CampaignCost> | null,
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
    let spend: number | null;
    let spendByDay: Record<string, number> | undefined;
    if (costs) {
      const cost = costs.get(c.id);
      if (cost && 'error' in cost) return { error: `${where}, campaign ${c.id}: ${cost.error}; skipped.` };
      // No row in the segmented query: no cost on any day of the window (zero delivery, still listed).
      const days = [...(cost?.byDay.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : 1));
      spendByDay = {};
      let total = 0n;
      for (const [day, micros] of days) {
        spendByDay[day] = microsToMoney(micros);
        total += micros;
      }
      // The total is summed in micros and rounded once, not summed from the rounded days.
      spend = microsToMoney(total);
    } else {
      // JSON leaves out fields that are unset (and int64 zeros): no cost recorded reads as zero spend.
      spend = microsToAmount(row.metrics?.costMicros ?? '0');
      if (spend === null)
        return {
          error: `${where}, campaign ${c.id}: metrics.costMicros ${JSON.stringify(row.metrics?.costMicros)} is not a whole number of micros; skipped.`,
        };
    }
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
        ...(spendByDay ? { spendByDay } : {}),
      },
      problem: parts.problem,
    };
  }
}

/** One campaign's cost per day inside the window, in micros; or why its cost cannot be trusted. */
type CampaignCost = { byDay: Map<string, bigint> } | { error: string };

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

function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * The segmented query's rows (campaign.id, segments.date, metrics.cost_micros) gathered per campaign and day,
 * in micros. A row that cannot be read spoils only its campaign's cost (the campaign is then skipped with the
 * reason), except a row without a campaign id, which is reported on its own.
 */
function dailyCosts(
  rows: GoogleAdsRow[],
  window: SpendWindow,
  where: string,
): { byCampaign: Map<string, CampaignCost>; errors: string[] } {
  const byCampaign = new Map<string, CampaignCost>();
  const errors: string[] = [];
  for (const row of rows) {
    const id = row.campaign?.id;
    if (typeof id !== 'string' || !/^\d+$/.test(id)) {
      errors.push(`${where}: a daily cost row without a valid campaign id was skipped.`);
      continue;
    }
    const entry = byCampaign.get(id) ?? { byDay: new Map<string, bigint>() };
    byCampaign.set(id, entry);
    if ('error' in entry) continue;
    const day = row.segments?.date;
    // Zero is the default of an int64, which JSON leaves out.
    const raw = row.metrics?.costMicros ?? '0';
    const spoil = (reason: string) => byCampaign.set(id, { error: reason });
    if (!isDay(day) || day < window.since || day > window.until) {
      spoil(`segments.date ${JSON.stringify(day ?? null)} is not a day from ${window.since} to ${window.until}`);
      continue;
    }
    if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim())) {
      spoil(`metrics.costMicros ${JSON.stringify(raw)} on ${day} is not a whole number of micros`);
      continue;
    }
    const micros = BigInt(raw.trim());
    if (micros < 0n) {
      spoil(`cost ${microsToMoney(micros)} on ${day} is negative`);
      continue;
    }
    // One row per campaign and day is what Google sends; should a day come twice, its costs add up.
    entry.byDay.set(day, (entry.byDay.get(day) ?? 0n) + micros);
  }
  return { byCampaign, errors };
}

/**
 * Micros (an int64 as a decimal string) to an amount rounded to cents, half away from zero. Integer arithmetic
 * throughout, so "1234567890123" micros is exactly 1234567.89, not a float that drifts.
 */
export function microsToAmount(micros: string): number | null {
  if (typeof micros !== 'string' || !/^-?\d+$/.test(micros.trim())) return null;
  return microsToMoney(BigInt(micros.trim()));
}

/** Micros as a BigInt to an amount rounded to cents, half away from zero. */
function microsToMoney(value: bigint): number {
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
