import type { Vpc } from '@aws-sdk/client-ec2';
import { pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type LiveContext, type TypedResource } from '../lib/resource-type';
import { asBoolean, asString, tagMap, withoutUndefined } from '../lib/sources/values';

export interface VpcProperties {
  cidrBlock?: string;
  isDefault?: boolean;
}

const PAGE_SIZE = 1000;

function fromApi(vpc: Vpc, context: LiveContext): TypedResource<'AWS::EC2::VPC', VpcProperties> {
  const accountId = vpc.OwnerId ?? context.accountId;
  return withoutUndefined({
    type: 'AWS::EC2::VPC' as const,
    id: vpc.VpcId!,
    arn: accountId ? `arn:aws:ec2:${context.region}:${accountId}:vpc/${vpc.VpcId}` : undefined,
    accountId,
    region: context.region,
    tags: tagMap(vpc.Tags),
    properties: withoutUndefined({ cidrBlock: vpc.CidrBlock, isDefault: vpc.IsDefault }),
  });
}

export default defineResourceType({
  type: 'AWS::EC2::VPC',
  label: 'VPC',
  securityHubType: 'AwsEc2Vpc',
  recordedByConfig: true,
  fromConfigItem: (configuration) => ({ properties: { cidrBlock: asString(configuration.cidrBlock), isDefault: asBoolean(configuration.isDefault) } }),
  live: {
    permissions: ['ec2:DescribeVpcs'],
    pageSizes: { 'EC2:DescribeVpcs': PAGE_SIZE },
    async *list(clients, context) {
      const ec2 = await clients.ec2();
      for await (const page of ec2.paginateDescribeVpcs({ client: ec2.client }, { MaxResults: PAGE_SIZE })) {
        yield (page.Vpcs ?? []).map((vpc) => fromApi(vpc, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['InvalidVpcID.NotFound'], async () => {
        const ec2 = await clients.ec2();
        const { Vpcs } = await ec2.client.send(new ec2.DescribeVpcsCommand({ VpcIds: [id] }));
        return Vpcs?.[0] && fromApi(Vpcs[0], context);
      }),
    minimumCalls: ({ resources }) => ({ 'EC2:DescribeVpcs': pages(resources, PAGE_SIZE) }),
  },
  terraform: {
    resources: {
      aws_vpc: (instance) => ({ properties: { cidrBlock: asString(instance.values.cidr_block), isDefault: false }, unknown: [] }),
    },
  },
  lookupSubjects: { flowLogs: (vpc) => [vpc.id] },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/vpcconsole/home?region=${region}#VpcDetails:VpcId=${resourceId}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:ec2:${region}:${accountId}:vpc/${resourceId}`,
});
