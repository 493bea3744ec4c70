import { paginateDescribeLogGroups, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  paginateDescribeVolumes,
  paginateDescribeVpcs,
  type IpPermission,
  type SecurityGroup,
  type SecurityGroupRule,
  type Volume,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, paginateDescribeFileSystems, type FileSystemDescription } from '@aws-sdk/client-efs';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  type DBCluster,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { GetResourcesCommand, paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketEncryptionCommand, paginateListBuckets } from '@aws-sdk/client-s3';
import {
  DescribeSecretCommand,
  paginateListSecrets,
  type DescribeSecretResponse,
  type SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { GetTopicAttributesCommand, paginateListTopics } from '@aws-sdk/client-sns';
import type { EncryptionProperties, IngressRule, Resource, ResourceOf, ResourceType } from '../model';
import { readTime, tagMap, withoutUndefined } from '../sources/values';
import { ResourceReadError } from '../errors';
import { describeAwsError, hasErrorName, isAccessDenied } from './aws-errors';
import type { AwsClients } from './clients';
import { chunks, mapWithConcurrency } from './concurrency';

/** Where resources are read, and how many per-resource calls may run at once. */
export interface InventoryContext {
  region: string;
  /** Used in ARNs the APIs do not return (EBS volumes, S3 buckets). */
  accountId?: string;
  /** Per-resource calls in flight at once (S3 encryption, SNS attributes). Default 16. */
  concurrency?: number;
}

/**
 * The largest page each listing API accepts, sent with every list call. These set the minimum
 * number of calls a sweep needs (the benchmark compares against it).
 */
export const PAGE_SIZES = {
  'EC2:DescribeVpcs': 1000,
  'EC2:DescribeSecurityGroups': 1000,
  'EC2:DescribeSecurityGroupRules': 1000,
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
} as const;

/** EC2 accepts at most 200 values in one filter (FilterLimitExceeded beyond that). */
export const EC2_FILTER_VALUES_MAX = 200;

const DEFAULT_CONCURRENCY = 16;

/** What decides how many calls listing a type takes. */
export interface AccountShape {
  /** Resources of the type in the region. */
  resources: number;
  /** S3, SNS, log groups: how many carry tags (only those come back from the tagging API). Default: all. */
  tagged?: number;
  /** Security groups: ingress and egress rules in all, spread evenly over the groups. Default: 5 per group. */
  securityGroupRules?: number;
}

function pages(items: number, pageSize: number): number {
  // An empty listing still takes one call to learn that it is empty.
  return Math.max(1, Math.ceil(items / pageSize));
}

/**
 * The fewest calls, by operation, that listing one type in one region can take: one per page at the
 * largest page size, plus the per-resource reads no list call answers (S3 encryption, SNS
 * attributes). The benchmark and the tests hold `listResources` to exactly this.
 */
export function minimumListingCalls(resourceType: ResourceType, shape: AccountShape): Record<string, number> {
  const { resources } = shape;
  const tagPages = pages(shape.tagged ?? resources, PAGE_SIZES['ResourceGroupsTaggingAPI:GetResources']);
  switch (resourceType) {
    case 'AWS::EC2::VPC':
      return { 'EC2:DescribeVpcs': pages(resources, PAGE_SIZES['EC2:DescribeVpcs']) };
    case 'AWS::EC2::SecurityGroup': {
      const groupPages = pages(resources, PAGE_SIZES['EC2:DescribeSecurityGroups']);
      const rulesPerGroup = resources === 0 ? 0 : (shape.securityGroupRules ?? resources * 5) / resources;
      let ruleCalls = 0;
      for (let page = 0; page < groupPages; page++) {
        const groupsInPage = Math.min(PAGE_SIZES['EC2:DescribeSecurityGroups'], resources - page * PAGE_SIZES['EC2:DescribeSecurityGroups']);
        for (let start = 0; start < groupsInPage; start += EC2_FILTER_VALUES_MAX) {
          const groups = Math.min(EC2_FILTER_VALUES_MAX, groupsInPage - start);
          ruleCalls += pages(Math.ceil(groups * rulesPerGroup), PAGE_SIZES['EC2:DescribeSecurityGroupRules']);
        }
      }
      return { 'EC2:DescribeSecurityGroups': groupPages, ...(ruleCalls > 0 && { 'EC2:DescribeSecurityGroupRules': ruleCalls }) };
    }
    case 'AWS::EC2::Volume':
      return { 'EC2:DescribeVolumes': pages(resources, PAGE_SIZES['EC2:DescribeVolumes']) };
    case 'AWS::RDS::DBInstance':
      return { 'RDS:DescribeDBInstances': pages(resources, PAGE_SIZES['RDS:DescribeDBInstances']) };
    case 'AWS::RDS::DBCluster':
      return { 'RDS:DescribeDBClusters': pages(resources, PAGE_SIZES['RDS:DescribeDBClusters']) };
    case 'AWS::S3::Bucket':
      return {
        'S3:ListBuckets': pages(resources, PAGE_SIZES['S3:ListBuckets']),
        ...(resources > 0 && { 'S3:GetBucketEncryption': resources }),
        'ResourceGroupsTaggingAPI:GetResources': tagPages,
      };
    case 'AWS::SNS::Topic':
      return {
        'SNS:ListTopics': pages(resources, PAGE_SIZES['SNS:ListTopics']),
        ...(resources > 0 && { 'SNS:GetTopicAttributes': resources }),
        'ResourceGroupsTaggingAPI:GetResources': tagPages,
      };
    case 'AWS::Logs::LogGroup':
      return { 'CloudWatchLogs:DescribeLogGroups': pages(resources, PAGE_SIZES['CloudWatchLogs:DescribeLogGroups']), 'ResourceGroupsTaggingAPI:GetResources': tagPages };
    case 'AWS::EFS::FileSystem':
      return { 'EFS:DescribeFileSystems': pages(resources, PAGE_SIZES['EFS:DescribeFileSystems']) };
    case 'AWS::SecretsManager::Secret':
      return { 'SecretsManager:ListSecrets': pages(resources, PAGE_SIZES['SecretsManager:ListSecrets']) };
  }
}

/** IAM actions that listing and reading each type need; deployed policies are built from these. */
const PERMISSIONS: Record<ResourceType, readonly string[]> = {
  'AWS::EC2::VPC': ['ec2:DescribeVpcs'],
  'AWS::EC2::SecurityGroup': ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
  'AWS::EC2::Volume': ['ec2:DescribeVolumes'],
  'AWS::RDS::DBInstance': ['rds:DescribeDBInstances'],
  'AWS::RDS::DBCluster': ['rds:DescribeDBClusters'],
  'AWS::S3::Bucket': ['s3:ListAllMyBuckets', 's3:GetEncryptionConfiguration', 'tag:GetResources'],
  'AWS::SNS::Topic': ['sns:ListTopics', 'sns:GetTopicAttributes', 'tag:GetResources'],
  'AWS::Logs::LogGroup': ['logs:DescribeLogGroups', 'tag:GetResources'],
  'AWS::EFS::FileSystem': ['elasticfilesystem:DescribeFileSystems'],
  'AWS::SecretsManager::Secret': ['secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret'],
};

/** The IAM actions `listResources` and `readResource` call for a resource type. */
export function inventoryPermissions(resourceType: ResourceType): string[] {
  return [...PERMISSIONS[resourceType]];
}

type Tags = Record<string, string>;

function accountFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

function resource<T extends ResourceType>(value: ResourceOf<T>): ResourceOf<T> {
  return withoutUndefined(value);
}

// ---------------------------------------------------------------------------------------------------
// Tags through the Resource Groups Tagging API: one paginated listing per region and service instead
// of one GetBucketTagging / ListTagsForResource call per bucket, topic or log group.

type TaggingService = 's3' | 'sns:topic' | 'logs:log-group';

async function tagsOfRegion(clients: AwsClients, resourceType: TaggingService): Promise<Map<string, Tags>> {
  const byArn = new Map<string, Tags>();
  const pages = paginateGetResources(
    { client: clients.tagging },
    { ResourceTypeFilters: [resourceType], ResourcesPerPage: PAGE_SIZES['ResourceGroupsTaggingAPI:GetResources'] },
  );
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (mapping.ResourceARN) byArn.set(mapping.ResourceARN, tagMap(mapping.Tags));
    }
  }
  return byArn;
}

