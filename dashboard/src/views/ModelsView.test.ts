import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../api/types';
import { mockApi, problem, type Handler } from '../test/mockApi';
import { evaluation, modelVersion, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { buttonByText } from '../test/dom';

function registry(initial: ModelVersion[], extra: Record<string, Handler | object> = {}) {
  let versions = initial;
  const api = mockApi({
    'GET /v1/models': () => versions,
    'GET /v1/models/:name/versions/:version/evaluation': {
      ...evaluation,
      trials: [
        { number: 0, params: { max_depth: 6 }, eval_rmse: 27422.4, seconds: 1.2, state: 'COMPLETE' },
        {
          number: 1,
          params: { max_depth: 4, learning_rate: 0.0712345678901234 },
          eval_rmse: 25100.9,
          seconds: 0.8,
          state: 'COMPLETE',
        },
        { number: 2, params: { max_depth: 9 }, eval_rmse: null, seconds: 0.1, state: 'PRUNED' },
      ],
    },
    'PUT /v1/models/:name/aliases/:alias': async (req: Request, p: Record<string, string>) => {
      const { version } = (await req.json()) as { version: number };
      versions = versions.map((v) => {
        const aliases = v.aliases.filter((a) => a !== p.alias);
        if (v.version === version) aliases.push(p.alias!);
        const stage =
          p.alias === 'champion'
            ? v.version === version
              ? 'production'
              : v.stage === 'production'
                ? 'archived'
                : v.stage
            : v.stage;
        return { ...v, aliases: aliases.sort(), stage };
      });
      return versions.find((v) => v.version === version)!;
    },
    'DELETE /v1/models/:name/aliases/:alias': (_req: Request, p: Record<string, string>) => {
      versions = versions.map((v) => ({ ...v, aliases: v.aliases.filter((a) => a !== p.alias) }));
      return new Response(null, { status: 204 });
    },
    'GET /v1/models/:name/history': { items: [], total: 0, limit: 50, offset: 0 },
    // A function: a Response body can be read once, and the dialog asks each time it opens.
    'GET /v1/models/:name/rollback': () =>
      problem(
        409,
        'housets-xgboost v1 is the earliest champion in the history: there is no earlier version to roll back to',
      ),
    // Later keys replace earlier ones: a test's routes win.
    ...extra,
  });
  return api;
}

describe('models view', () => {
  it('opens the version a link names (?name&version) and links it to a comparison with production', async () => {
    registry([modelVersion(3, 'none'), modelVersion(2, 'none'), modelVersion(1, 'production')]);
    const { wrapper } = await mountApp(
      '/models?name=housets-xgboost&version=2',
      myKey(['models:read', 'train']),
    );
    await until(() => wrapper.find('[data-testid="compare-with-production"]').exists());
    expect(wrapper.get('h2.section-title').text()).toContain('housets-xgboost v2');
    const link = wrapper.get('[data-testid="compare-with-production"]');
    expect(link.text()).toBe('Compare v2 with production v1');
    expect(link.attributes('href')).toBe('/runs/compare?model=housets-xgboost&versions=1,2');
  });

  it('offers no comparison link to a key without the train scope', async () => {
    registry([modelVersion(2, 'none'), modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models?name=housets-xgboost&version=2', myKey(['models:read']));
    await until(() => wrapper.get('h2.section-title').text().includes('v2'));
    expect(wrapper.find('[data-testid="compare-with-production"]').exists()).toBe(false);
  });

  it('marks the best tuning trial and rounds its parameters', async () => {
    registry([modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.find('[data-testid="trials-card"] tbody').exists());
    const best = wrapper.get('[data-best="true"]');
    expect(best.text()).toContain('$25,101');
    expect(best.find('[aria-label="best trial"]').exists()).toBe(true);
    expect(wrapper.findAll('[data-best="true"]')).toHaveLength(1);
    expect(wrapper.get('[data-testid="trials-card"]').text()).toContain('learning_rate=0.07123');
    expect(wrapper.get('[data-testid="trials-card"]').text()).not.toContain('0.0712345678');
    expect(wrapper.text()).toContain('Best trial: #1');
  });

  it('lists versions with metrics, and details the production one: baseline, lineage, importances, trials', async () => {
    registry([modelVersion(2, 'none'), modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.text().includes('Feature importance'));
    expect(wrapper.findAll('tbody')[0]!.findAll('tr')).toHaveLength(2);
    expect(wrapper.text()).toContain('-86 % vs baseline');
    expect(wrapper.text()).toContain('train 1,109, eval 283, holdout 283');
    expect(wrapper.findAll('.bar-row')).toHaveLength(2);
    expect(wrapper.text()).toContain('$27,422');
    // Read-only key: no promote or roll back.
    const buttons = wrapper.findAll('button').map((b) => b.text());
    expect(buttons).not.toContain('Promote');
    expect(buttons).not.toContain('Roll back production');
  });

  it('promotes a version behind a confirmation dialog (models:write)', async () => {
    const api = registry([modelVersion(2, 'none'), modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Promote housets-xgboost v2').trigger('click');
    const dialog = wrapper.get('dialog');
    expect((dialog.element as HTMLDialogElement).open).toBe(true);
    expect(dialog.text()).toContain('The current production version, v1, is archived.');
    expect(api.calls('PUT /v1/models/:name/aliases/:alias')).toHaveLength(0);

    await buttonByText(wrapper, 'Promote').trigger('click');
    await until(() => wrapper.text().includes('housets-xgboost v2 is now in production (@champion).'));
    const [put] = api.calls('PUT /v1/models/:name/aliases/:alias');
    expect(new URL(put!.url).pathname).toBe('/v1/models/housets-xgboost/aliases/champion');
    expect(await put!.json()).toEqual({ version: 2 });
    expect(api.calls('PUT /v1/models/:name/versions/:version/stage')).toHaveLength(0);
    expect((dialog.element as HTMLDialogElement).open).toBe(false);
  });

  it('shows the promotion evidence side by side and needs force with a reason for a worse version', async () => {
    const metrics = (mape: number, rmse: number, mae: number, r2: number) => ({
      mape,
      rmse,
      mae,
      r2,
      n: 283,
    });
    const worse = {
      candidate: { name: 'housets-xgboost', version: 2 },
      champion: { name: 'housets-xgboost', version: 1 },
      verdict: 'worse',
      needsForce: true,
      missing: [],
      margin: 0.02,
      relativeMapeChange: 0.5,
      specName: 'housets',
      holdouts: [
        {
          holdoutOf: 'champion',
          runId: 'r1',
          rows: 283,
          sampledRows: 283,
          candidate: metrics(12, 60000, 40000, 0.7),
          champion: metrics(8, 45000, 30000, 0.85),
          delta: { mape: 4, rmse: 15000, mae: 10000, r2: -0.15 },
        },
        {
          holdoutOf: 'candidate',
          runId: 'r2',
          rows: 300,
          sampledRows: 300,
          candidate: metrics(10, 50000, 35000, 0.8),
          champion: metrics(11, 52000, 36000, 0.78),
          delta: { mape: -1, rmse: -2000, mae: -1000, r2: 0.02 },
        },
      ],
      computedAt: '2026-12-07T05:00:00.000Z',
      durationMs: 1200,
    };
    const api = registry([modelVersion(2, 'none'), modelVersion(1, 'production')], {
      'GET /v1/models/:name/versions/:version/promotion-evidence': () => worse,
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Promote housets-xgboost v2').trigger('click');
    await until(() => wrapper.find('[data-testid="promotion-evidence"]').exists());
    const [asked] = api.calls('GET /v1/models/:name/versions/:version/promotion-evidence');
    expect(new URL(asked!.url).pathname).toBe('/v1/models/housets-xgboost/versions/2/promotion-evidence');
    const shown = wrapper.get('[data-testid="promotion-evidence"]');
    expect(shown.get('[data-testid="evidence-verdict"]').text()).toContain('+50.0 %');
    expect(shown.get('[data-testid="evidence-verdict"]').text()).toContain('beyond the 2.0 % margin');
    const onChampion = shown.get('table[data-holdout="champion"]');
    expect(onChampion.text()).toContain("On the champion's holdout (housets-xgboost v1): 283 rows");
    const mapeRow = onChampion.findAll('tbody tr')[0]!;
    expect(mapeRow.text()).toContain('12.00 %');
    expect(mapeRow.text()).toContain('8.00 %');
    expect(mapeRow.get('.evidence-delta').attributes('data-tone')).toBe('worse');
    expect(mapeRow.get('.evidence-delta').text()).toBe('+4.00 %');
    // R² down is worse; on the candidate's own holdout every delta favours it.
    expect(onChampion.findAll('tbody tr')[3]!.get('.evidence-delta').attributes('data-tone')).toBe('worse');
    const onCandidate = shown.get('table[data-holdout="candidate"]');
    expect(onCandidate.findAll('.evidence-delta').map((d) => d.attributes('data-tone'))).toEqual([
      'better',
      'better',
      'better',
      'better',
    ]);

    // Without force, then without a reason: refused in the dialog, nothing sent.
    await buttonByText(wrapper, 'Promote').trigger('click');
    await until(() => wrapper.get('dialog').text().includes('tick "Promote anyway"'));
    await wrapper.get('[data-testid="force-promotion"] input').setValue(true);
    await buttonByText(wrapper, 'Promote').trigger('click');
    await until(() => wrapper.get('dialog').text().includes('the reason is required'));
    expect(api.calls('PUT /v1/models/:name/aliases/:alias')).toHaveLength(0);

    await wrapper.get('dialog input[name="reason"]').setValue('shadow test in Austin');
    await buttonByText(wrapper, 'Promote').trigger('click');
    await until(() => wrapper.text().includes('housets-xgboost v2 is now in production (@champion)'));
    const [put] = api.calls('PUT /v1/models/:name/aliases/:alias');
    expect(await put!.json()).toEqual({ version: 2, reason: 'shadow test in Austin', force: true });
  });

  it('says why there is no evidence and promotes without force', async () => {
    const api = registry([modelVersion(2, 'none'), modelVersion(1, 'production')], {
      'GET /v1/models/:name/versions/:version/promotion-evidence': () => ({
        candidate: { name: 'housets-xgboost', version: 2 },
        champion: { name: 'housets-xgboost', version: 1 },
        verdict: 'no-evidence',
        needsForce: false,
        missing: ['housets-xgboost v2 has no training run with a holdout (uploaded package)'],
        margin: 0.02,
        relativeMapeChange: null,
        specName: null,
        holdouts: [],
        computedAt: null,
        durationMs: null,
      }),
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Promote housets-xgboost v2').trigger('click');
    await until(() => wrapper.find('[data-testid="evidence-missing"]').exists());
    expect(wrapper.get('[data-testid="evidence-missing"]').text()).toContain('(uploaded package)');
    expect(wrapper.get('[data-testid="evidence-verdict"]').text()).toContain('No evidence');
    expect(wrapper.find('[data-testid="force-promotion"]').exists()).toBe(false);
    await buttonByText(wrapper, 'Promote').trigger('click');
    await until(() => wrapper.text().includes('housets-xgboost v2 is now in production (@champion).'));
    const [put] = api.calls('PUT /v1/models/:name/aliases/:alias');
    expect(await put!.json()).toEqual({ version: 2 });
  });

  it('cancelling the dialog changes nothing; a refused roll back is explained in the dialog', async () => {
    const api = registry([modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models', myKey(['admin']));
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Roll back production').trigger('click');
    await until(() => (wrapper.get('dialog').element as HTMLDialogElement).open);
    await buttonByText(wrapper, 'Cancel').trigger('click');
    expect((wrapper.get('dialog').element as HTMLDialogElement).open).toBe(false);
    expect(api.calls('POST /v1/models/rollback')).toHaveLength(0);

    await buttonByText(wrapper, 'Roll back production').trigger('click');
    await until(() => wrapper.find('[data-testid="rollback-refused"]').exists());
    expect(wrapper.get('dialog').text()).toContain('there is no earlier version to roll back to');
    await buttonByText(wrapper, 'Roll back').trigger('click');
    expect(api.calls('POST /v1/models/rollback')).toHaveLength(0);
    expect((wrapper.get('dialog').element as HTMLDialogElement).open).toBe(true);
  });

  it('links the lineage to its registered dataset: one click shows spec, rows, checksum, profile and download', async () => {
    const sha256 = 'a'.repeat(64);
    const trained = { ...modelVersion(1, 'production') };
    trained.lineage = { ...trained.lineage, datasetSha256: sha256 };
    const dataset = {
      id: '00000000-0000-4000-8000-0000000000d1',
      sha256,
      spec: 'housets',
      fileName: 'housets-2024.csv',
      bytes: 2_048_000,
      rows: 1675,
      columns: [
        { name: 'price', missing: 0, kind: 'numeric' as const, min: 120000, max: 950000 },
        {
          name: 'city_full',
          missing: 3,
          kind: 'categorical' as const,
          distinct: 2,
          top: [{ value: 'Austin', count: 900 }],
        },
      ],
      uri: `file:///srv/artifacts/datasets/sha256/${sha256}.csv`,
      addedBy: '00000000-0000-4000-8000-0000000000k1',
      createdAt: '2026-11-20T10:00:00.000Z',
    };
    const api = registry([trained], {
      'GET /v1/datasets': (request: Request) => {
        const items = new URL(request.url).searchParams.get('sha256') === sha256 ? [dataset] : [];
        return { items, total: items.length, limit: 20, offset: 0 };
      },
      'GET /v1/datasets/:id': (_request: Request, p: Record<string, string>) =>
        p.id === dataset.id
          ? { ...dataset, models: [{ name: 'housets-xgboost', version: 1 }] }
          : problem(404, `no dataset ${p.id}`),
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.get('[data-testid="lineage-dataset"]').text().includes('Open dataset'));
    const [lookup] = api.calls('GET /v1/datasets');
    expect(new URL(lookup!.url).searchParams.get('sha256')).toBe(sha256);
    expect(wrapper.find('[data-testid="dataset-card"]').exists()).toBe(false);

    await buttonByText(wrapper, 'Open dataset housets-2024.csv').trigger('click');
    await until(() => wrapper.find('[data-testid="dataset-card"]').exists());
    const card = wrapper.get('[data-testid="dataset-card"]');
    expect(card.text()).toContain('housets');
    expect(card.text()).toContain('1,675');
    expect(card.text()).toContain(sha256);
    expect(card.text()).toContain('00000000-0000-4000-8000-0000000000k1');
    expect(card.text()).toContain('housets-xgboost v1');
    const profile = card.get('[data-testid="column-profile"]');
    expect(profile.findAll('tbody tr')).toHaveLength(2);
    expect(profile.text()).toContain('Austin (900)');
    expect(card.findAll('button').map((b) => b.text())).toContain('Download CSV');

    await buttonByText(wrapper, 'Close').trigger('click');
    await until(() => !wrapper.find('[data-testid="dataset-card"]').exists());
  });

  it('says when the training file was never registered', async () => {
    const other = { ...modelVersion(1, 'production') };
    other.lineage = { ...other.lineage, datasetSha256: 'b'.repeat(64) };
    registry([other], { 'GET /v1/datasets': { items: [], total: 0, limit: 20, offset: 0 } });
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.get('[data-testid="lineage-dataset"]').text().includes('Not registered'));
  });

  it('names the version a rollback brings back, and sends it with the reason', async () => {
    const v3 = modelVersion(3, 'production');
    const v2 = { ...modelVersion(2, 'archived'), aliases: [] };
    const api = registry([v3, v2, modelVersion(1, 'archived')], {
      'GET /v1/models/:name/rollback': { from: v3, to: v2 },
      'POST /v1/models/rollback': {
        ...v2,
        stage: 'production',
        aliases: ['champion'],
        from: { name: v3.name, version: 3 },
        to: { name: v2.name, version: 2 },
      },
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Roll back production').trigger('click');
    await until(() => wrapper.find('[data-testid="rollback-target"]').exists());
    expect(wrapper.get('[data-testid="rollback-target"]').text()).toMatch(
      /moves from housets-xgboost v3\s+back to housets-xgboost v2/,
    );
    await wrapper.get('dialog input[name="reason"]').setValue('v3 overprices condos');
    await buttonByText(wrapper, 'Roll back').trigger('click');
    await until(() =>
      wrapper.text().includes('Rolled back: housets-xgboost v2 is in production again (was v3).'),
    );
    const [post] = api.calls('POST /v1/models/rollback');
    expect(await post!.json()).toEqual({ expectedVersion: 2, reason: 'v3 overprices condos' });
  });

  it('shows aliases per version and sets or removes them with a reason', async () => {
    const api = registry([modelVersion(2, 'staging'), modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('tbody tr').exists());
    const rows = wrapper.findAll('tbody')[0]!.findAll('tr');
    expect(rows[0]!.text()).toContain('@challenger');
    expect(rows[1]!.text()).toContain('@champion');

    await buttonByText(wrapper, 'housets-xgboost v2').trigger('click');
    const card = () => wrapper.get('[data-testid="aliases-card"]');
    await card().get('input[name="alias"]').setValue('Bad Name');
    await card().get('form').trigger('submit');
    expect(card().text()).toContain('lower-case letter');
    expect(api.calls('PUT /v1/models/:name/aliases/:alias')).toHaveLength(0);

    await card().get('input[name="alias"]').setValue('eu-shadow');
    await card().get('input[name="alias-reason"]').setValue('EU traffic test');
    await card().get('form').trigger('submit');
    await until(() => wrapper.text().includes('@eu-shadow now points at housets-xgboost v2.'));
    const [put] = api.calls('PUT /v1/models/:name/aliases/:alias');
    expect(new URL(put!.url).pathname).toBe('/v1/models/housets-xgboost/aliases/eu-shadow');
    expect(await put!.json()).toEqual({ version: 2, reason: 'EU traffic test' });
    await until(() => card().text().includes('@eu-shadow'));

    await buttonByText(wrapper, 'Remove @challenger from housets-xgboost v2').trigger('click');
    await until(() => wrapper.text().includes('@challenger removed from housets-xgboost v2.'));
    const [del] = api.calls('DELETE /v1/models/:name/aliases/:alias');
    expect(new URL(del!.url).pathname).toBe('/v1/models/housets-xgboost/aliases/challenger');
    expect(await del!.json()).toEqual({ version: 2 });
    // champion is never offered for removal: it is what serves.
    await buttonByText(wrapper, 'housets-xgboost v1').trigger('click');
    expect(wrapper.findAll('button').map((b) => b.attributes('aria-label'))).not.toContain(
      'Remove @champion from housets-xgboost v1',
    );
  });

  it('saves description and tags as a merge patch (a removed tag is sent as null)', async () => {
    const tagged = {
      ...modelVersion(1, 'production'),
      description: 'first',
      tags: { team: 'pricing', old: 'x' },
    };
    const api = registry([tagged], {
      'PATCH /v1/models/:name/versions/:version': async (req: Request) => ({
        ...tagged,
        ...((await req.json()) as object),
      }),
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('[data-testid="details-card"]').exists());
    const card = wrapper.get('[data-testid="details-card"]');
    expect((card.get('textarea').element as HTMLTextAreaElement).value).toBe('first');
    await card.get('textarea').setValue('Tuned on 2012–2019');
    await buttonByText(wrapper, 'Remove tag old').trigger('click');
    await buttonByText(wrapper, 'Add tag').trigger('click');
    await card.get('input[aria-label="Tag 2 key"]').setValue('owner');
    await card.get('input[aria-label="Tag 2 value"]').setValue('ana');
    await card.trigger('submit');
    await until(() => api.calls('PATCH /v1/models/:name/versions/:version').length === 1);
    const [patch] = api.calls('PATCH /v1/models/:name/versions/:version');
    expect(await patch!.json()).toEqual({
      description: 'Tuned on 2012–2019',
      tags: { team: 'pricing', owner: 'ana', old: null },
    });
  });

  it('shows the history timeline of the selected model, newest first', async () => {
    const at = (m: number) => `2026-12-0${m}T10:00:00.000Z`;
    registry([modelVersion(2, 'production'), modelVersion(1, 'archived')], {
      'GET /v1/models/:name/history': {
        items: [
          {
            id: 'h3',
            at: at(3),
            action: 'rollback',
            alias: 'champion',
            version: { name: 'housets-xgboost', version: 1 },
            from: { name: 'housets-xgboost', version: 2 },
            to: { name: 'housets-xgboost', version: 1 },
            fromStage: 'archived',
            toStage: 'production',
            reason: 'MAPE up in Austin',
            changedBy: 'abcdef12-0000-4000-8000-000000000000',
          },
          {
            id: 'h4',
            at: at(2),
            action: 'set',
            alias: 'champion',
            version: { name: 'housets-xgboost', version: 2 },
            from: { name: 'housets-xgboost', version: 1 },
            to: { name: 'housets-xgboost', version: 2 },
            fromStage: 'none',
            toStage: 'production',
            reason: 'shadow test in Austin',
            changedBy: null,
            forced: true,
          },
          {
            id: 'h2',
            at: at(2),
            action: 'set',
            alias: 'champion',
            version: { name: 'housets-xgboost', version: 2 },
            from: { name: 'housets-xgboost', version: 1 },
            to: { name: 'housets-xgboost', version: 2 },
            fromStage: 'none',
            toStage: 'production',
            reason: null,
            changedBy: null,
          },
          {
            id: 'h1',
            at: at(1),
            action: 'stage',
            alias: 'champion',
            version: { name: 'housets-xgboost', version: 1 },
            from: null,
            to: { name: 'housets-xgboost', version: 1 },
            fromStage: 'none',
            toStage: 'production',
            reason: null,
            changedBy: null,
          },
        ],
        total: 3,
        limit: 50,
        offset: 0,
      },
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.find('[data-testid="history-timeline"]').exists());
    const items = wrapper.findAll('[data-testid="history-timeline"] li').map((li) => li.text());
    expect(items).toHaveLength(4);
    expect(items[0]).toContain('@champion rolled back from housets-xgboost v2 to housets-xgboost v1');
    expect(items[0]).not.toContain('forced');
    const forced = wrapper.findAll('[data-testid="history-timeline"] li')[1]!;
    expect(forced.attributes('data-forced')).toBe('true');
    expect(forced.text()).toContain('forced despite worse evidence');
    expect(forced.text()).toContain('shadow test in Austin');
    items.splice(1, 1);
    expect(items[0]).toContain('MAPE up in Austin');
    expect(items[0]).toContain('by key abcdef12');
    expect(items[1]).toContain('@champion moved from housets-xgboost v1 to housets-xgboost v2');
    expect(items[2]).toContain('@champion set on housets-xgboost v1 (stage endpoint)');
  });

  it('uploads a package archive as multipart and selects the new version', async () => {
    const created = modelVersion(3, 'none');
    let versions = [modelVersion(1, 'production')];
    const api = mockApi({
      'GET /v1/models': () => versions,
      'GET /v1/models/:name/versions/:version/evaluation': evaluation,
      'GET /v1/models/:name/history': { items: [], total: 0, limit: 50, offset: 0 },
      'POST /v1/models': () => {
        versions = [created, ...versions];
        return created;
      },
    });
    const { wrapper } = await mountApp('/models', myKey(['models:read', 'models:write']));
    await until(() => wrapper.find('[data-testid="package-upload"]').exists());
    const form = wrapper.get('[data-testid="package-upload"]');
    await form.trigger('submit');
    expect(form.text()).toContain('Choose a package archive');
    const file = new File([new Uint8Array([0x1f, 0x8b, 1, 2])], 'model.tar.gz', { type: 'application/gzip' });
    const input = form.get('input[type="file"]');
    Object.defineProperty(input.element, 'files', { value: [file] });
    await input.trigger('change');
    await form.trigger('submit');
    await until(() => wrapper.text().includes('Registered housets-xgboost v3'));
    const [post] = api.calls('POST /v1/models');
    const body = await post!.formData();
    expect((body.get('package') as File).name).toBe('model.tar.gz');
    await until(() => wrapper.text().includes('housets-xgboost v3'));
  });

  it('has an empty state', async () => {
    registry([]);
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.text().includes('No model is registered yet'));
  });
});
