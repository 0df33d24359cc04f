// Readers for the untyped JSON Graph sends: an object guard, and number and string fields read leniently.

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number, or a numeric string (Graph sends both); null for anything else. */
export const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/** A non-empty string, or a number as text (ids come as either); null for anything else. */
export const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

/**
 * An id sent as a JSON number past 2^53: JSON.parse has already rounded it (12345678901234567891 reads as
 * 12345678901234567000), so it names some other campaign. Graph sends ids as strings; a proxy may not.
 */
export const unsafeId = (v: unknown): v is number => typeof v === 'number' && !Number.isSafeInteger(v);
