import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrainingRun } from '../api/types';
import { json, mockApi } from '../test/mockApi';
import { RUN_ID, myKey, trainingRun } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { buttonByText } from '../test/dom';

const text = (body: string) =>
  new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });

afterEach(() => {
  vi.useRealTimers();
});

describe('a run’s page', () => {
  it('follows a running run live (phase, rows, trial n of N with the best) until it completes, then shows its results', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const answers: TrainingRun[] = [
      trainingRun('running', { progress: { phase: 'load', rowsRead: 800 } }),
      trainingRun('running'),
      // The worker's final write keeps only the phase: the page keeps the summary it saw.
      trainingRun('completed', { progress: { phase: 'done' } }),
    ];
    let runCalls = 0;
    let logCalls = 0;
    const api = mockApi({
      'GET /v1/training-runs/:id': () => answers[Math.min(runCalls++, answers.length - 1)],
      'GET /v1/training-runs/:id/logs': () =>
        text(logCalls++ < 2 ? 'loading data\n' : 'loading data\ntrial 2\nregistered v4\n'),
    });
    const { wrapper } = await mountApp(`/runs/${RUN_ID}`, myKey(['train']));
    await vi.waitFor(() =>
      expect(wrapper.get('[data-testid="run-progress"]').text()).toContain('Reading the CSV · 800 rows read'),
    );
    expect(wrapper.get('[data-testid="run-log"]').text()).toBe('loading data');
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() =>
      expect(wrapper.get('[data-testid="run-progress"]').text()).toContain(
        'Trial 2 of 5 · rmse 31,000 · best 29,000',
      ),
    );
    expect(wrapper.get('progress').attributes('value')).toBe('40');
    expect(wrapper.get('[data-testid="run-cleaning"]').text()).toMatch(
      /Rows dropped\s*50:\s*duplicate 30, target_outlier 20/,
    );

    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(wrapper.get('[data-testid="run-status"]').text()).toBe('completed'));
    await vi.waitFor(() => expect(wrapper.get('[data-testid="run-log"]').text()).toContain('registered v4'));
    expect(wrapper.find('[data-testid="run-progress"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="run-cleaning"]').text()).toMatch(/Rows dropped\s*50/);
    expect(wrapper.text()).toContain('The whole log of the last attempt.');
    const link = wrapper.get('[data-testid="run-model"] a');
    expect(link.text()).toBe('housets-xgboost v4');
    expect(link.attributes('href')).toBe('/models?name=housets-xgboost&version=4');
    expect(wrapper.get('[data-testid="run-metrics"]').text()).toMatch(/holdout\.rmse\s*30,500/);
    expect(wrapper.get('[data-testid="run-params"]').text()).toMatch(/learning_rate\s*0\.08123/);
    // The tuning chart: three trials, best so far 29,000 from trial 1 on.
    expect(wrapper.findAll('.trial-dot')).toHaveLength(3);
    expect(wrapper.find('.tuning-chart table').text()).toMatch(/2\s*31,000\s*29,000/);

    const before = runCalls;
    await vi.advanceTimersByTimeAsync(5000);
    expect(runCalls).toBe(before);
    expect(api.calls('GET /v1/training-runs/:id/logs').length).toBe(logCalls);
  });

  it('cancels a running run behind a confirmation', async () => {
    let cancelled = false;
    const api = mockApi({
      'GET /v1/training-runs/:id': () =>
        cancelled
          ? trainingRun('cancelled', { error: 'cancelled by API key admin' })
          : trainingRun('running'),
      'GET /v1/training-runs/:id/logs': () => text('trial 1\n'),
      'DELETE /v1/training-runs/:id': () => {
        cancelled = true;
        return json(trainingRun('cancelled'));
      },
    });
    const { wrapper } = await mountApp(`/runs/${RUN_ID}`, myKey(['train']));
    await until(() => wrapper.find('[data-testid="run-status"]').exists());
    await buttonByText(wrapper, 'Cancel the run').trigger('click');
    await until(() => wrapper.find('dialog[open], [role="dialog"]').exists());
    const confirm = wrapper.findAll('button').filter((b) => b.text() === 'Cancel the run');
    await confirm[confirm.length - 1]!.trigger('click');
    await until(() => wrapper.get('[data-testid="run-status"]').text() === 'cancelled');
    expect(api.calls('DELETE /v1/training-runs/:id')).toHaveLength(1);
    expect(wrapper.text()).toContain('cancelled by API key admin');
  });

  it('shows the last 200 lines of a long log, and all on request', async () => {
    const long = Array.from({ length: 250 }, (_, i) => `line ${i + 1}`).join('\n');
    mockApi({
      'GET /v1/training-runs/:id': trainingRun('completed'),
      'GET /v1/training-runs/:id/logs': () => text(long),
    });
    const { wrapper } = await mountApp(`/runs/${RUN_ID}`, myKey(['train']));
    await until(() => wrapper.find('[data-testid="run-log"]').text().includes('line 250'));
    expect(wrapper.get('[data-testid="run-log"]').text()).not.toContain('line 50\n');
    expect(wrapper.get('[data-testid="run-log"]').text().startsWith('line 51')).toBe(true);
    await buttonByText(wrapper, 'Show all 250 lines').trigger('click');
    expect(wrapper.get('[data-testid="run-log"]').text().startsWith('line 1\n')).toBe(true);
  });

  it('says when the run does not exist', async () => {
    mockApi({});
    const { wrapper } = await mountApp(`/runs/${RUN_ID}`, myKey(['train']));
    await until(() => wrapper.find('.state-error').exists());
    expect(wrapper.get('.state-error').text()).toContain('no route GET');
  });
});
