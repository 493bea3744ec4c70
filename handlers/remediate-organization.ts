import { SettingsError } from '../lib/errors';
import { memberAccessOnFirstUse } from '../lib/organization/member-access';
import { region, remediationHandler, settings } from './remediate';

const organization = settings.organization;
if (!organization) throw new SettingsError('handlers/remediate-organization.handler needs organization settings; one account deploys handlers/remediate.handler');

// Findings arrive from every member account; each is fixed there, as its remediation role.
const members = memberAccessOnFirstUse({ organization, role: 'remediate', region, sessionName: 'driftwarden-remediate' });

/** The central remediation function: the member account's OUs are checked against Organizations before its role is assumed. */
export const handler = remediationHandler(async (finding) => {
  const member = await (await members()).enter(finding.accountId, finding.region);
  return { name: member.account.name, clients: member.clients };
});
