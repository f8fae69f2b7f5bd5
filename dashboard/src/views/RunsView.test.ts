import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrainingRun } from '../api/types';
import { json, mockApi, problem } from '../test/mockApi';
import { RUN_ID, myKey, trainingRun } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { buttonByText } from '../test/dom';

const OTHER_ID = '1a2b3c4d-0000-4000-8000-000000000002';
const page = (items: TrainingRun[]) => ({ items, total: items.length, limit: 50, offset: 0 });

async function openRuns(
  routes: Parameters<typeof mockApi>[0],
  scopes: Parameters<typeof myKey>[0] = ['train'],
) {
  const api = mockApi(routes);
  const mounted = await mountApp('/runs', myKey(scopes));
  return { api, ...mounted };
}

function chooseFile(wrapper: Awaited<ReturnType<typeof openRuns>>['wrapper'], file: File) {
  const input = wrapper.get('#run-file');
  Object.defineProperty(input.element, 'files', { value: [file] });
  return input.trigger('change');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runs view', () => {
  it('lists runs with status, progress, holdout RMSE and version, filtered by status and spec', async () => {
    const { api, wrapper } = await openRuns({
      'GET /v1/training-runs': page([
        trainingRun('completed'),
        trainingRun('failed', { id: OTHER_ID, error: 'the CSV has no price column' }),
      ]),
    });
    await until(() => wrapper.findAll('tbody tr').length === 2);
    const first = wrapper.findAll('tbody tr')[0]!;
    expect(first.text()).toContain('0d6f1c2a');
    expect(first.text()).toContain('completed');
    expect(first.text()).toContain('30,500');
    expect(first.text()).toContain('housets-xgboost v4');
    expect(wrapper.text()).toContain('the CSV has no price column');

    await wrapper.get('#runs-status').setValue('failed');
    await until(() => api.calls('GET /v1/training-runs').length === 2);
    expect(new URL(api.calls('GET /v1/training-runs')[1]!.url).searchParams.get('status')).toBe('failed');
    await wrapper.get('#runs-spec').setValue('ames');
    await wrapper.get('#runs-spec').trigger('change');
    await until(() => api.calls('GET /v1/training-runs').length === 3);
    const query = new URL(api.calls('GET /v1/training-runs')[2]!.url).searchParams;
    expect([query.get('status'), query.get('specName')]).toEqual(['failed', 'ames']);
  });

  it('starts a run from an uploaded CSV: the options before the file part, then opens its page', async () => {
    const { api, wrapper, router } = await openRuns({
      'GET /v1/training-runs': page([]),
      'POST /v1/training-runs': () => json(trainingRun('queued'), 202),
      'GET /v1/training-runs/:id': trainingRun('queued'),
      'GET /v1/training-runs/:id/logs': () => new Response('', { headers: { 'content-type': 'text/plain' } }),
    });
    await until(() => wrapper.text().includes('No training runs yet'));
    await buttonByText(wrapper, 'Start the run').trigger('click');
    expect(wrapper.get('#run-file-error').text()).toBe('Choose a CSV file first.');
    expect(api.calls('POST /v1/training-runs')).toHaveLength(0);

    await chooseFile(wrapper, new File(['date,price\n2022-01-31,1\n'], 'houses.csv', { type: 'text/csv' }));
    await wrapper.get('input[name="run-spec"][value="builtin"]').setValue(true);
    await wrapper.get('#run-spec-name').setValue('ames');
    await wrapper.get('#run-metric').setValue('mae');
    await wrapper.get('#run-seeds').setValue('2');
    await wrapper.get('form').trigger('submit');
    await until(() => router.currentRoute.value.name === 'run');
    expect(router.currentRoute.value.params.id).toBe(RUN_ID);

    const [post] = api.calls('POST /v1/training-runs');
    expect(post!.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    const sent = await post!.formData();
    expect([...sent.keys()]).toEqual(['seeds', 'metric', 'fast', 'specName', 'file']);
    expect([sent.get('specName'), sent.get('metric'), sent.get('seeds'), sent.get('fast')]).toEqual([
      'ames',
      'mae',
      '2',
      'true',
    ]);
    expect((sent.get('file') as File).name).toBe('houses.csv');
  });

  it('sends a dataset run as JSON with an inline spec, and shows the API’s field errors beside the fields', async () => {
    const { api, wrapper } = await openRuns(
      {
        'GET /v1/training-runs': page([]),
        'GET /v1/datasets': { items: [], total: 0, limit: 100, offset: 0 },
        'POST /v1/training-runs': () =>
          problem(400, 'the spec is not valid: 2 problems', [
            { field: 'spec', message: 'columns: is required' },
            { field: 'spec', message: 'target: is required' },
          ]),
      },
      ['train', 'models:read'],
    );
    await until(() => wrapper.text().includes('No training runs yet'));
    await wrapper.get('input[name="run-input"][value="dataset"]').setValue(true);
    await wrapper.get('#run-dataset').setValue('3f0c0000-0000-4000-8000-000000000009');
    await wrapper.get('input[name="run-spec"][value="inline"]').setValue(true);
    await wrapper.get('#run-spec-json').setValue('{not json');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#run-spec-json-error').text()).toMatch(/is not valid JSON/);
    expect(api.calls('POST /v1/training-runs')).toHaveLength(0);

    await wrapper.get('#run-spec-json').setValue('{"name": "mine"}');
    // fast is on by default, which disables the trials; off, they are checked as whole numbers.
    expect(wrapper.get('#run-trials').attributes('disabled')).toBeDefined();
    await wrapper.get('input[name="fast"]').setValue(false);
    await wrapper.get('#run-trials').setValue('abc');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#run-trials-error').text()).toBe('must be a whole number of at least 1');
    await wrapper.get('#run-trials').setValue('12');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.get('#run-spec-json-error').text().includes('columns: is required'));
    expect(wrapper.get('#run-spec-json-error').text()).toBe('columns: is required; target: is required');
    expect(wrapper.get('.form-error').text()).toContain('the spec is not valid: 2 problems');
    const body = await api.calls('POST /v1/training-runs')[0]!.json();
    expect(body).toEqual({
      trials: 12,
      spec: { name: 'mine' },
      datasetId: '3f0c0000-0000-4000-8000-000000000009',
    });
  });

  it('polls while a run is unfinished and stops when it is done', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const answers = [trainingRun('running'), trainingRun('completed')];
    let calls = 0;
    const { wrapper } = await openRuns({
      'GET /v1/training-runs': () => page([answers[Math.min(calls++, answers.length - 1)]!]),
    });
    await vi.waitFor(() => expect(wrapper.text()).toContain('Trial 2 of 5'));
    await vi.advanceTimersByTimeAsync(2000);
    await vi.waitFor(() => expect(wrapper.text()).toContain('completed'));
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
  });

  it('compares the runs ticked in the list (2 or more)', async () => {
    const { wrapper, router } = await openRuns({
      'GET /v1/training-runs': page([trainingRun('completed'), trainingRun('completed', { id: OTHER_ID })]),
      'GET /v1/training-runs/compare': {
        items: [],
        metrics: [],
        params: [],
        errorByMonth: [],
        errorByRegion: [],
        tuning: [],
      },
    });
    await until(() => wrapper.findAll('tbody tr').length === 2);
    const compare = buttonByText(wrapper, /Compare selected/);
    expect(compare.element.disabled).toBe(true);
    await wrapper.get(`input[aria-label="Compare run 0d6f1c2a"]`).setValue(true);
    expect(compare.element.disabled).toBe(true);
    await wrapper.get(`input[aria-label="Compare run 1a2b3c4d"]`).setValue(true);
    expect(compare.element.disabled).toBe(false);
    await compare.trigger('click');
    await until(() => router.currentRoute.value.name === 'run-compare');
    expect(router.currentRoute.value.query.ids).toBe(`${RUN_ID},${OTHER_ID}`);
  });

  it('is in the menu for a train key and names the missing scope to others', async () => {
    mockApi({ 'GET /v1/training-runs': page([]) });
    const { wrapper } = await mountApp('/runs', myKey(['predict']));
    await until(() => wrapper.find('[data-testid="missing-scope"]').exists());
    expect(wrapper.get('[data-testid="missing-scope"]').text()).toMatch(/train/);
  });
});
