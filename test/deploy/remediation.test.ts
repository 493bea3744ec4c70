import { REMEDIATIONS } from '../../remediations';
import { RULES } from '../../rules';
import { inventoryPermissions } from '../../lib/aws/inventory';
import { lookupPermissions } from '../../lib/lookups';
import { fixture } from '../helpers';
import { matchesPattern } from './event-pattern';
import { packagedTemplate, resourcesOfType } from './template';

const template = packagedTemplate();
const ACCOUNT = '123456789012';

/** The deployed pattern with CloudFormation's `Ref AWS::AccountId` resolved to the fixture account. */
function deployedPattern(): Record<string, any> {
  const pattern = JSON.stringify(template.Resources.RemediationEventRule!.Properties.EventPattern);
  return JSON.parse(pattern.replace(/\{"Ref":"AWS::AccountId"\}/g, JSON.stringify(ACCOUNT)));
}

/** A real-shaped compliance change (see test/fixtures/config/SOURCES.md) for a rule of stage `test`. */
function complianceChange(changes: { configRuleName?: string; complianceType?: string; account?: string } = {}) {
  const event = fixture('config/compliance-change-noncompliant.json');
  const name = changes.configRuleName ?? 'driftwarden-test-public-app-ports';
  event.detail.configRuleName = name;
  event.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.configRuleName = name;
  if (changes.complianceType) event.detail.newEvaluationResult.complianceType = changes.complianceType;
  if (changes.account) event.account = changes.account;
  return event;
}

function statementsOf(roleId: string): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  return template.Resources[roleId]!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
}

