import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A batch job whose input carries actual prices keeps its accuracy: batch_jobs.evaluation holds the
 * (month, region) cells of actual vs predicted (the platform's one evaluation format), null otherwise;
 * monthly batch runs keep the same cells in batch_evaluations.cells beside their summary.
 */
export class BatchJobEvaluation1765100000000 implements MigrationInterface {
  name = 'BatchJobEvaluation1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('batch_jobs', new TableColumn({ name: 'evaluation', type: 'text', isNullable: true }));
    await q.addColumn(
      'batch_evaluations',
      new TableColumn({ name: 'cells', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('batch_evaluations', 'cells');
    await q.dropColumn('batch_jobs', 'evaluation');
  }
}
