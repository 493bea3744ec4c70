import { evaluateResource } from '../../lib/evaluate';
import type { EncryptionProperties, KeyManager, Resource, ResourceOf } from '../../lib/model';
import { parseRuleParameters, recordedResourceTypes, type AnyRule } from '../../lib/rule';
import encryptionAtRest from '../../rules/encryption-at-rest';
import { itemResource, lookups, NOW } from '../helpers';

/** Run as the registry runs it: on any resource, with parameters parsed from settings. */
const rule: AnyRule = encryptionAtRest;

type EncryptedResource = ResourceOf<
  | 'AWS::EC2::Volume'
  | 'AWS::RDS::DBInstance'
  | 'AWS::RDS::DBCluster'
  | 'AWS::S3::Bucket'
  | 'AWS::SNS::Topic'
  | 'AWS::Logs::LogGroup'
  | 'AWS::EFS::FileSystem'
>;

const ACCOUNT_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const AWS_EBS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928';
const S3_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';

function fromItem(name: string): EncryptedResource {
  return itemResource(name) as EncryptedResource;
}

function withEncryption(resource: EncryptedResource, properties: EncryptionProperties, unknown?: string[]): EncryptedResource {
  return { ...resource, properties, ...(unknown && { unknown }) } as EncryptedResource;
}

/** Log groups are not recorded by AWS Config: the sweep reads them from the Logs API into this shape. */
function logGroup(kmsKeyId?: string): EncryptedResource {
  return {
    type: 'AWS::Logs::LogGroup',
    id: '/aws/lambda/driftwarden-dev-rule',
    arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/driftwarden-dev-rule',
    tags: {},
    properties: { encrypted: kmsKeyId !== undefined, ...(kmsKeyId && { kmsKeyId }) },
  };
}

function run(resource: EncryptedResource, parameters: unknown = {}, keyManagers: Record<string, KeyManager> = {}) {
  const context = { ...lookups({ keyManagers: new Map(Object.entries(keyManagers)) }), now: NOW };
  return rule.evaluate(resource, parseRuleParameters(rule, parameters), context);
}

