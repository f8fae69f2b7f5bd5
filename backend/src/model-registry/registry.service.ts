import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import {
  InputError,
  checkPackageFileSize,
  parseManifest,
  readPackageArchiveStream,
  sha256,
  type ModelEvaluation,
  type ModelManifest,
  type ModelPackage,
  type PackageFiles,
  type Tolerance,
  verifyInWorker,
} from '@housing/ml';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ARTIFACT_STORE, type ArtifactStore } from '../storage/artifact-store';
import { ProblemException, conflict, notFound } from '../common/problem';
import { ModelStageChangeEntity, ModelVersionEntity, type ModelStage } from './model-version.entity';
import { ModelEvents } from './model-events';
import { isModelRef } from './registry.params';
import { isUniqueViolation } from '../database/constraint-errors';

export const registrationRejected = (detail: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'package-rejected', 'Model package rejected', detail);

/** Runs `read`, turning what the package got wrong (InputError, bad JSON) into a 422. */
async function rejectInputErrors<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InputError || error instanceof SyntaxError)
      throw registrationRejected((error as Error).message);
    throw error;
  }
}

/** Attempts at a version number when concurrent registrations of one name keep taking it first. */
const MAX_NUMBER_ATTEMPTS = 20;

/** The Postgres advisory lock key every stage change takes (any constant unique to this use). */
const STAGE_LOCK_KEY = 7_114_020_611;

/** The tail of this process's queue of stage-change transactions (see RegistryService.withStageLock). */
let stageQueue: Promise<unknown> = Promise.resolve();

/** Bytes hashed between two turns of the event loop (a few milliseconds of work). */
const HASH_STEP = 4 * 1024 * 1024;

/**
 * SHA-256 of a model file in steps, yielding to the event loop between them: a version loads on
 * every instance at each promotion, and a 512 MiB model hashed in one call would stall predictions.
 */
