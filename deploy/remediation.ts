import { inventoryPermissions } from '../lib/aws/inventory';
import { lookupPermissions } from '../lib/lookups';
import type { AnyRemediation, PermissionGrant } from '../lib/remediation/plan';
import { EVENT_SOURCE } from '../lib/remediation/events';
import type { AnyRule } from '../lib/rule';
import type { Settings } from '../lib/settings';
import { REMEDIATIONS } from '../remediations';
import { RULES } from '../rules';
import { configRuleName, enabledRules, stackPrefix, type StackNames } from '../lib/config-rule/names';
import { lambdaRole, loadStackSettings } from './stack';

/** The function logical id serverless gives the `remediate` function. */
const REMEDIATE_FUNCTION = 'RemediateLambdaFunction';
const AUDIT_TABLE = 'RemediationAuditTable';
const DEAD_LETTER_QUEUE = 'RemediationDeadLetterQueue';
const EVENT_RULE = 'RemediationEventRule';
const KEY = 'RemediationKey';
const FLOW_LOG_ROLE = 'FlowLogDeliveryRole';

const sub = (template: string) => ({ 'Fn::Sub': template });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** Rules whose findings the remediation function receives: enabled, and with a remediation to run. */
function remediatedRules(rules: readonly AnyRule[], settings: Settings): AnyRule[] {
  return enabledRules(rules, settings).filter((rule) => rule.remediation !== undefined);
}

/**
 * The EventBridge pattern: this account's Config compliance changes to NON_COMPLIANT, for this
 * stack's rules only (their names carry service and stage, so another stack's rules never match).
 */
function remediationEventPattern(remediated: readonly AnyRule[], names: StackNames): object {
  return {
    source: ['aws.config'],
    'detail-type': ['Config Rules Compliance Change'],
    account: [{ Ref: 'AWS::AccountId' }],
    detail: {
      messageType: ['ComplianceChangeNotification'],
      configRuleName: remediated.map((rule) => configRuleName(names, rule)),
      newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
    },
  };
}

function remediationsOf(rules: readonly AnyRule[], remediations: readonly AnyRemediation[]): AnyRemediation[] {
  const ids = new Set(rules.map((rule) => rule.remediation));
  return remediations.filter((remediation) => ids.has(remediation.id));
}

function statementOf(grant: PermissionGrant): object {
  return {
    Effect: 'Allow',
    Action: [...grant.actions],
    Resource: grant.resources.map((resource) => (resource === '*' ? '*' : sub(resource))),
    ...(grant.condition && { Condition: grant.condition }),
  };
}

/**
 * What only `driftwarden undo` needs: the remediations' undo grants. The stack offers them in a
 * managed policy it attaches to nobody; the function never holds these actions.
 */
export function undoStatements(settings: Settings): object[] {
  return remediationsOf(remediatedRules(RULES, settings), REMEDIATIONS).flatMap((remediation) => remediation.undoPermissions.map(statementOf));
}

/** The unattached undo policy: an operator attaches it to the role they undo with. */
function undoPolicy(settings: Settings, names: StackNames): object {
  return {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      ManagedPolicyName: `${stackPrefix(names)}undo`,
      Description: `What driftwarden undo needs to reverse ${names.service}-${names.stage} remediations; attach it to the operator role that runs undo`,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          ...undoStatements(settings),
          // undo reads the audit record it reverses and records that it did.
          { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: arnOf(AUDIT_TABLE) },
        ],
      },
    },
  };
}

/**
 * What acting on a resource needs: the re-read and lookups of the remediated rules, each remediation's
 * declared apply grants with their resource scopes and conditions (never what only undo needs), and the
 * deployment's default rotation function by name. The single-account remediation role and every
 * member account's remediation role (deploy/organization.ts) are built from it.
 */
export function remediationActingStatements(settings: Settings): object[] {
  const rules = remediatedRules(RULES, settings);
  const reads = new Set<string>();
  for (const rule of rules) {
    for (const type of rule.resourceTypes) for (const action of inventoryPermissions(type)) reads.add(action);
    for (const lookup of rule.lookups) for (const action of lookupPermissions(lookup)) reads.add(action);
  }
  const rotationLambdaArn = settings.remediation.rotationLambdaArn;
  return [
    // Describe/List/Get calls of the re-read accept no resource scope.
    { Effect: 'Allow', Action: [...reads].sort(), Resource: '*' },
    ...remediationsOf(rules, REMEDIATIONS).flatMap((remediation) => remediation.permissions.map(statementOf)),
    ...(rotationLambdaArn ? [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: rotationLambdaArn }] : []),
  ];
}

