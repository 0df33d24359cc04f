// Pause intents: written before a platform is asked to pause, settled after, so that no pause is ever lost.
import type { Platform } from '../domain/types.js';
import { type Liveness, localLiveness } from './liveness.js';
import { PROCESS_ID } from './owner.js';
import type { Sql } from './sql.js';

export type IntentOutcome = 'paused' | 'already_paused' | 'would_pause' | 'failed' | 'not_paused';

export interface PauseIntent {
  key: string;
  createdAt: string;
  runId: string | null;
  escalationId: string | null;
  campaignId: string | null;
  platform: Platform;
  platformCampaignId: string;
  actor: string;
  details: Record<string, unknown>;
  outcome: IntentOutcome | null;
}

interface Row {
  key: string;
  created_at: string;
  run_id: string | null;
  escalation_id: string | null;
  campaign_id: string | null;
  platform: Platform;
  platform_campaign_id: string;
  actor: string;
  details: string;
  owner: string;
  outcome: IntentOutcome | null;
}

const toIntent = (r: Row): PauseIntent => ({
  key: r.key,
  createdAt: r.created_at,
  runId: r.run_id,
  escalationId: r.escalation_id,
  campaignId: r.campaign_id,
  platform: r.platform,
  platformCampaignId: r.platform_campaign_id,
  actor: r.actor,
  details: JSON.parse(r.details) as Record<string, unknown>,
  outcome: r.outcome,
});

export class PauseIntents {
  constructor(
    private readonly sql: Sql,
    /** Whether a claim's owner still runs: its pid on one machine, its session across replicas. */
    private readonly liveness: Liveness = localLiveness,
  ) {}

  /**
   * Records the intent under `key`, owned by this process. Returns the intent as stored and whether one was
   * already there (a retry after a crash: the platform may already have paused the campaign).
   */
  record(intent: Omit<PauseIntent, 'outcome'>): Promise<{ intent: PauseIntent; existed: boolean }> {
    return this.sql.transaction(async (tx) => {
      const added = await tx.get<{ key: string }>(
        `INSERT INTO pause_intents (key, created_at, run_id, escalation_id, campaign_id, platform, platform_campaign_id, actor, details, owner)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING key`,
        [
          intent.key,
          intent.createdAt,
          intent.runId,
          intent.escalationId,
          intent.campaignId,
          intent.platform,
          intent.platformCampaignId,
          intent.actor,
          JSON.stringify(intent.details),
          PROCESS_ID,
        ],
      );
      if (!added)
        await tx.run('UPDATE pause_intents SET owner = ? WHERE key = ? AND outcome IS NULL', [PROCESS_ID, intent.key]);
      return { intent: (await intentOf(tx, intent.key)) as PauseIntent, existed: !added };
    });
  }

  get(key: string): Promise<PauseIntent | null> {
    return intentOf(this.sql, key);
  }

  async settle(key: string, outcome: IntentOutcome, at: string): Promise<void> {
    await this.sql.run('UPDATE pause_intents SET outcome = ?, settled_at = ? WHERE key = ?', [outcome, at, key]);
  }

  /** Intents never settled by a process that is gone: their outcome is unknown until read back. */
  async unknown(): Promise<PauseIntent[]> {
    const rows = await this.sql.all<Row>('SELECT * FROM pause_intents WHERE outcome IS NULL ORDER BY created_at');
    const gone: PauseIntent[] = [];
    for (const r of rows) if (!(await this.liveness.alive(r.owner))) gone.push(toIntent(r));
    return gone;
  }
}

async function intentOf(sql: Sql, key: string): Promise<PauseIntent | null> {
  const r = await sql.get<Row>('SELECT * FROM pause_intents WHERE key = ?', [key]);
  return r ? toIntent(r) : null;
}
