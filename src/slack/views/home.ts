// App Home: the latest run's summary and the pending queue, rebuilt each time it is opened.
import type { types } from '@slack/bolt';
import type { LatestRun } from '../../agent/agent.js';
import type { Escalation } from '../../agent/ports.js';
import { withinLimits } from './blocks.js';
import { pendingBlocks, statusBlocks } from './status.js';

export function homeView(latest: LatestRun | null, pending: readonly Escalation[]): types.HomeView {
  const blocks = [...statusBlocks(latest, pending), { type: 'divider' as const }, ...pendingBlocks(pending)];
  return { type: 'home', blocks: withinLimits(blocks, (n) => `${n} more blocks left out.`, 100) };
}
