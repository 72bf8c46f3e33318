// Hardened-mode tokens of the fake metadata service: random strings with an expiry.
import { randomBytes } from 'node:crypto';

export class TokenStore {
  private readonly expiries = new Map<string, number>();

  /** A new token valid for `ttlSeconds`. */
  issue(ttlSeconds: number, now = Date.now()): string {
    for (const [token, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(token);
    const token = randomBytes(24).toString('base64url');
    this.expiries.set(token, now + ttlSeconds * 1000);
    return token;
  }

  valid(token: string, now = Date.now()): boolean {
    const expiry = this.expiries.get(token);
    return expiry !== undefined && expiry > now;
  }
}
