import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from '../auth';
import { InferenceService } from '../inference/inference.service';
import { RedisService } from '../redis/redis.service';
import { BatchQueueService } from '../batch/batch-queue.service';
import { BATCH_QUEUE } from '../batch/batch.constants';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisService,
    private readonly inference: InferenceService,
    private readonly queue: BatchQueueService,
  ) {}

  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: database, Redis, the batch queue (with its depth) and a loaded model; 503 names what is missing',
  })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `error` says which check failed and why' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      async () => {
        const check = this.indicators.check('redis');
        return (await this.redis.ping()) ? check.up() : check.down({ message: 'Redis does not answer PING' });
      },
      async () => {
        const check = this.indicators.check('queue');
        try {
          return check.up({
            queue: `${this.queue.prefix}:${BATCH_QUEUE}`,
            ...(await this.queue.counts(1000)),
          });
        } catch (error) {
          return check.down({ message: `the batch queue does not answer: ${(error as Error).message}` });
        }
      },
      () => {
        const check = this.indicators.check('model');
        const state = this.inference.state();
        if (state.state === 'ready')
          return check.up({ name: state.model.name, version: state.model.version });
        return check.down({ message: 'reason' in state ? state.reason : 'the model is still loading' });
      },
    ]);
  }
}
