import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject } from 'class-validator';
import { FieldProblem } from '../common/problem';
import { ValidatedByHandler } from '../common/validation';
import { WARNING_KINDS, type WarningKind } from '@housing/ml';
import { MAX_REFERENCE_LENGTH } from '../model-registry/model-reference';

export const MAX_BULK_RECORDS = 1000;

const EXAMPLE_RECORD = {
  date: '2022-06-30',
  zipcode: '30002',
  city_full: 'Atlanta-Sandy Springs-Alpharetta',
  median_list_price: 389000,
  median_dom: 21,
  'Median Home Value': 251000,
  'Per Capita Income': 38500,
};

const MODEL_REFERENCE_PROPERTY = {
  type: String,
  maxLength: MAX_REFERENCE_LENGTH,
  example: 'housets-xgboost@challenger',
  description:
    'The model version to score with instead of the production one: `name@alias`, `name/version` or a bare name ' +
    '(its champion). A version not loaded yet is loaded first (parity-checked); 404 when nothing matches.',
};

/** Checked by parsePredictionBody (hot path); the decorators document and mirror the rules. */
@ValidatedByHandler()
export class PredictionRequestDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: EXAMPLE_RECORD,
    description:
      'One raw record with the fields of the active model (GET /v1/models/current lists them). Fields the model does not use are ignored. ' +
      "The document served at /docs-json replaces this generic description with the served model's fields and an example it accepts.",
  })
  @IsObject({ message: 'record must be an object of field names to values' })
  record: Record<string, unknown>;

  @ApiPropertyOptional(MODEL_REFERENCE_PROPERTY)
  model?: string;
}

@ValidatedByHandler()
export class BulkPredictionRequestDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    minItems: 1,
    maxItems: MAX_BULK_RECORDS,
    example: [EXAMPLE_RECORD],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_RECORDS)
  @IsObject({ each: true, message: 'each record must be an object' })
  records: Record<string, unknown>[];

  @ApiPropertyOptional(MODEL_REFERENCE_PROPERTY)
  model?: string;
}

export class ModelRefDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 3 }) version: number;
}

export class PredictionWarningDto {
  @ApiProperty({ example: 'Gr Liv Area', description: 'The input field concerned' }) field: string;
  @ApiProperty({
    enum: WARNING_KINDS,
    example: 'out_of_range',
    description:
      'unseen_category: a category training never saw; out_of_range: a number outside the training range (or clipped to the spec bounds); imputed: a missing optional field or an out-of-bounds value treated as missing; extrapolated_date: a date more than a year outside the dates the model was fit on',
  })
  kind: WarningKind;
  @ApiProperty({ example: '5642 is outside the training range 334 to 4676' }) message: string;
}

export class PriceIntervalDto {
  @ApiProperty({ example: 371200.5, description: 'Lower end of the range (never below 0)' }) low: number;
  @ApiProperty({ example: 458900.25, description: 'Upper end of the range' }) high: number;
  @ApiProperty({
    example: 0.9,
    description:
      'Nominal coverage: the share of true prices the range is calibrated to hold (conformal calibration on rows the model did not see; the model page reports the coverage measured on its holdout)',
  })
  level: number;
}

export class ColumnContributionDto {
  @ApiProperty({
    example: 'median_list_price',
    description: 'Raw input column(s), joined by " + " when a feature reads several',
  })
  source: string;
  @ApiProperty({ type: [String], example: ['median_list_price'] }) columns: string[];
  @ApiProperty({
    example: 0.0831,
    description: 'What the model adds for this column, in model space (log1p of the price for a log target)',
  })
  contribution: number;
  @ApiProperty({
    example: 31250.4,
    description: 'The same in price terms: basePrice plus every priceContribution (and rest) is the price',
  })
  priceContribution: number;
}

export class RestContributionDto {
  @ApiProperty({ example: 27, description: 'How many columns the list leaves out' }) columns: number;
  @ApiProperty({ example: -0.0042 }) contribution: number;
  @ApiProperty({ example: -1604.11 }) priceContribution: number;
}

