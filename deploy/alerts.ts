import { createHash } from 'node:crypto';
import type { Settings } from '../lib/settings';
import type { AnyRule } from '../lib/rule';
import { configRuleName, enabledRules, stackPrefix, type StackNames } from '../lib/config-rule/names';
import { lambdaRole } from './stack';

/** A stable logical id per address, so adding one address neither replaces nor re-confirms the others. */
function subscriptionLogicalId(address: string): string {
  return `AlertEmailSubscription${createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 12)}`;
}

/** One SNS email subscription per address in `notifications.email.addresses`. */
function alertEmailSubscriptions(settings: Settings): Record<string, object> {
  return Object.fromEntries(
    settings.notifications.email.addresses.map((address) => [
      subscriptionLogicalId(address),
      { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: address } },
    ]),
  );
}

/** Names deploy/alerts.yml gives the alert resources (a deploy test checks they agree). */
export function alertResourceNames(names: StackNames) {
  const prefix = `${names.service}-${names.stage}`;
  return { topic: `${prefix}-alerts`, queue: `${prefix}-alert-events`, deadLetterQueue: `${prefix}-alerts-undelivered`, table: `${prefix}-alert-dedup` };
}

const arn = (service: string, resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}` });

/**
 * The notifier's role: publish to its topic, read its queue, write its dedup table and dead-letter
 * queue, look up who changed a resource, and read the one Slack webhook secret named in settings.
 * Resources are named, not referenced: the KMS key's policy names this role, and the topic and
 * queues use that key, so a reference back would be a dependency cycle. The key policy grants
 * the role its use of the key.
 */
function notifyRole(settings: Settings, names: StackNames): object {
  const secretArn = settings.notifications.slack.webhookSecretArn;
  const resource = alertResourceNames(names);
  return lambdaRole(`${stackPrefix(names)}notify`, [
    { Effect: 'Allow', Action: ['sns:Publish'], Resource: arn('sns', resource.topic) },
    {
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: arn('sqs', resource.queue),
    },
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn('sqs', resource.deadLetterQueue) },
    { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: arn('dynamodb', `table/${resource.table}`) },
    // Neither action supports resource-level permissions.
    { Effect: 'Allow', Action: ['cloudtrail:LookupEvents', 'config:GetResourceConfigHistory'], Resource: '*' },
    ...(secretArn ? [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArn }] : []),
  ]);
}

/**
 * Compliance changes of this stage's Config rules, to the notifier. Exact names, not a
 * `driftwarden-<stage>-` prefix: that prefix also matches stage `<stage>-eu`'s rules.
 */
function complianceChangeAlertRule(rules: readonly AnyRule[], settings: Settings, names: StackNames): object {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: "Compliance changes of this stage's driftwarden Config rules, to the notifier",
      EventPattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: { messageType: ['ComplianceChangeNotification'], configRuleName: enabledRules(rules, settings).map((rule) => configRuleName(names, rule)) },
      },
      Targets: [{ Id: 'alert-queue', Arn: { 'Fn::GetAtt': ['AlertQueue', 'Arn'] } }],
    },
  };
}

/** The settings-dependent part of the alerts stack; deploy/alerts.yml holds the rest. */
export function alertStack(rules: readonly AnyRule[], settings: Settings, names: StackNames): Record<string, object> {
  return { NotifyRole: notifyRole(settings, names), ComplianceChangeAlertRule: complianceChangeAlertRule(rules, settings, names), ...alertEmailSubscriptions(settings) };
}
