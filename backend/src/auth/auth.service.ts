import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ProblemException, conflict, notFound, validationProblem } from '../common/problem';
import { ApiKeyEntity } from './api-key.entity';
import { KEY_PREFIX_LENGTH, MAX_KEY_LENGTH, generateApiKey, hashKey, keyPrefix } from './key-material';
import type { Principal } from './principal';
import { TokenBucketLimiter, type RateDecision } from './rate-limiter';
import { SCOPES, isScope, type Scope } from './scopes';

/** Wall-clock milliseconds; tests inject their own under AUTH_CLOCK. */
export const AUTH_CLOCK = Symbol('AUTH_CLOCK');
export type AuthClock = () => number;

/**
 * How long a looked-up key is trusted without asking the database again. Revocation through this
 * service clears the entry at once; a revocation made by another API instance (or directly in the
 * database) reaches this instance within this time. Expiry is checked on every request against the
 * cached expiresAt, so it is exact.
 */
export const KEY_CACHE_TTL_MS = 1000;
/** lastUsedAt is written at most this often per key and process (not on every request). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const NEGATIVE_CACHE_MAX = 10_000;

export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';
export const BOOTSTRAP_BANNER = 'Bootstrap admin API key (shown once):';

/** An API key as shown to admins: never the secret, never its hash. */
export type ApiKeyView = Omit<ApiKeyEntity, 'hash'>;

export interface CreateApiKeyInput {
  name: string;
  scopes: readonly string[];
  /** Epoch ms, in the future; null/undefined for no expiry. */
  expiresAt?: number | null;
  rateLimitPerMinute?: number | null;
  createdBy?: string | null;
}

export interface CreatedApiKey {
  /** The secret. Returned here once; only its prefix and hash are stored. */
  key: string;
  record: ApiKeyView;
}

interface CachedKey {
  id: string;
  principal: Principal;
  expiresAt: number | null;
  revokedAt: number | null;
  loadedAt: number;
}

const unauthorized = (detail: string) =>
  new ProblemException(HttpStatus.UNAUTHORIZED, 'unauthorized', 'Unauthorized', detail, undefined, {
    'www-authenticate': 'Bearer realm="housing-api"',
  });

export const MISSING_KEY_DETAIL =
  'missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>';

function view(entity: ApiKeyEntity): ApiKeyView {
  const { hash: _hash, ...rest } = entity;
  return rest;
}

