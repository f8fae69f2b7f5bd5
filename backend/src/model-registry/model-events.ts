import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { RedisService } from '../redis/redis.service';

export const MODEL_EVENTS_CHANNEL = 'housing:model-events';

/** How long start-up waits for Redis to confirm the subscription. */
const SUBSCRIBE_WAIT_MS = 3000;

export interface ModelStageEvent {
  type: 'stage-changed';
  modelVersionId: string;
  stage: string;
  at: number;
}

/**
 * Stage changes, announced in-process and over Redis pub/sub so that every API process reloads
 * within a moment; each process also reconciles periodically in case a message was missed.
 */
@Injectable()
export class ModelEvents implements OnModuleDestroy {
  private readonly logger = new Logger(ModelEvents.name);
  private readonly local = new EventEmitter();
  private subscriber?: Redis;
  private subscribed?: Promise<boolean>;

  constructor(private readonly redis: RedisService) {}

  async publish(event: ModelStageEvent): Promise<void> {
    this.local.emit('event', event);
    try {
      await this.redis.client().publish(MODEL_EVENTS_CHANNEL, JSON.stringify(event));
    } catch (error) {
      this.logger.warn(
        `could not publish model event (other processes will reconcile): ${(error as Error).message}`,
      );
    }
  }

  /**
   * Calls `listener` for events from this process and from every other process. Resolves once Redis has
   * confirmed the subscription (a message published before that would never arrive), or after
   * SUBSCRIBE_WAIT_MS when Redis does not answer: periodic reconciliation covers a missed message.
   */
  async subscribe(listener: (event: ModelStageEvent) => void): Promise<void> {
    this.local.on('event', listener);
    this.local.on('remote', listener);
    if (!this.subscribed) {
      this.subscriber = this.redis.connect('model-events');
      this.subscriber.on('message', (_channel: string, message: string) => {
        try {
          this.local.emit('remote', JSON.parse(message) as ModelStageEvent);
        } catch {
          this.logger.warn('ignored a malformed model event');
        }
      });
      this.subscribed = this.subscriber.subscribe(MODEL_EVENTS_CHANNEL).then(
        () => true,
        (error: Error) => {
          this.logger.warn(
            `could not subscribe to model events (reconciliation covers it): ${error.message}`,
          );
          return false;
        },
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([this.subscribed, timeout]).finally(() => clearTimeout(timer));
  }

  onModuleDestroy(): void {
    this.local.removeAllListeners();
  }
}
