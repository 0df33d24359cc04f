// The analyst's notes the model wrote, one per campaign with the question it answered: a later run whose row asks
// the same question (same action, amounts and causes) reuses the note instead of asking again.
import type { Explanation } from '../domain/explanation.js';
import type { Db } from './db.js';

export interface StoredExplanation {
  question: string;
  explanation: Explanation;
}

export class ExplanationStore {
  constructor(private readonly db: Db) {}

  /** The stored notes of these campaigns, by key. */
  of(keys: readonly string[]): Map<string, StoredExplanation> {
    const out = new Map<string, StoredExplanation>();
    if (keys.length === 0) return out;
    const get = this.db.prepare('SELECT question, explanation FROM explanations WHERE key = ?');
    for (const key of keys) {
      const r = get.get(key) as { question: string; explanation: string } | undefined;
      if (r) out.set(key, { question: r.question, explanation: JSON.parse(r.explanation) as Explanation });
    }
    return out;
  }

  /** Keeps each campaign's newest note. */
  save(runId: string, at: string, notes: readonly { key: string; question: string; explanation: Explanation }[]): void {
    const put = this.db.prepare(
      `INSERT INTO explanations (key, question, explanation, run_id, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET question = excluded.question, explanation = excluded.explanation,
         run_id = excluded.run_id, at = excluded.at`,
    );
    this.db.transaction(() => {
      for (const n of notes) put.run(n.key, n.question, JSON.stringify(n.explanation), runId, at);
    })();
  }

  /**
   * Puts the note into the stored snapshot of escalations this run opened, so their question shows it when
   * posted (the message is built from the stored escalation).
   */
  attach(notes: readonly { escalationId: string; explanation: Explanation }[]): void {
    const set = this.db.prepare(
      `UPDATE escalations SET snapshot = json_set(snapshot, '$.explanation', json(?)) WHERE id = ? AND status = 'pending'`,
    );
    this.db.transaction(() => {
      for (const n of notes) set.run(JSON.stringify(n.explanation), n.escalationId);
    })();
  }
}
