import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { cellMetrics, MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '@housing/ml';
import { EvaluationCellDto } from '../../model-registry/registry.dto';
import { MAX_REFERENCE_LENGTH } from '../../model-registry/model-reference';
import { queryNumber } from '../../common/validation';
import { JOB_STATUSES, type JobStatus } from '../shared/batch.constants';
import type { BatchJobEntity } from '../shared/batch-job.entity';
import type { BatchEvaluationEntity, ErrorMetrics } from '../shared/batch-evaluation.entity';

/** Offsets past this are not pages of any real listing (and would overflow the databases' integer types). */
export const MAX_OFFSET = 1_000_000_000;

/** Control characters (NUL included: Postgres refuses it in text) in a value that reaches the database. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** The input URI rule as a JSON-schema pattern for the OpenAPI document. */
const STORE_URI = '^(s3|file)://[^\\u0000-\\u001f\\u007f]+$';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The registered dataset (POST /v1/datasets) a batch run scored. */

/** A model named by reference on a batch job (resolved at submit; the job keeps the version). */
const MODEL_REFERENCE_DOC = {
  type: String,
  maxLength: MAX_REFERENCE_LENGTH,
  example: 'housets-xgboost@challenger',
  description:
    'The model version to score with, by reference: `name@alias`, `name/version` or a bare name (its champion), ' +
    'resolved when the job is submitted (the job keeps that version). Not together with modelName/modelVersion.',
};

export class BatchDatasetDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  sha256: string;

  static from(row: { datasetId: string | null; datasetSha256: string | null }): BatchDatasetDto | null {
    return row.datasetId !== null && row.datasetSha256 !== null
      ? { id: row.datasetId, sha256: row.datasetSha256 }
      : null;
  }
}

const DATASET_ID_DOC = {
  format: 'uuid',
  description:
    'A registered dataset (GET /v1/datasets) to score instead of inputUri: send exactly one of the two. ' +
    'Unknown: 404. The run records the dataset id and sha256.',
};

const EXPLAIN_DOC = {
  type: 'integer',
  minimum: 0,
  maximum: 20,
  description:
    'List in each result row’s `explanation` column the top this many input columns by exact TreeSHAP contribution, in price terms ("median_list_price +61200.40; zipcode -812.30"); 0: no column. About a millisecond a row. A model trained before explanations answers 422.',
} as const;

export class ModelVersionRefDto {
  @ApiProperty({
    example: 'housets-xgboost',
    minLength: 1,
    maxLength: 200,
    pattern: MODEL_NAME_PATTERN.source,
    description: `The registry's one model name rule: ${MODEL_NAME_RULE}`,
  })
  @IsString()
  @Matches(MODEL_NAME_PATTERN, { message: `name must be a model name: ${MODEL_NAME_RULE}` })
  name: string;

  @ApiProperty({ type: 'integer', example: 3, minimum: 1, maximum: 2147483647 })
  @IsInt()
  @Min(1)
  @Max(2147483647)
  version: number;
}

export class CreateBatchJobDto {
  @ApiProperty({
    example: 's3://housing-artifacts/datasets/2024-06.csv',
    description:
      'A CSV already in the artifact store (s3://… or file://… under ARTIFACT_STORE), outside its batch/ and models/ areas.',
    maxLength: 1000,
    pattern: STORE_URI,
  })
  @ValidateIf((o: CreateBatchJobDto) => o.datasetId === undefined || o.inputUri !== undefined)
  @IsString()
  @MaxLength(1000)
  @Matches(/^(s3|file):\/\/./, { message: 'inputUri must start with s3:// or file://' })
  @Matches(WITHOUT_CONTROL_CHARACTERS, {
    message: 'inputUri must not contain control characters (NUL, line breaks, tabs)',
  })
  inputUri?: string;

  @ApiPropertyOptional(DATASET_ID_DOC)
  @IsOptional()
  @IsUUID()
  datasetId?: string;

