import type { OrganizationSettings } from '../lib/organization/settings';
import type { AnyRule } from '../lib/rule';
import type { Settings } from '../lib/settings';
import { RULES } from '../rules';
import { configRuleName, enabledRules, stackPrefix, type StackNames } from '../lib/config-rule/names';
import { configRuleActions, configRuleResources } from './config-rules';
import { flowLogDeliveryRole, remediationActingStatements } from './remediation';

/** The central functions that act in member accounts, and the member role each one assumes. */
export const CENTRAL_ROLES = { ConfigRuleRole: { functionName: 'configRule', memberRole: 'read' }, RemediateRole: { functionName: 'remediate', memberRole: 'remediate' } } as const;
type CentralRoleId = keyof typeof CENTRAL_ROLES;

export const CENTRAL_EVENT_BUS = 'CentralEventBus';
export const MEMBER_STACK_SET = 'MemberStackSet';
/** CloudFormation's limit on an inline TemplateBody. */
export const TEMPLATE_BODY_LIMIT = 51_200;

const sub = (template: string) => ({ 'Fn::Sub': template });

/**
 * A central function's role name, per region: IAM names are global to the account and the central
 * stack is deployed once per region; each region's member roles trust that region's function only.
 */
export function centralRoleName(names: StackNames, roleId: CentralRoleId): string {
  return `${stackPrefix(names)}${CENTRAL_ROLES[roleId].functionName}-\${AWS::Region}`;
}

/** The member role a central function assumes, as a `Fn::Sub` template resolved in the function's or member's region. */
export function memberRoleName(organization: OrganizationSettings, kind: 'read' | 'remediate'): string {
  return `${organization.roles[kind]}-\${AWS::Region}`;
}

/** The event bus of the central stack, to which every member account forwards its compliance changes. */
export function centralBusName(names: StackNames): string {
  return `${names.service}-${names.stage}`;
}

/**
 * Trust bound to one central function's role: any principal of the organization whose ARN is exactly
 * that role (IAM would reject a named role ARN that does not exist yet; PrincipalOrgID plus
 * PrincipalArn does not depend on deployment order).
 */
function trustOnly(organization: OrganizationSettings, names: StackNames, roleId: CentralRoleId): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': organization.organizationId },
          ArnEquals: { 'aws:PrincipalArn': sub(`arn:\${AWS::Partition}:iam::${organization.delegatedAdministratorAccountId}:role/${centralRoleName(names, roleId)}`) },
        },
      },
    ],
  };
}

