import type { StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import type { AwsClients } from '../lib/aws/clients';
import { mapWithConcurrency } from '../lib/aws/concurrency';
import { accountFromArn, DEFAULT_PER_RESOURCE_CONCURRENCY, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, unlessGone, type Tags } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asObject, asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects, isUnknown } from './shared';

/** ListStreams accepts up to 10,000 streams a page. */
const PAGE_SIZE = 10000;

/** `NONE` or `KMS`; with KMS the key is the stream's (alias/aws/kinesis when AWS managed). */
function encryption(encryptionType: string | undefined, keyId: string | undefined): EncryptionProperties {
  return encryptionType === 'KMS' ? withoutUndefined({ encrypted: true, kmsKeyId: keyId }) : { encrypted: false };
}

function fromApi(stream: StreamDescriptionSummary, tags: Tags, context: LiveContext): TypedResource<'AWS::Kinesis::Stream', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::Kinesis::Stream' as const,
    id: stream.StreamName!,
    name: stream.StreamName,
    arn: stream.StreamARN,
    accountId: accountFromArn(stream.StreamARN) ?? context.accountId,
    region: context.region,
    tags,
    properties: encryption(stream.EncryptionType, stream.KeyId),
  });
}

/** ListStreams gives names and ARNs only; the encryption comes from DescribeStreamSummary. */
async function describeStream(clients: AwsClients, name: string): Promise<StreamDescriptionSummary | undefined> {
  const kinesis = await clients.kinesis();
  return unlessGone(['ResourceNotFoundException'], async () => (await kinesis.client.send(new kinesis.DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary);
}

export default defineResourceType({
  type: 'AWS::Kinesis::Stream',
  label: 'Kinesis stream',
  securityHubType: 'AwsKinesisStream',
  recordedByConfig: true,
  fromConfigItem(configuration, item) {
    const streamEncryption = asObject(configuration.StreamEncryption);
    return { name: item.resourceName ?? asString(configuration.Name), properties: encryption(asString(streamEncryption.EncryptionType), asString(streamEncryption.KeyId)) };
  },
  live: {
    permissions: ['kinesis:ListStreams', 'kinesis:DescribeStreamSummary', 'tag:GetResources'],
    pageSizes: { 'Kinesis:ListStreams': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'kinesis:stream');
      const kinesis = await clients.kinesis();
      for await (const page of kinesis.paginateListStreams({ client: kinesis.client }, { Limit: PAGE_SIZE })) {
        const names = page.StreamNames ?? [];
        const tags = await tagsForPage(names);
        const streams = await mapWithConcurrency(names, context.concurrency ?? DEFAULT_PER_RESOURCE_CONCURRENCY, async (name) => {
          const stream = await describeStream(clients, name);
          return stream && fromApi(stream, (stream.StreamARN && tags.get(stream.StreamARN)) || {}, context);
        });
        yield streams.filter((stream) => stream !== undefined);
      }
    },
    async read(clients, id, context) {
      const stream = await describeStream(clients, id);
      return stream && fromApi(stream, stream.StreamARN ? await tagsOf(clients, stream.StreamARN) : {}, context);
    },
    minimumCalls: ({ resources, tagged }) => ({
      'Kinesis:ListStreams': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'Kinesis:DescribeStreamSummary': resources }),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    resources: {
      aws_kinesis_stream(instance) {
        const name = asString(instance.values.name);
        if (isUnknown(instance, 'encryption_type')) return { name, properties: { encrypted: undefined }, unknown: ['encrypted'] };
        const properties = encryption(asString(instance.values.encryption_type), asString(instance.values.kms_key_id));
        return { name, properties, unknown: properties.encrypted && isUnknown(instance, 'kms_key_id') ? ['kmsKeyId'] : [] };
      },
    },
    key: (values) => asString(values.name) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/kinesis/home?region=${region}#/streams/details/${encodeURIComponent(resourceId)}/details`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:kinesis:${region}:${accountId}:stream/${resourceId}`,
});
