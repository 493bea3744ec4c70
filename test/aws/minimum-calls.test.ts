import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { listResources, minimumListingCalls, type AccountShape } from '../../lib/aws/inventory';
import type { ResourceType } from '../../lib/model';
import { apiFixture, collectPages, CTX, testClients } from './helpers';

const mocks = {
  EC2: mockClient(EC2Client),
  S3: mockClient(S3Client),
  SNS: mockClient(SNSClient),
  CloudWatchLogs: mockClient(CloudWatchLogsClient),
  EFS: mockClient(EFSClient),
  SecretsManager: mockClient(SecretsManagerClient),
  ResourceGroupsTaggingAPI: mockClient(ResourceGroupsTaggingAPIClient),
};
beforeEach(() => Object.values(mocks).forEach((mock) => mock.reset()));

function callsByOperation(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [service, mock] of Object.entries(mocks)) {
    for (const call of mock.calls()) {
      const key = `${service}:${call.args[0].constructor.name.replace(/Command$/, '')}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

/** One page of `items` the way the APIs page: the token is the offset of the next page. */
function page<T>(items: readonly T[], size: number, token: string | undefined): { items: T[]; next: string | undefined } {
  const start = token ? Number(token) : 0;
  const end = Math.min(items.length, start + size);
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index.toString(16).padStart(17, '0')}`);

/** Answers a synthetic account of `shape.resources` resources of `type`, honouring page sizes and tokens. */
function answer(type: ResourceType, shape: Required<AccountShape>): void {
  const tagged = (arns: string[]) => {
    const mappings = arns.slice(0, shape.tagged).map((ResourceARN) => ({ ResourceARN, Tags: [{ Key: 'Environment', Value: 'dev' }] }));
    mocks.ResourceGroupsTaggingAPI.on(GetResourcesCommand).callsFake((input) => {
      const { items, next } = page(mappings, input.ResourcesPerPage ?? 50, input.PaginationToken || undefined);
      return { ResourceTagMappingList: items, PaginationToken: next ?? '' };
    });
  };
  switch (type) {
    case 'AWS::EC2::Volume': {
      const volumes = ids('vol-', shape.resources).map((VolumeId) => ({ VolumeId, Encrypted: true }));
      mocks.EC2.on(DescribeVolumesCommand).callsFake((input) => {
        const { items, next } = page(volumes, input.MaxResults ?? 1000, input.NextToken);
        return { Volumes: items, NextToken: next };
      });
      return;
    }
    case 'AWS::EC2::SecurityGroup': {
      const groupIds = ids('sg-', shape.resources);
      const perGroup = shape.securityGroupRules / shape.resources;
      mocks.EC2.on(DescribeSecurityGroupsCommand).callsFake((input) => {
        const { items, next } = page(groupIds, input.MaxResults ?? 1000, input.NextToken);
        return { SecurityGroups: items.map((GroupId) => ({ GroupId, GroupName: GroupId })), NextToken: next };
      });
      mocks.EC2.on(DescribeSecurityGroupRulesCommand).callsFake((input) => {
        const rules = (input.Filters?.[0]?.Values ?? []).flatMap((GroupId: string) =>
          Array.from({ length: perGroup }, (_, index) => ({ SecurityGroupRuleId: `sgr-${GroupId}-${index}`, GroupId, IsEgress: false, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' })),
        );
        const { items, next } = page(rules, input.MaxResults ?? 1000, input.NextToken);
        return { SecurityGroupRules: items, NextToken: next };
      });
      return;
    }
    case 'AWS::S3::Bucket': {
      const names = Array.from({ length: shape.resources }, (_, index) => `bucket-${index}`);
      mocks.S3.on(ListBucketsCommand).callsFake((input) => {
        const { items, next } = page(names, input.MaxBuckets ?? 10000, input.ContinuationToken);
        return { Buckets: items.map((Name) => ({ Name, BucketRegion: CTX.region })), ContinuationToken: next };
      });
      mocks.S3.on(GetBucketEncryptionCommand).resolves(apiFixture('s3-get-bucket-encryption-sse-s3.json'));
      tagged(names.map((name) => `arn:aws:s3:::${name}`));
      return;
    }
    case 'AWS::SNS::Topic': {
      const arns = Array.from({ length: shape.resources }, (_, index) => `arn:aws:sns:eu-west-1:123456789012:topic-${index}`);
      // ListTopics takes no page size: the service returns up to 100 per page.
      mocks.SNS.on(ListTopicsCommand).callsFake((input) => {
        const { items, next } = page(arns, 100, input.NextToken);
        return { Topics: items.map((TopicArn) => ({ TopicArn })), NextToken: next };
      });
      mocks.SNS.on(GetTopicAttributesCommand).callsFake((input) => ({ Attributes: { TopicArn: input.TopicArn } }));
      tagged(arns);
      return;
    }
    case 'AWS::Logs::LogGroup': {
      const names = Array.from({ length: shape.resources }, (_, index) => `/app/group-${index}`);
      mocks.CloudWatchLogs.on(DescribeLogGroupsCommand).callsFake((input) => {
        const { items, next } = page(names, input.limit ?? 50, input.nextToken);
        return { logGroups: items.map((logGroupName) => ({ logGroupName, logGroupArn: `arn:aws:logs:eu-west-1:123456789012:log-group:${logGroupName}` })), nextToken: next };
      });
      tagged(names.map((name) => `arn:aws:logs:eu-west-1:123456789012:log-group:${name}`));
      return;
    }
    case 'AWS::EFS::FileSystem': {
      const fileSystems = ids('fs-', shape.resources).map((FileSystemId) => ({ FileSystemId, Encrypted: true }));
      mocks.EFS.on(DescribeFileSystemsCommand).callsFake((input) => {
        const { items, next } = page(fileSystems, input.MaxItems ?? 100, input.Marker);
        return { FileSystems: items, NextMarker: next };
      });
      return;
    }
    case 'AWS::SecretsManager::Secret': {
      const secrets = Array.from({ length: shape.resources }, (_, index) => ({ ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-${index}`, Name: `s-${index}`, CreatedDate: new Date('2025-01-01') }));
      mocks.SecretsManager.on(ListSecretsCommand).callsFake((input) => {
        const { items, next } = page(secrets, input.MaxResults ?? 100, input.NextToken);
        return { SecretList: items, NextToken: next };
      });
      return;
    }
    default:
      throw new Error(`no synthetic account for ${type}`);
  }
}

describe('minimumListingCalls', () => {
  it.each<[ResourceType, Required<AccountShape>, Record<string, number>]>([
    ['AWS::EC2::Volume', { resources: 2500, tagged: 0, securityGroupRules: 0 }, { 'EC2:DescribeVolumes': 3 }],
    ['AWS::EC2::SecurityGroup', { resources: 1200, tagged: 0, securityGroupRules: 2400 }, { 'EC2:DescribeSecurityGroups': 2, 'EC2:DescribeSecurityGroupRules': 6 }],
    ['AWS::EC2::SecurityGroup', { resources: 200, tagged: 0, securityGroupRules: 2400 }, { 'EC2:DescribeSecurityGroups': 1, 'EC2:DescribeSecurityGroupRules': 3 }],
    ['AWS::S3::Bucket', { resources: 250, tagged: 120, securityGroupRules: 0 }, { 'S3:ListBuckets': 1, 'S3:GetBucketEncryption': 250, 'ResourceGroupsTaggingAPI:GetResources': 2 }],
    ['AWS::SNS::Topic', { resources: 230, tagged: 230, securityGroupRules: 0 }, { 'SNS:ListTopics': 3, 'SNS:GetTopicAttributes': 230, 'ResourceGroupsTaggingAPI:GetResources': 3 }],
    ['AWS::Logs::LogGroup', { resources: 120, tagged: 0, securityGroupRules: 0 }, { 'CloudWatchLogs:DescribeLogGroups': 3, 'ResourceGroupsTaggingAPI:GetResources': 1 }],
    ['AWS::EFS::FileSystem', { resources: 0, tagged: 0, securityGroupRules: 0 }, { 'EFS:DescribeFileSystems': 1 }],
    // A type the account has none of costs its listing alone: its tags are never asked for.
    ['AWS::S3::Bucket', { resources: 0, tagged: 0, securityGroupRules: 0 }, { 'S3:ListBuckets': 1 }],
    ['AWS::SNS::Topic', { resources: 0, tagged: 0, securityGroupRules: 0 }, { 'SNS:ListTopics': 1 }],
    ['AWS::Logs::LogGroup', { resources: 0, tagged: 0, securityGroupRules: 0 }, { 'CloudWatchLogs:DescribeLogGroups': 1 }],
    ['AWS::SecretsManager::Secret', { resources: 250, tagged: 0, securityGroupRules: 0 }, { 'SecretsManager:ListSecrets': 3 }],
  ])('is what listing %s takes for %j, and listResources makes exactly that', async (type, shape, expected) => {
    answer(type, shape);

    const listed = (await collectPages(listResources(type, testClients(), CTX))).flat();

    expect(listed).toHaveLength(shape.resources);
    expect(minimumListingCalls(type, shape)).toEqual(expected);
    expect(callsByOperation()).toEqual(expected);
  });
});
