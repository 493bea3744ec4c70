import { CloudWatchLogsClient, DescribeLogGroupsCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type EvaluationResult,
} from '@aws-sdk/client-config-service';
import { DescribeFlowLogsCommand, DescribeVolumesCommand, DescribeVpcsCommand, EC2Client, type FlowLog, type Volume, type Vpc } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient, type FileSystemDescription } from '@aws-sdk/client-efs';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient, type DBCluster, type DBInstance } from '@aws-sdk/client-rds';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, type ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client, type Bucket } from '@aws-sdk/client-s3';
import { ListSecretsCommand, SecretsManagerClient, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient, type Topic } from '@aws-sdk/client-sns';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT_ID, BENCH_NOW, REGION, keyArn, random, secretArn, storageId, storageTypeOf, volumeId, vpcId, type EncryptedType } from './synthetic';

/**
 * The largest page each API accepts, from the AWS API references. The benchmark's minimum call
 * counts come from these, not from the code under test. ListTopics takes no page size: 100 a page.
 */
export const API_MAX_PAGE = {
  'EC2:DescribeVpcs': 1000,
  'EC2:DescribeVolumes': 1000,
  'EC2:DescribeFlowLogs': 1000,
  'RDS:DescribeDBInstances': 100,
  'RDS:DescribeDBClusters': 100,
  'S3:ListBuckets': 10000,
  'SNS:ListTopics': 100,
  'CloudWatchLogs:DescribeLogGroups': 50,
  'EFS:DescribeFileSystems': 100,
  'SecretsManager:ListSecrets': 100,
  'ResourceGroupsTaggingAPI:GetResources': 100,
  'ConfigService:GetComplianceDetailsByConfigRule': 100,
  'ConfigService:PutEvaluations': 100,
} as const;

type Operation = keyof typeof API_MAX_PAGE;

class PageSizeError extends Error {
  override name = 'InvalidParameterValue';
}

