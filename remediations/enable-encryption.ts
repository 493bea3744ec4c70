import { ENCRYPTED_RESOURCE_TYPES, type EncryptedResourceType, type EncryptionProperties, type ResourceOf } from '../lib/model';
import { applySteps, errorCode, isRetryable } from '../lib/remediation/execute';
import {
  defineRemediation,
  planFor,
  type ApiCall,
  type ApplyResult,
  type PlanInputOf,
  type RemediationClients,
  type RemediationPlan,
} from '../lib/remediation/plan';
import { ebsVolumeRunbook, ecrRepositoryRunbook, efsRunbook, elastiCacheRunbook, rdsClusterRunbook, rdsInstanceRunbook } from '../lib/remediation/runbooks';
import type encryptionAtRest from '../rules/encryption-at-rest';

type Input = PlanInputOf<typeof encryptionAtRest>;
type Base = Pick<RemediationPlan, 'remediation' | 'ruleId' | 'resourceType' | 'resourceId' | 'region' | 'beforeState' | 'keeps'>;

/** The part of a key reference that identifies it: `key/<uuid>` or `alias/<name>`. */
function keyIdentity(keyRef: string): string {
  const match = /(key\/[\w-]+|alias\/[\w/-]+)$/.exec(keyRef);
  return match ? match[1]! : keyRef;
}

type KeyChoice = { key: string | undefined } | { problem: string };

/**
 * The key a fix uses: the configured key, else the first key the rule allows, else the fallback
 * (the stack's key, or none = the service default). A key that the rule would still reject is never
 * chosen: the plan says what to configure instead.
 */
function chooseKey(input: Input, fallback: string | undefined): KeyChoice {
  const params = input.parameters;
  const configured = input.settings.kmsKeyArn;
  const allowed = params.kmsKeyArns;
  if (configured) {
    if (allowed && !allowed.map(keyIdentity).includes(keyIdentity(configured))) {
      return { problem: `remediation.kmsKeyArn ${configured} is not one of the rule's kmsKeyArns (${allowed.join(', ')})` };
    }
    return { key: configured };
  }
  if (allowed?.[0]) return { key: allowed[0] };
  if (fallback) return { key: fallback };
  if (params.requireCustomerManagedKey) return { problem: 'the rule requires a customer managed key and none is configured (remediation.kmsKeyArn)' };
  return { key: undefined };
}

function labelOf(resource: ResourceOf<EncryptedResourceType>): string {
  return resource.name && resource.name !== resource.id ? `${resource.id} (${resource.name})` : resource.id;
}

function nothingAutomatic(base: Base, summary: string, reason: string, commands: string[]): RemediationPlan {
  return { ...base, summary, steps: [], manual: { reason, commands } };
}

function bucketPlan(input: Input, base: Base, before: EncryptionProperties): RemediationPlan {
  const bucket = input.resource.id;
  const choice = chooseKey(input, undefined);
  if ('problem' in choice) {
    return nothingAutomatic(base, `Cannot set default encryption on bucket ${bucket}: ${choice.problem}.`, choice.problem, [
      `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"<key-arn>"},"BucketKeyEnabled":true}]}'`,
    ]);
  }
  const byDefault = choice.key ? { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: choice.key } : { SSEAlgorithm: 'AES256' as const };
  const rule = choice.key ? { ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: true } : { ApplyServerSideEncryptionByDefault: byDefault };
  const restore: ApiCall =
    before.encrypted && before.algorithm
      ? {
          service: 's3',
          operation: 'PutBucketEncryption',
          input: {
            Bucket: bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: before.algorithm as 'AES256', ...(before.kmsKeyId && { KMSMasterKeyID: before.kmsKeyId }) } }],
            },
          },
        }
      : { service: 's3', operation: 'DeleteBucketEncryption', input: { Bucket: bucket } };
  const what = choice.key ? `SSE-KMS with ${choice.key} and an S3 Bucket Key` : 'SSE-S3 (AES256)';
  return {
    ...base,
    summary: `Set default encryption of bucket ${bucket} to ${what}.`,
    keeps: [...base.keeps, 'objects already in the bucket keep the encryption they were written with (default encryption applies to new objects)'],
    steps: [
      {
        description: `Set default encryption of ${bucket} to ${what}`,
        call: { service: 's3', operation: 'PutBucketEncryption', input: { Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [rule] } } },
        undo: [restore],
      },
    ],
  };
}

