import { join } from 'node:path';
import { SettingsError } from '../../lib/errors';
import { parseSettings } from '../../lib/settings';
import { readSettingsFile } from '../../lib/settings-file';
import { RULES } from '../../rules';

const VALID = {
  organizationId: 'o-a1b2c3d4e5',
  delegatedAdministratorAccountId: '111111111111',
  include: { organizationalUnits: ['ou-a1b2-workload1'] },
  regions: ['eu-west-1'],
};

describe('Settings: organization', () => {
  it('reads the documented example with its defaults filled in', () => {
    const settings = readSettingsFile(join(__dirname, '../../settings/org-example.yml'), RULES);
    expect(settings.organization).toEqual({
      organizationId: 'o-a1b2c3d4e5',
      delegatedAdministratorAccountId: '111111111111',
      include: { organizationalUnits: ['ou-a1b2-workload1', 'ou-a1b2-sandbox01'], accounts: [] },
      exclude: { accounts: ['222222222222'] },
      regions: ['eu-west-1', 'us-east-1'],
      roles: { read: 'driftwarden-read', remediate: 'driftwarden-remediate' },
      stackSet: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 },
    });
  });

  it('is absent unless configured: one account', () => {
    expect(parseSettings({}, RULES).organization).toBeUndefined();
  });

  it.each([
    ['a malformed organization id', { organizationId: 'org-1' }, 'organization.organizationId: expected an organization id'],
    ['an account id that is not 12 digits', { delegatedAdministratorAccountId: '1111' }, 'organization.delegatedAdministratorAccountId: expected a 12-digit AWS account id'],
    ['no organizational unit', { include: { accounts: ['333333333333'] } }, 'organization.include.organizationalUnits: name at least one organizational unit'],
    ['a malformed OU id', { include: { organizationalUnits: ['workloads'] } }, 'expected an OU id'],
    ['no region', { regions: [] }, 'organization.regions: name at least one region'],
    ['a malformed region', { regions: ['Ireland'] }, 'expected a region name'],
    ['an account both included and excluded', { include: { organizationalUnits: ['r-a1b2'], accounts: ['333333333333'] }, exclude: { accounts: ['333333333333'] } }, '333333333333 is both included and excluded'],
    ['included and excluded accounts together', { include: { organizationalUnits: ['r-a1b2'], accounts: ['333333333333'] }, exclude: { accounts: ['444444444444'] } }, 'give include.accounts or exclude.accounts, not both'],
    ['an unknown key', { regoins: ['eu-west-1'] }, 'regoins'],
  ])('rejects %s, naming the setting', (_case, change, message) => {
    expect(() => parseSettings({ organization: { ...VALID, ...change } }, RULES, 'settings/org.yml')).toThrow(SettingsError);
    expect(() => parseSettings({ organization: { ...VALID, ...change } }, RULES, 'settings/org.yml')).toThrow(message);
  });
});
