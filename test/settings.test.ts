import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputFormatError, SettingsError } from '../lib/errors';
import { parseSettings, ruleSettingsFor } from '../lib/settings';
import { readSettingsFile } from '../lib/settings-file';
import { RULES } from '../rules';

const REMEDIATION_DEFAULTS = {
  maxChangesPerHour: 10,
  flowLogs: { logGroupPrefix: '/driftwarden/vpc-flow-logs', retentionDays: 365, verifySeconds: 60 },
};

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'driftwarden-settings-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function settingsFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

const DEFAULT_NOTIFICATIONS = {
  email: { addresses: [], minimumSeverity: 'medium' },
  slack: { minimumSeverity: 'low' },
  digest: { threshold: 10, size: 20 },
  dedupWindowHours: 24,
};

describe('Settings', () => {
  describe('parseSettings', () => {
    it('fills in defaults for an empty document', () => {
      const settings = parseSettings({}, RULES);
      expect(settings).toEqual({ rules: {}, periodicFrequency: 'TwentyFour_Hours', costAwareReporting: true, remediation: REMEDIATION_DEFAULTS, notifications: DEFAULT_NOTIFICATIONS, scan: {} });
      expect(ruleSettingsFor(settings, 'vpc-flow-logs')).toEqual({ enabled: true, parameters: {}, mode: 'dry-run' });
    });

    it('keeps each rule setting it is given', () => {
      const settings = parseSettings(
        {
          periodicFrequency: 'Six_Hours',
          rules: {
            'public-app-ports': { mode: 'auto', parameters: { authorizedTcpPorts: '80,443,8443' } },
            'secret-rotation': { enabled: false, parameters: { maxAgeDays: 30 } },
            'encryption-at-rest': { parameters: { requireCustomerManagedKey: true, kmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'] } },
          },
        },
        RULES,
      );
      expect(settings.periodicFrequency).toBe('Six_Hours');
      expect(ruleSettingsFor(settings, 'public-app-ports')).toEqual({ enabled: true, mode: 'auto', parameters: { authorizedTcpPorts: '80,443,8443' } });
      expect(ruleSettingsFor(settings, 'secret-rotation')).toMatchObject({ enabled: false, mode: 'dry-run', parameters: { maxAgeDays: 30 } });
    });

    it.each([
      ['a misspelt rule id', { rules: { 'vpc-flowlogs': {} } }, 'settings: rules.vpc-flowlogs: no such rule (known rules: vpc-flow-logs, public-app-ports, encryption-at-rest, secret-rotation)'],
      ['a Config rule name instead of the rule id', { rules: { 'driftwarden-prod-vpc-flow-logs': { enabled: false } } }, 'settings: rules.driftwarden-prod-vpc-flow-logs: no such rule'],
      ['a bad parameter value', { rules: { 'public-app-ports': { parameters: { authorizedTcpPorts: '80,abc' } } } }, 'settings: rules.public-app-ports: Rule public-app-ports: parameter "authorizedTcpPorts": "abc" is not a port'],
      ['an unknown parameter', { rules: { 'secret-rotation': { parameters: { maxAge: '90' } } } }, 'settings: rules.secret-rotation: Rule secret-rotation: unknown parameter "maxAge" (known: maxAgeDays)'],
      ['an unknown top-level key', { rule: {} }, "settings: (top level): Unrecognized key(s) in object: 'rule'"],
      ['an unknown rule setting', { rules: { 'vpc-flow-logs': { enable: false } } }, "settings: rules.vpc-flow-logs: Unrecognized key(s) in object: 'enable'"],
      ['an unknown mode', { rules: { 'vpc-flow-logs': { mode: 'fix' } } }, 'settings: rules.vpc-flow-logs.mode: Invalid enum value'],
      ['an unknown frequency', { periodicFrequency: 'Daily' }, 'settings: periodicFrequency: Invalid enum value'],
      ['a document that is not a mapping', ['rules'], 'settings: (top level): Expected object, received array'],
      ['an invalid alert email address', { notifications: { email: { addresses: ['ops.example.com'] } } }, 'settings: notifications.email.addresses.0: Invalid email'],
      ['a webhook URL where the secret ARN belongs', { notifications: { slack: { webhookSecretArn: 'https://hooks.slack.com/services/T0/B0/x' } } }, 'settings: notifications.slack.webhookSecretArn: must be a Secrets Manager secret ARN'],
      ['an unknown severity', { notifications: { slack: { minimumSeverity: 'urgent' } } }, 'settings: notifications.slack.minimumSeverity: Invalid enum value'],
      ['a digest threshold of 0', { notifications: { digest: { threshold: 0 } } }, 'settings: notifications.digest.threshold: Number must be greater than or equal to 1'],
    ])('rejects %s with an error naming it', (_case, raw, message) => {
      expect(() => parseSettings(raw, RULES)).toThrow(SettingsError);
      expect(() => parseSettings(raw, RULES)).toThrow(message);
    });
  });

  describe('readSettingsFile', () => {
    it('reads the shipped settings/default.yml', () => {
      const settings = readSettingsFile(join(__dirname, '../settings/default.yml'), RULES);
      expect(Object.keys(settings.rules).sort()).toEqual(RULES.map((rule) => rule.id).sort());
      expect(ruleSettingsFor(settings, 'public-app-ports').parameters).toEqual({ authorizedTcpPorts: '80,443' });
    });

    it.each([
      ['YAML', 'prod.yml', 'periodicFrequency: One_Hour\nrules:\n  vpc-flow-logs:\n    mode: notify\n    parameters:\n      trafficType: REJECT\n'],
      ['JSON', 'prod.json', '{"periodicFrequency":"One_Hour","rules":{"vpc-flow-logs":{"mode":"notify","parameters":{"trafficType":"REJECT"}}}}'],
    ])('reads %s', (_format, name, text) => {
      const settings = readSettingsFile(settingsFile(name, text), RULES);
      expect(settings.periodicFrequency).toBe('One_Hour');
      expect(ruleSettingsFor(settings, 'vpc-flow-logs')).toEqual({ enabled: true, mode: 'notify', parameters: { trafficType: 'REJECT' } });
    });

    it('reads an empty file as the defaults', () => {
      expect(readSettingsFile(settingsFile('empty.yml', ''), RULES)).toEqual({ rules: {}, periodicFrequency: 'TwentyFour_Hours', costAwareReporting: true, remediation: REMEDIATION_DEFAULTS, notifications: DEFAULT_NOTIFICATIONS, scan: {} });
    });

    it('names the file in a validation error', () => {
      const path = settingsFile('bad-param.yml', 'rules:\n  secret-rotation:\n    parameters:\n      maxAgeDays: "0"\n');
      expect(() => readSettingsFile(path, RULES)).toThrow(`${path}: rules.secret-rotation: Rule secret-rotation: parameter "maxAgeDays"`);
    });

    it('rejects a file that is neither JSON nor YAML', () => {
      const path = settingsFile('broken.yml', 'rules: {vpc-flow-logs: [\n');
      expect(() => readSettingsFile(path, RULES)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is neither JSON nor YAML: `));
    });

    it('says which file it cannot read', () => {
      const path = join(directory, 'missing.yml');
      expect(() => readSettingsFile(path, RULES)).toThrow(InputFormatError);
      expect(() => readSettingsFile(path, RULES)).toThrow(`Cannot read the settings file ${path}: no such file.`);
    });
  });
});
