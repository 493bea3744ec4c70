import type { FileSystemDescription } from '@aws-sdk/client-efs';
import { pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asObject, asString, tagMap, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 100;

function fromApi(fileSystem: FileSystemDescription, context: LiveContext): TypedResource<'AWS::EFS::FileSystem', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::EFS::FileSystem' as const,
    id: fileSystem.FileSystemId!,
    arn: fileSystem.FileSystemArn,
    accountId: fileSystem.OwnerId ?? context.accountId,
    region: context.region,
    tags: tagMap(fileSystem.Tags),
    properties: withoutUndefined({ encrypted: fileSystem.Encrypted ?? false, kmsKeyId: fileSystem.KmsKeyId }),
  });
}

export default defineResourceType({
  type: 'AWS::EFS::FileSystem',
  label: 'EFS file system',
  securityHubType: 'AwsEfsFileSystem',
  recordedByConfig: true,
  fromConfigItem: (configuration): { properties: EncryptionProperties } => ({
    properties: { encrypted: asBoolean(configuration.Encrypted) ?? false, kmsKeyId: asString(configuration.KmsKeyId) },
  }),
  live: {
    permissions: ['elasticfilesystem:DescribeFileSystems'],
    pageSizes: { 'EFS:DescribeFileSystems': PAGE_SIZE },
    async *list(clients, context) {
      const efs = await clients.efs();
      for await (const page of efs.paginateDescribeFileSystems({ client: efs.client }, { MaxItems: PAGE_SIZE })) {
        yield (page.FileSystems ?? []).map((fileSystem) => fromApi(fileSystem, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['FileSystemNotFound'], async () => {
        const efs = await clients.efs();
        const { FileSystems } = await efs.client.send(new efs.DescribeFileSystemsCommand({ FileSystemId: id }));
        return FileSystems?.[0] && fromApi(FileSystems[0], context);
      }),
    minimumCalls: ({ resources }) => ({ 'EFS:DescribeFileSystems': pages(resources, PAGE_SIZE) }),
  },
  terraform: {
    resources: {
      aws_efs_file_system: (instance, { plan }) => ({ name: asString(asObject(instance.values.tags).Name), ...plan.encryption(instance, 'encrypted', 'kms_key_id') }),
    },
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/efs/home?region=${region}#/file-systems/${resourceId}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:elasticfilesystem:${region}:${accountId}:file-system/${resourceId}`,
});