  @ApiPropertyOptional({
    type: ModelVersionRefDto,
    description: 'The model version to score with; default: the production version at submit time.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ModelVersionRefDto)
  modelVersion?: ModelVersionRefDto;

  @ApiPropertyOptional(MODEL_REFERENCE_DOC)
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REFERENCE_LENGTH)
  model?: string;

  @ApiPropertyOptional(EXPLAIN_DOC)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  explain?: number;
}

/** The multipart form of POST /v1/batch-jobs (documentation only: the upload is streamed, not bound). */
export class UploadBatchJobDto {
  @ApiPropertyOptional({
    example: 'housets-xgboost',
    description: `Model name (${MODEL_NAME_RULE}); send before the file part. With modelVersion; default: production.`,
    minLength: 1,
    maxLength: 200,
    pattern: MODEL_NAME_PATTERN.source,
  })
  modelName?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 2147483647,
    example: 3,
    description: 'Model version number; send before the file part.',
  })
  modelVersion?: number;

  @ApiPropertyOptional({
    ...MODEL_REFERENCE_DOC,
    description: `${MODEL_REFERENCE_DOC.description} Send before the file part.`,
  })
  model?: string;

  @ApiPropertyOptional({
    ...EXPLAIN_DOC,
    description: `${EXPLAIN_DOC.description} Send before the file part.`,
  })
  explain?: number;

  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'The CSV to score (header line first), at most BATCH_UPLOAD_LIMIT_BYTES.',
  })
  file: unknown;
}

export class ListQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 20 })
  @IsOptional()
  @Transform(queryNumber)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Transform(queryNumber)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}

/** The job list's query: paging plus a status filter. */
export class ListBatchJobsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES as unknown as string[])
  status?: JobStatus;
}

export class BatchModelDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 3 }) version: number;
}

export class BatchInputDto {
  @ApiProperty({ example: 's3://housing-artifacts/batch/6f1c…/input.csv' }) uri: string;
  @ApiProperty({ type: String, nullable: true, example: 'june.csv', description: 'Uploaded file name' })
  name: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 18_400_112 }) bytes: number | null;
}

export class BatchJobLinksDto {
  @ApiProperty({ example: '/v1/batch-jobs/6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11' }) self: string;
  @ApiProperty({ type: String, nullable: true, description: 'The result CSV, once completed' }) result:
    string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The rejected rows (line, reason, row), once written',
  })
  errors: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Accuracy by month and region, when the input had actual prices',
  })
  evaluation?: string | null;
}

export class BatchAccuracyDto {
  @ApiProperty({ example: 118_000, description: 'Scored rows that had an actual price' }) n: number;
  @ApiProperty({ example: 21_400.5 }) mae: number;
  @ApiProperty({ example: 35_120.9 }) rmse: number;
  @ApiProperty({ example: 6.2, description: 'Mean absolute percentage error, in percent' }) mape: number;
}

/** GET /v1/batch-jobs/{id}/evaluation: the job's rows with actual prices in the holdout evaluation's cells. */
export class BatchJobEvaluationDto {
  @ApiProperty({ type: String, nullable: true, example: 'date' }) dateColumn: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'city_full' }) regionColumn: string | null;
  @ApiProperty({ type: [EvaluationCellDto], description: 'Actual vs predicted summed by (month, region)' })
  cells: EvaluationCellDto[];
}

