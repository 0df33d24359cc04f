// Keeps secrets out of everything we write down: logs, audit details, messages.

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key|client[-_]?secret|cookie/i;
/** Slack tokens, Google access and refresh tokens, Meta tokens, and Slack reply URLs (anyone holding one can post). */
const SECRET_VALUE =
  /\b(xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|ya29\.[A-Za-z0-9._-]+|EAA[A-Za-z0-9]{20,}|1\/\/[A-Za-z0-9._-]{20,})|https:\/\/hooks\.slack\.com\/\S+/g;

/** Replaces values under secret-looking keys, and token-shaped substrings anywhere, with "[redacted]". */
export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

export function redactText(text: string): string {
  return text.replace(SECRET_VALUE, '[redacted]');
}

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
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : walk(v, depth + 1);
    return out;
  }
  return value;
}