/**
 * API keys: creation (the secret is shown once), listing, revocation, and the per-request path —
 * authentication from an in-memory cache keyed by the key's SHA-256, and per-key rate limiting.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Auth');
  private readonly now: AuthClock;
  private readonly limiter: TokenBucketLimiter;
  /** sha256 hex → key state (valid, revoked or expired rows; expiry/revocation checked per use). */
  private readonly cache = new Map<string, CachedKey>();
  /** sha256 hex → time a lookup found no matching key; spares the database from a client stuck on a wrong key. */
  private readonly unknown = new Map<string, number>();
  /** sha256 hex → lookup in progress, so a burst with a cold cache makes one query. */
  private readonly inflight = new Map<string, Promise<CachedKey | null>>();
  /** Bumped by revoke(): a lookup that started before a revocation does not cache its result. */
  private revision = 0;
  /** keyId → the key's own requests-per-minute limit (null: the default), refreshed with the cache. */
  private readonly limits = new Map<string, number | null>();
  /** keyId → last use seen / last use written, for the throttled lastUsedAt update. */
  private readonly lastUsed = new Map<string, number>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(AUTH_CLOCK) clock?: AuthClock,
  ) {
    this.now = clock ?? Date.now;
    this.limiter = new TokenBucketLimiter(this.now);
  }

  // ---------------------------------------------------------------- per request

  /**
   * The principal for a presented key, or a 401 problem: "invalid API key" (unknown prefix or
   * wrong secret), "API key revoked", "API key expired at <ISO time>".
   */
  async authenticate(key: string): Promise<Principal> {
    if (key.length < KEY_PREFIX_LENGTH || key.length > MAX_KEY_LENGTH) throw unauthorized('invalid API key');
    const digest = hashKey(key);
    // Keyed by the hash, not the key: Map lookup timing on a SHA-256 reveals nothing useful about the secret.
    const id = digest.toString('hex');
    const now = this.now();
    let entry = this.cache.get(id);
    if (entry === undefined || now - entry.loadedAt >= KEY_CACHE_TTL_MS || now < entry.loadedAt) {
      const missAt = this.unknown.get(id);
      const knownUnknown = missAt !== undefined && now - missAt < KEY_CACHE_TTL_MS && now >= missAt;
      if (knownUnknown) throw unauthorized('invalid API key');
      entry = (await this.load(key, digest, id)) ?? undefined;
      if (entry === undefined) throw unauthorized('invalid API key');
    }
    if (entry.revokedAt !== null) throw unauthorized('API key revoked');
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      throw unauthorized(`API key expired at ${new Date(entry.expiresAt).toISOString()}`);
    }
    this.touch(entry.id, now);
    return entry.principal;
  }

  /** Takes one request from the key's token bucket (limit: the key's own, else RATE_LIMIT_PER_MINUTE). */
  takeRateLimit(principal: Principal): RateDecision {
    const limit = this.limitFor(principal.keyId);
    return this.limiter.take(principal.keyId, limit);
  }

  /** The 429 problem for a refused RateDecision, with Retry-After. */
  rateLimitProblem(decision: RateDecision): ProblemException {
    return new ProblemException(
      HttpStatus.TOO_MANY_REQUESTS,
      'rate-limited',
      'Too many requests',
      `rate limit of ${decision.limit} requests per minute for this API key exceeded; retry after ${decision.retryAfterSeconds} s`,
      undefined,
      { 'retry-after': String(decision.retryAfterSeconds) },
    );
  }

  /** The requests-per-minute limit that applies to a key. */
  limitFor(keyId: string): number {
    return this.limits.get(keyId) ?? this.config.RATE_LIMIT_PER_MINUTE;
  }

  private async load(key: string, digest: Buffer, id: string): Promise<CachedKey | null> {
    let pending = this.inflight.get(id);
    if (pending === undefined) {
      pending = this.lookup(key, digest, id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async lookup(key: string, digest: Buffer, id: string): Promise<CachedKey | null> {
    const revision = this.revision;
    const row = await this.keys.findOneBy({ prefix: keyPrefix(key) });
    const loadedAt = this.now();
    // The prefix only finds the row; the secret is checked by comparing hashes in constant time.
    const stored = row === null ? null : Buffer.from(row.hash, 'hex');
    const matches =
      row !== null && stored !== null && stored.length === digest.length && timingSafeEqual(stored, digest);
    if (!matches || row === null) {
      if (this.unknown.size >= NEGATIVE_CACHE_MAX) this.unknown.clear();
      this.unknown.set(id, loadedAt);
      return null;
    }
    const entry: CachedKey = {
      id: row.id,
      principal: Object.freeze({
        keyId: row.id,
        name: row.name,
        scopes: Object.freeze(row.scopes.filter(isScope)),
      }),
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
      loadedAt,
    };
    if (revision === this.revision) {
      this.cache.set(id, entry);
      this.limits.set(row.id, row.rateLimitPerMinute);
      this.unknown.delete(id);
    }
    return entry;
  }

  /** Records a use; writes lastUsedAt only when the last write for this key is a minute old. */
  private touch(keyId: string, now: number): void {
    this.lastUsed.set(keyId, now);
    const written = this.lastUsedWritten.get(keyId);
    if (written !== undefined && now - written < LAST_USED_WRITE_INTERVAL_MS && now >= written) return;
    this.lastUsedWritten.set(keyId, now);
    void this.keys.update({ id: keyId }, { lastUsedAt: now }).catch((error: unknown) => {
      this.logger.warn({ keyId, error: (error as Error).message }, 'could not record API key use');
    });
  }

  // ---------------------------------------------------------------- management

  /** Creates a key. The secret is in the result and nowhere else: only its prefix and hash are stored. */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const scopes = [...new Set(input.scopes)];
    const bad = scopes.filter((scope) => !isScope(scope));
    if (scopes.length === 0 || bad.length > 0) {
      throw validationProblem([
        { field: 'scopes', message: `scopes must be a non-empty list of: ${SCOPES.join(', ')}` },
      ]);
    }
    const now = this.now();
    if (input.expiresAt != null && !(input.expiresAt > now)) {
      throw validationProblem([{ field: 'expiresAt', message: 'expiresAt must be in the future' }]);
    }
    let key = generateApiKey();
    // 54 random bits in the prefix make a collision vanishingly rare; retry rather than fail if one happens.
    for (let attempt = 0; attempt < 5 && (await this.keys.existsBy({ prefix: keyPrefix(key) })); attempt++)
      key = generateApiKey();
    const entity = await this.insert(key, {
      name: input.name,
      scopes: scopes as Scope[],
      expiresAt: input.expiresAt ?? null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      createdBy: input.createdBy ?? null,
    });
    this.logger.log(
      { keyId: entity.id, name: entity.name, scopes: entity.scopes, createdBy: entity.createdBy },
      'API key created',
    );
    return { key, record: view(entity) };
  }

  /** Every key, newest first, without secrets or hashes. */
  async list(): Promise<ApiKeyView[]> {
    const rows = await this.keys.find({ order: { createdAt: 'DESC' } });
    return rows.map(view);
  }

  async get(id: string): Promise<ApiKeyView> {
    const row = await this.keys.findOneBy({ id });
    if (row === null) throw notFound(`no API key with id ${id}`);
    return view(row);
  }

  /**
   * Revokes a key; it stops working on its next request (on this instance at once, on other
   * instances within KEY_CACHE_TTL_MS). Revoking an already revoked key changes nothing.
   * The last active admin key cannot be revoked (that would lock every admin out).
   */
  async revoke(id: string, revokedBy?: string): Promise<ApiKeyView> {
    const row = await this.keys.findOneBy({ id });
    if (row === null) throw notFound(`no API key with id ${id}`);
    if (row.revokedAt === null) {
      const now = this.now();
      if (this.isActiveAdmin(row, now)) {
        const admins = (await this.activeKeys(now)).filter((k) => k.scopes.includes('admin'));
        if (admins.every((k) => k.id === row.id)) {
          throw conflict('cannot revoke the last active admin key: create another admin key first');
        }
      }
      row.revokedAt = now;
      await this.keys.update({ id }, { revokedAt: now });
      this.logger.log({ keyId: id, name: row.name, revokedBy: revokedBy ?? null }, 'API key revoked');
    }
    this.forget(id);
    return view(row);
  }

  private forget(id: string): void {
    this.revision++;
    for (const [hash, entry] of this.cache) if (entry.id === id) this.cache.delete(hash);
    this.limits.delete(id);
    this.limiter.forget(id);
  }

  private async insert(
    key: string,
    fields: Pick<ApiKeyEntity, 'name' | 'scopes' | 'expiresAt' | 'rateLimitPerMinute' | 'createdBy'>,
  ): Promise<ApiKeyEntity> {
    const entity = this.keys.create({
      id: randomUUID(),
      prefix: keyPrefix(key),
      hash: hashKey(key).toString('hex'),
      createdAt: this.now(),
      revokedAt: null,
      lastUsedAt: null,
      ...fields,
    });
    await this.keys.insert(entity);
    // A client may have tried this key just before it existed.
    this.unknown.clear();
    return entity;
  }

  private isActiveAdmin(row: Pick<ApiKeyEntity, 'scopes' | 'revokedAt' | 'expiresAt'>, now: number): boolean {
    return (
      row.revokedAt === null &&
      (row.expiresAt === null || row.expiresAt > now) &&
      row.scopes.includes('admin')
    );
  }

  private async activeKeys(
    now: number,
  ): Promise<Pick<ApiKeyEntity, 'id' | 'scopes' | 'expiresAt' | 'revokedAt'>[]> {
    const rows = await this.keys.find({
      where: { revokedAt: IsNull() },
      select: { id: true, scopes: true, expiresAt: true, revokedAt: true },
    });
    return rows.filter((row) => row.expiresAt === null || row.expiresAt > now);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Makes sure an admin can get in. BOOTSTRAP_ADMIN_KEY set: stored (hashed) as "bootstrap-admin"
   * unless a key with its prefix already exists (even revoked: a revoked key is never revived) or
   * another active admin key exists. Not set and no active admin key: one is generated and printed
   * once to stdout — deliberately not through the JSON logger, whose lines are shipped and kept.
   */
  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.BOOTSTRAP_ADMIN_KEY;
    if (configured !== undefined) {
      const existing = await this.keys.findOneBy({ prefix: keyPrefix(configured) });
      if (existing !== null) {
        const same = timingSafeEqual(Buffer.from(existing.hash, 'hex'), hashKey(configured));
        if (!same)
          this.logger.warn(
            { keyId: existing.id },
            'BOOTSTRAP_ADMIN_KEY shares its prefix with a different stored key; it was not stored',
          );
        else if (existing.revokedAt !== null)
          this.logger.warn(
            { keyId: existing.id },
            'BOOTSTRAP_ADMIN_KEY was revoked and stays revoked; set a new one to bootstrap again',
          );
        return;
      }
    }
    const now = this.now();
    if ((await this.activeKeys(now)).some((row) => row.scopes.includes('admin'))) {
      if (configured !== undefined)
        this.logger.log('an active admin API key exists; BOOTSTRAP_ADMIN_KEY was not stored');
      return;
    }
    const key = configured ?? generateApiKey();
    let entity: ApiKeyEntity;
    try {
      entity = await this.insert(key, {
        name: BOOTSTRAP_KEY_NAME,
        scopes: ['admin'],
        expiresAt: null,
        rateLimitPerMinute: null,
        createdBy: null,
      });
    } catch (error) {
      // Another instance starting at the same time stored it first (unique prefix).
      if (await this.keys.existsBy({ prefix: keyPrefix(key) })) return;
      throw error;
    }
    if (configured !== undefined) {
      this.logger.log({ keyId: entity.id }, 'stored BOOTSTRAP_ADMIN_KEY as the bootstrap admin API key');
    } else {
      process.stdout.write(
        `\n${BOOTSTRAP_BANNER} ${key}\n` +
          'Store it now: only its hash is kept and it will not be shown again. Create further keys with POST /v1/keys.\n\n',
      );
      this.logger.warn(
        { keyId: entity.id },
        'generated a bootstrap admin API key and printed it once to stdout',
      );
    }
  }

  /** Writes the last-use times not yet written (before the database connection closes). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushLastUsed();
  }

  async flushLastUsed(): Promise<void> {
    const pending = [...this.lastUsed].filter(([id, at]) => (this.lastUsedWritten.get(id) ?? -Infinity) < at);
    for (const [id, at] of pending) {
      this.lastUsedWritten.set(id, at);
      await this.keys.update({ id }, { lastUsedAt: at }).catch((error: unknown) => {
        this.logger.warn({ keyId: id, error: (error as Error).message }, 'could not record API key use');
      });
    }
  }
}
