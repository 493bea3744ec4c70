import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAwsClients, type AwsClients } from '../lib/aws/clients';
import { awsClientConfig } from '../lib/aws/client-config';
import { readResource } from '../lib/aws/inventory';
import { loadLookups } from '../lib/aws/lookups';
import type { Finding } from '../lib/finding';
import { createLookups, type Lookups } from '../lib/lookups';
import { isResourceType, type Resource } from '../lib/model';
import type { AuditLog } from '../lib/remediation/audit';
import { DynamoDbAuditLog } from '../lib/remediation/dynamodb-audit';
import type { AnyRule } from '../lib/rule';
import { assertProfileExists } from './aws';

/** The account `remediate --apply` and `undo` change, and the audit table they record in. */
export interface RemediationAccount {
  audit: AuditLog;
  clients(region: string): AwsClients;
  readLiveResource(finding: Finding): Promise<Resource | undefined>;
  loadLookups(rule: AnyRule, resource: Resource): Promise<Lookups>;
}

export interface AccountOptions {
  /** The region of the audit table, and of resources whose own region is unknown. */
  region?: string;
  /** A named profile of the shared AWS files (`--profile`); else the standard credential chain. */
  profile?: string;
  auditTable: string;
}

/** The live account through the standard AWS credential chain (AWS_PROFILE, SSO, environment, role). */
export function connectToAccount(options: AccountOptions): RemediationAccount {
  if (options.profile !== undefined) assertProfileExists(options.profile);
  const profile = options.profile !== undefined ? { profile: options.profile } : {};
  const homeRegion = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
  const byRegion = new Map<string, AwsClients>();
  const clients = (region: string): AwsClients => {
    const chosen = region || homeRegion;
    const existing = byRegion.get(chosen);
    if (existing) return existing;
    const created = createAwsClients({ region: chosen, ...profile });
    byRegion.set(chosen, created);
    return created;
  };
  return {
    audit: new DynamoDbAuditLog(new DynamoDBClient(awsClientConfig({ region: clients(homeRegion).region, ...profile })), options.auditTable),
    clients,
    readLiveResource: async (finding) =>
      isResourceType(finding.resourceType)
        ? readResource(finding.resourceType, finding.resourceId, clients(finding.region), { region: clients(finding.region).region, ...(finding.accountId && { accountId: finding.accountId }) })
        : undefined,
    loadLookups: async (rule, resource) => createLookups(await loadLookups(rule.lookups, clients(resource.region ?? ''), { resources: [resource] })),
  };
}
