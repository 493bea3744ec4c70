import { evaluateResource } from '../../lib/evaluate';
import { parseRuleParameters } from '../../lib/rule';
import { readTerraform } from '../../lib/sources/terraform';
import { RULES } from '../../rules';
import { fixture, NOW } from '../helpers';

const plan = readTerraform(fixture('terraform/plan-encrypted-services.json'), 'plan-encrypted-services.json');
const rule = RULES.find((candidate) => candidate.id === 'encryption-at-rest')!;

function verdictOf(address: string, parameters: object = {}) {
  const resource = plan.resources.find((candidate) => candidate.address === address);
  if (!resource) throw new Error(`${address} is not in the plan`);
  return evaluateResource(rule, parseRuleParameters(rule, parameters), resource, plan.lookups, NOW);
}

describe('Terraform plan: the encrypted services added to the catalogue', () => {
  it('reads every queue, table, replication group, stream and repository, and skips only the KMS key', () => {
    expect(plan.resources.map((resource) => resource.type).sort()).toEqual([
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::Table',
      'AWS::ECR::Repository',
      'AWS::ECR::Repository',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::Kinesis::Stream',
      'AWS::Kinesis::Stream',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
    ]);
    expect(plan.skippedTypes).toEqual({ aws_kms_key: 1 });
  });

  it.each([
    ['aws_sqs_queue.sse_sqs', {}, 'COMPLIANT', 'SQS queue orders-sse-sqs is encrypted with SSE-SQS (a key Amazon SQS manages).'],
    ['aws_sqs_queue.plain', {}, 'NON_COMPLIANT', 'SQS queue orders-plain is not encrypted.'],
    ['aws_sqs_queue.kms', {}, 'COMPLIANT', 'SQS queue orders-kms is encrypted with arn:aws:kms:eu-west-1:123456789012:key/0d5f5a4e-2b8e-4a7c-9d1f-6c2b3a4e5f60.'],
    ['aws_sqs_queue.sse_sqs', { requireCustomerManagedKey: 'true' }, 'NON_COMPLIANT', 'SQS queue orders-sse-sqs uses SSE-SQS (a key Amazon SQS manages); a customer managed KMS key is required.'],
    ['aws_dynamodb_table.default', {}, 'COMPLIANT', 'DynamoDB table sessions is encrypted.'],
    ['aws_dynamodb_table.default', { requireCustomerManagedKey: 'true' }, 'NON_COMPLIANT', 'DynamoDB table sessions is encrypted with the AWS managed key; a customer managed KMS key is required.'],
    ['aws_elasticache_replication_group.plain', {}, 'NON_COMPLIANT', 'ElastiCache replication group sessions-plain is not encrypted.'],
    ['aws_elasticache_replication_group.encrypted', {}, 'COMPLIANT', 'ElastiCache replication group sessions-encrypted is encrypted with arn:aws:kms:eu-west-1:123456789012:key/0d5f5a4e-2b8e-4a7c-9d1f-6c2b3a4e5f60.'],
    ['aws_kinesis_stream.plain', {}, 'NON_COMPLIANT', 'Kinesis stream clicks-plain is not encrypted.'],
    ['aws_kinesis_stream.kms', { requireCustomerManagedKey: 'true' }, 'NON_COMPLIANT', 'Kinesis stream clicks-kms is encrypted with the AWS managed key alias/aws/kinesis; a customer managed KMS key is required.'],
    ['aws_ecr_repository.default', {}, 'COMPLIANT', 'ECR repository web is encrypted with AES256 (a key the service manages).'],
    ['aws_ecr_repository.default', { requireCustomerManagedKey: 'true' }, 'NON_COMPLIANT', 'ECR repository web uses AES256 (a key the service manages); a customer managed KMS key is required.'],
  ])('%s with %j is %s', (address, parameters, compliance, annotation) => {
    expect(verdictOf(address, parameters)).toMatchObject({ compliance, annotation });
  });

  it('calls a queue without a key or SSE-SQS setting unknown: SQS decides its encryption at apply', () => {
    expect(verdictOf('aws_sqs_queue.default').compliance).toBe('INSUFFICIENT_DATA');
  });

  it('takes the Redis default for a replication group that does not set at-rest encryption: unencrypted', () => {
    expect(verdictOf('aws_elasticache_replication_group.unset')).toMatchObject({ compliance: 'NON_COMPLIANT', annotation: 'ElastiCache replication group sessions-unset is not encrypted.' });
  });

  it('knows a DynamoDB table with SSE on and no key written uses the AWS managed key', () => {
    expect(verdictOf('aws_dynamodb_table.aws_managed', { requireCustomerManagedKey: 'true' })).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation: 'DynamoDB table carts is encrypted with the AWS managed key alias/aws/dynamodb; a customer managed KMS key is required.',
    });
  });

  it('accepts a queue encrypted with a key the same plan creates, which is customer managed', () => {
    expect(verdictOf('aws_sqs_queue.new_key').compliance).toBe('COMPLIANT');
    expect(verdictOf('aws_sqs_queue.new_key', { requireCustomerManagedKey: 'true' })).toMatchObject({ compliance: 'COMPLIANT', annotation: 'SQS queue orders-new-key is encrypted with aws_kms_key.data.' });
    expect(verdictOf('aws_sqs_queue.new_key', { kmsKeyArns: 'arn:aws:kms:eu-west-1:123456789012:key/0d5f5a4e-2b8e-4a7c-9d1f-6c2b3a4e5f60' }).compliance).toBe('INSUFFICIENT_DATA');
  });
});
