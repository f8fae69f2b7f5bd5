import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ValidatedByHandler, queryNumber } from '../common/validation';
import {
  HISTORY_ACTIONS,
  MODEL_STAGES,
  type HistoryAction,
  type ModelStage,
  type ModelVersionEntity,
} from './model-version.entity';
import type { HistoryEntry, ModelAliasView, RollbackPlan } from './registry.service';
import { MAX_DESCRIPTION_LENGTH, MAX_TAGS, MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from './model-tags';
import { MAX_VERSION } from './registry.params';
import type { PromotionOutcome } from './promotion-gate';
import { VERDICTS, type Verdict } from '../promotion/promotion-evidence.types';

const MAX_REASON = 500;
const iso = (ms: number) => new Date(ms).toISOString();

export class MetricsDto {
  @ApiProperty({ example: 15653.2 }) mae: number;
  @ApiProperty({ example: 37893.6 }) rmse: number;
  @ApiProperty({ example: 0.982 }) r2: number;
  @ApiProperty({ example: 2.73, description: 'Mean absolute percentage error, percent' }) mape: number;
  @ApiProperty({ example: 4698 }) rows: number;
}

export class BaselineMetricsDto {
  @ApiProperty({ type: MetricsDto }) eval: MetricsDto;
  @ApiProperty({ type: MetricsDto }) holdout: MetricsDto;
}

export class ModelMetricsDto {
  @ApiProperty({ type: MetricsDto, description: 'Model trained on the train split, on the eval split' })
  eval: MetricsDto;
  @ApiProperty({ type: MetricsDto, description: 'Final model (refit on train + eval), on the holdout split' })
  holdout: MetricsDto;
  @ApiPropertyOptional({ type: MetricsDto }) train?: MetricsDto;
  @ApiProperty({ type: BaselineMetricsDto, description: 'The median baseline' }) baseline: BaselineMetricsDto;
}

export class ModelVersionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty({ example: '20261123.022903', description: 'Version given by the training run' })
  packageVersion: string;
  @ApiProperty({
    enum: MODEL_STAGES,
    description:
      'Deprecated, derived from the aliases: production = holds `champion`, staging = holds `challenger`; archived = lost `champion`',
  })
  stage: ModelStage;
  @ApiProperty({ type: [String], example: ['champion'], description: 'The aliases pointing at this version' })
  aliases: string[];
  @ApiProperty({ nullable: true, type: String, maxLength: MAX_DESCRIPTION_LENGTH })
  description: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { team: 'pricing' },
    description: 'Free key/value tags',
  })
  tags: Record<string, string>;
  @ApiProperty({ example: 'housets' }) datasetSpec: string;
  @ApiProperty({ example: 37 }) featureCount: number;
  @ApiProperty({ type: ModelMetricsDto }) metrics: ModelMetricsDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Dataset checksum, rows per split, git commit, dates',
  })
  lineage: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) hyperparameters: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) stageChangedAt: string | null;

  static from(entity: ModelVersionEntity): ModelVersionDto {
    return {
      id: entity.id,
      name: entity.name,
      version: entity.version,
      packageVersion: entity.packageVersion,
      stage: entity.stage,
      aliases: entity.aliases ?? [],
      description: entity.description ?? null,
      tags: entity.tags ?? {},
      datasetSpec: entity.datasetSpec,
      featureCount: entity.featureCount,
      metrics: entity.metrics as unknown as ModelMetricsDto,
      lineage: entity.lineage,
      hyperparameters: entity.hyperparameters,
      createdAt: new Date(entity.createdAt).toISOString(),
      stageChangedAt: entity.stageChangedAt === null ? null : new Date(entity.stageChangedAt).toISOString(),
    };
  }
}

export class RegisterFromUriDto {
  @ApiProperty({
    example: 's3://housing-artifacts/uploads/housets-xgboost.tar.gz',
    description: 'A package archive (.tar.gz) or package directory inside the artifact store',
  })
  @IsString()
  @MaxLength(1000)
  @Matches(/^(s3|file):\/\//, { message: 'uri must start with s3:// or file://' })
  uri: string;
}

export class SetStageDto {
  @ApiProperty({ enum: MODEL_STAGES, example: 'production' })
  @IsIn(MODEL_STAGES as unknown as string[])
  stage: ModelStage;

