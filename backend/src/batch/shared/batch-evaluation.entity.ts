import type { EvaluationCell } from '@housing/ml';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JobLifecycleColumns } from '../../jobs/job-lifecycle';

export interface ErrorMetrics {
  /** Rows with an actual price. */
  n: number;
  mae: number;
  rmse: number;
  /** Mean absolute percentage error, percent. */
  mape: number;
  /** Mean signed percentage error (predicted - actual) / actual, percent: the bias. */
  meanPctError: number;
  meanActual: number;
  meanPredicted: number;
}

export interface EvaluationSummary {
  dateColumn: string;
  regionColumn: string | null;
  /** Over every row with an actual price. */
  overall: ErrorMetrics;
  byMonth: Array<ErrorMetrics & { month: string }>;
  byRegion: Array<ErrorMetrics & { region: string }>;
}

export interface MonthlyFile {
  month: string;
  key: string;
  rows: number;
}

/**
 * One run of the monthly batch: the dataset scored month by month into one prediction file per month
 * (`batch/monthly/<id>/<YYYY-MM>.csv`) and, when actual prices are present, an evaluation summary.
 */
@Entity('batch_evaluations')
@Index('IDX_batch_evaluations_status', ['status'])
@Index('IDX_batch_evaluations_created', ['createdAt'])
export class BatchEvaluationEntity extends JobLifecycleColumns {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** `schedule` (BATCH_MONTHLY_CRON) or `api` (POST /v1/batch-evaluations). */
  @Column({ type: 'varchar', length: 20 })
  source: 'schedule' | 'api';

  @Column({ type: 'varchar', length: 36, nullable: true })
  apiKeyId: string | null;

  /** Id of the BullMQ job carrying the run (the run id, or the scheduler's `repeat:…` id). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  queueJobId: string | null;

  @Column({ type: 'varchar', length: 1000 })
  inputUri: string;

  /** The registered dataset scored (POST with datasetId), else null (an input URI). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  datasetId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  datasetSha256: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  modelVersionId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  modelName: string | null;

  @Column({ type: 'integer', nullable: true })
  modelVersion: number | null;

  @Column({ type: 'simple-json', nullable: true })
  files: MonthlyFile[] | null;

  /** The rejected rows (null for evaluations made before it was kept: see batchKeys.monthlyErrors). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  errorsKey: string | null;

  @Column({ type: 'simple-json', nullable: true })
  summary: EvaluationSummary | null;

  /** Actual vs predicted by (month, region), the holdout evaluation's cells (null before they were kept). */
  @Column({ type: 'simple-json', nullable: true })
  cells: EvaluationCell[] | null;
}
