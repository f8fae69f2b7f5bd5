import { createHash, randomUUID } from 'node:crypto';
import { Transform, finished, type Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InputError, loadSpec, validateSpec, type DatasetSpec } from '@housing/ml';
import type { Principal } from '../../auth/principal';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { ProblemException, conflict, notFound, validationProblem } from '../../common/problem';
import { DatasetService } from '../../dataset/dataset.service';
import { RegistryService } from '../../model-registry/registry.service';
import { ARTIFACT_STORE, ArtifactTooLargeError, type ArtifactStore } from '../../storage/artifact-store';
import {
  FINISHED_STATUSES,
  trainingKeys,
  type TrainingOptions,
  type TrainingTrial,
} from '../shared/training.constants';
import type { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingQueueService } from '../shared/training-queue.service';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import { MAX_INLINE_SPEC_BYTES, type ListTrainingRunsQueryDto, type RecordedRunDto, type TrainingRequestFieldsDto } from './training.dto';

const isAdmin = (principal: Principal) => principal.scopes.includes('admin');

const unprocessable = (type: string, title: string, detail: string, field?: string) =>
  new ProblemException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    type,
    title,
    detail,
    field ? [{ field, message: detail }] : undefined,
  );

export const tooLarge = (limit: number) =>
  new ProblemException(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'payload-too-large',
    'Upload too large',
    `the upload exceeds TRAINING_UPLOAD_LIMIT_BYTES (${limit} bytes)`,
  );

/** Where a run's CSV comes from. */
export type TrainingInput =
  | { kind: 'upload'; stream: Readable; fileName?: string }
  | { kind: 'uri'; inputUri: string }
  | { kind: 'dataset'; datasetId: string };

/**
 * Training runs on the API side: submit (an upload streamed to the store, an input URI or a registered
 * dataset; a built-in, stored or inline spec; bounded options), list, read, logs, cancel, and record a
 * run trained offline by `ml train --server`. The training workers run the queued ones.
 */
