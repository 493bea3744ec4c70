import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { inventoryPermissions, listResources, PAGE_SIZES, readResource } from '../../lib/aws/inventory';
import { RESOURCE_TYPES, type ResourceType } from '../../lib/model';
import { ACCOUNT, apiFixture, awsError, collectPages, CTX, REGION, testClients } from './helpers';

const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const logs = mockClient(CloudWatchLogsClient);
const efs = mockClient(EFSClient);
const secrets = mockClient(SecretsManagerClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const mocks = [ec2, rds, s3, sns, logs, efs, secrets, tagging];

beforeEach(() => mocks.forEach((mock) => mock.reset()));

const vpcs = apiFixture('ec2-describe-vpcs.json');
const BUCKETS = {
  artifacts: 'driftwarden-dev-artifacts-123456789012',
  legacy: 'driftwarden-dev-legacy-123456789012',
  reports: 'driftwarden-dev-reports-123456789012',
};
const TOPICS = {
  plain: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts',
  encrypted: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-dev-alerts-encrypted',
};

function mockBuckets() {
  s3.on(ListBucketsCommand).resolves(apiFixture('s3-list-buckets.json'));
  s3.on(GetBucketEncryptionCommand, { Bucket: BUCKETS.artifacts }).resolves(apiFixture('s3-get-bucket-encryption-sse-s3.json'));
  s3.on(GetBucketEncryptionCommand, { Bucket: BUCKETS.reports }).resolves(apiFixture('s3-get-bucket-encryption-sse-kms.json'));
  s3.on(GetBucketEncryptionCommand, { Bucket: BUCKETS.legacy }).rejects(
    awsError('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', 404),
  );
  tagging.on(GetResourcesCommand).resolves(apiFixture('tagging-get-resources-s3.json'));
}

function mockTopics() {
  sns.on(ListTopicsCommand).resolves(apiFixture('sns-list-topics.json'));
  sns.on(GetTopicAttributesCommand, { TopicArn: TOPICS.plain }).resolves(apiFixture('sns-get-topic-attributes-no-kms.json'));
  sns.on(GetTopicAttributesCommand, { TopicArn: TOPICS.encrypted }).resolves(apiFixture('sns-get-topic-attributes-kms.json'));
  tagging.on(GetResourcesCommand).resolves(apiFixture('tagging-get-resources-sns.json'));
}

describe('listResources', () => {
  it('follows NextToken across pages, yields one page at a time and asks for 1,000 VPCs per page', async () => {
    const [first, second] = vpcs.Vpcs;
    const responses = [{ Vpcs: [first], NextToken: 'token-2' }, { Vpcs: [second], NextToken: 'token-3' }, { Vpcs: [] }];
    // The SDK paginator reuses one input object, so each request is copied as it is sent.
    const sent: object[] = [];
    ec2.on(DescribeVpcsCommand).callsFake((input) => {
      sent.push({ ...input });
      return { ...vpcs, ...responses[sent.length - 1] };
    });

    const pages = await collectPages(listResources('AWS::EC2::VPC', testClients(), CTX));

    expect(pages.map((page) => page.map((vpc) => vpc.id))).toEqual([['vpc-0a1b2c3d4e5f60718'], ['vpc-0d1e2f3a4b5c6d7e8'], []]);
    expect(sent).toEqual([
      { MaxResults: 1000 },
      { MaxResults: 1000, NextToken: 'token-2' },
      { MaxResults: 1000, NextToken: 'token-3' },
    ]);
    expect(pages[0]![0]).toEqual({
      type: 'AWS::EC2::VPC',
      id: 'vpc-0a1b2c3d4e5f60718',
      arn: 'arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b2c3d4e5f60718',
      accountId: ACCOUNT,
      region: REGION,
      tags: { Name: 'driftwarden-dev' },
      properties: { cidrBlock: '10.0.0.0/16', isDefault: false },
    });
  });

  it.each<[ResourceType, () => void, () => unknown[]]>([
    ['AWS::EC2::Volume', () => ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] }), () => ec2.commandCalls(DescribeVolumesCommand).map((call) => call.args[0].input)],
    ['AWS::EC2::SecurityGroup', () => ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] }), () => ec2.commandCalls(DescribeSecurityGroupsCommand).map((call) => call.args[0].input)],
    ['AWS::RDS::DBInstance', () => rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] }), () => rds.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input)],
    ['AWS::RDS::DBCluster', () => rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] }), () => rds.commandCalls(DescribeDBClustersCommand).map((call) => call.args[0].input)],
    ['AWS::Logs::LogGroup', () => logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] }), () => logs.commandCalls(DescribeLogGroupsCommand).map((call) => call.args[0].input)],
    ['AWS::EFS::FileSystem', () => efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] }), () => efs.commandCalls(DescribeFileSystemsCommand).map((call) => call.args[0].input)],
    ['AWS::SecretsManager::Secret', () => secrets.on(ListSecretsCommand).resolves({ SecretList: [] }), () => secrets.commandCalls(ListSecretsCommand).map((call) => call.args[0].input)],
    ['AWS::S3::Bucket', () => s3.on(ListBucketsCommand).resolves({ Buckets: [] }), () => s3.commandCalls(ListBucketsCommand).map((call) => call.args[0].input)],
  ])('lists %s with the largest page size the API accepts', async (type, mock, inputs) => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    mock();
    await collectPages(listResources(type, testClients(), CTX));
    expect(inputs()).toEqual([
      {
        'AWS::EC2::Volume': { MaxResults: PAGE_SIZES['EC2:DescribeVolumes'] },
        'AWS::EC2::SecurityGroup': { MaxResults: 1000 },
        'AWS::RDS::DBInstance': { MaxRecords: 100 },
        'AWS::RDS::DBCluster': { MaxRecords: 100 },
        'AWS::Logs::LogGroup': { limit: 50 },
        'AWS::EFS::FileSystem': { MaxItems: 100 },
        'AWS::SecretsManager::Secret': { MaxResults: 100 },
        'AWS::S3::Bucket': { BucketRegion: REGION, MaxBuckets: 10000 },
      }[type as string],
    ]);
  });

  it('reads security group rules with their ids in one filtered call per page of groups', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves(apiFixture('config/api-describe-security-groups.json'));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves(apiFixture('config/api-describe-security-group-rules.json'));

    const [page] = await collectPages(listResources('AWS::EC2::SecurityGroup', testClients(), CTX));

    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand).map((call) => call.args[0].input)).toEqual([
      { Filters: [{ Name: 'group-id', Values: ['sg-0f1e2d3c4b5a69788'] }], MaxResults: 1000 },
    ]);
    const group = page![0]!;
    expect(group).toMatchObject({ id: 'sg-0f1e2d3c4b5a69788', name: 'driftwarden-dev-app', tags: { Name: 'driftwarden-dev-app', Environment: 'dev' } });
    expect(group.type === 'AWS::EC2::SecurityGroup' && group.properties.ingress).toEqual([
      { protocol: 'tcp', fromPort: 5173, toPort: 5173, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, ruleId: 'sgr-0a11b22c33d44e551', description: 'vite dev server (temporary)' },
      { protocol: 'tcp', fromPort: 4000, toPort: 4000, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, ruleId: 'sgr-0a11b22c33d44e552' },
      { protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'cidr', cidr: '::/0' }, ruleId: 'sgr-0a11b22c33d44e553' },
      { protocol: 'tcp', fromPort: 443, toPort: 443, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, ruleId: 'sgr-0a11b22c33d44e554' },
      { protocol: 'tcp', fromPort: 443, toPort: 443, source: { kind: 'cidr', cidr: '::/0' }, ruleId: 'sgr-0a11b22c33d44e555' },
      { protocol: 'tcp', fromPort: 5432, toPort: 5432, source: { kind: 'cidr', cidr: '10.0.0.0/16' }, ruleId: 'sgr-0a11b22c33d44e556', description: 'postgres from VPC' },
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, source: { kind: 'securityGroup', groupId: 'sg-0c0ffee0d15ea5e01' }, ruleId: 'sgr-0a11b22c33d44e557', description: 'from ALB' },
      { protocol: 'tcp', fromPort: 9100, toPort: 9100, source: { kind: 'prefixList', prefixListId: 'pl-0b7e4f5a6c3d2e1f0' }, ruleId: 'sgr-0a11b22c33d44e558', description: 'monitoring hosts' },
    ]);
  });

  it('falls back to the groups\' IpPermissions, without rule ids, when DescribeSecurityGroupRules is denied', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves(apiFixture('config/api-describe-security-groups.json'));
    ec2.on(DescribeSecurityGroupRulesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));

    const [page] = await collectPages(listResources('AWS::EC2::SecurityGroup', testClients(), CTX));

    const ingress = page![0]!.type === 'AWS::EC2::SecurityGroup' ? page![0]!.properties.ingress : [];
    expect(ingress).toHaveLength(8);
    expect(ingress.filter((rule) => rule.ruleId)).toEqual([]);
    expect(ingress[0]).toEqual({ protocol: 'tcp', fromPort: 5173, toPort: 5173, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, description: 'vite dev server (temporary)' });
  });

  it('splits the group-id filter at 200 values, as EC2 allows, and pages the rules of each', async () => {
    const groupIds = Array.from({ length: 450 }, (_, index) => `sg-${index.toString(16).padStart(17, '0')}`);
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: groupIds.map((GroupId) => ({ GroupId, GroupName: GroupId, OwnerId: ACCOUNT })) });
    const sent: [number | undefined, string | undefined][] = [];
    ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input) => {
      sent.push([input.Filters?.[0]?.Values?.length, input.NextToken]);
      return sent.length === 1
        ? {
            SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-1', GroupId: groupIds[0], IsEgress: false, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }],
            NextToken: 'more',
          }
        : { SecurityGroupRules: [] };
    });

    const [page] = await collectPages(listResources('AWS::EC2::SecurityGroup', testClients(), CTX));

    expect(sent).toEqual([
      [200, undefined],
      [200, 'more'],
      [200, undefined],
      [50, undefined],
    ]);
    expect(page).toHaveLength(450);
    expect(page![0]!.properties).toEqual({ groupName: groupIds[0], ingress: [{ protocol: '-1', source: { kind: 'cidr', cidr: '0.0.0.0/0' }, ruleId: 'sgr-1' }] });
  });

  it('reads default encryption per bucket, treats a missing configuration as SSE-S3 (what S3 applies to every bucket) and takes tags from one tagging call', async () => {
    mockBuckets();

    const [page] = await collectPages(listResources('AWS::S3::Bucket', testClients(), CTX));

    expect(page!.map((bucket) => [bucket.id, bucket.properties, bucket.tags])).toEqual([
      [BUCKETS.artifacts, { encrypted: true, algorithm: 'AES256' }, { Environment: 'dev' }],
      [BUCKETS.legacy, { encrypted: true, algorithm: 'AES256' }, { Environment: 'dev' }],
      [BUCKETS.reports, { encrypted: true, algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' }, { Environment: 'dev' }],
    ]);
    expect(page![0]).toMatchObject({ name: BUCKETS.artifacts, arn: `arn:aws:s3:::${BUCKETS.artifacts}`, accountId: ACCOUNT, region: REGION });
    expect(s3.commandCalls(ListBucketsCommand)).toHaveLength(1);
    expect(s3.commandCalls(GetBucketEncryptionCommand)).toHaveLength(3);
    expect(tagging.commandCalls(GetResourcesCommand).map((call) => call.args[0].input)).toEqual([{ ResourceTypeFilters: ['s3'], ResourcesPerPage: 100 }]);
  });

  it('skips a bucket deleted between the listing and its encryption read', async () => {
    mockBuckets();
    s3.on(GetBucketEncryptionCommand, { Bucket: BUCKETS.legacy }).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist', 404));

    const [page] = await collectPages(listResources('AWS::S3::Bucket', testClients(), CTX));

    expect(page!.map((bucket) => bucket.id)).toEqual([BUCKETS.artifacts, BUCKETS.reports]);
  });

  it('keeps per-bucket reads within the concurrency bound', async () => {
    const names = Array.from({ length: 40 }, (_, index) => `bucket-${index}`);
    s3.on(ListBucketsCommand).resolves({ Buckets: names.map((Name) => ({ Name, BucketRegion: REGION })) });
    let inFlight = 0;
    let peak = 0;
    s3.on(GetBucketEncryptionCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return apiFixture('s3-get-bucket-encryption-sse-s3.json');
    });
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });

    const [page] = await collectPages(listResources('AWS::S3::Bucket', testClients(), { ...CTX, concurrency: 5 }));

    expect(page).toHaveLength(40);
    expect(peak).toBe(5);
  });

  it('reads each topic\'s KMS key with GetTopicAttributes and its tags from the tagging listing', async () => {
    mockTopics();

    const [page] = await collectPages(listResources('AWS::SNS::Topic', testClients(), CTX));

    expect(page).toEqual([
      { type: 'AWS::SNS::Topic', id: TOPICS.plain, name: 'driftwarden-dev-alerts', arn: TOPICS.plain, accountId: ACCOUNT, region: REGION, tags: { Environment: 'dev' }, properties: { encrypted: false } },
      {
        type: 'AWS::SNS::Topic',
        id: TOPICS.encrypted,
        name: 'driftwarden-dev-alerts-encrypted',
        arn: TOPICS.encrypted,
        accountId: ACCOUNT,
        region: REGION,
        tags: { Environment: 'dev' },
        properties: { encrypted: true, kmsKeyId: 'alias/aws/sns' },
      },
    ]);
    expect(sns.commandCalls(GetTopicAttributesCommand)).toHaveLength(2);
    expect(tagging.commandCalls(GetResourcesCommand)[0]!.args[0].input).toEqual({ ResourceTypeFilters: ['sns:topic'], ResourcesPerPage: 100 });
  });

  it('names log groups by name, with the tagging ARN (no trailing :*) joining their tags', async () => {
    logs.on(DescribeLogGroupsCommand).resolves(apiFixture('logs-describe-log-groups.json'));
    tagging.on(GetResourcesCommand).resolves(apiFixture('tagging-get-resources-logs.json'));

    const [page] = await collectPages(listResources('AWS::Logs::LogGroup', testClients(), CTX));

    expect(page).toEqual([
      expect.objectContaining({ id: '/aws/lambda/driftwarden-dev-config-rule', tags: {}, properties: { encrypted: false } }),
      expect.objectContaining({
        id: '/driftwarden/dev/vpc-flow-logs',
        arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/driftwarden/dev/vpc-flow-logs',
        tags: { Environment: 'dev' },
        properties: { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f' },
      }),
    ]);
  });

  it.each<[ResourceType, () => void, object]>([
    [
      'AWS::RDS::DBInstance',
      () => rds.on(DescribeDBInstancesCommand).resolves(apiFixture('rds-describe-db-instances.json')),
      { id: 'db-7HX3KQ2ZP4N6WLM5R8TBVYC2DA', name: 'driftwarden-dev-pg', arn: 'arn:aws:rds:eu-west-1:123456789012:db:driftwarden-dev-pg', tags: { Environment: 'dev' }, properties: { encrypted: false } },
    ],
    [
      'AWS::RDS::DBCluster',
      () => rds.on(DescribeDBClustersCommand).resolves(apiFixture('rds-describe-db-clusters.json')),
      {
        id: 'cluster-5QJ7WZ2MKX4RFT8NB3YH6PLVCE',
        name: 'driftwarden-dev-aurora',
        properties: { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' },
      },
    ],
    [
      'AWS::EFS::FileSystem',
      () => efs.on(DescribeFileSystemsCommand).resolves(apiFixture('efs-describe-file-systems.json')),
      { id: 'fs-0a1b2c3d4e5f67890', accountId: ACCOUNT, tags: { Name: 'driftwarden-dev-shared' }, properties: { encrypted: false } },
    ],
    [
      'AWS::EC2::Volume',
      () => ec2.on(DescribeVolumesCommand).resolves(apiFixture('ec2-describe-volumes.json')),
      { id: 'vol-0123456789abcdef0', arn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0123456789abcdef0', tags: { Name: 'driftwarden-dev-data' }, properties: { encrypted: false } },
    ],
  ])('normalises %s with the id AWS Config uses', async (type, mock, expected) => {
    mock();
    const [page] = await collectPages(listResources(type, testClients(), CTX));
    expect(page![0]).toMatchObject({ type, region: REGION, ...expected });
  });

  it('takes secrets\' rotation state from ListSecrets alone', async () => {
    secrets.on(ListSecretsCommand).resolves(apiFixture('config/api-list-secrets.json'));

    const [page] = await collectPages(listResources('AWS::SecretsManager::Secret', testClients(), CTX));

    expect(page!.map((secret) => secret.properties)).toEqual([
      { rotationEnabled: false, createdDate: '2025-01-20T10:14:03.377Z', pendingDeletion: false },
      {
        rotationEnabled: true,
        rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:SecretsManagerRDSPostgreSQLRotationSingleUser',
        automaticallyAfterDays: 7,
        lastRotatedDate: '2025-06-08T02:17:45.220Z',
        createdDate: '2025-03-18T08:22:44.901Z',
        owningService: 'rds',
        pendingDeletion: false,
      },
    ]);
    expect(page![1]!.id).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe-Qw7xYz');
    expect(secrets.commandCalls(DescribeSecretCommand)).toHaveLength(0);
  });
});

describe('readResource', () => {
  it.each<[ResourceType, string, () => void]>([
    ['AWS::EC2::VPC', 'vpc-0a1b2c3d4e5f60718', () => ec2.on(DescribeVpcsCommand).rejects(awsError('InvalidVpcID.NotFound', "The vpc ID 'vpc-0a1b2c3d4e5f60718' does not exist"))],
    ['AWS::EC2::SecurityGroup', 'sg-0f1e2d3c4b5a69788', () => ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('InvalidGroup.NotFound', "The security group 'sg-0f1e2d3c4b5a69788' does not exist"))],
    ['AWS::EC2::Volume', 'vol-0123456789abcdef0', () => ec2.on(DescribeVolumesCommand).rejects(awsError('InvalidVolume.NotFound', "The volume 'vol-0123456789abcdef0' does not exist."))],
    ['AWS::RDS::DBInstance', 'db-7HX3KQ2ZP4N6WLM5R8TBVYC2DA', () => rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] })],
    ['AWS::RDS::DBCluster', 'cluster-5QJ7WZ2MKX4RFT8NB3YH6PLVCE', () => rds.on(DescribeDBClustersCommand).rejects(awsError('DBClusterNotFoundFault', 'DBCluster not found', 404))],
    ['AWS::S3::Bucket', BUCKETS.legacy, () => s3.on(GetBucketEncryptionCommand).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist', 404))],
    ['AWS::SNS::Topic', TOPICS.plain, () => sns.on(GetTopicAttributesCommand).rejects(awsError('NotFoundException', 'Topic does not exist', 404))],
    ['AWS::Logs::LogGroup', '/driftwarden/dev/gone', () => logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] })],
    ['AWS::EFS::FileSystem', 'fs-0a1b2c3d4e5f67890', () => efs.on(DescribeFileSystemsCommand).rejects(awsError('FileSystemNotFound', 'File system does not exist.', 404))],
    ['AWS::SecretsManager::Secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone-AbCdEf', () => secrets.on(DescribeSecretCommand).rejects(awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."))],
  ])('returns undefined for a %s that no longer exists', async (type, id, mock) => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    mock();
    await expect(readResource(type, id, testClients(), CTX)).resolves.toBeUndefined();
  });

  it('rethrows errors that do not mean "gone"', async () => {
    ec2.on(DescribeVpcsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    await expect(readResource('AWS::EC2::VPC', 'vpc-1', testClients(), CTX)).rejects.toThrow('You are not authorized');
  });

  it('reads one security group with its rule ids', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves(apiFixture('config/api-describe-security-groups.json'));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves(apiFixture('config/api-describe-security-group-rules.json'));

    const group = await readResource('AWS::EC2::SecurityGroup', 'sg-0f1e2d3c4b5a69788', testClients(), CTX);

    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input).toEqual({ GroupIds: ['sg-0f1e2d3c4b5a69788'] });
    expect(group?.type === 'AWS::EC2::SecurityGroup' && group.properties.ingress.map((rule) => rule.ruleId)).toHaveLength(8);
  });

  it.each([
    ['AWS::RDS::DBInstance', 'dbi-resource-id', 'db-7HX3KQ2ZP4N6WLM5R8TBVYC2DA'],
    ['AWS::RDS::DBCluster', 'db-cluster-resource-id', 'cluster-5QJ7WZ2MKX4RFT8NB3YH6PLVCE'],
  ] as const)('finds a %s by its resource id with the %s filter', async (type, filter, id) => {
    rds.on(DescribeDBInstancesCommand).resolves(apiFixture('rds-describe-db-instances.json'));
    rds.on(DescribeDBClustersCommand).resolves(apiFixture('rds-describe-db-clusters.json'));

    const found = await readResource(type, id, testClients(), CTX);

    expect(found?.id).toBe(id);
    const calls = type === 'AWS::RDS::DBInstance' ? rds.commandCalls(DescribeDBInstancesCommand) : rds.commandCalls(DescribeDBClustersCommand);
    expect(calls[0]!.args[0].input).toEqual({ Filters: [{ Name: filter, Values: [id] }] });
  });

  it('reads one bucket with its encryption and its tags by ARN', async () => {
    mockBuckets();

    const bucket = await readResource('AWS::S3::Bucket', BUCKETS.legacy, testClients(), CTX);

    expect(bucket).toMatchObject({ id: BUCKETS.legacy, properties: { encrypted: true, algorithm: 'AES256' } });
    expect(tagging.commandCalls(GetResourcesCommand)[0]!.args[0].input).toEqual({ ResourceARNList: [`arn:aws:s3:::${BUCKETS.legacy}`] });
  });

  it('finds a log group by exact name among prefix matches', async () => {
    logs.on(DescribeLogGroupsCommand).resolves(apiFixture('logs-describe-log-groups.json'));
    tagging.on(GetResourcesCommand).resolves(apiFixture('tagging-get-resources-logs.json'));

    const group = await readResource('AWS::Logs::LogGroup', '/driftwarden/dev/vpc-flow-logs', testClients(), CTX);

    expect(group).toMatchObject({ id: '/driftwarden/dev/vpc-flow-logs', tags: { Environment: 'dev' }, properties: { encrypted: true } });
    expect(logs.commandCalls(DescribeLogGroupsCommand)[0]!.args[0].input).toEqual({ logGroupNamePrefix: '/driftwarden/dev/vpc-flow-logs', limit: 50 });
  });

  it('reads a secret with DescribeSecret, pending deletion included', async () => {
    secrets.on(DescribeSecretCommand).resolves({ ...apiFixture('config/api-describe-secret.json'), DeletedDate: new Date('2025-06-14T00:00:00.000Z') });

    const secret = await readResource('AWS::SecretsManager::Secret', 'rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe', testClients(), CTX);

    expect(secret).toMatchObject({ name: 'rds!cluster-3f2e1d0c-9b8a-4776-8554-433221100ffe', properties: { owningService: 'rds', pendingDeletion: true } });
  });
});

describe('inventoryPermissions', () => {
  it.each(RESOURCE_TYPES)('declares specific IAM actions for %s', (type) => {
    const actions = inventoryPermissions(type);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
  });
});
