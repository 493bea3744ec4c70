import { z } from 'zod';
import { ENCRYPTED_RESOURCE_TYPES, type EncryptedResourceType, type ResourceOf, type ResourceType } from '../lib/model';
import { definitionOf } from '../resources';
import { SQS_MANAGED_SSE } from '../resources/sqs-queue';
import { booleanString, keyArnList } from '../lib/parameters';
import { defineRule, type EvaluationContext, type RuleResult } from '../lib/rule';

/** SNS topics and log groups count as encrypted only with a KMS key, as their managed rules judge. */
const KMS_KEY_REQUIRED = new Set<ResourceType>(['AWS::SNS::Topic', 'AWS::Logs::LogGroup']);

const parameters = z.object({
  requireCustomerManagedKey: booleanString.default('false'),
  kmsKeyArns: keyArnList.optional(),
});
type Params = z.output<typeof parameters>;

/** The part of a key reference that identifies it: `key/<uuid>` or `alias/<name>`. */
function keyIdentity(keyRef: string): string {
  const match = /(key\/[\w-]+|alias\/[\w/-]+)$/.exec(keyRef);
  if (match) return match[1]!;
  return /^[0-9a-f-]{36}$/i.test(keyRef) ? `key/${keyRef}` : keyRef;
}

/** Encryption with a key the service itself manages (no KMS key of the account's), in words. */
function serviceManagedEncryption(resource: ResourceOf<EncryptedResourceType>): string | undefined {
  const { algorithm } = resource.properties;
  if (algorithm === 'AES256') return resource.type === 'AWS::S3::Bucket' ? 'SSE-S3 (AES256)' : 'AES256 (a key the service manages)';
  if (algorithm === SQS_MANAGED_SSE) return 'SSE-SQS (a key Amazon SQS manages)';
  return undefined;
}

function checkKey(
  label: string,
  resource: ResourceOf<EncryptedResourceType>,
  params: Params,
  context: EvaluationContext,
): RuleResult {
  const { kmsKeyId } = resource.properties;
  const keyRestricted = params.requireCustomerManagedKey || params.kmsKeyArns !== undefined;
  const requirement = params.kmsKeyArns ? 'a key from kmsKeyArns' : 'a customer managed KMS key';
  const serviceManaged = serviceManagedEncryption(resource);
  if (serviceManaged) {
    if (keyRestricted) {
      return { compliance: 'NON_COMPLIANT', annotation: `${label} uses ${serviceManaged}; ${requirement} is required.` };
    }
    return { compliance: 'COMPLIANT', annotation: `${label} is encrypted with ${serviceManaged}.` };
  }
  // A key known only after apply cannot be matched against key ARNs; its manager may still be known
  // from what the configuration names (a key the same plan creates).
  const keyUnknown = resource.unknown?.includes('kmsKeyId') === true;
  if ((params.kmsKeyArns !== undefined || kmsKeyId === undefined) && keyRestricted && keyUnknown) {
    return {
      compliance: 'INSUFFICIENT_DATA',
      annotation: `${label}: its KMS key is not known until apply, so ${requirement} cannot be confirmed.`,
    };
  }
  if (params.kmsKeyArns) {
    const allowed = new Set(params.kmsKeyArns.map(keyIdentity));
    if (!kmsKeyId || !allowed.has(keyIdentity(kmsKeyId))) {
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `${label} is encrypted with ${kmsKeyId ?? 'the AWS managed key'}, which is not one of the allowed kmsKeyArns.`,
      };
    }
    return { compliance: 'COMPLIANT', annotation: `${label} is encrypted with allowed key ${kmsKeyId}.` };
  }
  if (params.requireCustomerManagedKey) {
    const manager = kmsKeyId ? context.keyManager(kmsKeyId) : 'AWS';
    if (manager === undefined) {
      return {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `${label} is encrypted with ${kmsKeyId}, but whether that key is customer managed could not be looked up.`,
      };
    }
    if (manager === 'AWS') {
      return {
        compliance: 'NON_COMPLIANT',
        annotation: `${label} is encrypted with the AWS managed key ${kmsKeyId ?? ''}`.trimEnd() + '; a customer managed KMS key is required.',
      };
    }
  }
  return { compliance: 'COMPLIANT', annotation: `${label} is encrypted${kmsKeyId ? ` with ${kmsKeyId}` : ''}.` };
}

export default defineRule({
  id: 'encryption-at-rest',
  title: 'Storage resources are encrypted at rest, with a customer managed KMS key where required',
  severity: 'high',
  resourceTypes: ENCRYPTED_RESOURCE_TYPES,
  // Types AWS Config does not record (log groups): the periodic sweep reads them from their APIs.
  sweepOnlyResourceTypes: ENCRYPTED_RESOURCE_TYPES.filter((type) => !definitionOf(type).recordedByConfig),
  triggers: ['change', 'periodic'],
  parameters,
  references: {
    configManagedRule: [
      'encrypted-volumes',
      'rds-storage-encrypted',
      'rds-cluster-encryption-at-rest',
      's3-bucket-server-side-encryption-enabled',
      'sns-encrypted-kms',
      'cloudwatch-log-group-encrypted',
      'efs-encrypted-check',
      'dynamodb-table-encrypted-kms',
      'elasticache-repl-grp-encrypted-at-rest',
      'kinesis-stream-encrypted',
      'ecr-repository-cmk-encryption-enabled',
    ],
    securityHub: ['EC2.3', 'RDS.3', 'RDS.27', 'S3.17', 'SNS.1', 'EFS.1', 'SQS.1', 'ElastiCache.4', 'Kinesis.1', 'ECR.5'],
  },
  remediation: 'enable-encryption',
  lookups: ['keyManager'],
  terraformAttributes: [
    'kms_key_id',
    'kms_master_key_id',
    'kms_key',
    'encrypted',
    'storage_encrypted',
    'at_rest_encryption_enabled',
    'encryption_type',
    'sqs_managed_sse_enabled',
    'server_side_encryption',
    'encryption_configuration',
  ],
  evaluate(resource: ResourceOf<EncryptedResourceType>, params, context) {
    const label = `${definitionOf(resource.type).label} ${resource.name ?? resource.id}`;
    const encryption = resource.properties;
    if (encryption.encrypted === undefined) {
      return {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `${label}: encryption is not known until apply, so it cannot be confirmed; set it explicitly.`,
      };
    }
    if (!encryption.encrypted) {
      const missing = KMS_KEY_REQUIRED.has(resource.type)
        ? 'has no KMS key, so it is not encrypted with a key you control'
        : resource.type === 'AWS::S3::Bucket'
          ? 'has no default encryption'
          : 'is not encrypted';
      return { compliance: 'NON_COMPLIANT', annotation: `${label} ${missing}.` };
    }
    return checkKey(label, resource, params, context);
  },
});