function memberRole(organization: OrganizationSettings, names: StackNames, roleId: CentralRoleId, statements: object[]): object {
  const kind = CENTRAL_ROLES[roleId].memberRole;
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: sub(memberRoleName(organization, kind)),
      Description: `driftwarden ${names.stage}: assumed by the central ${CENTRAL_ROLES[roleId].functionName} function in ${organization.delegatedAdministratorAccountId}`,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: trustOnly(organization, names, roleId),
      Policies: [{ PolicyName: 'least-privilege', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

/**
 * The member stack, one per account and region: the Config rules (custom rules whose function is the
 * central one in the same region), the rule forwarding this account's compliance changes to the
 * central bus, and the two roles the central functions assume.
 */
export function memberTemplate(settings: Settings, organization: OrganizationSettings, names: StackNames, sweepActions: (rule: AnyRule) => readonly string[]): object {
  const centralFunction = sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:${organization.delegatedAdministratorAccountId}:function:${stackPrefix(names)}configRule`);
  const centralBus = sub(`arn:\${AWS::Partition}:events:\${AWS::Region}:${organization.delegatedAdministratorAccountId}:event-bus/${centralBusName(names)}`);
  const rules: Record<string, object> = {};
  for (const [logicalId, resource] of Object.entries(configRuleResources(RULES, settings, names))) {
    const { Type, Properties } = resource as { Type: string; Properties: { Source?: object } };
    // The invoke permission lives beside the function, in the central stack.
    if (Type !== 'AWS::Config::ConfigRule') continue;
    rules[logicalId] = { Type, Properties: { ...Properties, Source: { ...Properties.Source, SourceIdentifier: centralFunction } } };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `driftwarden ${names.stage} member stack: Config rules, compliance forwarding and the roles of the central functions`,
    Resources: {
      ...rules,
      ReadRole: memberRole(organization, names, 'ConfigRuleRole', [{ Effect: 'Allow', Action: configRuleActions(RULES, settings, sweepActions), Resource: '*' }]),
      RemediateRole: memberRole(organization, names, 'RemediateRole', remediationActingStatements(settings)),
      // The flow-log remediation passes this role in the account it fixes.
      ...flowLogDeliveryRole(settings),
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
          },
          Policies: [{ PolicyName: 'forward-to-central-bus', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: centralBus }] } }],
        },
      },
      ForwardComplianceChanges: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: `Compliance changes of ${names.service}-${names.stage} rules, to the central bus`,
          State: 'ENABLED',
          EventPattern: {
            source: ['aws.config'],
            'detail-type': ['Config Rules Compliance Change'],
            // Exact names, as the central rules match: a `driftwarden-<stage>-` prefix also matches stage `<stage>-eu`.
            detail: { messageType: ['ComplianceChangeNotification'], configRuleName: enabledRules(RULES, settings).map((rule) => configRuleName(names, rule)) },
          },
          Targets: [{ Id: 'central-bus', Arn: centralBus, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } }],
        },
      },
    },
  };
}

/** What a central function's role may do across the organization: assume its member role, name accounts. */
function crossAccountStatements(organization: OrganizationSettings, roleId: CentralRoleId): object[] {
  return [
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: sub(`arn:\${AWS::Partition}:iam::*:role/${memberRoleName(organization, CENTRAL_ROLES[roleId].memberRole)}`),
      Condition: { StringEquals: { 'aws:ResourceOrgID': organization.organizationId } },
    },
    // Scope checks (an account's OUs) and the account names alerts and audit records carry; no resource scoping.
    { Effect: 'Allow', Action: ['organizations:DescribeAccount', 'organizations:ListParents'], Resource: '*' },
  ];
}

interface TemplateResource {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: string | string[];
}

/**
 * Turns the single-account stack into the central stack of organization mode, in place: the Config
 * rules move to the member stack, the functions' roles get fixed names and may assume the member
 * roles, compliance changes arrive on an organization-bound bus, and a service-managed StackSet puts
 * the member stack into every selected account of this region, new accounts included.
 */
export function centralStack(resources: Record<string, TemplateResource>, settings: Settings, organization: OrganizationSettings, names: StackNames, sweepActions: (rule: AnyRule) => readonly string[]): Record<string, object> {
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Config::ConfigRule') delete resources[logicalId];
  }
  // Config in every member account invokes the function; the handler refuses accounts outside the scope.
  delete resources.ConfigRuleInvokePermission!.Properties.SourceAccount;
  for (const roleId of Object.keys(CENTRAL_ROLES) as CentralRoleId[]) {
    const role = resources[roleId]!;
    role.Properties.RoleName = sub(centralRoleName(names, roleId));
    role.Properties.Policies[0].PolicyDocument.Statement.push(...crossAccountStatements(organization, roleId));
  }
  const bus = { Ref: CENTRAL_EVENT_BUS };
  // Findings come from every member account now, on the central bus, whose policy keeps out everyone
  // else. Both rules keep matching this stage's exact Config rule names.
  const remediationRule = resources.RemediationEventRule!;
  remediationRule.Properties.EventBusName = bus;
  delete remediationRule.Properties.EventPattern.account;
  resources.ComplianceChangeAlertRule!.Properties.EventBusName = bus;
  const template = JSON.stringify(memberTemplate(settings, organization, names, sweepActions));
  const { include, exclude, stackSet } = organization;
  const accountFilter =
    include.accounts.length > 0 ? { Accounts: include.accounts, AccountFilterType: 'INTERSECTION' } : exclude.accounts.length > 0 ? { Accounts: exclude.accounts, AccountFilterType: 'DIFFERENCE' } : {};
  return {
    ...resources,
    [CENTRAL_EVENT_BUS]: { Type: 'AWS::Events::EventBus', Properties: { Name: centralBusName(names) } },
    CentralEventBusPolicy: {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: bus,
        StatementId: 'OrganizationAccountsForwardComplianceChanges',
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [CENTRAL_EVENT_BUS, 'Arn'] },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
        },
      },
    },
    [MEMBER_STACK_SET]: {
      Type: 'AWS::CloudFormation::StackSet',
      // Member stacks go before the central functions they call are gone.
      DependsOn: [CENTRAL_EVENT_BUS, 'ConfigRuleLambdaFunction'],
      Properties: {
        StackSetName: sub(`${stackPrefix(names)}member-\${AWS::Region}`),
        Description: `driftwarden ${names.stage}: the member stack of every selected account in this region`,
        PermissionModel: 'SERVICE_MANAGED',
        // The central account is a delegated administrator, not the management account.
        CallAs: 'DELEGATED_ADMIN',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        ManagedExecution: { Active: true },
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        OperationPreferences: {
          FailureTolerancePercentage: stackSet.failureTolerancePercentage,
          MaxConcurrentPercentage: stackSet.maxConcurrentPercentage,
          RegionConcurrencyType: 'PARALLEL',
        },
        StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: include.organizationalUnits, ...accountFilter }, Regions: [{ Ref: 'AWS::Region' }] }],
        TemplateBody: template,
      },
    },
  };
}
