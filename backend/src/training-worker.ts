import * as os from 'node:os';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import pino from 'pino';
import { PinoNestLogger, pinoOptions } from './common/logger';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { MetricsService } from './metrics/metrics.service';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import { TrainingWorkerModule } from './training-worker.module';

/**
 * Starts a training-worker process (no HTTP): `node dist/training-worker.js`. It consumes the `training`
 * queue and runs `ml train` in child processes at a lower CPU priority. On SIGTERM/SIGINT the trainers
 * are stopped and their runs go back to the queue.
 */
const trainingLogger = (level: string) => pino({ ...pinoOptions(level), base: { service: 'housing-training-worker' } });

export async function startTrainingWorker(config: AppConfig = loadConfig()): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(TrainingWorkerModule.forRoot(config), {
    logger: new PinoNestLogger(trainingLogger(config.LOG_LEVEL)),
    bufferLogs: false,
  });
}

/**
 * The whole training-worker process at TRAINING_NICE, not only its trainer children: what it does
 * itself (packing the package, the registry's verification and parity check) also yields the CPU to
 * the API and batch scoring on the same machine.
 */
function lowerOwnPriority(nice: number, logger: pino.Logger): void {
  try {
    if (nice > os.getPriority()) os.setPriority(nice);
  } catch (error) {
    logger.warn({ err: error, nice }, 'could not lower the training worker’s CPU priority');
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = trainingLogger(config.LOG_LEVEL);
  lowerOwnPriority(config.TRAINING_NICE, logger);
  const app = await startTrainingWorker(config);
  let metricsServer: MetricsServer | undefined;
  try {
    metricsServer = await startMetricsServer(
      app.get(MetricsService).registry,
      config.WORKER_METRICS_HOST,
      config.TRAINING_WORKER_METRICS_PORT,
    );
  } catch (error) {
    logger.warn(
      { err: error, port: config.TRAINING_WORKER_METRICS_PORT },
      'training worker metrics endpoint not started (set TRAINING_WORKER_METRICS_PORT to a free port)',
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'training worker stopping');
    void Promise.resolve(metricsServer?.close())
      .then(() => app.close())
      .catch((error: unknown) => logger.error({ err: error }, 'training worker shutdown failed'))
      .finally(() => {
        logger.info({ event: 'training-worker-exit' }, 'training worker stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ event: 'training-worker-ready', pid: process.pid, metricsPort: metricsServer?.port }, 'training worker ready');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  });
}
