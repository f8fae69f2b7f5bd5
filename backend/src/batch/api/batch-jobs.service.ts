import { createHash, randomUUID } from 'node:crypto';
import { finished, Transform, type Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type FindOptionsWhere } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { ProblemException, conflict, notFound, validationProblem } from '../../common/problem';
import type { ModelVersionEntity } from '../../model-registry/model-version.entity';
import { RegistryService } from '../../model-registry/registry.service';
import { DatasetService } from '../../dataset/dataset.service';
import { ARTIFACT_STORE, ArtifactTooLargeError, type ArtifactStore } from '../../storage/artifact-store';
import {
  FINISHED_STATUSES,
  PREDICT_JOB,
  UNFINISHED_STATUSES,
  batchKeys,
  type JobStatus,
} from '../shared/batch.constants';
import { BatchJobEntity } from '../shared/batch-job.entity';
import { BatchQueueService } from '../shared/batch-queue.service';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '@housing/ml';
import type { CreateBatchJobDto } from './batch.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Most contributions a batch row's `explanation` cell may list. */
export const MAX_EXPLAIN_TOP = 20;

/** sha256 of what a submission asked for: the idempotency key is bound to it. */
export function requestFingerprint(request: {
  file?: string;
  inputUri?: string;
  datasetId?: string;
  modelName?: string;
  modelVersion?: number | string;
  /** A model reference (`name@alias`, `name/version`, `name`). */
  model?: string;
  explain?: number;
}): string {
  const canonical = JSON.stringify([
    request.file ?? null,
    request.inputUri ?? null,
    request.modelName ?? null,
    request.modelVersion === undefined ? null : String(request.modelVersion),
    // appended only when present, so fingerprints stored before datasets existed stay the same
    ...(request.datasetId === undefined ? [] : [request.datasetId]),
    ...(request.explain ? [`explain:${request.explain}`] : []),
    ...(request.model === undefined ? [] : [`model:${request.model}`]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export const unprocessable = (type: string, title: string, detail: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, type, title, detail);

export const tooLarge = (limit: number) =>
  new ProblemException(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'payload-too-large',
    'Payload too large',
    `the upload exceeds BATCH_UPLOAD_LIMIT_BYTES (${limit} bytes)`,
  );

const uploadFailed = (error: Error) =>
  validationProblem([
    { field: 'file', message: `the upload is malformed or was cut short: ${error.message}` },
  ]);

/** An uploaded CSV to score, as the controller read it from the request. */
export interface UploadSubmission {
  /**
   * The CSV's bytes. An error it emits is the upload's (400), ArtifactTooLargeError when the upload
   * passed the limit on its way (413).
   */
  stream: Readable;
  /** The uploaded file's name, for the job's record. */
  fileName: string | undefined;
  /**
   * The model version named (both parts needed, else 400), or a `reference` (`name@alias`,
   * `name/version`, a bare name: its champion), resolved now; absent: the production version now.
   */
  model?: { name?: string; version?: number; reference?: string };
  /** Contributions to list per result row, 0 to MAX_EXPLAIN_TOP. */
  explain: number;
  principal: Principal;
  idempotencyKey: string | undefined;
}

export interface Submitted {
  job: BatchJobEntity;
  /** True when the idempotency key matched an earlier submission (no new job). */
  replayed: boolean;
}

/** The input a JSON request names: an artifact-store URI or a registered dataset (exactly one). */
export interface BatchInputRef {
  inputUri?: string;
  datasetId?: string;
}

export type ResolvedInput = Pick<
  BatchJobEntity,
  'inputUri' | 'inputKey' | 'inputBytes' | 'datasetId' | 'datasetSha256'
>;

const isAdmin = (principal: Principal) => principal.scopes.includes('admin');

/**
 * Batch jobs on the API side: submission (upload streamed to the artifact store, or a URI already in
 * it), idempotency, listing, status, cancellation and the result/errors files. A job is a database row
 * first and a BullMQ job second: if Redis is down at submit time the row waits and the workers'
 * reconciler queues it when Redis answers again.
 */
@Injectable()
export class BatchJobsService {
  private readonly logger = new Logger('BatchJobs');

  constructor(
    @InjectRepository(BatchJobEntity) private readonly jobs: Repository<BatchJobEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryService,
    private readonly queue: BatchQueueService,
    private readonly datasets: DatasetService,
  ) {}

  /** Validates an Idempotency-Key header value (undefined when absent). */
  idempotencyKey(header: string | string[] | undefined): string | undefined {
    const value = Array.isArray(header) ? header[0] : header;
    if (value === undefined || value === '') return undefined;
    if (!IDEMPOTENCY_KEY.test(value)) {
      throw validationProblem([
        { field: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' },
      ]);
    }
    return value;
  }

  /**
   * The job an idempotency key names, if the key is still bound. A key is bound for
   * IDEMPOTENCY_KEY_TTL_SECONDS after its job was created; after that it is released from the job
   * (the job keeps everything else) and the next request with it creates a new job.
   */
  private async byIdempotencyKey(
    principal: Principal,
    key: string | undefined,
  ): Promise<BatchJobEntity | null> {
    if (key === undefined) return null;
    const row = await this.jobs.findOneBy({ apiKeyId: principal.keyId, idempotencyKey: key });
    if (!row || row.createdAt >= Date.now() - this.config.IDEMPOTENCY_KEY_TTL_SECONDS * 1000) return row;
    await this.jobs.update({ id: row.id, idempotencyKey: key }, { idempotencyKey: null });
    this.logger.log(`idempotency key of job ${row.id} expired and was released`);
    return null;
  }

  /**
   * The earlier job of a reused key: the same request replays it; another request (other file, input
   * URI or model version) is refused with 422, as the IETF Idempotency-Key draft says.
   */
  private replay(existing: BatchJobEntity, fingerprint: string): Submitted {
    if (existing.requestFingerprint !== null && existing.requestFingerprint !== fingerprint) {
      throw unprocessable(
        'idempotency-key-reused',
        'Idempotency-Key reused with another request',
        `Idempotency-Key ${JSON.stringify(existing.idempotencyKey)} was used for job ${existing.id} with another request ` +
          '(a different file, input URI or model version); send a new key for a new job',
      );
    }
    return { job: existing, replayed: true };
  }

  /**
   * The version to score with: the one named (by name and version, or by a reference that is
   * resolved now: the job keeps the version, not the alias), else the production version now.
   */
  async resolveModel(
    ref: { name?: string; version?: number; reference?: string } | undefined,
  ): Promise<ModelVersionEntity> {
    if (ref?.reference !== undefined) {
      if (ref.name !== undefined || ref.version !== undefined)
        throw validationProblem([
          {
            field: 'model',
            message: 'name the model once: either model or modelName/modelVersion, not both',
          },
        ]);
      try {
        return await this.registry.resolveReference(ref.reference, 'model');
      } catch (error) {
        if (error instanceof ProblemException && error.getStatus() === 404)
          throw unprocessable('unknown-model-version', 'Unknown model version', error.message);
        throw error;
      }
    }
    if (ref && (ref.name !== undefined || ref.version !== undefined)) {
      if (
        !ref.name ||
        !MODEL_NAME_PATTERN.test(ref.name) ||
        !Number.isInteger(ref.version) ||
        ref.version! < 1 ||
        ref.version! > 2147483647
      ) {
        throw validationProblem([
          {
            field: 'modelVersion',
            message: `needs both a model name (${MODEL_NAME_RULE}) and a version number (integer, 1 to 2147483647)`,
          },
        ]);
      }
      try {
        return await this.registry.get(ref.name, ref.version!);
      } catch (error) {
        if (error instanceof ProblemException && error.getStatus() === 404) {
          throw unprocessable(
            'unknown-model-version',
            'Unknown model version',
            `model ${ref.name} version ${ref.version} is not registered`,
          );
        }
        throw error;
      }
    }
    const production = await this.registry.findProduction();
    if (!production) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'no-production-model',
        'No model in production',
        'no model version is in production: promote one, or name one with modelVersion {name, version}',
      );
    }
    return production;
  }

  /** The artifact key of a user-given input URI, or a 422 saying why it cannot be used. */
  async inputKeyOf(uri: string, principal: Principal | null): Promise<{ key: string; bytes: number }> {
    const key = this.store.keyOf(uri);
    if (key === undefined) {
      throw unprocessable(
        'input-outside-store',
        'Input outside the artifact store',
        `${uri} is not inside the artifact store (${this.config.ARTIFACT_STORE})`,
      );
    }
    // Job outputs and model packages are not inputs (they would let one key read another's data).
    if (principal && !isAdmin(principal) && /^(batch|models)\//.test(key)) {
      throw unprocessable(
        'input-not-allowed',
        'Input not allowed',
        `${uri} is in the store's ${key.split('/')[0]}/ area, which batch inputs may not read`,
      );
    }
    const bytes = await this.store.size(key);
    if (bytes === undefined)
      throw unprocessable(
        'input-not-found',
        'Input not found',
        `${uri}: no such object in the artifact store`,
      );
    return { key, bytes };
  }

  /**
   * The input of a JSON-submitted run: exactly one of an artifact-store URI or a registered dataset
   * (404 when unknown). A dataset is read from its immutable content-addressed object.
   */
  async resolveInput(input: BatchInputRef, principal: Principal): Promise<ResolvedInput> {
    if ((input.inputUri === undefined) === (input.datasetId === undefined))
      throw validationProblem([{ field: 'inputUri', message: 'send exactly one of inputUri and datasetId' }]);
    if (input.datasetId !== undefined) {
      const dataset = await this.datasets.get(input.datasetId);
      return {
        inputUri: this.datasets.uri(dataset),
        inputKey: dataset.artifactKey,
        inputBytes: dataset.bytes,
        datasetId: dataset.id,
        datasetSha256: dataset.sha256,
      };
    }
    const { key, bytes } = await this.inputKeyOf(input.inputUri!, principal);
    return {
      inputUri: input.inputUri!,
      inputKey: key,
      inputBytes: bytes,
      datasetId: null,
      datasetSha256: null,
    };
  }

  /** A JSON submission: an input already in the store (URI) or a registered dataset. */
  async submitUri(
    request: CreateBatchJobDto,
    principal: Principal,
    idempotencyKey: string | undefined,
  ): Promise<Submitted> {
    const modelRef =
      request.model !== undefined
        ? { ...request.modelVersion, reference: request.model }
        : request.modelVersion;
    const explainTop = request.explain ?? 0;
    const fingerprint = requestFingerprint({
      inputUri: request.inputUri,
      datasetId: request.datasetId,
      modelName: request.modelVersion?.name,
      modelVersion: request.modelVersion?.version,
      model: request.model,
      explain: explainTop,
    });
    const existing = await this.byIdempotencyKey(principal, idempotencyKey);
    if (existing) return this.replay(existing, fingerprint);
    const model = await this.resolveModel(modelRef);
    await this.assertExplainable(model, explainTop);
    const resolved = await this.resolveInput(request, principal);
    return this.create(
      { id: randomUUID(), ...resolved, inputName: null, explainTop },
      model,
      principal,
      { key: idempotencyKey, fingerprint },
      false,
    );
  }

  /**
   * An uploaded CSV, streamed to the store with the size limit (413 past it). The caller reads the
   * rest of the stream when this fails (it is the client's request body).
   */
  async submitUpload(upload: UploadSubmission): Promise<Submitted> {
    const { stream, principal, idempotencyKey, explain } = upload;
    const limit = this.config.BATCH_UPLOAD_LIMIT_BYTES;
    const fingerprintOf = (sha256: string) =>
      requestFingerprint({
        file: sha256,
        modelName: upload.model?.name,
        modelVersion: upload.model?.version,
        model: upload.model?.reference,
        explain,
      });
    const existing = await this.byIdempotencyKey(principal, idempotencyKey);
    if (existing) return this.replay(existing, fingerprintOf(await this.hashUpload(stream, limit)));
    const model = await this.resolveModel(upload.model);
    await this.assertExplainable(model, explain);
    const id = randomUUID();
    const key = batchKeys.input(id);
    const { bytes, sha256 } = await this.storeUpload(key, stream, limit);
    return this.create(
      {
        id,
        inputUri: this.store.uri(key),
        inputKey: key,
        inputBytes: bytes,
        inputName: upload.fileName?.slice(0, 255) || null,
        explainTop: explain,
      },
      model,
      principal,
      { key: idempotencyKey, fingerprint: fingerprintOf(sha256) },
      true,
    );
  }

  /**
   * Streams an upload to `key` and hashes it. An error of the upload itself (cut short, malformed) is
   * the client's (400; 413 for ArtifactTooLargeError); one of the store is ours and propagates.
   */
  private async storeUpload(
    key: string,
    upload: Readable,
    limit: number,
  ): Promise<{ bytes: number; sha256: string }> {
    let uploadError: Error | undefined;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    // The store attaches its listeners after an await: an upload failing before that must not be an
    // unhandled 'error' event (which ends the process); the store still sees `hashing` destroyed by it.
    hashing.on('error', () => undefined);
    // finished() also reports an upload that failed before this point.
    finished(upload, { writable: false }, (error) => {
      if (!error) return;
      uploadError ??= error;
      hashing.destroy(error);
    });
    upload.pipe(hashing);
    try {
      const bytes = await this.store.putStream(key, hashing, { maxBytes: limit });
      return { bytes, sha256: hash.digest('hex') };
    } catch (error) {
      upload.unpipe(hashing);
      if (error instanceof ArtifactTooLargeError || uploadError instanceof ArtifactTooLargeError)
        throw tooLarge(limit);
      if (uploadError) throw uploadFailed(uploadError);
      throw error;
    }
  }

  /** sha256 of an upload read to its end without storing it (a replayed request's file). */
  private async hashUpload(upload: Readable, limit: number): Promise<string> {
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of upload as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > limit) throw new ArtifactTooLargeError(limit);
        hash.update(chunk);
      }
    } catch (error) {
      if (error instanceof ArtifactTooLargeError) throw tooLarge(limit);
      throw uploadFailed(error as Error);
    }
    return hash.digest('hex');
  }

  /** Explanations need a package that carries its trees' covers (trained since explanations existed). */
  private async assertExplainable(model: ModelVersionEntity, explainTop: number): Promise<void> {
    if (explainTop === 0) return;
    const manifest = await this.registry.readManifest(model);
    if (!manifest.explain)
      throw unprocessable(
        'model-cannot-explain',
        'The model cannot explain its prices',
        `${model.name} v${model.version} was trained before explanations (its package has no trees.json): retrain it, or leave explain out`,
      );
  }

  private async create(
    input: Pick<BatchJobEntity, 'id' | 'inputUri' | 'inputKey' | 'inputBytes' | 'inputName' | 'explainTop'> &
      Partial<Pick<BatchJobEntity, 'datasetId' | 'datasetSha256'>>,
    model: ModelVersionEntity,
    principal: Principal,
    idempotency: { key: string | undefined; fingerprint: string },
    uploaded: boolean,
  ): Promise<Submitted> {
    const idempotencyKey = idempotency.key;
    const now = Date.now();
    const row = this.jobs.create({
      datasetId: null,
      datasetSha256: null,
      ...input,
      status: 'queued',
      apiKeyId: principal.keyId,
      idempotencyKey: idempotencyKey ?? null,
      requestFingerprint: idempotencyKey === undefined ? null : idempotency.fingerprint,
      modelVersionId: model.id,
      modelName: model.name,
      modelVersion: model.version,
      rowsRead: 0,
      rowsDone: 0,
      rowsFailed: 0,
      bytesRead: 0,
      attempts: 0,
      stalledCount: 0,
      attemptId: null,
      workerId: null,
      error: null,
      resultKey: null,
      errorsKey: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    });
    try {
      await this.jobs.insert(row);
    } catch (error) {
      // A concurrent request with the same idempotency key won the unique index: answer with its job.
      const winner = await this.byIdempotencyKey(principal, idempotencyKey).catch(() => null);
      if (uploaded) await this.store.deletePrefix(`batch/${input.id}/`).catch(() => undefined);
      if (winner) return this.replay(winner, idempotency.fingerprint);
      throw error;
    }
    try {
      await this.queue.add(PREDICT_JOB, { kind: 'predict', jobId: row.id }, row.id);
    } catch (error) {
      this.logger.warn(
        `job ${row.id} recorded but not queued yet (${(error as Error).message}); the workers queue it when Redis answers`,
      );
    }
    this.logger.log(
      `job ${row.id} submitted by ${principal.name}: ${row.inputUri} with ${model.name} v${model.version}`,
    );
    return { job: row, replayed: false };
  }

  async list(
    principal: Principal,
    query: { limit?: number; offset?: number; status?: JobStatus },
  ): Promise<{ rows: BatchJobEntity[]; total: number; limit: number; offset: number }> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const where: FindOptionsWhere<BatchJobEntity> = {
      ...(!isAdmin(principal) && { apiKeyId: principal.keyId }),
      ...(query.status && { status: query.status }),
    };
    const [rows, total] = await this.jobs.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { rows, total, limit, offset };
  }

  /** A job the caller may see (its own; every job for admin keys), or 404. */
  async get(principal: Principal, id: string): Promise<BatchJobEntity> {
    const row = await this.jobs.findOneBy({ id });
    if (!row || (!isAdmin(principal) && row.apiKeyId !== principal.keyId))
      throw notFound(`batch job ${id} does not exist`);
    return row;
  }

  /**
   * Cancels a queued or running job: a queued one leaves the queue, a running one stops at its next
   * chunk (its worker is told at once; it also notices on its next progress write). 409 once finished.
   */
  async cancel(principal: Principal, id: string): Promise<BatchJobEntity> {
    const row = await this.get(principal, id);
    if (FINISHED_STATUSES.includes(row.status)) throw conflict(`batch job ${id} is already ${row.status}`);
    const now = Date.now();
    const updated = await this.jobs.update(
      { id, status: In([...UNFINISHED_STATUSES]) },
      {
        status: 'cancelled',
        error: `cancelled by API key ${principal.name}`,
        finishedAt: now,
        updatedAt: now,
      },
    );
    if (!updated.affected) {
      const current = await this.get(principal, id);
      throw conflict(`batch job ${id} is already ${current.status}`);
    }
    let removed = false;
    try {
      removed = await this.queue.removeIfNotActive(id);
      if (!removed) await this.queue.publishCancel(id);
    } catch (error) {
      // The row says cancelled: a worker that picks the job up or is running it stops on its own.
      this.logger.warn(
        `job ${id}: cancelled in the database; queue not reached (${(error as Error).message})`,
      );
    }
    this.logger.log(
      `job ${id} cancelled (${removed ? 'removed from the queue' : 'the running worker stops at its next chunk'})`,
    );
    return this.get(principal, id);
  }

  /** The result or errors CSV as a stream, or the problem saying why it is not there (yet). */
  async openFile(
    principal: Principal,
    id: string,
    which: 'result' | 'errors',
  ): Promise<{ stream: Readable; bytes: number | undefined; filename: string }> {
    const row = await this.get(principal, id);
    const key = which === 'result' ? (row.status === 'completed' ? row.resultKey : null) : row.errorsKey;
    if (!key) {
      if (UNFINISHED_STATUSES.includes(row.status)) {
        throw conflict(
          `batch job ${id} is ${row.status}: its ${which} file is available once it has finished`,
        );
      }
      throw notFound(
        `batch job ${id} is ${row.status} and has no ${which} file${row.error ? ` (${row.error})` : ''}`,
      );
    }
    const bytes = await this.store.size(key);
    if (bytes === undefined)
      throw notFound(`the ${which} file of batch job ${id} is gone from the artifact store`);
    return { stream: await this.store.getStream(key), bytes, filename: `batch-${id}-${which}.csv` };
  }

  uri(key: string): string {
    return this.store.uri(key);
  }
}
