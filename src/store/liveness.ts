// Whether the process that wrote a claim, lock or intent still runs. On one machine (SQLite) its pid says so
// (owner.ts); across machines (PostgreSQL) a pid means nothing, and the server says whether that process's
// session still holds its presence lock (pg-session.ts).
import { ownerAlive } from './owner.js';

export interface Liveness {
  alive(owner: string | null): Promise<boolean>;
}

/** The pid-based check, for processes sharing one machine's SQLite file. */
export const localLiveness: Liveness = {
  alive: async (owner) => ownerAlive(owner),
};
