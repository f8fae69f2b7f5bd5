import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { MODEL_STAGES, type ModelStage, type ModelVersionEntity } from './model-version.entity';

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
  @ApiProperty({ enum: MODEL_STAGES }) stage: ModelStage;
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
