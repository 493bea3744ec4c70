import { evaluateResource } from '../../lib/evaluate';
import { createLookups, type LookupData } from '../../lib/lookups';
import type { Resource } from '../../lib/model';
import { parseRuleParameters } from '../../lib/rule';
import { readSnapshot } from '../../lib/sources/snapshot';
import { readTerraform } from '../../lib/sources/terraform';
import { RULES } from '../../rules';
import { fixture, NOW } from '../helpers';

/**
 * The same resource as an AWS Config item and as Terraform gets the same verdict from every rule.
 * Each case names Config fixtures (plus the lookups the Config rule handler would load) and the
 * Terraform resources that declare the same thing.
 */

interface TerraformResource {
  type: string;
  name: string;
  values: Record<string, unknown>;
}

function terraformState(resources: TerraformResource[]): unknown {
  return {
    format_version: '1.0',
    terraform_version: '1.9.8',
    values: {
      root_module: {
        resources: resources.map(({ type, name, values }) => ({
          address: `${type}.${name}`,
          mode: 'managed',
          type,
          name,
          provider_name: 'registry.terraform.io/hashicorp/aws',
          schema_version: 0,
          values,
          sensitive_values: {},
        })),
      },
    },
  };
}

const ingress = (protocol: string, port: number, cidrs: string[], ipv6: string[] = [], groups: string[] = [], prefixLists: string[] = [], self = false) => ({
  cidr_blocks: cidrs,
  description: '',
  from_port: port,
  ipv6_cidr_blocks: ipv6,
  prefix_list_ids: prefixLists,
  protocol,
  security_groups: groups,
  self,
  to_port: port,
});

