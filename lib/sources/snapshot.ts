import { InputFormatError } from '../errors';
import { createLookups, groupFlowLogsByVpc } from '../lookups';
import type { FlowLog, Resource } from '../model';
import { flowLogFromItem, isGone, readConfigurationItem, resourceFromItem, type ConfigurationItem } from './config-item';
import { countSkipped, type GoneResource, type SourceOrigin, type SourceResult } from './source';
import { isObject } from './values';

/**
 * The items of a saved AWS Config snapshot, in any of the shapes the AWS CLI writes:
 * `batch-get-resource-config` (`baseConfigurationItems`), `get-resource-config-history`
 * (`configurationItems`), a plain array of items, or a single item.
 */
export function snapshotItems(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw.length === 0 || raw.some(looksLikeItem) ? raw : undefined;
  if (!isObject(raw)) return undefined;
  if (Array.isArray(raw.baseConfigurationItems)) return raw.baseConfigurationItems;
  if (Array.isArray(raw.configurationItems)) return raw.configurationItems;
  if (isObject(raw.configurationItem)) return [raw.configurationItem];
  return looksLikeItem(raw) ? [raw] : undefined;
}

function looksLikeItem(value: unknown): boolean {
  return isObject(value) && typeof value.resourceType === 'string' && typeof value.resourceId === 'string';
}

/**
 * Resources and lookups from Config items. Flow logs come from the snapshot's `AWS::EC2::FlowLog`
 * items; a snapshot without any cannot say whether a VPC has flow logs, so the lookup answers
 * "could not be looked up" rather than "none".
 */
export function readSnapshot(raw: unknown, origin: SourceOrigin = { kind: 'snapshot' }): SourceResult {
  const items = snapshotItems(raw);
  const where = origin.file ?? (origin.aggregator !== undefined ? `Aggregator "${origin.aggregator}"` : 'The snapshot');
  if (!items) {
    throw new InputFormatError(
      `${where} is neither AWS Config items (batch-get-resource-config, get-resource-config-history, an array or one item) nor a Terraform plan; ` +
        'for `terraform show -json` output use --terraform.',
    );
  }
  const resources: Resource[] = [];
  const flowLogs: FlowLog[] = [];
  const skippedTypes: Record<string, number> = {};
  let flowLogItems = 0;
  // A configuration history lists states of the same resource: the newest (by capture time) wins,
  // whatever the order of the file, per account and region (an aggregator's items come from many).
  const newest = new Map<string, ConfigurationItem>();
  items.forEach((rawItem, index) => {
    let item;
    try {
      item = readConfigurationItem(rawItem);
    } catch (error) {
      throw new InputFormatError(`${where}: item ${index}: ${(error as Error).message}`, { cause: error });
    }
    const key = [item.accountId, item.region, item.resourceType, item.resourceId].join('\u0000');
    const kept = newest.get(key);
    if (!kept || Date.parse(item.captureTime ?? '') > Date.parse(kept.captureTime ?? '')) newest.set(key, item);
  });
  const gone: GoneResource[] = [];
  for (const item of newest.values()) {
    if (item.resourceType === 'AWS::EC2::FlowLog') {
      flowLogItems++;
      const flowLog = flowLogFromItem(item);
      if (flowLog) flowLogs.push(flowLog);
      continue;
    }
    const resource = resourceFromItem(item);
    if (resource) resources.push(resource);
    else if (isGone(item)) gone.push({ resourceType: item.resourceType, resourceId: item.resourceId, status: item.status ?? 'ResourceDeleted', ...(item.captureTime && { capturedAt: item.captureTime }) });
    else countSkipped(skippedTypes, item.resourceType);
  }
  const lookups = createLookups(flowLogItems > 0 ? { flowLogsByVpc: groupFlowLogsByVpc(flowLogs) } : {});
  return { origin, resources, lookups, skippedTypes, destroyed: 0, gone };
}
