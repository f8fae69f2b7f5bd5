import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs, nullableEpochMs } from '../database/epoch-ms';

/**
 * One API key. The secret itself is never stored: only its first 12 characters (`prefix`, to find
 * the row and to let people tell keys apart) and the SHA-256 of the whole key.
 *
 * A fast hash is the right choice here, unlike for passwords: generated keys carry 256 bits of
 * randomness (and BOOTSTRAP_ADMIN_KEY must be at least 32 characters), so brute-forcing a stolen
 * hash is infeasible however fast the hash is, and a slow KDF would cost CPU on every request.
 */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The key's first 12 characters (`hp_` + 9 random ones for generated keys). */
  @Index('IDX_api_keys_prefix', { unique: true })
  @Column({ type: 'varchar', length: 12 })
  prefix: string;

  /** SHA-256 of the whole key, lowercase hex. */
  @Column({ type: 'varchar', length: 64 })
  hash: string;

  @Column({ type: 'simple-json' })
  scopes: string[];

  /** Overrides RATE_LIMIT_PER_MINUTE for this key; null means the default. */
  @Column({ type: 'integer', nullable: true })
  rateLimitPerMinute: number | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  expiresAt: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  revokedAt: number | null;

  /** Updated at most once a minute per key and process, so it lags real use by up to a minute. */
  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  lastUsedAt: number | null;

  /** Id of the key that created this one; null for the bootstrap key. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;
}
