import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import pino from 'pino';
import { PinoNestLogger, pinoOptions } from './common/logger';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { MetricsService } from './metrics/metrics.service';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import { WorkerModule } from './worker.module';

/** Starts a batch worker process (no HTTP): `node dist/worker.js`. Stops on SIGTERM/SIGINT, returning running jobs to the queue. */
const workerLogger = (level: string) => pino({ ...pinoOptions(level), base: { service: 'housing-worker' } });

export async function startWorker(config: AppConfig = loadConfig()): Promise<INestApplicationContext> {
  const logger = workerLogger(config.LOG_LEVEL);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  return app;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await startWorker(config);
  const logger = workerLogger(config.LOG_LEVEL);
  // Metrics are an aid, not a duty: a worker whose port is taken still runs jobs (and says so).
  let metricsServer: MetricsServer | undefined;
  try {
    metricsServer = await startMetricsServer(
      app.get(MetricsService).registry,
      config.WORKER_METRICS_HOST,
      config.WORKER_METRICS_PORT,
    );
  } catch (error) {
    logger.warn(
      { err: error, port: config.WORKER_METRICS_PORT },
      'worker metrics endpoint not started (set WORKER_METRICS_PORT to a free port)',
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    void Promise.resolve(metricsServer?.close())
      .then(() => app.close())
      .catch((error: unknown) => logger.error({ err: error }, 'worker shutdown failed'))
      .finally(() => {
        // Peak memory of the whole run, for capacity planning and the batch benchmark.
        const usage = process.resourceUsage();
        logger.info(
          {
            event: 'worker-exit',
            maxRssKb: usage.maxRSS,
            userCpuMs: Math.round(usage.userCPUTime / 1000),
            systemCpuMs: Math.round(usage.systemCPUTime / 1000),
          },
          'worker stopped',
        );
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ event: 'worker-ready', pid: process.pid, metricsPort: metricsServer?.port }, 'worker ready');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  });
}
