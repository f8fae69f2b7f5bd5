import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const epoch = (name: string, nullable = false) => ({ name, type: 'bigint', isNullable: nullable });
const count = (name: string) => ({ name, type: 'integer', default: 0 });

/** Batch job and monthly-run records. Written with TypeORM's schema API so it runs on SQLite and Postgres. */
export class BatchJobs1732331000000 implements MigrationInterface {
  name = 'BatchJobs1732331000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'batch_jobs',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'apiKeyId', type: 'varchar', length: '36', isNullable: true },
          { name: 'idempotencyKey', type: 'varchar', length: '200', isNullable: true },
          { name: 'inputUri', type: 'varchar', length: '1000' },
          { name: 'inputKey', type: 'varchar', length: '1000' },
          { name: 'inputName', type: 'varchar', length: '255', isNullable: true },
          epoch('inputBytes', true),
          { name: 'modelVersionId', type: 'varchar', length: '36' },
          { name: 'modelName', type: 'varchar', length: '200' },
          { name: 'modelVersion', type: 'integer' },
          count('rowsRead'),
          count('rowsDone'),
          count('rowsFailed'),
          { name: 'bytesRead', type: 'bigint', default: 0 },
          count('attempts'),
          count('stalledCount'),
          { name: 'attemptId', type: 'varchar', length: '36', isNullable: true },
          { name: 'workerId', type: 'varchar', length: '200', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'resultKey', type: 'varchar', length: '1000', isNullable: true },
          { name: 'errorsKey', type: 'varchar', length: '1000', isNullable: true },
          epoch('createdAt'),
          epoch('updatedAt'),
          epoch('startedAt', true),
          epoch('finishedAt', true),
        ],
        indices: [
          // Same key from the same API key → the same job (NULL keys never collide in SQLite or Postgres).
          new TableIndex({
            name: 'IDX_batch_jobs_idempotency',
            columnNames: ['apiKeyId', 'idempotencyKey'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_batch_jobs_status', columnNames: ['status'] }),
          new TableIndex({ name: 'IDX_batch_jobs_created', columnNames: ['createdAt'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'batch_evaluations',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'source', type: 'varchar', length: '20' },
          { name: 'apiKeyId', type: 'varchar', length: '36', isNullable: true },
          { name: 'queueJobId', type: 'varchar', length: '200', isNullable: true },
          { name: 'inputUri', type: 'varchar', length: '1000' },
          { name: 'modelVersionId', type: 'varchar', length: '36', isNullable: true },
          { name: 'modelName', type: 'varchar', length: '200', isNullable: true },
          { name: 'modelVersion', type: 'integer', isNullable: true },
          count('rowsRead'),
          count('rowsDone'),
          count('rowsFailed'),
          count('attempts'),
          { name: 'attemptId', type: 'varchar', length: '36', isNullable: true },
          { name: 'files', type: 'text', isNullable: true },
          { name: 'summary', type: 'text', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          epoch('createdAt'),
          epoch('updatedAt'),
          epoch('startedAt', true),
          epoch('finishedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_batch_evaluations_status', columnNames: ['status'] }),
          new TableIndex({ name: 'IDX_batch_evaluations_created', columnNames: ['createdAt'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('batch_evaluations');
    await q.dropTable('batch_jobs');
  }
}
