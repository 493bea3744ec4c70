import { z } from 'zod';
import { ENCRYPTED_RESOURCE_TYPES, type EncryptedResourceType, type ResourceOf, type ResourceType } from '../lib/model';
import { booleanString, keyArnList } from '../lib/parameters';
import { defineRule, type EvaluationContext, type RuleResult } from '../lib/rule';

const LABELS: Record<EncryptedResourceType, string> = {
  'AWS::EC2::Volume': 'EBS volume',
  'AWS::RDS::DBInstance': 'RDS instance',
  'AWS::RDS::DBCluster': 'RDS cluster',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::Logs::LogGroup': 'Log group',
  'AWS::EFS::FileSystem': 'EFS file system',
};

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

function checkKey(
  label: string,
  resource: ResourceOf<EncryptedResourceType>,
  params: Params,
  context: EvaluationContext,
): RuleResult {
  const { kmsKeyId, algorithm } = resource.properties;
  const keyRestricted = params.requireCustomerManagedKey || params.kmsKeyArns !== undefined;
  const requirement = params.kmsKeyArns ? 'a key from kmsKeyArns' : 'a customer managed KMS key';
  if (algorithm === 'AES256') {
    if (keyRestricted) {
      return { compliance: 'NON_COMPLIANT', annotation: `${label} uses SSE-S3 (AES256); ${requirement} is required.` };
    }
    return { compliance: 'COMPLIANT', annotation: `${label} is encrypted with SSE-S3 (AES256).` };
  }
  // A key created in the same plan is unknown until apply: it is not the AWS managed key, nor proven acceptable.
  if (keyRestricted && resource.unknown?.includes('kmsKeyId')) {
    return {
      compliance: 'NON_COMPLIANT',
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
        compliance: 'NON_COMPLIANT',
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
  // AWS Config does not record log groups; the periodic sweep reads them from the Logs API.
  sweepOnlyResourceTypes: ['AWS::Logs::LogGroup'],
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
    ],
    securityHub: ['EC2.3', 'RDS.3', 'RDS.27', 'S3.17', 'SNS.1', 'EFS.1'],
  },
  remediation: 'enable-encryption',
  lookups: ['keyManager'],
  permissions: ['kms:DescribeKey'],
  evaluate(resource: ResourceOf<EncryptedResourceType>, params, context) {
    const label = `${LABELS[resource.type]} ${resource.name ?? resource.id}`;
    const encryption = resource.properties;
    if (encryption.encrypted === undefined) {
      return {
        compliance: 'NON_COMPLIANT',
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
