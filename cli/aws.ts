import { STSClient } from '@aws-sdk/client-sts';
import { createAwsClients } from '../lib/aws/clients';
import { MissingAwsConfigurationError } from '../lib/errors';
import { createLookups, type LookupData } from '../lib/lookups';
import { collectLiveResources } from '../lib/sources/live';
import type { LiveCollection, LiveCollector, LiveScanRequest } from './live';

/** The region of the standard AWS chain (AWS_REGION, then the profile's `region`), as the SDK resolves it. */
export async function defaultRegion(profile: string | undefined): Promise<string> {
  const sts = new STSClient(profile !== undefined ? { profile } : {});
  try {
    return await sts.config.region();
  } catch (error) {
    throw new MissingAwsConfigurationError('No AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile.', { cause: error });
  } finally {
    sts.destroy();
  }
}

function mergeRegions(data: readonly LookupData[]): LookupData {
  const merged = { flowLogsByVpc: new Map(), secretRotation: new Map(), keyManagers: new Map() };
  const loaded = { flowLogsByVpc: false, secretRotation: false, keyManagers: false };
  for (const region of data) {
    for (const name of Object.keys(merged) as (keyof typeof merged)[]) {
      const map = region[name];
      if (!map) continue;
      loaded[name] = true;
      for (const [key, value] of map) merged[name].set(key, value);
    }
  }
  // A lookup no region loaded stays absent, so rules say it could not be looked up.
  return Object.fromEntries(Object.entries(merged).filter(([name]) => loaded[name as keyof typeof loaded]));
}

/** The live account behind `scan` with no file source: the Describe/List inventory of each region. */
export const awsLiveCollector: LiveCollector = {
  async collect(request: LiveScanRequest): Promise<LiveCollection> {
    const regions = request.regions.length > 0 ? request.regions : [await defaultRegion(request.profile)];
    const result = await collectLiveResources({
      rules: request.rules,
      regions,
      concurrency: request.concurrency,
      clientsFor: (region) => createAwsClients({ region, ...(request.profile !== undefined && { profile: request.profile }) }),
      ...(request.onProgress && {
        onProgress: (() => {
          const total = regions.length * new Set(request.rules.flatMap((rule) => rule.resourceTypes)).size;
          let done = 0;
          return (progress) => {
            if (progress.done) done += 1;
            request.onProgress!({ done, total, label: `${progress.resourceType} in ${progress.region}` });
          };
        })(),
      }),
    });
    return {
      resources: result.regions.flatMap((region) => region.resources),
      lookups: createLookups(mergeRegions(result.regions.map((region) => region.lookupData))),
      errors: result.errors.map((error) => ({ resourceType: error.subject, region: error.region, message: error.message })),
    };
  },
};