/** The remediation function's role: acting on resources, plus its own audit table, bus, queue and logs. */
function remediationRoleStatements(settings: Settings): object[] {
  return [
    ...remediationActingStatements(settings),
    { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: arnOf(AUDIT_TABLE) },
    {
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default'),
      Condition: { StringEquals: { 'events:source': EVENT_SOURCE } },
    },
    // Lambda's on-failure destination sends as the function's role.
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arnOf(DEAD_LETTER_QUEUE) },
  ];
}

function keyPolicy(): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersTheKey', Effect: 'Allow', Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        Effect: 'Allow',
        Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') } },
      },
      {
        // Topics encrypted with this key still receive from EventBridge rules and CloudWatch alarms.
        Sid: 'AwsServicesPublishToEncryptedTopics',
        Effect: 'Allow',
        Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ],
  };
}

function alarm(description: string, metric: object): object {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      ...metric,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      // The alerts topic (deploy/alerts.yml) reaches the same people as the findings.
      AlarmActions: [{ Ref: 'AlertTopic' }],
      OKActions: [{ Ref: 'AlertTopic' }],
    },
  };
}

/** Everything the remediation function needs besides itself (declared in serverless.yml). */
/**
 * The role VPC Flow Logs assumes to deliver to CloudWatch Logs, which the flow-log remediation passes:
 * in the single-account stack and in every member account of an organization.
 */
export function flowLogDeliveryRole(settings: Settings): Record<string, object> {
  const flowLogGroups = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${settings.remediation.flowLogs.logGroupPrefix}/*`;
  return {
    [FLOW_LOG_ROLE]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*') },
              },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'deliver-flow-logs',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: [sub(flowLogGroups), sub(`${flowLogGroups}:log-stream:*`)] },
                { Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*') },
              ],
            },
          },
        ],
      },
    },
  };
}

export function remediationStack(projectDir: string, names: StackNames): Record<string, object> {
  const settings = loadStackSettings(projectDir, names.stage);
  const rules = remediatedRules(RULES, settings);
  const functionName = `${stackPrefix(names)}remediate`;
  return {
    RemediateRole: lambdaRole(functionName, remediationRoleStatements(settings)),
    RemediationUndoPolicy: undoPolicy(settings, names),
    [AUDIT_TABLE]: {
      Type: 'AWS::DynamoDB::Table',
      // The audit trail outlives the stack: removing driftwarden must not erase what it did.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: `${stackPrefix(names)}remediation-audit`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    },
    [DEAD_LETTER_QUEUE]: {
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
    },
    RemediationDeadLetterQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: DEAD_LETTER_QUEUE }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'UndeliverableFindingsFromTheRemediationRule',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: arnOf(DEAD_LETTER_QUEUE),
              Condition: { ArnEquals: { 'aws:SourceArn': arnOf(EVENT_RULE) } },
            },
          ],
        },
      },
    },
    [EVENT_RULE]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `Non-compliant findings of ${names.service}-${names.stage} rules, to the remediation function`,
        State: 'ENABLED',
        EventPattern: remediationEventPattern(rules, names),
        Targets: [
          {
            Id: 'remediate',
            Arn: arnOf(REMEDIATE_FUNCTION),
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: arnOf(DEAD_LETTER_QUEUE) },
          },
        ],
      },
    },
    RemediateEventPermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: arnOf(REMEDIATE_FUNCTION), Principal: 'events.amazonaws.com', SourceArn: arnOf(EVENT_RULE) },
    },
    RemediationDeadLetterAlarm: alarm('A finding could not be remediated after every retry: it is in the remediation dead-letter queue.', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [DEAD_LETTER_QUEUE, 'QueueName'] } }],
    }),
    RemediationErrorsAlarm: alarm('The remediation function failed (it will retry, then dead-letter the finding).', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: REMEDIATE_FUNCTION } }],
    }),
    [KEY]: {
      Type: 'AWS::KMS::Key',
      Properties: { Description: `${names.service}-${names.stage}: log groups and topics that remediation encrypts`, EnableKeyRotation: true, KeyPolicy: keyPolicy() },
    },
    RemediationKeyAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: `alias/${stackPrefix(names)}remediation`, TargetKeyId: { Ref: KEY } } },
    ...flowLogDeliveryRole(settings),
  };
}
