import { CfnResource, type CfnElement } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { PlatformStack } from './platform-stack';

/**
 * Every cdk-nag (AWS Solutions) finding this app accepts, each with the reason it is accepted. Kept in
 * one place so a reviewer reads them together; test/platform.test.ts pins the exact list, so a new
 * acknowledgment is a deliberate change to both files.
 */
export function acknowledgePlatformFindings(stack: PlatformStack): void {
  const { data, services } = stack;
  // Each acknowledgment lands on the one CloudFormation resource the finding is about (no applyToChildren).
  const ack = (construct: IConstruct, id: string, reason: string, appliesTo?: string[]): void =>
    NagSuppressions.addResourceSuppressions(cfnResource(construct), [
      { id, reason, ...(appliesTo && { appliesTo }) },
    ]);
  /** A role's inline policy (where IAM findings are reported). */
  const policyOf = (role: iam.IRole): IConstruct => role.node.findChild('DefaultPolicy');

  // ---- Secrets without scheduled rotation
  ack(
    data.databaseCredentials,
    'AwsSolutions-SMG4',
    'The api and worker read one DATABASE_URL when they start (backend/src/config/config.ts), composed from this secret at deploy time: ' +
      'a scheduled rotation would change the RDS password without updating DATABASE_URL or the running tasks, and break every connection. ' +
      'Rotation is a redeploy with a new password until the backend can re-read credentials.',
  );
  ack(
    data.databaseUrl,
    'AwsSolutions-SMG4',
    'Derived value: DATABASE_URL is composed at deploy time from the RDS credentials secret and changes only with it (see that secret).',
  );
  ack(
    data.redisAuthToken,
    'AwsSolutions-SMG4',
    'ElastiCache AUTH token rotation needs a replication-group update (AuthTokenUpdateStrategy ROTATE then SET) and every client reconnecting ' +
      'with the new REDIS_URL, which is composed from this token at deploy time; it is rotated by a redeploy, not on a schedule.',
  );
  ack(
    data.redisUrl,
    'AwsSolutions-SMG4',
    'Derived value: REDIS_URL is composed at deploy time from the ElastiCache AUTH token secret and changes only with it (see that secret).',
  );
  ack(
    data.bootstrapAdminKey,
    'AwsSolutions-SMG4',
    'Read once: on first start the API stores this key hashed as the bootstrap admin key and ignores it while another admin key exists, so ' +
      'rotating the secret would not rotate any stored key. Admin keys are created, expired and revoked through /v1/keys instead.',
  );

  // ---- Default ports of the data stores
  ack(
    data.database,
    'AwsSolutions-RDS11',
    'PostgreSQL is in isolated subnets and accepts connections only from the api and worker security groups, over TLS (rds.force_ssl=1) ' +
      'with a generated password; a non-standard port hides nothing from clients that cannot reach it, and DATABASE_URL carries the port.',
  );
  ack(
    data.redis,
    'AwsSolutions-AEC5',
    'Redis is in isolated subnets and accepts connections only from the api and worker security groups, with TLS and an AUTH token; ' +
      'a non-standard port hides nothing from clients that cannot reach it, and REDIS_URL carries the port.',
  );

  // ---- Choices a disposable environment makes through context (not taken by default)
  if (!stack.config.deletionProtection) {
    ack(
      data.database,
      'AwsSolutions-RDS10',
      'Context deletionProtection=false: a disposable environment (review, CI, sandbox) that must be deletable with the stack; ' +
        'production keeps the default (true), and deletion still leaves a final snapshot (removal policy SNAPSHOT).',
    );
  }
  if (!stack.config.dbMultiAz) {
    ack(
      data.database,
      'AwsSolutions-RDS3',
      'Context dbMultiAz=false: a single-AZ database for a non-production environment, to halve its cost; production keeps the ' +
        'default (Multi-AZ with automatic failover), and backups still allow point-in-time recovery.',
    );
  }

  // ---- The public entry point
  ack(
    services.loadBalancer.connections.securityGroups[0]!,
    'AwsSolutions-EC23',
    'The internet-facing load balancer is the platform entry point (dashboard, API for API-key holders); its security group opens only ' +
      'the listener port(s) (443 and the 80 redirect with a certificate, else 80) and only to the ingressCidr context value.',
  );

  // ---- IAM wildcards that cannot be narrowed further
  for (const role of [services.apiTaskRole, services.workerTaskRole, services.trainingWorkerTaskRole]) {
    ack(
      policyOf(role),
      'AwsSolutions-IAM5',
      'The artifact store writes keys it derives at run time (model packages, batch inputs and outputs), so object access is granted on ' +
        "this one bucket's objects (<bucket ARN>/*) with listed actions only (Get/Put/DeleteObject, multipart upload cleanup).",
      [`Resource::<${stack.getLogicalId(data.artifactBucket.node.defaultChild as CfnElement)}.Arn>/*`],
    );
    ack(
      policyOf(role),
      'AwsSolutions-IAM5',
      'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the HousingPlatform namespace by the ' +
        'cloudwatch:namespace condition (BatchQueueDepth, BatchJobsFailed, FeatureDriftMaxPsi, TrainingQueueDepth, TrainingRunsFailed).',
      ['Resource::*'],
    );
  }
  for (const service of [services.api, services.worker, services.trainingWorker, services.dashboard]) {
    ack(
      policyOf(service.taskDefinition.obtainExecutionRole()),
      'AwsSolutions-IAM5',
      "ecr:GetAuthorizationToken has no resource-level permissions (the token is per registry); the execution role's image pulls are " +
        "limited to the service's own repository ARN, its logs to the service's log group and its secrets to the named secrets.",
      ['Resource::*'],
    );
  }

  // ---- Plain environment variables
  for (const service of [services.api, services.worker, services.trainingWorker]) {
    ack(
      service.taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret settings are plain environment variables (ARTIFACT_STORE bucket name, S3_REGION/AWS_REGION, LOG_LEVEL, PORT/HOST, ' +
        'BATCH_METRICS_CLOUDWATCH, TRAINING_METRICS_CLOUDWATCH, TRAINING_NICE); ' +
        'DATABASE_URL, REDIS_URL and BOOTSTRAP_ADMIN_KEY come from Secrets Manager through the execution role.',
    );
  }
}

/** The CloudFormation resource a construct stands for (itself, or its default child). */
function cfnResource(construct: IConstruct): CfnResource {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource))
    throw new Error(`${construct.node.path} has no CloudFormation resource to acknowledge a finding on`);
  return resource;
}
