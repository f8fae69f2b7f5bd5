import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Promotion with evidence (issue 13, point 4):
 * - promotion_evidence: the cross-scoring of a candidate and a champion (each on both holdouts), computed
 *   once per (candidate, champion) pair and kept.
 * - model_stage_changes gains `forced`: a promotion made despite evidence that the candidate is worse than
 *   the champion by more than PROMOTION_MARGIN (its reason is the row's `reason`).
 * training_runs gains an index on modelVersionId (a version's run is looked up by it).
 * The column is added with plain SQL: on SQLite TypeORM's addColumn copies the table (see
 * ModelAliases1765200000000); ALTER TABLE … ADD COLUMN alters it in place on both databases.
 */
export class PromotionEvidence1765400000000 implements MigrationInterface {
  name = 'PromotionEvidence1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'promotion_evidence',
        columns: [
          { name: 'candidateVersionId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'championVersionId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'evidence', type: 'text' },
          { name: 'computedAt', type: 'bigint' },
          { name: 'durationMs', type: 'integer' },
        ],
      }),
    );
    await q.query(`ALTER TABLE "model_stage_changes" ADD COLUMN "forced" boolean NOT NULL DEFAULT false`);
    // Evidence looks up a version's training run by the version it registered.
    await q.query(`CREATE INDEX "IDX_training_runs_model_version" ON "training_runs" ("modelVersionId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_training_runs_model_version"`);
    await q.query(`ALTER TABLE "model_stage_changes" DROP COLUMN "forced"`);
    await q.dropTable('promotion_evidence');
  }
}
