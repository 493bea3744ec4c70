import { InputFormatError } from '../errors';
import type { EncryptionProperties, FlowLog, IngressRule, Resource, SecretProperties } from '../model';
import { isResourceType } from '../model';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  isObject,
  parseEmbeddedJson,
  readTime,
  tagMap,
  type JsonObject,
} from './values';

/**
 * A configuration item in either of AWS Config's two shapes: the invoking-event form (`ARN`,
 * `awsAccountId`, `configuration` as an object) and the API form of GetResourceConfigHistory and
 * BatchGetResourceConfig (`arn`, `accountId`, `configuration` and supplementary values as JSON strings).
 */
export interface ConfigurationItem {
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  status?: string;
  captureTime?: string;
  tags: Record<string, string>;
  configuration: JsonObject | undefined;
  supplementary: JsonObject;
  relatedEvents: string[];
}

/** Item statuses for which there is nothing left to evaluate. */
const GONE_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded']);

export function readConfigurationItem(raw: unknown): ConfigurationItem {
  if (!isObject(raw)) throw new InputFormatError('A configuration item must be a JSON object');
  const resourceType = asString(raw.resourceType);
  const resourceId = asString(raw.resourceId);
  if (!resourceType || !resourceId) {
    throw new InputFormatError('A configuration item needs resourceType and resourceId');
  }
  const configuration = parseEmbeddedJson(raw.configuration === '' ? undefined : raw.configuration);
  // Only a deleted or unrecorded resource lacks a configuration; anything else unreadable is an error, not "gone".
  if (configuration !== undefined && configuration !== null && !isObject(configuration)) {
    throw new InputFormatError(`Configuration item ${resourceType} ${resourceId}: configuration is not a JSON object`);
  }
  const supplementary = Object.fromEntries(
    Object.entries(asObject(raw.supplementaryConfiguration)).map(([key, value]) => [key, parseEmbeddedJson(value)]),
  );
  return {
    resourceType,
    resourceId,
    resourceName: asString(raw.resourceName),
    arn: asString(raw.ARN ?? raw.arn),
    accountId: asString(raw.awsAccountId ?? raw.accountId),
    region: asString(raw.awsRegion),
    status: asString(raw.configurationItemStatus),
    captureTime: readTime(raw.configurationItemCaptureTime, 'configurationItemCaptureTime'),
    tags: tagMap(raw.tags),
    configuration: configuration ?? undefined,
    supplementary,
    relatedEvents: asArray(raw.relatedEvents).filter((event): event is string => typeof event === 'string'),
  };
}

export function isGone(item: ConfigurationItem): boolean {
  return (item.status !== undefined && GONE_STATUSES.has(item.status)) || item.configuration === undefined;
}

function securityGroupIngress(configuration: JsonObject): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const permission of asArray(configuration.ipPermissions).map(asObject)) {
    const protocol = String(permission.ipProtocol ?? '-1').toLowerCase();
    const ports = { fromPort: asNumber(permission.fromPort), toPort: asNumber(permission.toPort) };
    const base = protocol === '-1' ? { protocol } : { protocol, ...ports };
    const seen = new Set<string>();
    const ipv4 = [
      ...asArray(permission.ipv4Ranges).map((range) => ({ cidr: asString(asObject(range).cidrIp), description: asString(asObject(range).description) })),
      // Older items carry only `ipRanges`, a list of plain CIDR strings.
      ...asArray(permission.ipRanges).map((cidr) => ({ cidr: asString(cidr), description: undefined })),
    ];
    const ipv6 = asArray(permission.ipv6Ranges).map((range) => ({ cidr: asString(asObject(range).cidrIpv6), description: asString(asObject(range).description) }));
    for (const { cidr, description } of [...ipv4, ...ipv6]) {
      if (!cidr || seen.has(cidr)) continue;
      seen.add(cidr);
      rules.push({ ...base, source: { kind: 'cidr', cidr }, ...(description ? { description } : {}) });
    }
    for (const pair of asArray(permission.userIdGroupPairs).map(asObject)) {
      const groupId = asString(pair.groupId);
      const description = asString(pair.description);
      if (groupId) rules.push({ ...base, source: { kind: 'securityGroup', groupId }, ...(description ? { description } : {}) });
    }
    for (const prefixList of asArray(permission.prefixListIds).map(asObject)) {
      const prefixListId = asString(prefixList.prefixListId);
      const description = asString(prefixList.description);
      if (prefixListId) rules.push({ ...base, source: { kind: 'prefixList', prefixListId }, ...(description ? { description } : {}) });
    }
  }
  return rules;
}

function bucketEncryption(item: ConfigurationItem): EncryptionProperties {
  const rules = asArray(asObject(item.supplementary.ServerSideEncryptionConfiguration).rules);
  const byDefault = asObject(asObject(rules[0]).applyServerSideEncryptionByDefault);
  const algorithm = asString(byDefault.sseAlgorithm);
  if (!algorithm) return { encrypted: false };
  return { encrypted: true, algorithm, kmsKeyId: asString(byDefault.kmsMasterKeyID) };
}

