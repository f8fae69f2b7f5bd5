import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { infraConstant, motoCloudWatch } from '../../test/support/cloudwatch';
import {
  DRIFT_METRIC_NAMESPACE,
  FEATURE_DRIFT_METRIC,
  publishWorstDrift,
} from './drift-cloudwatch.publisher';

describe('the worker’s drift metric for CloudWatch', () => {
  const cloudWatch = motoCloudWatch();

  test('is the namespace and name infra alarms on', () => {
    expect(DRIFT_METRIC_NAMESPACE).toBe(infraConstant('METRIC_NAMESPACE'));
    expect(FEATURE_DRIFT_METRIC).toBe(infraConstant('FEATURE_DRIFT_METRIC'));
  });

  test('reaches CloudWatch (moto) as the worst feature’s PSI, and nothing when nothing was scored', async () => {
    const at = new Date();
    expect(await publishWorstDrift(cloudWatch(), [{ feature: 'a', psi: null }], at)).toBeNull();
    const worst = await publishWorstDrift(
      cloudWatch(),
      [
        { feature: 'a', psi: 0.04 },
        { feature: 'b', psi: 0.31 },
        { feature: 'c', psi: null },
      ],
      at,
    );
    expect(worst).toBe(0.31);
    const stats = await cloudWatch().send(
      new GetMetricStatisticsCommand({
        Namespace: infraConstant('METRIC_NAMESPACE'),
        MetricName: infraConstant('FEATURE_DRIFT_METRIC'),
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 60,
        Statistics: ['Maximum', 'SampleCount'],
      }),
    );
    expect(stats.Datapoints?.[0]).toMatchObject({ Maximum: 0.31, SampleCount: 1 });
  });
});
