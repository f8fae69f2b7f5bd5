import { TableColumn, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Batch runs that name a registered dataset (issue 16): batch_evaluations.datasetId/datasetSha256 and
 * batch_jobs.datasetId/datasetSha256, null for runs given an input URI. The evaluations' datasetId is a
 * foreign key ON DELETE RESTRICT: the database itself refuses deleting a dataset an evaluation references,
 * so a delete racing the evaluation that names the dataset can never leave it pointing at nothing.
 */
export class BatchDatasets1764700000000 implements MigrationInterface {
  name = 'BatchDatasets1764700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['batch_evaluations', 'batch_jobs'])
      await q.addColumns(table, [
        new TableColumn({ name: 'datasetId', type: 'varchar', length: '36', isNullable: true }),
        new TableColumn({ name: 'datasetSha256', type: 'varchar', length: '64', isNullable: true }),
      ]);
    await q.createForeignKey(
      'batch_evaluations',
      new TableForeignKey({
        name: 'FK_batch_evaluations_dataset',
        columnNames: ['datasetId'],
        referencedTableName: 'datasets',
        referencedColumnNames: ['id'],
        onDelete: 'RESTRICT',
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropForeignKey('batch_evaluations', 'FK_batch_evaluations_dataset');
    for (const table of ['batch_evaluations', 'batch_jobs']) {
      await q.dropColumn(table, 'datasetSha256');
      await q.dropColumn(table, 'datasetId');
    }
  }
}
