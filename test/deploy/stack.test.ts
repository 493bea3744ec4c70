import { RULES } from '../../rules';
import { allowedActions, packagedTemplate, resourcesOfType } from './template';

const template = packagedTemplate();

describe('Deploy: packaged stack', () => {
  it('deploys every rule as a custom Lambda Config rule backed by the rule function', () => {
    const rules = resourcesOfType(template, 'AWS::Config::ConfigRule').map(([, rule]) => rule.Properties);
    expect(rules.map((rule) => rule.ConfigRuleName).sort()).toEqual(RULES.map((rule) => `driftwarden-test-${rule.id}`).sort());
    for (const rule of rules) {
      expect(rule.Source).toMatchObject({ Owner: 'CUSTOM_LAMBDA', SourceIdentifier: { 'Fn::GetAtt': ['ConfigRuleLambdaFunction', 'Arn'] } });
      expect(rule.Scope.ComplianceResourceTypes.length).toBeGreaterThan(0);
    }
  });

  it('runs the rule function on nodejs22.x with the deployed settings', () => {
    const [, rule] = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id === 'ConfigRuleLambdaFunction')!;
    expect(rule.Properties.Runtime).toBe('nodejs22.x');
    expect(JSON.parse(rule.Properties.Environment.Variables.DRIFTWARDEN_SETTINGS)).toMatchObject({ costAwareReporting: true, rules: { 'public-app-ports': { mode: 'dry-run' } } });
  });

  it('grants no wildcard actions', () => {
    const actions = allowedActions(template);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('grants the rule function what the rules, their sweeps and Config reporting need', () => {
    const role = template.Resources.ConfigRuleRole!;
    const actions = role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement.flatMap((statement: any) => [statement.Action].flat()));
    expect(actions).toEqual(expect.arrayContaining(['config:PutEvaluations', 'config:GetResourceConfigHistory', 'ec2:DescribeFlowLogs', 'ec2:DescribeVpcs', 'secretsmanager:ListSecrets']));
    expect(actions).not.toContain('ec2:DescribeSecurityGroups');
  });
});
