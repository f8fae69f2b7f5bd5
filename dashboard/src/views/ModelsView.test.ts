import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../api/types';
import { mockApi, problem, type Handler } from '../test/mockApi';
import { evaluation, modelVersion, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { buttonByText } from '../test/dom';

function registry(initial: ModelVersion[], extra: Record<string, Handler | object> = {}) {
  let versions = initial;
  const api = mockApi({
    ...extra,
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
    'PUT /v1/models/:name/versions/:version/stage': (_req: Request, p: Record<string, string>) => {
      versions = versions.map((v) => ({
        ...v,
        stage:
          v.version === Number(p.version) ? 'production' : v.stage === 'production' ? 'archived' : v.stage,
      }));
      return versions.find((v) => v.version === Number(p.version))!;
    },
    'POST /v1/models/rollback': problem(409, 'there is no earlier production version to roll back to'),
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
    expect(api.calls('PUT /v1/models/:name/versions/:version/stage')).toHaveLength(0);

    await buttonByText(wrapper, 'Promote').trigger('click');
    await until(() => wrapper.text().includes('housets-xgboost v2 is now in production.'));
    const [put] = api.calls('PUT /v1/models/:name/versions/:version/stage');
    expect(new URL(put!.url).pathname).toBe('/v1/models/housets-xgboost/versions/2/stage');
    expect(await put!.json()).toEqual({ stage: 'production' });
    expect((dialog.element as HTMLDialogElement).open).toBe(false);
  });

  it('cancelling the dialog changes nothing; a refused roll back is explained in the dialog', async () => {
    const api = registry([modelVersion(1, 'production')]);
    const { wrapper } = await mountApp('/models', myKey(['admin']));
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Roll back production').trigger('click');
    await buttonByText(wrapper, 'Cancel').trigger('click');
    expect((wrapper.get('dialog').element as HTMLDialogElement).open).toBe(false);
    expect(api.calls('POST /v1/models/rollback')).toHaveLength(0);

    await buttonByText(wrapper, 'Roll back production').trigger('click');
    await buttonByText(wrapper, 'Roll back').trigger('click');
    await until(() => wrapper.get('dialog').text().includes('no earlier production version'));
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

  it('has an empty state', async () => {
    registry([]);
    const { wrapper } = await mountApp('/models', myKey(['models:read']));
    await until(() => wrapper.text().includes('No model is registered yet'));
  });
});
