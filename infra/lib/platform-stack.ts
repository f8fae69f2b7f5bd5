import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PlatformConfig } from './config';
import { DataStores } from './data';
import { Monitoring } from './monitoring';
import { Network } from './network';
import { acknowledgePlatformFindings } from './nag';
import { Services } from './services';

export interface PlatformStackProps extends StackProps {
  config: PlatformConfig;
}

/** One environment of the platform: network, data stores, the three services and their alarms. */
export class PlatformStack extends Stack {
  readonly config: PlatformConfig;
  readonly network: Network;
  readonly data: DataStores;
  readonly services: Services;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    this.network = new Network(this, 'Network', config);
    this.data = new DataStores(this, 'Data', { config, vpc: this.network.vpc });
    this.services = new Services(this, 'Services', { config, vpc: this.network.vpc, data: this.data });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      loadBalancer: this.services.loadBalancer,
      apiTargetGroup: this.services.apiTargetGroup,
    });
    acknowledgePlatformFindings(this);

    const scheme = config.certificateArn ? 'https' : 'http';
    new CfnOutput(this, 'Url', {
      value: `${scheme}://${this.services.loadBalancer.loadBalancerDnsName}`,
      description: 'Dashboard (/), API (/v1), Swagger UI (/docs)',
    });
    new CfnOutput(this, 'ClusterName', { value: this.services.cluster.clusterName });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.data.artifactBucket.bucketName });
    new CfnOutput(this, 'BootstrapAdminKeySecret', {
      value: this.data.bootstrapAdminKey.secretName,
      description:
        'aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
  }
}
