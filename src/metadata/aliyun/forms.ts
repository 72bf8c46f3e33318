// Pure: the text forms the metadata service is known to use -> plain values (trimmed scalars, lists, listings).
//
// Evidence (see README "Metadata"): other clients of the service (cloud-init's Aliyun helper, terway, nm-cloud-setup,
// Alibaba's ACK tools) trim surrounding whitespace of every value; `private-ipv4s` appears as `["a","b"]`,
// `["a", "b"]`, pretty-printed across lines, or a bare `a`; `ipv6s` as `[a,b]` (no quotes) or quoted JSON; multi-value
// items inside `meta-data/all` as CRLF-joined strings; listings with or without a trailing newline, LF or CRLF.

/** Space, tab, CR and LF: what every other client strips around a value. */
const EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

export function trimValue(value: string): string {
  return value.replace(EDGE_SPACE, '');
}

/** A value as delivered: text of an endpoint, or (inside `all`) a JSON array of strings. */
export type RawValue = string | string[];

/**
 * A list in any known form -> its trimmed entries, or null when it is not one:
 * - a JSON-style array `[...]` (quoted or unquoted entries, not mixed; any spacing, across lines);
 * - newline- or CRLF-joined entries; comma-separated entries; a bare single entry;
 * - (from `all`) an array of strings, each of which may itself hold one of the forms above only if it is one entry.
 * An empty text or `[]` is an empty list.
 */
export function parseList(value: RawValue): string[] | null {
  if (Array.isArray(value)) {
    const items = value.map(trimValue);
    return items.some((item) => item === '' || /[\s,[\]"]/.test(item)) ? null : items;
  }
  const text = trimValue(value);
  if (text === '') return [];
  if (text.startsWith('[') || text.endsWith(']')) {
    if (!text.startsWith('[') || !text.endsWith(']')) return null;
    const inner = trimValue(text.slice(1, -1));
    if (inner === '') return [];
    const items = inner.split(',').map(trimValue);
    const quoted = items.map((item) => /^"[^"\\]*"$/.test(item));
    if (quoted.some(Boolean) && !quoted.every(Boolean)) return null;
    const bare = quoted.every(Boolean) ? items.map((item) => trimValue(item.slice(1, -1))) : items;
    return bare.some((item) => item === '' || /[\s,[\]"]/.test(item)) ? null : bare;
  }
  const separator = /[\r\n]/.test(text) ? /\r?\n|\r/ : ',';
  const items = text.split(separator).map(trimValue);
  // A blank line between entries is harmless; an empty comma-separated entry is not a form anyone uses.
  const kept = separator === ',' ? items : items.filter((item) => item !== '');
  return kept.some((item) => item === '' || /[\s,[\]"]/.test(item)) ? null : kept;
}

/** A single value: trimmed text; null for a list (an array of several entries). A one-entry array counts as its entry. */
export function parseSingle(value: RawValue): string | null {
  if (!Array.isArray(value)) return trimValue(value);
  return value.length === 1 && typeof value[0] === 'string' ? trimValue(value[0]) : null;
}

/** Listing lines (`aa:bb:..:ff/`, LF or CRLF, trailing newline or not, surrounding spaces) -> entries without the slash. */
export function listingEntries(text: string): string[] {
  return text
    .split(/\r?\n|\r/)
    .map(trimValue)
    .filter((line) => line !== '')
    .map((line) => (line.endsWith('/') ? line.slice(0, -1) : line));
}

/** An `all` value as a raw value: strings and string arrays as given; anything else (number, object, null) is not a value. */
export function rawFromAll(value: unknown): RawValue | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}
