import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from '../../lib/aws/client-config';
import { UsageError } from '../../lib/errors';
import { listOrganizationAccounts } from '../../lib/organization/accounts';
import { scanOrganization, type OrganizationScanReport } from '../../lib/organization/org-scan';
import type { ScanOptions } from '../../lib/scan';
import { defaultRegion } from '../aws';
import type { ScanFlags } from '../commands/scan';
import type { CliContext } from '../context';

function listOf(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}

/** `scan --org`: every selected account of the organization, through `--role-name` in each. */
export async function scanOrganizationFromFlags(flags: ScanFlags, scanOptions: ScanOptions, context: CliContext): Promise<OrganizationScanReport> {
  if (!flags.roleName) throw new UsageError('--org needs --role-name NAME: the role driftwarden assumes in every account (the member stack creates driftwarden-read-<region>).');
  const credentials = flags.profile !== undefined ? { profile: flags.profile } : {};
  const regions = listOf(flags.region);
  if (regions.length === 0) regions.push(await defaultRegion(flags.profile));
  // Organizations is a global service answered from us-east-1; STS from the first region scanned.
  const organizations = new OrganizationsClient(awsClientConfig({ ...credentials, region: 'us-east-1' }));
  const sts = new STSClient(awsClientConfig({ ...credentials, region: regions[0]! }));
  try {
    const accounts = await listOrganizationAccounts(organizations, { organizationalUnits: listOf(flags.ou), accounts: listOf(flags.account), excludeAccounts: listOf(flags.excludeAccount) });
    if (accounts.length === 0) throw new UsageError('No active account of the organization matches --ou, --account and --exclude-account.');
    const verbose = context.stderr.isTTY === true;
    return await scanOrganization({
      ...scanOptions,
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