export class FeatureContributionDto {
  @ApiProperty({ example: 'date_year' }) feature: string;
  @ApiProperty({
    example: 2022,
    nullable: true,
    type: Number,
    description: 'The model input (null when missing)',
  })
  value: number | null;
  @ApiProperty({ example: 0.0123 }) contribution: number;
}

export class ExplanationDto {
  @ApiProperty({ enum: ['log1p', 'identity'], description: 'The model space contributions add up in' })
  space: 'log1p' | 'identity';
  @ApiProperty({
    example: 12.61,
    description: "The model's expected output over its training data (model space)",
  })
  bias: number;
  @ApiProperty({ example: 299500.0, description: 'bias as a price: where the waterfall starts' })
  basePrice: number;
  @ApiProperty({
    example: 412345.67,
    description:
      'The model output the contributions add up to, as a price (equals `price` up to float rounding)',
  })
  price: number;
  @ApiProperty({
    type: [ColumnContributionDto],
    description:
      'Exact TreeSHAP (path-dependent) grouped by raw input column, largest first: the top 10, or every column with explain=all',
  })
  columns: ColumnContributionDto[];
  @ApiProperty({ type: RestContributionDto, description: 'The columns not listed, summed' })
  rest: RestContributionDto;
  @ApiPropertyOptional({
    type: [FeatureContributionDto],
    description: 'Every model input (explain=all only)',
  })
  features?: FeatureContributionDto[];
}

const EXPLANATION_DESCRIPTION =
  'Present when the request asked for it (?explain=true or all): why the model gave this price; null when the serving package carries no tree covers (trained before explanations)';

const INTERVAL_DESCRIPTION =
  'The range the price is calibrated to fall in at `level`; null for a model package trained without interval calibration';

export class PredictionResponseDto {
  @ApiProperty({ example: 412345.67, description: "Predicted price, in the target column's units" })
  price: number;
  @ApiProperty({ type: PriceIntervalDto, nullable: true, description: INTERVAL_DESCRIPTION })
  interval: PriceIntervalDto | null;
  @ApiPropertyOptional({ type: ExplanationDto, nullable: true, description: EXPLANATION_DESCRIPTION })
  explanation?: ExplanationDto | null;
  @ApiProperty({
    type: [PredictionWarningDto],
    description: 'Why this price deserves less trust; empty when nothing is unusual',
  })
  warnings: PredictionWarningDto[];
  @ApiProperty({ type: ModelRefDto }) model: ModelRefDto;
  @ApiProperty({ example: '3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11' }) requestId: string;
}

export class BulkPredictionResultDto {
  @ApiProperty({ example: 0, description: 'Position of the record in the request' }) index: number;
  @ApiPropertyOptional({ example: 412345.67 }) price?: number;
  @ApiPropertyOptional({
    type: PriceIntervalDto,
    nullable: true,
    description: `Present with a price. ${INTERVAL_DESCRIPTION}`,
  })
  interval?: PriceIntervalDto | null;
  @ApiPropertyOptional({ type: ExplanationDto, nullable: true, description: EXPLANATION_DESCRIPTION })
  explanation?: ExplanationDto | null;
  @ApiPropertyOptional({ type: [PredictionWarningDto], description: 'Present with a price' })
  warnings?: PredictionWarningDto[];
  @ApiPropertyOptional({ type: [FieldProblem], description: 'Why this record was rejected' })
  errors?: FieldProblem[];
}

export class BulkPredictionResponseDto {
  @ApiProperty({ type: ModelRefDto }) model: ModelRefDto;
  @ApiProperty() requestId: string;
  @ApiProperty({ example: 998 }) succeeded: number;
  @ApiProperty({ example: 2 }) failed: number;
  @ApiProperty({ type: [BulkPredictionResultDto] }) results: BulkPredictionResultDto[];
}
