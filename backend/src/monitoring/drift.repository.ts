import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.service';

/** One time bucket of one model version's counts, as stored (flat fields: see @housing/ml countsToFields). */
export interface DriftBucket {
  start: number;
  fields: Record<string, string>;
}

/**
 * Drift counts in Redis: one hash per model version and time bucket, incremented by every process that
 * scores (HINCRBY adds up across API processes and batch workers), expiring after the retention period.
 */
@Injectable()
export class DriftRepository {
  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get bucketMs(): number {
    return this.config.DRIFT_BUCKET_SECONDS * 1000;
  }

  bucketOf(time: number): number {
    return Math.floor(time / this.bucketMs) * this.bucketMs;
  }

  private key(versionId: string, start: number): string {
    return `${this.config.QUEUE_PREFIX}:drift:${versionId}:${start}`;
  }

  /** Adds counts into a bucket. */
  async add(versionId: string, start: number, fields: Record<string, number>): Promise<void> {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const key = this.key(versionId, start);
    const multi = this.redis.client().multi();
    for (const [field, n] of entries) multi.hincrby(key, field, n);
    multi.pexpire(key, this.config.DRIFT_RETENTION_DAYS * 86_400_000 + this.bucketMs);
    const replies = await multi.exec();
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0]!;
  }

  /** The buckets of a version from `from` to `to` (bucket starts), oldest first; empty buckets left out. */
  async range(versionId: string, from: number, to: number): Promise<DriftBucket[]> {
    const starts: number[] = [];
    for (let start = this.bucketOf(from); start <= to; start += this.bucketMs) starts.push(start);
    const pipeline = this.redis.client().pipeline();
    for (const start of starts) pipeline.hgetall(this.key(versionId, start));
    const replies = (await pipeline.exec()) ?? [];
    return starts
      .map((start, i) => ({ start, fields: (replies[i]?.[1] ?? {}) as Record<string, string> }))
      .filter((b) => Object.keys(b.fields).length > 0);
  }
}