function topicPlan(input: Input, base: Base, before: EncryptionProperties): RemediationPlan {
  const topicArn = input.resource.arn ?? input.resource.id;
  const choice = chooseKey(input, input.stack.kmsKeyArn);
  if ('problem' in choice || !choice.key) {
    const problem = 'problem' in choice ? choice.problem : 'no KMS key is known (deploy the stack, or set remediation.kmsKeyArn)';
    return nothingAutomatic(base, `Cannot encrypt topic ${topicArn}: ${problem}.`, problem, [
      `aws sns set-topic-attributes --topic-arn ${topicArn} --attribute-name KmsMasterKeyId --attribute-value <key-arn>`,
    ]);
  }
  const setKey = (value: string): ApiCall => ({
    service: 'sns',
    operation: 'SetTopicAttributes',
    input: { TopicArn: topicArn, AttributeName: 'KmsMasterKeyId', AttributeValue: value },
  });
  return {
    ...base,
    summary: `Encrypt topic ${topicArn} with ${choice.key}.`,
    keeps: [...base.keeps, 'AWS services that publish to the topic (EventBridge, CloudWatch alarms) need kms:GenerateDataKey and kms:Decrypt on the key: the stack key grants them'],
    // An empty KmsMasterKeyId turns server-side encryption off again.
    steps: [{ description: `Encrypt topic ${topicArn} with ${choice.key}`, call: setKey(choice.key), undo: [setKey(before.kmsKeyId ?? '')] }],
  };
}

/** Log group ids may be the name or its ARN (`…:log-group:<name>:*`). */
function logGroupNameOf(resource: ResourceOf<EncryptedResourceType>): string {
  const fromArn = /:log-group:(.+?)(:\*)?$/.exec(resource.id)?.[1];
  return resource.name ?? fromArn ?? resource.id;
}

function logGroupPlan(input: Input, base: Base, before: EncryptionProperties): RemediationPlan {
  const logGroupName = logGroupNameOf(input.resource);
  const choice = chooseKey(input, input.stack.kmsKeyArn);
  if ('problem' in choice || !choice.key) {
    const problem = 'problem' in choice ? choice.problem : 'no KMS key is known (deploy the stack, or set remediation.kmsKeyArn)';
    return nothingAutomatic(base, `Cannot encrypt log group ${logGroupName}: ${problem}.`, problem, [
      `aws logs associate-kms-key --log-group-name ${logGroupName} --kms-key-id <key-arn whose key policy allows logs.<region>.amazonaws.com>`,
    ]);
  }
  const restore: ApiCall = before.kmsKeyId
    ? { service: 'logs', operation: 'AssociateKmsKey', input: { logGroupName, kmsKeyId: before.kmsKeyId } }
    : { service: 'logs', operation: 'DisassociateKmsKey', input: { logGroupName } };
  return {
    ...base,
    summary: `Encrypt log group ${logGroupName} with ${choice.key}.`,
    keeps: [...base.keeps, 'log events already stored stay readable; only new events are encrypted with the key'],
    steps: [
      {
        description: `Associate ${choice.key} with log group ${logGroupName}`,
        call: { service: 'logs', operation: 'AssociateKmsKey', input: { logGroupName, kmsKeyId: choice.key } },
        undo: [restore],
      },
    ],
  };
}

