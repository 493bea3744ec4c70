import { findingFromComplianceChange } from '../../../lib/finding';
import { organizationSettings } from '../../../lib/organization/settings';
import { actsIn, checkFindingScope, type RemediationScope } from '../../../lib/remediation/scope';
import { RULES } from '../../../rules';
import { fixture } from '../../helpers';

const OWN = '123456789012';
const MEMBER = '333333333333';
const EXCLUDED = '222222222222';
const single: RemediationScope = { accountId: OWN, region: 'eu-west-1', configRuleNames: ['driftwarden-dev-public-app-ports'] };
const organization = organizationSettings.parse({
  organizationId: 'o-a1b2c3d4e5',
  delegatedAdministratorAccountId: OWN,
  include: { organizationalUnits: ['ou-a1b2-workload1'] },
  exclude: { accounts: [EXCLUDED] },
  regions: ['eu-west-1', 'us-east-1'],
});
const central: RemediationScope = { ...single, organization };

function findingFrom(account: string, region = 'eu-west-1') {
  const event = fixture('config/compliance-change-noncompliant.json');
  Object.assign(event, { account, region });
  Object.assign(event.detail, { awsAccountId: account, awsRegion: region });
  return findingFromComplianceChange(event, RULES);
}

describe('remediation scope', () => {
  it('acts only in its own account and region outside organization mode', () => {
    expect(actsIn(single, OWN, 'eu-west-1')).toBe(true);
    expect(actsIn(single, MEMBER, 'eu-west-1')).toBe(false);
    expect(actsIn(single, OWN, 'us-east-1')).toBe(false);
  });

  it('in organization mode acts in the selected member accounts, in its own region only', () => {
    expect(actsIn(central, MEMBER, 'eu-west-1')).toBe(true);
    // us-east-1 is watched, but by the central stack deployed there.
    expect(actsIn(central, MEMBER, 'us-east-1')).toBe(false);
    expect(actsIn(central, EXCLUDED, 'eu-west-1')).toBe(false);
    expect(actsIn(central, 'not-an-account', 'eu-west-1')).toBe(false);
  });

  it('narrows to organization.include.accounts when they are named', () => {
    const named = { ...central, organization: { ...organization, exclude: { accounts: [] }, include: { ...organization.include, accounts: [MEMBER] } } };
    expect(actsIn(named, MEMBER, 'eu-west-1')).toBe(true);
    expect(actsIn(named, '444444444444', 'eu-west-1')).toBe(false);
  });

  it('names why a finding is refused', () => {
    expect(() => checkFindingScope(findingFrom(MEMBER), RULES, single)).toThrow(/names account 333333333333 region eu-west-1; this function acts only in 123456789012 eu-west-1/);
    expect(() => checkFindingScope(findingFrom(EXCLUDED), RULES, central)).toThrow(/names account 222222222222 region eu-west-1; Account 222222222222 is excluded by organization.exclude.accounts/);
    expect(() => checkFindingScope(findingFrom(MEMBER), RULES, central)).not.toThrow();
    expect(() => checkFindingScope(findingFrom(MEMBER), RULES, { ...central, configRuleNames: ['driftwarden-prod-public-app-ports'] })).toThrow("which is not one of this stage's rules");
  });
});
