import { describeAwsError, hasErrorName } from '../lib/aws/aws-errors';
import type { AwsClients } from '../lib/aws/clients';
import { mapWithConcurrency } from '../lib/aws/concurrency';
import { accountFromArn, DEFAULT_PER_RESOURCE_CONCURRENCY, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, type Tags } from '../lib/aws/listing';
import { ResourceReadError } from '../lib/errors';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects, isUnknown } from './shared';

const PAGE_SIZE = 1000;

/** SSE-SQS: encrypted with keys Amazon SQS owns (on by default for queues created since 2022). */
export const SQS_MANAGED_SSE = 'SSE-SQS';

/** A queue is encrypted with SSE-KMS (a KMS key) or SSE-SQS; the two exclude each other. */
function encryption(kmsKeyId: string | undefined, sqsManagedSse: boolean | undefined): EncryptionProperties {
  if (kmsKeyId) return { encrypted: true, kmsKeyId };
  return sqsManagedSse ? { encrypted: true, algorithm: SQS_MANAGED_SSE } : { encrypted: false };
}

function queueName(queueUrl: string): string {
  return queueUrl.split('/').pop() ?? queueUrl;
}

/** Config and Terraform know a queue by its URL; ARNs are `arn:aws:sqs:<region>:<account>:<name>`. */
async function readQueue(clients: AwsClients, queueUrl: string, tags: Tags | undefined, context: LiveContext): Promise<TypedResource<'AWS::SQS::Queue', EncryptionProperties> | undefined> {
  try {
    const sqs = await clients.sqs();
    const { Attributes: attributes = {} } = await sqs.client.send(
      new sqs.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'KmsMasterKeyId', 'SqsManagedSseEnabled'] }),
    );
    const arn = attributes.QueueArn;
    return withoutUndefined({
      type: 'AWS::SQS::Queue' as const,
      id: queueUrl,
      name: queueName(queueUrl),
      arn,
      accountId: accountFromArn(arn) ?? context.accountId,
      region: context.region,
      tags: tags ?? (arn ? await tagsOf(clients, arn) : {}),
      properties: encryption(attributes.KmsMasterKeyId || undefined, asBoolean(attributes.SqsManagedSseEnabled)),
    });
  } catch (error) {
    if (hasErrorName(error, ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'])) return undefined;
    throw new ResourceReadError(`Could not read the attributes of SQS queue ${queueUrl}: ${describeAwsError(error)}`, { cause: error });
  }
}

export default defineResourceType({
  type: 'AWS::SQS::Queue',
  label: 'SQS queue',
  securityHubType: 'AwsSqsQueue',
  recordedByConfig: true,
  fromConfigItem: (configuration, item) => ({
    name: item.resourceName ?? asString(configuration.QueueName),
    properties: encryption(asString(configuration.KmsMasterKeyId), asBoolean(configuration.SqsManagedSseEnabled)),
  }),
  live: {
    permissions: ['sqs:ListQueues', 'sqs:GetQueueAttributes', 'tag:GetResources'],
    pageSizes: { 'SQS:ListQueues': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'sqs');
      const sqs = await clients.sqs();
      for await (const page of sqs.paginateListQueues({ client: sqs.client }, { MaxResults: PAGE_SIZE })) {
        const urls = page.QueueUrls ?? [];
        const tags = await tagsForPage(urls);
        const queues = await mapWithConcurrency(urls, context.concurrency ?? DEFAULT_PER_RESOURCE_CONCURRENCY, async (url) => {
          const queue = await readQueue(clients, url, {}, context);
          return queue && { ...queue, tags: (queue.arn && tags.get(queue.arn)) || {} };
        });
        yield queues.filter((queue) => queue !== undefined);
      }
    },
    read: (clients, id, context) => readQueue(clients, id, undefined, context),
    minimumCalls: ({ resources, tagged }) => ({
      'SQS:ListQueues': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'SQS:GetQueueAttributes': resources }),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: {
      aws_sqs_queue(instance, { plan }) {
        const name = asString(instance.values.name);
        // A key known only after apply (one the same plan creates): SSE-KMS, the key named by what the configuration refers to.
        if (isUnknown(instance, 'kms_master_key_id')) {
          const keyReference = plan.keyReference(instance, 'kms_master_key_id');
          return { name, properties: { encrypted: true, ...(keyReference !== undefined && { kmsKeyId: keyReference }) }, unknown: ['kmsKeyId'] };
        }
        const kmsKeyId = asString(instance.values.kms_master_key_id);
        // Without a KMS key, SQS decides SSE-SQS at create time: the plan leaves it unknown until apply.
        if (!kmsKeyId && isUnknown(instance, 'sqs_managed_sse_enabled')) return { name, properties: { encrypted: undefined }, unknown: ['encrypted'] };
        return { name, properties: encryption(kmsKeyId, asBoolean(instance.values.sqs_managed_sse_enabled)), unknown: [] };
      },
    },
    key: (values) => asString(values.url) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/sqs/v3/home?region=${region}#/queues/${encodeURIComponent(resourceId)}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:sqs:${region}:${accountId}:${queueName(resourceId)}`,
});
