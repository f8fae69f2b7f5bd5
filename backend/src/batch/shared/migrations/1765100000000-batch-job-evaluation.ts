import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A batch job whose input carries actual prices keeps its accuracy: batch_jobs.evaluation holds the
 * (month, region) cells of actual vs predicted (the platform's one evaluation format), null otherwise;
 * monthly batch runs keep the same cells in batch_evaluations.cells beside their summary; a job may ask
 * for each row's top contributions (batch_jobs.explainTop, 0 for none).
 */
export class BatchJobEvaluation1765100000000 implements MigrationInterface {
  name = 'BatchJobEvaluation1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('batch_jobs', new TableColumn({ name: 'evaluation', type: 'text', isNullable: true }));
    await q.addColumn(
      'batch_evaluations',
      new TableColumn({ name: 'cells', type: 'text', isNullable: true }),
    );
    await q.addColumn('batch_jobs', new TableColumn({ name: 'explainTop', type: 'integer', default: 0 }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('batch_jobs', 'explainTop');
    await q.dropColumn('batch_evaluations', 'cells');
    await q.dropColumn('batch_jobs', 'evaluation');
  }
}
