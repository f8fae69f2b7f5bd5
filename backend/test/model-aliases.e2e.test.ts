import { packPackage, type ModelPackage } from '@housing/ml';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';

/**
 * Aliases, tags, the alias history, rollback walking back through champion's history, the deprecated
 * stage layer over aliases, and model references on predictions (issue 13 point 3). Both profiles.
 */
jest.setTimeout(300_000);

const NAME = 'housets-xgboost';
let first: TestModel;
let second: TestModel;

interface Ref {
  name: string;
  version: number;
}
interface HistoryItem {
  action: string;
  alias: string | null;
  from: Ref | null;
  to: Ref | null;
  version: Ref | null;
  fromStage: string;
  toStage: string;
  reason: string | null;
  changedBy: string | null;
  at: string;
}

beforeAll(async () => {
  ({ first, second } = await testModels());
});

/** One app with v1 (first), v2 (second), v3 (first again) registered; closed by the caller. */
async function appWithThreeVersions(): Promise<TestApp & { auth: Record<string, string> }> {
  const t = await startTestApp();
  const auth = { 'x-api-key': t.adminKey };
  for (const [archive, version] of [
    [first.archive, 1],
    [second.archive, 2],
    [first.archive, 3],
  ] as const) {
    const res = await t.request().post('/v1/models').set(auth).attach('package', archive, 'p.tar.gz');
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(version);
  }
  return Object.assign(t, { auth });
}

