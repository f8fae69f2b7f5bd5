import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import type { PlatformConfig } from './config';

export interface RegistryStackProps extends StackProps {
  repositoryNames: PlatformConfig['repositoryNames'];
}

/**
 * The three image repositories (api + worker, dashboard, trainer), shared by every environment: an image
 * is built once, tagged with its git SHA and promoted from environment to environment by tag. A stack of
 * its own so the images can be pushed before the platform stack starts services that pull them.
 */
export class RegistryStack extends Stack {
  readonly repositories: Record<keyof PlatformConfig['repositoryNames'], ecr.Repository>;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const make = (id: string, repositoryName: string): ecr.Repository => {
      const repository = new ecr.Repository(this, id, {
        repositoryName,
        imageScanOnPush: true,
        // Tags are git SHAs: a tag always names the same image, so a deployment is reproducible.
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            rulePriority: 1,
            description: 'Expire untagged images (superseded build layers) after 14 days',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(14),
          },
          {
            rulePriority: 2,
            description: 'Keep the 100 newest images',
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: 100,
          },
        ],
      });
      new CfnOutput(this, `${id}Uri`, {
        value: repository.repositoryUri,
        description: `docker push target for ${repositoryName}`,
      });
      return repository;
    };
    this.repositories = {
      api: make('ApiRepository', props.repositoryNames.api),
      dashboard: make('DashboardRepository', props.repositoryNames.dashboard),
      trainer: make('TrainerRepository', props.repositoryNames.trainer),
    };
  }
}
