import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { TEST_AWS_ENV, startMoto, type MotoService } from '../../test/services/moto';
import {
  DRIFT_METRIC_NAMESPACE,
  FEATURE_DRIFT_METRIC,
  publishWorstDrift,
} from './drift-cloudwatch.publisher';

function infraConstant(name: string): string {
  const source = readFileSync(
    path.resolve(__dirname, '..', '..', '..', 'infra', 'lib', 'constants.ts'),
    'utf8',
  );
  const value = new RegExp(`export const ${name} = '([^']+)';`).exec(source)?.[1];
  if (!value) throw new Error(`infra/lib/constants.ts has no ${name}`);
  return value;
}

describe('the worker’s drift metric for CloudWatch', () => {
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

  test('is the namespace and name infra alarms on', () => {
    expect(DRIFT_METRIC_NAMESPACE).toBe(infraConstant('METRIC_NAMESPACE'));
    expect(FEATURE_DRIFT_METRIC).toBe(infraConstant('FEATURE_DRIFT_METRIC'));
  });

  test('reaches CloudWatch (moto) as the worst feature’s PSI, and nothing when nothing was scored', async () => {
    const at = new Date();
    expect(await publishWorstDrift(client, [{ feature: 'a', psi: null }], at)).toBeNull();
    const worst = await publishWorstDrift(
      client,
      [
        { feature: 'a', psi: 0.04 },
        { feature: 'b', psi: 0.31 },
        { feature: 'c', psi: null },
      ],
      at,
    );
    expect(worst).toBe(0.31);
    const stats = await client.send(
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
