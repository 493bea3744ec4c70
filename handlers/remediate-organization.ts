import { awsClientConfig, onFirstUse } from '../lib/aws/client-config';
import { SettingsError } from '../lib/errors';
import { MemberAccess } from '../lib/organization/member-access';
import { region, remediationHandler, settings } from './remediate';

const organization = settings.organization;
if (!organization) throw new SettingsError('handlers/remediate-organization.handler needs organization settings; one account deploys handlers/remediate.handler');

// Findings arrive from every member account; each is fixed there, as its remediation role.
const members = onFirstUse(async () => {
  const [{ OrganizationsClient }, { STSClient }] = await Promise.all([import('../lib/aws/sdk/organizations'), import('../lib/aws/sdk/sts')]);
  return new MemberAccess({
    organization,
    role: 'remediate',
    sts: new STSClient(awsClientConfig({ region })),
    organizations: new OrganizationsClient(awsClientConfig({ region: 'us-east-1' })),
    sessionName: 'driftwarden-remediate',
  });
});

/** The central remediation function: the member account's OUs are checked against Organizations before its role is assumed. */
export const handler = remediationHandler(async (finding) => {
  const member = await (await members()).enter(finding.accountId, finding.region);
  return { name: member.account.name, clients: member.clients };
});
