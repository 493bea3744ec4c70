import type { DBInstance } from '@aws-sdk/client-rds';
import { accountFromArn, pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asString, tagMap, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 100;

/** Config identifies RDS instances by DbiResourceId (`db-…`), not by their identifier. */
function fromApi(instance: DBInstance, context: LiveContext): TypedResource<'AWS::RDS::DBInstance', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::RDS::DBInstance' as const,
    id: instance.DbiResourceId!,
    name: instance.DBInstanceIdentifier,
    arn: instance.DBInstanceArn,
    accountId: accountFromArn(instance.DBInstanceArn) ?? context.accountId,
    region: context.region,
    tags: tagMap(instance.TagList),
    properties: withoutUndefined({ encrypted: instance.StorageEncrypted ?? false, kmsKeyId: instance.KmsKeyId }),
  });
}

export default defineResourceType({
  type: 'AWS::RDS::DBInstance',
  label: 'RDS instance',
  securityHubType: 'AwsRdsDbInstance',
  recordedByConfig: true,
  fromConfigItem: (configuration): { properties: EncryptionProperties } => ({
    properties: { encrypted: asBoolean(configuration.storageEncrypted) ?? false, kmsKeyId: asString(configuration.kmsKeyId) },
  }),
  live: {
    permissions: ['rds:DescribeDBInstances'],
    pageSizes: { 'RDS:DescribeDBInstances': PAGE_SIZE },
    async *list(clients, context) {
      const rds = await clients.rds();
      for await (const page of rds.paginateDescribeDBInstances({ client: rds.client }, { MaxRecords: PAGE_SIZE })) {
        yield (page.DBInstances ?? []).map((instance) => fromApi(instance, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['DBInstanceNotFound', 'DBInstanceNotFoundFault'], async () => {
        const rds = await clients.rds();
        const { DBInstances } = await rds.client.send(new rds.DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: [id] }] }));
        return DBInstances?.[0] && fromApi(DBInstances[0], context);
      }),
    minimumCalls: ({ resources }) => ({ 'RDS:DescribeDBInstances': pages(resources, PAGE_SIZE) }),
  },
  terraform: {
    resources: {
      aws_db_instance: (instance, { plan }) => ({ name: asString(instance.values.identifier), ...plan.encryption(instance, 'storage_encrypted', 'kms_key_id') }),
    },
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  // RDS pages are addressed by identifier (the Config resource name), not by the db- resource id.
  consoleUrl: ({ region, resourceName }) =>
    resourceName && `${consoleHost(region)}/rds/home?region=${region}#database:id=${encodeURIComponent(resourceName)};is-cluster=false`,
  arn: ({ region, accountId, resourceName }) => resourceName && `arn:aws:rds:${region}:${accountId}:db:${resourceName}`,
});
