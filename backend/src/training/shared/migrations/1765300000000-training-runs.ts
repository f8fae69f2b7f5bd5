import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Training runs (queued through the API or recorded by `ml train --server`). */
export class TrainingRuns1765300000000 implements MigrationInterface {
  name = 'TrainingRuns1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'training_runs',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'source', type: 'varchar', length: '20' },
          { name: 'apiKeyId', type: 'varchar', length: '36', isNullable: true },
          { name: 'specName', type: 'varchar', length: '200' },
          { name: 'spec', type: 'text', isNullable: true },
          { name: 'inputUri', type: 'varchar', length: '1000', isNullable: true },
          { name: 'inputKey', type: 'varchar', length: '1000', isNullable: true },
          { name: 'inputBytes', type: 'bigint', isNullable: true },
          { name: 'datasetId', type: 'varchar', length: '36', isNullable: true },
          { name: 'options', type: 'text' },
          { name: 'progress', type: 'text', isNullable: true },
          { name: 'params', type: 'text', isNullable: true },
          { name: 'metrics', type: 'text', isNullable: true },
          { name: 'trials', type: 'text', isNullable: true },
          { name: 'datasetSha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'durationMs', type: 'integer', isNullable: true },
          { name: 'logTail', type: 'text', isNullable: true },
          { name: 'logKey', type: 'varchar', length: '1000', isNullable: true },
          { name: 'holdoutKey', type: 'varchar', length: '1000', isNullable: true },
          { name: 'modelVersionId', type: 'varchar', length: '36', isNullable: true },
          { name: 'modelName', type: 'varchar', length: '200', isNullable: true },
          { name: 'modelVersion', type: 'integer', isNullable: true },
          { name: 'mlflowRunId', type: 'varchar', length: '100', isNullable: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'stalledCount', type: 'integer', default: 0 },
          { name: 'attemptId', type: 'varchar', length: '36', isNullable: true },
          { name: 'workerId', type: 'varchar', length: '200', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'rowsRead', type: 'integer', default: 0 },
          { name: 'rowsDone', type: 'integer', default: 0 },
          { name: 'rowsFailed', type: 'integer', default: 0 },
          { name: 'bytesRead', type: 'bigint', default: 0 },
          { name: 'createdAt', type: 'bigint' },
          { name: 'updatedAt', type: 'bigint' },
          { name: 'startedAt', type: 'bigint', isNullable: true },
          { name: 'finishedAt', type: 'bigint', isNullable: true },
        ],
      }),
    );
    await q.createIndex('training_runs', new TableIndex({ name: 'IDX_training_runs_status', columnNames: ['status'] }));
    await q.createIndex('training_runs', new TableIndex({ name: 'IDX_training_runs_created', columnNames: ['createdAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('training_runs');
  }
}
