import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Aliases, tags and a history of every alias change (issue 13, point 3).
 * - model_aliases: (name, alias) → version, unique per (name, alias). `champion` is what the API serves,
 *   and the API serves one model, so at most one version holds `champion` across every name (a partial
 *   unique index, as for the production stage it replaces).
 * - model_versions gains a description and tags (a JSON object, `{}` for existing rows).
 * - model_stage_changes becomes the alias history: each row gains the model name, the alias, the action,
 *   the versions the alias moved from and to, and a reason. Old rows are kept and back-filled: a move to
 *   production is `champion` arriving at that version, a move out of production `champion` leaving it,
 *   and the same for staging and `challenger`, so rollback can walk back through history older than aliases.
 * - The current stages become aliases: the production version holds `champion`, the most recently staged
 *   version of each name `challenger`.
 * The SQL runs on SQLite and Postgres alike.
 */
/**
 * On SQLite, TypeORM adds or drops a column by copying the table, which keeps only the indexes it knows
 * how to write: the partial unique index of OneProductionVersion1765000000000 would be lost. Created
 * again (a no-op on Postgres, which alters the table in place).
 */
async function restoreOneProductionIndex(q: QueryRunner): Promise<void> {
  await q.query(
    `CREATE UNIQUE INDEX IF NOT EXISTS "UQ_model_versions_one_production" ON "model_versions" ("stage") WHERE "stage" = 'production'`,
  );
}

export class ModelAliases1765200000000 implements MigrationInterface {
  name = 'ModelAliases1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'model_aliases',
        columns: [
          { name: 'name', type: 'varchar', length: '200', isPrimary: true },
          { name: 'alias', type: 'varchar', length: '64', isPrimary: true },
          { name: 'modelVersionId', type: 'varchar', length: '36' },
          { name: 'setBy', type: 'varchar', length: '36', isNullable: true },
          { name: 'setAt', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_model_aliases_version', columnNames: ['modelVersionId'] })],
      }),
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_model_aliases_one_champion" ON "model_aliases" ("alias") WHERE "alias" = 'champion'`,
    );
    await q.addColumns('model_versions', [
      new TableColumn({ name: 'description', type: 'text', isNullable: true }),
      new TableColumn({ name: 'tags', type: 'text', default: "'{}'" }),
    ]);
    await restoreOneProductionIndex(q);
    await q.addColumns('model_stage_changes', [
      new TableColumn({ name: 'name', type: 'varchar', length: '200', isNullable: true }),
      new TableColumn({ name: 'alias', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'action', type: 'varchar', length: '20', default: "'stage'" }),
      new TableColumn({ name: 'fromVersionId', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'toVersionId', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'reason', type: 'varchar', length: '500', isNullable: true }),
    ]);
    await q.createIndex(
      'model_stage_changes',
      new TableIndex({ name: 'IDX_model_stage_changes_name_at', columnNames: ['name', 'at'] }),
    );
    await q.query(
      `UPDATE "model_stage_changes" SET "name" =
         (SELECT "v"."name" FROM "model_versions" "v" WHERE "v"."id" = "model_stage_changes"."modelVersionId")`,
    );
    for (const [stage, alias] of [
      ['production', 'champion'],
      ['staging', 'challenger'],
    ] as const) {
      // Constants of this migration, not input: written into the SQL directly.
      await q.query(
        `UPDATE "model_stage_changes" SET "alias" = '${alias}', "toVersionId" = "modelVersionId"
         WHERE "toStage" = '${stage}' AND "fromStage" <> '${stage}'`,
      );
      await q.query(
        `UPDATE "model_stage_changes" SET "alias" = '${alias}', "fromVersionId" = "modelVersionId"
         WHERE "fromStage" = '${stage}' AND "toStage" <> '${stage}'`,
      );
    }
    await q.query(
      `INSERT INTO "model_aliases" ("name", "alias", "modelVersionId", "setBy", "setAt")
       SELECT "name", 'champion', "id", NULL, COALESCE("stageChangedAt", "createdAt") FROM "model_versions"
       WHERE "stage" = 'production'`,
    );
    await q.query(
      `INSERT INTO "model_aliases" ("name", "alias", "modelVersionId", "setBy", "setAt")
       SELECT "v"."name", 'challenger', "v"."id", NULL, COALESCE("v"."stageChangedAt", "v"."createdAt")
       FROM "model_versions" "v" WHERE "v"."stage" = 'staging' AND "v"."id" = (
         SELECT "s"."id" FROM "model_versions" "s" WHERE "s"."name" = "v"."name" AND "s"."stage" = 'staging'
         ORDER BY "s"."stageChangedAt" DESC, "s"."version" DESC LIMIT 1)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('model_stage_changes', 'IDX_model_stage_changes_name_at');
    for (const column of ['reason', 'toVersionId', 'fromVersionId', 'action', 'alias', 'name'])
      await q.dropColumn('model_stage_changes', column);
    await q.dropColumn('model_versions', 'tags');
    await q.dropColumn('model_versions', 'description');
    await restoreOneProductionIndex(q);
    await q.query(`DROP INDEX "UQ_model_aliases_one_champion"`);
    await q.dropTable('model_aliases');
  }
}
