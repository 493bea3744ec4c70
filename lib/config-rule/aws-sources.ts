import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { AwsClients } from '../aws/clients';
import { listResources } from '../aws/inventory';
import { loadLookups } from '../aws/lookups';
import type { LookupData } from '../lookups';
import { fetchLatestItem, recordedResults } from './config-service';
import type { RuleRunSources } from './run';

export interface AwsRuleRunContext {
  config: ConfigServiceClient;
  clients: AwsClients;
  region: string;
  accountId?: string;
}

/**
 * The AWS behind one rule invocation. Made per invocation: a sweep's region-wide flow-log listing
 * is loaded once and shared by every page, while keys and secrets are looked up page by page.
 */
export function awsRuleRunSources(context: AwsRuleRunContext): RuleRunSources {
  const { config, clients, region, accountId } = context;
  let sweepFlowLogs: Promise<LookupData> | undefined;
  // Keys and secrets already looked up on earlier pages of this sweep are not asked about again.
  let loadedSoFar: LookupData = {};
  return {
    fetchItem: (resourceType, resourceId) => fetchLatestItem(config, resourceType, resourceId),
    listResources: (resourceType) => listResources(resourceType, clients, { region, ...(accountId !== undefined && { accountId }) }),
    recordedResults: (configRuleName) => recordedResults(config, configRuleName),
    loadLookups: async (rule, resources, sweep) => {
      if (!sweep) return loadLookups(rule.lookups, clients, { resources });
      const perPage = rule.lookups.filter((lookup) => lookup !== 'flowLogs');
      if (rule.lookups.includes('flowLogs')) sweepFlowLogs ??= loadLookups(['flowLogs'], clients, { resources: [], allVpcs: true });
      const [shared, page] = await Promise.all([sweepFlowLogs ?? {}, perPage.length > 0 ? loadLookups(perPage, clients, { resources, alreadyLoaded: loadedSoFar }) : {}]);
      loadedSoFar = page;
      return { ...shared, ...page };
    },
  };
}
