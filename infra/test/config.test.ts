/**
 * Context parsing (lib/config.ts) and a non-default environment: HTTPS with a certificate, a disposable
 * database (no deletion protection, single-AZ), one NAT gateway, other counts and tags.
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { DEFAULTS, readConfig } from '../lib/config';
import { cdkJsonContext, resource, resources, synthesize, type Cfn, type Synthesized } from './support/synth';

const configOf = (context: Record<string, unknown>) => readConfig(new App({ context }).node);

describe('context', () => {
  test('every key has a default: no context gives the defaults', () => {
    expect(configOf({})).toEqual(DEFAULTS);
  });

  test('cdk.json carries only feature flags, so the defaults (and -c flags) decide the environment', () => {
    const keys = Object.keys(cdkJsonContext());
    expect(keys.filter((k) => !k.startsWith('@aws-cdk'))).toEqual([]);
  });

  test('values from `-c key=value` arrive as strings and are converted', () => {
    const config = configOf({
      apiDesiredCount: '3',
      apiMaxCount: '12',
      deletionProtection: 'false',
      alb5xxRatePercent: '2.5',
      imageTag: 'a1b2c3d',
    });
    expect(config).toMatchObject({
      apiDesiredCount: 3,
      apiMaxCount: 12,
      deletionProtection: false,
      alb5xxRatePercent: 2.5,
      apiImageTag: 'a1b2c3d',
      dashboardImageTag: 'a1b2c3d',
    });
    expect(configOf({ imageTag: 'a1', dashboardImageTag: 'b2' })).toMatchObject({
      apiImageTag: 'a1',
      dashboardImageTag: 'b2',
    });
  });

  test.each([
    [{ envName: 'Prod!' }, /context envName: must be lower-case/],
    [{ region: 'mars-1' }, /context region: not an AWS region/],
    [{ imageTag: 'latest' }, /context apiImageTag: "latest" is not allowed/],
    [{ apiDesiredCount: 'two' }, /context apiDesiredCount: must be an integer from 1 to 100, got "two"/],
    [{ apiDesiredCount: 5, apiMaxCount: 4 }, /context apiMaxCount: must be an integer from 5 to 100/],
    [{ natGateways: 3 }, /context natGateways: must be an integer from 1 to 2/],
    [{ logRetentionDays: 10 }, /context logRetentionDays: CloudWatch accepts/],
    [{ deletionProtection: 'yes' }, /context deletionProtection: must be true or false/],
    [{ certificateArn: 'my-cert' }, /context certificateArn: must be an ACM certificate ARN/],
    [{ ingressCidr: 'anywhere' }, /context ingressCidr: not an IPv4 CIDR/],
    [{ alarmEmail: 'ops' }, /context alarmEmail: not an e-mail address/],
  ])('rejects %j, naming the key', (context, message) => {
    expect(() => configOf(context)).toThrow(message);
  });
});

describe('a disposable HTTPS environment (certificate, no deletion protection, single-AZ database, one NAT gateway)', () => {
  const certificateArn =
    'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-aaaa-bbbb-cccc-123456789abc';
  let s: Synthesized;
  let t: Template;
  beforeAll(() => {
    s = synthesize({
      envName: 'review-42',
      region: 'eu-west-1',
      certificateArn,
      deletionProtection: 'false',
      dbMultiAz: 'false',
      natGateways: '1',
      imageTag: '3f2a9c1',
      apiDesiredCount: '1',
      alarmEmail: 'ops@example.com',
      ingressCidr: '203.0.113.0/24',
    });
    t = s.platformTemplate;
  });

  test('named after the environment, in its region', () => {
    expect(s.platform.stackName).toBe('HousingPlatform-review-42');
    expect(s.platform.region).toBe('eu-west-1');
    expect(s.platform.terminationProtection).toBe(false);
    t.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'housing-review-42' });
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    const [api] = resource(t, 'AWS::ECS::TaskDefinition', 'ServicesApiTask').Properties
      .ContainerDefinitions as Record<string, Cfn>[];
    expect(JSON.stringify(api!.Image)).toContain('/housing/api:3f2a9c1');
    expect(api!.Environment).toContainEqual({ Name: 'S3_REGION', Value: 'eu-west-1' });
  });

  test('HTTPS on 443 with the certificate and a modern TLS policy; port 80 redirects to it', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
      SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13'),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    // the API rule sits on the HTTPS listener
    const https = resources(t, 'AWS::ElasticLoadBalancingV2::Listener').find(
      ([, l]) => l.Properties.Port === 443,
    )![0];
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: { Ref: https } });
    const ingress = resource(t, 'AWS::EC2::SecurityGroup', 'ServicesLoadBalancerSecurityGroup').Properties
      .SecurityGroupIngress as Record<string, unknown>[];
    expect(ingress.map((i) => [i.CidrIp, i.FromPort])).toEqual([
      ['203.0.113.0/24', 443],
      ['203.0.113.0/24', 80],
    ]);
  });

  test('the database is deletable and single-AZ, still encrypted and snapshotted on deletion', () => {
    t.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DeletionProtection: false, MultiAZ: false, StorageEncrypted: true }),
      DeletionPolicy: 'Snapshot',
    });
    // log groups of a disposable environment go with it
    for (const [, group] of resources(t, 'AWS::Logs::LogGroup'))
      expect(group.Properties.RetentionInDays).toBe(DEFAULTS.logRetentionDays);
    const template = t.toJSON() as { Resources: Record<string, { Type: string; DeletionPolicy?: string }> };
    for (const r of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup'))
      expect(r.DeletionPolicy).toBe('Delete');
  });

  test('alarms e-mail the given address', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('cdk-nag: still clean, the two context choices acknowledged with their reasons', () => {
    const annotations = Annotations.fromStack(s.platform);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    const db = Object.values(t.findResources('AWS::RDS::DBInstance'))[0] as {
      Metadata: { cdk_nag: { rules_to_suppress: { id: string; reason: string }[] } };
    };
    const ids = db.Metadata.cdk_nag.rules_to_suppress.map((r) => r.id).sort();
    expect(ids).toEqual(['AwsSolutions-RDS10', 'AwsSolutions-RDS11', 'AwsSolutions-RDS3']);
  });
});
