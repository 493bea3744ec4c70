import { fixture } from '../helpers';
import { matchesPattern } from './event-pattern';
import { packagedTemplate, resourcesOfType, type CloudFormationTemplate } from './template';

const central = packagedTemplate('org-example');
const single = packagedTemplate('test');
const stackSet = central.Resources.MemberStackSet!.Properties;
const member: CloudFormationTemplate = JSON.parse(stackSet.TemplateBody);
const CENTRAL_ACCOUNT = '111111111111';
const ORGANIZATION = 'o-a1b2c3d4e5';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: any; Condition?: any };

function statementsOf(template: CloudFormationTemplate, roleId: string): Statement[] {
  return template.Resources[roleId]!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
}

function actions(statement: Statement): string[] {
  return [statement.Action].flat();
}

/** What a function's role holds for itself: its logs, and the audit table, bus and queue of its own stack. */
function isOwnStackStatement(statement: Statement): boolean {
  // The audit table is the stack's own (a GetAtt); DynamoDB reads of the account's tables are not.
  const ownTable = actions(statement).some((action) => action.startsWith('dynamodb:')) && JSON.stringify(statement.Resource).includes('Fn::GetAtt');
  return ownTable || actions(statement).some((action) => action.startsWith('logs:CreateLogStream') || action === 'events:PutEvents' || action === 'sqs:SendMessage');
}

