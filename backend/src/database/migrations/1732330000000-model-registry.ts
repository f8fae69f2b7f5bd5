import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
const json = (name: string) => ({ name, type: 'text' });

/** Model versions and their stage history. Written with TypeORM's schema API so it runs on SQLite and Postgres. */
export class ModelRegistry1732330000000 implements MigrationInterface {
  name = 'ModelRegistry1732330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'model_versions',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'version', type: 'integer' },
          { name: 'packageVersion', type: 'varchar', length: '100' },
          { name: 'stage', type: 'varchar', length: '20', default: "'none'" },
          { name: 'artifactPrefix', type: 'varchar', length: '500' },
          { name: 'onnxSha256', type: 'varchar', length: '64' },
          json('metrics'),
          json('lineage'),
          json('hyperparameters'),
          { name: 'datasetSpec', type: 'varchar', length: '200' },
          { name: 'featureCount', type: 'integer' },
          { name: 'registeredBy', type: 'varchar', length: '36', isNullable: true },
          { name: 'createdAt', type: 'bigint' },
          { name: 'stageChangedAt', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_model_versions_name_version',
            columnNames: ['name', 'version'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_model_versions_stage', columnNames: ['stage'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'model_stage_changes',
        columns: [
          id,
          { name: 'modelVersionId', type: 'varchar', length: '36' },
          { name: 'fromStage', type: 'varchar', length: '20' },
          { name: 'toStage', type: 'varchar', length: '20' },
          { name: 'changedBy', type: 'varchar', length: '36', isNullable: true },
          { name: 'at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_model_stage_changes_version', columnNames: ['modelVersionId'] }),
          new TableIndex({ name: 'IDX_model_stage_changes_at', columnNames: ['at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('model_stage_changes');
    await q.dropTable('model_versions');
  }
}
