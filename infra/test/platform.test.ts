/**
 * The CDK app with its default context (what `cdk synth` builds with no -c flags): every piece the
 * platform needs, with the properties that make it safe, and cdk-nag's AWS Solutions checks clean.
 */
import { Token } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { DEFAULTS } from '../lib/config';
import {
  API_PATH_PATTERNS,
  PRIVATE_PATH_PATTERNS,
  FAILED_JOBS_METRIC,
  FEATURE_DRIFT_METRIC,
  METRIC_NAMESPACE,
  QUEUE_DEPTH_METRIC,
} from '../lib/constants';
import { configSchemaKeys, isAwsSdkVariable } from './support/repo';
import { resource, resources, synthesize, type Cfn, type Synthesized } from './support/synth';

let s: Synthesized;
let t: Template;
beforeAll(() => {
  s = synthesize();
  t = s.platformTemplate;
});

const ref = (id: string) => ({ Ref: id });
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const containers = (idPrefix: string): Record<string, Cfn>[] =>
  resource(t, 'AWS::ECS::TaskDefinition', idPrefix).Properties.ContainerDefinitions as Record<string, Cfn>[];

describe('stacks', () => {
  test('account-agnostic, pinned to the default region, so synth needs no AWS account', () => {
    expect(s.platform.stackName).toBe('HousingPlatform-dev');
    expect(s.registry.stackName).toBe('HousingRegistry');
    expect(s.platform.region).toBe(DEFAULTS.region);
    expect(Token.isUnresolved(s.platform.account)).toBe(true);
    expect(Token.isUnresolved(s.registry.account)).toBe(true);
    expect(s.platform.dependencies).toContain(s.registry);
  });
});

describe('network', () => {
  test('a VPC over two AZs: public, private-with-egress (tasks) and isolated (data) subnets', () => {
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    t.resourceCountIs('AWS::EC2::NatGateway', 2);
    const azs = resources(t, 'AWS::EC2::Subnet').map(([, r]) =>
      JSON.stringify(r.Properties.AvailabilityZone),
    );
    expect(new Set(azs).size).toBe(2);
    const kinds = resources(t, 'AWS::EC2::Subnet').map(
      ([, r]) =>
        (r.Properties.Tags as { Key: string; Value: string }[]).find((x) => x.Key === 'aws-cdk:subnet-type')!
          .Value,
    );
    expect(kinds.sort()).toEqual(['Isolated', 'Isolated', 'Private', 'Private', 'Public', 'Public']);
  });

  test('flow logs of all traffic to a CloudWatch log group with retention', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: ref(resource(t, 'AWS::Logs::LogGroup', 'NetworkFlowLogs').id),
    });
  });
});

