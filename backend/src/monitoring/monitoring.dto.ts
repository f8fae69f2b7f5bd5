import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '@housing/ml';
import { queryNumber } from '../common/validation';

export const MAX_DRIFT_HOURS = 24 * 90;

export class DriftQueryDto {
  @ApiPropertyOptional({
    example: 'housets-xgboost',
    pattern: MODEL_NAME_PATTERN.source,
    description: 'Model name; with `version`, the version to report on (default: the production version)',
  })
  @IsOptional()
  @Matches(MODEL_NAME_PATTERN, { message: `name must be a model name: ${MODEL_NAME_RULE}` })
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 2_147_483_647, example: 3 })
  @IsOptional()
  @Transform(queryNumber)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_DRIFT_HOURS,
    default: 24,
    description: 'The window: the last this many hours (whole buckets of DRIFT_BUCKET_SECONDS)',
  })
  @IsOptional()
  @Transform(queryNumber)
  @IsInt()
  @Min(1)
  @Max(MAX_DRIFT_HOURS)
  hours?: number;
}

export class DriftBinDto {
  @ApiProperty({ example: '389,000 – 412,000' }) label: string;
  @ApiProperty({ example: 0.1, description: 'Share of the training rows in this bin' }) expected: number;
  @ApiProperty({ example: 0.16, description: 'Share of the scored rows in this bin' }) actual: number;
}

export class FeatureDriftDto {
  @ApiProperty({ example: 'median_list_price' }) feature: string;
  @ApiProperty({ enum: ['number', 'category'] }) kind: 'number' | 'category';
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.31,
    description:
      'Population stability index against training (null with no rows): < 0.1 stable, 0.1–0.25 moderate, > 0.25 significant',
  })
  psi: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.01 }) missingShare: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Categories: share never seen in training' })
  unseenShare: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Numbers: share outside the training range' })
  outOfRangeShare: number | null;
  @ApiProperty({ type: [DriftBinDto] }) bins: DriftBinDto[];
}

export class PriceDriftDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'PSI of the predicted prices against the training prices',
  })
  psi: number | null;
  @ApiProperty({ type: [DriftBinDto] }) bins: DriftBinDto[];
}

export class DriftPointDto {
  @ApiProperty({ example: 'housets-xgboost' }) feature: string;
  @ApiProperty({ type: Number, nullable: true }) psi: number | null;
}

export class DriftBucketDto {
  @ApiProperty({ example: '2026-12-07T10:00:00.000Z', description: 'Start of the bucket' }) start: string;
  @ApiProperty({ example: 412 }) rows: number;
  @ApiProperty({ type: [DriftPointDto], description: 'PSI of each feature within the bucket' })
  features: DriftPointDto[];
  @ApiProperty({ type: Number, nullable: true }) pricePsi: number | null;
}

export class DriftThresholdsDto {
  @ApiProperty({ example: 0.1, description: 'PSI above this: a moderate shift' }) moderate: number;
  @ApiProperty({ example: 0.25, description: 'PSI above this: a significant shift' }) significant: number;
}

export class DriftModelDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 3 }) version: number;
}

export class DriftResponseDto {
  @ApiProperty({ type: DriftModelDto }) model: DriftModelDto;
  @ApiProperty({ description: 'False for a package trained before drift profiles: nothing can be compared' })
  profiled: boolean;
  @ApiProperty({ example: '2026-12-06T11:00:00.000Z' }) from: string;
  @ApiProperty({ example: '2026-12-07T11:00:00.000Z' }) to: string;
  @ApiProperty({ example: 3600 }) bucketSeconds: number;
  @ApiProperty({ example: 9120, description: 'Records scored in the window (API and batch)' }) rows: number;
  @ApiProperty({ type: DriftThresholdsDto }) thresholds: DriftThresholdsDto;
  @ApiProperty({ type: [FeatureDriftDto], description: 'Every profiled feature, most drifted first' })
  features: FeatureDriftDto[];
  @ApiProperty({ type: PriceDriftDto }) price: PriceDriftDto;
  @ApiProperty({ type: [DriftBucketDto], description: 'Per bucket with rows, oldest first' })
  series: DriftBucketDto[];
}
