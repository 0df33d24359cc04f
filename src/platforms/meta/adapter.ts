// The live Meta adapter: campaigns with flight-to-date spend from the Marketing API, and pause/resume that is
// checked by reading the campaign back. Dry-run is a wrapper around this (../dry-run.ts), not handled here.
//
// Per ad account it reads (see client.ts for the wire format):
// - `act_{id}?fields=currency,timezone_name`: budgets are in the currency's minor units and a day's spend is
//   counted in the account's time zone (developers.facebook.com/docs/marketing-api/currencies).
// - `act_{id}/campaigns`: the campaigns, with status, flight times and budgets.
// - `act_{id}/insights?level=campaign`: spend per campaign. With a spend window (the cycle's earliest flight start
//   to today), `time_range={"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}&time_increment=1` gives one row per campaign
//   per day (`date_start` = `date_stop` = the day, in the account's time zone), so each plan row can be charged
//   only the days of its own flight; without a window, `date_preset=maximum` gives each campaign's lifetime spend.
//   Insights leave out campaigns (and days) without delivery, so a listed campaign without a row has spent 0 —
//   never expect a row of 0 (but accept one).
// Money is summed exactly: each string is read as a whole number of millionths, summed as integers, and only the
// total is turned back into a number.
import type { PauseOutcome, PlatformAdapter, PlatformSnapshot, ResumeOutcome, SpendWindow } from '../../agent/ports.js';
import type { Config } from '../../config.js';
import type { CampaignStatus, PlatformCampaign } from '../../domain/types.js';
import { ConfigError, PlatformError } from '../../errors.js';
import type { NamingConvention } from '../naming.js';
import type { RetryPolicy } from '../retry.js';
import { type MetaCallRecord, MetaGraphClient, type SlowDown } from './client.js';

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

/** Currencies Meta keeps in whole units (offset 1); every other supported currency has offset 100. */
const OFFSET_1_CURRENCIES = new Set(['CLP', 'COP', 'CRC', 'HUF', 'IDR', 'ISK', 'JPY', 'KRW', 'PYG', 'TWD', 'VND']);

/** How many minor units make one unit of the account currency, per Meta's currency table. */
export function currencyOffset(currency: string): number {
  return OFFSET_1_CURRENCIES.has(currency.toUpperCase()) ? 1 : 100;
}

const CAMPAIGN_FIELDS = 'id,name,status,effective_status,start_time,stop_time,daily_budget,lifetime_budget';
/** Lifetime (date_preset=maximum): one row per campaign. */
const LIFETIME_INSIGHT_FIELDS = 'campaign_id,campaign_name,spend';
/** A window with time_increment=1: one row per campaign per day. */
const DAILY_INSIGHT_FIELDS = 'campaign_id,spend,date_start,date_stop';
const SKIPPED_STATUSES = new Set(['DELETED', 'ARCHIVED']);
/** Reads of a campaign's status after a change before the change is declared not to have taken effect. */
const VERIFY_READS = 3;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

const MONEY = /^\d{1,15}(\.\d{1,6})?$/;

/**
 * A money string from Meta ("1234.56", "0", "12") as a number, or null when it is not a plain non-negative decimal.
 * Format-checked first so that "1,234.56", "1e3", " 12", "0x1F" or "" are refused rather than half-read.
 */
export function parseMoney(text: unknown): number | null {
  if (typeof text !== 'string' || !MONEY.test(text)) return null;
  return Number(text);
}

const MICROS = 1_000_000n;

/**
 * A money string as an exact whole number of millionths (finer than any currency's minor unit, and as fine as
 * parseMoney accepts), or null when parseMoney would refuse it. Read from the digits, never through a float.
 */
export function moneyToMicros(text: unknown): bigint | null {
  if (typeof text !== 'string' || !MONEY.test(text)) return null;
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * MICROS + BigInt(frac.padEnd(6, '0'));
}

