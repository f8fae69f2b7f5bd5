import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, Not, Repository } from 'typeorm';
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
import { ProblemException, conflict, notFound, validationProblem } from '../common/problem';
import {
  ModelAliasEntity,
  ModelStageChangeEntity,
  ModelVersionEntity,
  type HistoryAction,
  type ModelStage,
} from './model-version.entity';
import { rollbackTarget } from './champion-history';
import {
  CHALLENGER,
  CHAMPION,
  ModelReferenceError,
  parseModelReference,
  type ModelReference,
} from './model-reference';
import { mergeTags, type VersionPatch } from './model-tags';
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

/** Champion arrivals a rollback reads back through (each rollback needs only the last few). */
const ROLLBACK_HISTORY_WINDOW = 1000;

/** Longest reason recorded in the history (the column's size). */
export const MAX_REASON_LENGTH = 500;
const truncate = (text: string) =>
  text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;

/** Who changes an alias, and why (recorded in the history). */
export interface ChangeContext {
  changedBy: string | null;
  reason: string | null;
  /** A promotion made despite evidence that the version is worse than the champion. */
  forced?: boolean;
  /**
   * Setting champion: the version the promotion evidence compared with. Checked under the lock, so that a
   * promotion judged against one champion never replaces another that arrived meanwhile (409).
   */
  expectedChampionId?: string;
}
interface AliasChange extends ChangeContext {
  action: HistoryAction;
}

export interface ModelAliasView {
  name: string;
  alias: string;
  /** Null only if the version row is gone (versions are never deleted today). */
  version: number | null;
  setBy: string | null;
  setAt: number;
}

export interface VersionRef {
  name: string;
  version: number;
}

/** One row of a model's history. */
export interface HistoryEntry {
  id: string;
  at: number;
  action: HistoryAction;
  alias: string | null;
  /** The version the change concerns. */
  version: VersionRef | null;
  from: VersionRef | null;
  to: VersionRef | null;
  fromStage: ModelStage;
  toStage: ModelStage;
  reason: string | null;
  changedBy: string | null;
  /** A promotion made despite evidence that the version was worse than the champion (see `reason`). */
  forced: boolean;
}

/** The champion a rollback moves from, and the version it brings back. */
export interface RollbackPlan {
  from: ModelVersionEntity;
  to: ModelVersionEntity;
}

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
 * The model registry: verifies and stores packages, numbers versions, points aliases at them and
 * records every alias change. `champion` is what the API serves (one version across every name);
 * rollback walks back through the champion's history. Stages are a deprecated layer over aliases.
 */
@Injectable()
export class RegistryService {
  private readonly logger = new Logger(RegistryService.name);

