import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type { PlatformConfig } from './config';
import {
  API_PATH_PATTERNS,
  PRIVATE_PATH_PATTERNS,
  API_PORT,
  DASHBOARD_PORT,
  METRIC_NAMESPACE,
  QUEUE_DEPTH_METRIC,
  TRAINING_QUEUE_DEPTH_METRIC,
} from './constants';
import type { DataStores } from './data';

export interface ServicesProps {
  config: PlatformConfig;
  vpc: ec2.IVpc;
  data: DataStores;
}

/** The api image's health probe (docker/healthcheck.js, the same one its Dockerfile's HEALTHCHECK runs). */
const API_HEALTH_COMMAND = ['CMD', 'node', 'docker/healthcheck.js'];

/**
 * The ECS cluster, the internet-facing load balancer and the three Fargate services: api (HTTP, behind
 * the load balancer for /v1, /docs, /health and /metrics), worker (same image, BullMQ batch workers, no
 * HTTP), training worker (the trainer image, the `training` queue: training never shares a task with
 * batch scoring or the API) and dashboard (nginx serving the SPA, the load balancer's default route).
 *
 * Training runs on its own ECS service scaled on the training queue's depth, not on one-off tasks: the
 * queue, the attempt runner, stall recovery and SIGTERM hand-back are the same as batch (no second
 * dispatch path, no ecs:RunTask or iam:PassRole in the API's role), a run starts without a task's cold
 * start when one is idle, and the service scales in only when no run is waiting or training (the depth
 * counts active runs), so a scale-in never interrupts a training. The price: one small idle task.
 */
export class Services extends Construct {
  readonly cluster: ecs.Cluster;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly apiTargetGroup: elbv2.ApplicationTargetGroup;
  readonly dashboardTargetGroup: elbv2.ApplicationTargetGroup;
  readonly api: ecs.FargateService;
  readonly worker: ecs.FargateService;
  readonly trainingWorker: ecs.FargateService;
  readonly dashboard: ecs.FargateService;
  readonly apiTaskRole: iam.Role;
  readonly workerTaskRole: iam.Role;
  readonly trainingWorkerTaskRole: iam.Role;
  readonly logGroups: Record<'api' | 'worker' | 'training-worker' | 'dashboard', logs.LogGroup>;

