import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import type { ApiKeyView } from './auth.service';
import type { Principal } from './principal';
import { SCOPES, effectiveScopes, type Scope } from './scopes';

/** ISO 8601 date-time with a time zone (Z or ±hh:mm): a bare date or local time would be ambiguous. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
export const MAX_RATE_LIMIT_PER_MINUTE = 10_000_000;

const IsFutureDateTime = () =>
  ValidateBy({
    name: 'isFutureDateTime',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && DATE_TIME.test(value) && Date.parse(value) > Date.now(),
      defaultMessage: () =>
        'expiresAt must be an ISO 8601 date-time with a time zone in the future, e.g. 2030-01-01T00:00:00Z',
    },
  });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class CreateApiKeyDto {
  @ApiProperty({
    description: 'What the key is for; shown in listings.',
    example: 'nightly-batch',
    minLength: 1,
    maxLength: 100,
  })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  // Postgres text cannot hold NUL (a 500 before); other control characters only hide what a listing shows.
  // eslint-disable-next-line no-control-regex
  @Matches(/^[^\u0000-\u001f\u007f]*$/, {
    message: 'name must not contain control characters (NUL, newlines…)',
  })
  name: string;

  @ApiProperty({
    enum: SCOPES,
    isArray: true,
    example: ['predict', 'batch'],
    description: '`admin` implies every other scope.',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each value in scopes must be one of: ${SCOPES.join(', ')}` })
  scopes: Scope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2030-01-01T00:00:00Z',
    description: 'When the key stops working (must be in the future). Omit or null: never.',
  })
  @IsOptional()
  @IsFutureDateTime()
  expiresAt?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_RATE_LIMIT_PER_MINUTE,
    example: 600,
    description:
      'Requests per minute for this key, counted per API instance. Omit or null: the server default (RATE_LIMIT_PER_MINUTE).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_LIMIT_PER_MINUTE)
  rateLimitPerMinute?: number | null;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '3f1c6f0e-8a2b-4c1d-9e7f-0a1b2c3d4e5f' })
  id: string;

  @ApiProperty({ example: 'nightly-batch' })
  name: string;

  @ApiProperty({
    description: "The key's first 12 characters, to tell keys apart. Not enough to authenticate.",
    example: 'hp_Zk3Qm9xW',
  })
  prefix: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['predict', 'batch'] })
  scopes: Scope[];

  @ApiProperty({ enum: ['active', 'revoked', 'expired'], example: 'active' })
  status: 'active' | 'revoked' | 'expired';

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 600,
    description: 'Own requests-per-minute limit; null: the server default.',
  })
  rateLimitPerMinute: number | null;

  @ApiProperty({ format: 'date-time', example: '2025-01-15T09:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2030-01-01T00:00:00.000Z' })
  expiresAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revokedAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2025-01-16T12:00:00.000Z',
    description: 'Last use, recorded at most once a minute.',
  })
  lastUsedAt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'Id of the key that created this one; null for the bootstrap key.',
  })
  createdBy: string | null;

  static from(key: ApiKeyView, now = Date.now()): ApiKeyDto {
    const dto = new ApiKeyDto();
    dto.id = key.id;
    dto.name = key.name;
    dto.prefix = key.prefix;
    dto.scopes = key.scopes as Scope[];
    dto.status =
      key.revokedAt !== null
        ? 'revoked'
        : key.expiresAt !== null && key.expiresAt <= now
          ? 'expired'
          : 'active';
    dto.rateLimitPerMinute = key.rateLimitPerMinute;
    dto.createdAt = new Date(key.createdAt).toISOString();
    dto.expiresAt = iso(key.expiresAt);
    dto.revokedAt = iso(key.revokedAt);
    dto.lastUsedAt = iso(key.lastUsedAt);
    dto.createdBy = key.createdBy;
    return dto;
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description: 'The secret key. Shown in this response only: store it now, it cannot be retrieved again.',
    example: 'hp_Zk3Qm9xWb7Yt2LrN5sQ8vUe1AiOc4GhJdKfPzXyMwT0',
  })
  key: string;

  static withKey(key: ApiKeyView, secret: string): CreatedApiKeyDto {
    return Object.assign(new CreatedApiKeyDto(), ApiKeyDto.from(key), { key: secret });
  }
}

export class MyApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '3f1c6f0e-8a2b-4c1d-9e7f-0a1b2c3d4e5f' })
  id: string;

  @ApiProperty({ example: 'dashboard' })
  name: string;

  @ApiProperty({ example: 'hp_Zk3Qm9xW' })
  prefix: string;

  @ApiProperty({
    enum: SCOPES,
    isArray: true,
    example: ['predict', 'models:read'],
    description: 'The scopes the key was given.',
  })
  scopes: Scope[];

  @ApiProperty({
    enum: SCOPES,
    isArray: true,
    example: ['predict', 'models:read'],
    description: 'Every scope the key effectively has (all of them for admin): what the key may do.',
  })
  effectiveScopes: Scope[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2030-01-01T00:00:00.000Z' })
  expiresAt: string | null;

  @ApiProperty({ example: 1200, description: 'Requests per minute allowed for this key (per API instance).' })
  rateLimitPerMinute: number;

  static from(principal: Principal, key: ApiKeyView, rateLimitPerMinute: number): MyApiKeyDto {
    const dto = new MyApiKeyDto();
    dto.id = principal.keyId;
    dto.name = principal.name;
    dto.prefix = key.prefix;
    dto.scopes = [...principal.scopes];
    dto.effectiveScopes = effectiveScopes(principal.scopes);
    dto.expiresAt = iso(key.expiresAt);
    dto.rateLimitPerMinute = rateLimitPerMinute;
    return dto;
  }
}
