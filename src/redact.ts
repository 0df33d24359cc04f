// Keeps secrets out of everything we write down: logs, audit details, run records, messages, CLI errors.
//
// Two nets: the configured secret values themselves (registered once at start-up, matched raw and in the forms a
// platform or proxy echoes them back in: URL- and form-encoded, base64, JSON-escaped), and shapes that are secret
// whatever their value (token prefixes, credentials in a URL, secret-named headers and form fields).

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key|client[-_]?secret|cookie|routing[-_]?key/i;

/** Values shorter than this are not registered: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;
const REDACTED = '[redacted]';

/**
 * Slack tokens, Google access and refresh tokens (the refresh token also URL-encoded or JSON-escaped), Meta
 * tokens, Slack reply URLs (anyone holding one can post) and PEM private keys.
 */
const TOKEN_SHAPES =
  String.raw`\b(?:xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|ya29\.[A-Za-z0-9._-]+|EAA[A-Za-z0-9]{20,}|1(?:\/\/|%2[Ff]%2[Ff]|\\\/\\\/)[A-Za-z0-9._~-]{20,})` +
  String.raw`|https:\/\/hooks\.slack\.com\/\S+` +
  // A PEM private key (a service account's key file echoed whole), also JSON-escaped.
  String.raw`|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`;
/**
 * The value of a secret-named header or form field echoed back as text (`developer-token: …`,
 * `Authorization: Basic …`, `refresh_token=…`, `"client_secret": "…"`), whatever its value looks like: the
 * name is kept (group 1).
 */
const SECRET_FIELD =
  String.raw`\b((?:(?:[Pp]roxy-)?[Aa]uthorization|[Dd]eveloper[-_][Tt]oken|access_token|refresh_token|client_secret|routing_key)` +
  String.raw`(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?(?:(?:Basic|Bearer|OAuth|basic|bearer) +)?)[^\s"'&<>,;]+`;
/**
 * The userinfo of any URL (`https://user:pass@host`), plain, JSON-escaped (`https:\/\/`) or URL-encoded: the
 * `://` before it is kept (group 2, 3). Matched from the `://` on, not from the scheme: it is much faster.
 */
const URL_USERINFO =
  String.raw`(:(?:\/\/|\\\/\\\/))[^\s\/?#@"'<>\\]+(?=@)` +
  String.raw`|(%3[Aa]%2[Ff]%2[Ff])(?:(?!%2[Ff]|%3[Ff]|%23|%40)[^\s\/?#@&"'<>\\])+(?=%40)`;
const SHAPES = `${TOKEN_SHAPES}|${SECRET_FIELD}|${URL_USERINFO}`;

const registered = new Set<string>();
/** One expression for the registered values (longest first) and the shapes, rebuilt when a secret is added. */
let pattern = new RegExp(SHAPES, 'g');

const keepName = (_match: string, field?: string, scheme?: string, encodedScheme?: string): string =>
  (field ?? scheme ?? encodedScheme ?? '') + REDACTED;

/**
 * Remembers the configured secret values so that redactText replaces them wherever they appear, in their raw,
 * URL-encoded, form-encoded, base64, base64url and JSON-escaped forms. Empty and short values (under 6
 * characters) are ignored. Registration adds: a secret once registered stays redacted for the process's life.
 */
export function registerSecrets(values: readonly (string | null | undefined)[]): void {
  let added = false;
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || registered.has(value)) continue;
    registered.add(value);
    added = true;
  }
  if (added) pattern = compile();
}

/** Forgets the registered secrets (for tests). */
export function clearSecrets(): void {
  registered.clear();
  pattern = compile();
}

/**
 * The credentials inside a URL's userinfo, to register: `user:password` and the password alone, as written and
 * decoded (or the user alone when there is no password). None for a URL without userinfo or an unparsable one.
 */
