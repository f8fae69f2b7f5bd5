import { infraConstant } from '../../../test/support/cloudwatch';
import { METRIC_NAMESPACE } from '../../batch/worker/queue-depth.publisher';
import { FAILED_TRAINING_RUNS_METRIC, TRAINING_QUEUE_DEPTH_METRIC, trainingMetricData } from './training-queue-metrics';

describe('the training worker’s CloudWatch metrics (TRAINING_METRICS_CLOUDWATCH=1)', () => {
  test('are the names infra scales the training service and alarms on', () => {
    expect(METRIC_NAMESPACE).toBe(infraConstant('METRIC_NAMESPACE'));
    expect(TRAINING_QUEUE_DEPTH_METRIC).toBe(infraConstant('TRAINING_QUEUE_DEPTH_METRIC'));
    expect(FAILED_TRAINING_RUNS_METRIC).toBe(infraConstant('FAILED_TRAINING_RUNS_METRIC'));
  });

  test('depth = waiting + training; failed = failures since the previous report (none at the first)', () => {
    const at = new Date(0);
    const value = (data: ReturnType<typeof trainingMetricData>, name: string) => data.find((d) => d.MetricName === name)!.Value;
    const first = trainingMetricData({ waiting: 2, active: 1, failed: 5 }, undefined, at);
    expect(value(first, TRAINING_QUEUE_DEPTH_METRIC)).toBe(3);
    expect(value(first, FAILED_TRAINING_RUNS_METRIC)).toBe(0);
    expect(value(trainingMetricData({ waiting: 0, active: 0, failed: 7 }, 5, at), FAILED_TRAINING_RUNS_METRIC)).toBe(2);
    // BullMQ trimmed its failed list (removeOnFail): never a negative count
    expect(value(trainingMetricData({ waiting: 0, active: 0, failed: 1 }, 5, at), FAILED_TRAINING_RUNS_METRIC)).toBe(0);
  });
});
