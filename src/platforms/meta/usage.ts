// Meta's usage headers, parsed, and the slow-down they call for before Meta's limit is reached.
//
// Usage arrives in JSON headers (developers.facebook.com/docs/graph-api/overview/rate-limiting,
// …/marketing-api/overview/rate-limiting): `X-App-Usage` {call_count, total_cputime, total_time} (percent),
// `X-Ad-Account-Usage` {acc_id_util_pct, reset_time_duration (s), ads_api_access_tier} and
// `X-Business-Use-Case-Usage` {"<object id>": [{type, call_count, total_cputime, total_time,
// estimated_time_to_regain_access (minutes)}]}.
import { isObject, num } from './json.js';

export interface AppUsage {
  call_count: number;
  total_cputime: number;
  total_time: number;
}

export interface AdAccountUsage {
  acc_id_util_pct: number;
  /** Seconds until the ad account's rate-limit score is back to 0. */
  reset_time_duration: number | null;
  ads_api_access_tier: string | null;
}

export interface BusinessUseCaseUsage {
  /** The business object the figures are for (ad account id, business id, …). */
  objectId: string;
  type: string;
  call_count: number;
  total_cputime: number;
  total_time: number;
  /** Minutes until calls are allowed again; 0 when not throttled. */
  estimated_time_to_regain_access: number;
}

/** What one answer's usage headers said. */
export interface MetaUsage {
  app: AppUsage | null;
  adAccount: AdAccountUsage | null;
  businessUseCase: BusinessUseCaseUsage[];
  /** The highest percentage among all the figures (0 when no header was sent). */
  maxPct: number;
  /** The longest `estimated_time_to_regain_access`, in ms, when one is above 0. */
  regainAccessMs: number | null;
}

/** How calls slow down before Meta's limit: from `fromPct` on, a wait from `minMs` rising linearly to `maxMs` at 100 %. */
export interface SlowDown {
  fromPct: number;
  minMs: number;
  maxMs: number;
}

export const DEFAULT_SLOW_DOWN: SlowDown = { fromPct: 75, minMs: 5_000, maxMs: 60_000 };

/** The wait before the next call for a usage percentage: 0 below `fromPct`, then proportional up to `maxMs`. */
export function slowDownMs(pct: number, s: SlowDown = DEFAULT_SLOW_DOWN): number {
  if (!(pct >= s.fromPct)) return 0;
  if (pct >= 100) return s.maxMs;
  return Math.round(s.minMs + ((pct - s.fromPct) / (100 - s.fromPct)) * (s.maxMs - s.minMs));
}

function jsonHeader(headers: Headers, name: string): unknown {
  const raw = headers.get(name);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

/** Reads the three usage headers; a missing or malformed header counts as absent. */
export function parseUsage(headers: Headers): MetaUsage {
  const appRaw = jsonHeader(headers, 'x-app-usage');
  const app: AppUsage | null = isObject(appRaw)
    ? {
        call_count: num(appRaw.call_count) ?? 0,
        total_cputime: num(appRaw.total_cputime) ?? 0,
        total_time: num(appRaw.total_time) ?? 0,
      }
    : null;
  const accRaw = jsonHeader(headers, 'x-ad-account-usage');
  const adAccount: AdAccountUsage | null = isObject(accRaw)
    ? {
        acc_id_util_pct: num(accRaw.acc_id_util_pct) ?? 0,
        reset_time_duration: num(accRaw.reset_time_duration),
        ads_api_access_tier: typeof accRaw.ads_api_access_tier === 'string' ? accRaw.ads_api_access_tier : null,
      }
    : null;
  const bucRaw = jsonHeader(headers, 'x-business-use-case-usage');
  const businessUseCase: BusinessUseCaseUsage[] = [];
  if (isObject(bucRaw)) {
    for (const [objectId, entries] of Object.entries(bucRaw)) {
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        if (!isObject(e)) continue;
        businessUseCase.push({
          objectId,
          type: typeof e.type === 'string' ? e.type : 'unknown',
          call_count: num(e.call_count) ?? 0,
          total_cputime: num(e.total_cputime) ?? 0,
          total_time: num(e.total_time) ?? 0,
          estimated_time_to_regain_access: num(e.estimated_time_to_regain_access) ?? 0,
        });
      }
    }
  }
  const pcts = [
    ...(app ? [app.call_count, app.total_cputime, app.total_time] : []),
    ...(adAccount ? [adAccount.acc_id_util_pct] : []),
    ...businessUseCase.flatMap((b) => [b.call_count, b.total_cputime, b.total_time]),
  ];
  const regainMinutes = Math.max(0, ...businessUseCase.map((b) => b.estimated_time_to_regain_access));
  return {
    app,
    adAccount,
    businessUseCase,
    maxPct: Math.max(0, ...pcts),
    regainAccessMs: regainMinutes > 0 ? regainMinutes * 60_000 : null,
  };
}

/** True when the answer sent any usage header. */
export function sentUsage(usage: MetaUsage): boolean {
  return usage.app !== null || usage.adAccount !== null || usage.businessUseCase.length > 0;
}

/**
 * The waits an answer's usage calls for: `account` for that ad account's calls, from its own figures
 * (X-Ad-Account-Usage, X-Business-Use-Case-Usage); `app` for every call, from the app-wide X-App-Usage.
 */
export function slowDownsFor(usage: MetaUsage, s: SlowDown): { account: number; app: number } {
  const accountPct = Math.max(
    0,
    ...(usage.adAccount ? [usage.adAccount.acc_id_util_pct] : []),
    ...usage.businessUseCase.flatMap((b) => [b.call_count, b.total_cputime, b.total_time]),
  );
  const appPct = usage.app ? Math.max(usage.app.call_count, usage.app.total_cputime, usage.app.total_time) : 0;
  return { account: slowDownMs(accountPct, s), app: slowDownMs(appPct, s) };
}
