// The plan read from Google Sheets by the real CLI process: the bundled tracker served by the wire fake of the
// Sheets API gives the run the CSV gives; a sheet that cannot be read stops the run with what to do; and the
// read commands never load google-auth-library.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSheets, serviceAccountKey, sheetRowsFromCsv, startFakeSheets } from '../fakes/google-sheets.js';
import {
  BIN,
  ensureBuilt,
  FIXTURES,
  pacing,
  type RunDoc,
  runNode,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';

const SHEET_ID = '1FakePlanSheetForPacingE2E_0123456789abcd';
const UNSHARED_ID = '1FakeSheetNobodySharedWithUs_0123456789ab';

let fake: FakeSheets;
let csvWs: Workspace;
let sheetWs: Workspace;
let key: { email: string; privateKey: string; file: string };
let sheetEnv: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  const rows = sheetRowsFromCsv(readFileSync(join(FIXTURES, 'tracker.csv'), 'utf8'));
  const reader = 'plan-reader@pacing-e2e.iam.gserviceaccount.com';
  fake = await startFakeSheets({
    spreadsheets: [
      { id: SHEET_ID, sheets: [{ title: 'Media plan', rows }], sharedWith: [reader] },
      { id: UNSHARED_ID, sheets: [{ title: 'Plan', rows }], sharedWith: ['someone@example.com'] },
    ],
  });
  csvWs = workspace({ GOOGLE_APPLICATION_CREDENTIALS: '' });
  sheetWs = workspace();
  key = serviceAccountKey(fake, join(sheetWs.dir, 'service-account.json'), reader);
  // The sheet is the plan: the data folder keeps only the platforms' fixtures.
  rmSync(join(sheetWs.dataDir, 'tracker.csv'));
  sheetEnv = {
    TRACKER_SHEET: `https://docs.google.com/spreadsheets/d/${SHEET_ID}/edit#gid=0`,
    SHEETS_API_URL: fake.url,
    GOOGLE_APPLICATION_CREDENTIALS: key.file,
  };
});

afterAll(async () => {
  await fake.close();
  csvWs.cleanup();
  sheetWs.cleanup();
});

/**
 * A run's document without what differs between two runs of the same data: the ids made for the run and its
 * escalations (numbered in order of appearance instead, so the structure is still compared), its duration, and
 * the workspace's own folder.
 */
function comparable(stdout: string, ws: Workspace): unknown {
  const ids = new Map<string, string>();
  const { runId } = JSON.parse(stdout) as RunDoc;
  const text = stdout
    .replaceAll(runId, 'run')
    .replaceAll(ws.dir, '<workspace>')
    .replace(/"durationMs":\s*\d+/g, '"durationMs":0')
    .replace(/\besc-[0-9a-f]{6,}\b/g, (id) => {
      if (!ids.has(id)) ids.set(id, `id-${ids.size}`);
      return ids.get(id) as string;
    });
  return JSON.parse(text);
}

describe('pacing run with TRACKER_SHEET', () => {
  it('gives the same run --json from the sheet as from tracker.csv with the same rows', async () => {
    const fromCsv = await pacing(csvWs, ['run', '--json']);
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    const fromSheet = await pacing(sheetWs, ['run', '--json'], sheetEnv);
    expect(fromSheet.code, fromSheet.stderr).toBe(0);
    expect(comparable(fromSheet.stdout, sheetWs)).toEqual(comparable(fromCsv.stdout, csvWs));
    const doc = JSON.parse(fromSheet.stdout) as RunDoc;
    expect(doc.errors).toEqual([{ line: 9, message: 'target_spend "TBD" is not a number' }]);
    expect(doc.results.length).toBeGreaterThan(15);
    const values = fake.requests.filter((r) => r.kind === 'values');
    expect(values.map((r) => r.path)).toEqual([
      `/v4/spreadsheets/${SHEET_ID}/values/${encodeURIComponent("'Media plan'")}`,
    ]);
    expect(values[0]?.authorization).toBe(`Bearer ${fake.issuedTokens[0]}`);
  });

  it('stops with exit 1 and says whom to share the sheet with, when it is not shared', async () => {
    const out = await pacing(sheetWs, ['run', '--json'], { ...sheetEnv, TRACKER_SHEET: UNSHARED_ID });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(
      new RegExp(
        `^pacing: Cannot read the tracker from Google Sheets: .*may not read spreadsheet ${UNSHARED_ID} .*share the sheet with ${key.email.replaceAll('.', '\\.')}`,
      ),
    );
    const pem = key.privateKey.split('\n');
    expect(out.stderr).not.toContain(pem[1]);
  });

  it('refuses a bad TRACKER_SHEET before anything runs, naming it', async () => {
    const out = await pacing(sheetWs, ['run'], { ...sheetEnv, TRACKER_SHEET: 'https://example.com/my-plan' });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(
      /TRACKER_SHEET must be a spreadsheet's id \(the part after \/d\/ in its URL\) or its URL/,
    );
  });
});

// Each command runs with a preloaded module that reports, at exit, every google-auth-library file Node loaded
// (a CommonJS package imported from an ES module lands in the require cache).
const HOOK = `import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const loaded = Object.keys(cache).filter((f) => /[\\\\/]node_modules[\\\\/]google-auth-library[\\\\/]/.test(f));
  writeFileSync(process.env.LOADED_REPORT, JSON.stringify(loaded));
});
`;

describe('google-auth-library stays out of the read commands', () => {
  let hook: string;
  let report: string;

  beforeAll(() => {
    hook = join(sheetWs.dir, 'report-loaded.mjs');
    report = join(sheetWs.dir, 'loaded.json');
    writeFileSync(hook, HOOK);
  });

  async function loadedBy(args: string[]): Promise<string[]> {
    writeFileSync(report, 'null');
    const out = await runNode(sheetWs, ['--import', pathToFileURL(hook).href, BIN, ...args], {
      ...sheetEnv,
      LOADED_REPORT: report,
    });
    expect(out.code, out.stderr).toBe(0);
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[] | null;
    if (loaded === null) throw new Error(`the exit hook did not report: ${out.stderr}`);
    return loaded;
  }

  it('is loaded by a run that reads the sheet (the probe sees it)', async () => {
    expect((await loadedBy(['run', '--json'])).length).toBeGreaterThan(0);
  });

  for (const command of ['status', 'pending', 'audit', 'report']) {
    it(`is not loaded by \`pacing ${command} --json\` with TRACKER_SHEET set`, async () => {
      expect(await loadedBy([command, '--json'])).toEqual([]);
    });
  }
});
