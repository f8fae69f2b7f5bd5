import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MetricsService } from '../../metrics/metrics.service';
import { RedisService } from '../../redis/redis.service';
import type { AttemptCounters } from '../../jobs/job-lifecycle';

/** The rows an attempt has processed so far (cumulative within the attempt). */
export type AttemptRows = Pick<AttemptCounters, 'rowsDone' | 'rowsFailed'>;

/**
 * Raises each field of the job's high-water mark to the attempt's count and returns by how much it rose.
 * KEYS[1] the job's hash; ARGV scored, rejected, ttl (ms).
 */
const RAISE_HIGH_WATER = `
local rose = {}
for i, field in ipairs({'scored', 'rejected'}) do
  local now = tonumber(ARGV[i])
  local before = tonumber(redis.call('HGET', KEYS[1], field) or '0')
  if now > before then
    redis.call('HSET', KEYS[1], field, now)
    rose[i] = now - before
  else
    rose[i] = 0
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return rose
`;

/** How long a job's high-water mark is kept: longer than any job retries. */
const HIGH_WATER_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * `batch_rows_total{result}` as rows are processed, chunk by chunk, in completed and failed attempts
 * alike (so rows/s is live and the rejected rows of a job failed for bad rows are counted).
 *
 * No double counting when an attempt is retried: a retry restarts the job's input from the first row,
 * and the same input through the same model scores and rejects the same rows in the same order. So the
 * job keeps a high-water mark per result in Redis, and an attempt adds only the rows beyond it: a retry
 * counts nothing until it passes where the previous attempt stopped, whichever worker ran that one.
 */
@Injectable()
export class BatchRowsMeter {
  private readonly logger = new Logger('BatchRows');
  private lastErrorLog = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  private key(jobId: string): string {
    return `${this.config.QUEUE_PREFIX}:batch-rows-counted:${jobId}`;
  }

  /** Counts the rows of `attempt` beyond what earlier attempts of the job (or shard) counted. Never throws. */
  async record(jobId: string, attempt: AttemptRows): Promise<void> {
    try {
      const [scored, rejected] = (await this.redis
        .client()
        .eval(
          RAISE_HIGH_WATER,
          1,
          this.key(jobId),
          attempt.rowsDone,
          attempt.rowsFailed,
          HIGH_WATER_TTL_MS,
        )) as [number, number];
      if (scored > 0) this.metrics.batchRows.inc({ result: 'scored' }, scored);
      if (rejected > 0) this.metrics.batchRows.inc({ result: 'rejected' }, rejected);
    } catch (error) {
      // A metric must never fail a job; the next chunk's call catches up (the mark is cumulative).
      if (Date.now() - this.lastErrorLog > 10_000) {
        this.lastErrorLog = Date.now();
        this.logger.warn(`job ${jobId}: could not count its rows: ${(error as Error).message}`);
      }
    }
  }
}
