import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { BUILTIN_SPECS_DIR, InputError, loadSpec, readCsv, type DatasetSpec } from '@housing/ml';
import type { FastifyRequest } from 'fastify';
import { ProblemException, conflict, notFound, validationProblem } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ARTIFACT_STORE, ArtifactTooLargeError, type ArtifactStore } from '../storage/artifact-store';
import { DatasetLocks } from './dataset-locks';
import { DatasetProfiler } from './dataset-profile';
import { DatasetRepository } from './dataset.repository';
import { SPEC_NAME } from './dataset.dto';
import type { DatasetEntity } from './dataset.entity';

/** Where datasets live in the artifact store: immutable, one object per content hash. */
export const datasetKeys = {
  object: (sha256: string) => `datasets/sha256/${sha256}.csv`,
  incoming: (id: string) => `datasets/incoming/${id}.csv`,
};

export interface Registered {
  dataset: DatasetEntity;
  /** False when the same bytes were already registered (the existing dataset is returned). */
  created: boolean;
}

const tooLarge = (limit: number) =>
  new ProblemException(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'payload-too-large',
    'Payload too large',
    `the dataset exceeds DATASET_UPLOAD_LIMIT_BYTES (${limit} bytes)`,
  );
const invalidDataset = (detail: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid-dataset', 'Invalid dataset', detail);

const referencedByEvaluations = (id: string, which: string) =>
  conflict(
    `dataset ${id} is referenced by batch evaluations (${which}): its record of what was scored must stay`,
  );

/** Columns a CSV must have for its spec: what the model uses plus the dedupe keys (as `ml train` checks). */
function requiredColumns(spec: DatasetSpec): string[] {
  const used = spec.columns.filter((c) => c.role !== 'drop' && c.role !== 'identifier').map((c) => c.name);
  return [...new Set([...used, ...spec.cleaning.dedupeKeys])];
}

/**
 * Datasets versioned like code: a CSV is streamed once into a temporary object while it is hashed,
 * parsed and profiled (memory does not grow with the file), then moved to its content-addressed key.
 * The same bytes twice (even at the same moment) give one dataset: the unique sha256 index decides.
 */
@Injectable()
export class DatasetService {
  private readonly logger = new Logger('Datasets');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly repository: DatasetRepository,
    private readonly locks: DatasetLocks,
  ) {}

  uri(row: DatasetEntity): string {
    return this.store.uri(row.artifactKey);
  }

  /** The built-in spec named `name`; a 400 naming the field otherwise. */
  spec(name: unknown): DatasetSpec {
    const fail = (message: string) => validationProblem([{ field: 'spec', message }]);
    if (typeof name !== 'string' || name === '')
      throw fail('is required: the name of a built-in dataset spec');
    if (!SPEC_NAME.test(name)) throw fail('must be a built-in spec name (letters, digits, - _ .)');
    if (!existsSync(path.join(BUILTIN_SPECS_DIR, `${name}.json`))) throw fail(`unknown spec "${name}"`);
    return loadSpec(name);
  }

  async registerUpload(request: FastifyRequest, keyId: string | null): Promise<Registered> {
    const limit = this.config.DATASET_UPLOAD_LIMIT_BYTES;
    let file: Awaited<ReturnType<FastifyRequest['file']>>;
    try {
      file = await request.file({ limits: { fileSize: limit + 1, files: 1, fields: 5 } });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 413) throw tooLarge(limit);
      throw validationProblem([
        { field: 'file', message: `the multipart body is malformed: ${(error as Error).message}` },
      ]);
    }
    if (!file || file.fieldname !== 'file') {
      if (file) await drain(file.file);
      throw validationProblem([
        { field: 'file', message: 'is required: the CSV, as multipart field "file"' },
      ]);
    }
    const fields = file.fields as Record<string, { value?: unknown } | undefined>;
    let spec: DatasetSpec;
    try {
      spec = this.spec(fields.spec?.value);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(file.filename ?? ''))
        throw validationProblem([
          { field: 'file', message: 'the file name must not contain control characters' },
        ]);
    } catch (error) {
      await drain(file.file);
      throw error;
    }
    const upload = file.file;
    const registered = await this.ingest(
      upload,
      spec,
      file.filename?.slice(0, 255) || null,
      keyId,
      limit,
      () => (upload as { truncated?: boolean }).truncated === true,
    );
    return registered;
  }

  async registerUri(specName: string, uri: string, keyId: string | null): Promise<Registered> {
    const spec = this.spec(specName);
    const key = this.store.keyOf(uri);
    if (!key)
      throw invalidDataset(`uri ${JSON.stringify(uri)} is not inside the artifact store (ARTIFACT_STORE)`);
    const size = await this.store.size(key);
    if (size === undefined) throw invalidDataset(`no object at ${uri}`);
    const limit = this.config.DATASET_UPLOAD_LIMIT_BYTES;
    if (size > limit) throw tooLarge(limit);
    return this.ingest(
      await this.store.getStream(key),
      spec,
      path.posix.basename(key).slice(0, 255),
      keyId,
      limit,
    );
  }

  /** One streaming pass: temporary object + sha256 + CSV parse + profile; then dedupe and move into place. */
  private async ingest(
    source: Readable,
    spec: DatasetSpec,
    fileName: string | null,
    keyId: string | null,
    limit: number,
    truncated: () => boolean = () => false,
  ): Promise<Registered> {
    const id = randomUUID();
    const incoming = datasetKeys.incoming(id);
    const hash = createHash('sha256');
    const profiler = new DatasetProfiler();
    const required = requiredColumns(spec);
    const toStore = new PassThrough({ highWaterMark: 1 << 20 });
    const toParse = new PassThrough({ highWaterMark: 1 << 20 });
    let sourceError: Error | undefined;
    source.on('error', (error: Error) => {
      sourceError ??= error;
      toStore.destroy(error);
      toParse.destroy(error);
    });
    toStore.on('error', () => undefined);
    toParse.on('error', () => undefined);
    // pipe() to two destinations waits for the slower one: memory stays bounded by the two buffers.
    source.pipe(toStore);
    source.pipe(toParse);
    const stored = this.store.putStream(incoming, toStore, { maxBytes: limit });
    const parsed = readCsv(toParse, {
      header: (columns) => {
        profiler.header(columns);
        const missing = required.filter((c) => !columns.includes(c));
        if (missing.length > 0)
          throw new InputError(
            `CSV is missing ${missing.length} required column${missing.length > 1 ? 's' : ''} of spec "${spec.name}": ${missing.join(', ')}`,
          );
      },
      row: (fields) => profiler.row(fields),
      bytes: (chunk) => hash.update(chunk),
    });
    // Whichever side fails first stops the other (a stopped reader would stall the tee).
    stored.catch((error: Error) => toParse.destroy(error));
    parsed.catch((error: Error) => toStore.destroy(error));
    const [storeResult, parseResult] = await Promise.allSettled([stored, parsed]);
    if (storeResult.status === 'rejected' || parseResult.status === 'rejected' || truncated()) {
      source.unpipe();
      await drain(source);
      await this.store.delete(incoming).catch(() => undefined);
      const storeError = storeResult.status === 'rejected' ? (storeResult.reason as Error) : undefined;
      const parseError = parseResult.status === 'rejected' ? (parseResult.reason as Error) : undefined;
      const tooBig = [storeError, parseError, sourceError].some(
        (e) =>
          e instanceof ArtifactTooLargeError ||
          (e as { code?: string } | undefined)?.code === 'FST_REQ_FILE_TOO_LARGE',
      );
      if (truncated() || tooBig) throw tooLarge(limit);
      if (sourceError)
        throw validationProblem([
          { field: 'file', message: `the upload was cut short: ${sourceError.message}` },
        ]);
      if (parseError instanceof InputError) throw invalidDataset(parseError.message);
      throw storeError ?? parseError;
    }
    const bytes = storeResult.value;
    if (profiler.rows === 0) {
      await this.store.delete(incoming).catch(() => undefined);
      throw invalidDataset('the CSV has a header but no data rows');
    }
    return this.commit(id, incoming, hash.digest('hex'), {
      specName: spec.name,
      fileName,
      bytes,
      rowCount: profiler.rows,
      columns: profiler.profile(),
      addedBy: keyId,
    });
  }

  /**
   * Moves the temporary object to its content-addressed key and inserts the row, or finds the twin;
   * under the hash's lock, so a delete of the same bytes runs wholly before or after.
   */
  private commit(
    id: string,
    incoming: string,
    sha256: string,
    fields: Pick<DatasetEntity, 'specName' | 'fileName' | 'bytes' | 'rowCount' | 'columns' | 'addedBy'>,
  ): Promise<Registered> {
    return this.locks
      .withSha256(sha256, () => this.commitLocked(id, incoming, sha256, fields))
      .finally(() => this.store.delete(incoming).catch(() => undefined));
  }

  private async commitLocked(
    id: string,
    incoming: string,
    sha256: string,
    fields: Pick<DatasetEntity, 'specName' | 'fileName' | 'bytes' | 'rowCount' | 'columns' | 'addedBy'>,
  ): Promise<Registered> {
    const twin = async (): Promise<Registered | undefined> => {
      const existing = await this.repository.findBySha256(sha256);
      if (!existing) return undefined;
      if (existing.specName !== fields.specName)
        throw conflict(
          `these bytes are already registered as dataset ${existing.id} under spec "${existing.specName}"`,
        );
      return { dataset: existing, created: false };
    };
    const key = datasetKeys.object(sha256);
    try {
      const known = await twin();
      if (known) return known;
      // Same key, same bytes: whichever upload moves last replaces identical content.
      if (await this.store.exists(key)) await this.store.delete(incoming);
      else await this.store.move(incoming, key);
    } finally {
      await this.store.delete(incoming).catch(() => undefined);
    }
    const row = { id, sha256, artifactKey: key, createdAt: Date.now(), ...fields } as DatasetEntity;
    try {
      if (await this.repository.insertUnlessDuplicate(row)) {
        this.logger.log(`dataset ${id}: ${sha256} (${fields.rowCount} rows, spec ${fields.specName})`);
        return { dataset: row, created: true };
      }
    } catch (error) {
      // No row points at the object unless another upload of the same bytes registered it.
      if (!(await this.repository.findBySha256(sha256).catch(() => null)))
        await this.store.delete(key).catch(() => undefined);
      throw error;
    }
    const winner = await twin();
    if (!winner) throw new Error(`dataset ${sha256}: duplicate reported but no row found`);
    return winner;
  }

  async list(limit = 20, offset = 0, sha256?: string): Promise<{ rows: DatasetEntity[]; total: number }> {
    if (sha256 === undefined) return this.repository.listNewestFirst(limit, offset);
    const row = await this.repository.findBySha256(sha256);
    const rows = row ? [row] : [];
    return { rows: rows.slice(offset, offset + limit), total: rows.length };
  }

  async get(id: string): Promise<DatasetEntity> {
    const row = await this.repository.findById(id);
    if (!row) throw notFound(`no dataset ${id}`);
    return row;
  }

  modelsTrainedOn(row: DatasetEntity): Promise<Array<{ name: string; version: number }>> {
    return this.repository.modelVersionsTrainedOn(row.sha256);
  }

  async content(id: string): Promise<{ row: DatasetEntity; stream: Readable }> {
    const row = await this.get(id);
    return { row, stream: await this.store.getStream(row.artifactKey) };
  }

  /**
   * Deletes a dataset no model version was trained on and no batch evaluation scored (409 naming them
   * otherwise); the row first, then the object, under the hash's lock (see commit).
   */
  async delete(id: string): Promise<void> {
    const row = await this.get(id);
    await this.locks.withSha256(row.sha256, () => this.deleteLocked(row));
  }

  private async deleteLocked(row: DatasetEntity): Promise<void> {
    const id = row.id;
    await this.refuseWhileTrainedOn(row);
    const evaluations = await this.repository.batchEvaluationsOn(id);
    if (evaluations.length > 0) throw referencedByEvaluations(id, evaluations.join(', '));
    // Two deletes at once: one removes the row (and then the object), the other finds nothing (404).
    // An evaluation naming the dataset after the check above: its foreign key refuses the delete.
    const deleted = await this.repository.deleteById(id);
    if (deleted === 'referenced') throw referencedByEvaluations(id, 'a batch evaluation started meanwhile');
    if (!deleted) throw notFound(`no dataset ${id}`);
    // A model version registered between the check above and the row's removal (registration does not
    // take this lock): seen now, so the row comes back and the delete is refused. One registered after
    // this check was registered after the delete, like any model trained on unregistered bytes.
    try {
      await this.refuseWhileTrainedOn(row);
    } catch (refusal) {
      await this.repository.insertUnlessDuplicate(row);
      throw refusal;
    }
    await this.store.delete(row.artifactKey).catch(() => undefined);
  }

  /**
   * 409 while a model version's lineage names these bytes. Model versions are kept for audit (archive
   * one instead of deleting it), so such a dataset stays: what can be done is said in the message.
   */
  private async refuseWhileTrainedOn(row: DatasetEntity): Promise<void> {
    const models = await this.modelsTrainedOn(row);
    if (models.length > 0)
      throw conflict(
        `dataset ${row.id} trained ${models.map((m) => `${m.name} v${m.version}`).join(', ')}: model versions are kept with their lineage, so the data that trained them stays registered (archiving a version does not release it)`,
      );
  }
}

/** Reads and drops the rest of an upload, so the client gets our answer rather than a reset connection. */
async function drain(stream: Readable): Promise<void> {
  if (stream.destroyed || stream.readableEnded) return;
  stream.resume();
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
  });
}
