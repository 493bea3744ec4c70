import type { DBCluster } from '@aws-sdk/client-rds';
import { accountFromArn, pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asString, tagMap, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 100;

/** Config identifies clusters by DbClusterResourceId (`cluster-…`). */
function fromApi(cluster: DBCluster, context: LiveContext): TypedResource<'AWS::RDS::DBCluster', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::RDS::DBCluster' as const,
    id: cluster.DbClusterResourceId!,
    name: cluster.DBClusterIdentifier,
    arn: cluster.DBClusterArn,
    accountId: accountFromArn(cluster.DBClusterArn) ?? context.accountId,
    region: context.region,
    tags: tagMap(cluster.TagList),
    properties: withoutUndefined({ encrypted: cluster.StorageEncrypted ?? false, kmsKeyId: cluster.KmsKeyId }),
  });
}

export default defineResourceType({
  type: 'AWS::RDS::DBCluster',
  label: 'RDS cluster',
  securityHubType: 'AwsRdsDbCluster',
  recordedByConfig: true,
  fromConfigItem: (configuration): { properties: EncryptionProperties } => ({
    properties: { encrypted: asBoolean(configuration.storageEncrypted) ?? false, kmsKeyId: asString(configuration.kmsKeyId) },
  }),
  live: {
    permissions: ['rds:DescribeDBClusters'],
    pageSizes: { 'RDS:DescribeDBClusters': PAGE_SIZE },
    async *list(clients, context) {
      const rds = await clients.rds();
      for await (const page of rds.paginateDescribeDBClusters({ client: rds.client }, { MaxRecords: PAGE_SIZE })) {
        yield (page.DBClusters ?? []).map((cluster) => fromApi(cluster, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['DBClusterNotFoundFault'], async () => {
        const rds = await clients.rds();
        const { DBClusters } = await rds.client.send(new rds.DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-resource-id', Values: [id] }] }));
        return DBClusters?.[0] && fromApi(DBClusters[0], context);
      }),
    minimumCalls: ({ resources }) => ({ 'RDS:DescribeDBClusters': pages(resources, PAGE_SIZE) }),
  },
  terraform: {
    resources: {
      aws_rds_cluster(instance, { plan }) {
        const { properties, unknown } = plan.encryption(instance, 'storage_encrypted', 'kms_key_id');
        const name = asString(instance.values.cluster_identifier);
        // Aurora Serverless v1 clusters are always encrypted, whatever storage_encrypted says.
        if (asString(instance.values.engine_mode) !== 'serverless') return { name, properties, unknown };
        return { name, properties: { ...properties, encrypted: true }, unknown: unknown.filter((property) => property !== 'encrypted') };
      },
    },
    key: (values) => asString(values.cluster_resource_id) ?? asString(values.id),
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceName }) =>
    resourceName && `${consoleHost(region)}/rds/home?region=${region}#database:id=${encodeURIComponent(resourceName)};is-cluster=true`,
  arn: ({ region, accountId, resourceName }) => resourceName && `arn:aws:rds:${region}:${accountId}:cluster:${resourceName}`,
});
