import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import { accountFromArn, pages, TAGGING_PAGE_SIZE, regionTags, tagsOf, unlessGone, type Tags } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asString, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 100;

function fromApi(group: ReplicationGroup, tags: Tags, context: LiveContext): TypedResource<'AWS::ElastiCache::ReplicationGroup', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::ElastiCache::ReplicationGroup' as const,
    id: group.ReplicationGroupId!,
    name: group.ReplicationGroupId,
    arn: group.ARN,
    accountId: accountFromArn(group.ARN) ?? context.accountId,
    region: context.region,
    tags,
    properties: withoutUndefined({ encrypted: group.AtRestEncryptionEnabled ?? false, kmsKeyId: group.KmsKeyId }),
  });
}

export default defineResourceType({
  type: 'AWS::ElastiCache::ReplicationGroup',
  label: 'ElastiCache replication group',
  securityHubType: 'AwsElastiCacheReplicationGroup',
  // AWS Config does not record replication groups (the managed rule runs periodically, reading the API).
  recordedByConfig: false,
  fromConfigItem: (configuration): { properties: EncryptionProperties } => ({
    properties: { encrypted: asBoolean(configuration.AtRestEncryptionEnabled ?? configuration.atRestEncryptionEnabled) ?? false, kmsKeyId: asString(configuration.KmsKeyId ?? configuration.kmsKeyId) },
  }),
  live: {
    permissions: ['elasticache:DescribeReplicationGroups', 'tag:GetResources'],
    pageSizes: { 'ElastiCache:DescribeReplicationGroups': PAGE_SIZE, 'ResourceGroupsTaggingAPI:GetResources': TAGGING_PAGE_SIZE },
    async *list(clients, context) {
      const tagsForPage = regionTags(clients, 'elasticache:replicationgroup');
      const elastiCache = await clients.elastiCache();
      for await (const page of elastiCache.paginateDescribeReplicationGroups({ client: elastiCache.client }, { MaxRecords: PAGE_SIZE })) {
        const groups = page.ReplicationGroups ?? [];
        const tags = await tagsForPage(groups);
        yield groups.filter((group) => group.ReplicationGroupId).map((group) => fromApi(group, (group.ARN && tags.get(group.ARN)) || {}, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['ReplicationGroupNotFoundFault'], async () => {
        const elastiCache = await clients.elastiCache();
        const group = (await elastiCache.client.send(new elastiCache.DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups?.[0];
        return group && fromApi(group, group.ARN ? await tagsOf(clients, group.ARN) : {}, context);
      }),
    minimumCalls: ({ resources, tagged }) => ({
      'ElastiCache:DescribeReplicationGroups': pages(resources, PAGE_SIZE),
      ...(resources > 0 && { 'ResourceGroupsTaggingAPI:GetResources': pages(tagged ?? resources, TAGGING_PAGE_SIZE) }),
    }),
  },
  terraform: {
    // The provider writes at_rest_encryption_enabled as a string ("false"), and leaves it unknown when
    // unset: Redis OSS then stays unencrypted, Valkey is encrypted by default.
    resources: {
      aws_elasticache_replication_group: (instance, { plan }) => ({
        name: asString(instance.values.replication_group_id),
        ...plan.encryption(instance, 'at_rest_encryption_enabled', 'kms_key_id', { followsAccountDefault: asString(instance.values.engine) === 'valkey' }),
      }),
    },
    key: (values) => asString(values.replication_group_id) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/elasticache/home?region=${region}#/redis/${encodeURIComponent(resourceId)}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:elasticache:${region}:${accountId}:replicationgroup:${resourceId}`,
});
