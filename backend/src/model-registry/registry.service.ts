import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  InputError,
  checkParity,
  loadPackageModel,
  parseManifest,
  readPackageArchive,
  type ModelEvaluation,
  type ModelManifest,
  type ModelPackage,
} from '@housing/ml';
import { ARTIFACT_STORE, type ArtifactStore } from '../storage/artifact-store';
import { ProblemException, conflict, notFound } from '../common/problem';
import { ModelStageChangeEntity, ModelVersionEntity, type ModelStage } from './model-version.entity';
import { ModelEvents } from './model-events';
import { isModelRef } from './registry.params';

export const registrationRejected = (detail: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'package-rejected', 'Model package rejected', detail);

/** A version's package as the serving side needs it. */
export interface StoredPackage {
  version: ModelVersionEntity;
  manifest: ModelManifest;
  model: Uint8Array;
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
    @InjectRepository(ModelStageChangeEntity) private readonly changes: Repository<ModelStageChangeEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly events: ModelEvents,
  ) {}

  /** Registers a package archive (.tar.gz); rejects it with the reason unless it verifies. */
  async registerArchive(archive: Uint8Array, registeredBy: string | null): Promise<ModelVersionEntity> {
    let pkg: ModelPackage;
    try {
      pkg = readPackageArchive(archive);
    } catch (error) {
      if (error instanceof InputError) throw registrationRejected(error.message);
      throw error;
    }
    return this.register(pkg, registeredBy);
  }

  /** Registers a package stored at a URI inside the artifact store: a .tar.gz object or a directory. */
  async registerUri(uri: string, registeredBy: string | null): Promise<ModelVersionEntity> {
    const key = this.store.keyOf(uri);
    if (key === undefined)
      throw registrationRejected(`${uri} is not inside this platform's artifact store (ARTIFACT_STORE)`);
    if (/\.(tar\.gz|tgz)$/.test(key)) {
      if (!(await this.store.exists(key))) throw registrationRejected(`${uri}: no such object`);
      return this.registerArchive(await this.store.get(key), registeredBy);
    }
    const dir = key.replace(/\/+$/, '');
    const read = async (file: string) => {
      if (!(await this.store.exists(`${dir}/${file}`)))
        throw registrationRejected(`${uri}: ${file} is missing`);
      return this.store.get(`${dir}/${file}`);
    };
    const [manifestBytes, model, evaluationBytes] = await Promise.all([
      read('manifest.json'),
      read('model.onnx'),
      read('evaluation.json'),
    ]);
    try {
      const bytes = new Uint8Array(model);
      const manifest = parseManifest(JSON.parse(manifestBytes.toString('utf8')), bytes);
      return this.register(
        {
          manifest,
          model: bytes,
          evaluation: JSON.parse(evaluationBytes.toString('utf8')) as ModelEvaluation,
        },
        registeredBy,
      );
    } catch (error) {
      if (error instanceof InputError || error instanceof SyntaxError)
        throw registrationRejected((error as Error).message);
      throw error;
    }
  }

  /** Verification: the ONNX model loads and the parity fixture is reproduced by the shared transform. */
  async verify(pkg: ModelPackage): Promise<void> {
    let session;
    try {
      session = await loadPackageModel(pkg.manifest, pkg.model);
    } catch (error) {
      throw registrationRejected(`model.onnx does not load: ${(error as Error).message}`);
    }
    try {
      const report = await checkParity(pkg.manifest, session);
      if (report.failures.length > 0) {
        const f = report.failures[0]!;
        throw registrationRejected(
          `parity fixture not reproduced: ${report.failures.length} of ${report.rows} records differ beyond tolerance ` +
            `(record ${f.index}: expected ${f.expected}, got ${f.actual})`,
        );
      }
    } finally {
      await session.release();
    }
  }

  private async register(pkg: ModelPackage, registeredBy: string | null): Promise<ModelVersionEntity> {
    await this.verify(pkg);
    const { manifest } = pkg;
    const name = manifest.model.name;
    for (let attempt = 0; ; attempt++) {
      const latest = await this.versions.findOne({ where: { name }, order: { version: 'DESC' } });
      const version = (latest?.version ?? 0) + 1;
      const prefix = `models/${name}/${version}`;
      // Files first, row last: a row always points at a complete package.
      await this.store.put(`${prefix}/model.onnx`, pkg.model);
      await this.store.put(`${prefix}/manifest.json`, JSON.stringify(manifest));
      await this.store.put(`${prefix}/evaluation.json`, JSON.stringify(pkg.evaluation));
      const entity = this.versions.create({
        id: randomUUID(),
        name,
        version,
        packageVersion: manifest.model.version,
        stage: 'none',
        artifactPrefix: prefix,
        onnxSha256: manifest.onnx.sha256,
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
        // Two registrations raced for the same number: take the next one.
        if (attempt < 3 && /unique|duplicate/i.test((error as Error).message)) continue;
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

  async readPackage(version: ModelVersionEntity): Promise<StoredPackage> {
    const [manifestBytes, modelBytes] = await Promise.all([
      this.store.get(`${version.artifactPrefix}/manifest.json`),
      this.store.get(`${version.artifactPrefix}/model.onnx`),
    ]);
    const model = new Uint8Array(modelBytes);
    return { version, manifest: parseManifest(JSON.parse(manifestBytes.toString('utf8')), model), model };
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

  /** Moves a version to a stage. Promoting to production archives the current production version. */
  async setStage(
    name: string,
    version: number,
    stage: ModelStage,
    changedBy: string | null,
  ): Promise<ModelVersionEntity> {
    const target = await this.get(name, version);
    if (target.stage === stage) return target;
    await this.versions.manager.transaction(async (tx) => {
      const now = Date.now();
      if (stage === 'production') {
        const current = await tx.findOne(ModelVersionEntity, { where: { stage: 'production' } });
        if (current) await this.recordChange(tx, current, 'archived', changedBy, now);
      }
      await this.recordChange(tx, target, stage, changedBy, now + (stage === 'production' ? 1 : 0));
    });
    await this.events.publish({ type: 'stage-changed', modelVersionId: target.id, stage, at: Date.now() });
    return this.get(name, version);
  }

  /** Restores the version that was in production before the current one. */
  async rollback(changedBy: string | null): Promise<ModelVersionEntity> {
    const current = await this.findProduction();
    if (!current) throw conflict('no version is in production, so there is nothing to roll back from');
    const promotions = await this.changes.find({
      where: { toStage: 'production' },
      order: { at: 'DESC' },
      take: 50,
    });
    const previous = promotions.find((p) => p.modelVersionId !== current.id);
    if (!previous)
      throw conflict(`${current.name} v${current.version} is the only version ever promoted to production`);
    const entity = await this.versions.findOne({ where: { id: previous.modelVersionId } });
    if (!entity) throw conflict('the previous production version no longer exists');
    return this.setStage(entity.name, entity.version, 'production', changedBy);
  }

  private async recordChange(
    tx: Repository<ModelVersionEntity>['manager'],
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