describe('Rule: encryption-at-rest', () => {
  it.each([
    ['an encrypted EBS volume', () => fromItem('ebs-volume-encrypted'), `EBS volume vol-0fedcba9876543210 is encrypted with ${ACCOUNT_KEY}.`],
    ['an encrypted Aurora cluster', () => fromItem('rds-cluster-encrypted'), 'RDS cluster driftwarden-dev-aurora is encrypted with arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.'],
    ['an RDS instance with encrypted storage', () => withEncryption(fromItem('rds-instance-unencrypted'), { encrypted: true, kmsKeyId: ACCOUNT_KEY }), `RDS instance driftwarden-dev-pg is encrypted with ${ACCOUNT_KEY}.`],
    ['a bucket with SSE-S3 default encryption', () => fromItem('s3-bucket-sse-s3'), 'S3 bucket driftwarden-dev-artifacts-123456789012 is encrypted with SSE-S3 (AES256).'],
    ['a bucket with SSE-KMS default encryption', () => fromItem('s3-bucket-sse-kms'), `S3 bucket driftwarden-dev-reports-123456789012 is encrypted with ${S3_KEY}.`],
    ['a bucket with DSSE-KMS default encryption', () => withEncryption(fromItem('s3-bucket-sse-kms'), { encrypted: true, algorithm: 'aws:kms:dsse', kmsKeyId: S3_KEY }), `S3 bucket driftwarden-dev-reports-123456789012 is encrypted with ${S3_KEY}.`],
    ['a topic with the AWS managed SNS key', () => fromItem('sns-topic-kms'), 'SNS topic driftwarden-dev-alerts-encrypted is encrypted with alias/aws/sns.'],
    ['a log group with a KMS key', () => logGroup(ACCOUNT_KEY), `Log group /aws/lambda/driftwarden-dev-rule is encrypted with ${ACCOUNT_KEY}.`],
    ['an encrypted EFS file system', () => fromItem('efs-encrypted'), 'EFS file system fs-0b2c3d4e5f6a78901 is encrypted with arn:aws:kms:eu-west-1:123456789012:key/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f.'],
  ])('passes %s at the bar of its AWS managed rule', (_case, resource, annotation) => {
    expect(run(resource())).toEqual({ compliance: 'COMPLIANT', annotation });
  });

  it.each([
    ['an unencrypted EBS volume', () => fromItem('ebs-volume-unencrypted'), 'EBS volume vol-0123456789abcdef0 is not encrypted.'],
    ['an RDS instance with unencrypted storage', () => fromItem('rds-instance-unencrypted'), 'RDS instance driftwarden-dev-pg is not encrypted.'],
    ['an unencrypted RDS cluster', () => withEncryption(fromItem('rds-cluster-encrypted'), { encrypted: false }), 'RDS cluster driftwarden-dev-aurora is not encrypted.'],
    ['a topic without a KMS key', () => fromItem('sns-topic-no-kms'), 'SNS topic driftwarden-dev-alerts has no KMS key, so it is not encrypted with a key you control.'],
    ['a log group without a KMS key', () => logGroup(), 'Log group /aws/lambda/driftwarden-dev-rule has no KMS key, so it is not encrypted with a key you control.'],
    ['an unencrypted EFS file system', () => fromItem('efs-unencrypted'), 'EFS file system fs-0a1b2c3d4e5f67890 is not encrypted.'],
  ])('flags %s', (_case, resource, annotation) => {
    expect(run(resource())).toEqual({ compliance: 'NON_COMPLIANT', annotation });
  });

  describe('with requireCustomerManagedKey', () => {
    const parameters = { requireCustomerManagedKey: 'true' };

    it.each([
      ['the AWS managed SNS key, known by its alias', () => fromItem('sns-topic-kms'), {}, 'SNS topic driftwarden-dev-alerts-encrypted is encrypted with the AWS managed key alias/aws/sns; a customer managed KMS key is required.'],
      ['an AWS managed key given by alias ARN', () => withEncryption(fromItem('ebs-volume-encrypted'), { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:alias/aws/ebs' }), {}, 'EBS volume vol-0fedcba9876543210 is encrypted with the AWS managed key arn:aws:kms:eu-west-1:123456789012:alias/aws/ebs; a customer managed KMS key is required.'],
      ['a key ARN that KMS reports as AWS managed', () => withEncryption(fromItem('ebs-volume-encrypted'), { encrypted: true, kmsKeyId: AWS_EBS_KEY }), { [AWS_EBS_KEY]: 'AWS' as const }, `EBS volume vol-0fedcba9876543210 is encrypted with the AWS managed key ${AWS_EBS_KEY}; a customer managed KMS key is required.`],
      ['SSE-KMS without a key id (the aws/s3 key)', () => withEncryption(fromItem('s3-bucket-sse-kms'), { encrypted: true, algorithm: 'aws:kms' }), {}, 'S3 bucket driftwarden-dev-reports-123456789012 is encrypted with the AWS managed key; a customer managed KMS key is required.'],
      ['SSE-S3', () => fromItem('s3-bucket-sse-s3'), {}, 'S3 bucket driftwarden-dev-artifacts-123456789012 uses SSE-S3 (AES256); a customer managed KMS key is required.'],
    ])('flags %s', (_case, resource, keyManagers, annotation) => {
      expect(run(resource(), parameters, keyManagers)).toEqual({ compliance: 'NON_COMPLIANT', annotation });
    });

    it.each([
      ['an EBS volume', () => fromItem('ebs-volume-encrypted'), ACCOUNT_KEY],
      ['a bucket with SSE-KMS', () => fromItem('s3-bucket-sse-kms'), S3_KEY],
      ['a log group', () => logGroup(ACCOUNT_KEY), ACCOUNT_KEY],
      ['a topic under a customer alias that merely starts with "aws"', () => withEncryption(fromItem('sns-topic-kms'), { encrypted: true, kmsKeyId: 'alias/aws-alerts' }), 'alias/aws-alerts'],
    ])('passes %s whose key KMS reports as customer managed', (_case, resource, key) => {
      expect(run(resource(), parameters, { [key]: 'CUSTOMER' }).compliance).toBe('COMPLIANT');
    });

    it('gives an unknown verdict when the key manager could not be looked up, instead of guessing', () => {
      expect(run(fromItem('ebs-volume-encrypted'), parameters)).toEqual({
        compliance: 'INSUFFICIENT_DATA',
        annotation: `EBS volume vol-0fedcba9876543210 is encrypted with ${ACCOUNT_KEY}, but whether that key is customer managed could not be looked up.`,
      });
    });

    it('does not call a key that is unknown until apply AWS managed: its owner is unknown', () => {
      const planned = withEncryption(fromItem('ebs-volume-encrypted'), { encrypted: true }, ['kmsKeyId']);
      expect(run(planned, parameters)).toEqual({
        compliance: 'INSUFFICIENT_DATA',
        annotation: 'EBS volume vol-0fedcba9876543210: its KMS key is not known until apply, so a customer managed KMS key cannot be confirmed.',
      });
    });
  });

  describe('with kmsKeyArns', () => {
    it.each([
      ['the exact key ARN', ACCOUNT_KEY, ACCOUNT_KEY],
      ['a bare key id of an allowed ARN', '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', ACCOUNT_KEY],
      ['an alias name of an allowed alias ARN', 'alias/driftwarden-data', 'arn:aws:kms:eu-west-1:123456789012:alias/driftwarden-data'],
    ])('accepts %s', (_case, recorded, allowed) => {
      const volume = withEncryption(fromItem('ebs-volume-encrypted'), { encrypted: true, kmsKeyId: recorded });
      expect(run(volume, { kmsKeyArns: `${S3_KEY}, ${allowed}` }).compliance).toBe('COMPLIANT');
    });

    it.each([
      ['another key', () => fromItem('ebs-volume-encrypted'), `EBS volume vol-0fedcba9876543210 is encrypted with ${ACCOUNT_KEY}, which is not one of the allowed kmsKeyArns.`],
      ['the AWS managed key of SSE-KMS', () => withEncryption(fromItem('s3-bucket-sse-kms'), { encrypted: true, algorithm: 'aws:kms' }), 'S3 bucket driftwarden-dev-reports-123456789012 is encrypted with the AWS managed key, which is not one of the allowed kmsKeyArns.'],
      ['SSE-S3', () => fromItem('s3-bucket-sse-s3'), 'S3 bucket driftwarden-dev-artifacts-123456789012 uses SSE-S3 (AES256); a key from kmsKeyArns is required.'],
    ])('flags %s', (_case, resource, annotation) => {
      expect(run(resource(), { kmsKeyArns: S3_KEY.replace('2b3c', '9999') })).toEqual({ compliance: 'NON_COMPLIANT', annotation });
    });

    it('gives an unknown verdict for a key unknown until apply', () => {
      const planned = withEncryption(fromItem('ebs-volume-encrypted'), { encrypted: true }, ['kmsKeyId']);
      expect(run(planned, { kmsKeyArns: S3_KEY })).toEqual({
        compliance: 'INSUFFICIENT_DATA',
        annotation: 'EBS volume vol-0fedcba9876543210: its KMS key is not known until apply, so a key from kmsKeyArns cannot be confirmed.',
      });
    });
  });

  it('gives an unknown verdict for encryption that is unknown until apply', () => {
    const planned = withEncryption(fromItem('ebs-volume-encrypted'), {}, ['encrypted', 'kmsKeyId']);
    expect(run(planned)).toEqual({
      compliance: 'INSUFFICIENT_DATA',
      annotation: 'EBS volume vol-0fedcba9876543210: encryption is not known until apply, so it cannot be confirmed; set it explicitly.',
    });
  });

  it('accepts an encrypted resource whose key is unknown until apply when any key will do', () => {
    const planned = withEncryption(fromItem('ebs-volume-encrypted'), { encrypted: true }, ['kmsKeyId']);
    expect(run(planned).compliance).toBe('COMPLIANT');
  });

  it('is not applicable to a resource type it does not evaluate', () => {
    const vpc: Resource = itemResource('vpc');
    expect(evaluateResource(rule, parseRuleParameters(rule, {}), vpc, lookups(), NOW)).toMatchObject({ compliance: 'NOT_APPLICABLE' });
  });

  it('leaves log groups, which AWS Config does not record, out of its change-triggered scope', () => {
    expect(rule.sweepOnlyResourceTypes).toEqual(['AWS::Logs::LogGroup', 'AWS::ElastiCache::ReplicationGroup']);
    expect(recordedResourceTypes(rule)).not.toContain('AWS::Logs::LogGroup');
    expect(rule.triggers).toEqual(expect.arrayContaining(['change', 'periodic']));
  });

  it.each([
    [{ requireCustomerManagedKey: 'yes' }, /parameter "requireCustomerManagedKey"/],
    [{ kmsKeyArns: 'alias/my-key' }, /parameter "kmsKeyArns.0": expected a KMS key or alias ARN/],
    [{ kmsKeyArn: ACCOUNT_KEY }, /unknown parameter "kmsKeyArn"/],
  ])('rejects bad parameters %j with an error naming the parameter', (parameters, message) => {
    expect(() => parseRuleParameters(rule, parameters)).toThrow(message);
  });
});