async function tagsOf(clients: AwsClients, arn: string): Promise<Tags> {
  const response = await clients.tagging.send(new GetResourcesCommand({ ResourceARNList: [arn] }));
  return tagMap(response.ResourceTagMappingList?.[0]?.Tags);
}

// ---------------------------------------------------------------------------------------------------
// Normalisation: the same ids, names and properties as lib/sources/config-item.ts.

function vpcResource(vpc: Vpc, ctx: InventoryContext): ResourceOf<'AWS::EC2::VPC'> {
  const accountId = vpc.OwnerId ?? ctx.accountId;
  return resource({
    type: 'AWS::EC2::VPC',
    id: vpc.VpcId!,
    arn: accountId ? `arn:aws:ec2:${ctx.region}:${accountId}:vpc/${vpc.VpcId}` : undefined,
    accountId,
    region: ctx.region,
    tags: tagMap(vpc.Tags),
    properties: withoutUndefined({ cidrBlock: vpc.CidrBlock, isDefault: vpc.IsDefault }),
  });
}

/** One `IngressRule` per source, as `DescribeSecurityGroupRules` reports them (with their ids). */
function ingressFromRules(rules: readonly SecurityGroupRule[]): IngressRule[] {
  const ingress: IngressRule[] = [];
  for (const rule of rules) {
    if (rule.IsEgress) continue;
    const source: IngressRule['source'] | undefined = rule.CidrIpv4
      ? { kind: 'cidr', cidr: rule.CidrIpv4 }
      : rule.CidrIpv6
        ? { kind: 'cidr', cidr: rule.CidrIpv6 }
        : rule.ReferencedGroupInfo?.GroupId
          ? { kind: 'securityGroup', groupId: rule.ReferencedGroupInfo.GroupId }
          : rule.PrefixListId
            ? { kind: 'prefixList', prefixListId: rule.PrefixListId }
            : undefined;
    if (!source) continue;
    const protocol = (rule.IpProtocol ?? '-1').toLowerCase();
    ingress.push(
      withoutUndefined({
        protocol,
        // `-1` rules carry FromPort/ToPort -1 here but no ports in Config items; keep one shape.
        ...(protocol === '-1' ? {} : { fromPort: rule.FromPort, toPort: rule.ToPort }),
        source,
        ruleId: rule.SecurityGroupRuleId,
        description: rule.Description,
      }),
    );
  }
  return ingress;
}

