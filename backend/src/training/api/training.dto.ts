import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE, TRAINING_METRICS } from '@housing/ml';
import { BatchDatasetDto, ListQueryDto } from '../../batch/api/batch.dto';
import { BUILTIN_SPEC_NAMES, JOB_STATUSES, type JobStatus } from '../shared/training.constants';
import type { TrainingRunEntity } from '../shared/training-run.entity';

/** Inline specs larger than this (serialised) are refused: the built-in ones are under 10 KB. */
export const MAX_INLINE_SPEC_BYTES = 256 * 1024;
/** Upper bound of `seeds` (the CLI's). */
export const MAX_SEEDS = 20;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** The options and spec of a run: the JSON body's fields, and the multipart form's (read as the same). */
export class TrainingRequestFieldsDto {
  @ApiPropertyOptional({
    enum: BUILTIN_SPEC_NAMES,
    description:
      'A built-in spec of ml/specs. Send at most one of specName and spec; neither: the registered dataset’s spec (datasetId), else housets.',
  })
  @IsOptional()
  @IsIn(BUILTIN_SPEC_NAMES as unknown as string[])
  specName?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `A dataset spec inline (the format of ml/specs/*.json, at most ${MAX_INLINE_SPEC_BYTES} bytes as JSON), validated like \`ml validate-spec\`: a 400 names every problem. In a multipart form: the JSON text.`,
  })
  @IsOptional()
  @IsObject()
  spec?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    description: 'Tuning trials (default 20; ignored with fast). At most TRAINING_MAX_TRIALS (422 past it).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  trials?: number;

  @ApiPropertyOptional({
    enum: TRAINING_METRICS,
    description: 'Metric the cross-validated selection minimises',
  })
  @IsOptional()
  @IsIn(TRAINING_METRICS as unknown as string[])
  metric?: 'rmse' | 'mae' | 'mape' | 'rmsle';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SEEDS,
    description: 'Selection + refit once per seed',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SEEDS)
  seeds?: number;

  @ApiPropertyOptional({ description: 'Fixed quick parameters, no tuning (demos and tests)' })
  @IsOptional()
  @IsBoolean()
  fast?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 604800,
    description:
      'Longest the run may train; capped by TRAINING_TIME_LIMIT_SECONDS (422 past it). Default: that limit.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(604800)
  timeLimitSeconds?: number;

  @ApiPropertyOptional({
    example: 'housets-xgboost',
    maxLength: 200,
    pattern: MODEL_NAME_PATTERN.source,
    description: `The registered model's name (${MODEL_NAME_RULE}); default \`<spec name>-xgboost\`.`,
  })
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME_PATTERN, { message: `modelName must be a model name: ${MODEL_NAME_RULE}` })
  modelName?: string;
}

export class CreateTrainingRunDto extends TrainingRequestFieldsDto {
  @ApiPropertyOptional({
    example: 's3://housing-artifacts/datasets/houses.csv',
    maxLength: 1000,
    description:
      'A CSV in the artifact store (s3://… or file://… under ARTIFACT_STORE). Send exactly one of inputUri and datasetId.',
  })
  @ValidateIf((o: CreateTrainingRunDto) => o.datasetId === undefined || o.inputUri !== undefined)
  @IsString()
  @MaxLength(1000)
  @Matches(/^(s3|file):\/\/./, { message: 'inputUri must start with s3:// or file://' })
  @Matches(WITHOUT_CONTROL_CHARACTERS, { message: 'inputUri must not contain control characters' })
  inputUri?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A registered dataset (GET /v1/datasets) instead of inputUri',
  })
  @IsOptional()
  @IsUUID()
  datasetId?: string;
}

/** The multipart form of POST /v1/training-runs (documentation: fields before the file part). */
export class UploadTrainingRunDto {
  @ApiPropertyOptional({ enum: BUILTIN_SPEC_NAMES }) specName?: string;
  @ApiPropertyOptional({ description: 'A dataset spec as JSON text' }) spec?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) trials?: number;
  @ApiPropertyOptional({ enum: TRAINING_METRICS }) metric?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_SEEDS }) seeds?: number;
  @ApiPropertyOptional({ type: 'boolean' }) fast?: boolean;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) timeLimitSeconds?: number;
  @ApiPropertyOptional({ pattern: MODEL_NAME_PATTERN.source }) modelName?: string;
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'The training CSV, at most TRAINING_UPLOAD_LIMIT_BYTES',
  })
  file: unknown;
}

export class ListTrainingRunsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES as unknown as string[])
  status?: JobStatus;

  @ApiPropertyOptional({ maxLength: 200, pattern: WITHOUT_CONTROL_CHARACTERS.source })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(WITHOUT_CONTROL_CHARACTERS, { message: 'specName must not contain control characters' })
  specName?: string;
}

export class TrainingTrialProgressDto {
  @ApiProperty() n: number;
  @ApiProperty() of: number;
  @ApiPropertyOptional() seed?: number;
  @ApiProperty({ example: 'rmse' }) metric: string;
  @ApiProperty({ type: Number, nullable: true, description: 'This trial’s score' }) score: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The best score so far' }) best: number | null;
}

