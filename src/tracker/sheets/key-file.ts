// The service-account key file GOOGLE_APPLICATION_CREDENTIALS names (JSON, as the Cloud console downloads it):
// checked before use, its private key registered as a secret at once, and never echoed in a message.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { registerSecrets } from '../../redact.js';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const KeyFileSchema = z.object({
  type: z.literal('service_account', {
    error: (i) => `its "type" is ${JSON.stringify(i.input)}, not "service_account"`,
  }),
  client_email: z
    .string({ error: 'it has no "client_email"' })
    .includes('@', { error: '"client_email" is not an e-mail address' }),
  private_key: z
    .string({ error: 'it has no "private_key"' })
    .includes('PRIVATE KEY-----', { error: '"private_key" is not a PEM private key' }),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
  token_uri: z.url({ error: '"token_uri" is not a URL' }).optional(),
});

export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId: string | null;
  projectId: string | null;
  /** Where the signed JWT is exchanged for an access token (Google's endpoint unless the file says otherwise). */
  tokenUri: string;
}

const VARIABLE = 'GOOGLE_APPLICATION_CREDENTIALS';

/** Reads and checks the key file; throws ConfigError naming the variable and the file, never the file's content. */
export function readServiceAccountKey(file: string): ServiceAccountKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(
      VARIABLE,
      `${VARIABLE} names ${file}, which cannot be read (${code}): it must be a service-account key file (JSON) the app's user may read.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(
      VARIABLE,
      `${VARIABLE} names ${file}, which is not JSON: download the key again (JSON, not P12).`,
    );
  }
  const secret = (json as { private_key?: unknown } | null)?.private_key;
  // Registered before anything else can go wrong, so no later message can carry it.
  if (typeof secret === 'string') registerSecrets([secret]);
  const parsed = KeyFileSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => i.message).join('; ');
    throw new ConfigError(
      VARIABLE,
      `${VARIABLE} names ${file}, which is not a service-account key (${why}). Create a key for the service account (Google Cloud console, IAM > Service accounts > Keys > Add key > JSON) and point ${VARIABLE} at it.`,
    );
  }
  const k = parsed.data;
  return {
    clientEmail: k.client_email,
    privateKey: k.private_key,
    privateKeyId: k.private_key_id ?? null,
    projectId: k.project_id ?? null,
    tokenUri: k.token_uri ?? GOOGLE_TOKEN_URL,
  };
}
