import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { TEST_AWS_ENV, startMoto, type MotoService } from '../services/moto';

/** A string constant of infra/lib/constants.ts (the names the stack's scaling policies and alarms read). */
export function infraConstant(name: string): string {
  const source = readFileSync(
    path.resolve(__dirname, '..', '..', '..', 'infra', 'lib', 'constants.ts'),
    'utf8',
  );
  const value = new RegExp(`export const ${name} = '([^']+)';`).exec(source)?.[1];
  if (!value) throw new Error(`infra/lib/constants.ts has no ${name}`);
  return value;
}

/** A CloudWatch client on a moto server started for the suite (beforeAll/afterAll registered here). */
export function motoCloudWatch(): () => CloudWatchClient {
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
  return () => client;
}
