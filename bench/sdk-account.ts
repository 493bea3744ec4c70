import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { FlowLog, Volume, Vpc } from '@aws-sdk/client-ec2';
import type { FileSystemDescription } from '@aws-sdk/client-efs';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Bucket } from '@aws-sdk/client-s3';
import type { SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { Topic } from '@aws-sdk/client-sns';
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
