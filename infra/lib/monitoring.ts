import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { PlatformConfig } from './config';
import { FAILED_JOBS_METRIC, FAILED_TRAINING_RUNS_METRIC, FEATURE_DRIFT_METRIC, METRIC_NAMESPACE } from './constants';

export interface MonitoringProps {
  config: PlatformConfig;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  apiTargetGroup: elbv2.ApplicationTargetGroup;
}

/** Alarms (to an SNS topic): 5xx rate at the load balancer, api p99 latency, failed batch jobs, failed training runs. */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alb5xxRate: cloudwatch.Alarm;
  readonly apiLatencyP99: cloudwatch.Alarm;
  readonly failedBatchJobs: cloudwatch.Alarm;
  readonly failedTrainingRuns: cloudwatch.Alarm;
  readonly featureDrift: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, { config, loadBalancer, apiTargetGroup }: MonitoringProps) {
    super(scope, id);
    const prefix = `housing-${config.envName}`;
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      displayName: `${prefix} alarms`,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const period = Duration.minutes(5);

    // 5xx responses (the load balancer's own and the targets') as a share of all requests.
    const rate = new cloudwatch.MathExpression({
      expression: '100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests',
      usingMetrics: {
        elb5xx: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
        target5xx: loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
        requests: loadBalancer.metrics.requestCount({ statistic: cloudwatch.Stats.SUM, period }),
      },
      label: '5xx responses (% of requests)',
      period,
    });
    this.alb5xxRate = rate.createAlarm(this, 'Alb5xxRate', {
      alarmName: `${prefix}-alb-5xx-rate`,
      alarmDescription: `More than ${config.alb5xxRatePercent}% of requests answered 5xx in 2 of the last 3 five-minute periods`,
      threshold: config.alb5xxRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.apiLatencyP99 = apiTargetGroup.metrics
      .targetResponseTime({ statistic: 'p99', period })
      .createAlarm(this, 'ApiLatencyP99', {
        alarmName: `${prefix}-api-latency-p99`,
        alarmDescription: `api p99 response time above ${config.apiP99LatencySeconds}s in 2 of the last 3 five-minute periods`,
        threshold: config.apiP99LatencySeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.failedBatchJobs = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: FAILED_JOBS_METRIC,
      statistic: cloudwatch.Stats.SUM,
      period,
    }).createAlarm(this, 'FailedBatchJobs', {
      alarmName: `${prefix}-failed-batch-jobs`,
      alarmDescription: `${config.failedBatchJobsThreshold} or more batch jobs failed within five minutes`,
      threshold: config.failedBatchJobsThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The same alarm for training runs (the training worker publishes the count).
    this.failedTrainingRuns = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: FAILED_TRAINING_RUNS_METRIC,
      statistic: cloudwatch.Stats.SUM,
      period,
    }).createAlarm(this, 'FailedTrainingRuns', {
      alarmName: `${prefix}-failed-training-runs`,
      alarmDescription: `${config.failedTrainingRunsThreshold} or more training runs failed within five minutes (GET /v1/training-runs?status=failed says why)`,
      threshold: config.failedTrainingRunsThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The worst input's PSI (the worker publishes it with the queue depth): above the threshold for a
    // whole hour, i.e. its minimum over the hour, as the Prometheus rule FeatureDriftAboveThreshold.
    this.featureDrift = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: FEATURE_DRIFT_METRIC,
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.hours(1),
    }).createAlarm(this, 'FeatureDrift', {
      alarmName: `${prefix}-feature-drift`,
      alarmDescription: `An input of the production model drifted: PSI above ${config.featureDriftPsiThreshold} for an hour (GET /v1/monitoring/drift says which)`,
      threshold: config.featureDriftPsiThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    for (const alarm of [
      this.alb5xxRate,
      this.apiLatencyP99,
      this.failedBatchJobs,
      this.failedTrainingRuns,
      this.featureDrift,
    ]) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
    }
  }
}
