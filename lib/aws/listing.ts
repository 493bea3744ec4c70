import { tagMap } from '../sources/values';
import { hasErrorName } from './aws-errors';
import type { AwsClients } from './clients';

/** What catalogue entries share when they read a type live: page counting, gone resources, tags. */

/** The largest page of the Resource Groups Tagging API's GetResources. */
export const TAGGING_PAGE_SIZE = 100;

/** Per-resource calls in flight at once when a context does not say. */
export const DEFAULT_PER_RESOURCE_CONCURRENCY = 16;

export type Tags = Record<string, string>;

/** Calls a listing of `items` takes at `pageSize` per page: an empty listing still takes one. */
export function pages(items: number, pageSize: number): number {
  return Math.max(1, Math.ceil(items / pageSize));
}

export function accountFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account ? account : undefined;
}

/** Runs `read`, turning the API's "no such resource" errors into `undefined`. */
export async function unlessGone<T>(notFound: readonly string[], read: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (hasErrorName(error, notFound)) return undefined;
    throw error;
  }
}

/**
 * The region's tags of one tagging-API type, for the resources of each listed page: listed once, when
 * a page first holds resources, so a type the account has none of costs no tagging call.
 */
export function regionTags(clients: AwsClients, taggingType: string): (page: readonly unknown[]) => Promise<Map<string, Tags>> {
  let listing: Promise<Map<string, Tags>> | undefined;
  return (page) => (page.length === 0 ? Promise.resolve(new Map()) : (listing ??= tagsOfRegion(clients, taggingType)));
}

/**
 * Tags of every resource of one tagging-API type (`s3`, `sns:topic`, `logs:log-group`) in the
 * region, by ARN: one paginated listing instead of one tagging call per resource.
 */
async function tagsOfRegion(clients: AwsClients, taggingType: string): Promise<Map<string, Tags>> {
  const byArn = new Map<string, Tags>();
  const tagging = await clients.tagging();
  const pages = tagging.paginateGetResources({ client: tagging.client }, { ResourceTypeFilters: [taggingType], ResourcesPerPage: TAGGING_PAGE_SIZE });
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (mapping.ResourceARN) byArn.set(mapping.ResourceARN, tagMap(mapping.Tags));
    }
  }
  return byArn;
}

export async function tagsOf(clients: AwsClients, arn: string): Promise<Tags> {
  const tagging = await clients.tagging();
  const response = await tagging.client.send(new tagging.GetResourcesCommand({ ResourceARNList: [arn] }));
  return tagMap(response.ResourceTagMappingList?.[0]?.Tags);
}
