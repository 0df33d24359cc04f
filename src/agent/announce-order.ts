// The order in which threads started together put their questions to people: a run opens its escalations in a
// set order (biggest money first) and their messages must be queued in that order, while the rest of each thread
// (its checkpoint, the database's round trips) may overlap with the others'.
import type { AgentDeps } from './deps.js';

interface Turn {
  /** Settles when every escalation before this one in its line has been announced, or will not be. */
  ready: Promise<void>;
  /** This one's announcement is done (or will not happen): the next may go. */
  pass: () => void;
}

export class AnnouncementOrder {
  private readonly turns = new Map<string, Turn>();

  /** Lines up escalations to be announced in this order; an id already in a line keeps its place there. */
  line(ids: readonly string[]): void {
    let before: Promise<void> = Promise.resolve();
    for (const id of ids) {
      if (this.turns.has(id)) continue;
      let pass = () => {};
      const mine = new Promise<void>((resolve) => {
        pass = resolve;
      });
      const ready = before;
      before = ready.then(() => mine);
      this.turns.set(id, { ready, pass });
    }
  }

  /**
   * Runs `announce` once the escalations lined up before `id` are announced (at once when `id` is in no line), then
   * lets the next go, whether or not `announce` succeeded.
   */
  async inTurn<T>(id: string, announce: () => Promise<T>): Promise<T> {
    const turn = this.turns.get(id);
    if (turn) await turn.ready;
    try {
      return await announce();
    } finally {
      this.pass(id);
    }
  }

  /** `id` gives up its turn (announced, or its thread was not started here): the next may go. */
  pass(id: string): void {
    const turn = this.turns.get(id);
    if (!turn) return;
    this.turns.delete(id);
    turn.pass();
  }
}

const orders = new WeakMap<AgentDeps, AnnouncementOrder>();

/** The agent's one announcement order, shared by the run that starts threads and the threads' announce node. */
export function announcementOrder(deps: AgentDeps): AnnouncementOrder {
  let order = orders.get(deps);
  if (!order) {
    order = new AnnouncementOrder();
    orders.set(deps, order);
  }
  return order;
}
