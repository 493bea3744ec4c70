import { describeAwsError, hasErrorName } from '../lib/aws/aws-errors';
import type { AwsClients } from '../lib/aws/clients';
import { mapWithConcurrency } from '../lib/aws/concurrency';
import { accountFromArn, DEFAULT_PER_RESOURCE_CONCURRENCY, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, type Tags } from '../lib/aws/listing';
import { ResourceReadError } from '../lib/errors';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

/** ListTopics returns 100 topics a page and takes no page size. */
const PAGE_SIZE = 100;

/** A topic's KMS key, from GetTopicAttributes (ListTopics returns ARNs only). `undefined` when gone. */
async function readTopic(clients: AwsClients, topicArn: string, tags: Tags, context: LiveContext): Promise<TypedResource<'AWS::SNS::Topic', EncryptionProperties> | undefined> {
  try {
    const sns = await clients.sns();
    const { Attributes: attributes = {} } = await sns.client.send(new sns.GetTopicAttributesCommand({ TopicArn: topicArn }));
    const kmsKeyId = attributes.KmsMasterKeyId || undefined;
    return withoutUndefined({
      type: 'AWS::SNS::Topic' as const,
      id: topicArn,
      name: topicArn.split(':').pop(),
      arn: topicArn,
      accountId: accountFromArn(topicArn) ?? context.accountId,
      region: context.region,
      tags,
      properties: withoutUndefined({ encrypted: kmsKeyId !== undefined, kmsKeyId }),
    });
  } catch (error) {
    if (hasErrorName(error, ['NotFound', 'NotFoundException'])) return undefined;
    throw new ResourceReadError(`Could not read the attributes of SNS topic ${topicArn}: ${describeAwsError(error)}`, { cause: error });
  }
}

export default defineResourceType({
  type: 'AWS::SNS::Topic',
  label: 'SNS topic',
  securityHubType: 'AwsSnsTopic',
  recordedByConfig: true,
  fromConfigItem(configuration): { properties: EncryptionProperties } {
    const kmsKeyId = asString(configuration.KmsMasterKeyId);
    return { properties: { encrypted: kmsKeyId !== undefined, kmsKeyId } };
  },
  live: {
    permissions: ['sns:ListTopics', 'sns:GetTopicAttributes', 'tag:GetResources'],
    pageSizes: { 'SNS:ListTopics': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'sns:topic');
      const sns = await clients.sns();
      for await (const page of sns.paginateListTopics({ client: sns.client }, {})) {
        const arns = (page.Topics ?? []).flatMap((topic) => (topic.TopicArn ? [topic.TopicArn] : []));
        const tags = await tagsForPage(arns);
        const topics = await mapWithConcurrency(arns, context.concurrency ?? DEFAULT_PER_RESOURCE_CONCURRENCY, (arn) => readTopic(clients, arn, tags.get(arn) ?? {}, context));
        yield topics.filter((topic) => topic !== undefined);
      }
    },
    async read(clients, id, context) {
      const topic = await readTopic(clients, id, {}, context);
      return topic && { ...topic, tags: await tagsOf(clients, id) };
    },
    minimumCalls: ({ resources, tagged }) => ({
      'SNS:ListTopics': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'SNS:GetTopicAttributes': resources }),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: { aws_sns_topic: (instance, { plan }) => ({ name: asString(instance.values.name), ...plan.encryption(instance, undefined, 'kms_master_key_id') }) },
    key: (values) => asString(values.arn) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/sns/v3/home?region=${region}#/topic/${resourceId}`,
  arn: ({ resourceId }) => (resourceId.startsWith('arn:') ? resourceId : undefined),
});
