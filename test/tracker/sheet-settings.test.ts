// The Sheets settings as an operator writes them: the spreadsheet by id or URL (its gid kept), a range, the API's
// URL; each refusal names the variable and what is allowed.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { redactText } from '../../src/redact.js';

const ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg';

describe('TRACKER_SHEET and its companions', () => {
  it('leaves the plan in tracker.csv when TRACKER_SHEET is unset (or empty)', () => {
    expect(loadConfig({}).sheet).toBeNull();
    expect(loadConfig({ TRACKER_SHEET: ' ', GOOGLE_APPLICATION_CREDENTIALS: 'key.json' }).sheet).toBeNull();
  });

  it.each<[string, string, { id: string; gid: number | null }]>([
    ['a bare id', ID, { id: ID, gid: null }],
    ['an id with spaces around it', ` ${ID} `, { id: ID, gid: null }],
    ['an edit URL', `https://docs.google.com/spreadsheets/d/${ID}/edit`, { id: ID, gid: null }],
    ['a URL naming a sheet', `https://docs.google.com/spreadsheets/d/${ID}/edit#gid=1538`, { id: ID, gid: 1538 }],
    [
      'a URL with the gid in its query',
      `https://docs.google.com/spreadsheets/d/${ID}/edit?gid=7#gid=7`,
      { id: ID, gid: 7 },
    ],
    ['a URL of a second signed-in account', `https://docs.google.com/spreadsheets/u/1/d/${ID}/`, { id: ID, gid: null }],
  ])('reads %s', (_name, value, spreadsheet) => {
    expect(loadConfig({ TRACKER_SHEET: value }).sheet).toEqual({
      spreadsheet,
      range: null,
      apiUrl: 'https://sheets.googleapis.com',
      credentialsFile: null,
    });
  });

  it('takes the range, the API URL without its trailing slash, and the key file as an absolute path', () => {
    const sheet = loadConfig({
      TRACKER_SHEET: ID,
      TRACKER_SHEET_RANGE: " 'Media plan'!A1:M500 ",
      SHEETS_API_URL: 'http://127.0.0.1:9000/',
      GOOGLE_APPLICATION_CREDENTIALS: 'secrets/key.json',
    }).sheet;
    expect(sheet).toMatchObject({ range: "'Media plan'!A1:M500", apiUrl: 'http://127.0.0.1:9000' });
    expect(sheet?.credentialsFile).toMatch(/^\/.*\/secrets\/key\.json$/);
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      'a URL of another site',
      { TRACKER_SHEET: 'https://example.com/d/plan' },
      'TRACKER_SHEET',
      /^TRACKER_SHEET must be a spreadsheet's id \(the part after \/d\/ in its URL\) or its URL/,
    ],
    [
      'a sheet name instead of an id',
      { TRACKER_SHEET: 'Media plan' },
      'TRACKER_SHEET',
      /TRACKER_SHEET must be a spreadsheet's id .* \(got "Media plan"\)\.$/,
    ],
    [
      'a range on two lines',
      { TRACKER_SHEET: ID, TRACKER_SHEET_RANGE: 'Plan\nA1' },
      'TRACKER_SHEET_RANGE',
      /TRACKER_SHEET_RANGE must be a sheet's name such as Plan, or a range such as Plan!A1:M500, on one line/,
    ],
    [
      'a range without a sheet',
      { TRACKER_SHEET_RANGE: 'Plan' },
      'TRACKER_SHEET_RANGE',
      /TRACKER_SHEET_RANGE is set but TRACKER_SHEET is not/,
    ],
    [
      'an API URL that is not one',
      { TRACKER_SHEET: ID, SHEETS_API_URL: 'sheets.googleapis.com' },
      'SHEETS_API_URL',
      /SHEETS_API_URL must be a URL such as https:\/\/sheets\.googleapis\.com/,
    ],
  ])('refuses %s, naming the variable', (_name, env, variable, message) => {
    const load = () => loadConfig(env);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
    try {
      load();
    } catch (err) {
      expect((err as ConfigError).variable).toBe(variable);
    }
  });

  it('redacts credentials inside SHEETS_API_URL', () => {
    loadConfig({ TRACKER_SHEET: ID, SHEETS_API_URL: 'https://proxy-user:proxy-pass-8812@proxy.example.com/' });
    expect(redactText('GET https://proxy.example.com/v4 as proxy-pass-8812')).toBe(
      'GET https://proxy.example.com/v4 as [redacted]',
    );
  });
});