/** A key for a runbook: never the stack's key, which goes away with the stack and would take the data with it. */
function runbookKey(input: Input): string | undefined {
  const choice = chooseKey(input, undefined);
  return 'key' in choice ? choice.key : '"$KMS_KEY_ARN"';
}

function volumePlan(input: Input, base: Base): RemediationPlan {
  const volume = input.resource;
  const region = volume.region ?? input.evaluation.region;
  return {
    ...base,
    summary: `Turn on EBS encryption by default${region ? ` in ${region}` : ''} so no new volume is created unencrypted; ${volume.id} itself must be replaced by hand (runbook).`,
    keeps: [...base.keeps, `${volume.id} and its data are not touched`],
    steps: [
      {
        description: `Turn on EBS encryption by default${region ? ` in ${region}` : ''} (new volumes only)`,
        call: { service: 'ec2', operation: 'EnableEbsEncryptionByDefault', input: {} },
        undo: [{ service: 'ec2', operation: 'DisableEbsEncryptionByDefault', input: {} }],
      },
    ],
    manual: ebsVolumeRunbook({ identifier: volume.id, ...(region && { region }), kmsKeyId: runbookKey(input) }),
  };
}

/** SSE-SQS when no key is asked for, else SSE-KMS with the chosen key; undo restores whichever the queue had. */
function queuePlan(input: Input, base: Base, before: EncryptionProperties): RemediationPlan {
  const queueUrl = input.resource.id;
  const choice = chooseKey(input, undefined);
  if ('problem' in choice) {
    return nothingAutomatic(base, `Cannot encrypt queue ${queueUrl}: ${choice.problem}.`, choice.problem, [
      `aws sqs set-queue-attributes --queue-url ${queueUrl} --attributes KmsMasterKeyId=<key-arn>`,
    ]);
  }
  const attributes = choice.key ? { KmsMasterKeyId: choice.key } : { SqsManagedSseEnabled: 'true' };
  // Setting one kind of encryption turns the other off; restore exactly what was there.
  const restore = before.kmsKeyId ? { KmsMasterKeyId: before.kmsKeyId } : before.encrypted ? { SqsManagedSseEnabled: 'true' } : { KmsMasterKeyId: '', SqsManagedSseEnabled: 'false' };
  const what = choice.key ? `SSE-KMS with ${choice.key}` : 'SSE-SQS';
  return {
    ...base,
    summary: `Encrypt queue ${queueUrl} with ${what}.`,
    keeps: [...base.keeps, 'messages already in the queue stay as they were; new messages are encrypted', ...(choice.key ? ['producers and consumers need kms:GenerateDataKey and kms:Decrypt on the key'] : [])],
    steps: [
      {
        description: `Encrypt queue ${queueUrl} with ${what}`,
        call: { service: 'sqs', operation: 'SetQueueAttributes', input: { QueueUrl: queueUrl, Attributes: attributes } },
        undo: [{ service: 'sqs', operation: 'SetQueueAttributes', input: { QueueUrl: queueUrl, Attributes: restore } }],
      },
    ],
  };
}

/** DynamoDB is always encrypted: the only fix is a customer managed key, switched in place by UpdateTable. */
function tablePlan(input: Input, base: Base, before: EncryptionProperties): RemediationPlan {
  const table = input.resource.id;
  const choice = chooseKey(input, undefined);
  if ('problem' in choice || !choice.key) {
    const problem = 'problem' in choice ? choice.problem : 'no customer managed key is configured (remediation.kmsKeyArn)';
    return nothingAutomatic(base, `Cannot change the key of table ${table}: ${problem}.`, problem, [
      `aws dynamodb update-table --table-name ${table} --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=<key-arn>`,
    ]);
  }
  const restore = before.kmsKeyId
    ? { TableName: table, SSESpecification: { Enabled: true, SSEType: 'KMS' as const, KMSMasterKeyId: before.kmsKeyId } }
    : { TableName: table, SSESpecification: { Enabled: false } };
  return {
    ...base,
    summary: `Encrypt table ${table} with ${choice.key}.`,
    keeps: [...base.keeps, 'the table stays available while DynamoDB re-encrypts it; one key change is allowed per table every 6 hours'],
    steps: [
      {
        description: `Switch table ${table} to ${choice.key}`,
        call: { service: 'dynamodb', operation: 'UpdateTable', input: { TableName: table, SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: choice.key } } },
        undo: [{ service: 'dynamodb', operation: 'UpdateTable', input: restore }],
      },
    ],
  };
}