describe('Deploy: remediation', () => {
  it.each([
    ['a NON_COMPLIANT result of this stage\'s rule', {}, true],
    ['a NON_COMPLIANT result of every other rule of this stage', { configRuleName: 'driftwarden-test-vpc-flow-logs' }, true],
    ['a COMPLIANT result', { complianceType: 'COMPLIANT' }, false],
    ['a NOT_APPLICABLE result', { complianceType: 'NOT_APPLICABLE' }, false],
    ['another stage\'s rule', { configRuleName: 'driftwarden-prod-public-app-ports' }, false],
    ['another stack\'s rule with the same id', { configRuleName: 'other-test-public-app-ports' }, false],
    ['a managed rule', { configRuleName: 'vpc-sg-open-only-to-authorized-ports' }, false],
    ['the same rule name in another account', { account: '210987654321' }, false],
  ])('routes %s: %s', (_case, changes, routed) => {
    expect(matchesPattern(deployedPattern(), complianceChange(changes))).toBe(routed);
  });

  it('does not route the real-shaped COMPLIANT fixture as it is', () => {
    const compliant = fixture('config/compliance-change-compliant.json');
    compliant.detail.configRuleName = 'driftwarden-test-public-app-ports';
    expect(matchesPattern(deployedPattern(), compliant)).toBe(false);
  });

  it('targets the remediation function with retries and a dead-letter queue, and lets EventBridge invoke it', () => {
    const rule = template.Resources.RemediationEventRule!.Properties;
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.Targets).toEqual([
      {
        Id: 'remediate',
        Arn: { 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RemediationDeadLetterQueue', 'Arn'] } },
      },
    ]);
    expect(template.Resources.RemediateEventPermission!.Properties).toMatchObject({ Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['RemediationEventRule', 'Arn'] } });
    const queuePolicy = template.Resources.RemediationDeadLetterQueuePolicy!.Properties.PolicyDocument.Statement[0];
    expect(queuePolicy).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['RemediationEventRule', 'Arn'] } } } });
  });

  it('retries failed invocations twice, then sends them to the same dead-letter queue', () => {
    const [, config] = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').find(([, resource]) => resource.Properties.FunctionName.Ref === 'RemediateLambdaFunction')!;
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['RemediationDeadLetterQueue', 'Arn'] } } } });
  });

  it('alarms when anything reaches the dead-letter queue and when the function errors', () => {
    const alarms = Object.fromEntries(resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => [id, alarm.Properties]));
    expect(alarms.RemediationDeadLetterAlarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['RemediationDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarms.RemediationErrorsAlarm).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'RemediateLambdaFunction' } }], Threshold: 0 });
    for (const id of ['RemediationDeadLetterAlarm', 'RemediationErrorsAlarm']) {
      expect(alarms[id]).toMatchObject({ AlarmActions: [{ Ref: 'AlertTopic' }], OKActions: [{ Ref: 'AlertTopic' }] });
    }
    expect(template.Resources.AlertTopic?.Type).toBe('AWS::SNS::Topic');
  });

  it('keeps the audit table, keyed by pk with a TTL for breaker counters, when the stack is removed', () => {
    const table = template.Resources.RemediationAuditTable as any;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      TableName: 'driftwarden-test-remediation-audit',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('gives the remediation role exactly the declared actions, the re-read, and its own table, bus, queue and logs', () => {
    const granted = [...new Set(statementsOf('RemediateRole').flatMap((statement) => [statement.Action].flat()))].sort();
    const declared = REMEDIATIONS.flatMap((remediation) => remediation.permissions.flatMap((grant) => grant.actions));
    const reads = RULES.flatMap((rule) => [...rule.resourceTypes.flatMap(inventoryPermissions), ...rule.lookups.flatMap(lookupPermissions)]);
    const own = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'events:PutEvents', 'sqs:SendMessage', 'logs:CreateLogStream', 'logs:PutLogEvents'];
    expect(granted).toEqual([...new Set([...declared, ...reads, ...own])].sort());
  });

  it('scopes every change to the resources AWS allows, and PassRole to the flow-log role only', () => {
    const statements = statementsOf('RemediateRole');
    const unscoped = statements.filter((statement) => statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*')));
    const unscopedWrites = unscoped.flatMap((statement) => [statement.Action].flat()).filter((action) => !/:(Describe|Get|List)/.test(action));
    // EBS-by-default and log deliveries have no resource ARN to scope to.
    expect(unscopedWrites.sort()).toEqual(['ec2:EnableEbsEncryptionByDefault', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery']);
    const passRole = statements.find((statement) => [statement.Action].flat().includes('iam:PassRole'))!;
    expect(passRole.Resource).toEqual([{ 'Fn::Sub': '${FlowLogDeliveryRole.Arn}' }]);
    const putEvents = statements.find((statement) => [statement.Action].flat().includes('events:PutEvents'))!;
    expect(putEvents.Condition).toEqual({ StringEquals: { 'events:source': 'driftwarden' } });
  });

  it('holds none of the actions only undo performs', () => {
    const granted = new Set(statementsOf('RemediateRole').flatMap((statement) => [statement.Action].flat()));
    for (const action of ['ec2:DisableEbsEncryptionByDefault', 'secretsmanager:CancelRotateSecret', 'ec2:DeleteFlowLogs', 'logs:DisassociateKmsKey']) {
      expect(granted).not.toContain(action);
    }
  });

  it('may invoke only rotation functions tagged for it, never any function in the account', () => {
    const invoke = statementsOf('RemediateRole').filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*' }],
        Condition: { StringEquals: { 'aws:ResourceTag/driftwarden:rotation-function': 'true' } },
      },
    ]);
  });

  it('may add ingress only to groups not tagged exempt; revoking stays scoped to this account\'s groups', () => {
    const authorize = statementsOf('RemediateRole').filter((statement) => [statement.Action].flat().includes('ec2:AuthorizeSecurityGroupIngress'));
    expect(authorize).toHaveLength(1);
    expect(authorize[0].Action).toEqual(['ec2:AuthorizeSecurityGroupIngress']);
    expect(authorize[0].Condition).toEqual({ Null: { 'aws:ResourceTag/driftwarden:exempt': 'true' } });
  });

  it('offers what undo needs as a managed policy attached to no role, user or group', () => {
    const policy = template.Resources.RemediationUndoPolicy!;
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy.Properties).not.toHaveProperty('Roles');
    expect(policy.Properties).not.toHaveProperty('Users');
    expect(policy.Properties).not.toHaveProperty('Groups');
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((statement: any) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['ec2:DisableEbsEncryptionByDefault', 'secretsmanager:CancelRotateSecret', 'ec2:DeleteFlowLogs', 'logs:DisassociateKmsKey', 'ec2:AuthorizeSecurityGroupIngress']));
    const attachedElsewhere = Object.values(template.Resources).filter((resource: any) => JSON.stringify(resource.Properties ?? {}).includes('"Ref":"RemediationUndoPolicy"'));
    expect(attachedElsewhere).toEqual([]);
  });

  it('lets only VPC flow logs of this account assume the delivery role, writing only under the flow-log prefix', () => {
    const role = template.Resources.FlowLogDeliveryRole!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0]).toMatchObject({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    const write = role.Policies[0].PolicyDocument.Statement[0];
    expect(write.Resource[0]).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/driftwarden/vpc-flow-logs/*' });
  });

  it('lets CloudWatch Logs use the stack key for this account\'s log groups only', () => {
    const statements = template.Resources.RemediationKey!.Properties.KeyPolicy.Statement;
    const logs = statements.find((statement: any) => statement.Sid === 'CloudWatchLogsEncryptsThisAccountsLogGroups');
    expect(logs).toMatchObject({
      Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' } } },
    });
    expect(template.Resources.RemediationKey!.Properties.EnableKeyRotation).toBe(true);
  });

  it('hands the function its table, key and delivery role', () => {
    const variables = template.Resources.RemediateLambdaFunction!.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      AUDIT_TABLE_NAME: { Ref: 'RemediationAuditTable' },
      DRIFTWARDEN_KMS_KEY_ARN: { 'Fn::GetAtt': ['RemediationKey', 'Arn'] },
      FLOW_LOG_ROLE_ARN: { 'Fn::GetAtt': ['FlowLogDeliveryRole', 'Arn'] },
    });
  });
});