/** Flattens `IpPermissions` (no rule ids) for groups whose rules could not be listed separately. */
function ingressFromPermissions(permissions: readonly IpPermission[]): IngressRule[] {
  const ingress: IngressRule[] = [];
  for (const permission of permissions) {
    const protocol = (permission.IpProtocol ?? '-1').toLowerCase();
    const base = protocol === '-1' ? { protocol } : withoutUndefined({ protocol, fromPort: permission.FromPort, toPort: permission.ToPort });
    const add = (source: IngressRule['source'], description: string | undefined) =>
      ingress.push(withoutUndefined({ ...base, source, description }));
    for (const range of permission.IpRanges ?? []) if (range.CidrIp) add({ kind: 'cidr', cidr: range.CidrIp }, range.Description);
    for (const range of permission.Ipv6Ranges ?? []) if (range.CidrIpv6) add({ kind: 'cidr', cidr: range.CidrIpv6 }, range.Description);
    for (const pair of permission.UserIdGroupPairs ?? []) if (pair.GroupId) add({ kind: 'securityGroup', groupId: pair.GroupId }, pair.Description);
    for (const list of permission.PrefixListIds ?? []) if (list.PrefixListId) add({ kind: 'prefixList', prefixListId: list.PrefixListId }, list.Description);
  }
  return ingress;
}

