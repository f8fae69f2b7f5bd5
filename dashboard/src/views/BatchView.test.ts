import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchJob } from '../api/types';
import { json, mockApi, problem } from '../test/mockApi';
import { currentModel, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { buttonByText } from '../test/dom';

function job(status: BatchJob['status'], over: Partial<BatchJob> = {}): BatchJob {
  const id = over.id ?? '6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11';
  const self = `/v1/batch-jobs/${id}`;
  return {
    id,
    status,
    progress: status === 'completed' ? 1 : status === 'running' ? 0.42 : 0,
    rowsRead: status === 'queued' ? 0 : 1000,
    rowsDone: status === 'queued' ? 0 : 990,
    rowsFailed: status === 'queued' ? 0 : 10,
    model: { name: 'housets-xgboost', version: 3 },
    input: { uri: 'file:///a/input.csv', name: 'june.csv', bytes: 2048 },
    dataset: null,
    attempts: 1,
    stalledCount: 0,
    error: null,
    idempotencyKey: null,
    createdAt: '2026-11-23T03:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: status === 'completed' ? 1500 : null,
    explain: 0,
    links: {
      self,
      result: status === 'completed' ? `${self}/result` : null,
      errors: status === 'completed' ? `${self}/errors` : null,
    },
    ...over,
  };
}

const page = (items: BatchJob[]) => ({ items, total: items.length, limit: 50, offset: 0 });

async function openBatch(routes: Parameters<typeof mockApi>[0]) {
  const api = mockApi(routes);
  const { wrapper } = await mountApp('/batch', myKey(['batch']));
  return { api, wrapper };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('batch jobs view', () => {
  it('shows a loading state, then the empty state', async () => {
    let answer: (r: Response) => void = () => {};
    const { wrapper } = await openBatch({
      'GET /v1/batch-jobs': () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    await until(() => wrapper.text().includes('Loading batch jobs…'));
    answer(json(page([])));
    await until(() => wrapper.text().includes('No batch jobs yet. Upload a CSV file to start one.'));
    expect(wrapper.find('table').exists()).toBe(false);
  });

  it('shows a failed load in plain words with a retry', async () => {
    let fail = true;
    const { wrapper } = await openBatch({
      'GET /v1/batch-jobs': () =>
        fail ? problem(500, 'the database is unreachable') : page([job('completed')]),
    });
    await until(() => wrapper.find('.state-error').exists());
    expect(wrapper.get('.state-error').text()).toContain('the database is unreachable');
    fail = false;
    await buttonByText(wrapper, 'Try again').trigger('click');
    await until(() => wrapper.find('table').exists());
  });

  it('lists the history with status and row counts, filtered by status', async () => {
    const { api, wrapper } = await openBatch({
      'GET /v1/batch-jobs': page([
        job('completed'),
        job('failed', { id: 'f0000000-0000-4000-8000-000000000002', error: 'the CSV has no header' }),
      ]),
    });
    await until(() => wrapper.findAll('tbody tr').length === 2);
    const first = wrapper.findAll('tbody tr')[0]!;
    expect(first.text()).toContain('june.csv');
    expect(first.text()).toContain('completed');
    expect(first.text()).toContain('1,000');
    expect(first.text()).toContain('990');
    expect(wrapper.text()).toContain('the CSV has no header');
    await wrapper.get('#batch-status').setValue('failed');
    await until(() => api.calls('GET /v1/batch-jobs').length === 2);
    expect(new URL(api.calls('GET /v1/batch-jobs')[1]!.url).searchParams.get('status')).toBe('failed');
  });

  it('polls every second while a job is queued or running, and stops when it is done', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const answers = [job('queued'), job('running'), job('completed')];
    let calls = 0;
    const { wrapper } = await openBatch({
      'GET /v1/batch-jobs': () => page([answers[Math.min(calls++, answers.length - 1)]!]),
    });
    await flushPromises();
    expect(wrapper.text()).toContain('queued');
    await vi.advanceTimersByTimeAsync(1000);
    await flushPromises();
    expect(wrapper.text()).toContain('running');
    expect((wrapper.get('progress').element as HTMLProgressElement).getAttribute('value')).toBe('42');
    await vi.advanceTimersByTimeAsync(1000);
    await flushPromises();
    expect(wrapper.text()).toContain('completed');
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
  });

  it('uploads a CSV as multipart and shows the queued job', async () => {
    let jobs: BatchJob[] = [];
    const { api, wrapper } = await openBatch({
      'GET /v1/batch-jobs': () => page(jobs),
      'POST /v1/batch-jobs': () => {
        jobs = [job('queued')];
        return json(jobs[0], 202);
      },
    });
    await until(() => wrapper.text().includes('No batch jobs yet'));
    await buttonByText(wrapper, 'Start the job').trigger('click');
    expect(wrapper.get('#batch-file-error').text()).toBe('Choose a CSV file first.');

    const input = wrapper.get('#batch-file');
    const file = new File(['date,zipcode\n2022-01-31,30001\n'], 'june.csv', { type: 'text/csv' });
    Object.defineProperty(input.element, 'files', { value: [file] });
    await input.trigger('change');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.text().includes('queued with housets-xgboost v3'));

    const [post] = api.calls('POST /v1/batch-jobs');
    expect(post!.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    const sent = await post!.formData();
    expect((sent.get('file') as File).name).toBe('june.csv');
    await until(() => wrapper.findAll('tbody tr').length === 1);
  });

  it('downloads the result and the errors with the key header, through a Blob link', async () => {
    const createObjectURL = vi.fn(() => 'blob:result');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const csv = (text: string) => new Response(text, { headers: { 'content-type': 'text/csv' } });
    const { api, wrapper } = await openBatch({
      'GET /v1/batch-jobs': page([job('completed')]),
      'GET /v1/batch-jobs/:id/result': () => csv('date,predicted_price\n2022-01-31,400000\n'),
      'GET /v1/batch-jobs/:id/errors': () => csv('line,reason\n3,bad date\n'),
    });
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, /Download result/).trigger('click');
    await buttonByText(wrapper, /Download errors/).trigger('click');
    await until(() => clicked.length === 2);
    expect(clicked).toEqual(['june-predictions.csv', 'june-errors.csv']);
    expect(api.calls('GET /v1/batch-jobs/:id/result')[0]!.headers.get('x-api-key')).toBeTruthy();
    expect(api.calls('GET /v1/batch-jobs/:id/errors')[0]!.headers.get('x-api-key')).toBeTruthy();
    const blob = (createObjectURL.mock.calls[0] as unknown as [Blob])[0];
    expect(await blob.text()).toContain('predicted_price');
  });

  it('drops the "queued" notice when its job ends, and shows job ids', async () => {
    let jobs: BatchJob[] = [];
    let calls = 0;
    const { wrapper } = await openBatch({
      'GET /v1/batch-jobs': () => {
        calls++;
        return page(jobs);
      },
      'POST /v1/batch-jobs': () => {
        jobs = [job('queued')];
        return json(jobs[0], 202);
      },
    });
    await until(() => wrapper.text().includes('No batch jobs yet'));
    const input = wrapper.get('#batch-file');
    Object.defineProperty(input.element, 'files', { value: [new File(['a\n1\n'], 'june.csv')] });
    await input.trigger('change');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.text().includes('Job 6f1c2a4e for june.csv queued with housets-xgboost v3'));
    expect(wrapper.get('tbody tr code').text()).toBe('6f1c2a4e');
    jobs = [job('completed')];
    const before = calls;
    await until(() => calls > before && wrapper.text().includes('completed'), 4000);
    await until(() => !wrapper.text().includes('queued with'));
  });

  it('drops the "queued" notice when its job ends while the status filter hides it', async () => {
    let submitted = false;
    let state: BatchJob['status'] = 'queued';
    const { api, wrapper } = await openBatch({
      'GET /v1/batch-jobs': (request) => {
        const wanted = new URL(request.url).searchParams.get('status');
        const all = submitted ? [job(state)] : [];
        return page(wanted ? all.filter((j) => j.status === wanted) : all);
      },
      'POST /v1/batch-jobs': () => {
        submitted = true;
        return json(job('queued'), 202);
      },
      'GET /v1/batch-jobs/:id': () => job(state),
    });
    await until(() => wrapper.text().includes('No batch jobs yet'));
    await wrapper.get('#batch-status').setValue('queued');
    const input = wrapper.get('#batch-file');
    Object.defineProperty(input.element, 'files', { value: [new File(['a\n1\n'], 'june.csv')] });
    await input.trigger('change');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.text().includes('queued with housets-xgboost v3'));
    // It runs, so the "Queued" list no longer shows it; then it completes.
    state = 'running';
    await until(() => wrapper.findAll('tr[data-job]').length === 0, 4000);
    expect(wrapper.text()).toContain('queued with');
    state = 'completed';
    await until(() => !wrapper.text().includes('queued with'), 4000);
    expect(api.calls('GET /v1/batch-jobs/:id').length).toBeGreaterThan(0);
  });

  it('offers the model columns and a template CSV, and links the rejected count to the reasons', async () => {
    const createObjectURL = vi.fn(() => 'blob:x');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const model = structuredClone(currentModel);
    model.signature[1]!.example = 310000;
    const { api, wrapper } = await openBatch({
      'GET /v1/models/current': model,
      'GET /v1/batch-jobs': page([
        job('completed', { input: { uri: 'file:///x', name: 'sales_june-2022.final.csv', bytes: 10 } }),
      ]),
      'GET /v1/batch-jobs/:id/errors': () => new Response('line,reason\n3,bad date\n'),
    });
    await until(() => wrapper.find('[data-testid="batch-columns"]').exists());
    expect(wrapper.get('[data-testid="batch-columns"]').findAll('tbody tr')).toHaveLength(4);
    await buttonByText(wrapper, 'Download a template CSV').trigger('click');
    const template = await (createObjectURL.mock.calls[0] as unknown as [Blob])[0].text();
    expect(template).toBe(
      'date,median_list_price,avg_sale_to_list,zipcode\r\n2022-01-31,310000,0.9947,30001\r\n',
    );
    expect(clicked[0]).toBe('housets-xgboost-v3-template.csv');
    // The file name may wrap only after its separators.
    expect(wrapper.get('tr[data-job] th').findAll('wbr').length).toBeGreaterThanOrEqual(4);
    await buttonByText(wrapper, /^10 rejected: download the reasons/).trigger('click');
    await until(() => api.calls('GET /v1/batch-jobs/:id/errors').length === 1);
  });

  it('cancels a running job after confirmation', async () => {
    let jobs = [job('running')];
    const { api, wrapper } = await openBatch({
      'GET /v1/batch-jobs': () => page(jobs),
      'DELETE /v1/batch-jobs/:id': () => {
        jobs = [job('cancelled')];
        return jobs[0]!;
      },
    });
    await until(() => wrapper.find('tbody tr').exists());
    await buttonByText(wrapper, 'Cancel june.csv').trigger('click');
    const dialog = wrapper.get('dialog');
    expect((dialog.element as HTMLDialogElement).open).toBe(true);
    expect(dialog.text()).toContain('Cancel this job?');
    expect(api.calls('DELETE /v1/batch-jobs/:id')).toHaveLength(0);
    await buttonByText(wrapper, 'Cancel the job').trigger('click');
    await until(() => wrapper.text().includes('cancelled'));
    expect(api.calls('DELETE /v1/batch-jobs/:id')).toHaveLength(1);
    expect((dialog.element as HTMLDialogElement).open).toBe(false);
  });
});
