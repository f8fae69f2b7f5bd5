import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { Repository } from 'typeorm';
import { EvaluationCells, scoreCsv, type ModelManifest } from '@housing/ml';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { InferenceService } from '../../inference/inference.service';
import { MetricsService } from '../../metrics/metrics.service';
import type { ModelVersionEntity } from '../../model-registry/model-version.entity';
import { RegistryService } from '../../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../../storage/artifact-store';
import { PermanentJobError, openInput } from '../../jobs/attempt-errors';
import {
  AttemptRunner,
  type Attempt,
  type AttemptOutcome,
  type AttemptStep,
} from '../../jobs/attempt-runner';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import { BadRowsError, failsAtEnd, failsEarly } from '../shared/bad-rows';
import { batchKeys, type EvaluationJobData } from '../shared/batch.constants';
import { BatchEvaluationEntity, type MonthlyFile } from '../shared/batch-evaluation.entity';
import { EvaluationAccumulator } from '../shared/evaluation-summary';
import { monthReader, regionReader } from '../shared/monthly-grouping';
import { countersOf } from './score-input';

/** More distinct months than this is not a monthly dataset (and would hold too many files open). */
const MAX_MONTHS = 1200;

/** The evaluation id of a scheduler-made job (deterministic, so a retried or stalled job keeps its row). */
export function evaluationIdFor(queueJobId: string): string {
  const h = createHash('sha256').update(`monthly:${queueJobId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type EvaluationJob = Pick<
  Job<EvaluationJobData>,
  'id' | 'data' | 'attemptsMade' | 'opts' | 'updateProgress' | 'extendLock'
> & { stalledCounter?: number };

export type EvaluationOutcome = AttemptOutcome<{ files: number }>;

/**
 * A batch evaluation (the monthly batch): scores a whole dataset with the production model, routes the
 * result lines (the one scored-row format of scoreCsv) into one file per month of the spec's date
 * column (`batch/evaluations/<id>/<YYYY-MM>.csv`) and, where actual prices are present, aggregates
 * MAE, RMSE and % errors by month and by the spec's region column into the evaluation's row. The
 * per-month files are built in a temporary directory of the attempt and published once the whole input
 * was scored, while the attempt still holds the row.
 */
@Injectable()
export class BatchEvaluationProcessor {
  private readonly logger = new Logger('BatchEvaluation');
  private readonly evaluations: JobAttempts<BatchEvaluationEntity>;
  private readonly runner: AttemptRunner;

  constructor(
    @InjectRepository(BatchEvaluationEntity) private readonly rows: Repository<BatchEvaluationEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryService,
    private readonly inference: InferenceService,
    private readonly metrics: MetricsService,
  ) {
    this.evaluations = new JobAttempts(rows);
    this.runner = new AttemptRunner(
      { lockMs: config.BATCH_STALLED_MS, progressIntervalMs: config.BATCH_PROGRESS_INTERVAL_MS },
      this.logger,
    );
  }

  async process(
    job: EvaluationJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    workerId: string,
  ): Promise<EvaluationOutcome> {
    const id = job.data.evaluationId ?? job.data.runId ?? evaluationIdFor(String(job.id));
    if (!(await this.evaluations.find(id))) {
      const now = Date.now();
      await this.rows
        .insert({
          id,
          status: 'queued',
          source: 'schedule',
          apiKeyId: null,
          queueJobId: String(job.id),
          inputUri: job.data.inputUri,
          createdAt: now,
          updatedAt: now,
        })
        .catch(() => undefined); // a concurrent attempt inserted it
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'housing-evaluation-'));
    try {
      return await this.runner.run(this.evaluations, id, job, token, signal, workerId, this.step(dir));
    } finally {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async resolveModel(attempt: Attempt<BatchEvaluationEntity>): Promise<ModelVersionEntity> {
    const row = attempt.row;
    if (row.modelName && row.modelVersion !== null) return this.registry.get(row.modelName, row.modelVersion);
    const production = await this.registry.findProduction();
    if (!production)
      throw new PermanentJobError('no model version is in production to score the batch evaluation with');
    await attempt.update({
      modelVersionId: production.id,
      modelName: production.name,
      modelVersion: production.version,
    });
    return production;
  }

  private step(dir: string): AttemptStep<BatchEvaluationEntity, { files: number }> {
    return {
      label: (row) => `evaluation ${row.id}`,
      run: async (attempt) => {
        const version = await this.resolveModel(attempt);
        const model = await this.inference.loadVersion(version);
        const release = model.hold();
        try {
          return await this.score(
            attempt,
            model.manifest,
            (f, n) => model.predictFeatures(f, n),
            dir,
            version,
          );
        } finally {
          release();
        }
      },
    };
  }

  private async score(
    attempt: Attempt<BatchEvaluationEntity>,
    manifest: ModelManifest,
    predict: (features: Float32Array, rows: number) => Promise<Float64Array>,
    dir: string,
    version: ModelVersionEntity,
  ) {
    const row = attempt.row;
    const dateColumn = manifest.spec.columns.find((c) => c.role === 'date');
    if (!dateColumn || dateColumn.role !== 'date')
      throw new PermanentJobError(
        `the model's dataset spec ${manifest.spec.name} has no date column to group by month`,
      );
    const monthOf = monthReader(dateColumn);
    const regionColumnName = manifest.spec.evaluation.regionColumn ?? null;
    const regionOf = regionReader(manifest.spec);
    const key = this.store.keyOf(row.inputUri);
    if (key === undefined)
      throw new PermanentJobError(
        `${row.inputUri} is not inside the artifact store (${this.config.ARTIFACT_STORE})`,
      );

    const writers = new Map<string, { file: string; stream: WriteStream; rows: number }>();
    const evaluation = new EvaluationAccumulator();
    // The same rows in the platform's one evaluation format: (month, region) cells.
    const cells = new EvaluationCells();
    let header = '';
    const writerFor = (month: string) => {
      let writer = writers.get(month);
      if (!writer) {
        if (writers.size >= MAX_MONTHS)
          throw new PermanentJobError(`more than ${MAX_MONTHS} distinct months in ${dateColumn.name}`);
        const file = path.join(dir, `${month}.csv`);
        writer = { file, stream: createWriteStream(file), rows: 0 };
        writer.stream.write(header + '\n');
        writers.set(month, writer);
      }
      return writer;
    };
    const errorsFile = path.join(dir, 'errors.csv');
    const errors = createWriteStream(errorsFile);
    const { BATCH_MAX_BAD_ROW_RATIO: maxRatio, BATCH_BAD_ROW_MIN_ROWS: minRows } = this.config;
    let progress;
    try {
      const input = await openInput(() => this.store.getStream(key), key);
      progress = await scoreCsv(manifest, { predict }, input, null, errors, {
        chunkRows: this.config.BATCH_CHUNK_ROWS,
        maxLineBytes: this.config.CSV_MAX_LINE_BYTES,
        onResultHeader: (line) => (header = line),
        // Each row's result line, as a predict job writes it, into its month's file.
        onResultLine: (line, record) => {
          const writer = writerFor(monthOf(record));
          writer.stream.write(line + '\n');
          writer.rows++;
        },
        onScored: (record, predicted, actual) => {
          if (Number.isNaN(actual)) return;
          const month = monthOf(record);
          const region = regionOf?.(record);
          evaluation.add(month, region, actual, predicted);
          cells.add(month, region ?? 'all', actual, predicted);
        },
        onChunk: async (p) => {
          await attempt.checkpoint(countersOf(p));
          if (failsEarly(p.rowsRead, p.rowsFailed, maxRatio, minRows))
            throw new BadRowsError(p.rowsRead, p.rowsFailed, maxRatio, true);
          for (const writer of writers.values())
            if (writer.stream.writableNeedDrain) await once(writer.stream, 'drain');
        },
      });
    } finally {
      for (const writer of writers.values()) writer.stream.end();
      errors.end();
      await Promise.allSettled([...[...writers.values()].map((w) => finished(w.stream)), finished(errors)]);
    }
    const counters = countersOf(progress);
    Object.assign(attempt.counters, counters);
    if (failsAtEnd(progress.rowsRead, progress.rowsFailed, maxRatio))
      throw new BadRowsError(progress.rowsRead, progress.rowsFailed, maxRatio, false);

    // Still ours? Then publish: each file appears whole (putStream is atomic); a rerun rewrites the same files.
    await attempt.assertHolds();
    const files: MonthlyFile[] = [];
    for (const [month, writer] of [...writers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const fileKey = batchKeys.evaluationFile(row.id, month);
      await this.store.putStream(fileKey, createReadStream(writer.file));
      files.push({ month, key: fileKey, rows: writer.rows });
    }
    const errorsKey = batchKeys.evaluationErrors(row.id);
    await this.store.putStream(errorsKey, createReadStream(errorsFile));
    this.metrics.predictions.inc(
      { model: version.name, version: String(version.version), channel: 'batch' },
      progress.rowsScored,
    );
    this.logger.log(
      `evaluation ${row.id}: ${progress.rowsScored} rows scored into ${files.length} monthly files`,
    );
    return {
      fields: {
        ...counters,
        files,
        errorsKey,
        summary: evaluation.rows > 0 ? evaluation.summary(dateColumn.name, regionColumnName) : null,
        cells: cells.size > 0 ? cells.list() : null,
      } as never,
      result: { files: files.length },
    };
  }
}
