// Tracker messages a planner can act on: the value that is wrong, the line, and a hint for the usual mistakes.
import { describe, expect, it } from 'vitest';
import { parseTracker } from '../../src/tracker/csv.js';

const HEADER = 'campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend';

describe('tracker.csv', () => {
  it('names the bad date, and keeps the good row beside it', () => {
    const plan = parseTracker(
      `${HEADER}\nc-1,A,google,DE,X,2026-02-30,2026-03-31,100\nc-2,B,meta,DE,X,2026-03-01,2026-03-31,100\n`,
    );
    expect(plan.errors).toEqual([{ line: 2, message: 'start_date "2026-02-30" is not a date as YYYY-MM-DD' }]);
    expect(plan.rows.map((r) => r.campaignId)).toEqual(['c-2']);
  });

  it('says a row of separators is empty instead of listing every field', () => {
    const plan = parseTracker(`${HEADER}\n,,,,,,,\n`);
    expect(plan.errors).toEqual([{ line: 2, message: 'the row is empty (only separators); it was skipped' }]);
  });

  it('hints at the delimiter when the header came out as one column', () => {
    expect(() => parseTracker(`${HEADER.replaceAll(',', ';')}\n`)).toThrow(/seems to use ";" or tabs/);
  });

  it('reads thousands separators and lower-case currencies', () => {
    const plan = parseTracker(`${HEADER},currency\nc-1,A,google,DE,X,2026-03-01,2026-03-31,"1,250.50",eur\n`);
    expect(plan.rows[0]).toMatchObject({ targetSpend: 1250.5, currency: 'EUR' });
  });
});
