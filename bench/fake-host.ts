/**
 * The fake AWS endpoint a sweep benchmark talks to, in a process of its own so that the sweep's
 * process measures only its own CPU: `fork('fake-host.js', [ruleId, resources, configRuleName])`. It answers from a
 * synthetic account (bench/sdk-account.ts) with the wire shapes and fields AWS sends (EC2 and
 * awsQuery XML, S3's REST-XML, EFS's REST-JSON, JSON) and the APIs' largest pages, and keeps what
 * PutEvaluations sends. Messages: `{ latencyMs }` sets the per-call latency, `'reset'` clears the
 * call log, `'calls'` answers the calls by `Service:Operation` and the number of verdicts Config holds.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { awsClientConfig } from '../lib/aws/client-config';
import { createAwsClients } from '../lib/aws/clients';
import { awsRuleRunSources } from '../lib/config-rule/aws-sources';
import { RULES } from '../rules';
import { FakeAws, FakeAwsError, XmlList } from '../test/fake-aws/server';
import { FakeConfigService } from '../test/fake-aws/config-service';
import { buildSdkAccount, page, type SdkAccount } from './sdk-account';
import { ACCOUNT_ID, BENCH_NOW, REGION } from './synthetic';

/** The SDK's service names, by SigV4 signing name, so counts read as the code's own (`EC2:DescribeVpcs`). */
const SERVICE_NAMES: Record<string, string> = {
  ec2: 'EC2',
  rds: 'RDS',
  s3: 'S3',
  sns: 'SNS',
  logs: 'CloudWatchLogs',
  elasticfilesystem: 'EFS',
  secretsmanager: 'SecretsManager',
  tagging: 'ResourceGroupsTaggingAPI',
  config: 'ConfigService',
  sqs: 'SQS',
  dynamodb: 'DynamoDB',
  elasticache: 'ElastiCache',
  kinesis: 'Kinesis',
  ecr: 'ECR',
};

const epochSeconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);
const xmlTags = (tags: { Key?: string; Value?: string }[] | undefined) => tags?.map((tag) => ({ key: tag.Key, value: tag.Value }));
const queryTags = (tags: { Key?: string; Value?: string }[] | undefined) => new XmlList('Tag', tags ?? []);
/** The access policy SNS gives a new topic: part of every GetTopicAttributes answer. */
const topicPolicy = (topicArn: string) =>
  JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT_ID } },
      },
    ],
  });
const DELIVERY_POLICY = JSON.stringify({
  http: { defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' }, disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' } },
});
const SUBNET_GROUP = {
  DBSubnetGroupName: 'default-vpc-0abc',
  DBSubnetGroupDescription: 'Created from the RDS Management Console',
  VpcId: 'vpc-0abc',
  SubnetGroupStatus: 'Complete',
  Subnets: new XmlList(
    'Subnet',
    ['a', 'b', 'c'].map((zone, index) => ({ SubnetIdentifier: `subnet-0abc${index}`, SubnetAvailabilityZone: { Name: `${REGION}${zone}` }, SubnetOutpost: {}, SubnetStatus: 'Active' })),
  ),
};
const SECURITY_GROUPS = new XmlList('VpcSecurityGroupMembership', [{ VpcSecurityGroupId: 'sg-0abc', Status: 'active' }]);

function paged<T>(operation: Parameters<typeof page>[0], items: readonly T[], token: string | undefined, requested: string | number | undefined) {
  try {
    return page(operation, items, token, requested === undefined ? undefined : Number(requested));
  } catch (error) {
    throw new FakeAwsError('InvalidParameterValue', (error as Error).message);
  }
}

export function serveAccount(fake: FakeAws, account: SdkAccount): void {
  serveNetworkAndSecrets(fake, account);
  serveStorage(fake, account);
}