export class TrainingProgressDto {
  @ApiProperty({
    example: 'tuning',
    description:
      'queued, load, prepared, features, a trainer stage (baseline, cv, refit, export…), trial, parity, package, registering, done',
  })
  phase: string;
  @ApiPropertyOptional() rowsRead?: number;
  @ApiPropertyOptional() rowsKept?: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'integer' } }) splits?: Record<
    string,
    number
  >;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The cleaning summary (rows dropped by reason, values repaired, missing, …)',
  })
  cleaning?: Record<string, unknown>;
  @ApiPropertyOptional({ type: TrainingTrialProgressDto }) trial?: TrainingTrialProgressDto;
}

export class TrainingTrialDto {
  @ApiProperty() n: number;
  @ApiPropertyOptional() seed?: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) params: Record<string, unknown>;
  @ApiProperty({ type: Number, nullable: true }) score: number | null;
}

export class TrainingRunModelDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 4 }) version: number;
  @ApiProperty({ example: '/v1/models/housets-xgboost/versions/4' }) href: string;
}

export class TrainingRunOptionsDto {
  @ApiPropertyOptional() trials?: number;
  @ApiPropertyOptional() metric?: string;
  @ApiPropertyOptional() seeds?: number;
  @ApiPropertyOptional() fast?: boolean;
  @ApiPropertyOptional() timeLimitSeconds?: number;
  @ApiPropertyOptional() modelName?: string;
}

export class TrainingRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    enum: ['queue', 'cli'],
    description: 'queue: POST /v1/training-runs; cli: `ml train --server`',
  })
  source: 'queue' | 'cli';
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ example: 'housets' }) specName: string;
  @ApiProperty({ type: String, nullable: true }) inputUri: string | null;
  @ApiProperty({
    type: BatchDatasetDto,
    nullable: true,
    description: 'The registered dataset trained on (datasetId), else null',
  })
  dataset: BatchDatasetDto | null;
  @ApiProperty({ type: TrainingRunOptionsDto }) options: TrainingRunOptionsDto;
  @ApiProperty({ type: TrainingProgressDto, nullable: true }) progress: TrainingProgressDto | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Chosen hyper-parameters',
  })
  params: Record<string, unknown> | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'train, eval, holdout and baseline metrics, and the CV selection',
  })
  metrics: Record<string, unknown> | null;
  @ApiProperty({ type: [TrainingTrialDto], nullable: true }) trials: TrainingTrialDto[] | null;
  @ApiProperty({ type: String, nullable: true }) datasetSha256: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How long the trainer ran' }) durationMs:
    number | null;
  @ApiProperty({
    type: TrainingRunModelDto,
    nullable: true,
    description: 'The registered version (not promoted)',
  })
  model: TrainingRunModelDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Where the holdout rows can be recomputed from (input, sha256, split rule)',
  })
  holdoutUri: string | null;
  @ApiProperty({ type: String, nullable: true }) mlflowRunId: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it failed or was cancelled (or why the last attempt did)',
  })
  error: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true }) workerId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) finishedAt: string | null;
  @ApiProperty({ example: '/v1/training-runs/6f1c…/logs' }) logs: string;

  static from(row: TrainingRunEntity, holdoutUri: string | null): TrainingRunDto {
    return {
      id: row.id,
      source: row.source,
      status: row.status,
      specName: row.specName,
      inputUri: row.inputUri,
      dataset: BatchDatasetDto.from(row),
      options: row.options,
      progress: row.progress,
      params: row.params,
      metrics: row.metrics,
      trials: row.trials,
      datasetSha256: row.datasetSha256,
      durationMs: row.durationMs,
      model:
        row.modelName !== null && row.modelVersion !== null
          ? {
              name: row.modelName,
              version: row.modelVersion,
              href: `/v1/models/${encodeURIComponent(row.modelName)}/versions/${row.modelVersion}`,
            }
          : null,
      holdoutUri,
      mlflowRunId: row.mlflowRunId,
      error: row.error,
      attempts: row.attempts,
      workerId: row.workerId,
      createdAt: iso(row.createdAt)!,
      startedAt: iso(row.startedAt),
      finishedAt: iso(row.finishedAt),
      logs: `/v1/training-runs/${row.id}/logs`,
    };
  }
}

export class TrainingRunListDto {
  @ApiProperty({ type: [TrainingRunDto] }) items: TrainingRunDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

/** The `run` part of POST /v1/training-runs/recorded (what `ml train --server` sends with the package). */
export class RecordedRunDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MaxLength(200)
  @Matches(WITHOUT_CONTROL_CHARACTERS, { message: 'specName must not contain control characters' })
  specName: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metrics?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [TrainingTrialDto] })
  @IsOptional()
  trials?: TrainingTrialDto[];

  @ApiPropertyOptional({ pattern: '^[0-9a-f]{64}$' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'datasetSha256 must be 64 lower-case hex digits' })
  datasetSha256?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2147483647)
  durationMs?: number;

  @ApiPropertyOptional({ maxLength: 65536 })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  logTail?: string;

  @ApiPropertyOptional({ type: TrainingRunOptionsDto })
  @IsOptional()
  @IsObject()
  options?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  mlflowRunId?: string;
}