describe('ECS', () => {
  test('a cluster with Container Insights', () => {
    t.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: Match.stringLikeRegexp('^(enabled|enhanced)$') }],
    });
  });

  test('four Fargate services in the private subnets, without public IPs, rolling back failed deployments', () => {
    t.resourceCountIs('AWS::ECS::Service', 4);
    for (const [id, service] of resources(t, 'AWS::ECS::Service')) {
      const p = service.Properties;
      expect({
        id,
        launch: p.LaunchType,
        publicIp: p.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp,
      }).toEqual({ id, launch: 'FARGATE', publicIp: 'DISABLED' });
      expect(p.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
      for (const subnet of p.NetworkConfiguration.AwsvpcConfiguration.Subnets)
        expect(subnet.Ref).toMatch(/^NetworkVpcappSubnet/);
    }
    expect(resource(t, 'AWS::ECS::Service', 'ServicesApiService').Properties.DesiredCount).toBe(
      DEFAULTS.apiDesiredCount,
    );
    expect(resource(t, 'AWS::ECS::Service', 'ServicesWorkerService').Properties.DesiredCount).toBe(
      DEFAULTS.workerDesiredCount,
    );
    expect(resource(t, 'AWS::ECS::Service', 'ServicesDashboardService').Properties.DesiredCount).toBe(
      DEFAULTS.dashboardDesiredCount,
    );
    expect(resource(t, 'AWS::ECS::Service', 'ServicesTrainingWorkerService').Properties.DesiredCount).toBe(
      DEFAULTS.trainingWorkerDesiredCount,
    );
  });

  test('the training worker: the trainer image (ECR, immutable tag) with its own entry point, secrets, CloudWatch metrics and a nice trainer', () => {
    const [training] = containers('ServicesTrainingWorkerTask');
    expect(JSON.stringify(training!.Image)).toContain(`/${DEFAULTS.repositoryNames.trainer}:${DEFAULTS.trainerImageTag}`);
    expect(training!.EntryPoint).toEqual(['node', 'backend/dist/training-worker.js']);
    const env = Object.fromEntries((training!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({ TRAINING_METRICS_CLOUDWATCH: '1', TRAINING_NICE: '10' });
    expect((training!.Secrets as { Name: string }[]).map((x) => x.Name).sort()).toEqual(['BOOTSTRAP_ADMIN_KEY', 'DATABASE_URL', 'REDIS_URL']);
    expect(training!.ReadonlyRootFilesystem).toBe(true);
    expect(training!.StopTimeout).toBe(60);
  });

  test('the training worker scales on the training queue depth (TrainingQueueDepth), in only when no run waits or trains', () => {
    const target = resources(t, 'AWS::ApplicationAutoScaling::ScalableTarget').find(([id]) => id.startsWith('ServicesTrainingWorkerService'));
    expect(target![1].Properties).toMatchObject({
      MinCapacity: DEFAULTS.trainingWorkerDesiredCount,
      MaxCapacity: DEFAULTS.trainingWorkerMaxCount,
    });
    const alarms = resources(t, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'TrainingQueueDepth');
    expect(alarms.length).toBeGreaterThanOrEqual(2); // the step policy's lower and upper alarms
    for (const [, a] of alarms) expect(a.Properties.Namespace).toBe('HousingPlatform');
    const policies = resources(t, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(([id]) => id.startsWith('ServicesTrainingWorkerService'));
    const steps = policies.flatMap(([, p]) => p.Properties.StepScalingPolicyConfiguration.StepAdjustments as { ScalingAdjustment: number; MetricIntervalUpperBound?: number }[]);
    // scale in (−1) only below a depth of 1: a run waiting or training keeps every task
    const scaleIn = steps.filter((x) => x.ScalingAdjustment < 0);
    expect(scaleIn.length).toBeGreaterThan(0);
  });

  test('api and worker run the api image (ECR, immutable tag); the worker with its own command', () => {
    const image = (c: Record<string, Cfn>) => JSON.stringify(c.Image);
    const [api] = containers('ServicesApiTask');
    const [worker] = containers('ServicesWorkerTask');
    const [dashboard] = containers('ServicesDashboardTask');
    expect(image(api!)).toContain(`/${DEFAULTS.repositoryNames.api}:${DEFAULTS.apiImageTag}`);
    expect(image(worker!)).toBe(image(api!));
    expect(image(dashboard!)).toContain(
      `/${DEFAULTS.repositoryNames.dashboard}:${DEFAULTS.dashboardImageTag}`,
    );
    expect(api!.Command).toBeUndefined();
    expect(worker!.Command).toEqual(['node', 'backend/dist/worker.js']);
    expect(api!.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8000 })]);
    expect(dashboard!.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8080 })]);
    expect(api!.HealthCheck.Command).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
    for (const c of [api, worker, dashboard]) {
      expect(c!.ReadonlyRootFilesystem).toBe(true);
      expect(c!.MountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' }]);
      expect(c!.LogConfiguration.LogDriver).toBe('awslogs');
    }
  });

  test('api and worker get DATABASE_URL, REDIS_URL and BOOTSTRAP_ADMIN_KEY from Secrets Manager, ARTIFACT_STORE=s3://<bucket>', () => {
    const bucket = resource(t, 'AWS::S3::Bucket', 'DataArtifactBucket').id;
    const secrets = {
      DATABASE_URL: ref(resource(t, 'AWS::SecretsManager::Secret', 'DataDatabaseUrl').id),
      REDIS_URL: ref(resource(t, 'AWS::SecretsManager::Secret', 'DataRedisUrl').id),
      BOOTSTRAP_ADMIN_KEY: ref(resource(t, 'AWS::SecretsManager::Secret', 'DataBootstrapAdminKey').id),
    };
    for (const prefix of ['ServicesApiTask', 'ServicesWorkerTask']) {
      const [c] = containers(prefix);
      const env = Object.fromEntries(
        (c!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      );
      expect(env.ARTIFACT_STORE).toEqual({ 'Fn::Join': ['', ['s3://', ref(bucket)]] });
      expect(env.S3_REGION).toBe(DEFAULTS.region);
      expect(
        Object.fromEntries(
          (c!.Secrets as { Name: string; ValueFrom: unknown }[]).map((x) => [x.Name, x.ValueFrom]),
        ),
      ).toEqual(secrets);
    }
    const [worker] = containers('ServicesWorkerTask');
    expect(worker!.Environment).toContainEqual({ Name: 'BATCH_METRICS_CLOUDWATCH', Value: '1' });
  });

  test('every variable the api and worker get is one the code reads (backend/src/config/config.ts) or the AWS SDK reads', () => {
    const schema = configSchemaKeys();
    for (const prefix of ['ServicesApiTask', 'ServicesWorkerTask']) {
      const [c] = containers(prefix);
      const names = [...(c!.Environment as { Name: string }[]), ...(c!.Secrets as { Name: string }[])].map(
        (e) => e.Name,
      );
      expect({ prefix, unknown: names.filter((n) => !schema.includes(n) && !isAwsSdkVariable(n)) }).toEqual({
        prefix,
        unknown: [],
      });
    }
    const [dashboard] = containers('ServicesDashboardTask');
    expect(dashboard!.Environment).toBeUndefined();
    expect(dashboard!.Secrets).toBeUndefined();
  });

  test('log groups with the configured retention', () => {
    const groups = resources(t, 'AWS::Logs::LogGroup');
    expect(groups.length).toBe(7); // api, worker, training worker, dashboard, VPC flow logs, PostgreSQL, Redis slow log
    for (const [id, group] of groups)
      expect({ id, days: group.Properties.RetentionInDays }).toEqual({ id, days: DEFAULTS.logRetentionDays });
    const names = groups.map(([, g]) => g.Properties.LogGroupName);
    expect(names).toEqual(
      expect.arrayContaining([
        '/housing/dev/api',
        '/housing/dev/worker',
        '/housing/dev/training-worker',
        '/housing/dev/dashboard',
        '/aws/rds/instance/housing-dev-postgres/postgresql',
      ]),
    );
  });
});

