import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import { createAwsClients } from '../lib/aws/clients';
import { awsClientConfig } from '../lib/aws/client-config';
import { MissingAwsConfigurationError, NO_REGION_MESSAGE } from '../lib/errors';
import { createLookups, mergeLookupData } from '../lib/lookups';
import { collectLiveResources, resourceTypesOf } from '../lib/sources/live';
import type { LiveCollection, LiveCollector, LiveScanRequest } from './live';

/** The region of the standard AWS chain (AWS_REGION, then the profile's `region`), as the SDK resolves it. */
export async function defaultRegion(profile: string | undefined): Promise<string> {
  const sts = new STSClient(awsClientConfig(profile !== undefined ? { profile } : {}));
  try {
    return await sts.config.region();
  } catch (error) {
    throw new MissingAwsConfigurationError(NO_REGION_MESSAGE, { cause: error });
  } finally {
    sts.destroy();
  }
}

/** The live account behind `scan` with no file source: the Describe/List inventory of each region. */
export const awsLiveCollector: LiveCollector = {
  async collect(request: LiveScanRequest): Promise<LiveCollection> {
    if (request.profile !== undefined) assertProfileExists(request.profile);
    const regions = request.regions.length > 0 ? request.regions : [await defaultRegion(request.profile)];
    const result = await collectLiveResources({
      rules: request.rules,
      regions,
      concurrency: request.concurrency,
      clientsFor: (region) => createAwsClients({ region, ...(request.profile !== undefined && { profile: request.profile }) }),
      ...(request.onProgress && {
        onProgress: (() => {
          const total = regions.length * resourceTypesOf(request.rules).length;
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
      lookups: createLookups(mergeLookupData(result.regions.map((region) => region.lookupData))),
      errors: result.errors.map((error) => ({ resourceType: error.subject, region: error.region, message: error.message })),
      listed: regions.length * resourceTypesOf(request.rules).length - new Set(result.errors.filter((error) => !error.subject.startsWith('lookup:')).map((error) => `${error.subject} ${error.region}`)).size,
    };
  },
};

/** The profile names in the shared config and credentials files, where the SDK looks for them. */
function sharedProfiles(environment: NodeJS.ProcessEnv): Set<string> {
  const home = environment.HOME ?? environment.USERPROFILE ?? '';
  const files = [environment.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'), environment.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials')];
  const names = new Set<string>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)) names.add(match[1]!);
  }
  return names;
}

/** A `--profile` that no shared file defines is named as missing, not reported as "no credentials". */
export function assertProfileExists(profile: string, environment: NodeJS.ProcessEnv = process.env): void {
  if (sharedProfiles(environment).has(profile)) return;
  throw new MissingAwsConfigurationError(`AWS profile "${profile}" is not defined in ~/.aws/config or ~/.aws/credentials; \`aws configure list-profiles\` shows the ones that are.`);
}
