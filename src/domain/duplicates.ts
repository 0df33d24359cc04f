// A platform that lists one campaign id twice: which copy holds the truth cannot be told, so neither is used.
import { PLATFORM_NAME, type PlatformCampaign, type UnusableCampaign } from './types.js';

export interface Deduplicated {
  campaigns: PlatformCampaign[];
  /** One message per duplicated id. */
  errors: string[];
  /** Every copy of a duplicated id, so that a plan row that meant it is told why it was not judged. */
  unusable: UnusableCampaign[];
}

/** The campaigns without any id listed more than once; the same array back when none is. */
export function withoutDuplicateIds(campaigns: PlatformCampaign[]): Deduplicated {
  const count = new Map<string, number>();
  let repeated = false;
  for (const c of campaigns) {
    const n = (count.get(c.id) ?? 0) + 1;
    count.set(c.id, n);
    if (n > 1) repeated = true;
  }
  if (!repeated) return { campaigns, errors: [], unusable: [] };
  const kept: PlatformCampaign[] = [];
  const errors: string[] = [];
  const unusable: UnusableCampaign[] = [];
  for (const c of campaigns) {
    const n = count.get(c.id) ?? 0;
    if (n < 2) {
      kept.push(c);
      continue;
    }
    const spends = campaigns.filter((x) => x.id === c.id).map((x) => x.spend);
    const message = `${PLATFORM_NAME[c.platform]} returned campaign ${c.id} ${n} times (spend ${spends.join(' and ')}): which copy is right cannot be told, so neither is used`;
    unusable.push({ id: c.id, name: c.name, message });
    if (!errors.includes(message)) errors.push(message);
  }
  return { campaigns: kept, errors, unusable };
}
