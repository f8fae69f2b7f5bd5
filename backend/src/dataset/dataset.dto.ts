import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ListQueryDto } from '../batch/api/batch.dto';
import type { ColumnProfile } from './dataset-profile';
import type { DatasetEntity } from './dataset.entity';

/** Built-in spec names: lower-case letters, digits, `-`, `_`, `.` (never a path). */
export const SPEC_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export class RegisterDatasetFromUriDto {
  @ApiProperty({ example: 'housets', description: 'Name of the built-in dataset spec the CSV follows' })
  @IsString()
  @MaxLength(100)
  @Matches(SPEC_NAME, { message: 'must be a built-in spec name (letters, digits, - _ .)' })
  spec: string;

  @ApiProperty({
    example: 's3://housing-artifacts/uploads/listings-2024.csv',
    description: 'A CSV inside the artifact store',
  })
  @IsString()
  @MaxLength(1000)
  uri: string;
}

export class UploadDatasetDto {
  @ApiProperty({ example: 'housets', description: 'Built-in spec name; send this field before `file`' })
  spec: string;

  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'The CSV, at most DATASET_UPLOAD_LIMIT_BYTES',
  })
  file: unknown;
}

export class ListDatasetsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{64}$',
    description: 'Only the dataset with this sha256 (e.g. a model lineage’s datasetSha256): zero or one item',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex digits' })
  sha256?: string;
}

export class CategoryCountDto {
  @ApiProperty() value: string;
  @ApiProperty() count: number;
}

export class ColumnProfileDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Empty fields (and fields missing from short rows)' }) missing: number;
  @ApiProperty({ enum: ['numeric', 'categorical', 'empty'] }) kind: 'numeric' | 'categorical' | 'empty';
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: 'Categorical columns: distinct non-numeric values; null when more than 1,000',
  })
  distinct?: number | null;
  @ApiPropertyOptional({
    type: [CategoryCountDto],
    description: 'Most frequent non-numeric values (categorical columns)',
  })
  top?: CategoryCountDto[];
}

export class ModelRefDto {
  @ApiProperty({ example: 'housets-xgboost' }) name: string;
  @ApiProperty({ example: 2 }) version: number;
}

export class DatasetDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'sha256 of the file bytes (the same as a model lineage’s datasetSha256)' })
  sha256: string;
  @ApiProperty({ example: 'housets' }) spec: string;
  @ApiProperty({ nullable: true, type: 'string', example: 'housets-2024.csv' }) fileName: string | null;
  @ApiProperty() bytes: number;
  @ApiProperty({ description: 'Data rows (the header excluded)' }) rows: number;
  @ApiProperty({ type: [ColumnProfileDto] }) columns: ColumnProfileDto[];
  @ApiProperty({ example: 'file:///srv/housing/artifacts/datasets/sha256/ab12….csv' }) uri: string;
  @ApiProperty({ nullable: true, type: 'string', description: 'Id of the API key that registered it' })
  addedBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({
    type: [ModelRefDto],
    description: 'Model versions whose lineage records this sha256 (detail view only)',
  })
  models?: ModelRefDto[];

  static from(row: DatasetEntity, uri: string, models?: ModelRefDto[]): DatasetDto {
    return {
      id: row.id,
      sha256: row.sha256,
      spec: row.specName,
      fileName: row.fileName,
      bytes: row.bytes,
      rows: row.rowCount,
      columns: row.columns as ColumnProfile[],
      uri,
      addedBy: row.addedBy,
      createdAt: new Date(row.createdAt).toISOString(),
      ...(models ? { models } : {}),
    };
  }
}

export class DatasetListDto {
  @ApiProperty({ type: [DatasetDto] }) items: DatasetDto[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}