/** Config records a `rate(N hours)` rotation as `AutomaticallyAfterHours`; give the rule the schedule it stands for. */
function hourlySchedule(hours: number | undefined): string | undefined {
  return hours === undefined ? undefined : `rate(${hours} hours)`;
}

function secretProperties(item: ConfigurationItem, configuration: JsonObject): SecretProperties {
  const rules = asObject(configuration.RotationRules);
  const name = asString(configuration.Name) ?? item.resourceName ?? '';
  return {
    rotationEnabled: asBoolean(configuration.RotationEnabled) ?? false,
    rotationLambdaArn: asString(configuration.RotationLambdaARN),
    automaticallyAfterDays: asNumber(rules.AutomaticallyAfterDays),
    scheduleExpression: asString(rules.RotationScheduleExpression ?? rules.ScheduleExpression) ?? hourlySchedule(asNumber(rules.AutomaticallyAfterHours)),
    lastRotatedDate: readTime(configuration.LastRotatedDate, 'configuration.LastRotatedDate'),
    createdDate: readTime(configuration.CreatedDate, 'configuration.CreatedDate'),
    // The item has no OwningService field: RDS-managed secrets show by tag or by their `rds!` name.
    owningService: item.tags['aws:secretsmanager:owningService'] ?? (name.startsWith('rds!') ? 'rds' : undefined),
    rotationOccurringAsScheduled: asBoolean(configuration.RotationOccurringAsScheduled),
    pendingDeletion: asBoolean(configuration.Deleted) === true || configuration.DeletedDate !== undefined,
  };
}

/**
 * The normalised resource for a configuration item, or `undefined` when driftwarden has no model for
 * its type or the resource is gone (deleted, not recorded).
 */
export function resourceFromItem(item: ConfigurationItem): Resource | undefined {
  const configuration = item.configuration;
  if (!configuration || isGone(item) || !isResourceType(item.resourceType)) return undefined;
  const base = {
    id: item.resourceId,
    name: item.resourceName,
    arn: item.arn,
    accountId: item.accountId,
    region: item.region,
    tags: item.tags,
    capturedAt: item.captureTime,
  };
  switch (item.resourceType) {
    case 'AWS::EC2::VPC':
      return { ...base, type: item.resourceType, properties: { cidrBlock: asString(configuration.cidrBlock), isDefault: asBoolean(configuration.isDefault) } };
    case 'AWS::EC2::SecurityGroup':
      return {
        ...base,
        name: base.name ?? asString(configuration.groupName),
        type: item.resourceType,
        properties: { groupName: asString(configuration.groupName), vpcId: asString(configuration.vpcId), ingress: securityGroupIngress(configuration) },
      };
    case 'AWS::EC2::Volume':
      return { ...base, type: item.resourceType, properties: { encrypted: asBoolean(configuration.encrypted) ?? false, kmsKeyId: asString(configuration.kmsKeyId) } };
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster':
      return { ...base, type: item.resourceType, properties: { encrypted: asBoolean(configuration.storageEncrypted) ?? false, kmsKeyId: asString(configuration.kmsKeyId) } };
    case 'AWS::S3::Bucket':
      return { ...base, type: item.resourceType, properties: bucketEncryption(item) };
    case 'AWS::SNS::Topic': {
      const kmsKeyId = asString(configuration.KmsMasterKeyId);
      return { ...base, type: item.resourceType, properties: { encrypted: kmsKeyId !== undefined, kmsKeyId } };
    }
    case 'AWS::Logs::LogGroup': {
      const kmsKeyId = asString(configuration.kmsKeyId ?? configuration.KmsKeyId);
      return { ...base, type: item.resourceType, properties: { encrypted: kmsKeyId !== undefined, kmsKeyId } };
    }
    case 'AWS::EFS::FileSystem':
      return { ...base, type: item.resourceType, properties: { encrypted: asBoolean(configuration.Encrypted) ?? false, kmsKeyId: asString(configuration.KmsKeyId) } };
    case 'AWS::SecretsManager::Secret':
      return { ...base, type: item.resourceType, properties: secretProperties(item, configuration) };
  }
}

/** A recorded `AWS::EC2::FlowLog` item as the flow log the VPC rule looks up. */
export function flowLogFromItem(item: ConfigurationItem): FlowLog | undefined {
  const configuration = item.configuration;
  if (item.resourceType !== 'AWS::EC2::FlowLog' || !configuration || isGone(item)) return undefined;
  const resourceId = asString(configuration.resourceId);
  if (!resourceId) return undefined;
  return {
    flowLogId: asString(configuration.flowLogId) ?? item.resourceId,
    resourceId,
    trafficType: asString(configuration.trafficType) as FlowLog['trafficType'],
    status: asString(configuration.flowLogStatus),
    deliverLogsStatus: asString(configuration.deliverLogsStatus),
    deliverLogsErrorMessage: asString(configuration.deliverLogsErrorMessage),
    destinationType: asString(configuration.logDestinationType),
    destination: asString(configuration.logDestination ?? configuration.logGroupName),
  };
}