function securityGroupResource(
  group: SecurityGroup,
  rules: readonly SecurityGroupRule[] | undefined,
  ctx: InventoryContext,
): ResourceOf<'AWS::EC2::SecurityGroup'> {
  const accountId = group.OwnerId ?? ctx.accountId;
  return resource({
    type: 'AWS::EC2::SecurityGroup',
    id: group.GroupId!,
    name: group.GroupName,
    arn: group.SecurityGroupArn ?? (accountId ? `arn:aws:ec2:${ctx.region}:${accountId}:security-group/${group.GroupId}` : undefined),
    accountId,
    region: ctx.region,
    tags: tagMap(group.Tags),
    properties: withoutUndefined({
      groupName: group.GroupName,
      vpcId: group.VpcId,
      ingress: rules ? ingressFromRules(rules) : ingressFromPermissions(group.IpPermissions ?? []),
    }),
  });
}

function volumeResource(volume: Volume, ctx: InventoryContext): ResourceOf<'AWS::EC2::Volume'> {
  return resource({
    type: 'AWS::EC2::Volume',
    id: volume.VolumeId!,
    arn: ctx.accountId ? `arn:aws:ec2:${ctx.region}:${ctx.accountId}:volume/${volume.VolumeId}` : undefined,
    accountId: ctx.accountId,
    region: ctx.region,
    tags: tagMap(volume.Tags),
    properties: withoutUndefined({ encrypted: volume.Encrypted ?? false, kmsKeyId: volume.KmsKeyId }),
  });
}

/** Config identifies RDS instances by DbiResourceId (`db-…`), not by their identifier. */
function dbInstanceResource(instance: DBInstance, ctx: InventoryContext): ResourceOf<'AWS::RDS::DBInstance'> {
  return resource({
    type: 'AWS::RDS::DBInstance',
    id: instance.DbiResourceId!,
    name: instance.DBInstanceIdentifier,
    arn: instance.DBInstanceArn,
    accountId: accountFromArn(instance.DBInstanceArn) ?? ctx.accountId,
    region: ctx.region,
    tags: tagMap(instance.TagList),
    properties: withoutUndefined({ encrypted: instance.StorageEncrypted ?? false, kmsKeyId: instance.KmsKeyId }),
  });
}

/** Config identifies clusters by DbClusterResourceId (`cluster-…`). */
function dbClusterResource(cluster: DBCluster, ctx: InventoryContext): ResourceOf<'AWS::RDS::DBCluster'> {
  return resource({
    type: 'AWS::RDS::DBCluster',
    id: cluster.DbClusterResourceId!,
    name: cluster.DBClusterIdentifier,
    arn: cluster.DBClusterArn,
    accountId: accountFromArn(cluster.DBClusterArn) ?? ctx.accountId,
    region: ctx.region,
    tags: tagMap(cluster.TagList),
    properties: withoutUndefined({ encrypted: cluster.StorageEncrypted ?? false, kmsKeyId: cluster.KmsKeyId }),
  });
}

function bucketArn(name: string): string {
  return `arn:aws:s3:::${name}`;
}

/**
 * A bucket's default encryption, from GetBucketEncryption: the one per-resource call AWS forces, as
 * no list call returns it. `undefined` when the bucket is gone.
 */