@Injectable()
export class TrainingRunsService {
  private readonly logger = new Logger('TrainingRuns');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly runs: TrainingRunsRepository,
    private readonly queue: TrainingQueueService,
    private readonly datasets: DatasetService,
    private readonly registry: RegistryService,
  ) {}

  /** The input a JSON body names: exactly one of inputUri and datasetId (400 otherwise). */
  static inputOf(body: { inputUri?: string; datasetId?: string }): TrainingInput {
    if ((body.inputUri === undefined) === (body.datasetId === undefined))
      throw validationProblem([{ field: 'inputUri', message: 'send exactly one of inputUri and datasetId' }]);
    return body.datasetId !== undefined ? { kind: 'dataset', datasetId: body.datasetId } : { kind: 'uri', inputUri: body.inputUri! };
  }

  /** Checks the fields and the input, stores an upload, records the run and queues it. */
  async submit(fields: TrainingRequestFieldsDto, input: TrainingInput, principal: Principal): Promise<TrainingRunEntity> {
    const options = this.options(fields);
    const dataset = input.kind === 'dataset' ? await this.datasets.get(input.datasetId) : undefined;
    const { specName, spec } = this.resolveSpec(fields, dataset?.specName);
    const id = randomUUID();
    let stored: Pick<TrainingRunEntity, 'inputUri' | 'inputKey' | 'inputBytes' | 'datasetId' | 'datasetSha256'>;
    if (input.kind === 'upload') {
      const key = trainingKeys.input(id);
      const { bytes, sha256 } = await this.storeUpload(key, input.stream);
      stored = { inputUri: this.store.uri(key), inputKey: key, inputBytes: bytes, datasetId: null, datasetSha256: sha256 };
    } else if (dataset) {
      stored = {
        inputUri: this.datasets.uri(dataset),
        inputKey: dataset.artifactKey,
        inputBytes: dataset.bytes,
        datasetId: dataset.id,
        datasetSha256: dataset.sha256,
      };
    } else {
      const { key, bytes } = await this.inputKeyOf((input as { inputUri: string }).inputUri, principal);
      stored = { inputUri: (input as { inputUri: string }).inputUri, inputKey: key, inputBytes: bytes, datasetId: null, datasetSha256: null };
    }
    let row: TrainingRunEntity;
    try {
      row = await this.runs.insert({ id, source: 'queue', apiKeyId: principal.keyId, specName, spec, options, ...stored });
    } catch (error) {
      if (input.kind === 'upload') await this.store.deletePrefix(trainingKeys.prefix(id)).catch(() => undefined);
      throw error;
    }
    try {
      await this.queue.add(id);
    } catch (error) {
      // The row is the record: a training worker's reconciler queues it when Redis answers.
      this.logger.warn(`training run ${id} recorded but not queued yet (${(error as Error).message})`);
    }
    this.logger.log(`training run ${id} queued (spec ${specName}, ${stored.inputBytes ?? '?'} bytes)`);
    return row;
  }

  /** The run's options, with the limits that depend on the configuration (422 naming the field). */
  options(fields: TrainingRequestFieldsDto): TrainingOptions {
    const c = this.config;
    if (fields.trials !== undefined && fields.trials > c.TRAINING_MAX_TRIALS)
      throw unprocessable('training-limit', 'Over a training limit', `trials must be at most TRAINING_MAX_TRIALS (${c.TRAINING_MAX_TRIALS})`, 'trials');
    if (fields.timeLimitSeconds !== undefined && fields.timeLimitSeconds > c.TRAINING_TIME_LIMIT_SECONDS)
      throw unprocessable(
        'training-limit',
        'Over a training limit',
        `timeLimitSeconds must be at most TRAINING_TIME_LIMIT_SECONDS (${c.TRAINING_TIME_LIMIT_SECONDS})`,
        'timeLimitSeconds',
      );
    const options: TrainingOptions = {};
    for (const name of ['trials', 'metric', 'seeds', 'fast', 'timeLimitSeconds', 'modelName'] as const)
      if (fields[name] !== undefined) (options as Record<string, unknown>)[name] = fields[name];
    return options;
  }

  /** A built-in spec by name, an inline one (every problem named), the dataset's stored one, else housets. */
  resolveSpec(fields: TrainingRequestFieldsDto, datasetSpec?: string): { specName: string; spec: DatasetSpec } {
    if (fields.spec !== undefined && fields.specName !== undefined)
      throw validationProblem([{ field: 'spec', message: 'send at most one of spec and specName' }]);
    if (fields.spec !== undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(fields.spec));
      if (bytes > MAX_INLINE_SPEC_BYTES)
        throw validationProblem([{ field: 'spec', message: `must be at most ${MAX_INLINE_SPEC_BYTES} bytes as JSON (got ${bytes})` }]);
      try {
        const spec = validateSpec(fields.spec, 'spec');
        return { specName: spec.name.slice(0, 200), spec };
      } catch (error) {
        // Any refusal of the spec's content is the client's (a validator that trips on an odd shape too).
        const problems =
          error instanceof InputError
            ? ((error.details.problems as string[] | undefined) ?? [error.message])
            : [`is not a valid dataset spec: ${(error as Error).message}`];
        throw validationProblem(
          problems.slice(0, 100).map((message) => ({ field: 'spec', message })),
          `the spec is not valid: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
        );
      }
    }
    const name = fields.specName ?? datasetSpec ?? 'housets';
    try {
      return { specName: name, spec: loadSpec(name) };
    } catch (error) {
      throw unprocessable('unknown-spec', 'Unknown spec', `no built-in spec "${name}": ${(error as Error).message}`, 'specName');
    }
  }

  /** An input URI inside the store, outside the areas runs may not read (422 otherwise). */
  private async inputKeyOf(uri: string, principal: Principal): Promise<{ key: string; bytes: number }> {
    const key = this.store.keyOf(uri);
    if (key === undefined)
      throw unprocessable('input-outside-store', 'Input outside the artifact store', `${uri} is not inside the artifact store`, 'inputUri');
    if (!isAdmin(principal) && /^(batch|models|training)\//.test(key))
      throw unprocessable('input-not-allowed', 'Input not allowed', `${uri} is in the store's ${key.split('/')[0]}/ area, which training inputs may not read`, 'inputUri');
    const bytes = await this.store.size(key);
    if (bytes === undefined) throw unprocessable('input-not-found', 'Input not found', `${uri}: no such object in the artifact store`, 'inputUri');
    return { key, bytes };
  }

  /** Streams an upload to the store with the size limit (413 past it; nothing is left behind). */
  private async storeUpload(key: string, upload: Readable): Promise<{ bytes: number; sha256: string }> {
    const limit = this.config.TRAINING_UPLOAD_LIMIT_BYTES;
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
    let uploadError: Error | undefined;
    finished(upload, { writable: false }, (error) => {
      if (!error) return;
      uploadError ??= error;
      hashing.destroy(error);
    });
    upload.pipe(hashing);
    try {
      const bytes = await this.store.putStream(key, hashing, { maxBytes: limit });
      if (bytes === 0) {
        await this.store.deletePrefix(key).catch(() => undefined);
        throw validationProblem([{ field: 'file', message: 'is empty: the training CSV needs a header and rows' }]);
      }
      return { bytes, sha256: hash.digest('hex') };
    } catch (error) {
      upload.unpipe(hashing);
      if (error instanceof ArtifactTooLargeError || uploadError instanceof ArtifactTooLargeError) throw tooLarge(limit);
      if (uploadError)
        throw validationProblem([{ field: 'file', message: `the upload did not complete: ${uploadError.message}` }]);
      throw error;
    }
  }

  async list(principal: Principal, query: ListTrainingRunsQueryDto) {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.runs.list({
      ...(!isAdmin(principal) && { apiKeyId: principal.keyId }),
      status: query.status,
      specName: query.specName,
      limit,
      offset,
    });
    return { rows, total, limit, offset };
  }

  async get(principal: Principal, id: string): Promise<TrainingRunEntity> {
    const row = await this.runs.find(id);
    if (!row || (!isAdmin(principal) && row.apiKeyId !== principal.keyId)) throw notFound(`training run ${id} does not exist`);
    return row;
  }

  holdoutUri(row: TrainingRunEntity): string | null {
    return row.holdoutKey ? this.store.uri(row.holdoutKey) : null;
  }

  /** The whole log once stored, else the tail the row holds (a running or just-started run). */
  async logs(principal: Principal, id: string): Promise<Readable | string> {
    const row = await this.get(principal, id);
    if (row.logKey && (await this.store.exists(row.logKey))) return this.store.getStream(row.logKey);
    return row.logTail ?? '';
  }

  /** Cancels a queued or running run (409 once finished): a queued one leaves the queue, a running one's trainer is stopped. */
  async cancel(principal: Principal, id: string): Promise<TrainingRunEntity> {
    const row = await this.get(principal, id);
    if (FINISHED_STATUSES.includes(row.status)) throw conflict(`training run ${id} is already ${row.status}`);
    if (!(await this.runs.cancel(id, `cancelled by API key ${principal.name}`))) {
      const current = await this.get(principal, id);
      throw conflict(`training run ${id} is already ${current.status}`);
    }
    try {
      if (!(await this.queue.removeIfNotActive(id))) await this.queue.publishCancel(id);
    } catch (error) {
      // The row says cancelled: the worker that holds it stops at its next progress write.
      this.logger.warn(`training run ${id}: cancelled in the database; queue not reached (${(error as Error).message})`);
    }
    return this.get(principal, id);
  }

  /**
   * A run trained offline by `ml train --server`: its package is registered as a new version (not
   * promoted) and the run is kept with source `cli`. A package the registry refuses is refused here (422).
   */
  async recordCliRun(run: RecordedRunDto, archive: Readable, principal: Principal): Promise<TrainingRunEntity> {
    const id = randomUUID();
    const version = await this.registry.registerArchiveStream(archive, principal.keyId);
    const now = Date.now();
    return this.runs.insert({
      id,
      source: 'cli',
      status: 'completed',
      apiKeyId: principal.keyId,
      specName: run.specName,
      spec: null,
      options: (run.options ?? {}) as TrainingOptions,
      params: run.params ?? null,
      metrics: run.metrics ?? null,
      trials: (run.trials as TrainingTrial[] | undefined) ?? null,
      datasetSha256: run.datasetSha256 ?? null,
      durationMs: run.durationMs ?? null,
      logTail: run.logTail ?? null,
      mlflowRunId: run.mlflowRunId ?? null,
      modelVersionId: version.id,
      modelName: version.name,
      modelVersion: version.version,
      progress: { phase: 'done' },
      startedAt: run.durationMs !== undefined ? now - run.durationMs : null,
      finishedAt: now,
    });
  }
}