export class BatchJobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({
    example: 0.42,
    description: 'Share of the input read by the current attempt, 0 to 1 (1 when completed)',
  })
  progress: number;
  @ApiProperty({ example: 120000, description: 'Data rows read' }) rowsRead: number;
  @ApiProperty({ example: 119650, description: 'Rows scored (in the result)' }) rowsDone: number;
  @ApiProperty({ example: 350, description: 'Rows rejected (in the errors file)' }) rowsFailed: number;
  @ApiProperty({
    type: BatchModelDto,
    description: 'The model version scoring the job (fixed at submit time)',
  })
  model: BatchModelDto;
  @ApiProperty({ type: BatchInputDto }) input: BatchInputDto;
  @ApiProperty({
    type: BatchDatasetDto,
    nullable: true,
    description: 'The registered dataset scored, when the job named one (datasetId)',
  })
  dataset: BatchDatasetDto | null;
  @ApiProperty({ example: 1, description: 'Attempts started; more than one after a retry or a stall' })
  attempts: number;
  @ApiProperty({ example: 0, description: 'Times a worker died or hung on the job and another took over' })
  stalledCount: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the job failed (or why the last attempt did, while retried)',
  })
  error: string | null;
  @ApiProperty({ type: String, nullable: true }) idempotencyKey: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'From start to finish, milliseconds' })
  durationMs: number | null;
  @ApiPropertyOptional({
    type: BatchAccuracyDto,
    nullable: true,
    description: 'A completed job whose input had the target column: MAE, RMSE and MAPE of its scored rows',
  })
  accuracy?: BatchAccuracyDto | null;
  @ApiProperty({ example: 0, description: 'Contributions listed per result row (0: no explanation column)' })
  explain: number;
  @ApiProperty({ type: BatchJobLinksDto }) links: BatchJobLinksDto;

  static from(row: BatchJobEntity): BatchJobDto {
    const accuracy = row.evaluation ? cellMetrics(row.evaluation.cells) : null;
    const self = `/v1/batch-jobs/${row.id}`;
    const progress =
      row.status === 'completed' ? 1 : row.inputBytes ? Math.min(1, row.bytesRead / row.inputBytes) : 0;
    return {
      id: row.id,
      status: row.status,
      progress: Math.round(progress * 10000) / 10000,
      rowsRead: row.rowsRead,
      rowsDone: row.rowsDone,
      rowsFailed: row.rowsFailed,
      model: { name: row.modelName, version: row.modelVersion },
      input: { uri: row.inputUri, name: row.inputName, bytes: row.inputBytes },
      dataset: BatchDatasetDto.from(row),
      attempts: row.attempts,
      stalledCount: row.stalledCount,
      error: row.error,
      idempotencyKey: row.idempotencyKey,
      createdAt: new Date(row.createdAt).toISOString(),
      startedAt: iso(row.startedAt),
      finishedAt: iso(row.finishedAt),
      durationMs: row.startedAt !== null && row.finishedAt !== null ? row.finishedAt - row.startedAt : null,
      explain: row.explainTop ?? 0,
      accuracy:
        accuracy && accuracy.n > 0
          ? { n: accuracy.n, mae: accuracy.mae!, rmse: accuracy.rmse!, mape: accuracy.mape! }
          : null,
      links: {
        self,
        result: row.status === 'completed' && row.resultKey ? `${self}/result` : null,
        errors: row.errorsKey ? `${self}/errors` : null,
        evaluation: row.evaluation ? `${self}/evaluation` : null,
      },
    };
  }
}

export class BatchJobListDto {
  @ApiProperty({ type: [BatchJobDto], description: 'Newest first' }) items: BatchJobDto[];
  @ApiProperty({ example: 57, description: 'Jobs matching the filter' }) total: number;
  @ApiProperty({ example: 20 }) limit: number;
  @ApiProperty({ example: 0 }) offset: number;
}

export class CreateBatchEvaluationDto {
  @ApiProperty({
    example: 's3://housing-artifacts/datasets/housets.csv',
    description: 'The dataset to score month by month, inside the artifact store',
    maxLength: 1000,
    pattern: STORE_URI,
  })
  @ValidateIf((o: CreateBatchEvaluationDto) => o.datasetId === undefined || o.inputUri !== undefined)
  @IsString()
  @MaxLength(1000)
  @Matches(/^(s3|file):\/\/./, { message: 'inputUri must start with s3:// or file://' })
  @Matches(WITHOUT_CONTROL_CHARACTERS, {
    message: 'inputUri must not contain control characters (NUL, line breaks, tabs)',
  })
  inputUri?: string;

  @ApiPropertyOptional(DATASET_ID_DOC)
  @IsOptional()
  @IsUUID()
  datasetId?: string;
}

