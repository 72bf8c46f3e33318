// Hardened-mode tokens of the fake metadata service: random (or, for unit tests, numbered) strings with an expiry.
import { randomBytes } from 'node:crypto';

export class TokenStore {
  private readonly expiries = new Map<string, number>();
  private issued = 0;

  /** `numbered`: tokens `tok-1-AbC`, `tok-2-AbC`... (predictable, for unit tests). */
  constructor(private readonly numbered = false) {}

  /** A new token valid for `ttlSeconds`. */
  issue(ttlSeconds: number, now = Date.now()): string {
    for (const [token, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(token);
    const token = this.numbered ? `tok-${++this.issued}-AbC` : randomBytes(24).toString('base64url');
    this.expiries.set(token, now + ttlSeconds * 1000);
    return token;
  }

  valid(token: string, now = Date.now()): boolean {
    const expiry = this.expiries.get(token);
    return expiry !== undefined && expiry > now;
  }

  /** Every token issued so far becomes invalid (as if expired). */
  clear(): void {
    this.expiries.clear();
  }
}
