import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { UsageError } from '../../lib/errors';
import { listOrganizationAccounts } from '../../lib/organization/accounts';
import { scanOrganization, type OrganizationScanReport } from '../../lib/organization/org-scan';
import type { ParameterOverride, ScanReport } from '../../lib/scan';
import type { Settings } from '../../lib/settings';
import { RULES } from '../../rules';
import { defaultRegion } from '../aws';
import type { CliContext } from '../context';

export interface OrganizationFlags {
  org?: boolean;
  roleName?: string;
  ou?: string[];
  account?: string[];
  excludeAccount?: string[];
  accountConcurrency: number;
  allowPartial?: boolean;
  profile?: string;
  region?: string[];
  concurrency: number;
}

function listOf(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}

/** `scan --org`: every selected account of the organization, through `--role-name` in each. */
export async function scanOrganizationFromFlags(flags: OrganizationFlags, settings: Settings, overrides: readonly ParameterOverride[], context: CliContext): Promise<OrganizationScanReport> {
  if (!flags.roleName) throw new UsageError('--org needs --role-name NAME: the role driftwarden assumes in every account (the member stack creates driftwarden-read-<region>).');
  const credentials = flags.profile !== undefined ? { profile: flags.profile } : {};
  const regions = listOf(flags.region);
  if (regions.length === 0) regions.push(await defaultRegion(flags.profile));
  // Organizations is a global service answered from us-east-1; STS from the first region scanned.
  const organizations = new OrganizationsClient({ ...credentials, region: 'us-east-1' });
  const sts = new STSClient({ ...credentials, region: regions[0]! });
  try {
    const accounts = await listOrganizationAccounts(organizations, { organizationalUnits: listOf(flags.ou), accounts: listOf(flags.account), excludeAccounts: listOf(flags.excludeAccount) });
    if (accounts.length === 0) throw new UsageError('No active account of the organization matches --ou, --account and --exclude-account.');
    const verbose = context.stderr.isTTY === true;
    return await scanOrganization({
      rules: RULES,
      settings,
      overrides,
      now: context.now(),
      accounts,
      regions,
      roleName: flags.roleName,
      sts,
      accountConcurrency: flags.accountConcurrency,
      concurrency: flags.concurrency,
      onAccountDone: verbose
        ? ({ account, scanned, resources, done, total }) =>
            context.stderr.write(`driftwarden: [${done}/${total}] ${account.id} ${account.name}: ${scanned ? `${resources} resources` : 'not scanned'}\n`)
        : undefined,
    });
  } finally {
    organizations.destroy();
    sts.destroy();
  }
}

/** Exit 2 for an incomplete organization scan unless --allow-partial; always when no account was read. */
export function incompleteExit(report: ScanReport, flags: Pick<OrganizationFlags, 'allowPartial'>, context: CliContext): boolean {
  const summary = (report as Partial<OrganizationScanReport>).summary;
  const incomplete = summary?.incomplete ?? [];
  if (incomplete.length === 0) return false;
  for (const entry of incomplete) context.stderr.write(`driftwarden: not read: ${entry.resourceType === '*' ? '' : `${entry.resourceType} in ${entry.region} of ${entry.accountId}: `}${entry.reason}\n`);
  const nothingRead = summary?.accounts !== undefined && summary.accounts.every((account) => !account.scanned);
  return nothingRead || flags.allowPartial !== true;
}