  @ApiPropertyOptional({
    maxLength: MAX_REASON,
    description: 'Recorded in the history (required with force)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REASON)
  reason?: string;

  @ApiPropertyOptional({
    description:
      'Promote to champion even though the promotion evidence finds this version worse than the champion by ' +
      'more than PROMOTION_MARGIN (otherwise 409 promotion-needs-force). Requires a non-empty `reason`; the ' +
      'history records both.',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class EvaluationCellDto {
  @ApiProperty({ example: '2022-03' }) month: string;
  @ApiProperty({ example: 'Austin-Round Rock-Georgetown' }) region: string;
  @ApiProperty() n: number;
  @ApiProperty() sumActual: number;
  @ApiProperty() sumPredicted: number;
  @ApiProperty() sumAbsError: number;
  @ApiProperty() sumSquaredError: number;
  @ApiProperty() sumAbsPercentError: number;
}

export class EvaluationPointDto {
  @ApiProperty() month: string;
  @ApiProperty() region: string;
  @ApiProperty() actual: number;
  @ApiProperty() predicted: number;
}

export class FeatureImportanceDto {
  @ApiProperty() feature: string;
  @ApiProperty({ description: 'Share of total gain' }) gain: number;
  @ApiProperty({ description: 'Number of splits' }) weight: number;
}

export class TuningTrialDto {
  @ApiProperty() number: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) params: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: Number }) eval_rmse: number | null;
  @ApiProperty() seconds: number;
  @ApiProperty() state: string;
}

export class ModelEvaluationDto {
  @ApiProperty({ example: 'holdout' }) split: string;
  @ApiProperty({ nullable: true, type: String, example: 'city_full' }) regionColumn: string | null;
  @ApiProperty({
    type: [EvaluationCellDto],
    description: 'Holdout sums by (month, region): exact metrics for any filter',
  })
  cells: EvaluationCellDto[];
  @ApiProperty({ type: [EvaluationPointDto], description: 'A sample of holdout rows for scatter plots' })
  points: EvaluationPointDto[];
  @ApiProperty({ type: [FeatureImportanceDto] }) importances: FeatureImportanceDto[];
  @ApiProperty({ type: [TuningTrialDto] }) trials: TuningTrialDto[];
}

export class SetAliasDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_VERSION,
    example: 3,
    description: 'The version the alias points at',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version: number;

  @ApiPropertyOptional({ maxLength: MAX_REASON, example: 'better holdout MAPE in every region' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REASON)
  reason?: string;
  @ApiPropertyOptional({
    description:
      'Promote to champion even though the promotion evidence finds this version worse than the champion by ' +
      'more than PROMOTION_MARGIN (otherwise 409 promotion-needs-force). Requires a non-empty `reason`; the ' +
      'history records both.',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class RemoveAliasDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_VERSION,
    description: 'When given, the alias is removed only if it still points at this version (409 otherwise)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;

  @ApiPropertyOptional({ maxLength: MAX_REASON })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REASON)
  reason?: string;
}

export class ModelAliasDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 'champion' }) alias: string;
  @ApiProperty({ example: 3, nullable: true, type: Number }) version: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'API key id that set it' }) setBy: string | null;
  @ApiProperty({ format: 'date-time' }) setAt: string;

  static from(view: ModelAliasView): ModelAliasDto {
    return { ...view, setAt: iso(view.setAt) };
  }
}

/** Checked by parseVersionPatch (tags are a free map); the decorators document it. */
@ValidatedByHandler()
export class UpdateVersionDto {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: MAX_DESCRIPTION_LENGTH,
    description: 'null clears it',
  })
  description?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true, maxLength: MAX_TAG_VALUE_LENGTH },
    maxProperties: MAX_TAGS,
    example: { team: 'pricing', obsolete: null },
    description:
      `Merged into the version's tags (JSON merge patch): a null value removes the key. Keys are 1 to ` +
      `${MAX_TAG_KEY_LENGTH} letters, digits or "_.:/-"; at most ${MAX_TAGS} tags per version.`,
  })
  tags?: Record<string, string | null>;
}

export class VersionRefDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 2 }) version: number;
}

