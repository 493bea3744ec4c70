import { CATALOGUE, definitionOf, type Resource, type ResourceType } from '../../resources';
import type { AccountShape, LiveContext } from '../resource-type';
import type { AwsClients } from './clients';

/**
 * The live account read through the catalogue: each type's entry in `resources/` lists and reads it;
 * this module only finds the entry.
 */

export type { AccountShape, LiveContext as InventoryContext };

/** The largest page of every listing API the catalogue calls, by `Service:Operation`. */
export const PAGE_SIZES: Readonly<Record<string, number>> = Object.assign({}, ...CATALOGUE.map((entry) => entry.live.pageSizes));

/**
 * The fewest calls, by operation, that listing one type in one region can take: one per page at the
 * largest page size, plus the per-resource reads no list call answers (S3 encryption, SNS
 * attributes). The benchmark and the tests hold `listResources` to exactly this.
 */
export function minimumListingCalls(resourceType: ResourceType, shape: AccountShape): Record<string, number> {
  return definitionOf(resourceType).live.minimumCalls(shape);
}

/** The IAM actions `listResources` and `readResource` call for a resource type. */
export function inventoryPermissions(resourceType: ResourceType): string[] {
  return [...definitionOf(resourceType).live.permissions];
}

/**
 * Every resource of a type in one region, one page at a time, each page from one list call at the
 * largest page size the API allows (plus the per-resource calls AWS forces for some types).
 */
export function listResources(resourceType: ResourceType, clients: AwsClients, context: LiveContext): AsyncGenerator<Resource[]> {
  // Each entry yields resources of its own type: the catalogue's types are the union `Resource`.
  return definitionOf(resourceType).live.list(clients, context) as AsyncGenerator<Resource[]>;
}

/**
 * One resource by the id `listResources` (and AWS Config) gives it, as it is now; `undefined` when
 * it no longer exists. Used to re-read a resource before remediating it and for items too large
 * for a Config event.
 */
export function readResource(resourceType: ResourceType, resourceId: string, clients: AwsClients, context: LiveContext): Promise<Resource | undefined> {
  return definitionOf(resourceType).live.read(clients, resourceId, context) as Promise<Resource | undefined>;
}
