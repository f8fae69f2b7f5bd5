import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs, nullableEpochMs } from '../database/epoch-ms';

export const MODEL_STAGES = ['none', 'staging', 'production', 'archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

/**
 * One registered model version. The package itself lives in the artifact store under `artifactPrefix`,
 * a key unique to the upload (`models/<name>/<upload id>`; `models/<name>/<version>` before that).
 */
@Entity('model_versions')
@Index(['name', 'version'], { unique: true })
export class ModelVersionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Registry version number, 1, 2, 3... per model name. */
  @Column({ type: 'integer' })
  version: number;

  /** The version string the training run gave the package. */
  @Column({ type: 'varchar', length: 100 })
  packageVersion: string;

  @Index()
  @Column({ type: 'varchar', length: 20, default: 'none' })
  stage: ModelStage;

  @Column({ type: 'varchar', length: 500 })
  artifactPrefix: string;

  @Column({ type: 'varchar', length: 64 })
  onnxSha256: string;

  /** SHA-256 of the stored manifest.json; null for versions registered before it was recorded. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  manifestSha256: string | null;

  @Column({ type: 'simple-json' })
  metrics: Record<string, unknown>;

  @Column({ type: 'simple-json' })
  lineage: Record<string, unknown>;

  @Column({ type: 'simple-json' })
  hyperparameters: Record<string, unknown>;

  @Column({ type: 'varchar', length: 200 })
  datasetSpec: string;

  @Column({ type: 'integer' })
  featureCount: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  registeredBy: string | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  stageChangedAt: number | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Free key/value tags (see model-tags.ts for their limits). */
  @Column({ type: 'simple-json', default: '{}' })
  tags: Record<string, string>;

  /** The aliases pointing at this version, sorted; filled by RegistryService (not a column). */
  aliases?: string[];
}

/** A named pointer at a version: unique per (name, alias); `champion` is what the API serves. */
@Entity('model_aliases')
export class ModelAliasEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  name: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  alias: string;

  @Index()
  @Column({ type: 'varchar', length: 36 })
  modelVersionId: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  setBy: string | null;

  @Column({ type: 'bigint', transformer: epochMs })
  setAt: number;
}

export const HISTORY_ACTIONS = ['set', 'remove', 'rollback', 'stage'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/**
 * History of every alias and stage change (the table kept its first name). `modelVersionId`,
 * `fromStage` and `toStage` describe the version the change concerns; `alias`, `fromVersionId` and
 * `toVersionId` say where the alias moved (null alias: a stage change that moved no alias).
 * Rollback walks back through the `champion` rows.
 */
@Entity('model_stage_changes')
export class ModelStageChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index()
  @Column({ type: 'varchar', length: 36 })
  modelVersionId: string;

  @Column({ type: 'varchar', length: 20 })
  fromStage: ModelStage;

  @Column({ type: 'varchar', length: 20 })
  toStage: ModelStage;

  @Column({ type: 'varchar', length: 36, nullable: true })
  changedBy: string | null;

  @Index()
  @Column({ type: 'bigint', transformer: epochMs })
  at: number;

  /** Null only for rows older than aliases whose version no longer exists. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  alias: string | null;

  @Column({ type: 'varchar', length: 20, default: 'stage' })
  action: HistoryAction;

  @Column({ type: 'varchar', length: 36, nullable: true })
  fromVersionId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  toVersionId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** A promotion made despite evidence that the version is worse than the champion (see `reason`). */
  @Column({ type: 'boolean', default: false })
  forced: boolean;
}
