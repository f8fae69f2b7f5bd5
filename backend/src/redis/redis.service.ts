import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';

/**
 * Redis connections for the process. Connections retry forever in the background: a Redis outage
 * degrades readiness and pub/sub, it never crashes the API.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly connections: Redis[] = [];
  private lastErrorLog = 0;
  private shared?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A new connection (pub/sub and BullMQ need their own). */
  connect(name: string, options: RedisOptions = {}): Redis {
    const redis = new Redis(this.config.REDIS_URL, {
      connectionName: name,
      lazyConnect: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      ...options,
    });
    redis.on('error', (error: Error) => {
      // One line every 10 s at most while Redis is down.
      if (Date.now() - this.lastErrorLog > 10_000) {
        this.lastErrorLog = Date.now();
        this.logger.warn(`redis (${name}): ${error.message}`);
      }
    });
    this.connections.push(redis);
    return redis;
  }

  /**
   * The shared command connection. Commands wait for a (re)connection for at most a second, then fail:
   * a fresh connection's first command must not fail just because the socket is still opening, and a
   * Redis outage must not make callers hang.
   */
  client(): Redis {
    this.shared ??= this.connect('commands', { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    return this.shared;
  }

  /** Connects at start, so the first request that needs Redis does not pay for the handshake. */
  onModuleInit(): void {
    this.client();
  }

  async ping(timeoutMs = 1000): Promise<boolean> {
    try {
      const reply = await Promise.race([
        this.client().ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return reply === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() waits for a reconnecting client forever; a connection that is not up is just dropped.
    await Promise.all(
      this.connections.map((c) =>
        c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect(),
      ),
    );
  }
}