  constructor(
    @InjectRepository(ModelVersionEntity) private readonly versions: Repository<ModelVersionEntity>,
    @InjectRepository(ModelAliasEntity) private readonly aliases: Repository<ModelAliasEntity>,
    @InjectRepository(ModelStageChangeEntity) private readonly changes: Repository<ModelStageChangeEntity>,
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
        description: null,
        tags: {},
      });
      try {
        await this.versions.save(entity);
        this.logger.log(`registered ${name} v${version} (package ${manifest.model.version})`);
        entity.aliases = [];
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

  async list(name?: string): Promise<ModelVersionEntity[]> {
    return this.withAliases(
      await this.versions.find({ where: name ? { name } : {}, order: { name: 'ASC', version: 'DESC' } }),
    );
  }

  async get(name: string, version: number): Promise<ModelVersionEntity> {
    // Checked here, where every caller passes: a NUL byte or 7e86 would otherwise reach the database as an error.
    if (!isModelRef(name, version)) throw notFound(`model ${name} version ${version} is not registered`);
    const entity = await this.versions.findOne({ where: { name, version } });
    if (!entity) throw notFound(`model ${name} version ${version} is not registered`);
    return this.withAliases(entity);
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

  /** Every alias of a name (all names when omitted), with the version each points at. */
  async listAliases(name?: string): Promise<ModelAliasView[]> {
    const rows = await this.aliases.find({
      where: name ? { name } : {},
      order: { name: 'ASC', alias: 'ASC' },
    });
    const versions = await this.versionsById(rows.map((r) => r.modelVersionId));
    return rows.map((row) => ({
      name: row.name,
      alias: row.alias,
      version: versions.get(row.modelVersionId)?.version ?? null,
      setBy: row.setBy,
      setAt: row.setAt,
    }));
  }

  /**
   * Points `alias` of a model at one of its versions (moving it from the version that held it).
   * `champion` is what the API serves, one version across every name: setting it on a version of
   * another name moves it from there. Serialised with every other alias and stage change.
   */
  async setAlias(
    name: string,
    version: number,
    alias: string,
    change: ChangeContext,
  ): Promise<ModelVersionEntity> {
    const { id } = await this.get(name, version);
    const outcome = await this.withStageLock(async (tx) => {
      const target = await tx.findOneOrFail(ModelVersionEntity, { where: { id } });
      const moved = await this.championMovedSince(tx, alias, change.expectedChampionId);
      if (moved) return { conflict: moved };
      return { changed: await this.moveAlias(tx, alias, target.name, target, { ...change, action: 'set' }) };
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    if (outcome.changed) await this.announce(id, alias);
    return this.get(name, version);
  }

  /** Removes an alias. `champion` cannot be removed (409): the API would have nothing to serve. */
  async removeAlias(
    name: string,
    alias: string,
    change: ChangeContext,
    expectedVersion?: number,
  ): Promise<void> {
    if (alias === CHAMPION)
      throw conflict(
        `${name}@${CHAMPION} is what the API serves and cannot be removed: point it at another version or roll back`,
      );
    const outcome = await this.withStageLock(async (tx) => {
      const holder = await tx.findOne(ModelAliasEntity, { where: { name, alias } });
      if (!holder) return { removed: null };
      if (expectedVersion !== undefined) {
        const held = await tx.findOneOrFail(ModelVersionEntity, { where: { id: holder.modelVersionId } });
        if (held.version !== expectedVersion)
          return {
            conflict: `${name}@${alias} points at v${held.version}, not v${expectedVersion}; nothing was changed`,
          };
      }
      await this.moveAlias(tx, alias, name, null, { ...change, action: 'remove' });
      return { removed: holder.modelVersionId };
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    if (outcome.removed === null) throw notFound(`model ${name} has no alias ${alias}`);
    await this.announce(outcome.removed, alias);
  }

  /** A version's description and tags (tags merge: a null value removes the key). */
  async updateVersion(name: string, version: number, patch: VersionPatch): Promise<ModelVersionEntity> {
    const { id } = await this.get(name, version);
    // Under the lock too: two patches of one version's tags must not lose each other's keys.
    const outcome = await this.withStageLock(async (tx) => {
      const entity = await tx.findOneOrFail(ModelVersionEntity, { where: { id } });
      const changes: { description?: string | null; tags?: Record<string, string> } = {};
      if (patch.description !== undefined) changes.description = patch.description;
      if (patch.tags !== undefined) {
        // Returned, not thrown, like every refusal under the lock (see withStageLock).
        try {
          changes.tags = mergeTags(entity.tags ?? {}, patch.tags);
        } catch (error) {
          if (error instanceof ProblemException) return { refused: error };
          throw error;
        }
      }
      if (Object.keys(changes).length > 0) await tx.update(ModelVersionEntity, { id }, changes);
      return { ok: true };
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    if ('refused' in outcome) throw outcome.refused;
    return this.get(name, version);
  }

  /** A model's alias and stage history, newest first. */
  async history(
    name: string,
    limit: number,
    offset: number,
  ): Promise<{ items: HistoryEntry[]; total: number }> {
    const [rows, total] = await this.changes.findAndCount({
      where: { name },
      order: { at: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    const versions = await this.versionsById(
      rows.flatMap((r) => [r.modelVersionId, r.fromVersionId, r.toVersionId]).filter((v): v is string => !!v),
    );
    const ref = (versionId: string | null) => {
      const v = versionId ? versions.get(versionId) : undefined;
      return v ? { name: v.name, version: v.version } : null;
    };
    return {
      total,
      items: rows.map((row) => ({
        id: row.id,
        at: row.at,
        action: row.action,
        alias: row.alias,
        version: ref(row.modelVersionId),
        from: ref(row.fromVersionId),
        to: ref(row.toVersionId),
        fromStage: row.fromStage,
        toStage: row.toStage,
        reason: row.reason,
        changedBy: row.changedBy,
        forced: !!row.forced,
      })),
    };
  }

  /**
   * Resolves a model reference: `name@alias`, `name/version`, or a bare `name` (its champion).
   * Bad syntax is a 400 naming `field`; a reference nothing matches is a 404 naming the reference.
   */
  async resolveReference(ref: string, field = 'model'): Promise<ModelVersionEntity> {
    let parsed: ModelReference;
    try {
      parsed = parseModelReference(ref);
    } catch (error) {
      if (error instanceof ModelReferenceError) throw validationProblem([{ field, message: error.message }]);
      throw error;
    }
    if ('version' in parsed) {
      const entity = await this.versions.findOne({ where: { name: parsed.name, version: parsed.version } });
      if (!entity)
        throw notFound(`no model version matches ${ref}: ${parsed.name} has no version ${parsed.version}`);
      return this.withAliases(entity);
    }
    const alias = await this.aliases.findOne({ where: { name: parsed.name, alias: parsed.alias } });
    const entity = alias && (await this.versions.findOne({ where: { id: alias.modelVersionId } }));
    if (!entity)
      throw notFound(
        `no model version matches ${ref}: ${parsed.name} has no version with alias ${parsed.alias}`,
      );
    return this.withAliases(entity);
  }

  /**
   * The version the API serves: the one holding `champion`. Its stage is production by construction;
   * should a manual edit of the database break that, no version serves (every instance alike, as when
   * the production stage itself is edited away) until champion is set again.
   */
  async findChampion(): Promise<ModelVersionEntity | null> {
    const alias = await this.aliases.findOne({ where: { alias: CHAMPION } });
    const entity =
      alias && (await this.versions.findOne({ where: { id: alias.modelVersionId, stage: 'production' } }));
    return entity ? this.withAliases(entity) : null;
  }

  /** The served version (the deprecated stage name for `champion`). */
  findProduction(): Promise<ModelVersionEntity | null> {
    return this.findChampion();
  }

  /**
   * Deprecated layer over aliases: `production` sets `champion` (and drops the version's `challenger`),
   * `staging` sets `challenger`, `archived` and `none` remove the version's aliases. The stage each
   * version shows follows from its aliases. The version holding `champion` cannot be moved to another
   * stage (409): promote its replacement or roll back, so that a model stays served.
   */
  async setStage(
    name: string,
    version: number,
    stage: ModelStage,
    changedBy: string | null,
    promotion: Pick<ChangeContext, 'reason' | 'forced' | 'expectedChampionId'> = { reason: null },
  ): Promise<ModelVersionEntity> {
    const { id } = await this.get(name, version);
    const outcome = await this.withStageLock(async (tx) => {
      // Read again under the lock: the stage seen before it may have changed meanwhile.
      const target = await tx.findOneOrFail(ModelVersionEntity, { where: { id } });
      if (target.stage === stage) return { changed: false };
      const held = await this.aliasesHeld(tx, id);
      const change: AliasChange = { changedBy, ...promotion, action: 'stage' };
      const moved =
        stage === 'production' && (await this.championMovedSince(tx, CHAMPION, promotion.expectedChampionId));
      if (moved) return { conflict: moved };
      // Champion whose stage a manual edit changed: promoting it again repairs the stage.
      if (held.includes(CHAMPION) && stage === 'production') {
        await this.recordStage(tx, target, stage, change);
        return { changed: true };
      }
      if (held.includes(CHAMPION))
        return {
          conflict:
            `${name} v${version} is in production; promote another version to replace it (or roll back) ` +
            `instead of moving it to ${stage}, so that a model stays served`,
        };
      if (stage === 'production' || stage === 'staging') {
        await this.moveAlias(tx, stage === 'production' ? CHAMPION : CHALLENGER, name, target, change);
        if (stage === 'production' && held.includes(CHALLENGER))
          await this.moveAlias(tx, CHALLENGER, name, null, { ...change, forced: false });
        return { changed: true };
      }
      for (const alias of held) await this.moveAlias(tx, alias, name, null, change);
      const after = await tx.findOneOrFail(ModelVersionEntity, { where: { id } });
      if (after.stage !== stage) await this.recordStage(tx, after, stage, change);
      return { changed: true };
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    if (outcome.changed) await this.announce(id, stage);
    return this.get(name, version);
  }

  /**
   * What a rollback of `name` would do: the champion now and the version that comes back (see
   * rollbackTarget for the walk). A 409 says why nothing can come back.
   */
  async previewRollback(name?: string): Promise<RollbackPlan> {
    const plan = await this.planRollback(this.versions.manager, name);
    if ('conflict' in plan) throw conflict(plan.conflict);
    await this.withAliases([plan.from, plan.to]);
    return plan;
  }

  /**
   * Moves `champion` back one step through its history (see rollbackTarget): after v1→v2→v3, two
   * rollbacks give v2 then v1. `expectedVersion`, when given, must be the version that would come back
   * (the dialog that named it): otherwise 409, nothing changed.
   */
  async rollback(
    changedBy: string | null,
    options: { reason?: string | null; expectedVersion?: number; name?: string } = {},
  ): Promise<RollbackPlan> {
    const outcome = await this.withStageLock(async (tx) => {
      const plan = await this.planRollback(tx, options.name);
      if ('conflict' in plan) return plan;
      if (options.expectedVersion !== undefined && plan.to.version !== options.expectedVersion)
        return {
          conflict:
            `a rollback now restores ${plan.to.name} v${plan.to.version}, not v${options.expectedVersion} ` +
            `(the champion changed meanwhile); nothing was changed`,
        };
      await this.moveAlias(tx, CHAMPION, plan.to.name, plan.to, {
        changedBy,
        reason: options.reason ?? null,
        action: 'rollback',
      });
      return plan;
    });
    if ('conflict' in outcome) throw conflict(outcome.conflict!);
    await this.announce(outcome.to.id, CHAMPION);
    return {
      from: await this.get(outcome.from.name, outcome.from.version),
      to: await this.get(outcome.to.name, outcome.to.version),
    };
  }

  private async planRollback(tx: EntityManager, name?: string): Promise<RollbackPlan | { conflict: string }> {
    const holder = await tx.findOne(ModelAliasEntity, { where: { alias: CHAMPION } });
    const current =
      holder && (await tx.findOne(ModelVersionEntity, { where: { id: holder.modelVersionId } }));
    if (!current) return { conflict: 'no version is in production, so there is nothing to roll back from' };
    if (name !== undefined && current.name !== name)
      return {
        conflict: `${name} has no ${CHAMPION}: the served model is ${current.name} v${current.version}`,
      };
    const rows = await tx.find(ModelStageChangeEntity, {
      select: { id: true, toVersionId: true, action: true, at: true },
      where: { alias: CHAMPION, toVersionId: Not(IsNull()) },
      order: { at: 'DESC', id: 'DESC' },
      take: ROLLBACK_HISTORY_WINDOW,
    });
    const arrivals = rows
      .reverse()
      .map((r) => ({ toVersionId: r.toVersionId!, rollback: r.action === 'rollback' }));
    const known = await this.versionsById(
      arrivals.map((a) => a.toVersionId),
      tx,
    );
    const targetId = rollbackTarget(arrivals, current.id, (id) => known.has(id));
    const target = targetId && known.get(targetId);
    if (!target)
      return {
        conflict: `${current.name} v${current.version} is the earliest ${CHAMPION} in the history: there is no earlier version to roll back to`,
      };
    return { from: current, to: target };
  }

  /** Tells every API process (this one too) that what an alias points at changed. */
  private announce(modelVersionId: string, what: string): Promise<void> {
    return this.events.publish({ type: 'stage-changed', modelVersionId, stage: what, at: Date.now() });
  }

  /** Versions with their aliases attached (`aliases`, sorted). */
  private async withAliases<T extends ModelVersionEntity | ModelVersionEntity[]>(found: T): Promise<T> {
    const list = Array.isArray(found) ? found : [found];
    if (list.length === 0) return found;
    const rows = await this.aliases.find({
      where: list.length > 200 ? {} : { modelVersionId: In(list.map((v) => v.id)) },
    });
    const byVersion = new Map<string, string[]>();
    for (const row of rows)
      byVersion.set(row.modelVersionId, [...(byVersion.get(row.modelVersionId) ?? []), row.alias]);
    for (const version of list) version.aliases = (byVersion.get(version.id) ?? []).sort();
    return found;
  }

  private async versionsById(ids: string[], manager: EntityManager = this.versions.manager) {
    const unique = [...new Set(ids)];
    const found =
      unique.length === 0 ? [] : await manager.find(ModelVersionEntity, { where: { id: In(unique) } });
    return new Map(found.map((v) => [v.id, v]));
  }

  /**
   * Runs a stage change in a transaction that no other stage change overlaps, on any instance:
   * - within this process, a queue (every RegistryService of the process shares it: one SQLite
   *   connection cannot hold two transactions, and two in-process instances share the file);
   * - across processes, Postgres takes a transaction-scoped advisory lock (after it, READ COMMITTED
   *   reads see every committed change), and SQLite's first statement is a write, which takes the
   *   database's single write lock (waiting up to busy_timeout) before anything is read.
   * The unique indexes UQ_model_versions_one_production and UQ_model_aliases_one_champion back this up; should it ever refuse a change,
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

  private async aliasesHeld(tx: EntityManager, versionId: string): Promise<string[]> {
    const rows = await tx.find(ModelAliasEntity, { where: { modelVersionId: versionId } });
    return rows.map((r) => r.alias);
  }

  /** Why setting champion must not proceed: it moved away from the version the evidence compared with. */
  private async championMovedSince(
    tx: EntityManager,
    alias: string,
    expectedChampionId: string | undefined,
  ): Promise<string | null> {
    if (alias !== CHAMPION || expectedChampionId === undefined) return null;
    const holder = await tx.findOne(ModelAliasEntity, { where: { alias: CHAMPION } });
    if (holder?.modelVersionId === expectedChampionId) return null;
    return `${CHAMPION} changed while the promotion evidence was read; read the evidence again and retry`;
  }

  /**
   * Points `alias` of `name` at `target` (null removes it), inside a stage-lock transaction: moves the
   * alias row, keeps each affected version's stage in line with its aliases, and records the change.
   * `champion` has one holder across every name: moving it from another name records its removal
   * there too. Returns false when the alias already points at `target`.
   */
  private async moveAlias(
    tx: EntityManager,
    alias: string,
    name: string,
    target: ModelVersionEntity | null,
    change: AliasChange,
  ): Promise<boolean> {
    const holder = await tx.findOne(ModelAliasEntity, {
      where: alias === CHAMPION ? { alias } : { name, alias },
    });
    if ((holder?.modelVersionId ?? null) === (target?.id ?? null)) {
      // Setting champion again on its holder repairs a stage a manual edit changed (see findChampion).
      if (alias !== CHAMPION || !target || target.stage === 'production') return false;
      await this.restage(tx, target);
      return true;
    }
    const previous = holder
      ? await tx.findOneOrFail(ModelVersionEntity, { where: { id: holder.modelVersionId } })
      : null;
    const at = await this.nextAt(tx);
    if (holder) await tx.delete(ModelAliasEntity, { name: holder.name, alias });
    if (target)
      await tx.insert(ModelAliasEntity, {
        name: target.name,
        alias,
        modelVersionId: target.id,
        setBy: change.changedBy,
        setAt: at,
      });
    const previousStage = previous && (await this.restage(tx, previous, alias));
    const targetStage = target && (await this.restage(tx, target));
    const row = {
      alias,
      changedBy: change.changedBy,
      fromVersionId: previous?.id ?? null,
      at,
    };
    if (previous && target && previous.name !== target.name) {
      await this.insertChange(tx, {
        ...row,
        name: previous.name,
        action: 'remove',
        toVersionId: null,
        modelVersionId: previous.id,
        fromStage: previous.stage,
        toStage: previousStage!,
        reason: truncate(
          `moved to ${target.name} v${target.version}${change.reason ? `: ${change.reason}` : ''}`,
        ),
      });
    }
    const concerned = target ?? previous!;
    await this.insertChange(tx, {
      ...row,
      name: concerned.name,
      action: change.action,
      toVersionId: target?.id ?? null,
      modelVersionId: concerned.id,
      fromStage: concerned.stage,
      toStage: (target ? targetStage : previousStage)!,
      reason: change.reason,
      forced: change.forced ?? false,
      at: previous && target && previous.name !== target.name ? at + 1 : at,
    });
    return true;
  }

  /**
   * Sets a version's stage from the aliases it now holds: `champion` → production, `challenger` →
   * staging; having just lost `champion` → archived, `challenger` → none; otherwise unchanged.
   */
  private async restage(tx: EntityManager, version: ModelVersionEntity, lost?: string): Promise<ModelStage> {
    const held = await this.aliasesHeld(tx, version.id);
    const stage: ModelStage = held.includes(CHAMPION)
      ? 'production'
      : held.includes(CHALLENGER)
        ? 'staging'
        : lost === CHAMPION
          ? 'archived'
          : lost === CHALLENGER || version.stage === 'production'
            ? 'none'
            : version.stage;
    if (stage !== version.stage)
      await tx.update(ModelVersionEntity, { id: version.id }, { stage, stageChangedAt: Date.now() });
    return stage;
  }

  /** A stage change that moves no alias (a deprecated `archived`/`none` on a version without aliases). */
  private async recordStage(
    tx: EntityManager,
    version: ModelVersionEntity,
    stage: ModelStage,
    change: AliasChange,
  ): Promise<void> {
    const at = await this.nextAt(tx);
    await tx.update(ModelVersionEntity, { id: version.id }, { stage, stageChangedAt: at });
    await this.insertChange(tx, {
      name: version.name,
      alias: null,
      action: 'stage',
      fromVersionId: null,
      toVersionId: null,
      modelVersionId: version.id,
      fromStage: version.stage,
      toStage: stage,
      changedBy: change.changedBy,
      reason: change.reason,
      at,
    });
  }

  private insertChange(
    tx: EntityManager,
    row: Omit<ModelStageChangeEntity, 'id' | 'forced'> & { forced?: boolean },
  ): Promise<unknown> {
    return tx.insert(ModelStageChangeEntity, { id: randomUUID(), forced: false, ...row });
  }

  /**
   * A history time after every recorded one: changes are serialised, so their times strictly increase
   * even within one millisecond or when clocks of two instances differ, and rollback reads them in order.
   */
  private async nextAt(tx: EntityManager): Promise<number> {
    const [row] = (await tx.query(`SELECT MAX("at") AS "last" FROM "model_stage_changes"`)) as {
      last: unknown;
    }[];
    const last = row?.last === null || row?.last === undefined ? 0 : Number(row.last);
    return Math.max(Date.now(), last + 2);
  }
}
