import { DescribeFlowLogsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { MissingAwsConfigurationError } from '../../lib/errors';
import type { ResourceType } from '../../lib/model';
import { collectLiveResources, type LiveScanProgress } from '../../lib/sources/live';
import { RULES } from '../../rules';
import { awsError, testClients } from '../aws/helpers';
import { mockAccount } from './live-account';

const { mocks, answer } = mockAccount();
beforeEach(answer);

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

const scan = (options: Partial<Parameters<typeof collectLiveResources>[0]> = {}) =>
  collectLiveResources({ rules: RULES, regions: ['eu-west-1'], clientsFor: () => testClients(), accountId: '123456789012', ...options });

describe('collectLiveResources', () => {
  it('lists every type the rules evaluate and loads their lookups', async () => {
    const result = await scan();

    expect(result.errors).toEqual([]);
    const [region] = result.regions;
    const countByType: Partial<Record<ResourceType, number>> = {};
    for (const resource of region!.resources) countByType[resource.type] = (countByType[resource.type] ?? 0) + 1;
    expect(countByType).toEqual({
      'AWS::EC2::VPC': 2,
      'AWS::EC2::SecurityGroup': 1,
      'AWS::EC2::Volume': 2,
      'AWS::RDS::DBInstance': 1,
      'AWS::RDS::DBCluster': 1,
      'AWS::S3::Bucket': 3,
      'AWS::SNS::Topic': 2,
      'AWS::Logs::LogGroup': 2,
      'AWS::EFS::FileSystem': 1,
      'AWS::SecretsManager::Secret': 2,
      'AWS::SQS::Queue': 3,
      'AWS::DynamoDB::Table': 2,
      'AWS::ElastiCache::ReplicationGroup': 2,
      'AWS::Kinesis::Stream': 2,
      'AWS::ECR::Repository': 2,
    });
    expect(result.resourceCount).toBe(28);
    expect(region!.lookups.flowLogs('vpc-0a1b2c3d4e5f60718')).toHaveLength(1);
    expect(region!.lookups.flowLogs('vpc-0d1e2f3a4b5c6d7e8')).toEqual([]);
    expect(region!.lookups.keyManager('arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d')).toBe('CUSTOMER');
  });

  it('makes exactly the minimum calls: one per page, plus the per-resource reads AWS forces', async () => {
    await scan();

    expect(callsByOperation()).toEqual({
      'ec2:DescribeVpcs': 1,
      'ec2:DescribeSecurityGroups': 1,
      'ec2:DescribeSecurityGroupRules': 1,
      'ec2:DescribeVolumes': 1,
      'ec2:DescribeFlowLogs': 1,
      'rds:DescribeDBInstances': 1,
      'rds:DescribeDBClusters': 1,
      's3:ListBuckets': 1,
      's3:GetBucketEncryption': 3,
      'sns:ListTopics': 1,
      'sns:GetTopicAttributes': 2,
      'logs:DescribeLogGroups': 1,
      'efs:DescribeFileSystems': 1,
      'secrets:ListSecrets': 1,
      'sqs:ListQueues': 1,
      'sqs:GetQueueAttributes': 3,
      'dynamodb:ListTables': 1,
      'dynamodb:DescribeTable': 2,
      'elastiCache:DescribeReplicationGroups': 1,
      'kinesis:ListStreams': 1,
      'kinesis:DescribeStreamSummary': 2,
      'ecr:DescribeRepositories': 1,
      // One per distinct customer key: volume, cluster, bucket, log group and the queue/table/repository key; the SNS and Kinesis aliases need none.
      'kms:DescribeKey': 5,
      // One tag listing each for buckets, topics, log groups, queues, tables, replication groups, streams and repositories.
      'tagging:GetResources': 8,
    });
  });

  it('skips lookups the caller says are not needed', async () => {
    await scan({ lookups: ['flowLogs'] });
    expect(mocks.kms.calls()).toHaveLength(0);
    expect(mocks.ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(1);
  });

  it('reports a type it may not list and carries on with the others', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).rejects(
      awsError('AccessDenied', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: rds:DescribeDBInstances', 403),
    );

    const result = await scan();

    expect(result.errors).toEqual([
      {
        region: 'eu-west-1',
        subject: 'AWS::RDS::DBInstance',
        accessDenied: true,
        message: 'AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: rds:DescribeDBInstances',
      },
    ]);
    expect(result.resourceCount).toBe(27);
    expect(result.regions[0]!.resources.some((resource) => resource.type === 'AWS::RDS::DBCluster')).toBe(true);
  });

  it('names the bucket whose encryption it may not read', async () => {
    mocks.s3.on(GetBucketEncryptionCommand, { Bucket: 'driftwarden-dev-legacy-123456789012' }).rejects(awsError('AccessDenied', 'Access Denied', 403));

    const result = await scan({ rules: RULES.filter((rule) => rule.id === 'encryption-at-rest') });

    expect(result.errors).toEqual([
      {
        region: 'eu-west-1',
        subject: 'AWS::S3::Bucket',
        accessDenied: true,
        message: 'Could not read the default encryption of S3 bucket driftwarden-dev-legacy-123456789012: AccessDenied: Access Denied',
      },
    ]);
  });

  it('reports a lookup it may not load and leaves it unknown, so rules say so', async () => {
    mocks.ec2.on(DescribeFlowLogsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));

    const result = await scan();

    expect(result.errors).toEqual([expect.objectContaining({ subject: 'lookup:flowLogs', accessDenied: true })]);
    expect(result.regions[0]!.lookups.flowLogs('vpc-0a1b2c3d4e5f60718')).toBeUndefined();
  });

  it('scans each region with its own clients and reports progress per type', async () => {
    const regionsAsked: string[] = [];
    const progress: LiveScanProgress[] = [];

    const result = await scan({
      rules: RULES.filter((rule) => rule.id === 'vpc-flow-logs'),
      regions: ['eu-west-1', 'us-east-1'],
      clientsFor: (region) => {
        regionsAsked.push(region);
        return testClients();
      },
      onProgress: (event) => progress.push(event),
    });

    expect(regionsAsked).toEqual(['eu-west-1', 'us-east-1']);
    expect(result.regions.map((region) => [region.region, region.resources.length])).toEqual([
      ['eu-west-1', 2],
      ['us-east-1', 2],
    ]);
    expect(progress.filter((event) => event.done)).toEqual([
      { region: 'eu-west-1', resourceType: 'AWS::EC2::VPC', listed: 2, done: true },
      { region: 'us-east-1', resourceType: 'AWS::EC2::VPC', listed: 2, done: true },
    ]);
  });

  it('keeps at most `concurrency` listings in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    mocks.ec2.on(DescribeVpcsCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { Vpcs: [] };
    });

    await scan({ rules: RULES.filter((rule) => rule.id === 'vpc-flow-logs'), regions: ['eu-west-1', 'eu-west-2', 'us-east-1', 'us-west-2'], concurrency: 2 });

    expect(peak).toBe(2);
  });

  it('says how to configure credentials when the SDK finds none', async () => {
    // What the SDK's default credential chain throws when every provider comes up empty.
    mocks.ec2.on(DescribeVpcsCommand).callsFake(async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });

    const run = scan({ rules: RULES.filter((rule) => rule.id === 'vpc-flow-logs') });

    await expect(run).rejects.toThrow(MissingAwsConfigurationError);
    await expect(run).rejects.toThrow('No AWS credentials found: run `aws configure` or `aws sso login`, pass --profile');
  });

  it('says how to fix expired credentials', async () => {
    mocks.ec2.on(DescribeVpcsCommand).rejects(awsError('ExpiredToken', 'The security token included in the request is expired', 400));
    await expect(scan({ rules: RULES.filter((rule) => rule.id === 'vpc-flow-logs') })).rejects.toThrow(
      'AWS rejected the credentials (ExpiredToken: The security token included in the request is expired): refresh them',
    );
  });

  it.each([[[]], [['']]])('says how to set a region when given %j', async (regions) => {
    await expect(scan({ regions })).rejects.toThrow(new MissingAwsConfigurationError('No AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile.'));
  });
});
