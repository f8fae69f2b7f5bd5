import { App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig, type PlatformConfig } from './config';
import { PlatformStack } from './platform-stack';
import { RegistryStack } from './registry-stack';

export interface HousingApp {
  config: PlatformConfig;
  registry: RegistryStack;
  platform: PlatformStack;
}

/**
 * The whole CDK app: the shared image registry and one platform environment, checked by cdk-nag's AWS
 * Solutions rules (an unacknowledged finding is an error at synth). bin/app.ts and the tests both call it.
 *
 * Stacks are account-agnostic (whichever account deploys them) and pinned to a region, so `cdk synth`
 * needs no AWS credentials: the two AZs are resolved by CloudFormation (Fn::GetAZs), not by a lookup.
 */
export function buildApp(app: App): HousingApp {
  const config = readConfig(app.node);
  const env = { region: config.region };
  const registry = new RegistryStack(app, 'HousingRegistry', {
    env,
    description:
      'Housing price platform: ECR repositories (api/worker, dashboard, trainer), shared by all environments',
    repositoryNames: config.repositoryNames,
  });
  const platform = new PlatformStack(app, `HousingPlatform-${config.envName}`, {
    env,
    description: `Housing price platform (${config.envName}): VPC, ALB, ECS Fargate api/worker/dashboard, RDS PostgreSQL, ElastiCache Redis, S3 artifacts, alarms`,
    config,
    terminationProtection: config.deletionProtection,
  });
  // The services pull from the registry's repositories (by name): deploy it first.
  platform.addStackDependency(registry, 'services pull images from the ECR repositories');

  Tags.of(app).add('project', 'housing-platform');
  Tags.of(platform).add('environment', config.envName);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { config, registry, platform };
}
