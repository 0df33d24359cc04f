// A run's first step: the tracker's plan and every platform's campaigns, with what could not be read and why.
import { withoutDuplicateIds } from '../domain/duplicates.js';
import type { PlatformFailure } from '../domain/records.js';
import type { PlanRow, Platform, PlatformCampaign, RejectedRow, UnusableCampaign } from '../domain/types.js';
import { DataError, PlatformError } from '../errors.js';
import type { AgentDeps } from './deps.js';
import type { Plan, Progress, SpendWindow } from './ports.js';

export interface Ingested {
  plan: PlanRow[];
  errors: Plan['errors'];
  rejected: RejectedRow[];
  campaigns: PlatformCampaign[];
  /** Platforms that could not be read at all, with the reason. */
  unavailable: Map<Platform, string>;
  /** Platforms read only in part (an account failed). */
  incomplete: Map<Platform, string>;
  unusable: Map<Platform, UnusableCampaign[]>;
  platformErrors: PlatformFailure[];
}

/** Reads the plan, then every platform at once (one platform failing leaves the others' data usable). */
export async function ingest(deps: AgentDeps, now: string, progress: Progress): Promise<Ingested> {
  progress('reading the tracker', 0, 1);
  const read = await deps.tracker.read();
  // Guard 8: a tracker without one valid row cannot be trusted to say what is planned; nothing is done.
  if (read.rows.length === 0) throw untrustedTracker(deps, read);
  const currency = deps.planCurrency ?? null;
  const out: Ingested = {
    plan: currency === null ? read.rows : read.rows.map((r) => (r.currency === null ? { ...r, currency } : r)),
    errors: read.errors,
    rejected: read.rejected ?? [],
    campaigns: [],
    unavailable: new Map(),
    incomplete: new Map(),
    unusable: new Map(),
    platformErrors: [],
  };
  const platforms = [...deps.platforms.values()];
  const today = now.slice(0, 10);
  // Each platform's answer or failure, beside the platform it came from.
  const fetched = await Promise.all(
    platforms.map((p) =>
      p.fetchCampaigns(spendWindow(out.plan, p.platform, today)).then(
        (snapshot) => ({ platform: p.platform, snapshot, failure: null }),
        (failure: unknown) => ({ platform: p.platform, snapshot: null, failure }),
      ),
    ),
  );
  for (const { platform, snapshot, failure } of fetched) {
    if (snapshot) {
      // An id listed twice (a paging or aggregation fault upstream) is reported, and neither copy acted on.
      const once = withoutDuplicateIds(snapshot.campaigns);
      out.campaigns.push(...once.campaigns);
      for (const message of [...snapshot.errors, ...once.errors]) out.platformErrors.push({ platform, message });
      if (snapshot.incomplete) out.incomplete.set(platform, snapshot.incomplete);
      const unusable = [...(snapshot.unusable ?? []), ...once.unusable];
      if (unusable.length) out.unusable.set(platform, unusable);
    } else {
      const message = failure instanceof PlatformError ? failure.message : String(failure);
      out.unavailable.set(platform, message);
      out.platformErrors.push({ platform, message });
    }
  }
  progress('reading the platforms', platforms.length, platforms.length);
  return out;
}

/** From the earliest flight start on this platform to today; none when the plan has no row there. */
function spendWindow(plan: readonly PlanRow[], platform: Platform, today: string): SpendWindow | undefined {
  let since: string | null = null;
  for (const r of plan) if (r.platform === platform && (since === null || r.startDate < since)) since = r.startDate;
  if (since === null) return undefined;
  // Both platforms keep daily data for about 37 months: an older start is read from there.
  const oldest = new Date(Date.parse(`${today}T00:00:00Z`) - 36 * 30 * 86_400_000).toISOString().slice(0, 10);
  const from = since < oldest ? oldest : since;
  return { since: from < today ? from : today, until: today };
}

function untrustedTracker(deps: AgentDeps, plan: Plan): DataError {
  const shown = plan.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`);
  const more = plan.errors.length > 3 ? `; and ${plan.errors.length - 3} more` : '';
  return new DataError(
    `The tracker (${deps.tracker.description}) has no valid row${plan.errors.length ? ` (${plan.errors.length} invalid: ${shown.join('; ')}${more})` : ''}, so nothing was decided or done: without a plan every spending campaign would look unplanned. Fix the tracker and run again.`,
    deps.tracker.description,
    plan.errors[0]?.line ?? null,
  );
}