/** Millionths back to a number, through the decimal string: the double nearest the exact amount. */
export function microsToNumber(micros: bigint): number {
  const frac = (micros % MICROS).toString().padStart(6, '0');
  return Number(`${micros / MICROS}.${frac}`);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD. */
function isDay(text: unknown): text is string {
  if (typeof text !== 'string' || !DAY.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** A budget in minor units ("5000") as major units in the account currency; null when absent or 0. */
export function budgetFromMinor(text: unknown, currency: string): number | null | undefined {
  if (text === undefined || text === null || text === '') return null;
  if (typeof text !== 'string' || !/^\d{1,18}$/.test(text)) return undefined;
  const minor = Number(text);
  // Both operands are exact, so the division is the double nearest the decimal value (5050 / 100 === 50.5).
  return minor === 0 ? null : minor / currencyOffset(currency);
}

const META_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses Meta's times ("2026-11-01T00:00:00-0700", offset without a colon) to epoch ms; null when malformed. */
export function parseMetaTime(text: string): number | null {
  const m = META_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m as unknown as [string, string, string, string, string, string, string, string];
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23) return null;
  if (zone === 'Z') return utc;
  const digits = zone.replace(':', '');
  const offsetMin = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits[0] === '-' ? -1 : 1);
  return utc - offsetMin * 60_000;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayIn(epochMs: number, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

interface AccountRead {
  campaigns: PlatformCampaign[];
  errors: string[];
}

/** Spend read for one campaign: the exact total, and per day when a window was asked for. */
interface SpendRead {
  total: bigint;
  days: Map<string, bigint>;
}

export class MetaPlatform implements PlatformAdapter {
  readonly platform = 'meta' as const;
  readonly description: string;
  readonly client: MetaGraphClient;
  private readonly accounts: string[];
  private readonly pageSize: string;
  /** Which ad account each campaign came from, so that pause/resume calls are paced with that account. */
  private readonly accountOf = new Map<string, string>();

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
        errors.push(`Meta ad account act_${id} could not be read: ${messageOf(r.reason)}`);
      }
    });
    if (failures.length === this.accounts.length) {
      const detail = failures.map((f) => `act_${f.id}: ${messageOf(f.err)}`).join('; ');
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
      const detail = failures.map((f) => `act_${f.id}: ${messageOf(f.err)}`).join('; ');
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
    const [account, rawCampaigns, rawInsights] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      unknown,
      unknown[],
      unknown[],
    ];
    const currency = isObject(account) && typeof account.currency === 'string' ? account.currency.toUpperCase() : null;
    const timeZone = isObject(account) && typeof account.timezone_name === 'string' ? account.timezone_name : null;
    if (!currency || !/^[A-Z]{3}$/.test(currency)) {
      throw new PlatformError('meta', `Meta did not give ${act}'s currency (got ${JSON.stringify(currency)}).`, false);
    }
    if (!timeZone || !validTimeZone(timeZone)) {
      throw new PlatformError('meta', `Meta did not give ${act}'s time zone (got ${JSON.stringify(timeZone)}).`, false);
    }

    const errors: string[] = [];
    const fetchedAt = this.deps.clock();
    const spend = new Map<string, SpendRead>();
    const unusableSpend = new Set<string>();
    const insightNames = new Map<string, string>();
    for (const row of rawInsights) {
      const id = isObject(row) ? str(row.campaign_id) : null;
      if (!isObject(row) || !id) {
        errors.push(`${act}: an insights row without campaign_id was ignored.`);
        continue;
      }
      const amount = moneyToMicros(row.spend);
      if (amount === null) {
        unusableSpend.add(id);
        errors.push(
          `Meta campaign ${id} in ${act}: spend ${JSON.stringify(row.spend)} is not a decimal amount, so the campaign is left out.`,
        );
        continue;
      }
      const read = spend.get(id) ?? { total: 0n, days: new Map<string, bigint>() };
      if (window) {
        // A daily row is one day inside the window; anything else cannot be given to the right flight.
        const day = row.date_start;
        if (!isDay(day) || row.date_stop !== day || day < window.since || day > window.until) {
          unusableSpend.add(id);
          errors.push(
            `Meta campaign ${id} in ${act}: an insights row for ${JSON.stringify(row.date_start)} to ${JSON.stringify(row.date_stop)} is not one day from ${window.since} to ${window.until}, so the campaign is left out.`,
          );
          continue;
        }
        read.days.set(day, (read.days.get(day) ?? 0n) + amount);
      }
      read.total += amount;
      spend.set(id, read);
      const name = str(row.campaign_name);
      if (name) insightNames.set(id, name);
    }

    const campaigns: PlatformCampaign[] = [];
    const listed = new Set<string>();
    for (const raw of rawCampaigns) {
      const id = isObject(raw) ? str(raw.id) : null;
      if (!isObject(raw) || !id) {
        errors.push(`${act}: a campaign without an id was ignored.`);
        continue;
      }
      listed.add(id);
      const status = str(raw.status);
      const effective = str(raw.effective_status);
      if ((status && SKIPPED_STATUSES.has(status)) || (effective && SKIPPED_STATUSES.has(effective))) continue;
      if (unusableSpend.has(id)) continue;
      const name = str(raw.name) ?? insightNames.get(id) ?? '';
      if (name === '') {
        errors.push(`Meta campaign ${id} in ${act} has no name, so it is left out.`);
        continue;
      }
      this.accountOf.set(id, accountId);
      const parts = this.deps.naming.parse(name);
      if (parts.problem) errors.push(`Meta campaign ${id} in ${act}: ${parts.problem}.`);
      const dates = this.flightDates(raw, timeZone, id, act, errors);
      let dailyBudget = budgetFromMinor(raw.daily_budget, currency);
      if (dailyBudget === undefined) {
        errors.push(
          `Meta campaign ${id} in ${act}: daily_budget ${JSON.stringify(raw.daily_budget)} is not an amount in minor units; budget left unknown.`,
        );
        dailyBudget = null;
      }
      const read = spend.get(id);
      campaigns.push({
        platform: 'meta',
        id,
        name,
        market: parts.market,
        product: parts.product,
        startDate: dates.start,
        endDate: dates.end,
        // No insights row means no delivery (over the window, or ever): spend 0.
        spend: microsToNumber(read?.total ?? 0n),
        status: mapStatus(status, effective),
        fetchedAt,
        dailyBudget,
        currency,
        ...(window ? { spendByDay: daysRecord(read?.days) } : {}),
      });
    }
    for (const [id, read] of spend) {
      if (!listed.has(id) && !unusableSpend.has(id) && read.total > 0n) {
        const name = insightNames.get(id);
        const when = window ? ` from ${window.since} to ${window.until}` : '';
        errors.push(
          `${act}: insights report spend ${microsToNumber(read.total)} ${currency}${when} for campaign ${id}${name ? ` ("${name}")` : ''}, which the campaigns list does not include (deleted or archived?).`,
        );
      }
    }
    return { campaigns, errors };
  }

  /** Start and end days in the account's time zone; the end is the day of the flight's last instant. */
  private flightDates(
    raw: Record<string, unknown>,
    timeZone: string,
    id: string,
    act: string,
    errors: string[],
  ): { start: string | null; end: string | null } {
    const day = (field: 'start_time' | 'stop_time'): string | null => {
      const v = raw[field];
      if (v === undefined || v === null || v === '') return null;
      const ms = typeof v === 'string' ? parseMetaTime(v) : null;
      if (ms === null) {
        errors.push(`Meta campaign ${id} in ${act}: ${field} ${JSON.stringify(v)} is not a time; left unknown.`);
        return null;
      }
      // A flight stopping at 00:00 has its last delivery the day before.
      return dayIn(field === 'stop_time' ? ms - 1 : ms, timeZone);
    };
    return { start: day('start_time'), end: day('stop_time') };
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

/**
 * Meta's configured status (ACTIVE/PAUSED), falling back to effective_status: only PAUSED is paused. Any other
 * value, including one Meta adds later, counts as enabled: a campaign wrongly taken for "already paused" would
 * skip a pause it needs, whereas a needless pause attempt is harmless (and every pause is verified by reading back).
 */
function mapStatus(status: string | null, effective: string | null): CampaignStatus {
  const s = status ?? effective;
  return s === 'PAUSED' ? 'PAUSED' : 'ENABLED';
}

/** Per-day spend as numbers, days in order. */
function daysRecord(days: Map<string, bigint> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const day of [...(days?.keys() ?? [])].sort()) out[day] = microsToNumber(days?.get(day) ?? 0n);
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