async function bucketEncryption(clients: AwsClients, bucket: string): Promise<EncryptionProperties | undefined> {
  try {
    const response = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const byDefault = response.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    if (!byDefault?.SSEAlgorithm) return { encrypted: false };
    return withoutUndefined({ encrypted: true, algorithm: byDefault.SSEAlgorithm, kmsKeyId: byDefault.KMSMasterKeyID });
  } catch (error) {
    if (hasErrorName(error, ['ServerSideEncryptionConfigurationNotFoundError'])) return { encrypted: false };
    if (hasErrorName(error, ['NoSuchBucket'])) return undefined;
    throw new ResourceReadError(`Could not read the default encryption of S3 bucket ${bucket}: ${describeAwsError(error)}`, { cause: error });
  }
}

function bucketResource(name: string, encryption: EncryptionProperties, tags: Tags, ctx: InventoryContext): ResourceOf<'AWS::S3::Bucket'> {
  return resource({
    type: 'AWS::S3::Bucket',
    id: name,
    name,
    arn: bucketArn(name),
    accountId: ctx.accountId,
    region: ctx.region,
    tags,
    properties: encryption,
  });
}

/** A topic's KMS key, from GetTopicAttributes (ListTopics returns ARNs only). `undefined` when gone. */
async function topicResource(clients: AwsClients, topicArn: string, tags: Tags, ctx: InventoryContext): Promise<ResourceOf<'AWS::SNS::Topic'> | undefined> {
  try {
    const { Attributes: attributes = {} } = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    const kmsKeyId = attributes.KmsMasterKeyId || undefined;
    return resource({
      type: 'AWS::SNS::Topic',
      id: topicArn,
      name: topicArn.split(':').pop(),
      arn: topicArn,
      accountId: accountFromArn(topicArn) ?? ctx.accountId,
      region: ctx.region,
      tags,
      properties: withoutUndefined({ encrypted: kmsKeyId !== undefined, kmsKeyId }),
    });
  } catch (error) {
    if (hasErrorName(error, ['NotFound', 'NotFoundException'])) return undefined;
    throw new ResourceReadError(`Could not read the attributes of SNS topic ${topicArn}: ${describeAwsError(error)}`, { cause: error });
  }
}

/** DescribeLogGroups' `arn` ends in `:*`; the tagging API and IAM use the ARN without it. */
function logGroupArn(group: LogGroup): string | undefined {
  return group.logGroupArn ?? group.arn?.replace(/:\*$/, '');
}

/** Log groups are not recorded by AWS Config; their id is the log group name, as CloudFormation and Terraform use. */
function logGroupResource(group: LogGroup, tags: Tags, ctx: InventoryContext): ResourceOf<'AWS::Logs::LogGroup'> {
  const arn = logGroupArn(group);
  return resource({
    type: 'AWS::Logs::LogGroup',
    id: group.logGroupName!,
    name: group.logGroupName,
    arn,
    accountId: accountFromArn(arn) ?? ctx.accountId,
    region: ctx.region,
    tags,
    properties: withoutUndefined({ encrypted: group.kmsKeyId !== undefined, kmsKeyId: group.kmsKeyId }),
  });
}

function fileSystemResource(fileSystem: FileSystemDescription, ctx: InventoryContext): ResourceOf<'AWS::EFS::FileSystem'> {
  return resource({
    type: 'AWS::EFS::FileSystem',
    id: fileSystem.FileSystemId!,
    arn: fileSystem.FileSystemArn,
    accountId: fileSystem.OwnerId ?? ctx.accountId,
    region: ctx.region,
    tags: tagMap(fileSystem.Tags),
    properties: withoutUndefined({ encrypted: fileSystem.Encrypted ?? false, kmsKeyId: fileSystem.KmsKeyId }),
  });
}

/**
 * ListSecrets carries everything the rotation rule reads (RotationEnabled, RotationRules,
 * LastRotatedDate, CreatedDate, OwningService, Tags), so no DescribeSecret per secret.
 */
