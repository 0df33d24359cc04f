// What read commands need from the agent's state, without loading the agent: the latest run, the open
// questions, and whether any housekeeping is due (which only the full agent can do).
import type { Escalation, ResultRow, RunRecord } from '../domain/records.js';
import { asItStands } from '../domain/standing.js';
import type { Store } from '../store/index.js';

export interface LatestRun {
  run: RunRecord;
  results: ResultRow[];
}

export class Reads {
  constructor(private readonly store: Store) {}

  pending(): Escalation[] {
    return this.store.escalations.pending();
  }

  latest(): LatestRun | null {
    const run = this.store.runs.latestCompleted();
    // Each row as it stands now: an approved pause is a paused campaign, with the forecast of one.
    return run ? { run, results: this.store.runs.results(run.id).map(asItStands) } : null;
  }

  /**
   * Whether `PacingAgent.catchUp` has work at `now`: a pause a stopped process left unsettled, a decision it
   * claimed but did not finish, an escalation whose thread never started, or one past its deadline. When not,
   * a read command answers from the database alone, without loading LangGraph.
   */
  needsCatchUp(now: string): boolean {
    return (
      this.store.escalations.due(now).length > 0 ||
      this.store.pauses.unknown().length > 0 ||
      this.store.escalations.unsettled().length > 0 ||
      this.store.escalations.unannounced().length > 0
    );
  }
}
