// Tracker messages a planner can act on: the value that is wrong, the line, and a hint for the usual mistakes.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
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

  describe('numbers', () => {
    const withTarget = (target: string, budget = '') =>
      parseTracker(`${HEADER},budget\nc-1,A,google,DE,X,2026-03-01,2026-03-31,${target},${budget}\n`);

    it('refuses a number too big to be finite, naming the column', () => {
      const plan = withTarget('9'.repeat(400));
      expect(plan.rows).toEqual([]);
      expect(plan.errors).toEqual([
        { line: 2, message: 'target_spend 999999999999… (400 characters) is not a finite number' },
      ]);
      expect(plan.rejected).toMatchObject([{ line: 2, campaignName: 'A', platform: 'google' }]);
    });

    it('refuses a budget too big to be finite', () => {
      const plan = withTarget('100', `1${'0'.repeat(400)}`);
      expect(plan.errors).toEqual([
        { line: 2, message: expect.stringMatching(/^budget 1000.* is not a finite number$/) },
      ]);
    });

    it.each(['0x1388', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '1e5', '1E5', '+100', '1_000'])(
      'refuses %s as not a number',
      (value) => {
        const plan = withTarget(value);
        expect(plan.rows).toEqual([]);
        expect(plan.errors).toEqual([{ line: 2, message: `target_spend "${value}" is not a number` }]);
      },
    );

    it.each(['-0', '-0.00', '"-1,000"'])('refuses %s as negative, never as 0', (value) => {
      const plan = withTarget(value);
      expect(plan.rows).toEqual([]);
      expect(plan.errors).toEqual([{ line: 2, message: `target_spend ${value.replaceAll('"', '')} is negative` }]);
    });

    it('names the budget and its value, not "Invalid input"', () => {
      expect(withTarget('100', '0x10').errors).toEqual([{ line: 2, message: 'budget "0x10" is not a number' }]);
      expect(withTarget('100', '-0').errors).toEqual([{ line: 2, message: 'budget -0 is negative' }]);
      expect(withTarget('100', ' ').rows[0]).toMatchObject({ targetSpend: 100, budget: null });
    });
  });

  describe('a header that names a column twice', () => {
    it('makes the tracker unusable, naming the column and where it is', () => {
      const content = `${HEADER},Target_Spend \nc-1,A,google,DE,X,2026-03-01,2026-03-31,100,200\n`;
      expect(() => parseTracker(content)).toThrow(DataError);
      try {
        parseTracker(content);
      } catch (err) {
        expect(err).toMatchObject({ line: 1, code: 'data_invalid' });
        expect((err as Error).message).toBe(
          'The tracker tracker.csv names target_spend twice (columns 8 and 9) in its header (line 1): it would be ambiguous which target_spend column holds the value. Keep one column of each name.',
        );
      }
    });

    it('names every duplicated column', () => {
      expect(() => parseTracker(`${HEADER},budget,market,budget\n`)).toThrow(
        /names market twice \(columns 4 and 10\) and budget twice \(columns 9 and 11\)/,
      );
    });

    it('does not count empty columns (trailing separators) as duplicates', () => {
      const plan = parseTracker(`${HEADER},,\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100,,\n`);
      expect(plan.rows.map((r) => r.campaignId)).toEqual(['c-1']);
    });
  });

  describe('an unclosed quote', () => {
    const good = (i: number) => `c-${i},Campaign ${i},google,DE,X,2026-03-01,2026-03-31,100`;
    const trackerOf = (lines: string[]) => `${[HEADER, ...lines].join('\n')}\n`;

    it('is reported where it opens, and the rows after it are still read', () => {
      const lines = Array.from({ length: 50 }, (_, i) => good(i + 1));
      lines[2] = 'c-3,"Campaign 3,google,DE,X,2026-03-01,2026-03-31,100'; // line 4
      const plan = parseTracker(trackerOf(lines));
      expect(plan.rows).toHaveLength(49);
      expect(plan.rows.map((r) => r.line)).toEqual([2, 3, ...Array.from({ length: 47 }, (_, i) => i + 5)]);
      expect(plan.errors).toEqual([
        {
          line: 4,
          message:
            'an unclosed quote starts here (in campaign_name), so the rows after it would be read as one value; the row was skipped. Remove the stray " or close the quote.',
        },
      ]);
      expect(plan.rejected).toMatchObject([{ line: 4, campaignName: 'Campaign 3', platform: 'google' }]);
    });

    it('is found when a later quoted value would close it, keeping the rows in between', () => {
      const plan = parseTracker(
        trackerOf([
          good(1),
          'c-2,Campaign 2,meta,DE,X,2026-03-01,2026-03-31,"100', // line 3
          good(3),
          good(4),
          'c-5,Campaign 5,google,DE,X,2026-03-01,2026-03-31,"1,000"',
          good(6),
        ]),
      );
      expect(plan.rows.map((r) => r.campaignId)).toEqual(['c-1', 'c-3', 'c-4', 'c-5', 'c-6']);
      expect(plan.rows.find((r) => r.campaignId === 'c-5')?.targetSpend).toBe(1000);
      expect(plan.errors).toEqual([
        { line: 3, message: expect.stringMatching(/^an unclosed quote starts here \(in target_spend\)/) },
      ]);
      expect(plan.rejected).toMatchObject([{ line: 3, campaignName: 'Campaign 2', platform: 'meta' }]);
    });

    it('reports each of several, in line order beside the other errors', () => {
      const plan = parseTracker(
        trackerOf([
          good(1),
          'c-2,"Campaign 2,google,DE,X,2026-03-01,2026-03-31,100', // line 3
          'c-3,Campaign 3,google,DE,X,2026-03-01,2026-03-31,lots', // line 4
          good(4),
          'c-5,"Campaign 5,google,DE,X,2026-03-01,2026-03-31,100', // line 6
          good(6),
        ]),
      );
      expect(plan.rows.map((r) => r.campaignId)).toEqual(['c-1', 'c-4', 'c-6']);
      expect(plan.errors.map((e) => [e.line, e.message.slice(0, 30)])).toEqual([
        [3, 'an unclosed quote starts here '],
        [4, 'target_spend "lots" is not a n'],
        [6, 'an unclosed quote starts here '],
      ]);
    });

    it('keeps line numbers in a file with CRLF line ends', () => {
      const plan = parseTracker(
        `${[HEADER, good(1), 'c-2,"Campaign 2,google,DE,X,2026-03-01,2026-03-31,100', good(3)].join('\r\n')}\r\n`,
      );
      expect(plan.rows.map((r) => [r.line, r.campaignId])).toEqual([
        [2, 'c-1'],
        [4, 'c-3'],
      ]);
      expect(plan.errors.map((e) => e.line)).toEqual([3]);
    });

    it('in the header makes the tracker unusable', () => {
      expect(() => parseTracker(trackerOf([good(1)]).replace('campaign_name', '"campaign_name'))).toThrow(
        /unclosed quote in its header \(line 1\)/,
      );
    });

    it('inside a header cell stops the run at the header, instead of taking the next row for it', () => {
      const content = trackerOf([good(1), good(2)]).replace('target_spend', 'target_spend,notes"x');
      expect(() => parseTracker(content)).toThrow(/header it cannot read \(line 1\): Invalid Opening Quote/);
      expect(() => parseTracker(content)).toThrow(DataError);
    });

    it('leaves a quoted value that spans lines and closes alone', () => {
      const plan = parseTracker(
        trackerOf([good(1), 'c-2,"Campaign, two\nlines ""quoted""",google,DE,X,2026-03-01,2026-03-31,100', good(3)]),
      );
      expect(plan.errors).toEqual([]);
      expect(plan.rows.map((r) => r.campaignId)).toEqual(['c-1', 'c-2', 'c-3']);
      expect(plan.rows[1]?.campaignName).toBe('Campaign, two\nlines "quoted"');
    });
  });
});