describe('load balancer', () => {
  test('internet-facing, dropping invalid headers, access logs to the log bucket', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: ref(resource(t, 'AWS::S3::Bucket', 'DataLogBucket').id) },
      ]),
    });
  });

  test('path routing: /v1/*, /docs*, /health/* to the api (/metrics: see below); everything else to the dashboard', () => {
    const api = resource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ServicesApiTargets').id;
    const dashboard = resource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ServicesDashboardTargets').id;
    expect(API_PATH_PATTERNS).toEqual(['/v1/*', '/docs*', '/health/*', '/metrics']);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: API_PATH_PATTERNS } }],
      Actions: [{ Type: 'forward', TargetGroupArn: ref(api) }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(dashboard) }],
    });
  });

  test('/metrics is not public: the load balancer answers it 404 itself, before the api rule', () => {
    expect(PRIVATE_PATH_PATTERNS).toEqual(['/metrics', '/metrics/*']);
    const rules = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(
      (r) =>
        r.Properties as { Priority: number; Conditions: unknown; Actions: Array<Record<string, unknown>> },
    );
    const blocked = rules.find((r) => JSON.stringify(r.Conditions).includes('"/metrics/*"'))!;
    expect(blocked.Actions).toEqual([
      {
        Type: 'fixed-response',
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'not found' },
      },
    ]);
    const api = rules.find((r) => r !== blocked)!;
    expect(blocked.Priority).toBeLessThan(api.Priority); // evaluated first
  });

  test('the api target group checks GET /health/live (readiness needs a promoted model, registered through this API); the dashboard’s GET /healthz', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8000,
      TargetType: 'ip',
      HealthCheckPath: '/health/live',
      Matcher: { HttpCode: '200' },
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
    });
  });

  test('only the load balancer reaches the api and dashboard tasks; the worker accepts nothing', () => {
    const albSg = resource(t, 'AWS::EC2::SecurityGroup', 'ServicesLoadBalancerSecurityGroup').id;
    const ingress = resources(t, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const into = (sgPrefix: string) =>
      ingress.filter((i) =>
        JSON.stringify(i.GroupId).includes(resource(t, 'AWS::EC2::SecurityGroup', sgPrefix).id),
      );
    expect(into('ServicesApiSecurityGroup')).toEqual([
      expect.objectContaining({
        FromPort: 8000,
        ToPort: 8000,
        SourceSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] },
      }),
    ]);
    expect(into('ServicesDashboardSecurityGroup')).toEqual([
      expect.objectContaining({
        FromPort: 8080,
        ToPort: 8080,
        SourceSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] },
      }),
    ]);
    expect(into('ServicesWorkerSecurityGroup')).toEqual([]);
    const worker = resource(t, 'AWS::EC2::SecurityGroup', 'ServicesWorkerSecurityGroup').Properties;
    expect(worker.SecurityGroupIngress).toBeUndefined();
    // the load balancer's own: the listener port from the configured CIDR, nothing else
    expect(
      resource(t, 'AWS::EC2::SecurityGroup', 'ServicesLoadBalancerSecurityGroup').Properties
        .SecurityGroupIngress,
    ).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
    ]);
  });
});

