// The tracker as a Google Sheet (TRACKER_SHEET): read through the Sheets API at each run, validated as
// tracker.csv is. A sheet that cannot be read stops the run as an unreadable tracker.csv does.
import type { Plan, PlanSource } from '../../agent/ports.js';
import type { Config } from '../../config.js';
import type { SheetSettings } from '../../config-sheet.js';
import { ConfigError, DataError, PlatformError } from '../../errors.js';
import { GoogleOAuth } from '../../platforms/google/oauth.js';
import type { RetryPolicy } from '../../platforms/retry.js';
import { planFromSheet } from '../sheet-grid.js';
import { AdsClientAuth, ServiceAccountAuth, type SheetsAuth } from './auth.js';
import { SheetsClient, type SheetTab } from './client.js';
import { readServiceAccountKey } from './key-file.js';

type GoogleSettings = Config['platforms']['google'];

export interface SheetsSourceDeps {
  fetch?: typeof fetch;
  retry?: RetryPolicy;
}

export class SheetsPlanSource implements PlanSource {
  readonly description: string;
  private client: SheetsClient | null = null;

  constructor(
    private readonly settings: SheetSettings,
    private readonly google: GoogleSettings,
    private readonly deps: SheetsSourceDeps = {},
  ) {
    this.description = `tracker sheet ${settings.spreadsheet.id}`;
  }

  async read(): Promise<Plan> {
    // Built at the first read, so that a command that never reads the plan never needs the credentials.
    this.client ??= new SheetsClient({
      apiUrl: this.settings.apiUrl,
      auth: sheetsAuth(this.settings, this.google, this.deps),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      ...(this.deps.retry ? { retry: this.deps.retry } : {}),
    });
    const { id, gid } = this.settings.spreadsheet;
    try {
      const range = this.settings.range ?? quoteTitle(chooseTab(await this.client.tabs(id), gid, id).title);
      const values = await this.client.values(id, range);
      return planFromSheet(values, `sheet ${JSON.stringify(range)} of spreadsheet ${id}`);
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      throw new DataError(
        `Cannot read the tracker from Google Sheets: ${err.message.replace(/^Reading the plan from Google Sheets failed: /, '')}`,
        `spreadsheet ${id}`,
        null,
        'data_unreadable',
      );
    }
  }
}

/** The sign-in TRACKER_SHEET is read with: a service account when its key file is set, else the Google Ads client. */
export function sheetsAuth(settings: SheetSettings, g: GoogleSettings, deps: SheetsSourceDeps = {}): SheetsAuth {
  if (settings.credentialsFile !== null) return new ServiceAccountAuth(readServiceAccountKey(settings.credentialsFile));
  if (g.clientId === null || g.clientSecret === null || g.refreshToken === null) {
    throw new ConfigError(
      'GOOGLE_APPLICATION_CREDENTIALS',
      'TRACKER_SHEET is set, but there is nothing to sign in to Google Sheets with: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file (and share the sheet with its e-mail), or GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET and GOOGLE_ADS_REFRESH_TOKEN with the spreadsheets.readonly scope. See "Plans in Google Sheets" in README.md.',
    );
  }
  const oauth = new GoogleOAuth(
    { clientId: g.clientId, clientSecret: g.clientSecret, refreshToken: g.refreshToken, tokenUrl: g.oauthTokenUrl },
    { fetch: deps.fetch ?? globalThis.fetch },
  );
  return new AdsClientAuth(oauth);
}

/** The sheet the URL's gid names, else the first. */
function chooseTab(tabs: readonly SheetTab[], gid: number | null, id: string): SheetTab {
  const chosen = gid === null ? tabs[0] : tabs.find((t) => t.sheetId === gid);
  if (chosen) return chosen;
  throw new PlatformError(
    'google sheets',
    gid === null
      ? `spreadsheet ${id} has no sheet to read.`
      : `spreadsheet ${id} has no sheet with gid ${gid} (the URL in TRACKER_SHEET names it): its sheets are ${tabs.map((t) => JSON.stringify(t.title)).join(', ')}. Set TRACKER_SHEET_RANGE to one of them.`,
    false,
  );
}

/** A sheet's title as a range: quoted (with quotes doubled) unless it is plain letters, digits and underscores. */
export function quoteTitle(title: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) && !/^[A-Za-z]{1,3}\d+$/.test(title)
    ? title
    : `'${title.replaceAll("'", "''")}'`;
}
