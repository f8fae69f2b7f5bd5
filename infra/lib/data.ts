import { Duration, Fn, RemovalPolicy, SecretValue, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PlatformConfig } from './config';
import { DATABASE_NAME, DATABASE_USER } from './constants';

/**
 * Characters left out of the generated database password: the RDS defaults plus those that are not
 * unreserved in a URL, so the password goes into DATABASE_URL as it is.
 */
const URL_UNSAFE_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\^=,';

export interface DataStoresProps {
  config: PlatformConfig;
  vpc: ec2.IVpc;
}

/**
 * Where state lives: the artifact bucket (model packages, batch inputs and outputs), PostgreSQL (model
 * registry, API keys, batch job rows), Redis (BullMQ queues, model-change pub/sub), and the secrets the
 * api and worker get as environment variables: DATABASE_URL, REDIS_URL and BOOTSTRAP_ADMIN_KEY.
 */
export class DataStores extends Construct {
  readonly logBucket: s3.Bucket;
  readonly artifactKey: kms.Key;
  readonly artifactBucket: s3.Bucket;
  readonly databaseCredentials: rds.DatabaseSecret;
  readonly database: rds.DatabaseInstance;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** DATABASE_URL (postgres://user:password@host:port/db?sslmode=verify-full), composed at deploy time. */
  readonly databaseUrl: secretsmanager.Secret;
  readonly redisAuthToken: secretsmanager.Secret;
  readonly redis: elasticache.CfnReplicationGroup;
  readonly redisSecurityGroup: ec2.SecurityGroup;
  /** REDIS_URL (rediss://:token@primary-endpoint:port), composed at deploy time. */
  readonly redisUrl: secretsmanager.Secret;
  readonly bootstrapAdminKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, { config, vpc }: DataStoresProps) {
    super(scope, id);
    const prefix = `housing-${config.envName}`;
    const secretPrefix = `housing/${config.envName}`;
    const dataSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    // ---- S3: access logs (the load balancer's too; SSE-S3 because ELB cannot write with KMS) and artifacts
    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: `${prefix}: encrypts the artifact bucket (model packages, batch files)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.artifactKey,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'artifact-bucket/',
      lifecycleRules: [
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- PostgreSQL
    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: `${prefix} PostgreSQL: reachable from the api and worker tasks only`,
      allowAllOutbound: false,
    });
    this.databaseCredentials = new rds.DatabaseSecret(this, 'DatabaseCredentials', {
      username: DATABASE_USER,
      secretName: `${secretPrefix}/database-credentials`,
      excludeCharacters: URL_UNSAFE_CHARACTERS,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'DatabaseParameters', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      description: `${prefix}: TLS required for every connection`,
      parameters: { 'rds.force_ssl': '1' },
    });
    const instanceIdentifier = `${prefix}-postgres`;
    // Created here (rather than by RDS on first export) so that it has a retention period.
    const databaseLogs = new logs.LogGroup(this, 'DatabaseLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.database = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: new ec2.InstanceType(config.dbInstanceType),
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [this.databaseSecurityGroup],
      publiclyAccessible: false,
      credentials: rds.Credentials.fromSecret(this.databaseCredentials),
      databaseName: DATABASE_NAME,
      parameterGroup,
      multiAz: config.dbMultiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: config.dbAllocatedStorageGiB,
      maxAllocatedStorage: config.dbAllocatedStorageGiB * 5,
      storageEncrypted: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      backupRetention: Duration.days(config.dbBackupRetentionDays),
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: config.deletionProtection,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
    });
    this.database.node.addDependency(databaseLogs);

    // The code reads one DATABASE_URL. CloudFormation resolves the {{resolve:secretsmanager:…}}
    // references when it creates this secret, so the password never appears in the template.
    this.databaseUrl = new secretsmanager.Secret(this, 'DatabaseUrl', {
      secretName: `${secretPrefix}/database-url`,
      description: `${prefix}: DATABASE_URL of the api and worker (from ${secretPrefix}/database-credentials)`,
      secretStringValue: SecretValue.unsafePlainText(
        Fn.join('', [
          'postgres://',
          this.databaseCredentials.secretValueFromJson('username').unsafeUnwrap(),
          ':',
          this.databaseCredentials.secretValueFromJson('password').unsafeUnwrap(),
          '@',
          this.database.dbInstanceEndpointAddress,
          ':',
          this.database.dbInstanceEndpointPort,
          `/${DATABASE_NAME}?sslmode=verify-full`,
        ]),
      ),
    });

    // ---- Redis (ElastiCache): TLS, AUTH token, two nodes in two AZs with automatic failover
    this.redisSecurityGroup = new ec2.SecurityGroup(this, 'RedisSecurityGroup', {
      vpc,
      description: `${prefix} Redis: reachable from the api and worker tasks only`,
      allowAllOutbound: false,
    });
    this.redisAuthToken = new secretsmanager.Secret(this, 'RedisAuthToken', {
      secretName: `${secretPrefix}/redis-auth-token`,
      description: `${prefix}: ElastiCache AUTH token`,
      // ElastiCache accepts 16-128 printable characters without @, " and /; letters and digits also keep REDIS_URL valid.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    const redisSubnets = new elasticache.CfnSubnetGroup(this, 'RedisSubnets', {
      description: `${prefix} Redis: data subnets`,
      subnetIds: vpc.selectSubnets(dataSubnets).subnetIds,
      cacheSubnetGroupName: `${prefix}-redis`,
    });
    // BullMQ needs keys never to be evicted (the default policy, volatile-lru, can drop queued jobs).
    const redisParameters = new elasticache.CfnParameterGroup(this, 'RedisParameters', {
      cacheParameterGroupFamily: 'redis7',
      description: `${prefix} Redis: noeviction for BullMQ`,
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const redisLogs = new logs.LogGroup(this, 'RedisSlowLog', {
      logGroupName: `/housing/${config.envName}/redis-slow-log`,
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.redis = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: `${prefix}: BullMQ batch queues and model-change pub/sub`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: config.redisNodeType,
      cacheParameterGroupName: redisParameters.ref,
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      cacheSubnetGroupName: redisSubnets.ref,
      securityGroupIds: [this.redisSecurityGroup.securityGroupId],
      port: 6379,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: this.redisAuthToken.secretValue.unsafeUnwrap(),
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: 3,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          logFormat: 'json',
          logType: 'slow-log',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: redisLogs.logGroupName } },
        },
      ],
    });
    this.redisUrl = new secretsmanager.Secret(this, 'RedisUrl', {
      secretName: `${secretPrefix}/redis-url`,
      description: `${prefix}: REDIS_URL of the api and worker (TLS, AUTH token from ${secretPrefix}/redis-auth-token)`,
      secretStringValue: SecretValue.unsafePlainText(
        Fn.join('', [
          'rediss://:',
          this.redisAuthToken.secretValue.unsafeUnwrap(),
          '@',
          this.redis.attrPrimaryEndPointAddress,
          ':',
          Token.asString(this.redis.attrPrimaryEndPointPort),
        ]),
      ),
    });

    // ---- The first admin API key (the API stores it hashed on start; at least 32 characters)
    this.bootstrapAdminKey = new secretsmanager.Secret(this, 'BootstrapAdminKey', {
      secretName: `${secretPrefix}/bootstrap-admin-key`,
      description: `${prefix}: BOOTSTRAP_ADMIN_KEY, the first admin API key`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
  }

  /** Lets the given security groups (the api's and the worker's) reach PostgreSQL and Redis. */
  allowClients(...clients: ec2.ISecurityGroup[]): void {
    for (const client of clients) {
      this.database.connections.allowDefaultPortFrom(client, 'PostgreSQL from the application tasks');
      this.redisSecurityGroup.addIngressRule(
        client,
        ec2.Port.tcp(6379),
        'Redis (TLS) from the application tasks',
      );
    }
  }
}