const QUEUE_URL = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/driftwarden-dev-${name}`;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db';
/** A secret with its rotation every 7 days, as Terraform state holds them. */
const ROTATING_SECRET: TerraformResource[] = [
  { type: 'aws_secretsmanager_secret', name: 'db', values: { id: SECRET_ARN, arn: SECRET_ARN, name: 'db' } },
  {
    type: 'aws_secretsmanager_secret_rotation',
    name: 'db',
    values: { id: SECRET_ARN, secret_id: SECRET_ARN, rotation_enabled: true, rotation_lambda_arn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate', rotation_rules: [{ automatically_after_days: 7, duration: '', schedule_expression: '' }] },
  },
];
const ACTIVE_FLOW_LOG = { id: 'fl-0a1b2c3d4e5f67890', vpc_id: 'vpc-0a1b2c3d4e5f60718', traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', eni_id: null, subnet_id: null };
const OTHER_VPC_FLOW_LOG = { ...fixture('config/flow-log.json'), resourceId: 'fl-0ffff', configuration: { ...fixture('config/flow-log.json').configuration, flowLogId: 'fl-0ffff', resourceId: 'vpc-0ther' } };

interface ParityCase {
  rule: string;
  what: string;
  configItems: unknown[];
  configLookups?: LookupData;
  terraform: TerraformResource[];
  /** Rule parameters, when the case needs others than the defaults. */
  parameters?: Record<string, string>;
  compliance: string;
}

const CASES: ParityCase[] = [
  {
    rule: 'vpc-flow-logs',
    what: 'a VPC with an active flow log',
    configItems: [fixture('config/vpc.json'), fixture('config/flow-log.json')],
    terraform: [
      { type: 'aws_vpc', name: 'main', values: { id: 'vpc-0a1b2c3d4e5f60718', cidr_block: '10.0.0.0/16' } },
      { type: 'aws_flow_log', name: 'main', values: ACTIVE_FLOW_LOG },
    ],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'vpc-flow-logs',
    what: 'a VPC without a flow log',
    configItems: [fixture('config/vpc.json'), OTHER_VPC_FLOW_LOG],
    terraform: [
      { type: 'aws_vpc', name: 'main', values: { id: 'vpc-0a1b2c3d4e5f60718', cidr_block: '10.0.0.0/16' } },
      { type: 'aws_flow_log', name: 'other', values: { ...ACTIVE_FLOW_LOG, id: 'fl-0ffff', vpc_id: 'vpc-0ther' } },
    ],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'public-app-ports',
    what: 'a group with 4000, 5173 and ssh open to the world',
    configItems: [fixture('config/sg-public-app.json')],
    terraform: [
      {
        type: 'aws_security_group',
        name: 'app',
        values: {
          id: 'sg-0f1e2d3c4b5a69788',
          name: 'driftwarden-dev-app',
          ingress: [
            ingress('tcp', 5173, ['0.0.0.0/0']),
            ingress('tcp', 4000, ['0.0.0.0/0']),
            ingress('tcp', 22, [], ['::/0']),
            ingress('tcp', 443, ['0.0.0.0/0'], ['::/0']),
            ingress('tcp', 5432, ['10.0.0.0/16']),
            ingress('tcp', 8080, [], [], ['sg-0c0ffee0d15ea5e01']),
            ingress('tcp', 9100, [], [], [], ['pl-0b7e4f5a6c3d2e1f0']),
          ],
        },
      },
    ],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'public-app-ports',
    what: 'a group open to the world on 443 only',
    configItems: [fixture('config/sg-compliant.json')],
    terraform: [
      {
        type: 'aws_security_group',
        name: 'web',
        values: {
          id: 'sg-0aa11bb22cc33dd44',
          name: 'driftwarden-dev-web',
          ingress: [
            ingress('tcp', 443, ['0.0.0.0/0'], ['::/0']),
            ingress('tcp', 5432, ['10.0.0.0/16']),
            ingress('tcp', 8080, [], [], ['sg-0c0ffee0d15ea5e01']),
            { ...ingress('-1', 0, [], [], [], [], true), to_port: 0 },
          ],
        },
      },
    ],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an unencrypted EBS volume',
    configItems: [fixture('config/ebs-volume-unencrypted.json')],
    terraform: [{ type: 'aws_ebs_volume', name: 'data', values: { id: 'vol-0123456789abcdef0', encrypted: false, kms_key_id: '' } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an encrypted EBS volume',
    configItems: [fixture('config/ebs-volume-encrypted.json')],
    terraform: [{ type: 'aws_ebs_volume', name: 'data', values: { id: 'vol-0fedcba9876543210', encrypted: true, kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' } }],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an unencrypted RDS instance',
    configItems: [fixture('config/rds-instance-unencrypted.json')],
    terraform: [{ type: 'aws_db_instance', name: 'main', values: { id: 'db-main', identifier: 'driftwarden-dev-pg', storage_encrypted: false, kms_key_id: '' } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an encrypted RDS cluster',
    configItems: [fixture('config/rds-cluster-encrypted.json')],
    terraform: [
      {
        type: 'aws_rds_cluster',
        name: 'aurora',
        values: { id: 'driftwarden-dev-aurora', cluster_identifier: 'driftwarden-dev-aurora', cluster_resource_id: 'cluster-5QJ7WZ2MKX4RFT8NB3YH6PLVCE', storage_encrypted: true, kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' },
      },
    ],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'a bucket declared without an encryption configuration, which S3 encrypts with SSE-S3 by default',
    configItems: [fixture('config/s3-bucket-sse-s3.json')],
    terraform: [{ type: 'aws_s3_bucket', name: 'artifacts', values: { id: 'driftwarden-dev-artifacts-123456789012', bucket: 'driftwarden-dev-artifacts-123456789012' } }],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'a bucket with SSE-S3',
    configItems: [fixture('config/s3-bucket-sse-s3.json')],
    terraform: [
      { type: 'aws_s3_bucket', name: 'artifacts', values: { id: 'driftwarden-dev-artifacts-123456789012', bucket: 'driftwarden-dev-artifacts-123456789012' } },
      {
        type: 'aws_s3_bucket_server_side_encryption_configuration',
        name: 'artifacts',
        values: { id: 'driftwarden-dev-artifacts-123456789012', bucket: 'driftwarden-dev-artifacts-123456789012', rule: [{ apply_server_side_encryption_by_default: [{ kms_master_key_id: '', sse_algorithm: 'AES256' }], bucket_key_enabled: false }] },
      },
    ],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an SNS topic without a KMS key',
    configItems: [fixture('config/sns-topic-no-kms.json')],
    terraform: [{ type: 'aws_sns_topic', name: 'alerts', values: { id: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts', arn: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts', name: 'driftwarden-dev-alerts', kms_master_key_id: null } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an SNS topic with the AWS managed key',
    configItems: [fixture('config/sns-topic-kms.json')],
    terraform: [{ type: 'aws_sns_topic', name: 'alerts', values: { id: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts-encrypted', name: 'driftwarden-dev-alerts-encrypted', kms_master_key_id: 'alias/aws/sns' } }],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an unencrypted EFS file system',
    configItems: [fixture('config/efs-unencrypted.json')],
    terraform: [{ type: 'aws_efs_file_system', name: 'shared', values: { id: 'fs-0a1b2c3d4e5f67890', encrypted: false, kms_key_id: '' } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'secret-rotation',
    what: 'a secret without rotation',
    configItems: [fixture('config/secret-never-rotated.json')],
    terraform: [{ type: 'aws_secretsmanager_secret', name: 'webhook', values: { id: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/dev/slack-webhook-Ab3dEf', arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/dev/slack-webhook-Ab3dEf', name: 'driftwarden/dev/slack-webhook' } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'secret-rotation',
    what: 'a secret rotating every 7 days',
    configItems: [fixture('config/secret-rotating.json')],
    configLookups: {
      secretRotation: new Map([[fixture('config/secret-rotating.json').resourceId, { lastRotatedDate: new Date(NOW.getTime() - 3 * 86_400_000).toISOString() }]]),
    },
    terraform: ROTATING_SECRET,
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'a bucket without a default encryption rule (SSE-S3, which S3 applies to every bucket)',
    configItems: [fixture('config/s3-bucket-no-encryption-config.json')],
    terraform: [{ type: 'aws_s3_bucket', name: 'legacy', values: { id: 'driftwarden-dev-legacy-123456789012', bucket: 'driftwarden-dev-legacy-123456789012', arn: 'arn:aws:s3:::driftwarden-dev-legacy-123456789012' } }],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'a volume whose key only DescribeKey can tell the owner of: unknown offline, from either source',
    configItems: [fixture('config/ebs-volume-encrypted.json')],
    terraform: [
      {
        type: 'aws_ebs_volume',
        name: 'data',
        values: { id: 'vol-0fedcba9876543210', encrypted: true, kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', availability_zone: 'eu-west-1a', size: 20 },
      },
    ],
    parameters: { requireCustomerManagedKey: 'true' },
    compliance: 'INSUFFICIENT_DATA',
  },
  {
    rule: 'secret-rotation',
    what: 'a secret Config records as rotating as scheduled, with no rotation date to look up',
    configItems: [fixture('config/secret-rotating.json')],
    terraform: ROTATING_SECRET,
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an SQS queue with SSE-SQS',
    configItems: [fixture('config/sqs-queue-sse-sqs.json')],
    terraform: [{ type: 'aws_sqs_queue', name: 'orders', values: { id: QUEUE_URL('orders'), url: QUEUE_URL('orders'), name: 'driftwarden-dev-orders', kms_master_key_id: null, sqs_managed_sse_enabled: true } }],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an SQS queue with encryption turned off',
    configItems: [fixture('config/sqs-queue-unencrypted.json')],
    terraform: [{ type: 'aws_sqs_queue', name: 'jobs', values: { id: QUEUE_URL('legacy-jobs'), url: QUEUE_URL('legacy-jobs'), name: 'driftwarden-dev-legacy-jobs', kms_master_key_id: null, sqs_managed_sse_enabled: false } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'a DynamoDB table with the key DynamoDB owns',
    configItems: [fixture('config/dynamodb-table-owned-key.json')],
    terraform: [{ type: 'aws_dynamodb_table', name: 'sessions', values: { id: 'driftwarden-dev-sessions', name: 'driftwarden-dev-sessions', server_side_encryption: [] } }],
    compliance: 'COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an unencrypted Kinesis stream',
    configItems: [fixture('config/kinesis-stream-unencrypted.json')],
    terraform: [{ type: 'aws_kinesis_stream', name: 'clicks', values: { id: 'arn:aws:kinesis:eu-west-1:123456789012:stream/driftwarden-dev-clicks', name: 'driftwarden-dev-clicks', encryption_type: 'NONE', kms_key_id: null } }],
    compliance: 'NON_COMPLIANT',
  },
  {
    rule: 'encryption-at-rest',
    what: 'an ECR repository with the default AES256',
    configItems: [fixture('config/ecr-repository-aes256.json')],
    terraform: [{ type: 'aws_ecr_repository', name: 'web', values: { id: 'driftwarden/web', name: 'driftwarden/web', encryption_configuration: [{ encryption_type: 'AES256', kms_key: '' }] } }],
    compliance: 'COMPLIANT',
  },
];

function verdict(ruleId: string, resources: Resource[], lookups: ReturnType<typeof createLookups>, parameters: Record<string, string> = {}): string[] {
  const rule = RULES.find((candidate) => candidate.id === ruleId)!;
  const params = parseRuleParameters(rule, parameters);
  return resources
    .filter((resource) => (rule.resourceTypes as readonly string[]).includes(resource.type))
    .map((resource) => evaluateResource(rule, params, resource, lookups, NOW).compliance);
}

describe('Parity: Config item and Terraform', () => {
  it('covers every rule', () => {
    expect(new Set(CASES.map((parityCase) => parityCase.rule))).toEqual(new Set(RULES.map((rule) => rule.id)));
  });

  it.each(CASES.map((parityCase) => [parityCase.rule, parityCase.what, parityCase]))('%s: %s gets the same verdict from both sources', (rule, _what, parityCase) => {
    const snapshot = readSnapshot(parityCase.configItems);
    // The Config rule handler loads what a configuration item lacks (a secret's last rotation) with DescribeSecret.
    const configLookups = parityCase.configLookups ? createLookups(parityCase.configLookups) : snapshot.lookups;
    const terraform = readTerraform(terraformState(parityCase.terraform), 'parity.json');
    expect(verdict(rule, snapshot.resources, configLookups, parityCase.parameters)).toEqual([parityCase.compliance]);
    expect(verdict(rule, terraform.resources, terraform.lookups, parityCase.parameters)).toEqual([parityCase.compliance]);
  });
});
