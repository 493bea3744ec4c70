import type { STSClient } from '@aws-sdk/client-sts';
import { createAwsClients, type AwsClientsOptions } from '../aws/clients';
import { mapWithConcurrency } from '../aws/concurrency';
import { createLookups, mergeLookupData } from '../lookups';
import type { AnyRule } from '../rule';
import { configureRules, scan, type ScanOptions, type ScanReport, type ScanSummary } from '../scan';
import { collectLiveResources } from '../sources/live';
import type { OrganizationAccount } from './accounts';
import { AssumedRoleCredentials, memberRoleArn } from './credentials';

/** What a scan could not read, and why (the CLI output contract's `summary.incomplete`). */
export interface IncompleteRead {
  /** `*` when a whole account could not be read. */
  resourceType: string;
  region?: string;
  accountId: string;
  reason: string;
}

export interface AccountSummary {
  accountId: string;
  accountName: string;
  scanned: boolean;
  resources: number;
  evaluations: number;
  findings: number;
  /** Why the account was not scanned, or what of it could not be read. */
  incomplete: number;
}

export interface OrganizationScanSummary extends ScanSummary {
  accounts: AccountSummary[];
  incomplete: IncompleteRead[];
}

export interface OrganizationScanReport extends ScanReport {
  summary: OrganizationScanSummary;
}

export interface AccountProgress {
  account: OrganizationAccount;
  scanned: boolean;
  resources: number;
  done: number;
  total: number;
}

export interface OrganizationScanOptions extends Omit<ScanOptions, 'rules'> {
  rules: readonly AnyRule[];
  accounts: readonly OrganizationAccount[];
  regions: readonly string[];
  /** The role assumed in every account (`--role-name`). */
  roleName: string;
  sts: STSClient;
  partition?: string;
  /** Accounts scanned at once. */
  accountConcurrency: number;
  /** Listings in flight within one account: its share of that account's API rate limits. */
  concurrency: number;
  /** Retries, transport and call counting of the member clients. */
  clientOptions?: Omit<AwsClientsOptions, 'region' | 'credentials' | 'profile'>;
  onAccountDone?(progress: AccountProgress): void;
}

interface AccountResult {
  account: OrganizationAccount;
  report?: ScanReport;
  incomplete: IncompleteRead[];
}

async function scanAccount(account: OrganizationAccount, options: OrganizationScanOptions, credentials: AssumedRoleCredentials): Promise<AccountResult> {
  const roleArn = memberRoleArn(account.id, options.roleName, options.partition);
  try {
    // Assumed up front: a missing or untrusting role is one clear "not scanned", not a failure per listing.
    await credentials.credentials(roleArn);
  } catch (error) {
    return { account, incomplete: [{ resourceType: '*', accountId: account.id, reason: `account ${account.id} (${account.name}) not scanned: ${(error as Error).message}` }] };
  }
  const provider = credentials.provider(roleArn);
  const clients = options.regions.map((region) => createAwsClients({ ...options.clientOptions, region, credentials: provider }));
  try {
    const result = await collectLiveResources({
      // Only the enabled rules' types are listed: a disabled rule costs no calls in a thousand accounts.
      rules: configureRules(options).map(({ rule }) => rule),
      regions: options.regions,
      concurrency: options.concurrency,
      accountId: account.id,
      clientsFor: (region) => clients[options.regions.indexOf(region)]!,
    });
    const resources = result.regions.flatMap((region) => region.resources);
    const lookups = createLookups(mergeLookupData(result.regions.map((region) => region.lookupData)));
    const report = scan({ origin: { kind: 'live' }, resources, lookups, skippedTypes: {}, destroyed: 0 }, options);
    const incomplete = result.errors.map((error) => ({ resourceType: error.subject, region: error.region, accountId: account.id, reason: error.message }));
    return { account, report, incomplete };
  } catch (error) {
    // Credentials that stop working mid-scan (expired session, revoked role) end this account only.
    return { account, incomplete: [{ resourceType: '*', accountId: account.id, reason: `account ${account.id} (${account.name}) not scanned: ${(error as Error).message}` }] };
  } finally {
    for (const client of clients) client.destroy();
  }
}

function emptySummary(options: OrganizationScanOptions): ScanSummary {
  return scan({ origin: { kind: 'live' }, resources: [], lookups: createLookups({}), skippedTypes: {}, destroyed: 0 }, options).summary;
}

/** Adds one account's summary into the organization's. */
function addInto(total: ScanSummary, part: ScanSummary): void {
  for (const key of ['resources', 'evaluations', 'compliant', 'nonCompliant', 'notApplicable', 'exempt', 'insufficientData', 'baselined', 'destroyed'] as const) total[key] += part[key];
  for (const [type, count] of Object.entries(part.skippedTypes)) total.skippedTypes[type] = (total.skippedTypes[type] ?? 0) + count;
  for (const [severity, count] of Object.entries(part.findingsBySeverity)) total.findingsBySeverity[severity as keyof ScanSummary['findingsBySeverity']] += count;
  for (const [ruleId, tally] of Object.entries(part.byRule)) {
    const into = total.byRule[ruleId]!;
    for (const key of ['compliant', 'nonCompliant', 'notApplicable', 'exempt', 'insufficientData'] as const) into[key] += tally[key];
  }
}

/**
 * Scans every account of the list in every region through a role assumed in it, a bounded number
 * of accounts at once and a bounded number of listings per account; each account is evaluated with
 * its own lookups, then one report is merged with a summary per account. An account whose role
 * cannot be assumed is reported as not scanned; the others complete.
 */
export async function scanOrganization(options: OrganizationScanOptions): Promise<OrganizationScanReport> {
  const credentials = new AssumedRoleCredentials(options.sts, { sessionName: 'driftwarden-scan' });
  let done = 0;
  const results = await mapWithConcurrency(options.accounts, options.accountConcurrency, async (account) => {
    const result = await scanAccount(account, options, credentials);
    done += 1;
    options.onAccountDone?.({ account, scanned: result.report !== undefined, resources: result.report?.summary.resources ?? 0, done, total: options.accounts.length });
    return result;
  });
  const summary: OrganizationScanSummary = { ...emptySummary(options), accounts: [], incomplete: [] };
  const evaluations = [];
  for (const { account, report, incomplete } of results) {
    if (report) {
      addInto(summary, report.summary);
      evaluations.push(...report.evaluations.map((evaluation) => ({ ...evaluation, accountId: evaluation.accountId ?? account.id })));
    }
    summary.incomplete.push(...incomplete);
    summary.accounts.push({
      accountId: account.id,
      accountName: account.name,
      scanned: report !== undefined,
      resources: report?.summary.resources ?? 0,
      evaluations: report?.summary.evaluations ?? 0,
      findings: report?.summary.nonCompliant ?? 0,
      incomplete: incomplete.length,
    });
  }
  return { origin: { kind: 'organization' }, summary, evaluations };
}
