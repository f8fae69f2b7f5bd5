import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * At most one model version in production, enforced by the database (issue 11 item 3): a unique partial
 * index on `stage` over the rows whose stage is 'production'. Production is one version across every
 * model name (the API serves one model), so the index covers the whole table. RegistryService.setStage
 * serialises stage changes; this index is the guarantee if anything else (a manual edit, an older
 * process) tries to add a second one. Rows left with two production versions by the race this closes
 * keep the most recently promoted one and archive the others, so the index can be created.
 * The SQL is the same on SQLite and Postgres (both have partial indexes).
 */
export class OneProductionVersion1765000000000 implements MigrationInterface {
  name = 'OneProductionVersion1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "model_versions" SET "stage" = 'archived'
       WHERE "stage" = 'production' AND "id" <> (
         SELECT "id" FROM "model_versions" WHERE "stage" = 'production'
         ORDER BY "stageChangedAt" DESC, "id" ASC LIMIT 1)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_model_versions_one_production" ON "model_versions" ("stage") WHERE "stage" = 'production'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_model_versions_one_production"`);
  }
}
