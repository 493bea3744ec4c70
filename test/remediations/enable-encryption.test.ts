import 'aws-sdk-client-mock-jest';
import { CloudWatchLogsClient, AssociateKmsKeyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client, EnableEbsEncryptionByDefaultCommand, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { Resource, ResourceOf } from '../../lib/model';
import type { AnyRemediation } from '../../lib/remediation/plan';
import enableEncryption from '../../remediations/enable-encryption';
import { itemResource } from '../helpers';
import { applyOptions, awsError, clients, planInput, STACK } from './support';

/** Fed what the registry feeds it: any resource, parameters and matches. */
const remediation: AnyRemediation = enableEncryption;

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const logs = mockClient(CloudWatchLogsClient);
beforeEach(() => {
  ec2.reset();
  s3.reset();
  logs.reset();
});

const CMK = 'arn:aws:kms:eu-west-1:123456789012:key/5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';
const BUCKET = 'driftwarden-dev-legacy-123456789012';

function plan(resource: Resource, options: Parameters<typeof planInput>[2] = {}) {
  return remediation.plan(planInput('encryption-at-rest', resource, options));
}

const logGroup: ResourceOf<'AWS::Logs::LogGroup'> = {
  type: 'AWS::Logs::LogGroup',
  id: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders:*',
  region: 'eu-west-1',
  tags: {},
  properties: { encrypted: false },
};

/** A bucket as S3 reported it before January 2023, when a bucket could have no default encryption. */
const unencryptedBucket = () => ({ ...itemResource('s3-bucket-no-encryption-config'), properties: { encrypted: false } }) as Resource;

describe('Remediation: enable-encryption', () => {
  describe('plan', () => {
    it('sets SSE-S3 default encryption on a bucket without a configured key, and undo removes it again', () => {
      const result = plan(unencryptedBucket());
      expect(result.steps).toEqual([
        {
          description: `Set default encryption of ${BUCKET} to SSE-S3 (AES256)`,
          call: {
            service: 's3',
            operation: 'PutBucketEncryption',
            input: { Bucket: BUCKET, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } },
          },
          undo: [{ service: 's3', operation: 'DeleteBucketEncryption', input: { Bucket: BUCKET } }],
        },
      ]);
    });

    it('uses SSE-KMS with the configured key and a bucket key, and undo restores SSE-S3', () => {
      const result = plan(itemResource('s3-bucket-sse-s3'), { parameters: { requireCustomerManagedKey: 'true' }, remediation: { kmsKeyArn: CMK } });
      expect(result.steps[0]!.call.input).toEqual({
        Bucket: 'driftwarden-dev-artifacts-123456789012',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: CMK }, BucketKeyEnabled: true }] },
      });
      expect(result.steps[0]!.undo[0]!.input).toEqual({
        Bucket: 'driftwarden-dev-artifacts-123456789012',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
    });

    it.each([
      [{ requireCustomerManagedKey: 'true' }, {}, 'the rule requires a customer managed key and none is configured (remediation.kmsKeyArn)'],
      [{ kmsKeyArns: CMK }, { kmsKeyArn: STACK.kmsKeyArn }, `remediation.kmsKeyArn ${STACK.kmsKeyArn} is not one of the rule's kmsKeyArns (${CMK})`],
    ])('changes nothing when no key would satisfy the rule (%j)', (parameters, settings, problem) => {
      const result = plan(itemResource('s3-bucket-sse-s3'), { parameters, remediation: settings });
      expect(result.steps).toEqual([]);
      expect(result.manual?.reason).toBe(problem);
    });

    it('takes the first of the rule\'s allowed keys when none is configured', () => {
      const result = plan(unencryptedBucket(), { parameters: { kmsKeyArns: CMK } });
      expect(result.steps[0]!.call.input).toMatchObject({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { KMSMasterKeyID: CMK } }] } });
    });

    it('encrypts a topic with the stack key, and undo clears the key again', () => {
      const result = plan(itemResource('sns-topic-no-kms'));
      const topic = 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts';
      expect(result.steps[0]!.call).toEqual({ service: 'sns', operation: 'SetTopicAttributes', input: { TopicArn: topic, AttributeName: 'KmsMasterKeyId', AttributeValue: STACK.kmsKeyArn } });
      expect(result.steps[0]!.undo).toEqual([{ service: 'sns', operation: 'SetTopicAttributes', input: { TopicArn: topic, AttributeName: 'KmsMasterKeyId', AttributeValue: '' } }]);
    });

    it('moves a topic off the AWS managed key when a customer managed key is required, and undo puts it back', () => {
      const result = plan(itemResource('sns-topic-kms'), { parameters: { requireCustomerManagedKey: 'true' } });
      expect(result.steps[0]!.undo[0]!.input).toMatchObject({ AttributeValue: 'alias/aws/sns' });
    });

    it('associates the stack key with a log group given by ARN', () => {
      const result = plan(logGroup);
      expect(result.steps[0]!.call).toEqual({ service: 'logs', operation: 'AssociateKmsKey', input: { logGroupName: '/aws/lambda/orders', kmsKeyId: STACK.kmsKeyArn } });
      expect(result.steps[0]!.undo).toEqual([{ service: 'logs', operation: 'DisassociateKmsKey', input: { logGroupName: '/aws/lambda/orders' } }]);
    });

    it('turns on EBS encryption by default for an unencrypted volume, and gives the volume\'s runbook', () => {
      const result = plan(itemResource('ebs-volume-unencrypted'));
      expect(result.steps.map((step) => [step.call.operation, step.undo.map((call) => call.operation)])).toEqual([
        ['EnableEbsEncryptionByDefault', ['DisableEbsEncryptionByDefault']],
      ]);
      expect(result.keeps).toContain('vol-0123456789abcdef0 and its data are not touched');
      expect(result.manual?.commands).toContain(
        'SNAPSHOT_ID=$(aws ec2 create-snapshot --volume-id vol-0123456789abcdef0 --description "vol-0123456789abcdef0 before encryption" --query SnapshotId --output text --region eu-west-1)',
      );
      expect(result.manual?.commands).toContain('aws ec2 detach-volume --volume-id vol-0123456789abcdef0 --region eu-west-1');
    });

    it.each([
      ['rds-instance-unencrypted', 'aws rds create-db-snapshot --db-instance-identifier driftwarden-dev-pg --db-snapshot-identifier driftwarden-dev-pg-pre-encryption --region eu-west-1'],
      ['rds-instance-unencrypted', 'aws rds copy-db-snapshot --source-db-snapshot-identifier driftwarden-dev-pg-pre-encryption --target-db-snapshot-identifier driftwarden-dev-pg-encrypted --kms-key-id alias/aws/rds --region eu-west-1'],
      ['efs-unencrypted', 'aws efs delete-file-system --file-system-id fs-0a1b2c3d4e5f67890 --region eu-west-1'],
    ])('never changes %s automatically: the plan is a runbook with its real ids', (fixtureName, command) => {
      const result = plan(itemResource(fixtureName));
      expect(result.steps).toEqual([]);
      expect(result.summary).toMatch(/cannot be encrypted in place; nothing is changed automatically/);
      expect(result.manual?.commands).toContain(command);
    });

    it('writes the cluster runbook with the cluster identifier, not its resource id', () => {
      const cluster: ResourceOf<'AWS::RDS::DBCluster'> = { ...(itemResource('rds-cluster-encrypted') as ResourceOf<'AWS::RDS::DBCluster'>), properties: { encrypted: false } };
      const result = plan(cluster, { remediation: { kmsKeyArn: CMK } });
      expect(result.manual?.commands).toContain(
        `aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier driftwarden-dev-aurora-pre-encryption --target-db-cluster-snapshot-identifier driftwarden-dev-aurora-encrypted --kms-key-id ${CMK} --region eu-west-1`,
      );
      expect(result.manual?.commands.join('\n')).not.toContain('cluster-5QJ7WZ2MKX4RFT8NB3YH6PLVCE');
    });
  });

  describe('apply', () => {
    it('puts the bucket encryption exactly as planned', async () => {
      s3.on(PutBucketEncryptionCommand).resolves({});
      const result = await remediation.apply(plan(unencryptedBucket()), clients(), applyOptions());
      expect(s3).toHaveReceivedCommandWith(PutBucketEncryptionCommand, { Bucket: BUCKET });
      expect(result).toMatchObject({ outcome: 'applied', undo: [{ operation: 'DeleteBucketEncryption' }] });
    });

    it('turns EBS encryption by default on when it is off', async () => {
      ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
      ec2.on(EnableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
      const result = await remediation.apply(plan(itemResource('ebs-volume-unencrypted')), clients(), applyOptions());
      expect(result.outcome).toBe('applied');
      expect(result.undo).toEqual([{ service: 'ec2', operation: 'DisableEbsEncryptionByDefault', input: {} }]);
    });

    it('leaves EBS encryption by default alone when it is already on, so undo can never turn it off', async () => {
      ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
      const result = await remediation.apply(plan(itemResource('ebs-volume-unencrypted')), clients(), applyOptions());
      expect(result).toMatchObject({ outcome: 'already-fixed', undo: [] });
      expect(ec2).not.toHaveReceivedCommand(EnableEbsEncryptionByDefaultCommand);
    });

    it('fails with the KMS problem CloudWatch Logs reports', async () => {
      logs.on(AssociateKmsKeyCommand).rejects(awsError('InvalidParameterException', 'The specified KMS key does not exist or is not allowed to be used with Arn'));
      const result = await remediation.apply(plan(logGroup), clients(), applyOptions());
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, undo: [] });
      expect(result.message).toContain('AssociateKmsKey failed: InvalidParameterException: The specified KMS key does not exist');
    });
  });
});