function secretResource(secret: SecretListEntry | DescribeSecretResponse, ctx: InventoryContext): ResourceOf<'AWS::SecretsManager::Secret'> {
  const rules = secret.RotationRules;
  return resource({
    type: 'AWS::SecretsManager::Secret',
    id: secret.ARN!,
    name: secret.Name,
    arn: secret.ARN,
    accountId: accountFromArn(secret.ARN) ?? ctx.accountId,
    region: ctx.region,
    tags: tagMap(secret.Tags),
    properties: withoutUndefined({
      rotationEnabled: secret.RotationEnabled ?? false,
      rotationLambdaArn: secret.RotationLambdaARN,
      automaticallyAfterDays: rules?.AutomaticallyAfterDays,
      scheduleExpression: rules?.ScheduleExpression,
      lastRotatedDate: readTime(secret.LastRotatedDate, 'LastRotatedDate'),
      createdDate: readTime(secret.CreatedDate, 'CreatedDate'),
      owningService: secret.OwningService,
      pendingDeletion: secret.DeletedDate !== undefined,
    }),
  });
}

// ---------------------------------------------------------------------------------------------------
// Listing, one page at a time.

/**
 * Ingress rules of a page of groups: one filtered, paginated DescribeSecurityGroupRules per 200
 * groups. `undefined` when the caller may not call it (policies written before the API existed):
 * the groups' own IpPermissions then give the same ingress, only without rule ids.
 */
async function rulesByGroup(clients: AwsClients, groupIds: readonly string[]): Promise<Map<string, SecurityGroupRule[]> | undefined> {
  try {
    return await listRulesByGroup(clients, groupIds);
  } catch (error) {
    if (isAccessDenied(error)) return undefined;
    throw error;
  }
}

async function listRulesByGroup(clients: AwsClients, groupIds: readonly string[]): Promise<Map<string, SecurityGroupRule[]>> {
  const byGroup = new Map<string, SecurityGroupRule[]>(groupIds.map((id) => [id, []]));
  for (const ids of chunks(groupIds, EC2_FILTER_VALUES_MAX)) {
    const pages = paginateDescribeSecurityGroupRules(
      { client: clients.ec2 },
      { Filters: [{ Name: 'group-id', Values: ids }], MaxResults: PAGE_SIZES['EC2:DescribeSecurityGroupRules'] },
    );
    for await (const page of pages) {
      for (const rule of page.SecurityGroupRules ?? []) {
        if (rule.GroupId) byGroup.get(rule.GroupId)?.push(rule);
      }
    }
  }
  return byGroup;
}

async function* listSecurityGroups(clients: AwsClients, ctx: InventoryContext): AsyncGenerator<Resource[]> {
  const pages = paginateDescribeSecurityGroups({ client: clients.ec2 }, { MaxResults: PAGE_SIZES['EC2:DescribeSecurityGroups'] });
  for await (const page of pages) {
    const groups = (page.SecurityGroups ?? []).filter((group) => group.GroupId);
    if (groups.length === 0) continue;
    const rules = await rulesByGroup(clients, groups.map((group) => group.GroupId!));
    yield groups.map((group) => securityGroupResource(group, rules?.get(group.GroupId!), ctx));
  }
}

async function* listBuckets(clients: AwsClients, ctx: InventoryContext): AsyncGenerator<Resource[]> {
  const tags = await tagsOfRegion(clients, 's3');
  // BucketRegion keeps each region's sweep to its own buckets (ListBuckets is otherwise global).
  const pages = paginateListBuckets({ client: clients.s3 }, { BucketRegion: ctx.region, MaxBuckets: PAGE_SIZES['S3:ListBuckets'] });
  for await (const page of pages) {
    const names = (page.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : []));
    const buckets = await mapWithConcurrency(names, ctx.concurrency ?? DEFAULT_CONCURRENCY, async (name) => {
      const encryption = await bucketEncryption(clients, name);
      return encryption && bucketResource(name, encryption, tags.get(bucketArn(name)) ?? {}, ctx);
    });
    yield buckets.filter((bucket) => bucket !== undefined);
  }
}