describe('Deploy: organization mode', () => {
  describe('the StackSet', () => {
    it('is service-managed, deploys new accounts automatically and runs as the delegated administrator', () => {
      expect(stackSet).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        CallAs: 'DELEGATED_ADMIN',
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        OperationPreferences: { FailureTolerancePercentage: 10, MaxConcurrentPercentage: 25, RegionConcurrencyType: 'PARALLEL' },
      });
    });

    it('targets the included OUs without the excluded account, in the region of this central stack', () => {
      expect(stackSet.StackInstancesGroup).toEqual([
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-a1b2-workload1', 'ou-a1b2-sandbox01'], Accounts: ['222222222222'], AccountFilterType: 'DIFFERENCE' },
          Regions: [{ Ref: 'AWS::Region' }],
        },
      ]);
      expect(stackSet.StackSetName).toEqual({ 'Fn::Sub': 'driftwarden-org-example-member-${AWS::Region}' });
    });

    it('carries the member template inline, within CloudFormation\'s limit', () => {
      expect(Buffer.byteLength(stackSet.TemplateBody)).toBeLessThan(51_200);
      expect(member.Resources).toHaveProperty('ReadRole');
    });
  });

  describe('the central stack', () => {
    it('holds no Config rules of its own: the member stacks do', () => {
      expect(resourcesOfType(central, 'AWS::Config::ConfigRule')).toEqual([]);
      expect(resourcesOfType(single, 'AWS::Config::ConfigRule').length).toBeGreaterThan(0);
    });

    it('lets only principals of the organization put events on its bus', () => {
      expect(central.Resources.CentralEventBus!.Properties).toEqual({ Name: 'driftwarden-org-example' });
      expect(central.Resources.CentralEventBusPolicy!.Properties.Statement).toEqual({
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } },
      });
    });

    it('runs the remediation entry that enters member accounts; one account runs the one without Organizations and STS clients', () => {
      expect(central.Resources.RemediateLambdaFunction!.Properties.Handler).toBe('handlers/remediate-organization.handler');
      expect(single.Resources.RemediateLambdaFunction!.Properties.Handler).toBe('handlers/remediate.handler');
    });

    it.each(['RemediationEventRule', 'ComplianceChangeAlertRule'])('listens with %s on the central bus', (ruleId) => {
      expect(central.Resources[ruleId]!.Properties.EventBusName).toEqual({ Ref: 'CentralEventBus' });
    });

    it('routes a member account\'s non-compliant finding to remediation', () => {
      const event = fixture('config/compliance-change-noncompliant.json');
      event.account = '333333333333';
      event.detail.awsAccountId = '333333333333';
      event.detail.configRuleName = 'driftwarden-org-example-public-app-ports';
      expect(matchesPattern(central.Resources.RemediationEventRule!.Properties.EventPattern, event)).toBe(true);
    });

    it.each([
      ['ConfigRuleRole', 'configRule', 'driftwarden-read'],
      ['RemediateRole', 'remediate', 'driftwarden-remediate'],
    ])('names %s per region and lets it assume only its member role inside the organization', (roleId, functionName, memberRole) => {
      const role = central.Resources[roleId]!.Properties;
      expect(role.RoleName).toEqual({ 'Fn::Sub': `driftwarden-org-example-${functionName}-\${AWS::Region}` });
      const assume = statementsOf(central, roleId).filter((statement) => actions(statement).includes('sts:AssumeRole'));
      expect(assume).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/${memberRole}-\${AWS::Region}` },
          Condition: { StringEquals: { 'aws:ResourceOrgID': ORGANIZATION } },
        },
      ]);
    });
  });

  describe('the member stack', () => {
    it('has the single-account stack\'s Config rules, each calling the central function of its region', () => {
      const rules = resourcesOfType(member, 'AWS::Config::ConfigRule');
      expect(rules.map(([id]) => id).sort()).toEqual(resourcesOfType(single, 'AWS::Config::ConfigRule').map(([id]) => id).sort());
      for (const [, rule] of rules) {
        expect(rule.Properties.ConfigRuleName).toMatch(/^driftwarden-org-example-/);
        expect(rule.Properties.Source).toMatchObject({
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:${CENTRAL_ACCOUNT}:function:driftwarden-org-example-configRule` },
        });
      }
    });

    it('forwards its compliance changes to the central bus through a role of its own', () => {
      const forward = member.Resources.ForwardComplianceChanges!.Properties;
      const bus = { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:${CENTRAL_ACCOUNT}:event-bus/driftwarden-org-example` };
      expect(forward.Targets).toEqual([{ Id: 'central-bus', Arn: bus, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } }]);
      expect(statementsOf(member, 'ForwardRole')).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }]);
      const change = fixture('config/compliance-change-noncompliant.json');
      change.detail.configRuleName = 'driftwarden-org-example-vpc-flow-logs';
      expect(matchesPattern(forward.EventPattern, change)).toBe(true);
      change.detail.configRuleName = 'someone-elses-rule';
      expect(matchesPattern(forward.EventPattern, change)).toBe(false);
      // Stage `org-example-eu` shares the prefix `driftwarden-org-example-`; exact names keep its rules out.
      change.detail.configRuleName = 'driftwarden-org-example-eu-vpc-flow-logs';
      expect(matchesPattern(forward.EventPattern, change)).toBe(false);
    });

    it('forwards exactly the rule names the central notifier listens for', () => {
      const forwarded = member.Resources.ForwardComplianceChanges!.Properties.EventPattern.detail.configRuleName;
      expect(forwarded).toEqual(central.Resources.ComplianceChangeAlertRule!.Properties.EventPattern.detail.configRuleName);
      expect(forwarded).toEqual(resourcesOfType(member, 'AWS::Config::ConfigRule').map(([, rule]) => rule.Properties.ConfigRuleName));
    });

    it('gives the remediation role exactly what the single-account remediation role acts with', () => {
      const acting = statementsOf(single, 'RemediateRole').filter((statement) => !isOwnStackStatement(statement));
      expect(acting.length).toBeGreaterThan(1);
      expect(statementsOf(member, 'RemediateRole')).toEqual(acting);
    });

    it('defines every resource its templates refer to, so CloudFormation can create it', () => {
      const defined = new Set([...Object.keys(member.Resources), 'AWS::AccountId', 'AWS::Region', 'AWS::Partition']);
      const text = JSON.stringify(member);
      const referred = [...text.matchAll(/\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z]+)?\}/g), ...text.matchAll(/"Ref":"([A-Za-z0-9:]+)"/g), ...text.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)"/g)].map((match) => match[1]!);
      expect(referred.filter((name) => !defined.has(name))).toEqual([]);
      expect(member.Resources.FlowLogDeliveryRole).toEqual(single.Resources.FlowLogDeliveryRole);
    });

    it('gives the read role exactly what the single-account rule function reads and reports with', () => {
      const reads = statementsOf(single, 'ConfigRuleRole').filter((statement) => !isOwnStackStatement(statement));
      expect(statementsOf(member, 'ReadRole')).toEqual(reads);
      expect(actions(statementsOf(member, 'ReadRole')[0]!)).toContain('config:PutEvaluations');
    });
  });

  describe('every trust', () => {
    const roles = [...resourcesOfType(member, 'AWS::IAM::Role'), ...resourcesOfType(central, 'AWS::IAM::Role')];

    it.each(roles)('of %s names a service or is bound to one central role of the organization, never an account root', (_id, role) => {
      for (const statement of role.Properties.AssumeRolePolicyDocument.Statement as Statement[]) {
        expect(JSON.stringify(statement.Principal)).not.toMatch(/:root/);
        if (statement.Principal.Service) continue;
        expect(statement.Principal).toEqual({ AWS: '*' });
        expect(statement.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': ORGANIZATION });
        expect(statement.Condition.ArnEquals['aws:PrincipalArn']['Fn::Sub']).toMatch(new RegExp(`^arn:\\$\\{AWS::Partition\\}:iam::${CENTRAL_ACCOUNT}:role/driftwarden-org-example-(configRule|remediate)-\\$\\{AWS::Region\\}$`));
      }
    });

    it.each([
      ['ReadRole', 'ConfigRuleRole'],
      ['RemediateRole', 'RemediateRole'],
    ])('of the member %s is the central %s by the name the central stack gives it', (memberRoleId, centralRoleId) => {
      const [statement] = member.Resources[memberRoleId]!.Properties.AssumeRolePolicyDocument.Statement;
      const centralName = central.Resources[centralRoleId]!.Properties.RoleName['Fn::Sub'];
      expect(statement.Condition.ArnEquals['aws:PrincipalArn']).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${CENTRAL_ACCOUNT}:role/${centralName}` });
    });
  });
});
