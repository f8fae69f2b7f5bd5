import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Registered dataset versions (content-addressed by sha256). Schema API: runs on SQLite and Postgres. */
export class Datasets1732332000000 implements MigrationInterface {
  name = 'Datasets1732332000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'datasets',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'specName', type: 'varchar', length: '100' },
          { name: 'fileName', type: 'varchar', length: '255', isNullable: true },
          { name: 'bytes', type: 'bigint' },
          { name: 'rowCount', type: 'integer' },
          { name: 'columns', type: 'text' },
          { name: 'artifactKey', type: 'varchar', length: '500' },
          { name: 'addedBy', type: 'varchar', length: '36', isNullable: true },
          { name: 'createdAt', type: 'bigint' },
        ],
        indices: [
          // Two uploads of the same bytes race to this index: exactly one row wins (dedupe).
          new TableIndex({ name: 'IDX_datasets_sha256', columnNames: ['sha256'], isUnique: true }),
          new TableIndex({ name: 'IDX_datasets_created', columnNames: ['createdAt'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('datasets');
  }
}