/** Kinesis encrypts a stream in place; without a chosen key it uses the AWS managed key alias/aws/kinesis. */
function streamPlan(input: Input, base: Base, before: EncryptionProperties): RemediationPlan {
  const stream = input.resource.id;
  const choice = chooseKey(input, undefined);
  if ('problem' in choice) {
    return nothingAutomatic(base, `Cannot encrypt stream ${stream}: ${choice.problem}.`, choice.problem, [
      `aws kinesis start-stream-encryption --stream-name ${stream} --encryption-type KMS --key-id <key-arn>`,
    ]);
  }
  const key = choice.key ?? 'alias/aws/kinesis';
  const restore: ApiCall = before.encrypted && before.kmsKeyId
    ? { service: 'kinesis', operation: 'StartStreamEncryption', input: { StreamName: stream, EncryptionType: 'KMS', KeyId: before.kmsKeyId } }
    : { service: 'kinesis', operation: 'StopStreamEncryption', input: { StreamName: stream, EncryptionType: 'KMS', KeyId: key } };
  return {
    ...base,
    summary: `Encrypt stream ${stream} with ${key}.`,
    keeps: [...base.keeps, 'records already in the stream stay unencrypted until they expire; producers and consumers need kms:GenerateDataKey and kms:Decrypt on a customer managed key'],
    steps: [
      {
        description: `Start encryption of stream ${stream} with ${key}`,
        call: { service: 'kinesis', operation: 'StartStreamEncryption', input: { StreamName: stream, EncryptionType: 'KMS', KeyId: key } },
        undo: [restore],
      },
    ],
  };
}

function manualOnly(input: Input, base: Base): RemediationPlan {
  const resource = input.resource;
  const target = { identifier: resource.name ?? resource.id, ...(resource.region && { region: resource.region }), kmsKeyId: runbookKey(input) };
  const manual =
    resource.type === 'AWS::RDS::DBInstance' ? rdsInstanceRunbook(target)
    : resource.type === 'AWS::RDS::DBCluster' ? rdsClusterRunbook(target)
    : resource.type === 'AWS::ElastiCache::ReplicationGroup' ? elastiCacheRunbook(target)
    : resource.type === 'AWS::ECR::Repository' ? ecrRepositoryRunbook(target)
    : efsRunbook({ ...target, identifier: resource.id });
  return { ...base, summary: `${labelOf(resource)} cannot be encrypted in place; nothing is changed automatically. Follow the runbook.`, keeps: [...base.keeps, `${labelOf(resource)} is not touched`], steps: [], manual };
}

function planEncryption(input: Input): RemediationPlan {
  const resource = input.resource;
  const before = resource.properties;
  const base: Base = {
    ...planFor('enable-encryption', input),
    beforeState: { encrypted: before.encrypted ?? null, kmsKeyId: before.kmsKeyId ?? null, algorithm: before.algorithm ?? null },
    keeps: [],
  };
  switch (resource.type) {
    case 'AWS::S3::Bucket':
      return bucketPlan(input, base, before);
    case 'AWS::SNS::Topic':
      return topicPlan(input, base, before);
    case 'AWS::Logs::LogGroup':
      return logGroupPlan(input, base, before);
    case 'AWS::EC2::Volume':
      return volumePlan(input, base);
    case 'AWS::SQS::Queue':
      return queuePlan(input, base, before);
    case 'AWS::DynamoDB::Table':
      return tablePlan(input, base, before);
    case 'AWS::Kinesis::Stream':
      return streamPlan(input, base, before);
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster':
    case 'AWS::EFS::FileSystem':
    case 'AWS::ElastiCache::ReplicationGroup':
    case 'AWS::ECR::Repository':
      return manualOnly(input, base);
  }
}

