import { GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { infraConstant, motoCloudWatch } from '../../../test/support/cloudwatch';
import {
  CloudWatchSink,
  FAILED_JOBS_METRIC,
  METRIC_NAMESPACE,
  QUEUE_DEPTH_METRIC,
} from './queue-depth.publisher';

describe('the worker’s CloudWatch metrics (BATCH_METRICS_CLOUDWATCH=1)', () => {
  const cloudWatch = motoCloudWatch();

  test('are the namespace and names infra scales the worker on and alarms on', () => {
    expect(METRIC_NAMESPACE).toBe(infraConstant('METRIC_NAMESPACE'));
    expect(QUEUE_DEPTH_METRIC).toBe(infraConstant('QUEUE_DEPTH_METRIC'));
    expect(FAILED_JOBS_METRIC).toBe(infraConstant('FAILED_JOBS_METRIC'));
  });

  test('reach CloudWatch (moto) under those names: depth = waiting + active, failed = failures since the last report', async () => {
    const sink = new CloudWatchSink('housing:batch-predictions', cloudWatch());
    const at = new Date();
    await sink.publish({ waiting: 3, active: 2, delayed: 1, failed: 7, prioritized: 0, completed: 0 }, at);
    await sink.publish({ waiting: 0, active: 1, delayed: 0, failed: 9, prioritized: 0, completed: 4 }, at);

    const listed = await cloudWatch().send(
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
      const stats = await cloudWatch().send(
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
