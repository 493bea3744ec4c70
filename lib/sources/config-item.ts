import { InputFormatError } from '../errors';
import type { FlowLog, Resource } from '../model';
import type { ConfigurationItem } from '../resource-type';
import { resourceTypeDefinition } from '../../resources';
import { asArray, asObject, asString, isObject, parseEmbeddedJson, readTime, tagMap } from './values';

export type { ConfigurationItem };

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
    creationTime: readTime(raw.resourceCreationTime, 'resourceCreationTime'),
    tags: tagMap(raw.tags),
    configuration: configuration ?? undefined,
    supplementary,
    relatedEvents: asArray(raw.relatedEvents).filter((event): event is string => typeof event === 'string'),
  };
}

export function isGone(item: ConfigurationItem): boolean {
  return (item.status !== undefined && GONE_STATUSES.has(item.status)) || item.configuration === undefined;
}

/**
 * The normalised resource for a configuration item, or `undefined` when driftwarden has no model for
 * its type or the resource is gone (deleted, not recorded).
 */
export function resourceFromItem(item: ConfigurationItem): Resource | undefined {
  const configuration = item.configuration;
  const definition = resourceTypeDefinition(item.resourceType);
  if (!configuration || isGone(item) || !definition) return undefined;
  const base = {
    id: item.resourceId,
    name: item.resourceName,
    arn: item.arn,
    accountId: item.accountId,
    region: item.region,
    tags: item.tags,
    capturedAt: item.captureTime,
  };
  const { name, properties } = definition.fromConfigItem(configuration, item);
  return { ...base, name: name ?? base.name, type: definition.type, properties } as Resource;
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
