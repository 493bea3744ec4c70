import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { AwsClients } from '../aws/clients';
import { listResources } from '../aws/inventory';
import { loadLookups } from '../aws/lookups';
import type { LookupData } from '../lookups';
import type { KeyManager, Resource } from '../model';
import { fetchLatestItem, recordedResults } from './config-service';
import type { RuleRunSources } from './run';

export interface AwsRuleRunContext {
  config: ConfigServiceClient;
  clients: AwsClients;
  region: string;
  accountId?: string;
}

/** The customer key a storage resource names, if any (the lookups ask KMS only about those). */
function kmsKeyOf(resource: Resource): string | undefined {
  if (resource.type === 'AWS::EC2::VPC' || resource.type === 'AWS::EC2::SecurityGroup' || resource.type === 'AWS::SecretsManager::Secret') return undefined;
  return resource.properties.kmsKeyId;
}

/**
 * The AWS behind one rule invocation. Made per invocation: a sweep's region-wide flow-log listing
 * is loaded once and shared by every page; secrets are looked up page by page, and each KMS key
 * once per sweep however many pages name it (an account uses a few keys across many resources).
 */
export function awsRuleRunSources(context: AwsRuleRunContext): RuleRunSources {
  const { config, clients, region, accountId } = context;
  let sweepFlowLogs: Promise<LookupData> | undefined;
  const keyManagers = new Map<string, KeyManager>();
  const askedKeys = new Set<string>();
  return {
    fetchItem: (resourceType, resourceId) => fetchLatestItem(config, resourceType, resourceId),
    listResources: (resourceType) => listResources(resourceType, clients, { region, ...(accountId !== undefined && { accountId }) }),
    recordedResults: (configRuleName) => recordedResults(config, configRuleName),
    loadLookups: async (rule, resources, sweep) => {
      if (!sweep) return loadLookups(rule.lookups, clients, { resources });
      const perPage = rule.lookups.filter((lookup) => lookup !== 'flowLogs');
      if (rule.lookups.includes('flowLogs')) sweepFlowLogs ??= loadLookups(['flowLogs'], clients, { resources: [], allVpcs: true });
      const unasked = perPage.includes('keyManager')
        ? resources.filter((resource) => {
            const keyId = kmsKeyOf(resource);
            return keyId === undefined || !askedKeys.has(keyId);
          })
        : resources;
      const none: LookupData = {};
      const [shared, page] = await Promise.all([sweepFlowLogs ?? none, perPage.length > 0 ? loadLookups(perPage, clients, { resources: unasked }) : none]);
      if (!page.keyManagers) return { ...shared, ...page };
      for (const resource of unasked) {
        const keyId = kmsKeyOf(resource);
        if (keyId !== undefined) askedKeys.add(keyId);
      }
      for (const [keyId, manager] of page.keyManagers) keyManagers.set(keyId, manager);
      return { ...shared, ...page, keyManagers };
    },
  };
}
