import { alertStack, alertResourceNames } from '../../deploy/alerts';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { matchesPattern } from './event-pattern';
import { packagedTemplate, resourcesOfType, type CloudFormationTemplate } from './template';

const template = packagedTemplate();
const resources = template.Resources as Record<string, any>;
const names = { service: 'driftwarden', stage: 'test' };

/** Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub. */
function referencesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => referencesIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      else if (key === 'Fn::Sub') for (const [, id] of String([inner].flat()[0]).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) found.add(id as string);
      else referencesIn(inner, found);
    }
  }
  return found;
}

function dependencyCycle(stack: CloudFormationTemplate): string[] | undefined {
  const edges = new Map(
    Object.entries(stack.Resources).map(([id, resource]) => [
      id,
      [...referencesIn(resource.Properties), ...[resource.DependsOn ?? []].flat()].filter((target) => target in stack.Resources),
    ]),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'visiting') return [...path, id];
    if (state.get(id) === 'done') return undefined;
    state.set(id, 'visiting');
    for (const target of edges.get(id) ?? []) {
      const cycle = visit(target, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('Deploy: alerts stack', () => {
  it('has no dependency cycle CloudFormation would refuse', () => {
    expect(dependencyCycle(template)).toBeUndefined();
  });

  it('encrypts the topic and both queues with a rotating key the stack creates', () => {
    expect(resources.AlertKey.Properties.EnableKeyRotation).toBe(true);
    for (const id of ['AlertTopic', 'AlertQueue', 'AlertDeadLetterQueue']) {
      expect(resources[id].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['AlertKey', 'Arn'] });
    }
  });

  it('lets the notifier, EventBridge and CloudWatch (for the alarm) use the key, and nobody else but the account', () => {
    const statements = resources.AlertKey.Properties.KeyPolicy.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*' }),
      expect.objectContaining({ Principal: { AWS: { 'Fn::GetAtt': ['NotifyRole', 'Arn'] } }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
      expect.objectContaining({
        Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it("routes this stage's compliance changes and driftwarden's remediation events to the notifier's queue", () => {
    expect(resources.ComplianceChangeAlertRule.Properties.EventPattern).toEqual({
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: { messageType: ['ComplianceChangeNotification'], configRuleName: RULES.map((rule) => `driftwarden-test-${rule.id}`) },
    });
    expect(resources.RemediationAlertRule.Properties.EventPattern).toEqual({
      source: ['driftwarden'],
      'detail-type': ['Remediation Planned', 'Remediation Applied', 'Remediation Skipped', 'Remediation Failed'],
      detail: { stage: ['test'] },
    });
    for (const id of ['ComplianceChangeAlertRule', 'RemediationAlertRule']) {
      expect(resources[id].Properties.Targets).toEqual([{ Id: 'alert-queue', Arn: { 'Fn::GetAtt': ['AlertQueue', 'Arn'] } }]);
    }
    expect(resources.AlertQueuePolicy.Properties.PolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': [{ 'Fn::GetAtt': ['ComplianceChangeAlertRule', 'Arn'] }, { 'Fn::GetAtt': ['RemediationAlertRule', 'Arn'] }] } },
    });
  });

  it.each([
    ['this stage', 'driftwarden-test-public-app-ports', true],
    ['a stage whose name starts with this one', 'driftwarden-test-eu-public-app-ports', false],
    ['a rule of another tool', 'driftwarden-test-something-else', false],
  ])('routes compliance changes of %s: %s → %s', (_case, configRuleName, routed) => {
    const event = { source: 'aws.config', 'detail-type': 'Config Rules Compliance Change', detail: { messageType: 'ComplianceChangeNotification', configRuleName } };
    expect(matchesPattern(resources.ComplianceChangeAlertRule.Properties.EventPattern, event)).toBe(routed);
  });

  it('batches events for digests and reports failed records instead of failing the batch', () => {
    const [[, mapping]] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping') as [string, any][];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['AlertQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['NotifyLambdaFunction', 'Arn'] },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 60,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // AWS's guidance: a visibility timeout of at least six times the function timeout.
    expect(resources.AlertQueue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * resources.NotifyLambdaFunction.Properties.Timeout);
  });

  it('dead-letters what cannot be processed and raises an alarm on the topic when anything is there', () => {
    expect(resources.AlertQueue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['AlertDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    expect(resources.AlertDeadLetterAlarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['AlertDeadLetterQueue', 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'AlertTopic' }],
    });
  });

  it('gives the notifier its resources by name, and the role names exactly those resources', () => {
    const expected = alertResourceNames(names);
    expect(resources.AlertTopic.Properties.TopicName).toBe(expected.topic);
    expect(resources.AlertQueue.Properties.QueueName).toBe(expected.queue);
    expect(resources.AlertDeadLetterQueue.Properties.QueueName).toBe(expected.deadLetterQueue);
    expect(resources.AlertDedupTable.Properties.TableName).toBe(expected.table);
    expect(resources.AlertDedupTable.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    const statements = resources.NotifyRole.Properties.Policies[0].PolicyDocument.Statement;
    const resourceOf = (action: string) => statements.find((statement: any) => statement.Action.includes(action)).Resource;
    expect(resourceOf('sns:Publish')['Fn::Sub']).toMatch(new RegExp(`:sns:.*:${expected.topic}$`));
    expect(resourceOf('sqs:ReceiveMessage')['Fn::Sub']).toMatch(new RegExp(`:sqs:.*:${expected.queue}$`));
    expect(resourceOf('sqs:SendMessage')['Fn::Sub']).toMatch(new RegExp(`:sqs:.*:${expected.deadLetterQueue}$`));
    expect(resourceOf('dynamodb:PutItem')['Fn::Sub']).toMatch(new RegExp(`:table/${expected.table}$`));
    expect(resourceOf('cloudtrail:LookupEvents')).toBe('*');
    expect(resources.NotifyLambdaFunction.Properties.Role).toEqual({ 'Fn::GetAtt': ['NotifyRole', 'Arn'] });
    expect(resources.NotifyLambdaFunction.Properties.Environment.Variables).toMatchObject({
      ALERT_TOPIC_ARN: { Ref: 'AlertTopic' },
      ALERT_DEDUP_TABLE: { Ref: 'AlertDedupTable' },
      ALERT_DEAD_LETTER_QUEUE_URL: { Ref: 'AlertDeadLetterQueue' },
    });
  });

  it('grants no Secrets Manager access and subscribes nobody when settings name no secret and no address', () => {
    const actions = resources.NotifyRole.Properties.Policies[0].PolicyDocument.Statement.flatMap((statement: any) => statement.Action);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(resourcesOfType(template, 'AWS::SNS::Subscription')).toEqual([]);
  });
});

describe('Deploy: alerts from settings', () => {
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/slack-webhook-AbCdEf';
  const settings = parseSettings(
    { notifications: { email: { addresses: ['ops@example.com', 'security@example.com'] }, slack: { webhookSecretArn: secretArn } } },
    RULES,
  );
  const stack = alertStack(RULES, settings, names) as Record<string, any>;

  it('subscribes each address by email, under a logical id that does not change when the list does', () => {
    const subscriptions = Object.entries(stack).filter(([, resource]) => resource.Type === 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, resource]) => resource.Properties)).toEqual([
      { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' },
      { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: 'security@example.com' },
    ]);
    const alone = alertStack(RULES, parseSettings({ notifications: { email: { addresses: ['security@example.com'] } } }, RULES), names);
    const idOf = (entries: Record<string, any>) => Object.keys(entries).find((id) => entries[id].Properties.Endpoint === 'security@example.com');
    expect(idOf(alone)).toBe(idOf(stack));
  });

  it('lets the notifier read exactly the one webhook secret, whose value never enters the template', () => {
    const statements = stack.NotifyRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArn });
    expect(JSON.stringify(template)).not.toMatch(/hooks\.slack\.com/);
  });
});
