import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** Wrong credentials allowed per client address, then per key id, within `WINDOW_SECONDS`. */
export const FAILURES_PER_ADDRESS = 20;
export const FAILURES_PER_KEY = 10;
export const WINDOW_SECONDS = 60;

/**
 * Counts failed authentications per client address and per key id; over the limit, every
 * attempt is refused unverified until the window passes. Tokens carry 256 random bits, so
 * this is not what stops guessing: it keeps a scanner from turning the API into an oracle
 * or a load. Counters live in this process (each API process throttles on its own).
 */
export class FailedAuthThrottle {
  private readonly byAddress = new RateLimiterMemory({ points: FAILURES_PER_ADDRESS, duration: WINDOW_SECONDS });
  private readonly byKey = new RateLimiterMemory({ points: FAILURES_PER_KEY, duration: WINDOW_SECONDS });

  /** Milliseconds until this client may try again, or 0 when it may now. */
  async retryAfterMs(address: string, keyId: string): Promise<number> {
    const [a, k] = await Promise.all([this.byAddress.get(address), this.byKey.get(keyId)]);
    const wait = (res: RateLimiterRes | null, limit: number) =>
      res && res.consumedPoints >= limit ? res.msBeforeNext : 0;
    return Math.max(wait(a, FAILURES_PER_ADDRESS), wait(k, FAILURES_PER_KEY));
  }

  async failed(address: string, keyId: string): Promise<void> {
    // consume rejects once the limit is passed; the count still rises, which is all we need here.
    await Promise.allSettled([this.byAddress.consume(address), this.byKey.consume(keyId)]);
  }
}