/** One page of `items`: the token is the offset, as opaque to the caller as AWS's own. */
export function page<T>(operation: Operation, items: readonly T[], token: string | undefined, requested: number | undefined) {
  const max = API_MAX_PAGE[operation];
  if (requested !== undefined && requested > max) throw new PageSizeError(`${operation}: page size ${requested} exceeds the API's maximum ${max}`);
  const size = requested ?? max;
  const start = token === undefined ? 0 : Number(token);
  const end = Math.min(items.length, start + size);
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

export interface SdkAccount {
  counts: Partial<Record<EncryptedType | 'AWS::EC2::VPC' | 'AWS::SecretsManager::Secret', number>>;
  vpcs: Vpc[];
  flowLogs: FlowLog[];
  volumes: Volume[];
  dbInstances: DBInstance[];
  dbClusters: DBCluster[];
  buckets: Bucket[];
  bucketEncryption: Map<string, { SSEAlgorithm: 'AES256' | 'aws:kms'; KMSMasterKeyID?: string } | undefined>;
  topics: Topic[];
  topicKeys: Map<string, string | undefined>;
  logGroups: LogGroup[];
  fileSystems: FileSystemDescription[];
  secrets: SecretListEntry[];
  tags: Map<string, ResourceTagMapping[]>;
  /** Customer managed keys the storage resources use. */
  keys: string[];
}

const TAGS = [
  { Key: 'team', Value: 'platform' },
  { Key: 'env', Value: 'prod' },
];

/** `count` resources of the rule's types in the shapes the SDK returns them, the same on every run. */
export function buildSdkAccount(ruleId: string, count: number): SdkAccount {
  const draw = random(count + ruleId.length);
  const account: SdkAccount = {
    counts: {},
    vpcs: [],
    flowLogs: [],
    volumes: [],
    dbInstances: [],
    dbClusters: [],
    buckets: [],
    bucketEncryption: new Map(),
    topics: [],
    topicKeys: new Map(),
    logGroups: [],
    fileSystems: [],
    secrets: [],
    tags: new Map([
      ['s3', []],
      ['sns:topic', []],
      ['logs:log-group', []],
    ]),
    keys: Array.from({ length: 40 }, (_, k) => keyArn(k)),
  };
  const bump = (type: keyof SdkAccount['counts']) => (account.counts[type] = (account.counts[type] ?? 0) + 1);
  if (ruleId === 'vpc-flow-logs') {
    for (let i = 0; i < count; i++) {
      bump('AWS::EC2::VPC');
      account.vpcs.push({ VpcId: vpcId(i), OwnerId: ACCOUNT_ID, CidrBlock: `10.${i % 256}.0.0/16`, IsDefault: false, State: 'available', Tags: TAGS });
      if (draw() < 0.9) {
        account.flowLogs.push({
          FlowLogId: `fl-${i.toString(16).padStart(17, '0')}`,
          ResourceId: vpcId(i),
          TrafficType: 'ALL',
          FlowLogStatus: 'ACTIVE',
          DeliverLogsStatus: 'SUCCESS',
          LogDestinationType: 'cloud-watch-logs',
          LogGroupName: `/vpc/flow-logs/${i}`,
          CreationTime: BENCH_NOW,
        });
      }
    }
    // Subnet flow logs share the listing and are skipped by the lookup.
    for (let i = 0; i < count / 10; i++) account.flowLogs.push({ FlowLogId: `fl-subnet-${i}`, ResourceId: `subnet-${i}`, TrafficType: 'ALL', FlowLogStatus: 'ACTIVE' });
  } else if (ruleId === 'secret-rotation') {
    for (let i = 0; i < count; i++) {
      bump('AWS::SecretsManager::Secret');
      const rotates = draw() >= 0.1;
      account.secrets.push({
        ARN: secretArn(i),
        Name: `app/service-${i}`,
        RotationEnabled: rotates,
        ...(rotates && { RotationLambdaARN: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:rotate`, RotationRules: { AutomaticallyAfterDays: 30 }, LastRotatedDate: new Date(BENCH_NOW.getTime() - (1 + (i % 29)) * 86_400_000) }),
        CreatedDate: new Date(BENCH_NOW.getTime() - 400 * 86_400_000),
        Tags: TAGS,
      });
    }
  } else if (ruleId === 'encryption-at-rest') {
    for (let i = 0; i < count; i++) {
      const type = storageTypeOf(i, count);
      bump(type);
      const id = storageId(type, i);
      const encrypted = draw() >= 0.12;
      const key = encrypted ? (draw() < 0.5 ? account.keys[i % account.keys.length] : `arn:aws:kms:${REGION}:${ACCOUNT_ID}:alias/aws/ebs`) : undefined;
      switch (type) {
        case 'AWS::EC2::Volume':
          account.volumes.push({ VolumeId: volumeId(i), Size: 20, State: 'in-use', VolumeType: 'gp3', Encrypted: encrypted, ...(key && { KmsKeyId: key }), Tags: TAGS });
          break;
        case 'AWS::RDS::DBInstance':
          account.dbInstances.push({ DBInstanceIdentifier: `db-${i}`, DbiResourceId: id, DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT_ID}:db:db-${i}`, StorageEncrypted: encrypted, ...(key && { KmsKeyId: key }), TagList: TAGS });
          break;
        case 'AWS::RDS::DBCluster':
          account.dbClusters.push({ DBClusterIdentifier: `cluster-${i}`, DbClusterResourceId: id, DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT_ID}:cluster:cluster-${i}`, StorageEncrypted: encrypted, ...(key && { KmsKeyId: key }), TagList: TAGS });
          break;
        case 'AWS::S3::Bucket':
          account.buckets.push({ Name: id, CreationDate: BENCH_NOW, BucketRegion: REGION });
          account.bucketEncryption.set(id, encrypted ? (key && !key.includes('alias/aws/') ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } : { SSEAlgorithm: 'AES256' }) : undefined);
          account.tags.get('s3')!.push({ ResourceARN: `arn:aws:s3:::${id}`, Tags: TAGS });
          break;
        case 'AWS::SNS::Topic':
          account.topics.push({ TopicArn: id });
          account.topicKeys.set(id, encrypted ? (key ?? 'alias/aws/sns') : undefined);
          account.tags.get('sns:topic')!.push({ ResourceARN: id, Tags: TAGS });
          break;
        case 'AWS::Logs::LogGroup': {
          const arn = `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${id}`;
          account.logGroups.push({ logGroupName: id, arn: `${arn}:*`, logGroupArn: arn, creationTime: BENCH_NOW.getTime(), ...(encrypted && key && !key.includes('alias/aws/') && { kmsKeyId: key }) });
          account.tags.get('logs:log-group')!.push({ ResourceARN: arn, Tags: TAGS });
          break;
        }
        case 'AWS::EFS::FileSystem':
          account.fileSystems.push({ FileSystemId: id, FileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT_ID}:file-system/${id}`, OwnerId: ACCOUNT_ID, Encrypted: encrypted, ...(key && { KmsKeyId: key }), Tags: TAGS, CreationToken: id, CreationTime: BENCH_NOW, LifeCycleState: 'available', NumberOfMountTargets: 1, SizeInBytes: { Value: 6144 }, PerformanceMode: 'generalPurpose' });
          break;
      }
    }
  } else {
    throw new Error(`${ruleId} has no periodic sweep to benchmark`);
  }
  return account;
}

/** What AWS Config holds for the rule: every PutEvaluations the sweep sends lands here. */
export class ConfigStore {
  readonly results = new Map<string, EvaluationResult>();
}

const pause = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * Answers every SDK call the sweep makes from `account`, each after `latency.ms`, and records them.
 * aws-sdk-client-mock replaces each client's `send`, so the latency is added per call as the code
 * makes it, and the calls are counted exactly as sent.
 */
export function mockAws(account: SdkAccount, store: ConfigStore, latency: { ms: number }) {
  const delayed = <I, O>(answer: (input: I) => O) => async (input: I): Promise<O> => {
    await pause(latency.ms);
    return answer(input);
  };
  const ec2 = mockClient(EC2Client);
  ec2.on(DescribeVpcsCommand).callsFake(delayed((input) => {
    const { items, next } = page('EC2:DescribeVpcs', account.vpcs, input.NextToken, input.MaxResults);
    return { Vpcs: items, NextToken: next };
  }));
  ec2.on(DescribeFlowLogsCommand).callsFake(delayed((input) => {
    const { items, next } = page('EC2:DescribeFlowLogs', account.flowLogs, input.NextToken, input.MaxResults);
    return { FlowLogs: items, NextToken: next };
  }));
  ec2.on(DescribeVolumesCommand).callsFake(delayed((input) => {
    const { items, next } = page('EC2:DescribeVolumes', account.volumes, input.NextToken, input.MaxResults);
    return { Volumes: items, NextToken: next };
  }));
  const rds = mockClient(RDSClient);
  rds.on(DescribeDBInstancesCommand).callsFake(delayed((input) => {
    const { items, next } = page('RDS:DescribeDBInstances', account.dbInstances, input.Marker, input.MaxRecords);
    return { DBInstances: items, Marker: next };
  }));
  rds.on(DescribeDBClustersCommand).callsFake(delayed((input) => {
    const { items, next } = page('RDS:DescribeDBClusters', account.dbClusters, input.Marker, input.MaxRecords);
    return { DBClusters: items, Marker: next };
  }));
  const s3 = mockClient(S3Client);
  s3.on(ListBucketsCommand).callsFake(delayed((input) => {
    const { items, next } = page('S3:ListBuckets', account.buckets, input.ContinuationToken, input.MaxBuckets);
    return { Buckets: items, ContinuationToken: next, Owner: { ID: 'owner' } };
  }));
  s3.on(GetBucketEncryptionCommand).callsFake(delayed((input) => {
    const byDefault = account.bucketEncryption.get(input.Bucket!);
    if (!byDefault) throw Object.assign(new Error('The server side encryption configuration was not found'), { name: 'ServerSideEncryptionConfigurationNotFoundError' });
    return { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: true }] } };
  }));
  const sns = mockClient(SNSClient);
  sns.on(ListTopicsCommand).callsFake(delayed((input) => {
    const { items, next } = page('SNS:ListTopics', account.topics, input.NextToken, undefined);
    return { Topics: items, NextToken: next };
  }));
  sns.on(GetTopicAttributesCommand).callsFake(delayed((input) => {
    const key = account.topicKeys.get(input.TopicArn!);
    return { Attributes: { TopicArn: input.TopicArn!, Owner: ACCOUNT_ID, ...(key && { KmsMasterKeyId: key }) } };
  }));
  const logs = mockClient(CloudWatchLogsClient);
  logs.on(DescribeLogGroupsCommand).callsFake(delayed((input) => {
    const { items, next } = page('CloudWatchLogs:DescribeLogGroups', account.logGroups, input.nextToken, input.limit);
    return { logGroups: items, nextToken: next };
  }));
  const efs = mockClient(EFSClient);
  efs.on(DescribeFileSystemsCommand).callsFake(delayed((input) => {
    const { items, next } = page('EFS:DescribeFileSystems', account.fileSystems, input.Marker, input.MaxItems);
    return { FileSystems: items, NextMarker: next };
  }));
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(ListSecretsCommand).callsFake(delayed((input) => {
    const { items, next } = page('SecretsManager:ListSecrets', account.secrets, input.NextToken, input.MaxResults);
    return { SecretList: items, NextToken: next };
  }));
  const kms = mockClient(KMSClient);
  kms.on(DescribeKeyCommand).callsFake(delayed((input) => ({
    KeyMetadata: { KeyId: input.KeyId!.split('/').pop()!, Arn: input.KeyId, KeyManager: 'CUSTOMER' as const, Enabled: true },
  })));
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  tagging.on(GetResourcesCommand).callsFake(delayed((input) => {
    const mappings = account.tags.get(input.ResourceTypeFilters?.[0] ?? '') ?? [];
    const { items, next } = page('ResourceGroupsTaggingAPI:GetResources', mappings, input.PaginationToken || undefined, input.ResourcesPerPage);
    return { ResourceTagMappingList: items, PaginationToken: next ?? '' };
  }));
  const config = mockClient(ConfigServiceClient);
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake(delayed((input) => {
    const { items, next } = page('ConfigService:GetComplianceDetailsByConfigRule', [...store.results.values()], input.NextToken, input.Limit);
    return { EvaluationResults: items, NextToken: next };
  }));
  config.on(PutEvaluationsCommand).callsFake(delayed((input) => {
    const evaluations = input.Evaluations ?? [];
    if (evaluations.length > API_MAX_PAGE['ConfigService:PutEvaluations']) throw new PageSizeError(`PutEvaluations: ${evaluations.length} evaluations in one call`);
    for (const evaluation of evaluations) {
      store.results.set(`${evaluation.ComplianceResourceType}\u0000${evaluation.ComplianceResourceId}`, {
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: { ConfigRuleName: 'bench', ResourceType: evaluation.ComplianceResourceType, ResourceId: evaluation.ComplianceResourceId },
          OrderingTimestamp: evaluation.OrderingTimestamp,
        },
        ComplianceType: evaluation.ComplianceType,
        ...(evaluation.Annotation !== undefined && { Annotation: evaluation.Annotation }),
        ResultRecordedTime: BENCH_NOW,
      });
    }
    return { FailedEvaluations: [] };
  }));

  // The synthetic account holds none of these types: each listing is one empty page.
  const sqs = mockClient(SQSClient);
  sqs.on(ListQueuesCommand).callsFake(delayed(() => ({ QueueUrls: [] })));
  const dynamodb = mockClient(DynamoDBClient);
  dynamodb.on(ListTablesCommand).callsFake(delayed(() => ({ TableNames: [] })));
  const elastiCache = mockClient(ElastiCacheClient);
  elastiCache.on(DescribeReplicationGroupsCommand).callsFake(delayed(() => ({ ReplicationGroups: [] })));
  const kinesis = mockClient(KinesisClient);
  kinesis.on(ListStreamsCommand).callsFake(delayed(() => ({ StreamNames: [], HasMoreStreams: false })));
  const ecr = mockClient(ECRClient);
  ecr.on(DescribeRepositoriesCommand).callsFake(delayed(() => ({ repositories: [] })));

  const mocks = { SQS: sqs, DynamoDB: dynamodb, ElastiCache: elastiCache, Kinesis: kinesis, ECR: ecr, EC2: ec2, RDS: rds, S3: s3, SNS: sns, CloudWatchLogs: logs, EFS: efs, SecretsManager: secrets, KMS: kms, ResourceGroupsTaggingAPI: tagging, ConfigService: config };
  return {
    /** Calls made so far, by `Service:Operation`. */
    calls(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const [service, mock] of Object.entries(mocks)) {
        for (const call of mock.calls()) {
          const key = `${service}:${(call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')}`;
          counts[key] = (counts[key] ?? 0) + 1;
        }
      }
      return counts;
    },
    reset(): void {
      for (const mock of Object.values(mocks)) mock.resetHistory();
    },
  };
}

