import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JobLifecycleColumns } from '../../jobs/job-lifecycle';
import { nullableEpochMs } from '../../database/epoch-ms';
import type { DatasetSpec } from '@housing/ml';
import type { TrainingOptions, TrainingProgress, TrainingTrial } from './training.constants';

/**
 * One training run: queued through POST /v1/training-runs and run by a training worker (`source`
 * `queue`), or trained offline by `ml train --server` and recorded afterwards (`cli`). The package it
 * produced is registered as a new model version (never promoted).
 */
@Entity('training_runs')
@Index('IDX_training_runs_status', ['status'])
@Index('IDX_training_runs_created', ['createdAt'])
export class TrainingRunEntity extends JobLifecycleColumns {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  source: 'queue' | 'cli';

  @Column({ type: 'varchar', length: 36, nullable: true })
  apiKeyId: string | null;

  /** The built-in or stored spec's name, or the inline spec's own `name`. */
  @Column({ type: 'varchar', length: 200 })
  specName: string;

  /** The whole spec the run trains with (resolved at submit time). */
  @Column({ type: 'simple-json', nullable: true })
  spec: DatasetSpec | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  inputUri: string | null;

  /** The stored input (an upload's own object, an input URI's or a dataset's). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  inputKey: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  inputBytes: number | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  datasetId: string | null;

  @Column({ type: 'simple-json' })
  options: TrainingOptions;

  @Column({ type: 'simple-json', nullable: true })
  progress: TrainingProgress | null;

  /** Chosen hyper-parameters. */
  @Column({ type: 'simple-json', nullable: true })
  params: Record<string, unknown> | null;

  /** Holdout, eval, train and baseline metrics, and the cross-validated selection. */
  @Column({ type: 'simple-json', nullable: true })
  metrics: Record<string, unknown> | null;

  @Column({ type: 'simple-json', nullable: true })
  trials: TrainingTrial[] | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  datasetSha256: string | null;

  /** How long the trainer ran (the `ml train` child, from start to exit). */
  @Column({ type: 'integer', nullable: true })
  durationMs: number | null;

  @Column({ type: 'text', nullable: true })
  logTail: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  logKey: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  holdoutKey: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  modelVersionId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  modelName: string | null;

  @Column({ type: 'integer', nullable: true })
  modelVersion: number | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  mlflowRunId: string | null;
}
