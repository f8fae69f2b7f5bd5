import { InputError } from '@housing/ml';
import { UNFINISHED_STATUSES, batchKeys } from '../shared/batch.constants';
import {
  AttemptAborted,
  PermanentJobError,
  abortReasonOf,
  classify,
  openInput,
  reasonOf,
} from '../../jobs/attempt-errors';
import { BadRowsError } from '../shared/bad-rows';
import { evaluationIdFor } from './batch-evaluation.processor';
import { ArtifactNotFoundError } from '../../storage/artifact-store';
import { notFound } from '../../common/problem';

describe('batch attempts', () => {
  it('fails at once what retrying cannot fix and retries the rest', () => {
    expect(classify(new BadRowsError(100, 30, 0.1, false))).toBe('permanent');
    expect(classify(new InputError('CSV is empty: no header line'))).toBe('permanent');
    expect(classify(new PermanentJobError('no model'))).toBe('permanent');
    expect(classify(notFound('model x version 9 is not registered'))).toBe('permanent');
    expect(classify(new AttemptAborted('lost'))).toBe('aborted');
    // A model file being restored, a database or Redis hiccup: retried with backoff.
    expect(classify(new ArtifactNotFoundError('models/x/1/model.onnx'))).toBe('transient');
    expect(classify(new Error('connect ECONNREFUSED'))).toBe('transient');
  });

  it('treats a missing input as permanent', async () => {
    await expect(
      openInput(() => Promise.reject(new ArtifactNotFoundError('datasets/x.csv')), 'datasets/x.csv'),
    ).rejects.toBeInstanceOf(PermanentJobError);
    await expect(openInput(() => Promise.reject(new Error('EIO')), 'k')).rejects.toThrow('EIO');
  });

  it('says why, in the words shown on the job', () => {
    expect(new BadRowsError(100, 30, 0.1, false).message).toBe(
      '30 of 100 rows were rejected (30.0%), more than BATCH_MAX_BAD_ROW_RATIO 0.1 (10.0%): see the errors file for each line and reason',
    );
    expect(new BadRowsError(400, 200, 0.1, true).message).toContain(
      '200 of 400 rows read so far were rejected (50.0%)',
    );
    expect(reasonOf(new InputError('CSV is missing required column: date'))).toBe(
      'unreadable input: CSV is missing required column: date',
    );
    expect(reasonOf(new ArtifactNotFoundError('models/x/1/model.onnx'))).toBe(
      'artifact models/x/1/model.onnx not found',
    );
  });

  it('reads the abort reason a worker gave', () => {
    const controller = new AbortController();
    expect(abortReasonOf(controller.signal)).toBeUndefined();
    expect(abortReasonOf(undefined)).toBeUndefined();
    controller.abort('cancelled');
    expect(abortReasonOf(controller.signal)).toBe('cancelled');
    const other = new AbortController();
    other.abort();
    expect(abortReasonOf(other.signal)).toBe('lost');
  });

  it('derives a stable UUID evaluation id for scheduler-made evaluations', () => {
    const id = evaluationIdFor('repeat:monthly-evaluation:1735689600000');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(evaluationIdFor('repeat:monthly-evaluation:1735689600000')).toBe(id);
    expect(evaluationIdFor('repeat:monthly-evaluation:1738368000000')).not.toBe(id);
  });

  it('keeps every attempt under its own prefix', () => {
    expect(batchKeys.attempt('j', 'a')).toBe('batch/j/attempts/a');
    expect(batchKeys.attempt('j', 'a').startsWith(batchKeys.attempts('j'))).toBe(true);
    expect(batchKeys.evaluationFile('r', '2022-03')).toBe('batch/evaluations/r/2022-03.csv');
    expect(batchKeys.shard('j', 3).startsWith(batchKeys.shards('j'))).toBe(true);
    expect(UNFINISHED_STATUSES).toEqual(['queued', 'running']);
  });
});
