import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { TEST_AWS_ENV, startMoto, type MotoService } from '../../test/services/moto';
import {
  CloudWatchSink,
  FAILED_JOBS_METRIC,
  METRIC_NAMESPACE,
  QUEUE_DEPTH_METRIC,
} from './queue-depth.publisher';

/** A string constant of infra/lib/constants.ts (the names the stack's scaling policy and alarm read). */
function infraConstant(name: string): string {
  const source = readFileSync(
    path.resolve(__dirname, '..', '..', '..', 'infra', 'lib', 'constants.ts'),
    'utf8',
  );
  const value = new RegExp(`export const ${name} = '([^']+)';`).exec(source)?.[1];
  if (!value) throw new Error(`infra/lib/constants.ts has no ${name}`);
  return value;
}

describe('the worker’s CloudWatch metrics (BATCH_METRICS_CLOUDWATCH=1)', () => {
  let moto: MotoService;
  let client: CloudWatchClient;

  beforeAll(async () => {
    moto = await startMoto();
    client = new CloudWatchClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: {
        accessKeyId: TEST_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: TEST_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
  });

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  test('are the namespace and names infra scales the worker on and alarms on', () => {
    expect(METRIC_NAMESPACE).toBe(infraConstant('METRIC_NAMESPACE'));
    expect(QUEUE_DEPTH_METRIC).toBe(infraConstant('QUEUE_DEPTH_METRIC'));
    expect(FAILED_JOBS_METRIC).toBe(infraConstant('FAILED_JOBS_METRIC'));
  });

  test('reach CloudWatch (moto) under those names: depth = waiting + active, failed = failures since the last report', async () => {
    const sink = new CloudWatchSink('housing:batch-predictions', client);
    const at = new Date();
    await sink.publish({ waiting: 3, active: 2, delayed: 1, failed: 7, prioritized: 0, completed: 0 }, at);
    await sink.publish({ waiting: 0, active: 1, delayed: 0, failed: 9, prioritized: 0, completed: 4 }, at);

    const listed = await client.send(
      new ListMetricsCommand({ Namespace: infraConstant('METRIC_NAMESPACE') }),
    );
    // (moto lists a metric once per datapoint: the set of names is what counts)
    const fleetWide = [
      ...new Set(
        (listed.Metrics ?? []).filter((m) => (m.Dimensions ?? []).length === 0).map((m) => m.MetricName),
      ),
    ].sort();
    // the two the stack reads, without dimensions (a dimension would make them different metrics)
    expect(fleetWide).toEqual(
      [infraConstant('FAILED_JOBS_METRIC'), infraConstant('QUEUE_DEPTH_METRIC')].sort(),
    );
    const perQueue = (listed.Metrics ?? []).filter((m) => (m.Dimensions ?? []).length > 0);
    expect(perQueue.map((m) => m.Dimensions)).toContainEqual([
      { Name: 'Queue', Value: 'housing:batch-predictions' },
    ]);

    const sum = async (metric: string) => {
      const stats = await client.send(
        new GetMetricStatisticsCommand({
          Namespace: METRIC_NAMESPACE,
          MetricName: metric,
          StartTime: new Date(at.getTime() - 60_000),
          EndTime: new Date(at.getTime() + 60_000),
          Period: 300,
          Statistics: ['Sum', 'SampleCount'],
        }),
      );
      return stats.Datapoints?.map((d) => [d.SampleCount, d.Sum]);
    };
    expect(await sum(QUEUE_DEPTH_METRIC)).toEqual([[2, 5 + 1]]);
    expect(await sum(FAILED_JOBS_METRIC)).toEqual([[2, 0 + 2]]);
  });
});