export function urlCredentials(url: string | null | undefined): string[] {
  if (!url) return [];
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(url)?.[1];
  if (userinfo === undefined) return [];
  const out: string[] = [];
  const add = (info: string) => {
    const colon = info.indexOf(':');
    const [user, password] = colon < 0 ? [info, ''] : [info.slice(0, colon), info.slice(colon + 1)];
    if (password) out.push(`${user}:${password}`, password);
    else if (user) out.push(user);
  };
  add(userinfo);
  try {
    const parsed = new URL(url);
    add(`${parsed.username}:${parsed.password}`);
    add(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`);
  } catch {
    // Not a URL the platform clients could call either: the raw userinfo is enough.
  }
  return [...new Set(out)];
}

/** Replaces values under secret-looking keys, and registered secrets and secret shapes anywhere, with "[redacted]". */
export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

/**
 * Redacts, then cuts to at most `max` characters (the last one an ellipsis when cut). Cutting first could split
 * a secret so that no pattern recognises the half that is left.
 */
export function redactAndClip(text: string, max: number): string {
  const clean = redactText(text);
  return clean.length <= max ? clean : `${clean.slice(0, Math.max(0, max - 1))}…`;
}

export function redactText(text: string): string {
  // Nothing shorter can hold a registered secret or a shape; a text without a match comes back as it is.
  if (text.length < MIN_SECRET_LENGTH) return text;
  return text.replace(pattern, keepName);
}

function compile(): RegExp {
  const alternatives = new Set<string>();
  for (const value of registered) for (const p of echoPatterns(value)) alternatives.add(p);
  const values = [...alternatives].sort((a, b) => b.length - a.length);
  // Registered values first: where one starts at the same place as a shape, the whole value goes.
  return new RegExp(values.length === 0 ? SHAPES : `${values.join('|')}|${SHAPES}`, 'g');
}

/** Patterns for the forms a platform or proxy may echo a value back in. */
function echoPatterns(value: string): string[] {
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams([['', value]]).toString().slice(1); // application/x-www-form-urlencoded
  const json = JSON.stringify(value).slice(1, -1);
  return [
    ...[
      value,
      uri,
      uri.replaceAll('%20', '+'),
      form,
      // Encoded twice: a URL-encoded value put in a query string or form again (a redirect, a proxy's log line).
      encodeURIComponent(uri),
      encodeURIComponent(form),
      json,
      json.replaceAll('/', '\\/'),
    ].map(escapeForm),
    ...base64Patterns(Buffer.from(value, 'utf8')),
  ];
}

const BASE64_CHAR = { base64: '[A-Za-z0-9+/]', base64url: '[A-Za-z0-9_-]' } as const;

/**
 * The value's bytes inside base64 text (standard and URL-safe), wherever they sit in the encoded blob: a header
 * echoed inside a base64 body puts the value at byte offset 0, 1 or 2 of a 3-byte group, and each offset encodes
 * it differently. For each, the characters that depend on the value's bytes alone; the partial ones at either
 * end also carry bits of the neighbouring bytes, so they are left out (a trailing one is taken when present,
 * with any padding, so a value encoded on its own goes whole).
 */
function base64Patterns(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = encoded.slice(start, end);
    if (core.length < MIN_SECRET_LENGTH) continue;
    const partialEnd = (offset + bytes.length) % 3 !== 0;
    // Most cores read the same in both alphabets: one pattern then serves both (fewer alternatives to try).
    if (!/[+/]/.test(core)) {
      out.push(`${escapeForm(core)}${partialEnd ? '[A-Za-z0-9+/_-]?' : ''}={0,2}`);
      continue;
    }
    for (const alphabet of ['base64', 'base64url'] as const) {
      const text = alphabet === 'base64' ? core : core.replaceAll('+', '-').replaceAll('/', '_');
      const tail = partialEnd ? `${BASE64_CHAR[alphabet]}?` : '';
      out.push(`${escapeForm(text)}${tail}${alphabet === 'base64' ? '={0,2}' : ''}`);
    }
  }
  return out;
}

/**
 * The form escaped for a RegExp; its percent-escapes match in either case (`%2F` and `%2f`), also when encoded
 * twice (`%252F` and `%252f`).
 */
function escapeForm(form: string): string {
  return form
    .replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
    .replace(
      /%(25)?([0-9A-F])([0-9A-F])/g,
      (_m, twice: string | undefined, a: string, b: string) => `%${twice ?? ''}${hexDigit(a)}${hexDigit(b)}`,
    );
}

const hexDigit = (d: string) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d);

function walk(value: unknown, depth: number): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return redactText(value);
  // An Error's message and stack are not enumerable: keep them (redacted), or logs lose the reason.
  if (value instanceof Error) {
    const { code } = value as { code?: unknown };
    return {
      type: value.name,
      message: redactText(value.message),
      stack: redactText(value.stack ?? ''),
      ...(code === undefined ? {} : { code }),
    };
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : walk(v, depth + 1);
    return out;
  }
  return value;
}
