import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '../shared/training.constants';

/** How many runs or versions one comparison takes. */
export const MIN_COMPARED = 2;
export const MAX_COMPARED = 10;

const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const REPEAT = `{${MIN_COMPARED - 1},${MAX_COMPARED - 1}}`;

const NULLABLE_NUMBER = { type: 'number', nullable: true } as const;

const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

class CompareOptionsQueryDto {
  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Every parameter, not only those that differ' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  allParams?: boolean;

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description: 'Also the error of every (month, region) cell (`errorByCell`), besides by month and by region',
  })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  cells?: boolean;
}

export class CompareRunsQueryDto extends CompareOptionsQueryDto {
  @ApiProperty({
    example: '6f1c0d2e-1a2b-4c3d-8e9f-0a1b2c3d4e5f,9a7b3c1d-5e6f-4a0b-9c8d-7e6f5a4b3c2d',
    maxLength: 400,
    pattern: `^${UUID_PATTERN}(,${UUID_PATTERN})${REPEAT}$`,
    description: `${MIN_COMPARED} to ${MAX_COMPARED} training run ids, comma-separated; the first is the baseline of the deltas`,
  })
  @IsString()
  @MaxLength(400)
  @Matches(/^[^,]+(,[^,]+)+$/, { message: `ids must be ${MIN_COMPARED} to ${MAX_COMPARED} comma-separated run ids` })
  ids: string;
}

export class CompareVersionsQueryDto extends CompareOptionsQueryDto {
  @ApiProperty({
    example: '3,4',
    maxLength: 120,
    pattern: `^\\d{1,10}(,\\d{1,10})${REPEAT}$`,
    description: `${MIN_COMPARED} to ${MAX_COMPARED} version numbers of the model, comma-separated; the first is the baseline of the deltas`,
  })
  @IsString()
  @MaxLength(120)
  @Matches(/^\d{1,10}(,\d{1,10})+$/, {
    message: `versions must be ${MIN_COMPARED} to ${MAX_COMPARED} comma-separated version numbers`,
  })
  versions: string;
}

export class ComparedModelDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 4 }) version: number;
  @ApiProperty({ example: '/v1/models/housets-xgboost/versions/4' }) href: string;
}

export class ComparedItemDto {
  @ApiProperty({ enum: ['run', 'version'] }) kind: 'run' | 'version';
  @ApiProperty({ example: 'run 6f1c0d2e', description: 'A short label for columns and legends' }) label: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The training run (kind run)' })
  runId: string | null;
  @ApiProperty({ enum: JOB_STATUSES, nullable: true, description: 'The run’s status (kind run)' })
  status: JobStatus | null;
  @ApiProperty({ type: ComparedModelDto, nullable: true, description: 'The registered version (a run’s, once registered)' })
  model: ComparedModelDto | null;
  @ApiProperty({ example: 'housets' }) specName: string;
  @ApiProperty({ type: String, nullable: true, description: 'The metric the tuning scores are in' }) tuningMetric: string | null;
  @ApiProperty() createdAt: string;
}

export class MetricComparisonDto {
  @ApiProperty({ example: 'holdout.rmse', description: 'The metric, nested names joined by dots' }) key: string;
  @ApiProperty({ enum: ['lower', 'higher'], nullable: true, description: 'Which way is better, when known' })
  better: 'lower' | 'higher' | null;
  @ApiProperty({ type: 'array', items: NULLABLE_NUMBER, description: 'One value per item (null: the item has no such metric)' })
  values: (number | null)[];
  @ApiProperty({ type: 'array', items: NULLABLE_NUMBER, description: 'value − the baseline’s (the first item) value' })
  deltas: (number | null)[];
  @ApiProperty({ type: 'array', items: NULLABLE_NUMBER, description: 'delta / |baseline value| (null when that is 0 or missing)' })
  relativeDeltas: (number | null)[];
}

export class ParamComparisonDto {
  @ApiProperty({ example: 'max_depth' }) key: string;
  @ApiProperty({ type: 'array', items: {}, description: 'One value per item (null: the item has no such parameter)' })
  values: unknown[];
  @ApiProperty() differs: boolean;
}

export class ErrorValueDto {
  @ApiProperty({ description: 'Holdout rows' }) n: number;
  @ApiProperty({ type: Number, nullable: true }) mae: number | null;
  @ApiProperty({ type: Number, nullable: true }) rmse: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'In percent' }) mape: number | null;
}

@ApiExtraModels(ErrorValueDto)
export class ErrorComparisonDto {
  @ApiPropertyOptional({ example: '2022-03' }) month?: string;
  @ApiPropertyOptional({ example: 'Seattle' }) region?: string;
  @ApiProperty({
    type: 'array',
    items: { allOf: [{ $ref: getSchemaPath(ErrorValueDto) }], nullable: true },
    description: 'One per item; null where the item has no holdout rows there (or no registered version)',
  })
  values: (ErrorValueDto | null)[];
}

export class TuningPointDto {
  @ApiProperty({ description: 'Trial number' }) n: number;
  @ApiProperty({ type: Number, nullable: true }) score: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Best (lowest) score so far' }) best: number | null;
}

export class TuningHistoryDto {
  @ApiProperty({ type: [TuningPointDto], description: 'Empty for a run without tuning (fast)' })
  trials: TuningPointDto[];
}

export class ComparisonDto {
  @ApiProperty({ type: [ComparedItemDto], description: 'In the order asked; the first is the baseline' })
  items: ComparedItemDto[];
  @ApiProperty({ type: [MetricComparisonDto] }) metrics: MetricComparisonDto[];
  @ApiProperty({ type: [ParamComparisonDto], description: 'Only the parameters that differ, unless allParams=true' })
  params: ParamComparisonDto[];
  @ApiProperty({ type: [ErrorComparisonDto], description: 'Holdout error by month, from each registered version’s evaluation' })
  errorByMonth: ErrorComparisonDto[];
  @ApiProperty({ type: [ErrorComparisonDto], description: 'Holdout error by region' })
  errorByRegion: ErrorComparisonDto[];
  @ApiPropertyOptional({ type: [ErrorComparisonDto], description: 'Holdout error by (month, region), with cells=true' })
  errorByCell?: ErrorComparisonDto[];
  @ApiProperty({ type: [TuningHistoryDto], description: 'One per item, in the items’ order' })
  tuning: TuningHistoryDto[];
}
