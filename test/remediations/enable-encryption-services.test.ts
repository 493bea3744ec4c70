import 'aws-sdk-client-mock-jest';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Resource } from '../../lib/model';
import type { AnyRemediation } from '../../lib/remediation/plan';
import enableEncryption from '../../remediations/enable-encryption';
import { itemResource } from '../helpers';
import { applyOptions, clients, planInput } from './support';

/** Fed what the registry feeds it: any resource, parameters and matches. */
const remediation: AnyRemediation = enableEncryption;

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

const CMK = 'arn:aws:kms:eu-west-1:123456789012:key/5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/driftwarden-dev-legacy-jobs';

function plan(resource: Resource, options: Parameters<typeof planInput>[2] = {}) {
  return remediation.plan(planInput('encryption-at-rest', resource, options));
}

describe('Remediation: enable-encryption on SQS, DynamoDB, Kinesis, ElastiCache and ECR', () => {
  it('turns on SSE-SQS for an unencrypted queue, and undo turns encryption off again', () => {
    expect(plan(itemResource('sqs-queue-unencrypted')).steps).toEqual([
      {
        description: `Encrypt queue ${QUEUE} with SSE-SQS`,
        call: { service: 'sqs', operation: 'SetQueueAttributes', input: { QueueUrl: QUEUE, Attributes: { SqsManagedSseEnabled: 'true' } } },
        undo: [{ service: 'sqs', operation: 'SetQueueAttributes', input: { QueueUrl: QUEUE, Attributes: { KmsMasterKeyId: '', SqsManagedSseEnabled: 'false' } } }],
      },
    ]);
  });

  it('moves an SSE-SQS queue to the configured key, and undo restores SSE-SQS', () => {
    const [step] = plan(itemResource('sqs-queue-sse-sqs'), { parameters: { requireCustomerManagedKey: 'true' }, remediation: { kmsKeyArn: CMK } }).steps;
    expect(step!.call.input).toEqual({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/driftwarden-dev-orders', Attributes: { KmsMasterKeyId: CMK } });
    expect(step!.undo[0]!.input).toEqual({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/driftwarden-dev-orders', Attributes: { SqsManagedSseEnabled: 'true' } });
  });

  it('switches a table to the configured customer managed key with UpdateTable, and undo returns it to the key DynamoDB owns', () => {
    const [step] = plan(itemResource('dynamodb-table-owned-key'), { parameters: { requireCustomerManagedKey: 'true' }, remediation: { kmsKeyArn: CMK } }).steps;
    expect(step!.call).toEqual({
      service: 'dynamodb',
      operation: 'UpdateTable',
      input: { TableName: 'driftwarden-dev-sessions', SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: CMK } },
    });
    expect(step!.undo).toEqual([{ service: 'dynamodb', operation: 'UpdateTable', input: { TableName: 'driftwarden-dev-sessions', SSESpecification: { Enabled: false } } }]);
  });

  it('changes nothing on a table when no customer managed key is configured, and says what to set', () => {
    const result = plan(itemResource('dynamodb-table-owned-key'), { parameters: { requireCustomerManagedKey: 'true' } });
    expect(result.steps).toEqual([]);
    expect(result.manual?.reason).toContain('remediation.kmsKeyArn');
  });

  it('starts stream encryption with the AWS managed key when no key is configured, and undo stops it', () => {
    const [step] = plan(itemResource('kinesis-stream-unencrypted')).steps;
    expect(step!.call).toEqual({ service: 'kinesis', operation: 'StartStreamEncryption', input: { StreamName: 'driftwarden-dev-clicks', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
    expect(step!.undo).toEqual([{ service: 'kinesis', operation: 'StopStreamEncryption', input: { StreamName: 'driftwarden-dev-clicks', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } }]);
  });

  it('never changes a replication group or a repository automatically: the plan is the runbook', () => {
    const group: Resource = { type: 'AWS::ElastiCache::ReplicationGroup', id: 'driftwarden-dev-sessions-plain', name: 'driftwarden-dev-sessions-plain', region: 'eu-west-1', tags: {}, properties: { encrypted: false } };
    const groupPlan = plan(group);
    expect(groupPlan.steps).toEqual([]);
    expect(groupPlan.manual!.commands.join('\n')).toContain('aws elasticache create-replication-group --replication-group-id driftwarden-dev-sessions-plain-encrypted');
    const repositoryPlan = plan(itemResource('ecr-repository-aes256'), { parameters: { requireCustomerManagedKey: 'true' }, remediation: { kmsKeyArn: CMK } });
    expect(repositoryPlan.steps).toEqual([]);
    expect(repositoryPlan.manual!.commands.join('\n')).toContain(`aws ecr create-repository --repository-name driftwarden/web-kms --encryption-configuration encryptionType=KMS,kmsKey=${CMK}`);
  });

  it('applies the queue plan with SetQueueAttributes', async () => {
    sqs.on(SetQueueAttributesCommand).resolves({});
    const result = await remediation.apply(plan(itemResource('sqs-queue-unencrypted')), clients(), applyOptions());
    expect(result.outcome).toBe('applied');
    expect(sqs).toHaveReceivedCommandWith(SetQueueAttributesCommand, { QueueUrl: QUEUE, Attributes: { SqsManagedSseEnabled: 'true' } });
  });
});