export class ErrorMetricsDto implements ErrorMetrics {
  @ApiProperty({ example: 1204, description: 'Rows with an actual price' }) n: number;
  @ApiProperty({ example: 15653.2 }) mae: number;
  @ApiProperty({ example: 37893.6 }) rmse: number;
  @ApiProperty({ example: 2.73, description: 'Mean absolute percentage error, percent' }) mape: number;
  @ApiProperty({ example: -0.41, description: 'Mean signed percentage error (bias), percent' })
  meanPctError: number;
  @ApiProperty({ example: 412000 }) meanActual: number;
  @ApiProperty({ example: 409500 }) meanPredicted: number;
}

export class MonthMetricsDto extends ErrorMetricsDto {
  @ApiProperty({ example: '2022-03' }) month: string;
}

export class RegionMetricsDto extends ErrorMetricsDto {
  @ApiProperty({ example: 'Austin-Round Rock-Georgetown' }) region: string;
}

export class EvaluationSummaryDto {
  @ApiProperty({ example: 'date' }) dateColumn: string;
  @ApiProperty({ type: String, nullable: true, example: 'city_full' }) regionColumn: string | null;
  @ApiProperty({ type: ErrorMetricsDto }) overall: ErrorMetricsDto;
  @ApiProperty({ type: [MonthMetricsDto] }) byMonth: MonthMetricsDto[];
  @ApiProperty({ type: [RegionMetricsDto] }) byRegion: RegionMetricsDto[];
}

export class MonthlyFileDto {
  @ApiProperty({ example: '2022-03' }) month: string;
  @ApiProperty({ example: 's3://housing-artifacts/batch/monthly/9b2…/2022-03.csv' }) uri: string;
  @ApiProperty({ example: 6240 }) rows: number;
}

export class BatchEvaluationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({
    enum: ['schedule', 'api'],
    description: 'Started by the BATCH_MONTHLY_CRON scheduler or through the API',
  })
  source: 'schedule' | 'api';
  @ApiProperty() inputUri: string;
  @ApiProperty({
    type: BatchDatasetDto,
    nullable: true,
    description: 'The registered dataset scored, when the run named one (datasetId)',
  })
  dataset: BatchDatasetDto | null;
  @ApiProperty({
    type: BatchModelDto,
    nullable: true,
    description: 'The production version at the time of the run',
  })
  model: BatchModelDto | null;
  @ApiProperty() rowsRead: number;
  @ApiProperty() rowsDone: number;
  @ApiProperty() rowsFailed: number;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: [MonthlyFileDto], description: 'One prediction file per month, once completed' })
  files: MonthlyFileDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The rejected rows (line, reason, row), once completed',
  })
  errorsUri: string | null;
  @ApiProperty({
    type: EvaluationSummaryDto,
    nullable: true,
    description: 'Present when the input had actual prices',
  })
  summary: EvaluationSummaryDto | null;
  @ApiPropertyOptional({
    type: [EvaluationCellDto],
    nullable: true,
    description:
      'The same rows by (month, region), the cells of a model version’s holdout evaluation (null for runs made before cells were kept, or without actual prices)',
  })
  cells?: EvaluationCellDto[] | null;

  static from(
    row: BatchEvaluationEntity,
    uri: (key: string) => string,
    errorsKey: string,
  ): BatchEvaluationDto {
    return {
      id: row.id,
      status: row.status,
      source: row.source,
      inputUri: row.inputUri,
      dataset: BatchDatasetDto.from(row),
      model:
        row.modelName !== null && row.modelVersion !== null
          ? { name: row.modelName, version: row.modelVersion }
          : null,
      rowsRead: row.rowsRead,
      rowsDone: row.rowsDone,
      rowsFailed: row.rowsFailed,
      attempts: row.attempts,
      error: row.error,
      createdAt: new Date(row.createdAt).toISOString(),
      startedAt: iso(row.startedAt),
      finishedAt: iso(row.finishedAt),
      files: (row.files ?? []).map((f) => ({ month: f.month, uri: uri(f.key), rows: f.rows })),
      errorsUri: row.status === 'completed' ? uri(errorsKey) : null,
      summary: row.summary,
      cells: row.cells,
    };
  }
}

export class BatchEvaluationListDto {
  @ApiProperty({ type: [BatchEvaluationDto], description: 'Newest first' }) items: BatchEvaluationDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}
