import { describeAwsError, isAccessDenied, isCredentialsProblem } from '../aws/aws-errors';
import type { AwsClients } from '../aws/clients';
import { mapWithConcurrency } from '../aws/concurrency';
import { listResources } from '../aws/inventory';
import { loadLookups } from '../aws/lookups';
import { MissingAwsConfigurationError, NO_REGION_MESSAGE } from '../errors';
import { createLookups, type LookupData, type LookupName, type Lookups } from '../lookups';
import type { Resource, ResourceType } from '../model';
import type { AnyRule } from '../rule';
import { resourceTypeDefinition } from '../../resources';

export interface LiveScanProgress {
  region: string;
  resourceType: ResourceType;
  /** Resources of this type listed so far in this region. */
  listed: number;
  /** True once the listing of this type in this region has finished (or failed). */
  done: boolean;
}

/** A resource type (or lookup) that could not be read completely in one region. */
export interface LiveScanError {
  region: string;
  /** The resource type whose listing failed, or `lookup:<name>` for a lookup. */
  subject: ResourceType | `lookup:${LookupName}`;
  accessDenied: boolean;
  message: string;
}

export interface RegionInventory {
  region: string;
  resources: Resource[];
  /** What the rules' lookups answer in this region (flow logs, key managers, rotation dates). */
  lookups: Lookups;
  lookupData: LookupData;
}

export interface LiveScanOptions {
  rules: readonly AnyRule[];
  regions: readonly string[];
  clientsFor(region: string): AwsClients;
  /** Listings (region × resource type) in flight at once. Default 4. */
  concurrency?: number;
  /** Per-resource calls in flight at once within one listing (S3, SNS, KMS). Default 16. */
  perResourceConcurrency?: number;
  /** Used in ARNs the APIs do not return (EBS volumes, S3 buckets). */
  accountId?: string;
  /**
   * The lookups to load. Default: every lookup the rules declare. A caller that knows a lookup is
   * not needed (keyManager when no rule requires customer managed keys) saves its calls.
   */
  lookups?: readonly LookupName[];
  onProgress?(progress: LiveScanProgress): void;
}

export interface LiveScanResult {
  regions: RegionInventory[];
  /** Listings and lookups that failed; the rest of the scan went on without them. */
  errors: LiveScanError[];
  resourceCount: number;
}

const DEFAULT_CONCURRENCY = 4;

function credentialsError(error: unknown): MissingAwsConfigurationError {
  const detail = describeAwsError(error);
  return new MissingAwsConfigurationError(
    /CredentialsProviderError|Could not load credentials/i.test(detail)
      ? 'No AWS credentials found: run `aws configure` or `aws sso login`, pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'
      : `AWS rejected the credentials (${detail}): refresh them (for example \`aws sso login\`) and try again.`,
    { cause: error },
  );
}

function scanError(region: string, subject: LiveScanError['subject'], error: unknown): LiveScanError {
  return { region, subject, accessDenied: isAccessDenied(error), message: describeAwsError(error) };
}

/** The resource types the rules evaluate, each once. */
export function resourceTypesOf(rules: readonly AnyRule[]): ResourceType[] {
  return [...new Set(rules.flatMap((rule) => rule.resourceTypes))];
}

/**
 * Lists every resource of the rules' types in each region through the Describe/List APIs and loads
 * the lookups the rules need, with bounded concurrency. A type that cannot be listed (AccessDenied,
 * retries exhausted) is reported in `errors` and the others go on; missing or rejected credentials
 * and a missing region stop the scan with a `MissingAwsConfigurationError` that says what to do.
 */
export async function collectLiveResources(options: LiveScanOptions): Promise<LiveScanResult> {
  const regions = options.regions.filter((region) => region.trim() !== '');
  if (regions.length === 0) {
    throw new MissingAwsConfigurationError(NO_REGION_MESSAGE);
  }
  const resourceTypes = resourceTypesOf(options.rules);
  const needs = options.lookups ?? [...new Set(options.rules.flatMap((rule) => rule.lookups))];
  const errors: LiveScanError[] = [];
  const inventories = new Map(regions.map((region) => [region, { region, clients: options.clientsFor(region), resources: [] as Resource[] }]));

  const listings = regions.flatMap((region) => resourceTypes.map((resourceType) => ({ region, resourceType })));
  await mapWithConcurrency(listings, options.concurrency ?? DEFAULT_CONCURRENCY, async ({ region, resourceType }) => {
    const inventory = inventories.get(region)!;
    let listed = 0;
    try {
      const ctx = { region, accountId: options.accountId, concurrency: options.perResourceConcurrency };
      for await (const page of listResources(resourceType, inventory.clients, ctx)) {
        for (const resource of page) inventory.resources.push(resource);
        listed += page.length;
        options.onProgress?.({ region, resourceType, listed, done: false });
      }
    } catch (error) {
      if (isCredentialsProblem(error)) throw credentialsError(error);
      errors.push(scanError(region, resourceType, error));
    }
    options.onProgress?.({ region, resourceType, listed, done: true });
  });

  const results = await mapWithConcurrency([...inventories.values()], options.concurrency ?? DEFAULT_CONCURRENCY, async (inventory) => {
    const lookupData: { -readonly [K in keyof LookupData]: LookupData[K] } = {};
    // A sweep lists every flow log of the region: not worth it where no resource has any.
    const hasFlowLogSubjects = inventory.resources.some((resource) => resourceTypeDefinition(resource.type)?.lookupSubjects?.flowLogs);
    for (const need of needs) {
      if (need === 'flowLogs' && !hasFlowLogSubjects) continue;
      try {
        const loaded = await loadLookups([need], inventory.clients, {
          resources: inventory.resources,
          allVpcs: true,
          concurrency: options.perResourceConcurrency,
        });
        Object.assign(lookupData, loaded);
      } catch (error) {
        if (isCredentialsProblem(error)) throw credentialsError(error);
        errors.push(scanError(inventory.region, `lookup:${need}`, error));
      }
    }
    return { region: inventory.region, resources: inventory.resources, lookups: createLookups(lookupData), lookupData };
  });

  return { regions: results, errors, resourceCount: results.reduce((total, region) => total + region.resources.length, 0) };
}
