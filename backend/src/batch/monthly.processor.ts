import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import { Repository } from 'typeorm';
import {
  cents,
  spreadsheetSafeField as csvField,
  spreadsheetSafeLine as csvLine,
  EvaluationCells,
  formatWarnings,
  scoreCsv,
  type ModelManifest,
  type ScoreProgress,
} from '@housing/ml';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { InferenceService } from '../inference/inference.service';
import { MetricsService } from '../metrics/metrics.service';
import type { ModelVersionEntity } from '../model-registry/model-version.entity';
import { RegistryService } from '../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../storage/artifact-store';
import {
  AttemptAborted,
  BadRowsError,
  PermanentJobError,
  abortReasonOf,
  classify,
  openInput,
  reasonOf,
} from './attempt';
import { FINISHED_STATUSES, UNFINISHED_STATUSES, batchKeys, type MonthlyJobData } from './batch.constants';
import { BatchEvaluationEntity, type MonthlyFile } from './batch-evaluation.entity';
import { EvaluationAccumulator } from './evaluation-summary';
import { failsAtEnd, failsEarly } from './bad-rows';
import { monthReader, regionReader } from './monthly-grouping';

/** More distinct months than this is not a monthly dataset (and would hold too many files open). */
const MAX_MONTHS = 1200;