describe('target to date and budget', () => {
  const B = `${HEADER},budget`;
  it('an empty target_spend with a budget is valid: the budget sets the target', () => {
    const plan = parseTracker(`${B}\nc-1,A,google,DE,X,2026-11-01,2026-11-30,,150000\n`);
    expect(plan.errors).toEqual([]);
    expect(plan.rows[0]).toMatchObject({ targetSpend: null, budget: 150000 });
  });
  it('refuses a row with neither, and a target above the budget (a typo such as 31000 for 3100)', () => {
    const plan = parseTracker(
      `${B}\nc-1,A,google,DE,X,2026-11-01,2026-11-30,,\nc-2,B,google,DE,X,2026-11-01,2026-11-30,31000,6000\n`,
    );
    expect(plan.rows).toEqual([]);
    expect(plan.errors).toEqual([
      { line: 2, message: 'target_spend is empty and there is no budget to derive it from (fill in one of them)' },
      { line: 3, message: "target_spend is above the row's budget (the whole flight's): check both figures" },
    ]);
  });
});

describe('CsvPlanSource', () => {
  it('reads an unchanged tracker once, and again as soon as it changes', async () => {
    const { mkdtempSync, writeFileSync, utimesSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { CsvPlanSource } = await import('../../src/tracker/csv.js');
    const file = join(mkdtempSync(join(tmpdir(), 'pacing-tracker-')), 'tracker.csv');
    writeFileSync(file, `${HEADER}\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100\n`);
    const source = new CsvPlanSource(file);
    const first = await source.read();
    first.rows.pop(); // a run may change its copy: the kept plan is not touched
    expect((await source.read()).rows.map((r) => r.campaignId)).toEqual(['c-1']);
    writeFileSync(
      file,
      `${HEADER}\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100\nc-2,B,google,DE,X,2026-03-01,2026-03-31,200\n`,
    );
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await source.read()).rows.map((r) => r.campaignId)).toEqual(['c-1', 'c-2']);
  });
});

