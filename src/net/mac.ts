// The one canonical form of a MAC address: six colon-separated hex pairs, lowercase.

const MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;

/**
 * `aa:bb:cc:dd:ee:ff` in any letter case -> lowercase; null for anything else (dashes, dots, missing
 * pairs, surrounding whitespace: callers trim first where a source is known to pad its values).
 */
export function canonicalMac(text: string): string | null {
  return MAC.test(text) ? text.toLowerCase() : null;
}
