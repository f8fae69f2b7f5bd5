import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every job entity has the same lifecycle columns (JobLifecycleColumns): batch evaluations gain the
 * worker, stall count and bytes read that batch jobs had, and keep their errors file's key. Large batch jobs are scored in shards,
 * one row per byte range of the input (batch_job_shards).
 */
export class JobLifecycleAndShards1765300000000 implements MigrationInterface {
  name = 'JobLifecycleAndShards1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('batch_evaluations', [
      new TableColumn({ name: 'workerId', type: 'varchar', length: '200', isNullable: true }),
      new TableColumn({ name: 'stalledCount', type: 'integer', default: 0 }),
      new TableColumn({ name: 'bytesRead', type: 'bigint', default: 0 }),
      new TableColumn({ name: 'errorsKey', type: 'varchar', length: '1000', isNullable: true }),
    ]);
    await q.createTable(
      new Table({
        name: 'batch_job_shards',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'jobId', type: 'varchar', length: '36' },
          { name: 'position', type: 'integer' },
          { name: 'startByte', type: 'bigint' },
          { name: 'endByte', type: 'bigint' },
          { name: 'firstLine', type: 'integer' },
          { name: 'resultKey', type: 'varchar', length: '1000', isNullable: true },
          { name: 'errorsKey', type: 'varchar', length: '1000', isNullable: true },
          { name: 'stoppedEarly', type: 'boolean', default: false },
          { name: 'warnings', type: 'text', isNullable: true },
          { name: 'cells', type: 'text', isNullable: true },
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
    await q.createIndex(
      'batch_job_shards',
      new TableIndex({
        name: 'IDX_batch_job_shards_job',
        columnNames: ['jobId', 'position'],
        isUnique: true,
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('batch_job_shards');
    await q.dropColumn('batch_evaluations', 'errorsKey');
    await q.dropColumn('batch_evaluations', 'bytesRead');
    await q.dropColumn('batch_evaluations', 'stalledCount');
    await q.dropColumn('batch_evaluations', 'workerId');
  }
}
