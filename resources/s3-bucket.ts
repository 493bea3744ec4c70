import { describeAwsError, hasErrorName } from '../lib/aws/aws-errors';
import type { AwsClients } from '../lib/aws/clients';
import { mapWithConcurrency } from '../lib/aws/concurrency';
import { DEFAULT_PER_RESOURCE_CONCURRENCY, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, type Tags } from '../lib/aws/listing';
import { ResourceReadError } from '../lib/errors';
import { defineResourceType, type EncryptionProperties, type LiveContext, type TerraformInstance, type TerraformModel, type TerraformPlanFacts, type TypedResource } from '../lib/resource-type';
import { asArray, asObject, asString } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 10000;

/**
 * S3 has applied SSE-S3 to every bucket since January 2023 and it cannot be turned off: a bucket
 * without a default encryption rule (an older API answer or recording) is encrypted with SSE-S3.
 */
const SSE_S3: EncryptionProperties = { encrypted: true, algorithm: 'AES256' };

function bucketArn(name: string): string {
  return `arn:aws:s3:::${name}`;
}

/**
 * A bucket's default encryption, from GetBucketEncryption: the one per-resource call AWS forces, as
 * no list call returns it. `undefined` when the bucket is gone.
 */
async function readEncryption(clients: AwsClients, bucket: string): Promise<EncryptionProperties | undefined> {
  try {
    const s3 = await clients.s3();
    const response = await s3.client.send(new s3.GetBucketEncryptionCommand({ Bucket: bucket }));
    const byDefault = response.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    if (!byDefault?.SSEAlgorithm) return SSE_S3;
    return { encrypted: true, algorithm: byDefault.SSEAlgorithm, ...(byDefault.KMSMasterKeyID !== undefined && { kmsKeyId: byDefault.KMSMasterKeyID }) };
  } catch (error) {
    if (hasErrorName(error, ['ServerSideEncryptionConfigurationNotFoundError'])) return SSE_S3;
    if (hasErrorName(error, ['NoSuchBucket'])) return undefined;
    throw new ResourceReadError(`Could not read the default encryption of S3 bucket ${bucket}: ${describeAwsError(error)}`, { cause: error });
  }
}

function fromApi(name: string, encryption: EncryptionProperties, tags: Tags, context: LiveContext): TypedResource<'AWS::S3::Bucket', EncryptionProperties> {
  return {
    type: 'AWS::S3::Bucket',
    id: name,
    name,
    arn: bucketArn(name),
    ...(context.accountId !== undefined && { accountId: context.accountId }),
    region: context.region,
    tags,
    properties: encryption,
  };
}

const BUCKET_KEY_PATH = ['rule', 'apply_server_side_encryption_by_default', 'kms_master_key_id'];

function terraformEncryption(sse: TerraformInstance | undefined, plan: TerraformPlanFacts): TerraformModel<EncryptionProperties> {
  // S3 has applied SSE-S3 to every new bucket since January 2023, so a bucket declared without an
  // encryption configuration is created encrypted with SSE-S3, exactly what AWS Config will record.
  if (!sse) return { properties: SSE_S3, unknown: [] };
  const rule = asObject(asArray(sse.values.rule)[0]);
  const byDefault = asObject(asArray(rule.apply_server_side_encryption_by_default)[0]);
  const unknownByDefault = asObject(asArray(asObject(asArray(sse.unknown.rule)[0]).apply_server_side_encryption_by_default)[0]);
  const algorithm = asString(byDefault.sse_algorithm);
  if (unknownByDefault.sse_algorithm === true) return { properties: { encrypted: undefined }, unknown: ['encrypted'] };
  const keyUnknown = unknownByDefault.kms_master_key_id === true;
  const kmsKeyId = keyUnknown ? plan.keyReference(sse, BUCKET_KEY_PATH) : asString(byDefault.kms_master_key_id);
  return {
    properties: { encrypted: algorithm !== undefined, ...(algorithm ? { algorithm } : {}), ...(kmsKeyId ? { kmsKeyId } : {}) },
    unknown: keyUnknown ? ['kmsKeyId'] : [],
  };
}

export default defineResourceType({
  type: 'AWS::S3::Bucket',
  label: 'S3 bucket',
  securityHubType: 'AwsS3Bucket',
  recordedByConfig: true,
  fromConfigItem(_configuration, item): { properties: EncryptionProperties } {
    const rules = asArray(asObject(item.supplementary.ServerSideEncryptionConfiguration).rules);
    const byDefault = asObject(asObject(rules[0]).applyServerSideEncryptionByDefault);
    const algorithm = asString(byDefault.sseAlgorithm);
    if (!algorithm) return { properties: SSE_S3 };
    return { properties: { encrypted: true, algorithm, kmsKeyId: asString(byDefault.kmsMasterKeyID) } };
  },
  live: {
    permissions: ['s3:ListAllMyBuckets', 's3:GetEncryptionConfiguration', 'tag:GetResources'],
    pageSizes: { 'S3:ListBuckets': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 's3');
      // BucketRegion keeps each region's sweep to its own buckets (ListBuckets is otherwise global).
      const s3 = await clients.s3();
      const bucketPages = s3.paginateListBuckets({ client: s3.client }, { BucketRegion: context.region, MaxBuckets: PAGE_SIZE });
      for await (const page of bucketPages) {
        const names = (page.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : []));
        const tags = await tagsForPage(names);
        const buckets = await mapWithConcurrency(names, context.concurrency ?? DEFAULT_PER_RESOURCE_CONCURRENCY, async (name) => {
          const encryption = await readEncryption(clients, name);
          return encryption && fromApi(name, encryption, tags.get(bucketArn(name)) ?? {}, context);
        });
        yield buckets.filter((bucket) => bucket !== undefined);
      }
    },
    async read(clients, id, context) {
      const encryption = await readEncryption(clients, id);
      return encryption && fromApi(id, encryption, await tagsOf(clients, bucketArn(id)), context);
    },
    minimumCalls: ({ resources, tagged }) => ({
      'S3:ListBuckets': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'S3:GetBucketEncryption': resources }),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: { aws_s3_bucket: (instance, { related, plan }) => ({ name: asString(instance.values.bucket), ...terraformEncryption(related.at(-1), plan) }) },
    related: { aws_s3_bucket_server_side_encryption_configuration: 'bucket' },
    key: (values) => asString(values.bucket) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(resourceId)}?region=${region}`,
  arn: ({ resourceId }) => bucketArn(resourceId),
});