describe('artifact bucket and logs bucket', () => {
  test('artifacts: versioned, KMS-encrypted (key rotation on), all public access blocked, access logs to the log bucket', () => {
    const key = resource(t, 'AWS::KMS::Key', 'DataArtifactKey');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn(key.id) },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: ref(resource(t, 'AWS::S3::Bucket', 'DataLogBucket').id),
        LogFilePrefix: 'artifact-bucket/',
      },
    });
  });

  test('both buckets refuse requests without TLS (aws:SecureTransport) and are encrypted with public access blocked', () => {
    for (const prefix of ['DataArtifactBucket', 'DataLogBucket']) {
      const bucket = resource(t, 'AWS::S3::Bucket', prefix);
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
          .SSEAlgorithm,
      ).toMatch(/^(aws:kms|AES256)$/);
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: ref(bucket.id),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Principal: { AWS: '*' },
            }),
          ]),
        },
      });
    }
  });
});

describe('ECR repositories (registry stack)', () => {
  test('api, dashboard and trainer: scan on push, immutable tags, lifecycle rules, retained', () => {
    const r = s.registryTemplate;
    r.resourceCountIs('AWS::ECR::Repository', 3);
    for (const name of Object.values(DEFAULTS.repositoryNames)) {
      r.hasResource('AWS::ECR::Repository', {
        Properties: {
          RepositoryName: name,
          ImageScanningConfiguration: { ScanOnPush: true },
          ImageTagMutability: 'IMMUTABLE',
          LifecyclePolicy: {
            LifecyclePolicyText: Match.stringLikeRegexp('"tagStatus":"untagged".*"tagStatus":"any"'),
          },
        },
        DeletionPolicy: 'Retain',
      });
    }
  });
});

describe('Redis (ElastiCache)', () => {
  test('a replication group with TLS, encryption at rest, an AUTH token, two nodes and automatic failover', () => {
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      AuthToken: Match.anyValue(),
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
    });
    const token = JSON.stringify(
      resource(t, 'AWS::ElastiCache::ReplicationGroup', 'DataRedis').Properties.AuthToken,
    );
    expect(token).toContain('{{resolve:secretsmanager:');
    expect(token).toContain(resource(t, 'AWS::SecretsManager::Secret', 'DataRedisAuthToken').id);
  });

  test('noeviction (BullMQ must never lose queued jobs), in the isolated subnets', () => {
    t.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'redis7',
      Properties: { 'maxmemory-policy': 'noeviction' },
    });
    const subnets = resource(t, 'AWS::ElastiCache::SubnetGroup', 'DataRedisSubnets').Properties.SubnetIds as {
      Ref: string;
    }[];
    expect(subnets.map((x) => x.Ref)).toEqual([
      expect.stringMatching(/^NetworkVpcdataSubnet1/),
      expect.stringMatching(/^NetworkVpcdataSubnet2/),
    ]);
  });

  test('reachable only from the api, worker and training worker security groups, on its port', () => {
    const redisSg = resource(t, 'AWS::EC2::SecurityGroup', 'DataRedisSecurityGroup');
    expect(redisSg.Properties.SecurityGroupIngress).toBeUndefined(); // no CIDR rules
    const ingress = resources(t, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((i) => JSON.stringify(i.GroupId).includes(redisSg.id));
    const sources = ingress.map((i) => i.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(sources).toEqual(
      [
        resource(t, 'AWS::EC2::SecurityGroup', 'ServicesApiSecurityGroup').id,
        resource(t, 'AWS::EC2::SecurityGroup', 'ServicesWorkerSecurityGroup').id,
        resource(t, 'AWS::EC2::SecurityGroup', 'ServicesTrainingWorkerSecurityGroup').id,
      ].sort(),
    );
    for (const i of ingress) expect([i.FromPort, i.ToPort]).toEqual([6379, 6379]);
  });
});