describe('rows that describe one campaign twice', () => {
  it('reports both rows and uses neither, instead of matching the first', () => {
    const plan = parseTracker(
      `${HEADER}\nc-1,DE Sneakers Search,google,DE,Sneakers,2026-03-01,2026-03-31,100\nc-2,DE Running,google,DE,Running,2026-03-01,2026-03-31,100\nc-3,de_sneakers-search,google,de,sneakers,2026-03-01,2026-03-31,900\n`,
    );
    expect(plan.rows.map((r) => r.campaignId)).toEqual(['c-2']);
    expect(plan.errors.map((e) => e.line)).toEqual([2, 4]);
    expect(plan.errors[0]?.message).toMatch(
      /^campaign_id c-1 describes the same campaign as line 4 \(same name, market, product and flight\).*neither is used/,
    );
    // Their campaign is planned (by invalid rows), not an orphan to escalate.
    expect(plan.rejected?.map((r) => r.line)).toEqual([2, 4]);
  });

  it.each([
    ['another flight', 'c-3,DE Sneakers Search,google,DE,Sneakers,2026-04-01,2026-04-30,100'],
    ['another platform', 'c-3,DE Sneakers Search,meta,DE,Sneakers,2026-03-01,2026-03-31,100'],
    ['another market', 'c-3,DE Sneakers Search,google,AT,Sneakers,2026-03-01,2026-03-31,100'],
  ])('keeps two rows with the same name but %s', (_name, line) => {
    const plan = parseTracker(
      `${HEADER}\nc-1,DE Sneakers Search,google,DE,Sneakers,2026-03-01,2026-03-31,100\n${line}\n`,
    );
    expect(plan.errors).toEqual([]);
    expect(plan.rows).toHaveLength(2);
  });

  it('keeps twins each pinned to its own platform campaign', () => {
    const plan = parseTracker(
      `${HEADER},platform_campaign_id\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100,111\nc-2,A,google,DE,X,2026-03-01,2026-03-31,100,222\n`,
    );
    expect(plan.errors).toEqual([]);
    expect(plan.rows).toHaveLength(2);
  });
});

describe('owner_slack_id', () => {
  it.each(['u0123abcd', 'U0123abcd', ' w0123ABCD '])('reads %j as the upper-case Slack id', (owner) => {
    const plan = parseTracker(`${HEADER},owner_slack_id\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100,${owner}\n`);
    expect(plan.errors).toEqual([]);
    expect(plan.rows[0]?.ownerSlackId).toBe(owner.trim().toUpperCase());
  });

  it('still refuses what is no Slack user id', () => {
    const plan = parseTracker(`${HEADER},owner_slack_id\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100,@anna\n`);
    expect(plan.errors[0]?.message).toMatch(/owner_slack_id must be a Slack user id/);
  });
});

describe('budget_pool', () => {
  const tracker = (pools: string[]) =>
    parseTracker(
      `${HEADER},budget,budget_pool\n${pools.map((p, i) => `c-${i},Name ${i},google,DE,X,2026-03-01,2026-03-31,100,1000,${p}`).join('\n')}\n`,
    );

  it('is carried on the plan row, trimmed; an empty cell is no pool', () => {
    const plan = tracker([' DE Sneakers ', '', '"DE Sneakers"']);
    expect(plan.errors).toEqual([]);
    expect(plan.rows.map((r) => r.budgetPool)).toEqual(['DE Sneakers', undefined, 'DE Sneakers']);
    expect('budgetPool' in (plan.rows[1] as object)).toBe(false);
  });

  it('refuses a name too long or on several lines, naming the column, and keeps the other rows', () => {
    const plan = tracker(['x'.repeat(101), '"DE\nSneakers"', 'ok']);
    expect(plan.errors).toEqual([
      { line: 2, message: 'budget_pool must be a name of at most 100 characters on one line' },
      { line: 4, message: 'budget_pool must be a name of at most 100 characters on one line' },
    ]);
    expect(plan.rows.map((r) => r.budgetPool)).toEqual(['ok']);
  });

  it('is optional: a tracker without the column reads as before', () => {
    const plan = parseTracker(`${HEADER}\nc-1,A,google,DE,X,2026-03-01,2026-03-31,100\n`);
    expect(plan.errors).toEqual([]);
    expect(plan.rows[0]).not.toHaveProperty('budgetPool');
  });
});
