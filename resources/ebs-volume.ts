import type { Volume } from '@aws-sdk/client-ec2';
import { pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type EncryptionProperties, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asString, tagMap, withoutUndefined } from '../lib/sources/values';
import { encryptionKeySubjects } from './shared';

const PAGE_SIZE = 1000;

function fromApi(volume: Volume, context: LiveContext): TypedResource<'AWS::EC2::Volume', EncryptionProperties> {
  return withoutUndefined({
    type: 'AWS::EC2::Volume' as const,
    id: volume.VolumeId!,
    arn: context.accountId ? `arn:aws:ec2:${context.region}:${context.accountId}:volume/${volume.VolumeId}` : undefined,
    accountId: context.accountId,
    region: context.region,
    tags: tagMap(volume.Tags),
    properties: withoutUndefined({ encrypted: volume.Encrypted ?? false, kmsKeyId: volume.KmsKeyId }),
  });
}

export default defineResourceType({
  type: 'AWS::EC2::Volume',
  label: 'EBS volume',
  securityHubType: 'AwsEc2Volume',
  recordedByConfig: true,
  fromConfigItem: (configuration): { properties: EncryptionProperties } => ({
    properties: { encrypted: asBoolean(configuration.encrypted) ?? false, kmsKeyId: asString(configuration.kmsKeyId) },
  }),
  live: {
    permissions: ['ec2:DescribeVolumes'],
    pageSizes: { 'EC2:DescribeVolumes': PAGE_SIZE },
    async *list(clients, context) {
      const ec2 = await clients.ec2();
      for await (const page of ec2.paginateDescribeVolumes({ client: ec2.client }, { MaxResults: PAGE_SIZE })) {
        yield (page.Volumes ?? []).map((volume) => fromApi(volume, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['InvalidVolume.NotFound'], async () => {
        const ec2 = await clients.ec2();
        const { Volumes } = await ec2.client.send(new ec2.DescribeVolumesCommand({ VolumeIds: [id] }));
        return Volumes?.[0] && fromApi(Volumes[0], context);
      }),
    minimumCalls: ({ resources }) => ({ 'EC2:DescribeVolumes': pages(resources, PAGE_SIZE) }),
  },
  terraform: {
    resources: { aws_ebs_volume: (instance, { plan }) => plan.encryption(instance, 'encrypted', 'kms_key_id', { followsAccountDefault: true }) },
  },
  lookupSubjects: { keyManager: encryptionKeySubjects },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/ec2/home?region=${region}#VolumeDetails:volumeId=${resourceId}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:ec2:${region}:${accountId}:volume/${resourceId}`,
});