describe('PostgreSQL (RDS)', () => {
  test('private, encrypted, Multi-AZ, backed up, deletion-protected, TLS forced, credentials generated in Secrets Manager', () => {
    const db = resource(t, 'AWS::RDS::DBInstance', 'DataDatabase');
    expect(db.Properties).toMatchObject({
      Engine: 'postgres',
      PubliclyAccessible: false,
      StorageEncrypted: true,
      MultiAZ: true,
      BackupRetentionPeriod: DEFAULTS.dbBackupRetentionDays,
      DeletionProtection: true,
      DBName: 'housing',
    });
    expect(JSON.stringify(db.Properties.MasterUserPassword)).toContain(
      resource(t, 'AWS::SecretsManager::Secret', 'DataDatabaseCredentials').id,
    );
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    t.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
    const subnets = resource(t, 'AWS::RDS::DBSubnetGroup', 'DataDatabase').Properties.SubnetIds as {
      Ref: string;
    }[];
    for (const subnet of subnets) expect(subnet.Ref).toMatch(/^NetworkVpcdataSubnet/);
  });

  test('reachable only from the api, worker and training worker security groups, on its port', () => {
    const dbSg = resource(t, 'AWS::EC2::SecurityGroup', 'DataDatabaseSecurityGroup');
    expect(dbSg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = resources(t, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((i) => JSON.stringify(i.GroupId).includes(dbSg.id));
    expect(ingress.map((i) => i.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual(
      [
        resource(t, 'AWS::EC2::SecurityGroup', 'ServicesApiSecurityGroup').id,
        resource(t, 'AWS::EC2::SecurityGroup', 'ServicesWorkerSecurityGroup').id,
        resource(t, 'AWS::EC2::SecurityGroup', 'ServicesTrainingWorkerSecurityGroup').id,
      ].sort(),
    );
    for (const i of ingress)
      expect(i.FromPort).toEqual({
        'Fn::GetAtt': [resource(t, 'AWS::RDS::DBInstance', 'DataDatabase').id, 'Endpoint.Port'],
      });
  });
});

describe('secrets', () => {
  test('generated: the database credentials (URL-safe), the Redis AUTH token and BOOTSTRAP_ADMIN_KEY (≥ 32 characters)', () => {
    t.resourceCountIs('AWS::SecretsManager::Secret', 5);
    const generated = (prefix: string) =>
      resource(t, 'AWS::SecretsManager::Secret', prefix).Properties.GenerateSecretString;
    expect(generated('DataBootstrapAdminKey')).toMatchObject({ ExcludePunctuation: true });
    expect(generated('DataBootstrapAdminKey').PasswordLength).toBeGreaterThanOrEqual(32);
    expect(generated('DataRedisAuthToken')).toMatchObject({ ExcludePunctuation: true, PasswordLength: 64 });
    const excluded = generated('DataDatabaseCredentials').ExcludeCharacters as string;
    for (const c of ':/@?#%&+ ') expect(excluded).toContain(c);
    expect(resource(t, 'AWS::SecretsManager::Secret', 'DataBootstrapAdminKey').Properties.Name).toBe(
      'housing/dev/bootstrap-admin-key',
    );
  });

  test('DATABASE_URL and REDIS_URL are composed at deploy time from the generated secrets (no plaintext in the template)', () => {
    const url = JSON.stringify(
      resource(t, 'AWS::SecretsManager::Secret', 'DataDatabaseUrl').Properties.SecretString,
    );
    expect(url).toMatch(/^\{"Fn::Join":\["",\["postgres:\/\/\{\{resolve:secretsmanager:/);
    expect(url).toContain(':SecretString:password::}}@');
    expect(url).toContain('/housing?sslmode=verify-full');
    const redis = JSON.stringify(
      resource(t, 'AWS::SecretsManager::Secret', 'DataRedisUrl').Properties.SecretString,
    );
    expect(redis).toMatch(/^\{"Fn::Join":\["",\["rediss:\/\/:\{\{resolve:secretsmanager:/);
  });
});

describe('autoscaling', () => {
  const target = (service: string) =>
    resource(t, 'AWS::ApplicationAutoScaling::ScalableTarget', `Services${service}ServiceTaskCountTarget`);
  const policies = (service: string) =>
    resources(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .filter(([, p]) => p.Properties.ScalingTargetId.Ref === target(service).id)
      .map(([, p]) => p.Properties);

  test('api: between the desired and the maximum count, on CPU and on ALB requests per target', () => {
    expect(target('Api').Properties).toMatchObject({
      MinCapacity: DEFAULTS.apiDesiredCount,
      MaxCapacity: DEFAULTS.apiMaxCount,
    });
    const metrics = policies('Api').map(
      (p) => p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
    );
    expect(metrics.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    const requests = policies('Api').find(
      (p) => p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel,
    )!;
    expect(
      JSON.stringify(
        requests.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel,
      ),
    ).toContain(resource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ServicesApiTargets').id);
  });

  test(`worker: step scaling on ${METRIC_NAMESPACE}/${QUEUE_DEPTH_METRIC}`, () => {
    expect(target('Worker').Properties).toMatchObject({
      MinCapacity: DEFAULTS.workerDesiredCount,
      MaxCapacity: DEFAULTS.workerMaxCount,
    });
    const steps = policies('Worker');
    expect(steps.map((p) => p.PolicyType)).toEqual(['StepScaling', 'StepScaling']);
    const policyIds = resources(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .filter(([, p]) => p.Properties.ScalingTargetId.Ref === target('Worker').id)
      .map(([id]) => id);
    const alarms = resources(t, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) =>
        a.Properties.Namespace === METRIC_NAMESPACE && a.Properties.MetricName === QUEUE_DEPTH_METRIC,
    );
    expect(alarms).toHaveLength(2);
    expect(alarms.map(([, a]) => a.Properties.AlarmActions[0].Ref).sort()).toEqual(policyIds.sort());
    expect(alarms.map(([, a]) => a.Properties.Dimensions)).toEqual([undefined, undefined]);
    const upper = alarms.find(
      ([, a]) => a.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold',
    )!;
    expect(upper[1].Properties.Threshold).toBe(DEFAULTS.workerScaleOutQueueDepth);
  });

  test('dashboard: on CPU', () => {
    expect(
      policies('Dashboard').map(
        (p) => p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
      ),
    ).toEqual(['ECSServiceAverageCPUUtilization']);
  });
});

describe('alarms (to the SNS topic)', () => {
  const topic = () => ref(resource(t, 'AWS::SNS::Topic', 'MonitoringAlarmTopic').id);

  test('5xx rate at the load balancer (ELB + target 5xx over requests)', () => {
    const alarm = resource(t, 'AWS::CloudWatch::Alarm', 'MonitoringAlb5xxRate').Properties;
    expect(alarm.AlarmActions).toEqual([topic()]);
    expect(alarm.Threshold).toBe(DEFAULTS.alb5xxRatePercent);
    const names = (alarm.Metrics as { MetricStat?: { Metric: { MetricName: string; Namespace: string } } }[])
      .filter((m) => m.MetricStat)
      .map((m) => `${m.MetricStat!.Metric.Namespace}/${m.MetricStat!.Metric.MetricName}`);
    expect(names.sort()).toEqual([
      'AWS/ApplicationELB/HTTPCode_ELB_5XX_Count',
      'AWS/ApplicationELB/HTTPCode_Target_5XX_Count',
      'AWS/ApplicationELB/RequestCount',
    ]);
  });

  test('api p99 latency (TargetResponseTime p99 of the api target group)', () => {
    const alarm = resource(t, 'AWS::CloudWatch::Alarm', 'MonitoringApiLatencyP99').Properties;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Threshold: DEFAULTS.apiP99LatencySeconds,
    });
    expect(JSON.stringify(alarm.Dimensions)).toContain(
      resource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ServicesApiTargets').id,
    );
    expect(alarm.AlarmActions).toEqual([topic()]);
  });

  test(`failed batch jobs (${METRIC_NAMESPACE}/${FAILED_JOBS_METRIC})`, () => {
    const alarm = resource(t, 'AWS::CloudWatch::Alarm', 'MonitoringFailedBatchJobs').Properties;
    expect(alarm).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: FAILED_JOBS_METRIC,
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
    expect(alarm.AlarmActions).toEqual([topic()]);
  });

  test(`feature drift (${METRIC_NAMESPACE}/${FEATURE_DRIFT_METRIC}, the worst input's PSI for an hour)`, () => {
    const alarm = resource(t, 'AWS::CloudWatch::Alarm', 'MonitoringFeatureDrift').Properties;
    expect(alarm).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: FEATURE_DRIFT_METRIC,
      Statistic: 'Minimum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.25,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmActions).toEqual([topic()]);
  });

  test('the topic accepts TLS publishers only', () => {
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('least-privilege roles', () => {
  const policyOf = (rolePrefix: string) => {
    const role = resource(t, 'AWS::IAM::Role', rolePrefix).id;
    const policies = resources(t, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role),
    );
    return policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, Cfn>[]);
  };

  test.each(['ServicesApiTaskRole', 'ServicesWorkerTaskRole'])(
    '%s: the artifact bucket (and its key) and PutMetricData in the HousingPlatform namespace, nothing else',
    (role) => {
      const bucket = resource(t, 'AWS::S3::Bucket', 'DataArtifactBucket').id;
      const key = resource(t, 'AWS::KMS::Key', 'DataArtifactKey').id;
      const statements = policyOf(role).map((x) => ({
        sid: x.Sid,
        actions: [x.Action].flat().sort(),
        resource: x.Resource,
        condition: x.Condition,
      }));
      expect(statements).toEqual([
        {
          sid: 'ArtifactObjects',
          actions: [
            's3:AbortMultipartUpload',
            's3:DeleteObject',
            's3:GetObject',
            's3:ListMultipartUploadParts',
            's3:PutObject',
          ],
          resource: { 'Fn::Join': ['', [arn(bucket), '/*']] },
          condition: undefined,
        },
        {
          sid: 'ArtifactBucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket'],
          resource: arn(bucket),
          condition: undefined,
        },
        {
          sid: 'ArtifactKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resource: arn(key),
          condition: undefined,
        },
        {
          sid: 'Metrics',
          actions: ['cloudwatch:PutMetricData'],
          resource: '*',
          condition: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
        },
      ]);
    },
  );

  test('the dashboard task role has no permissions at all', () => {
    const dashboardRole = (
      resource(t, 'AWS::ECS::TaskDefinition', 'ServicesDashboardTask').Properties.TaskRoleArn as {
        'Fn::GetAtt': [string];
      }
    )['Fn::GetAtt'][0];
    const attached = resources(t, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === dashboardRole),
    );
    expect(attached).toEqual([]);
    expect(
      resources(t, 'AWS::IAM::Role').find(([id]) => id === dashboardRole)![1].Properties.ManagedPolicyArns,
    ).toBeUndefined();
  });

  test('the secrets are readable by the api, worker and training worker execution roles only (ECS injects them), each scoped to the three secrets', () => {
    const secretStatements = resources(t, 'AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as Record<string, Cfn>[])
        .filter((x) => [x.Action].flat().includes('secretsmanager:GetSecretValue'))
        .map((x) => ({ id, resource: x.Resource })),
    );
    const expected = ['DataBootstrapAdminKey', 'DataDatabaseUrl', 'DataRedisUrl'].map((p) =>
      ref(resource(t, 'AWS::SecretsManager::Secret', p).id),
    );
    expect(secretStatements.map((x) => x.id).sort()).toEqual([
      expect.stringMatching(/^ServicesApiTaskExecutionRoleDefaultPolicy/),
      expect.stringMatching(/^ServicesTrainingWorkerTaskExecutionRoleDefaultPolicy/),
      expect.stringMatching(/^ServicesWorkerTaskExecutionRoleDefaultPolicy/),
    ]);
    for (const statement of secretStatements) expect(statement.resource).toEqual(expected);
  });

  test('no managed policies and no wildcard actions anywhere', () => {
    for (const [id, role] of resources(t, 'AWS::IAM::Role').filter(
      ([id]) => !id.startsWith('CustomVpcRestrictDefaultSG'),
    )) {
      expect({ id, managed: role.Properties.ManagedPolicyArns }).toEqual({ id, managed: undefined });
    }
    for (const [id, policy] of resources(t, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Record<string, Cfn>[]) {
        for (const action of [statement.Action].flat())
          expect({ id, action }).toEqual({ id, action: expect.not.stringMatching(/^[a-z0-9-]+:\*$|^\*$/) });
      }
    }
  });
});

describe('cdk-nag (AWS Solutions checks)', () => {
  test.each(['platform', 'registry'] as const)('%s stack: no unacknowledged error or warning', (which) => {
    const annotations = Annotations.fromStack(s[which]);
    const format = (xs: { id: string; entry: { data?: unknown } }[]) =>
      xs.map((x) => `${x.id}: ${String(x.entry.data).slice(0, 160)}`);
    expect(format(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
    expect(format(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
  });

  test('the acknowledged findings are exactly the reviewed list (lib/nag.ts), each with a specific reason', () => {
    const acknowledged: string[] = [];
    for (const template of [t, s.registryTemplate]) {
      for (const [id, r] of Object.entries(
        template.toJSON().Resources as Record<
          string,
          {
            Metadata?: {
              cdk_nag?: { rules_to_suppress: { id: string; reason: string; applies_to?: string[] }[] };
            };
          }
        >,
      )) {
        for (const rule of r.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
          expect({ id, rule: rule.id, reasonLength: rule.reason.length >= 80 }).toEqual({
            id,
            rule: rule.id,
            reasonLength: true,
          });
          acknowledged.push(
            `${id.replace(/[0-9A-F]{8}$/, '')} ${rule.id}${rule.applies_to ? ` ${rule.applies_to.join(',')}` : ''}`,
          );
        }
      }
    }
    expect(acknowledged.sort()).toEqual(
      [
        'DataBootstrapAdminKey AwsSolutions-SMG4',
        'DataDatabase AwsSolutions-RDS11',
        'DataDatabaseCredentials AwsSolutions-SMG4',
        'DataDatabaseUrl AwsSolutions-SMG4',
        'DataRedis AwsSolutions-AEC5',
        'DataRedisAuthToken AwsSolutions-SMG4',
        'DataRedisUrl AwsSolutions-SMG4',
        'ServicesApiTask AwsSolutions-ECS2',
        'ServicesApiTaskExecutionRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        'ServicesApiTaskRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        `ServicesApiTaskRoleDefaultPolicy AwsSolutions-IAM5 Resource::<${resource(t, 'AWS::S3::Bucket', 'DataArtifactBucket').id}.Arn>/*`,
        'ServicesDashboardTaskExecutionRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        'ServicesLoadBalancerSecurityGroup AwsSolutions-EC23',
        'ServicesTrainingWorkerTask AwsSolutions-ECS2',
        'ServicesTrainingWorkerTaskExecutionRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        'ServicesTrainingWorkerTaskRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        `ServicesTrainingWorkerTaskRoleDefaultPolicy AwsSolutions-IAM5 Resource::<${resource(t, 'AWS::S3::Bucket', 'DataArtifactBucket').id}.Arn>/*`,
        'ServicesWorkerTask AwsSolutions-ECS2',
        'ServicesWorkerTaskExecutionRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        'ServicesWorkerTaskRoleDefaultPolicy AwsSolutions-IAM5 Resource::*',
        `ServicesWorkerTaskRoleDefaultPolicy AwsSolutions-IAM5 Resource::<${resource(t, 'AWS::S3::Bucket', 'DataArtifactBucket').id}.Arn>/*`,
      ].sort(),
    );
  });
});
