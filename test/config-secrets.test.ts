// Secrets from files (`<NAME>_FILE`), as compose's `secrets:` and Kubernetes mount them: each secret setting can
// be read from one, the value is the file's content without its newline, and a mistake is named, not echoed.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig, readEnv } from '../src/config.js';
import { SECRET_SETTINGS, type SecretSetting } from '../src/config-secrets.js';
import { ConfigError } from '../src/errors.js';
import { clearSecrets, redactText } from '../src/redact.js';

const dir = mkdtempSync(join(tmpdir(), 'pacing-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearSecrets());

/** Writes `content` to a new file in the test folder and returns its path. */
let n = 0;
function secretFile(content: string): string {
  const path = join(dir, `secret-${++n}`);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** Where each secret lands in the config, and a value its setting accepts. */
const WHERE: Record<SecretSetting, { value: string; read: (c: Config) => string | null }> = {
  SLACK_BOT_TOKEN: { value: 'xoxb-1111-2222-fileBotToken', read: (c) => c.slack.botToken },
  SLACK_SIGNING_SECRET: { value: '8f742231b10e8888abcd99yyyzzz85a5', read: (c) => c.slack.signingSecret },
  SLACK_APP_TOKEN: { value: 'xapp-1-A0123-4444-fileAppToken', read: (c) => c.slack.appToken },
  GOOGLE_ADS_CLIENT_SECRET: { value: 'GOCSPX-fileClientSecret', read: (c) => c.platforms.google.clientSecret },
  GOOGLE_ADS_REFRESH_TOKEN: { value: '1//0fileRefreshToken', read: (c) => c.platforms.google.refreshToken },
  GOOGLE_ADS_DEVELOPER_TOKEN: { value: 'fileDeveloperToken22', read: (c) => c.platforms.google.developerToken },
  META_ACCESS_TOKEN: { value: 'EAAGfileMetaAccessToken', read: (c) => c.platforms.meta.accessToken },
  PAGERDUTY_ROUTING_KEY: { value: 'R0123456789abcdef0123456789abcde', read: (c) => c.paging.routingKey },
  LLM_API_KEY: { value: 'sk-fileLlmApiKey0123456789', read: (c) => c.llm.apiKey },
  PACING_DB_PASSWORD: { value: 'pg-file-password-42', read: (c) => c.dbPassword },
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the settings');
}

describe('<SECRET>_FILE', () => {
  it.each(SECRET_SETTINGS.map((name) => [name]))('reads %s from the file its _FILE names, newline dropped', (name) => {
    const { value, read } = WHERE[name];
    const config = loadConfig({ [`${name}_FILE`]: secretFile(`${value}\n`) });
    expect(read(config)).toBe(value);
    // A secret from a file is a secret like any other: redacted wherever it would be written.
    expect(redactText(`echoed ${value} back`)).not.toContain(value);
  });

  it('takes the value from the environment as before when no _FILE is set', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-env-token' }).slack.botToken).toBe('xoxb-env-token');
  });

  it('counts an empty file (or one holding only a newline) as unset', () => {
    expect(loadConfig({ SLACK_APP_TOKEN_FILE: secretFile('\n') }).slack.appToken).toBeNull();
  });

  it('refuses a secret set both ways, naming both variables', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxb-env', SLACK_BOT_TOKEN_FILE: secretFile('xoxb-file\n') });
    expect(err.variable).toBe('SLACK_BOT_TOKEN');
    expect(err.message).toBe(
      'SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set: keep one (the file is the safer place).',
    );
  });

  it('names the variable and the path of a file that is missing or unreadable', () => {
    const missing = join(dir, 'no-such-file');
    const err = configError({ META_ACCESS_TOKEN_FILE: missing });
    expect(err.variable).toBe('META_ACCESS_TOKEN_FILE');
    expect(err.message).toContain(`META_ACCESS_TOKEN_FILE names ${missing}, which cannot be read (ENOENT)`);
    const folder = configError({ META_ACCESS_TOKEN_FILE: dir });
    expect(folder.message).toContain('(EISDIR)');
    if (process.getuid?.() !== 0) {
      // root reads whatever the mode says; anyone else is refused a 000 file
      const closed = secretFile('EAAGclosed');
      chmodSync(closed, 0o000);
      expect(configError({ META_ACCESS_TOKEN_FILE: closed }).message).toContain('(EACCES)');
    }
  });

  it('validates a secret from a file like one from the environment, without echoing it', () => {
    const err = configError({ SLACK_BOT_TOKEN_FILE: secretFile('xoxp-a-user-token\n') });
    expect(err.variable).toBe('SLACK_BOT_TOKEN');
    expect(err.message).toBe('SLACK_BOT_TOKEN must be a bot token starting with xoxb-.');
    expect(err.message).not.toContain('xoxp-a-user-token');
  });

  it('reads a _FILE named in .env like one in the environment', () => {
    const folder = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(folder, '.env'), `SLACK_SIGNING_SECRET_FILE=${secretFile('from-a-file\n')}\n`);
    expect(loadConfig(readEnv({}, folder)).slack.signingSecret).toBe('from-a-file');
  });

  it('refuses a secret in .env when the environment names its file (compose sets every _FILE)', () => {
    const folder = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(folder, '.env'), 'SLACK_BOT_TOKEN=xoxb-in-dotenv\n');
    const env = readEnv({ SLACK_BOT_TOKEN_FILE: secretFile('xoxb-in-file\n') }, folder);
    expect(configError(env as Record<string, string>).variable).toBe('SLACK_BOT_TOKEN');
  });
});

describe('.env', () => {
  it('is named when it cannot be read (a folder Docker made for a missing bind source)', () => {
    const folder = mkdtempSync(join(dir, 'cwd-'));
    mkdirSync(join(folder, '.env'));
    expect(() => readEnv({}, folder)).toThrow(
      new ConfigError(
        '.env',
        `${join(folder, '.env')} cannot be read (EISDIR): it must be a file the app's user may read.`,
      ),
    );
  });
});

describe('PACING_DB on PostgreSQL', () => {
  it("keeps the URL as written and redacts its password everywhere, not its user's name", () => {
    const url = 'postgresql://pacing:n0t-in-logs%2Fpw@db.internal:5432/pacing?sslmode=require';
    const config = loadConfig({ PACING_DB: url });
    expect(config.dbPath).toBe(url);
    const said = redactText(`could not log in with n0t-in-logs/pw (or n0t-in-logs%2Fpw) as pacing to ${url}`);
    expect(said).not.toContain('n0t-in-logs');
    expect(said).toContain('as pacing to postgresql://[redacted]@db.internal:5432/pacing');
    // A URL without a password has no secret in it: the user's name ("postgres") stays readable in messages.
    clearSecrets();
    loadConfig({ PACING_DB: 'postgres://postgres@127.0.0.1/pacing' });
    expect(redactText('the postgres role')).toBe('the postgres role');
  });

  it('still resolves a SQLite path', () => {
    expect(loadConfig({ PACING_DB: 'data/pacing.db' }).dbPath).toBe(join(process.cwd(), 'data/pacing.db'));
  });
});