  constructor(scope: Construct, id: string, { config, vpc, data }: ServicesProps) {
    super(scope, id);
    const prefix = `housing-${config.envName}`;
    const appSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const logRemoval = config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: prefix,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    // ---- Security groups: load balancer -> api/dashboard; api/worker -> PostgreSQL/Redis (DataStores)
    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: `${prefix} load balancer: HTTP(S) from ${config.ingressCidr}`,
      allowAllOutbound: false,
    });
    const listenerPort = config.certificateArn ? 443 : 80;
    albSecurityGroup.addIngressRule(ec2.Peer.ipv4(config.ingressCidr), ec2.Port.tcp(listenerPort), 'Clients');
    if (config.certificateArn)
      albSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(config.ingressCidr),
        ec2.Port.tcp(80),
        'Clients (redirected to HTTPS)',
      );
    const apiSecurityGroup = new ec2.SecurityGroup(this, 'ApiSecurityGroup', {
      vpc,
      description: `${prefix} api tasks`,
    });
    const workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc,
      description: `${prefix} worker tasks (no inbound)`,
    });
    const dashboardSecurityGroup = new ec2.SecurityGroup(this, 'DashboardSecurityGroup', {
      vpc,
      description: `${prefix} dashboard tasks`,
    });
    const trainingWorkerSecurityGroup = new ec2.SecurityGroup(this, 'TrainingWorkerSecurityGroup', {
      vpc,
      description: `${prefix} training worker tasks (no inbound)`,
    });
    data.allowClients(apiSecurityGroup, workerSecurityGroup, trainingWorkerSecurityGroup);

    // ---- Load balancer
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      http2Enabled: true,
    });
    this.loadBalancer.logAccessLogs(data.logBucket, 'load-balancer');

    this.apiTargetGroup = new elbv2.ApplicationTargetGroup(this, 'ApiTargets', {
      vpc,
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: config.apiHealthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    this.dashboardTargetGroup = new elbv2.ApplicationTargetGroup(this, 'DashboardTargets', {
      vpc,
      port: DASHBOARD_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(15),
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
      },
    });

    const toDashboard = elbv2.ListenerAction.forward([this.dashboardTargetGroup]);
    if (config.certificateArn) {
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(config.certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultAction: toDashboard,
      });
      this.loadBalancer.addListener('HttpRedirect', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    } else {
      this.listener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: toDashboard,
      });
    }
    this.listener.addAction('Private', {
      priority: 5,
      conditions: [elbv2.ListenerCondition.pathPatterns(PRIVATE_PATH_PATTERNS)],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'not found',
      }),
    });
    this.listener.addAction('Api', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(API_PATH_PATTERNS)],
      action: elbv2.ListenerAction.forward([this.apiTargetGroup]),
    });

    // ---- Logs
    const logGroup = (name: string): logs.LogGroup =>
      new logs.LogGroup(this, `${name[0].toUpperCase()}${name.slice(1)}Logs`, {
        logGroupName: `/housing/${config.envName}/${name}`,
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: logRemoval,
      });
    this.logGroups = {
      api: logGroup('api'),
      worker: logGroup('worker'),
      'training-worker': logGroup('training-worker'),
      dashboard: logGroup('dashboard'),
    };
    const logging = (service: 'api' | 'worker' | 'training-worker' | 'dashboard'): ecs.LogDriver =>
      ecs.LogDrivers.awsLogs({
        logGroup: this.logGroups[service],
        streamPrefix: service,
        // A slow CloudWatch never blocks the application's stdout; the buffer absorbs bursts.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      });

    // ---- Images (ECR repositories of the registry stack, looked up by name; tags are immutable)
    const repository = (id: string, name: string) => ecr.Repository.fromRepositoryName(this, id, name);
    const apiImage = ecs.ContainerImage.fromEcrRepository(
      repository('ApiRepository', config.repositoryNames.api),
      config.apiImageTag,
    );
    const trainerImage = ecs.ContainerImage.fromEcrRepository(
      repository('TrainerRepository', config.repositoryNames.trainer),
      config.trainerImageTag,
    );
    const dashboardImage = ecs.ContainerImage.fromEcrRepository(
      repository('DashboardRepository', config.repositoryNames.dashboard),
      config.dashboardImageTag,
    );

    // ---- api and worker: the same image, the same configuration (the README's variables), two commands
    const region = Stack.of(this).region;
    const environment: Record<string, string> = {
      ARTIFACT_STORE: `s3://${data.artifactBucket.bucketName}`,
      S3_REGION: region,
      AWS_REGION: region,
      LOG_LEVEL: 'info',
    };
    const secrets: Record<string, ecs.Secret> = {
      DATABASE_URL: ecs.Secret.fromSecretsManager(data.databaseUrl),
      REDIS_URL: ecs.Secret.fromSecretsManager(data.redisUrl),
      BOOTSTRAP_ADMIN_KEY: ecs.Secret.fromSecretsManager(data.bootstrapAdminKey),
    };
    this.apiTaskRole = this.applicationRole(
      'ApiTaskRole',
      `${prefix} api: the artifact bucket and its metrics namespace`,
      data,
    );
    this.workerTaskRole = this.applicationRole(
      'WorkerTaskRole',
      `${prefix} worker: the artifact bucket and its metrics namespace`,
      data,
    );

    const apiTask = this.taskDefinition('ApiTask', `${prefix}-api`, 1024, 2048, this.apiTaskRole);
    const apiContainer = apiTask.addContainer('api', {
      image: apiImage,
      essential: true,
      environment: { ...environment, PORT: String(API_PORT), HOST: '0.0.0.0' },
      secrets,
      portMappings: [{ containerPort: API_PORT, name: 'http' }],
      logging: logging('api'),
      healthCheck: {
        command: API_HEALTH_COMMAND,
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      readonlyRootFilesystem: true,
      linuxParameters: new ecs.LinuxParameters(this, 'ApiLinux', { initProcessEnabled: true }),
      stopTimeout: Duration.seconds(30),
    });
    this.writableTmp(apiTask, apiContainer);

    const workerTask = this.taskDefinition('WorkerTask', `${prefix}-worker`, 1024, 2048, this.workerTaskRole);
    const workerContainer = workerTask.addContainer('worker', {
      image: apiImage,
      essential: true,
      command: ['node', 'backend/dist/worker.js'],
      // The worker reports the queue depth to CloudWatch (HousingPlatform/BatchQueueDepth), which scales it.
      environment: { ...environment, BATCH_METRICS_CLOUDWATCH: '1' },
      secrets,
      logging: logging('worker'),
      readonlyRootFilesystem: true,
      linuxParameters: new ecs.LinuxParameters(this, 'WorkerLinux', { initProcessEnabled: true }),
      // A batch chunk in flight gets time to finish (the worker stops taking jobs on SIGTERM).
      stopTimeout: Duration.seconds(120),
    });
    this.writableTmp(workerTask, workerContainer);

    // The training worker: the trainer image (Node + the Python trainer), its own entry point. 2 vCPU:
    // the trainer child (nice 10) uses both; the worker's event loop stays responsive beside it.
    this.trainingWorkerTaskRole = this.applicationRole(
      'TrainingWorkerTaskRole',
      `${prefix} training worker: the artifact bucket and its metrics namespace`,
      data,
    );
    const trainingTask = this.taskDefinition(
      'TrainingWorkerTask',
      `${prefix}-training-worker`,
      2048,
      8192,
      this.trainingWorkerTaskRole,
    );
    const trainingContainer = trainingTask.addContainer('training-worker', {
      image: trainerImage,
      essential: true,
      entryPoint: ['node', 'backend/dist/training-worker.js'],
      command: [],
      // It reports the training queue's depth to CloudWatch (HousingPlatform/TrainingQueueDepth), which scales it.
      environment: { ...environment, TRAINING_METRICS_CLOUDWATCH: '1', TRAINING_NICE: '10' },
      secrets,
      logging: logging('training-worker'),
      readonlyRootFilesystem: true,
      linuxParameters: new ecs.LinuxParameters(this, 'TrainingWorkerLinux', { initProcessEnabled: true }),
      // SIGTERM stops the trainer (TRAINING_KILL_GRACE_MS) and hands the run back to the queue.
      stopTimeout: Duration.seconds(60),
    });
    this.writableTmp(trainingTask, trainingContainer);

    // The dashboard's task role has no policy: nginx serving files needs no AWS API.
    const dashboardTask = this.taskDefinition('DashboardTask', `${prefix}-dashboard`, 256, 512);
    const dashboardContainer = dashboardTask.addContainer('dashboard', {
      image: dashboardImage,
      essential: true,
      portMappings: [{ containerPort: DASHBOARD_PORT, name: 'http' }],
      logging: logging('dashboard'),
      healthCheck: {
        command: ['CMD-SHELL', `wget -q -O /dev/null http://127.0.0.1:${DASHBOARD_PORT}/healthz || exit 1`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      readonlyRootFilesystem: true,
    });
    this.writableTmp(dashboardTask, dashboardContainer);

    // ---- Services
    const service = (
      id: string,
      taskDefinition: ecs.FargateTaskDefinition,
      desiredCount: number,
      securityGroup: ec2.SecurityGroup,
      extra: Partial<ecs.FargateServiceProps> = {},
    ) =>
      new ecs.FargateService(this, id, {
        cluster: this.cluster,
        taskDefinition,
        desiredCount,
        securityGroups: [securityGroup],
        vpcSubnets: appSubnets,
        assignPublicIp: false,
        platformVersion: ecs.FargatePlatformVersion.LATEST,
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        circuitBreaker: { enable: true, rollback: true },
        enableECSManagedTags: true,
        propagateTags: ecs.PropagatedTagSource.SERVICE,
        ...extra,
      });
    this.api = service('ApiService', apiTask, config.apiDesiredCount, apiSecurityGroup, {
      healthCheckGracePeriod: Duration.seconds(config.apiHealthCheckGraceSeconds),
    });
    this.api.attachToApplicationTargetGroup(this.apiTargetGroup);
    this.worker = service('WorkerService', workerTask, config.workerDesiredCount, workerSecurityGroup);
    this.trainingWorker = service(
      'TrainingWorkerService',
      trainingTask,
      config.trainingWorkerDesiredCount,
      trainingWorkerSecurityGroup,
    );
    this.dashboard = service(
      'DashboardService',
      dashboardTask,
      config.dashboardDesiredCount,
      dashboardSecurityGroup,
      {
        healthCheckGracePeriod: Duration.seconds(30),
      },
    );
    this.dashboard.attachToApplicationTargetGroup(this.dashboardTargetGroup);

    // ---- Autoscaling
    const apiScaling = this.api.autoScaleTaskCount({
      minCapacity: config.apiDesiredCount,
      maxCapacity: config.apiMaxCount,
    });
    apiScaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    apiScaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: 1000,
      targetGroup: this.apiTargetGroup,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });

    const depth = config.workerScaleOutQueueDepth;
    const workerScaling = this.worker.autoScaleTaskCount({
      minCapacity: config.workerDesiredCount,
      maxCapacity: config.workerMaxCount,
    });
    workerScaling.scaleOnMetric('QueueDepth', {
      metric: new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: QUEUE_DEPTH_METRIC,
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(2),
      // Empty queue: one task fewer per cooldown, down to the minimum; deeper queues add more at once.
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: depth, change: +1 },
        { lower: depth * 5, change: +3 },
        { lower: depth * 20, change: +5 },
      ],
    });
    // Training: one task per run waiting or training (each takes TRAINING_CONCURRENCY=1), in at zero depth only.
    const trainingScaling = this.trainingWorker.autoScaleTaskCount({
      minCapacity: config.trainingWorkerDesiredCount,
      maxCapacity: config.trainingWorkerMaxCount,
    });
    trainingScaling.scaleOnMetric('QueueDepth', {
      metric: new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: TRAINING_QUEUE_DEPTH_METRIC,
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(3),
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 2, change: +1 },
        { lower: 4, change: +2 },
      ],
    });
    const dashboardScaling = this.dashboard.autoScaleTaskCount({
      minCapacity: config.dashboardDesiredCount,
      maxCapacity: config.dashboardMaxCount,
    });
    dashboardScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });
  }

  /**
   * Task role of the api and worker: read/write objects in the artifact bucket (and use its key), publish
   * metrics to the HousingPlatform namespace only. The secrets reach the container as environment
   * variables through the execution role, so this role cannot read them.
   */
  private applicationRole(id: string, description: string, data: DataStores): iam.Role {
    const role = new iam.Role(this, id, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ArtifactObjects',
        actions: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        resources: [data.artifactBucket.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ArtifactBucket',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [data.artifactBucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ArtifactKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [data.artifactKey.keyArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'Metrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
      }),
    );
    return role;
  }

  private taskDefinition(
    id: string,
    family: string,
    cpu: number,
    memoryLimitMiB: number,
    taskRole?: iam.IRole,
  ): ecs.FargateTaskDefinition {
    return new ecs.FargateTaskDefinition(this, id, {
      family,
      cpu,
      memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      ...(taskRole && { taskRole }),
    });
  }

  /** Read-only root filesystem, with a task-local writable /tmp (uploads, batch chunks, nginx temp files). */
  private writableTmp(task: ecs.FargateTaskDefinition, container: ecs.ContainerDefinition): void {
    task.addVolume({ name: 'tmp' });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
  }
}
