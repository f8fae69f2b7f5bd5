import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject } from 'class-validator';
import { FieldProblem } from '../common/problem';
import { ValidatedByHandler } from '../common/validation';
import { WARNING_KINDS, type WarningKind } from '@housing/ml';

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

export class PredictionResponseDto {
  @ApiProperty({ example: 412345.67, description: "Predicted price, in the target column's units" })
  price: number;
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