async function apply(plan: RemediationPlan, clients: RemediationClients): Promise<ApplyResult> {
  const ebsDefault = plan.steps.find((step) => step.call.operation === 'EnableEbsEncryptionByDefault');
  if (ebsDefault) {
    // Account-level state is not part of the volume: read it now, so undo never turns off what was on.
    try {
      const ec2 = await clients.ec2();
      const state = await ec2.client.send(new ec2.GetEbsEncryptionByDefaultCommand({}));
      if (state.EbsEncryptionByDefault) {
        return {
          outcome: 'already-fixed',
          message: 'EBS encryption by default was already on.',
          steps: [{ description: ebsDefault.description, operation: ebsDefault.call.operation, status: 'already-done' }],
          undo: [],
        };
      }
    } catch (error) {
      return {
        outcome: 'failed',
        message: `GetEbsEncryptionByDefault failed: ${errorCode(error)}: ${(error as Error).message}`,
        steps: [{ description: ebsDefault.description, operation: ebsDefault.call.operation, status: 'not-run' }],
        undo: [],
        retryable: isRetryable(error),
      };
    }
  }
  return applySteps(plan.steps, clients);
}

export default defineRemediation<typeof encryptionAtRest>({
  id: 'enable-encryption',
  title: 'Encrypt what can be encrypted in place (S3 default encryption, SNS, SQS, DynamoDB, Kinesis, log groups, EBS default); runbooks for the rest',
  resourceTypes: ENCRYPTED_RESOURCE_TYPES,
  permissions: [
    { actions: ['s3:PutEncryptionConfiguration'], resources: ['arn:${AWS::Partition}:s3:::*'], reason: 'set (and on undo restore) bucket default encryption' },
    { actions: ['sns:SetTopicAttributes'], resources: ['arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:*'], reason: 'set (and on undo restore) the topic KMS key' },
    {
      actions: ['logs:AssociateKmsKey'],
      resources: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'],
      reason: 'set the log group KMS key',
    },
    {
      actions: ['ec2:GetEbsEncryptionByDefault', 'ec2:EnableEbsEncryptionByDefault'],
      resources: ['*'],
      reason: 'EBS encryption by default is a regional setting with no resource ARN',
    },
    { actions: ['sqs:SetQueueAttributes'], resources: ['arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*'], reason: 'set (and on undo restore) the queue encryption' },
    { actions: ['dynamodb:UpdateTable'], resources: ['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*'], reason: 'switch (and on undo restore) the table KMS key' },
    {
      actions: ['kinesis:StartStreamEncryption', 'kinesis:StopStreamEncryption'],
      resources: ['arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/*'],
      reason: 'start (and on undo stop or restore) stream encryption',
    },
  ],
  undoPermissions: [
    { actions: ['s3:PutEncryptionConfiguration'], resources: ['arn:${AWS::Partition}:s3:::*'], reason: 'restore (or remove) the bucket default encryption' },
    { actions: ['sns:SetTopicAttributes'], resources: ['arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:*'], reason: 'restore the topic KMS key' },
    {
      actions: ['logs:AssociateKmsKey', 'logs:DisassociateKmsKey'],
      resources: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'],
      reason: 'restore (or remove) the log group KMS key',
    },
    { actions: ['ec2:DisableEbsEncryptionByDefault'], resources: ['*'], reason: 'turn EBS encryption by default off again (a regional setting with no resource ARN)' },
  ],
  plan: planEncryption,
  apply,
});
