import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, createAwsClients, type AwsClients } from '../lib/aws/clients';
import { readResource } from '../lib/aws/inventory';
import { loadLookups } from '../lib/aws/lookups';
import type { Finding } from '../lib/finding';
import { createLookups, type Lookups } from '../lib/lookups';
import { isResourceType, type Resource } from '../lib/model';
import type { AuditLog } from '../lib/remediation/audit';
import { DynamoDbAuditLog } from '../lib/remediation/dynamodb-audit';
import type { AnyRule } from '../lib/rule';

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
  auditTable: string;
}

/** The live account through the standard AWS credential chain (AWS_PROFILE, SSO, environment, role). */
export function connectToAccount(options: AccountOptions): RemediationAccount {
  const homeRegion = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
  const byRegion = new Map<string, AwsClients>();
  const clients = (region: string): AwsClients => {
    const chosen = region || homeRegion;
    const existing = byRegion.get(chosen);
    if (existing) return existing;
    const created = createAwsClients({ region: chosen });
    byRegion.set(chosen, created);
    return created;
  };
  return {
    audit: new DynamoDbAuditLog(new DynamoDBClient(awsClientConfig({ region: clients(homeRegion).region })), options.auditTable),
    clients,
    readLiveResource: async (finding) =>
      isResourceType(finding.resourceType)
        ? readResource(finding.resourceType, finding.resourceId, clients(finding.region), { region: clients(finding.region).region, ...(finding.accountId && { accountId: finding.accountId }) })
        : undefined,
    loadLookups: async (rule, resource) => createLookups(await loadLookups(rule.lookups, clients(resource.region ?? ''), { resources: [resource] })),
  };
}