function serveNetworkAndSecrets(fake: FakeAws, account: SdkAccount): void {
  fake.on('ec2', 'DescribeVpcs', ({ input }) => {
    const { items, next } = paged('EC2:DescribeVpcs', account.vpcs, input.NextToken, input.MaxResults);
    return {
      vpcSet: items.map((vpc) => ({ vpcId: vpc.VpcId, ownerId: vpc.OwnerId, cidrBlock: vpc.CidrBlock, isDefault: vpc.IsDefault, state: vpc.State, dhcpOptionsId: 'dopt-0abc', instanceTenancy: 'default', tagSet: xmlTags(vpc.Tags) })),
      nextToken: next,
    };
  });
  fake.on('ec2', 'DescribeFlowLogs', ({ input }) => {
    const { items, next } = paged('EC2:DescribeFlowLogs', account.flowLogs, input.NextToken, input.MaxResults);
    return {
      flowLogSet: items.map((log) => ({
        flowLogId: log.FlowLogId,
        resourceId: log.ResourceId,
        trafficType: log.TrafficType,
        flowLogStatus: log.FlowLogStatus,
        deliverLogsStatus: log.DeliverLogsStatus,
        logDestinationType: log.LogDestinationType,
        logGroupName: log.LogGroupName,
        creationTime: log.CreationTime,
        maxAggregationInterval: 600,
        logFormat: '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
      })),
      nextToken: next,
    };
  });
  fake.on('secretsmanager', 'ListSecrets', ({ input }) => {
    const { items, next } = paged('SecretsManager:ListSecrets', account.secrets, input.NextToken, input.MaxResults);
    return {
      SecretList: items.map((secret) => ({
        ...secret,
        LastRotatedDate: epochSeconds(secret.LastRotatedDate),
        CreatedDate: epochSeconds(secret.CreatedDate),
        LastChangedDate: epochSeconds(secret.CreatedDate),
        SecretVersionsToStages: { 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSCURRENT'] },
      })),
      ...(next && { NextToken: next }),
    };
  });
}

/** Every call of the encryption-at-rest sweep: the storage types and their tags, and one empty page of each type the account holds none of. */
function serveStorage(fake: FakeAws, account: SdkAccount): void {
  fake.on('ec2', 'DescribeVolumes', ({ input }) => {
    const { items, next } = paged('EC2:DescribeVolumes', account.volumes, input.NextToken, input.MaxResults);
    return {
      volumeSet: items.map((volume, index) => ({
        volumeId: volume.VolumeId,
        size: volume.Size,
        snapshotId: '',
        availabilityZone: `${REGION}a`,
        status: volume.State,
        createTime: BENCH_NOW,
        attachmentSet: [{ volumeId: volume.VolumeId, instanceId: `i-0${index.toString(16).padStart(16, '0')}`, device: '/dev/xvda', status: 'attached', attachTime: BENCH_NOW, deleteOnTermination: true }],
        volumeType: volume.VolumeType,
        iops: 3000,
        encrypted: volume.Encrypted,
        kmsKeyId: volume.KmsKeyId,
        tagSet: xmlTags(volume.Tags),
        multiAttachEnabled: false,
        throughput: 125,
      })),
      nextToken: next,
    };
  });
  fake.on('rds', 'DescribeDBInstances', ({ input }) => {
    const { items, next } = paged('RDS:DescribeDBInstances', account.dbInstances, input.Marker, input.MaxRecords);
    return {
      DBInstances: new XmlList(
        'DBInstance',
        items.map((instance) => ({
          DBInstanceIdentifier: instance.DBInstanceIdentifier,
          DBInstanceClass: 'db.t4g.medium',
          Engine: 'postgres',
          DBInstanceStatus: 'available',
          MasterUsername: 'postgres',
          Endpoint: { Address: `${instance.DBInstanceIdentifier}.c0abc.${REGION}.rds.amazonaws.com`, Port: 5432, HostedZoneId: 'Z29XKXDKYMONMX' },
          AllocatedStorage: 100,
          InstanceCreateTime: BENCH_NOW,
          PreferredBackupWindow: '03:00-03:30',
          BackupRetentionPeriod: 7,
          DBSecurityGroups: new XmlList('DBSecurityGroup', []),
          VpcSecurityGroups: SECURITY_GROUPS,
          DBParameterGroups: new XmlList('DBParameterGroup', [{ DBParameterGroupName: 'default.postgres16', ParameterApplyStatus: 'in-sync' }]),
          AvailabilityZone: `${REGION}a`,
          DBSubnetGroup: SUBNET_GROUP,
          PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
          PendingModifiedValues: {},
          LatestRestorableTime: BENCH_NOW,
          MultiAZ: false,
          EngineVersion: '16.4',
          AutoMinorVersionUpgrade: true,
          ReadReplicaDBInstanceIdentifiers: new XmlList('ReadReplicaDBInstanceIdentifier', []),
          LicenseModel: 'postgresql-license',
          OptionGroupMemberships: new XmlList('OptionGroupMembership', [{ OptionGroupName: 'default:postgres-16', Status: 'in-sync' }]),
          PubliclyAccessible: false,
          StorageType: 'gp3',
          DbInstancePort: 0,
          StorageEncrypted: instance.StorageEncrypted,
          KmsKeyId: instance.KmsKeyId,
          DbiResourceId: instance.DbiResourceId,
          CACertificateIdentifier: 'rds-ca-rsa2048-g1',
          CopyTagsToSnapshot: true,
          MonitoringInterval: 0,
          DBInstanceArn: instance.DBInstanceArn,
          IAMDatabaseAuthenticationEnabled: false,
          PerformanceInsightsEnabled: false,
          DeletionProtection: true,
          TagList: queryTags(instance.TagList),
          CustomerOwnedIpEnabled: false,
          BackupTarget: 'region',
          NetworkType: 'IPV4',
          StorageThroughput: 125,
          Iops: 3000,
          CertificateDetails: { CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: new Date('2027-06-15T12:00:00.000Z') },
          DedicatedLogVolume: false,
          EngineLifecycleSupport: 'open-source-rds-extended-support',
        })),
      ),
      Marker: next,
    };
  });
  fake.on('rds', 'DescribeDBClusters', ({ input }) => {
    const { items, next } = paged('RDS:DescribeDBClusters', account.dbClusters, input.Marker, input.MaxRecords);
    return {
      DBClusters: new XmlList(
        'DBCluster',
        items.map((cluster) => ({
          AllocatedStorage: 1,
          AvailabilityZones: new XmlList('AvailabilityZone', ['a', 'b', 'c'].map((zone) => `${REGION}${zone}`)),
          BackupRetentionPeriod: 7,
          DBClusterIdentifier: cluster.DBClusterIdentifier,
          DBClusterParameterGroup: 'default.aurora-postgresql16',
          DBSubnetGroup: SUBNET_GROUP.DBSubnetGroupName,
          Status: 'available',
          EarliestRestorableTime: BENCH_NOW,
          Endpoint: `${cluster.DBClusterIdentifier}.cluster-c0abc.${REGION}.rds.amazonaws.com`,
          ReaderEndpoint: `${cluster.DBClusterIdentifier}.cluster-ro-c0abc.${REGION}.rds.amazonaws.com`,
          MultiAZ: true,
          Engine: 'aurora-postgresql',
          EngineVersion: '16.4',
          LatestRestorableTime: BENCH_NOW,
          Port: 5432,
          MasterUsername: 'postgres',
          PreferredBackupWindow: '03:00-03:30',
          PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
          ReadReplicaIdentifiers: new XmlList('ReadReplicaIdentifier', []),
          DBClusterMembers: new XmlList('DBClusterMember', [
            { DBInstanceIdentifier: `${cluster.DBClusterIdentifier}-1`, IsClusterWriter: true, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1 },
            { DBInstanceIdentifier: `${cluster.DBClusterIdentifier}-2`, IsClusterWriter: false, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1 },
          ]),
          VpcSecurityGroups: SECURITY_GROUPS,
          HostedZoneId: 'Z29XKXDKYMONMX',
          StorageEncrypted: cluster.StorageEncrypted,
          KmsKeyId: cluster.KmsKeyId,
          DbClusterResourceId: cluster.DbClusterResourceId,
          DBClusterArn: cluster.DBClusterArn,
          AssociatedRoles: new XmlList('DBClusterRole', []),
          IAMDatabaseAuthenticationEnabled: false,
          ClusterCreateTime: BENCH_NOW,
          EngineMode: 'provisioned',
          DeletionProtection: true,
          HttpEndpointEnabled: false,
          CopyTagsToSnapshot: true,
          CrossAccountClone: false,
          DomainMemberships: new XmlList('DomainMembership', []),
          TagList: queryTags(cluster.TagList),
          AutoMinorVersionUpgrade: true,
          NetworkType: 'IPV4',
          StorageType: 'aurora',
          EngineLifecycleSupport: 'open-source-rds-extended-support',
        })),
      ),
      Marker: next,
    };
  });
  fake.on('s3', 'ListBuckets', ({ input }) => {
    const inRegion = input['bucket-region'] ? account.buckets.filter((bucket) => bucket.BucketRegion === input['bucket-region']) : account.buckets;
    const { items, next } = paged('S3:ListBuckets', inRegion, input['continuation-token'], input['max-buckets']);
    return {
      ListAllMyBucketsResult: {
        Buckets: new XmlList('Bucket', items.map((bucket) => ({ Name: bucket.Name, CreationDate: bucket.CreationDate, BucketRegion: bucket.BucketRegion }))),
        Owner: { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a' },
        ContinuationToken: next,
      },
    };
  });
  fake.on('s3', 'GetBucketEncryption', ({ input }) => {
    if (!account.bucketEncryption.has(input.Bucket)) throw new FakeAwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    const byDefault = account.bucketEncryption.get(input.Bucket);
    if (!byDefault) throw new FakeAwsError('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', 404);
    return { ServerSideEncryptionConfiguration: { Rule: { ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: byDefault.SSEAlgorithm === 'aws:kms' } } };
  });
  fake.on('sns', 'ListTopics', ({ input }) => {
    const { items, next } = paged('SNS:ListTopics', account.topics, input.NextToken, undefined);
    return { Topics: items.map((topic) => ({ TopicArn: topic.TopicArn })), NextToken: next };
  });
  fake.on('sns', 'GetTopicAttributes', ({ input }) => {
    if (!account.topicKeys.has(input.TopicArn)) throw new FakeAwsError('NotFound', 'Topic does not exist', 404);
    const key = account.topicKeys.get(input.TopicArn);
    const attributes = {
      Policy: topicPolicy(input.TopicArn),
      Owner: ACCOUNT_ID,
      SubscriptionsPending: '0',
      TopicArn: input.TopicArn,
      EffectiveDeliveryPolicy: DELIVERY_POLICY,
      SubscriptionsConfirmed: '1',
      DisplayName: '',
      SubscriptionsDeleted: '0',
      ...(key && { KmsMasterKeyId: key }),
    };
    return { Attributes: new XmlList('entry', Object.entries(attributes).map(([key, value]) => ({ key, value }))) };
  });
  fake.on('logs', 'DescribeLogGroups', ({ input }) => {
    const { items, next } = paged('CloudWatchLogs:DescribeLogGroups', account.logGroups, input.nextToken, input.limit);
    return {
      logGroups: items.map((group) => ({ ...group, metricFilterCount: 0, storedBytes: 52_428_800, retentionInDays: 30, logGroupClass: 'STANDARD', deletionProtectionEnabled: false })),
      ...(next && { nextToken: next }),
    };
  });
  fake.on('elasticfilesystem', 'DescribeFileSystems', ({ input }) => {
    const { items, next } = paged('EFS:DescribeFileSystems', account.fileSystems, input.Marker, input.MaxItems);
    return {
      ...(input.Marker && { Marker: input.Marker }),
      FileSystems: items.map((fileSystem) => ({
        ...fileSystem,
        CreationTime: epochSeconds(fileSystem.CreationTime),
        SizeInBytes: { ...fileSystem.SizeInBytes, ValueInIA: 0, ValueInStandard: fileSystem.SizeInBytes?.Value, ValueInArchive: 0 },
        ThroughputMode: 'elastic',
        FileSystemProtection: { ReplicationOverwriteProtection: 'ENABLED' },
      })),
      ...(next && { NextMarker: next }),
    };
  });
  fake.on('tagging', 'GetResources', ({ input }) => {
    const mappings = account.tags.get(input.ResourceTypeFilters?.[0] ?? '') ?? [];
    const { items, next } = paged('ResourceGroupsTaggingAPI:GetResources', mappings, input.PaginationToken || undefined, input.ResourcesPerPage);
    return { ResourceTagMappingList: items, PaginationToken: next ?? '' };
  });
  // The synthetic account holds none of these types: each listing is one empty page.
  fake.on('sqs', 'ListQueues', () => ({}));
  fake.on('dynamodb', 'ListTables', () => ({ TableNames: [] }));
  fake.on('elasticache', 'DescribeReplicationGroups', () => ({ ReplicationGroups: new XmlList('ReplicationGroup', []) }));
  fake.on('kinesis', 'ListStreams', () => ({ StreamNames: [], HasMoreStreams: false, StreamSummaries: [] }));
  fake.on('ecr', 'DescribeRepositories', () => ({ repositories: [] }));
}

/**
 * Reads the first page of every listing the rule makes (and its lookups, and Config's results) once,
 * through the SDK, before the benchmark starts: this process's first answers to each operation are
 * slow while V8 optimises its serialisers (a 1,000-VPC page took 95 ms instead of 25), a cost AWS
 * does not have. The call log is cleared after; the sweep process's own code stays cold.
 */
async function warmUp(fake: FakeAws, ruleId: string, configRuleName: string): Promise<void> {
  const rule = RULES.find((candidate) => candidate.id === ruleId)!;
  const clientConfig = fake.clientConfig();
  const clients = createAwsClients(clientConfig);
  const config = new ConfigServiceClient(awsClientConfig(clientConfig));
  const sources = awsRuleRunSources({ config, clients, region: REGION, accountId: ACCOUNT_ID });
  for (const resourceType of rule.resourceTypes) {
    for await (const page of sources.listResources(resourceType)) {
      // Lookups the rule does not consult with its default parameters (KMS keys) have no handler here.
      await sources.loadLookups(rule, page, true).catch(() => undefined);
      break;
    }
  }
  for await (const page of sources.recordedResults(configRuleName)) if (page) break;
  clients.destroy();
  config.destroy();
}

async function main(): Promise<void> {
  const [ruleId, resources, configRuleName] = process.argv.slice(2);
  const account = buildSdkAccount(ruleId!, Number(resources));
  const fake = await FakeAws.start({ region: REGION });
  const config = new FakeConfigService(fake, { ruleOfToken: () => configRuleName! });
  serveAccount(fake, account);
  await warmUp(fake, ruleId!, configRuleName!);
  fake.calls.length = 0;
  process.on('message', (message: unknown) => {
    if (message === 'reset') {
      fake.calls.length = 0;
      process.send!('reset');
    } else if (message === 'calls') {
      const calls: Record<string, number> = {};
      for (const call of fake.calls) {
        const key = `${SERVICE_NAMES[call.service] ?? call.service}:${call.operation}`;
        calls[key] = (calls[key] ?? 0) + 1;
      }
      process.send!({ calls, recorded: config.verdictsOf(configRuleName!).size });
    } else if (typeof message === 'object' && message !== null && 'latencyMs' in message) {
      fake.latencyMs = (message as { latencyMs: number }).latencyMs;
      process.send!('latency');
    }
  });
  process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
  process.send!({ clientConfig: fake.clientConfig() });
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