/** The fewest calls a sweep of `account` can make, by operation: full pages, forced per-resource calls, full batches. */
export function minimumCalls(ruleId: string, account: SdkAccount, recordedResults: number, evaluationsToReport: number): Record<string, number> {
  const pages = (operation: Operation, items: number) => Math.max(1, Math.ceil(items / API_MAX_PAGE[operation]));
  const minimum: Record<string, number> = {
    'ConfigService:GetComplianceDetailsByConfigRule': pages('ConfigService:GetComplianceDetailsByConfigRule', recordedResults),
  };
  if (evaluationsToReport > 0) minimum['ConfigService:PutEvaluations'] = Math.ceil(evaluationsToReport / API_MAX_PAGE['ConfigService:PutEvaluations']);
  if (ruleId === 'vpc-flow-logs') {
    minimum['EC2:DescribeVpcs'] = pages('EC2:DescribeVpcs', account.vpcs.length);
    minimum['EC2:DescribeFlowLogs'] = pages('EC2:DescribeFlowLogs', account.flowLogs.length);
  } else if (ruleId === 'secret-rotation') {
    minimum['SecretsManager:ListSecrets'] = pages('SecretsManager:ListSecrets', account.secrets.length);
  } else {
    minimum['EC2:DescribeVolumes'] = pages('EC2:DescribeVolumes', account.volumes.length);
    minimum['RDS:DescribeDBInstances'] = pages('RDS:DescribeDBInstances', account.dbInstances.length);
    minimum['RDS:DescribeDBClusters'] = pages('RDS:DescribeDBClusters', account.dbClusters.length);
    minimum['EFS:DescribeFileSystems'] = pages('EFS:DescribeFileSystems', account.fileSystems.length);
    minimum['S3:ListBuckets'] = pages('S3:ListBuckets', account.buckets.length);
    // No list call returns a bucket's default encryption or a topic's key: one call each, as AWS forces.
    minimum['S3:GetBucketEncryption'] = account.buckets.length;
    minimum['SNS:ListTopics'] = pages('SNS:ListTopics', account.topics.length);
    minimum['SNS:GetTopicAttributes'] = account.topics.length;
    minimum['CloudWatchLogs:DescribeLogGroups'] = pages('CloudWatchLogs:DescribeLogGroups', account.logGroups.length);
    // Tags of buckets, topics and log groups: one listing per service (their list calls carry none).
    minimum['ResourceGroupsTaggingAPI:GetResources'] = ['s3', 'sns:topic', 'logs:log-group'].reduce(
      (total, service) => total + pages('ResourceGroupsTaggingAPI:GetResources', account.tags.get(service)!.length),
      0,
    );
    // Types the synthetic account holds none of: one empty page each.
    for (const listing of ['SQS:ListQueues', 'DynamoDB:ListTables', 'ElastiCache:DescribeReplicationGroups', 'Kinesis:ListStreams', 'ECR:DescribeRepositories']) minimum[listing] = 1;
    // With the default parameters (requireCustomerManagedKey false, no kmsKeyArns) no key needs to be looked up.
  }
  return minimum;
}
