// The single-setting shapes as a table: what each accepts (and turns it into) and what it refuses, with the words
// an operator reads.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { choice, currencyCode, flag, managerAccountId, port, slackId } from '../src/config-fields.js';

const workspace = slackId(/^[TE][A-Z0-9]{2,}$/, 'workspace id such as T0123ABCD');
const underspend = choice(['halt', 'alert']);
const budgets = choice(['off', 'ask', 'auto']);

const accepted: [string, z.ZodType, string, unknown][] = [
  ['port', port, '8080', 8080],
  ['slackId', workspace, ' E0AB12 ', 'E0AB12'],
  ['managerAccountId', managerAccountId, '123-456-7890', '1234567890'],
  ['flag', flag, ' YES ', true],
  ['flag', flag, '0', false],
  ['currencyCode', currencyCode, ' eur ', 'EUR'],
  ['choice', underspend, ' Alert ', 'alert'],
  ['choice', budgets, 'AUTO', 'auto'],
];

const refused: [string, z.ZodType, string, string][] = [
  ['port', port, '65536', 'must be a port number from 1 to 65535'],
  ['port', port, '80a', 'must be a port number from 1 to 65535'],
  ['slackId', workspace, 'U0123', 'must be a Slack workspace id such as T0123ABCD'],
  ['managerAccountId', managerAccountId, '12345', 'must be a 10-digit manager account id'],
  ['flag', flag, 'maybe', 'must be true or false'],
  ['currencyCode', currencyCode, 'EURO', 'must be a 3-letter ISO currency code such as EUR'],
  ['choice', underspend, 'pause', 'must be halt or alert'],
  ['choice', budgets, 'sometimes', 'must be off, ask or auto'],
];

describe('config-fields', () => {
  it.each(accepted)('%s reads %j', (_name, shape, input, expected) => {
    expect(shape.parse(input)).toEqual(expected);
  });

  it.each(refused)('%s refuses %j', (_name, shape, input, message) => {
    const r = shape.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([message]);
  });
});
