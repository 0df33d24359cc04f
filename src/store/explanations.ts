// The analyst's notes the model wrote, one per campaign with the question it answered: a later run whose row asks
// the same question (same action, amounts and causes) reuses the note instead of asking again.
import type { Explanation } from '../domain/explanation.js';
import type { Sql } from './sql.js';

export interface StoredExplanation {
  question: string;
  explanation: Explanation;
}

export class ExplanationStore {
  constructor(private readonly sql: Sql) {}

  /** The stored notes of these campaigns, by key. */
  async of(keys: readonly string[]): Promise<Map<string, StoredExplanation>> {
    const out = new Map<string, StoredExplanation>();
    for (const key of keys) {
      const r = await this.sql.get<{ question: string; explanation: string }>(
        'SELECT question, explanation FROM explanations WHERE key = ?',
        [key],
      );
      if (r) out.set(key, { question: r.question, explanation: JSON.parse(r.explanation) as Explanation });
    }
    return out;
  }

  /** Keeps each campaign's newest note. */
  async save(
    runId: string,
    at: string,
    notes: readonly { key: string; question: string; explanation: Explanation }[],
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const n of notes)
        await tx.run(
          `INSERT INTO explanations (key, question, explanation, run_id, at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET question = excluded.question, explanation = excluded.explanation,
             run_id = excluded.run_id, at = excluded.at`,
          [n.key, n.question, JSON.stringify(n.explanation), runId, at],
        );
    });
  }

  /**
   * Puts the note into the stored snapshot of escalations this run opened, so their question shows it when
   * posted (the message is built from the stored escalation).
   */
  async attach(notes: readonly { escalationId: string; explanation: Explanation }[]): Promise<void> {
    const set =
      this.sql.dialect === 'sqlite'
        ? `UPDATE escalations SET snapshot = json_set(snapshot, '$.explanation', json(?)) WHERE id = ? AND status = 'pending'`
        : `UPDATE escalations SET snapshot = jsonb_set(snapshot::jsonb, '{explanation}', ?::jsonb)::text WHERE id = ? AND status = 'pending'`;
    await this.sql.transaction(async (tx) => {
      for (const n of notes) await tx.run(set, [JSON.stringify(n.explanation), n.escalationId]);
    });
  }
}
