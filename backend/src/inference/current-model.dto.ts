import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ModelMetricsDto } from '../model-registry/registry.dto';

export class SignatureFieldDto {
  @ApiProperty({ example: 'median_list_price' }) name: string;
  @ApiProperty({ enum: ['number', 'string', 'date'] }) type: 'number' | 'string' | 'date';
  @ApiProperty() required: boolean;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional({ description: 'Smallest accepted value' }) min?: number;
  @ApiPropertyOptional({ description: 'Largest accepted value' }) max?: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Range seen in training ({min, max})',
  })
  observed?: { min: number | string; max: number | string };
  @ApiPropertyOptional({ type: [String], description: 'Categories seen in training, most frequent first' })
  categories?: string[];
  @ApiPropertyOptional({ example: 'accepted; encoded as frequency 0' }) unknownCategory?: string;
  @ApiPropertyOptional({ oneOf: [{ type: 'number' }, { type: 'string' }], description: 'A typical value' })
  example?: number | string;
}

export class CurrentModelDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty({ example: '20261123.022903' }) packageVersion: string;
  @ApiProperty({ format: 'date-time' }) loadedAt: string;
  @ApiProperty({ example: 'price' }) target: string;
  @ApiProperty({ type: [SignatureFieldDto], description: 'The raw fields a prediction request takes' })
  signature: SignatureFieldDto[];
  @ApiProperty({ type: [String] }) featureNames: string[];
  @ApiProperty({ type: ModelMetricsDto }) metrics: ModelMetricsDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'An example record (the first parity record)',
  })
  exampleRecord: Record<string, unknown>;
}
