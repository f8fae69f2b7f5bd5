import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The aliases migration on a database written before aliases existed (both profiles): the stage history
 * is kept and back-filled so that the history endpoint shows it and rollback walks back through it, and
 * the current stages become aliases. The migration (and every later one) is reverted on a fresh app's
 * database, the old kind of rows are written, and the migrations run again.
 */
jest.setTimeout(120_000);

let t: TestApp;
const auth = () => ({ 'x-api-key': t.adminKey });

const version = (id: string, v: number, stage: string, changedAt: number) =>
  `('${id}', 'legacy-model', ${v}, 'p${v}', '${stage}', 'models/legacy-model/u${v}', '${'0'.repeat(64)}',
    '{}', '{}', '{}', 'housets', 3, ${1000 + v}, ${changedAt})`;
const change = (id: string, versionId: string, from: string, to: string, at: number) =>
  `('${id}', '${versionId}', '${from}', '${to}', NULL, ${at})`;
const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('keeps and back-fills stage history written before aliases, and turns current stages into aliases', async () => {
  const db = t.app.get(DataSource);
  // Reverted with every migration after it (they run after it again below).
  const names = db.migrations.map((m) => m.name);
  const aliasesAt = names.indexOf('ModelAliases1765200000000');
  expect(aliasesAt).toBeGreaterThanOrEqual(0);
  for (let i = names.length - 1; i >= aliasesAt; i--) await db.undoLastMigration();
  const [last] = (await db.query(`SELECT "name" FROM "migrations" ORDER BY "id" DESC LIMIT 1`)) as {
    name: string;
  }[];
  expect(last!.name).toBe(names[aliasesAt - 1]);
  // v1 promoted then replaced by v2 (production); v3 and v4 staged, v3 most recently.
  await db.query(
    `INSERT INTO "model_versions" ("id", "name", "version", "packageVersion", "stage", "artifactPrefix",
       "onnxSha256", "metrics", "lineage", "hyperparameters", "datasetSpec", "featureCount", "createdAt",
       "stageChangedAt") VALUES ${[
         version(ID(1), 1, 'archived', 200),
         version(ID(2), 2, 'production', 201),
         version(ID(3), 3, 'staging', 300),
         version(ID(4), 4, 'staging', 250),
       ].join(', ')}`,
  );
  await db.query(
    `INSERT INTO "model_stage_changes" ("id", "modelVersionId", "fromStage", "toStage", "changedBy", "at")
     VALUES ${[
       change(ID(5), ID(1), 'none', 'production', 100),
       change(ID(6), ID(1), 'production', 'archived', 200),
       change(ID(7), ID(2), 'none', 'production', 201),
       change(ID(8), ID(4), 'none', 'staging', 250),
       change(ID(9), ID(3), 'none', 'staging', 300),
     ].join(', ')}`,
  );
  await db.runMigrations();

  const aliases = await t.request().get('/v1/models/legacy-model/aliases').set(auth());
  expect(aliases.body.map((a: { alias: string; version: number }) => [a.alias, a.version])).toEqual([
    ['challenger', 3],
    ['champion', 2],
  ]);
  const versions = await t.request().get('/v1/models?name=legacy-model').set(auth());
  expect(
    versions.body.map((v: { version: number; tags: object; description: null }) => [
      v.version,
      v.tags,
      v.description,
    ]),
  ).toEqual([
    [4, {}, null],
    [3, {}, null],
    [2, {}, null],
    [1, {}, null],
  ]);

  const history = await t.request().get('/v1/models/legacy-model/history').set(auth());
  expect(history.body.total).toBe(5);
  expect(
    history.body.items.map(
      (e: { alias: string; from: { version: number } | null; to: { version: number } | null }) => [
        e.alias,
        e.from?.version ?? null,
        e.to?.version ?? null,
      ],
    ),
  ).toEqual([
    ['challenger', null, 3],
    ['challenger', null, 4],
    ['champion', null, 2],
    ['champion', 1, null],
    ['champion', null, 1],
  ]);

  // The database still refuses a second production version (SQLite copies the table to add a column)
  // and refuses a second champion.
  await expect(
    db.query(`UPDATE "model_versions" SET "stage" = 'production' WHERE "id" = '${ID(1)}'`),
  ).rejects.toThrow(/unique|duplicate/i);
  await expect(
    db.query(
      `INSERT INTO "model_aliases" ("name", "alias", "modelVersionId", "setAt") VALUES ('another', 'champion', '${ID(1)}', 1)`,
    ),
  ).rejects.toThrow(/unique|duplicate/i);

  // Rollback reads the back-filled arrivals: v1 held champion before v2.
  const preview = await t.request().get('/v1/models/legacy-model/rollback').set(auth());
  expect(preview.status).toBe(200);
  expect(preview.body).toMatchObject({ from: { version: 2 }, to: { version: 1 } });
});
