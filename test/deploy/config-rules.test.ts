import { configRuleActions, configRuleResources } from '../../deploy/config-rules';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';

const names = { service: 'driftwarden', stage: 'prod' };

describe('Deploy: Config rules', () => {
  it('declares one custom Lambda rule per rule, scoped to what Config records', () => {
    const resources = configRuleResources(RULES, parseSettings({}, RULES), names) as Record<string, any>;
    const rules = Object.values(resources).filter((resource) => resource.Type === 'AWS::Config::ConfigRule');
    expect(rules.map((rule) => rule.Properties.ConfigRuleName).sort()).toEqual([
      'driftwarden-prod-encryption-at-rest',
      'driftwarden-prod-public-app-ports',
      'driftwarden-prod-secret-rotation',
      'driftwarden-prod-vpc-flow-logs',
    ]);
    const encryption = rules.find((rule) => rule.Properties.ConfigRuleName.endsWith('encryption-at-rest'));
    expect(encryption.Properties.Scope.ComplianceResourceTypes).not.toContain('AWS::Logs::LogGroup');
    expect(encryption.Properties.Scope.ComplianceResourceTypes).toContain('AWS::S3::Bucket');
  });

  it('subscribes change rules to oversized items too, and periodic rules at the configured frequency', () => {
    const settings = parseSettings({ periodicFrequency: 'Six_Hours' }, RULES);
    const resources = configRuleResources(RULES, settings, names) as Record<string, any>;
    expect(resources.PublicAppPortsConfigRule.Properties.Source.SourceDetails).toEqual([
      { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
      { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
    ]);
    expect(resources.VpcFlowLogsConfigRule.Properties.Source.SourceDetails).toContainEqual({
      EventSource: 'aws.config',
      MessageType: 'ScheduledNotification',
      MaximumExecutionFrequency: 'Six_Hours',
    });
  });

  it('passes the rule parameters from settings as InputParameters', () => {
    const settings = parseSettings({ rules: { 'public-app-ports': { parameters: { authorizedTcpPorts: '443,8443' } } } }, RULES);
    const resources = configRuleResources(RULES, settings, names) as Record<string, any>;
    expect(resources.PublicAppPortsConfigRule.Properties.InputParameters).toEqual({ authorizedTcpPorts: '443,8443' });
    expect(resources.VpcFlowLogsConfigRule.Properties.InputParameters).toBeUndefined();
  });

  it('hands every parameter to Config as a string, as managed rules take them', () => {
    const settings = parseSettings({ rules: { 'secret-rotation': { parameters: { maxAgeDays: 30 } }, 'encryption-at-rest': { parameters: { requireCustomerManagedKey: true, kmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/a', 'arn:aws:kms:eu-west-1:123456789012:key/b'] } } } }, RULES);
    const resources = configRuleResources(RULES, settings, names) as Record<string, any>;
    expect(resources.SecretRotationConfigRule.Properties.InputParameters).toEqual({ maxAgeDays: '30' });
    expect(resources.EncryptionAtRestConfigRule.Properties.InputParameters).toEqual({
      requireCustomerManagedKey: 'true',
      kmsKeyArns: 'arn:aws:kms:eu-west-1:123456789012:key/a,arn:aws:kms:eu-west-1:123456789012:key/b',
    });
  });

  it('leaves out rules switched off for the stage, and their permissions', () => {
    const settings = parseSettings({ rules: { 'vpc-flow-logs': { enabled: false } } }, RULES);
    const resources = configRuleResources(RULES, settings, names) as Record<string, any>;
    expect(resources.VpcFlowLogsConfigRule).toBeUndefined();
    expect(configRuleActions(RULES, settings, () => [])).not.toContain('ec2:DescribeFlowLogs');
  });

  it('lets only AWS Config in this account invoke the rule function', () => {
    const resources = configRuleResources(RULES, parseSettings({}, RULES), names) as Record<string, any>;
    expect(resources.ConfigRuleInvokePermission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });
});