async function waitForServed(
  t: TestApp,
  auth: Record<string, string>,
  name: string,
  version: number,
): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const res = await t.request().get('/v1/models/current').set(auth);
    if (res.status === 200 && res.body.name === name && res.body.version === version) return;
    if (Date.now() > end)
      throw new Error(`${name} v${version} not served (last ${JSON.stringify(res.body)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('aliases, tags and history', () => {
  let t: TestApp & { auth: Record<string, string> };
  let writerKey: Record<string, string>;
  let writerId: string;

  beforeAll(async () => {
    t = await appWithThreeVersions();
    const key = await t
      .request()
      .post('/v1/keys')
      .set(t.auth)
      .send({ name: 'release-manager', scopes: ['predict', 'models:read', 'models:write'] });
    expect(key.status).toBe(201);
    writerKey = { 'x-api-key': key.body.key };
    writerId = key.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const setAlias = (alias: string, body: object, key = writerKey) =>
    t.request().put(`/v1/models/${NAME}/aliases/${alias}`).set(key).send(body);
  const version = async (v: number) =>
    (await t.request().get(`/v1/models/${NAME}/versions/${v}`).set(t.auth)).body;
  const history = async (query = '') =>
    (await t.request().get(`/v1/models/${NAME}/history${query}`).set(t.auth)).body as {
      items: HistoryItem[];
      total: number;
      limit: number;
      offset: number;
    };

  it('sets champion (served), challenger and a custom alias; a version may hold several', async () => {
    const champion = await setAlias('champion', { version: 1, reason: 'first release' });
    expect(champion.status).toBe(200);
    expect(champion.body).toMatchObject({ version: 1, aliases: ['champion'], stage: 'production' });
    await waitForServed(t, t.auth, NAME, 1);

    expect((await setAlias('challenger', { version: 2 })).body).toMatchObject({
      aliases: ['challenger'],
      stage: 'staging',
    });
    const custom = await setAlias('eu_2026-b', { version: 2, reason: 'EU shadow traffic' });
    expect(custom.status).toBe(200);
    expect(custom.body.aliases).toEqual(['challenger', 'eu_2026-b']);
    expect(custom.body.stage).toBe('staging');

    // Moving challenger to v3 takes it from v2 (unique per name), which keeps its other alias.
    expect((await setAlias('challenger', { version: 3 })).body.aliases).toEqual(['challenger']);
    expect(await version(2)).toMatchObject({ aliases: ['eu_2026-b'], stage: 'none' });

    const list = await t.request().get(`/v1/models/${NAME}/aliases`).set(t.auth);
    expect(list.status).toBe(200);
    expect(list.body.map((a: { alias: string; version: number }) => [a.alias, a.version])).toEqual([
      ['challenger', 3],
      ['champion', 1],
      ['eu_2026-b', 2],
    ]);
    expect(list.body[1].setBy).toBe(writerId);

    const listed = await t.request().get('/v1/models').set(t.auth);
    expect(listed.body.map((v: { version: number; aliases: string[] }) => [v.version, v.aliases])).toEqual([
      [3, ['challenger']],
      [2, ['eu_2026-b']],
      [1, ['champion']],
    ]);
  });

  it('refuses bad alias requests with a 4xx naming the problem', async () => {
    const badName = await setAlias('Champion', { version: 1 });
    expect(badName.status).toBe(400);
    expect(badName.body.errors[0].field).toBe('alias');
    expect((await setAlias('x'.repeat(65), { version: 1 })).status).toBe(400);
    expect((await setAlias('champion', {})).status).toBe(400);
    expect((await setAlias('champion', { version: 'one' })).status).toBe(400);
    expect((await setAlias('champion', { version: 1, reason: 'r'.repeat(501) })).status).toBe(400);
    expect((await setAlias('champion', { version: 1, extra: true })).status).toBe(400);
    const unknown = await setAlias('champion', { version: 99 });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(
      (await t.request().put('/v1/models/no-such-model/aliases/champion').set(writerKey).send({ version: 1 }))
        .status,
    ).toBe(404);

    const reader = await t
      .request()
      .post('/v1/keys')
      .set(t.auth)
      .send({ name: 'reader', scopes: ['models:read'] });
    expect((await setAlias('challenger', { version: 1 }, { 'x-api-key': reader.body.key })).status).toBe(403);
  });

  it('removes aliases, but never champion (the API would serve nothing)', async () => {
    const champion = await t.request().delete(`/v1/models/${NAME}/aliases/champion`).set(writerKey).send({});
    expect(champion.status).toBe(409);
    expect(champion.body.detail).toContain('champion');
    const guarded = await t
      .request()
      .delete(`/v1/models/${NAME}/aliases/eu_2026-b`)
      .set(writerKey)
      .send({ version: 3 });
    expect(guarded.status).toBe(409);
    expect(guarded.body.detail).toContain('points at v2');
    const removed = await t
      .request()
      .delete(`/v1/models/${NAME}/aliases/eu_2026-b`)
      .set(writerKey)
      .send({ version: 2, reason: 'shadow test over' });
    expect(removed.status).toBe(204);
    expect((await version(2)).aliases).toEqual([]);
    expect((await t.request().delete(`/v1/models/${NAME}/aliases/eu_2026-b`).set(writerKey)).status).toBe(
      404,
    );
  });

  it('records every change with key, time, from, to and reason, newest first and paged', async () => {
    const { items, total } = await history();
    expect(total).toBe(items.length);
    const summary = items.map((e) => [e.action, e.alias, e.from?.version ?? null, e.to?.version ?? null]);
    expect(summary).toEqual([
      ['remove', 'eu_2026-b', 2, null],
      ['set', 'challenger', 2, 3],
      ['set', 'eu_2026-b', null, 2],
      ['set', 'challenger', null, 2],
      ['set', 'champion', null, 1],
    ]);
    expect(items[0]).toMatchObject({ reason: 'shadow test over', changedBy: writerId });
    expect(items.at(-1)).toMatchObject({ reason: 'first release', fromStage: 'none', toStage: 'production' });
    const times = items.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const page = await history('?limit=2&offset=1');
    expect(page).toMatchObject({ total, limit: 2, offset: 1 });
    expect(page.items).toEqual(items.slice(1, 3));
    for (const bad of ['?limit=0', '?limit=201', '?offset=-1', '?limit=abc', '?limit='])
      expect((await t.request().get(`/v1/models/${NAME}/history${bad}`).set(t.auth)).status).toBe(400);
    const none = await t.request().get('/v1/models/never-registered/history').set(t.auth);
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('describes and tags a version (merge patch, null removes), with limits', async () => {
    const patch = (body: unknown, v = 1) =>
      t
        .request()
        .patch(`/v1/models/${NAME}/versions/${v}`)
        .set(writerKey)
        .send(body as object);
    const res = await patch({
      description: 'Tuned on 2012–2019',
      tags: { team: 'pricing', 'data.cut': '2019-12' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      description: 'Tuned on 2012–2019',
      tags: { team: 'pricing', 'data.cut': '2019-12' },
    });
    const merged = await patch({ tags: { team: null, owner: 'ana' } });
    expect(merged.body.tags).toEqual({ 'data.cut': '2019-12', owner: 'ana' });
    expect(merged.body.description).toBe('Tuned on 2012–2019');
    expect((await patch({ description: null })).body.description).toBeNull();

    const bad = await patch({ tags: { 'no spaces': 'x', n: 3 }, stage: 'production' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'stage',
      'tags.n',
      'tags.no spaces',
    ]);
    expect((await patch({ description: 'd'.repeat(5001) })).status).toBe(400);
    expect((await patch({ tags: { v: 'x'.repeat(1001) } })).status).toBe(400);
    const fifty = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    expect((await patch({ tags: fifty })).status).toBe(400); // 2 existing + 49 = 51
    expect((await patch({ tags: fifty }, 2)).status).toBe(200);
    expect((await patch({ tags: {} }, 99)).status).toBe(404);
    expect((await version(1)).tags).toEqual({ 'data.cut': '2019-12', owner: 'ana' });
  });

  it('keeps every key when tag patches arrive at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t
          .request()
          .patch(`/v1/models/${NAME}/versions/3`)
          .set(writerKey)
          .send({ tags: { [`concurrent-${i}`]: String(i) } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(Object.keys((await version(3)).tags).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `concurrent-${i}`).sort(),
    );
  });

  it('serialises concurrent alias moves: one champion, and a history whose every step starts where the last ended', async () => {
    const before = (await history()).total;
    const moves = Array.from({ length: 12 }, (_, i) =>
      setAlias('champion', { version: (i % 3) + 1, reason: `move ${i}` }),
    );
    const results = await Promise.all(moves);
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    const versions = (await t.request().get('/v1/models').set(t.auth)).body as {
      version: number;
      aliases: string[];
      stage: string;
    }[];
    const champions = versions.filter((v) => v.aliases.includes('champion'));
    expect(champions).toHaveLength(1);
    expect(versions.filter((v) => v.stage === 'production').map((v) => v.version)).toEqual([
      champions[0]!.version,
    ]);
    const moved = (await history()).items
      .slice(0, (await history()).total - before)
      .filter((e) => e.alias === 'champion')
      .reverse();
    expect(moved.length).toBeGreaterThan(0);
    for (let i = 1; i < moved.length; i++) expect(moved[i]!.from).toEqual(moved[i - 1]!.to);
    expect(moved.at(-1)!.to!.version).toBe(champions[0]!.version);
  });
});

describe('rollback walks back through champion history', () => {
  let t: TestApp & { auth: Record<string, string> };
  beforeAll(async () => {
    t = await appWithThreeVersions();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('after v1→v2→v3, two rollbacks give v2 then v1 (never v3 again), each named beforehand', async () => {
    const preview0 = await t.request().get(`/v1/models/${NAME}/rollback`).set(t.auth);
    expect(preview0.status).toBe(409);
    expect(preview0.body.detail).toContain('no version is in production');
    for (const v of [1, 2, 3])
      expect(
        (await t.request().put(`/v1/models/${NAME}/aliases/champion`).set(t.auth).send({ version: v }))
          .status,
      ).toBe(200);
    await waitForServed(t, t.auth, NAME, 3);

    const preview = await t.request().get(`/v1/models/${NAME}/rollback`).set(t.auth);
    expect(preview.status).toBe(200);
    expect(preview.body.from).toMatchObject({ version: 3, aliases: ['champion'] });
    expect(preview.body.to).toMatchObject({ version: 2 });

    const wrong = await t.request().post('/v1/models/rollback').set(t.auth).send({ expectedVersion: 1 });
    expect(wrong.status).toBe(409);
    expect(wrong.body.detail).toContain('v2');

    const once = await t
      .request()
      .post('/v1/models/rollback')
      .set(t.auth)
      .send({ expectedVersion: 2, reason: 'v3 overprices condos' });
    expect(once.status).toBe(200);
    expect(once.body).toMatchObject({
      version: 2,
      stage: 'production',
      aliases: ['champion'],
      from: { name: NAME, version: 3 },
      to: { name: NAME, version: 2 },
    });
    await waitForServed(t, t.auth, NAME, 2);
    expect((await t.request().get(`/v1/models/${NAME}/versions/3`).set(t.auth)).body.stage).toBe('archived');

    expect((await t.request().get(`/v1/models/${NAME}/rollback`).set(t.auth)).body.to.version).toBe(1);
    const twice = await t.request().post('/v1/models/rollback').set(t.auth);
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ version: 1, from: { version: 2 }, to: { version: 1 } });
    await waitForServed(t, t.auth, NAME, 1);

    const third = await t.request().get(`/v1/models/${NAME}/rollback`).set(t.auth);
    expect(third.status).toBe(409);
    expect(third.body.detail).toContain('earliest champion');
    expect((await t.request().post('/v1/models/rollback').set(t.auth)).status).toBe(409);

    const { items } = (await t.request().get(`/v1/models/${NAME}/history`).set(t.auth)).body as {
      items: HistoryItem[];
    };
    expect(items.slice(0, 2).map((e) => [e.action, e.from?.version, e.to?.version, e.reason])).toEqual([
      ['rollback', 2, 1, null],
      ['rollback', 3, 2, 'v3 overprices condos'],
    ]);

    // A promotion after the rollbacks is a new step: rolling back from it returns to v1.
    await t.request().put(`/v1/models/${NAME}/aliases/champion`).set(t.auth).send({ version: 3 });
    expect((await t.request().get(`/v1/models/${NAME}/rollback`).set(t.auth)).body.to.version).toBe(1);
  });

  it('champion has one holder across model names: moving it to another model removes it here, and rollback brings it back', async () => {
    const other: ModelPackage = structuredClone(first.pkg);
    other.manifest.model.name = 'other-model';
    const registered = await t
      .request()
      .post('/v1/models')
      .set(t.auth)
      .attach('package', packPackage(other), 'o.tar.gz');
    expect(registered.status).toBe(201);
    const moved = await t
      .request()
      .put('/v1/models/other-model/aliases/champion')
      .set(t.auth)
      .send({ version: 1, reason: 'new market' });
    expect(moved.status).toBe(200);
    await waitForServed(t, t.auth, 'other-model', 1);
    expect((await t.request().get(`/v1/models/${NAME}/versions/3`).set(t.auth)).body).toMatchObject({
      aliases: [],
      stage: 'archived',
    });
    const [removal] = (
      (await t.request().get(`/v1/models/${NAME}/history`).set(t.auth)).body as { items: HistoryItem[] }
    ).items;
    expect(removal).toMatchObject({ action: 'remove', alias: 'champion', from: { version: 3 }, to: null });
    expect(removal!.reason).toBe('moved to other-model v1: new market');
    const notHere = await t.request().get(`/v1/models/${NAME}/rollback`).set(t.auth);
    expect(notHere.status).toBe(409);
    expect(notHere.body.detail).toContain('other-model v1');

    const back = await t.request().post('/v1/models/rollback').set(t.auth);
    expect(back.body).toMatchObject({ name: NAME, version: 3, from: { name: 'other-model', version: 1 } });
    await waitForServed(t, t.auth, NAME, 3);
  });
});

describe('the deprecated stage layer over aliases', () => {
  let t: TestApp & { auth: Record<string, string> };
  beforeAll(async () => {
    t = await appWithThreeVersions();
  });
  afterAll(async () => {
    await t?.close();
  });

  const stage = (v: number, s: string) =>
    t.request().put(`/v1/models/${NAME}/versions/${v}/stage`).set(t.auth).send({ stage: s });
  const get = async (v: number) =>
    (await t.request().get(`/v1/models/${NAME}/versions/${v}`).set(t.auth)).body;

  it('maps stages to aliases, keeps the response shape and says it is deprecated', async () => {
    const staged = await stage(2, 'staging');
    expect(staged.status).toBe(200);
    expect(staged.body).toMatchObject({ version: 2, stage: 'staging', aliases: ['challenger'] });
    expect(staged.headers.deprecation).toMatch(/^@\d+$/);
    expect(staged.headers.link).toBe(`</v1/models/${NAME}/aliases/challenger>; rel="successor-version"`);

    expect((await stage(1, 'production')).body).toMatchObject({ stage: 'production', aliases: ['champion'] });
    // Promoting the staged version: it takes champion and leaves challenger; v1 is archived.
    const promoted = await stage(2, 'production');
    expect(promoted.body).toMatchObject({ stage: 'production', aliases: ['champion'] });
    expect(promoted.headers.link).toContain('/aliases/champion>');
    expect(await get(1)).toMatchObject({ stage: 'archived', aliases: [] });
    await waitForServed(t, t.auth, NAME, 2);

    expect((await stage(3, 'staging')).body.aliases).toEqual(['challenger']);
    const archived = await stage(3, 'archived');
    expect(archived.body).toMatchObject({ stage: 'archived', aliases: [] });
    expect(archived.headers.link).toBe(`</v1/models/${NAME}/aliases>; rel="successor-version"`);
    expect((await stage(3, 'none')).body.stage).toBe('none');

    const refused = await stage(2, 'archived');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('is in production');

    const { items } = (await t.request().get(`/v1/models/${NAME}/history`).set(t.auth)).body as {
      items: HistoryItem[];
    };
    expect(items.map((e) => [e.action, e.alias, e.fromStage, e.toStage])).toEqual([
      ['stage', null, 'archived', 'none'],
      ['stage', null, 'none', 'archived'],
      ['stage', 'challenger', 'staging', 'none'],
      ['stage', 'challenger', 'none', 'staging'],
      ['stage', 'challenger', 'production', 'production'],
      ['stage', 'champion', 'staging', 'production'],
      ['stage', 'champion', 'none', 'production'],
      ['stage', 'challenger', 'none', 'staging'],
    ]);
  });

  it('marks the stage endpoint deprecated in OpenAPI, and documents the alias endpoints', async () => {
    const doc = (await t.request().get('/docs-json')).body;
    expect(doc.paths['/v1/models/{name}/versions/{version}/stage'].put.deprecated).toBe(true);
    expect(doc.paths['/v1/models/{name}/aliases/{alias}'].put.deprecated).toBeUndefined();
    for (const path of [
      '/v1/models/{name}/aliases',
      '/v1/models/{name}/history',
      '/v1/models/{name}/rollback',
      '/v1/models/{name}/versions/{version}',
    ])
      expect(doc.paths[path]).toBeDefined();
  });
});

describe('model references on predictions', () => {
  let t: TestApp & { auth: Record<string, string> };
  beforeAll(async () => {
    t = await appWithThreeVersions();
    await t.request().put(`/v1/models/${NAME}/aliases/champion`).set(t.auth).send({ version: 1 });
    await t.request().put(`/v1/models/${NAME}/aliases/challenger`).set(t.auth).send({ version: 2 });
    await waitForServed(t, t.auth, NAME, 1);
  });
  afterAll(async () => {
    await t?.close();
  });

  const predict = (body: object) => t.request().post('/v1/predictions').set(t.auth).send(body);

  it('scores with the version a reference names, loading it when it is not the served one', async () => {
    const record = second.pkg.manifest.parity.records[0]!;
    const served = await predict({ record });
    expect(served.body.model).toEqual({ name: NAME, version: 1 });
    const challenger = await predict({ record, model: `${NAME}@challenger` });
    expect(challenger.status).toBe(200);
    expect(challenger.body.model).toEqual({ name: NAME, version: 2 });
    const expected = second.pkg.manifest.parity.predictions[0]!;
    expect(Math.abs(challenger.body.price - expected) / expected).toBeLessThan(1e-3);
    expect(challenger.body.price).not.toBe(served.body.price);
    expect((await predict({ record, model: `${NAME}/3` })).body.model).toEqual({ name: NAME, version: 3 });
    expect((await predict({ record, model: NAME })).body.model).toEqual({ name: NAME, version: 1 });
    const bulk = await t
      .request()
      .post('/v1/predictions/bulk')
      .set(t.auth)
      .send({ records: [record, record], model: `${NAME}/2` });
    expect(bulk.status).toBe(200);
    expect(bulk.body.model).toEqual({ name: NAME, version: 2 });
    expect(bulk.body.succeeded).toBe(2);
  });

  it('answers 404 naming a reference nothing matches, and 400 for a malformed one', async () => {
    const record = first.pkg.manifest.parity.records[0]!;
    for (const ref of [`${NAME}@nope`, `${NAME}/99`, 'other@champion']) {
      const res = await predict({ record, model: ref });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toContain(ref);
    }
    for (const model of [
      'bad ref!',
      `${NAME}@Champion`,
      `${NAME}/0`,
      `${NAME}@a/1`,
      5,
      '',
      'x'.repeat(300),
    ]) {
      const res = await predict({ record, model });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['model']);
    }
    const bulk = await t
      .request()
      .post('/v1/predictions/bulk')
      .set(t.auth)
      .send({ records: [record], model: '@x' });
    expect(bulk.status).toBe(400);
  });
});