export class HistoryEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    enum: HISTORY_ACTIONS,
    description:
      'set/remove: an alias set or removed; rollback: champion moved back; stage: through the deprecated stage endpoint',
  })
  action: HistoryAction;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'champion',
    description: 'null for a stage change that moved no alias',
  })
  alias: string | null;
  @ApiProperty({ type: VersionRefDto, nullable: true, description: 'The version the change concerns' })
  version: VersionRefDto | null;
  @ApiProperty({ type: VersionRefDto, nullable: true, description: 'Where the alias pointed before' })
  from: VersionRefDto | null;
  @ApiProperty({
    type: VersionRefDto,
    nullable: true,
    description: 'Where the alias points after (null: removed)',
  })
  to: VersionRefDto | null;
  @ApiProperty({ enum: MODEL_STAGES }) fromStage: ModelStage;
  @ApiProperty({ enum: MODEL_STAGES }) toStage: ModelStage;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'API key id that made the change' }) changedBy:
    string | null;
  @ApiProperty({
    description:
      'A promotion to champion made with force despite evidence that the version was worse (see reason)',
  })
  forced: boolean;

  static from(entry: HistoryEntry): HistoryEntryDto {
    return { ...entry, at: iso(entry.at) };
  }
}

export class HistoryListDto {
  @ApiProperty({ type: [HistoryEntryDto], description: 'Newest first' }) items: HistoryEntryDto[];
  @ApiProperty({ example: 12 }) total: number;
  @ApiProperty({ example: 50 }) limit: number;
  @ApiProperty({ example: 0 }) offset: number;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(queryNumber)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @Transform(queryNumber)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

export class RollbackRequestDto {
  @ApiPropertyOptional({ maxLength: MAX_REASON, example: 'v3 overprices Atlanta condos' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REASON)
  reason?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_VERSION,
    description: 'The version the caller expects to come back (from the preview); 409 if another would',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  expectedVersion?: number;
}

export class RollbackPreviewDto {
  @ApiProperty({ type: ModelVersionDto, description: 'The champion now' }) from: ModelVersionDto;
  @ApiProperty({ type: ModelVersionDto, description: 'The version a rollback brings back' })
  to: ModelVersionDto;

  static from(plan: RollbackPlan): RollbackPreviewDto {
    return { from: ModelVersionDto.from(plan.from), to: ModelVersionDto.from(plan.to) };
  }
}

/** The version now in production (as before), plus where champion moved from and to. */
export class RollbackResultDto extends ModelVersionDto {
  @ApiProperty({ type: VersionRefDto, description: 'The version rolled away from' }) from: VersionRefDto;
  @ApiProperty({ type: VersionRefDto, description: 'The version that came back (this one)' })
  to: VersionRefDto;

  static fromPlan(plan: RollbackPlan): RollbackResultDto {
    return {
      ...ModelVersionDto.from(plan.to),
      from: { name: plan.from.name, version: plan.from.version },
      to: { name: plan.to.name, version: plan.to.version },
    };
  }
}

/** What the promotion evidence said when a version was set as champion. */
export class PromotionSummaryDto {
  @ApiProperty({
    enum: VERDICTS,
    description:
      "better / within-margin / worse: the candidate's MAPE on the champion's holdout against the champion's; " +
      'no-evidence: see `missing`; same-version: it already was champion',
  })
  verdict: Verdict;
  @ApiProperty({ type: [String], description: 'Why there is no evidence (empty when there is)' })
  missing: string[];
  @ApiProperty({ description: 'Promoted with force despite evidence that it is worse' })
  forced: boolean;
}

/** The version an alias now points at; setting champion adds what the promotion evidence said. */
export class AliasSetDto extends ModelVersionDto {
  @ApiPropertyOptional({ type: PromotionSummaryDto, description: 'Present when the alias is champion' })
  promotion?: PromotionSummaryDto;

  static fromPromotion(entity: ModelVersionEntity, promotion: PromotionOutcome | null): AliasSetDto {
    if (!promotion) return ModelVersionDto.from(entity);
    const { verdict, missing, forced } = promotion;
    return { ...ModelVersionDto.from(entity), promotion: { verdict, missing, forced } };
  }
}