async function sha256Yielding(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += HASH_STEP) {
    hash.update(bytes.subarray(at, at + HASH_STEP));
    if (at + HASH_STEP < bytes.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return hash.digest('hex');
}

/** A key segment no other upload has: time first, so a listing sorts by upload. */
const uploadId = () => `u${Date.now().toString(36)}-${randomUUID()}`;

/** A version's package as the serving side needs it. */
export interface StoredPackage {
  version: ModelVersionEntity;
  manifest: ModelManifest;
  model: Uint8Array;
  /** trees.json (parsed) when the package explains its predictions. */
  covers?: unknown;
}

/**
 * The model registry: verifies and stores packages, numbers versions, and moves them between stages.
 * One version is in production at a time; promoting another archives it, and rollback restores the
 * version that was in production before.
 */
@Injectable()
export class RegistryService {
  private readonly logger = new Logger(RegistryService.name);

  constructor(
    @InjectRepository(ModelVersionEntity) private readonly versions: Repository<ModelVersionEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly events: ModelEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Registers a package archive (.tar.gz) in memory; rejects it with the reason unless it verifies. */
  registerArchive(archive: Uint8Array, registeredBy: string | null): Promise<ModelVersionEntity> {
    return this.registerArchiveStream(Readable.from([Buffer.from(archive)]), registeredBy);
  }

  /** Registers a package archive (.tar.gz) read as a stream: it is never buffered whole. */
  async registerArchiveStream(archive: Readable, registeredBy: string | null): Promise<ModelVersionEntity> {
    const files = await rejectInputErrors(() => readPackageArchiveStream(archive));
    return this.registerFiles(files, registeredBy);
  }

  /** Registers a package stored at a URI inside the artifact store: a .tar.gz object or a directory. */
  async registerUri(uri: string, registeredBy: string | null): Promise<ModelVersionEntity> {
    const key = this.store.keyOf(uri);
    if (key === undefined)
      throw registrationRejected(`${uri} is not inside this platform's artifact store (ARTIFACT_STORE)`);
    if (/\.(tar\.gz|tgz)$/.test(key)) {
      if (!(await this.store.exists(key))) throw registrationRejected(`${uri}: no such object`);
      return this.registerArchiveStream(await this.store.getStream(key), registeredBy);
    }
    const dir = key.replace(/\/+$/, '');
    const read = async (file: string) => {
      const size = await this.store.size(`${dir}/${file}`);
      if (size === undefined) throw registrationRejected(`${uri}: ${file} is missing`);
      // The limit is checked before the file is read.
      await rejectInputErrors(async () => checkPackageFileSize(file, size));
      return new Uint8Array(await this.store.get(`${dir}/${file}`));
    };
    const [manifest, model, evaluation, covers] = await Promise.all([
      read('manifest.json'),
      read('model.onnx'),
      read('evaluation.json'),
      this.store.exists(`${dir}/trees.json`).then((found) => (found ? read('trees.json') : undefined)),
    ]);
    return this.registerFiles({ manifest, model, evaluation, ...(covers && { covers }) }, registeredBy);
  }

  /**
   * Checks every file of a package (size, schema, checksum) and verifies it (ONNX loads, parity fixture
   * reproduced within the server's tolerance ceiling) on a worker thread, then stores and numbers it.
   */
  private async registerFiles(files: PackageFiles, registeredBy: string | null): Promise<ModelVersionEntity> {
    const outcome = await verifyInWorker(files, { ceiling: this.toleranceCeiling() });
    if (!outcome.ok) {
      if (outcome.kind === 'error') throw new Error(outcome.message);
      throw registrationRejected(outcome.message);
    }
    const { report } = outcome;
    if (report.failures.length > 0) {
      const f = report.failures[0]!;
      throw registrationRejected(
        `parity fixture not reproduced: ${report.failures.length} of ${report.rows} records differ beyond tolerance ` +
          `(relative ${report.tolerance.relative}, absolute ${report.tolerance.absolute}: the package's own, capped by ` +
          `the server's PARITY_MAX_RELATIVE_TOLERANCE/PARITY_MAX_ABSOLUTE_TOLERANCE) ` +
          `(record ${f.index}: expected ${f.expected}, got ${f.actual})`,
      );
    }
    const explained = outcome.explanations;
    if (explained && explained.failures.length > 0) {
      const f = explained.failures[0]!;
      throw registrationRejected(
        `explanations not reproduced: ${explained.failures.length} contributions of the parity records differ from ` +
          `the package's XGBoost contributions by more than ${explained.tolerance} ` +
          `(record ${f.index}, ${f.feature}: expected ${f.expected}, got ${f.actual})`,
      );
    }
    return this.register(
      { manifest: outcome.manifest, model: files.model, evaluationJson: outcome.evaluationJson },
      files,
      registeredBy,
    );
  }

  /** The server's parity tolerance ceiling: a package's own tolerance may only be tighter. */
  toleranceCeiling(): Tolerance {
    return {
      relative: this.config.PARITY_MAX_RELATIVE_TOLERANCE,
      absolute: this.config.PARITY_MAX_ABSOLUTE_TOLERANCE,
    };
  }

  /**
   * Stores the files under a key no other upload can have (`models/<name>/<upload id>/`), then inserts
   * the row that points at them with the next version number. Two registrations of one name can race
   * for the number, never for the files; the row records the checksums the loader checks.
   */
  private async register(
    pkg: Pick<ModelPackage, 'manifest' | 'model'> & { evaluationJson: string },
    files: PackageFiles,
    registeredBy: string | null,
  ): Promise<ModelVersionEntity> {
    const { manifest } = pkg;
    const manifestBytes = files.manifest;
    const name = manifest.model.name;
    const prefix = `models/${name}/${uploadId()}`;
    try {
      await this.store.put(`${prefix}/model.onnx`, pkg.model);
      await this.store.put(`${prefix}/manifest.json`, manifestBytes);
      await this.store.put(`${prefix}/evaluation.json`, pkg.evaluationJson);
      // The very bytes whose checksum the manifest records.
      if (manifest.explain && files.covers) await this.store.put(`${prefix}/trees.json`, files.covers);
    } catch (error) {
      await this.store.deletePrefix(`${prefix}/`).catch(() => undefined);
      throw error;
    }
    for (let attempt = 0; ; attempt++) {
      const latest = await this.versions.findOne({ where: { name }, order: { version: 'DESC' } });
      const version = (latest?.version ?? 0) + 1;
      const entity = this.versions.create({
        id: randomUUID(),
        name,
        version,
        packageVersion: manifest.model.version,
        stage: 'none',
        artifactPrefix: prefix,
        onnxSha256: manifest.onnx.sha256,
        manifestSha256: sha256(manifestBytes),
        metrics: manifest.metrics as unknown as Record<string, unknown>,
        lineage: { ...manifest.lineage, cleaning: undefined, modelCreatedAt: manifest.model.createdAt },
        hyperparameters: manifest.hyperparameters,
        datasetSpec: manifest.spec.name,
        featureCount: manifest.features.names.length,
        registeredBy,
        createdAt: Date.now(),
        stageChangedAt: null,
      });
      try {
        await this.versions.save(entity);
        this.logger.log(`registered ${name} v${version} (package ${manifest.model.version})`);
        return entity;
      } catch (error) {
        // Another registration took the number: the files are this upload's own, so take the next one.
        if (attempt < MAX_NUMBER_ATTEMPTS && /unique|duplicate/i.test((error as Error).message)) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
          continue;
        }
        // No row points at the files: remove them rather than leave an orphan.
        await this.store.deletePrefix(`${prefix}/`).catch(() => undefined);
        throw error;
      }
    }
  }

  list(name?: string): Promise<ModelVersionEntity[]> {
    return this.versions.find({ where: name ? { name } : {}, order: { name: 'ASC', version: 'DESC' } });
  }

  async get(name: string, version: number): Promise<ModelVersionEntity> {
    // Checked here, where every caller passes: a NUL byte or 7e86 would otherwise reach the database as an error.
    if (!isModelRef(name, version)) throw notFound(`model ${name} version ${version} is not registered`);
    const entity = await this.versions.findOne({ where: { name, version } });
    if (!entity) throw notFound(`model ${name} version ${version} is not registered`);
    return entity;
  }

  findProduction(): Promise<ModelVersionEntity | null> {
    return this.versions.findOne({ where: { stage: 'production' }, order: { stageChangedAt: 'DESC' } });
  }

  /**
   * A version's stored package, checked against its row before anything serves it: the ONNX file and
   * the manifest must have the checksums recorded at registration, and the manifest must name the row's
   * model. A mismatch (a replaced or damaged file) is an error, never a silently different model.
   */
  async readPackage(version: ModelVersionEntity): Promise<StoredPackage> {
    const [manifestBytes, modelBytes] = await Promise.all([
      this.store.get(`${version.artifactPrefix}/manifest.json`),
      this.store.get(`${version.artifactPrefix}/model.onnx`),
    ]);
    const model = new Uint8Array(modelBytes);
    const which = `${version.name} v${version.version}`;
    const onnxSha256 = await sha256Yielding(model);
    if (onnxSha256 !== version.onnxSha256)
      throw new Error(
        `the stored model.onnx of ${which} does not match its registry checksum (corrupt or replaced file)`,
      );
    if (version.manifestSha256 !== null && sha256(manifestBytes) !== version.manifestSha256)
      throw new Error(
        `the stored manifest.json of ${which} does not match its registry checksum (corrupt or replaced file)`,
      );
    const manifest = parseManifest(JSON.parse(manifestBytes.toString('utf8')), { sha256: onnxSha256 });
    if (manifest.model.name !== version.name)
      throw new Error(`the stored manifest of ${which} names another model (${manifest.model.name})`);
    if (!manifest.explain) return { version, manifest, model };
    // The manifest's checksum is the row's; trees.json's is the manifest's.
    const coversBytes = await this.store.get(`${version.artifactPrefix}/trees.json`);
    if (sha256(coversBytes) !== manifest.explain.covers.sha256)
      throw new Error(
        `the stored trees.json of ${which} does not match its manifest's checksum (corrupt or replaced file)`,
      );
    return { version, manifest, model, covers: JSON.parse(coversBytes.toString('utf8')) as unknown };
  }

  async readManifest(version: ModelVersionEntity): Promise<ModelManifest> {
    return JSON.parse(
      (await this.store.get(`${version.artifactPrefix}/manifest.json`)).toString('utf8'),
    ) as ModelManifest;
  }

  async readEvaluation(version: ModelVersionEntity): Promise<ModelEvaluation> {
    return JSON.parse(
      (await this.store.get(`${version.artifactPrefix}/evaluation.json`)).toString('utf8'),
    ) as ModelEvaluation;
  }

  /** Every artifact prefix a row points at (the sweeper keeps these). */
  async referencedPrefixes(): Promise<Set<string>> {
    const rows = await this.versions.find({ select: { artifactPrefix: true } });
    return new Set(rows.map((r) => r.artifactPrefix));
  }

  /**
   * Moves a version to a stage. Promoting to production archives the current production version.
   * The check and the change run in one serialised transaction (see withStageLock), so concurrent
   * promotions, archives and rollbacks, from any instance, always leave exactly one production version.
   */
  async setStage(
    name: string,
    version: number,
    stage: ModelStage,
    changedBy: string | null,
  ): Promise<ModelVersionEntity> {
    const { id } = await this.get(name, version);
    const outcome = await this.withStageLock(async (tx) => {
      // Read again under the lock: the stage seen before it may have changed meanwhile.
      const target = await tx.findOneOrFail(ModelVersionEntity, { where: { id } });
      if (target.stage === stage) return { changed: false };
      // One rule for every process: production changes only by promoting a replacement, so no instance
      // can keep serving a version the registry has archived while a fresh one has nothing to serve.
      if (target.stage === 'production')
        return {
          conflict:
            `${name} v${version} is in production; promote another version to replace it (or roll back) ` +
            `instead of moving it to ${stage}, so that a model stays served`,
        };
      await this.moveTo(tx, target, stage, changedBy);
      return { changed: true };
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    if (outcome.changed)
      await this.events.publish({ type: 'stage-changed', modelVersionId: id, stage, at: Date.now() });
    return this.get(name, version);
  }

  /** Restores the version that was in production before the current one. */
  async rollback(changedBy: string | null): Promise<ModelVersionEntity> {
    const outcome = await this.withStageLock(async (tx) => {
      const current = await tx.findOne(ModelVersionEntity, { where: { stage: 'production' } });
      if (!current) return { conflict: 'no version is in production, so there is nothing to roll back from' };
      const promotions = await tx.find(ModelStageChangeEntity, {
        where: { toStage: 'production' },
        order: { at: 'DESC' },
        take: 50,
      });
      const previous = promotions.find((p) => p.modelVersionId !== current.id);
      if (!previous)
        return {
          conflict: `${current.name} v${current.version} is the only version ever promoted to production`,
        };
      const entity = await tx.findOne(ModelVersionEntity, { where: { id: previous.modelVersionId } });
      if (!entity) return { conflict: 'the previous production version no longer exists' };
      await this.moveTo(tx, entity, 'production', changedBy);
      return { entity };
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    const { entity } = outcome;
    await this.events.publish({
      type: 'stage-changed',
      modelVersionId: entity.id,
      stage: 'production',
      at: Date.now(),
    });
    return this.get(entity.name, entity.version);
  }

  /**
   * Runs a stage change in a transaction that no other stage change overlaps, on any instance:
   * - within this process, a queue (every RegistryService of the process shares it: one SQLite
   *   connection cannot hold two transactions, and two in-process instances share the file);
   * - across processes, Postgres takes a transaction-scoped advisory lock (after it, READ COMMITTED
   *   reads see every committed change), and SQLite's first statement is a write, which takes the
   *   database's single write lock (waiting up to busy_timeout) before anything is read.
   * The unique index UQ_model_versions_one_production backs this up; should it ever refuse a change,
   * the answer is a 409, never a 500. Refusals are returned, not thrown, so the transaction commits
   * (nothing written) rather than rolling back statements other requests ran on the same connection.
   */
  private withStageLock<T>(work: (tx: EntityManager) => Promise<T>): Promise<T | { conflict: string }> {
    const run = stageQueue.then(() =>
      this.versions.manager
        .transaction(async (tx) => {
          if (tx.connection.options.type === 'postgres')
            await tx.query('SELECT pg_advisory_xact_lock($1)', [STAGE_LOCK_KEY]);
          else await tx.query(`UPDATE "model_versions" SET "stage" = "stage" WHERE 1 = 0`);
          return work(tx);
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error))
            return { conflict: 'another stage change was made at the same time; try again' };
          throw error;
        }),
    );
    stageQueue = run.catch(() => undefined);
    return run;
  }

  /** Records the move of `target` to `stage`; promoting archives every version in production first. */
  private async moveTo(
    tx: EntityManager,
    target: ModelVersionEntity,
    stage: ModelStage,
    changedBy: string | null,
  ): Promise<void> {
    const now = Date.now();
    if (stage === 'production') {
      const current = await tx.find(ModelVersionEntity, { where: { stage: 'production' } });
      for (const entity of current) await this.recordChange(tx, entity, 'archived', changedBy, now);
    }
    await this.recordChange(tx, target, stage, changedBy, now + (stage === 'production' ? 1 : 0));
  }

  private async recordChange(
    tx: EntityManager,
    entity: ModelVersionEntity,
    stage: ModelStage,
    changedBy: string | null,
    at: number,
  ): Promise<void> {
    await tx.update(ModelVersionEntity, { id: entity.id }, { stage, stageChangedAt: at });
    await tx.insert(ModelStageChangeEntity, {
      id: randomUUID(),
      modelVersionId: entity.id,
      fromStage: entity.stage,
      toStage: stage,
      changedBy,
      at,
    });
  }
}
