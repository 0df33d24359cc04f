// Secrets read from files: `<NAME>_FILE` names a file holding the secret (Docker's and Kubernetes' secrets), so
// that tokens need not sit in the environment, where `docker inspect` and /proc/<pid>/environ show them.
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** The settings that are secrets: never echoed, redacted everywhere, and each readable from a `_FILE`. */
export const SECRET_SETTINGS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'GOOGLE_ADS_CLIENT_SECRET',
  'GOOGLE_ADS_REFRESH_TOKEN',
  'GOOGLE_ADS_DEVELOPER_TOKEN',
  'META_ACCESS_TOKEN',
  'PAGERDUTY_ROUTING_KEY',
  'LLM_API_KEY',
  'PACING_DB_PASSWORD',
] as const;

export type SecretSetting = (typeof SECRET_SETTINGS)[number];

/**
 * `env` with each `<SECRET>_FILE` replaced by `<SECRET>` holding the file's content, trimmed (files end in a
 * newline). An empty file counts as unset, like an empty variable. Both set is refused: which one wins would
 * be a guess. `env` holds no empty values (they count as unset).
 */
export function readSecretFiles(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  for (const name of SECRET_SETTINGS) {
    const variable = `${name}_FILE`;
    const path = env[variable];
    if (path === undefined) continue;
    delete out[variable];
    if (env[name] !== undefined)
      throw new ConfigError(name, `${name} and ${variable} are both set: keep one (the file is the safer place).`);
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(
        variable,
        `${variable} names ${path}, which cannot be read (${code}): the file must exist and be readable by the app's user.`,
      );
    }
    const value = content.trim();
    if (value === '') delete out[name];
    else out[name] = value;
  }
  return out;
}
