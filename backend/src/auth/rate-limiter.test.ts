import { TokenBucketLimiter } from './rate-limiter';

describe('TokenBucketLimiter', () => {
  let now: number;
  let limiter: TokenBucketLimiter;

  beforeEach(() => {
    now = 1_000_000;
    limiter = new TokenBucketLimiter(() => now);
  });

  it('allows a burst of the full per-minute limit, then refuses', () => {
    const decisions = Array.from({ length: 5 }, () => limiter.take('k', 3));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(decisions[3]).toMatchObject({ limit: 3, retryAfterSeconds: 20 });
  });

  it('refills continuously at limit / 60 per second', () => {
    for (let i = 0; i < 6; i++) limiter.take('k', 6); // 6 per minute: one token every 10 s
    expect(limiter.take('k', 6).allowed).toBe(false);
    now += 5_000;
    const halfway = limiter.take('k', 6);
    expect(halfway).toMatchObject({ allowed: false, retryAfterSeconds: 5 });
    now += 5_000;
    expect(limiter.take('k', 6).allowed).toBe(true);
    expect(limiter.take('k', 6).allowed).toBe(false);
    now += 60_000 * 10; // refill never exceeds the capacity
    expect(Array.from({ length: 7 }, () => limiter.take('k', 6).allowed).filter(Boolean)).toHaveLength(6);
  });

  it('gives Retry-After as a whole number of seconds, at least 1', () => {
    for (let i = 0; i < 6000; i++) limiter.take('fast', 6000); // 100 per second: next token in 10 ms
    const refused = limiter.take('fast', 6000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1);
    for (let i = 0; i < 2; i++) limiter.take('slow', 2); // one token every 30 s
    now += 100;
    expect(limiter.take('slow', 2).retryAfterSeconds).toBe(30); // 29.9 s rounds up
  });

  it('keeps one bucket per key and forgets a key on request', () => {
    limiter.take('a', 1);
    expect(limiter.take('a', 1).allowed).toBe(false);
    expect(limiter.take('b', 1).allowed).toBe(true);
    limiter.forget('a');
    expect(limiter.take('a', 1).allowed).toBe(true);
    expect(limiter.size).toBe(2);
  });

  it('never adds tokens when the clock goes backwards', () => {
    limiter.take('k', 1);
    now -= 120_000;
    expect(limiter.take('k', 1).allowed).toBe(false);
  });
});