/** A run id for a scheduler-made job (deterministic, so a retried or stalled job keeps its row). */
export function runIdFor(jobId: string): string {
  const h = createHash('sha256').update(`monthly:${jobId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type MonthlyAttemptJob = Pick<
  Job<MonthlyJobData>,
  'id' | 'data' | 'attemptsMade' | 'opts' | 'updateProgress' | 'extendLock'
>;

/**
 * The seeds' monthly batch: scores a whole dataset with the production model, splits the predictions
 * into one file per month of the spec's date column (`batch/monthly/<run>/<YYYY-MM>.csv`) and, where
 * actual prices are present, aggregates MAE, RMSE and % errors by month and by the spec's region
 * column into the run's row. Streams like the predict jobs; the per-month files are built in a
 * temporary directory of the attempt and uploaded once the whole input was scored.
 */
@Injectable()
export class MonthlyProcessor {
  private readonly logger = new Logger('BatchMonthly');

  constructor(
    @InjectRepository(BatchEvaluationEntity) private readonly runs: Repository<BatchEvaluationEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryService,
    private readonly inference: InferenceService,
    private readonly metrics: MetricsService,
  ) {}

  async process(
    job: MonthlyAttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: string; runId: string }> {
    const runId = job.data.runId ?? runIdFor(String(job.id));
    let row = await this.runs.findOneBy({ id: runId });
    if (!row) {
      const now = Date.now();
      await this.runs
        .insert({
          id: runId,
          status: 'queued',
          source: 'schedule',
          apiKeyId: null,
          queueJobId: String(job.id),
          inputUri: job.data.inputUri,
          createdAt: now,
          updatedAt: now,
        })
        .catch(() => undefined); // a concurrent attempt inserted it
      row = await this.runs.findOneByOrFail({ id: runId });
    }
    if (FINISHED_STATUSES.includes(row.status)) return { outcome: `skipped: already ${row.status}`, runId };
    const attemptId = randomUUID();
    const now = Date.now();
    const claimed = await this.runs
      .createQueryBuilder()
      .update(BatchEvaluationEntity)
      .set({
        status: 'running',
        attemptId,
        attempts: () => '"attempts" + 1',
        startedAt: row.startedAt ?? now,
        updatedAt: now,
      })
      .where('id = :id AND status IN (:...statuses)', { id: runId, statuses: UNFINISHED_STATUSES })
      .execute();
    if (!claimed.affected) return { outcome: 'skipped: finished meanwhile', runId };
    const owned = { id: runId, attemptId, status: 'running' as const };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'housing-monthly-'));
    try {
      await this.run(job, token, signal, row, attemptId, dir);
      return { outcome: 'completed', runId };
    } catch (error) {
      const kind = classify(error);
      if (kind === 'aborted') {
        await this.runs
          .update(owned, { status: 'queued', error: (error as Error).message, updatedAt: Date.now() })
          .catch(() => undefined);
        throw error;
      }
      const attempts = job.opts.attempts ?? 1;
      const reason = reasonOf(error);
      if (kind === 'permanent' || job.attemptsMade + 1 >= attempts) {
        await this.runs.update(owned, {
          status: 'failed',
          error: reason,
          finishedAt: Date.now(),
          updatedAt: Date.now(),
        });
        this.logger.warn(`monthly run ${runId}: failed: ${reason}`);
        throw kind === 'permanent' ? new UnrecoverableError(reason) : error;
      }
      await this.runs.update(owned, {
        status: 'queued',
        error: `attempt ${job.attemptsMade + 1} of ${attempts} failed: ${reason}; retrying`,
        updatedAt: Date.now(),
      });
      throw error;
    } finally {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async resolveModel(row: BatchEvaluationEntity, attemptId: string): Promise<ModelVersionEntity> {
    if (row.modelName && row.modelVersion !== null) return this.registry.get(row.modelName, row.modelVersion);
    const production = await this.registry.findProduction();
    if (!production)
      throw new PermanentJobError('no model version is in production to score the monthly batch with');
    await this.runs.update(
      { id: row.id, attemptId },
      { modelVersionId: production.id, modelName: production.name, modelVersion: production.version },
    );
    return production;
  }

  private async run(
    job: MonthlyAttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    row: BatchEvaluationEntity,
    attemptId: string,
    dir: string,
  ): Promise<void> {
    const version = await this.resolveModel(row, attemptId);
    const model = await this.inference.loadVersion(version);
    const release = model.hold();
    const manifest: ModelManifest = model.manifest;
    const dateColumn = manifest.spec.columns.find((c) => c.role === 'date');
    if (!dateColumn)
      throw new PermanentJobError(
        `the model's dataset spec ${manifest.spec.name} has no date column to group by month`,
      );
    const monthOf = monthReader(dateColumn);
    const regionColumnName = manifest.spec.evaluation.regionColumn ?? null;
    const regionOf = regionReader(manifest.spec);
    const target = manifest.target.column;
    const key = this.store.keyOf(row.inputUri);
    if (key === undefined)
      throw new PermanentJobError(
        `${row.inputUri} is not inside the artifact store (${this.config.ARTIFACT_STORE})`,
      );

    const writers = new Map<string, { file: string; stream: WriteStream; rows: number }>();
    const evaluation = new EvaluationAccumulator();
    // The same rows in the platform's one evaluation format: (month, region) cells.
    const cells = new EvaluationCells();
    let columns: string[] | undefined;
    let header = '';
    let hasTarget = false;
    const writerFor = (month: string) => {
      let writer = writers.get(month);
      if (!writer) {
        if (writers.size >= MAX_MONTHS)
          throw new PermanentJobError(`more than ${MAX_MONTHS} distinct months in ${dateColumn.name}`);
        const file = path.join(dir, `${month}.csv`);
        writer = { file, stream: createWriteStream(file), rows: 0 };
        writer.stream.write(header);
        writers.set(month, writer);
      }
      return writer;
    };
    const errorsFile = path.join(dir, 'errors.csv');
    const errors = createWriteStream(errorsFile);
    const {
      BATCH_MAX_BAD_ROW_RATIO: maxRatio,
      BATCH_BAD_ROW_MIN_ROWS: minRows,
      BATCH_PROGRESS_INTERVAL_MS: interval,
    } = this.config;
    let lastReport = Date.now();
    let progress: ScoreProgress;
    try {
      const input = await openInput(() => this.store.getStream(key), key);
      progress = await scoreCsv(
        manifest,
        { predict: (f, n) => model.predictFeatures(f, n) },
        input,
        null,
        errors,
        {
          chunkRows: this.config.BATCH_CHUNK_ROWS,
          maxLineBytes: this.config.CSV_MAX_LINE_BYTES,
          onScored: (record, predicted, actual, warnings) => {
            if (!columns) {
              columns = Object.keys(record);
              hasTarget = columns.includes(target);
              // The columns of a predict job's result, warnings last.
              header =
                csvLine([...columns, 'predicted_price', ...(hasTarget ? ['actual_price'] : []), 'warnings']) +
                '\n';
            }
            const month = monthOf(record);
            const predictedCents = cents(predicted);
            const line =
              csvLine(columns.map((c) => record[c] as string)) +
              `,${predictedCents}` +
              (hasTarget ? `,${csvField(record[target] as string)}` : '') +
              `,${csvField(formatWarnings(warnings))}`;
            const writer = writerFor(month);
            writer.stream.write(line + '\n');
            writer.rows++;
            if (!Number.isNaN(actual)) {
              const region = regionOf?.(record);
              evaluation.add(month, region, actual, predicted);
              cells.add(month, region ?? 'all', actual, predicted);
            }
          },
          onChunk: async (p) => {
            const aborted = abortReasonOf(signal);
            if (aborted) throw new AttemptAborted(aborted);
            if (failsEarly(p.rowsRead, p.rowsFailed, maxRatio, minRows))
              throw new BadRowsError(p.rowsRead, p.rowsFailed, maxRatio, true);
            for (const writer of writers.values())
              if (writer.stream.writableNeedDrain) await once(writer.stream, 'drain');
            if (Date.now() - lastReport >= interval) {
              lastReport = Date.now();
              const updated = await this.runs.update(
                { id: row.id, attemptId, status: 'running' },
                {
                  rowsRead: p.rowsRead,
                  rowsDone: p.rowsScored,
                  rowsFailed: p.rowsFailed,
                  updatedAt: Date.now(),
                },
              );
              if (!updated.affected) throw new AttemptAborted('lost');
              await job
                .updateProgress({ rowsRead: p.rowsRead, rowsDone: p.rowsScored, rowsFailed: p.rowsFailed })
                .catch(() => undefined);
            }
          },
        },
      );
    } finally {
      release();
      for (const writer of writers.values()) writer.stream.end();
      errors.end();
      await Promise.allSettled([...[...writers.values()].map((w) => finished(w.stream)), finished(errors)]);
    }
    if (failsAtEnd(progress.rowsRead, progress.rowsFailed, maxRatio)) {
      throw new BadRowsError(progress.rowsRead, progress.rowsFailed, maxRatio, false);
    }

    // Still ours? Then publish: each file appears whole (putStream is atomic); a rerun rewrites the same files.
    if (token && Number(await job.extendLock(token, this.config.BATCH_STALLED_MS)) !== 1)
      throw new AttemptAborted('lost');
    const current = await this.runs.findOneBy({ id: row.id });
    if (current?.attemptId !== attemptId || current.status !== 'running') throw new AttemptAborted('lost');
    const files: MonthlyFile[] = [];
    for (const [month, writer] of [...writers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const fileKey = batchKeys.monthly(row.id, month);
      await this.store.putStream(fileKey, createReadStream(writer.file));
      files.push({ month, key: fileKey, rows: writer.rows });
    }
    await this.store.putStream(batchKeys.monthlyErrors(row.id), createReadStream(errorsFile));
    const summary = evaluation.rows > 0 ? evaluation.summary(dateColumn.name, regionColumnName) : null;
    await this.runs.update(
      { id: row.id, attemptId, status: 'running' },
      {
        status: 'completed',
        rowsRead: progress.rowsRead,
        rowsDone: progress.rowsScored,
        rowsFailed: progress.rowsFailed,
        files,
        summary,
        cells: cells.size > 0 ? cells.list() : null,
        error: null,
        finishedAt: Date.now(),
        updatedAt: Date.now(),
      },
    );
    this.metrics.predictions.inc(
      { model: version.name, version: String(version.version), channel: 'batch' },
      progress.rowsScored,
    );
    this.logger.log(
      `monthly run ${row.id}: ${progress.rowsScored} rows scored into ${files.length} monthly files`,
    );
  }
}