async function* listTopics(clients: AwsClients, ctx: InventoryContext): AsyncGenerator<Resource[]> {
  const tags = await tagsOfRegion(clients, 'sns:topic');
  for await (const page of paginateListTopics({ client: clients.sns }, {})) {
    const arns = (page.Topics ?? []).flatMap((topic) => (topic.TopicArn ? [topic.TopicArn] : []));
    const topics = await mapWithConcurrency(arns, ctx.concurrency ?? DEFAULT_CONCURRENCY, (arn) =>
      topicResource(clients, arn, tags.get(arn) ?? {}, ctx),
    );
    yield topics.filter((topic) => topic !== undefined);
  }
}

async function* listLogGroups(clients: AwsClients, ctx: InventoryContext): AsyncGenerator<Resource[]> {
  const tags = await tagsOfRegion(clients, 'logs:log-group');
  const pages = paginateDescribeLogGroups({ client: clients.logs }, { limit: PAGE_SIZES['CloudWatchLogs:DescribeLogGroups'] });
  for await (const page of pages) {
    yield (page.logGroups ?? [])
      .filter((group) => group.logGroupName)
      .map((group) => logGroupResource(group, tags.get(logGroupArn(group) ?? '') ?? {}, ctx));
  }
}

/**
 * Every resource of a type in one region, one page at a time, each page from one list call at the
 * largest page size the API allows (plus the per-resource calls AWS forces for S3 and SNS). Keeps
 * nothing between pages but a region's tag map for S3, SNS and log groups.
 */
export async function* listResources(resourceType: ResourceType, clients: AwsClients, ctx: InventoryContext): AsyncGenerator<Resource[]> {
  switch (resourceType) {
    case 'AWS::EC2::VPC':
      for await (const page of paginateDescribeVpcs({ client: clients.ec2 }, { MaxResults: PAGE_SIZES['EC2:DescribeVpcs'] })) {
        yield (page.Vpcs ?? []).map((vpc) => vpcResource(vpc, ctx));
      }
      return;
    case 'AWS::EC2::SecurityGroup':
      yield* listSecurityGroups(clients, ctx);
      return;
    case 'AWS::EC2::Volume':
      for await (const page of paginateDescribeVolumes({ client: clients.ec2 }, { MaxResults: PAGE_SIZES['EC2:DescribeVolumes'] })) {
        yield (page.Volumes ?? []).map((volume) => volumeResource(volume, ctx));
      }
      return;
    case 'AWS::RDS::DBInstance':
      for await (const page of paginateDescribeDBInstances({ client: clients.rds }, { MaxRecords: PAGE_SIZES['RDS:DescribeDBInstances'] })) {
        yield (page.DBInstances ?? []).map((instance) => dbInstanceResource(instance, ctx));
      }
      return;
    case 'AWS::RDS::DBCluster':
      for await (const page of paginateDescribeDBClusters({ client: clients.rds }, { MaxRecords: PAGE_SIZES['RDS:DescribeDBClusters'] })) {
        yield (page.DBClusters ?? []).map((cluster) => dbClusterResource(cluster, ctx));
      }
      return;
    case 'AWS::S3::Bucket':
      yield* listBuckets(clients, ctx);
      return;
    case 'AWS::SNS::Topic':
      yield* listTopics(clients, ctx);
      return;
    case 'AWS::Logs::LogGroup':
      yield* listLogGroups(clients, ctx);
      return;
    case 'AWS::EFS::FileSystem':
      for await (const page of paginateDescribeFileSystems({ client: clients.efs }, { MaxItems: PAGE_SIZES['EFS:DescribeFileSystems'] })) {
        yield (page.FileSystems ?? []).map((fileSystem) => fileSystemResource(fileSystem, ctx));
      }
      return;
    case 'AWS::SecretsManager::Secret':
      for await (const page of paginateListSecrets({ client: clients.secretsManager }, { MaxResults: PAGE_SIZES['SecretsManager:ListSecrets'] })) {
        yield (page.SecretList ?? []).map((secret) => secretResource(secret, ctx));
      }
      return;
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading one resource by id.

/** Runs `read`, turning the API's "no such resource" errors into `undefined`. */
async function unlessGone<T>(notFound: readonly string[], read: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (hasErrorName(error, notFound)) return undefined;
    throw error;
  }
}

async function readLogGroup(clients: AwsClients, name: string, ctx: InventoryContext): Promise<Resource | undefined> {
  // The prefix can match longer names too; page until the exact one shows up.
  const pages = paginateDescribeLogGroups({ client: clients.logs }, { logGroupNamePrefix: name, limit: PAGE_SIZES['CloudWatchLogs:DescribeLogGroups'] });
  for await (const page of pages) {
    const group = page.logGroups?.find((candidate) => candidate.logGroupName === name);
    if (group) {
      const arn = logGroupArn(group);
      return logGroupResource(group, arn ? await tagsOf(clients, arn) : {}, ctx);
    }
  }
  return undefined;
}

/**
 * One resource by the id `listResources` (and AWS Config) gives it, as it is now; `undefined` when
 * it no longer exists. Used to re-read a resource before remediating it and for items too large
 * for a Config event.
 */
export async function readResource(
  resourceType: ResourceType,
  resourceId: string,
  clients: AwsClients,
  ctx: InventoryContext,
): Promise<Resource | undefined> {
  switch (resourceType) {
    case 'AWS::EC2::VPC':
      return unlessGone(['InvalidVpcID.NotFound'], async () => {
        const { Vpcs } = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [resourceId] }));
        return Vpcs?.[0] && vpcResource(Vpcs[0], ctx);
      });
    case 'AWS::EC2::SecurityGroup':
      return unlessGone(['InvalidGroup.NotFound', 'InvalidGroupId.Malformed'], async () => {
        const { SecurityGroups } = await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [resourceId] }));
        const group = SecurityGroups?.[0];
        if (!group) return undefined;
        const rules = await rulesByGroup(clients, [resourceId]);
        return securityGroupResource(group, rules?.get(resourceId), ctx);
      });
    case 'AWS::EC2::Volume':
      return unlessGone(['InvalidVolume.NotFound'], async () => {
        const { Volumes } = await clients.ec2.send(new DescribeVolumesCommand({ VolumeIds: [resourceId] }));
        return Volumes?.[0] && volumeResource(Volumes[0], ctx);
      });
    case 'AWS::RDS::DBInstance':
      return unlessGone(['DBInstanceNotFound', 'DBInstanceNotFoundFault'], async () => {
        const { DBInstances } = await clients.rds.send(
          new DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: [resourceId] }] }),
        );
        return DBInstances?.[0] && dbInstanceResource(DBInstances[0], ctx);
      });
    case 'AWS::RDS::DBCluster':
      return unlessGone(['DBClusterNotFoundFault'], async () => {
        const { DBClusters } = await clients.rds.send(
          new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-resource-id', Values: [resourceId] }] }),
        );
        return DBClusters?.[0] && dbClusterResource(DBClusters[0], ctx);
      });
    case 'AWS::S3::Bucket': {
      const encryption = await bucketEncryption(clients, resourceId);
      return encryption && bucketResource(resourceId, encryption, await tagsOf(clients, bucketArn(resourceId)), ctx);
    }
    case 'AWS::SNS::Topic': {
      const topic = await topicResource(clients, resourceId, {}, ctx);
      return topic && { ...topic, tags: await tagsOf(clients, resourceId) };
    }
    case 'AWS::Logs::LogGroup':
      return readLogGroup(clients, resourceId, ctx);
    case 'AWS::EFS::FileSystem':
      return unlessGone(['FileSystemNotFound'], async () => {
        const { FileSystems } = await clients.efs.send(new DescribeFileSystemsCommand({ FileSystemId: resourceId }));
        return FileSystems?.[0] && fileSystemResource(FileSystems[0], ctx);
      });
    case 'AWS::SecretsManager::Secret':
      return unlessGone(['ResourceNotFoundException'], async () =>
        secretResource(await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: resourceId })), ctx),
      );
  }
}
