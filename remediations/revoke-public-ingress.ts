import type { IpPermission } from '@aws-sdk/client-ec2';
import { EXEMPT_TAG } from '../lib/exemption';
import type { IngressRule } from '../lib/model';
import type { PortRange } from '../lib/parameters';
import { applySteps } from '../lib/remediation/execute';
import { defineRemediation, planFor, type ApiCall, type PlannedStep } from '../lib/remediation/plan';
import type { ParametersOf } from '../lib/rule';
import { allowedPartsOf, canonicalProtocol, describeIngress, hasPorts, portRangeOf } from '../lib/security-group-ingress';
import type publicAppPorts from '../rules/public-app-ports';

const SECURITY_GROUPS = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*';
const SECURITY_GROUP_RULES = 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group-rule/*';
/** The permission exactly as EC2 stores the rule, so a revoke matches it and an authorize recreates it. */
function permissionOf(rule: IngressRule): IpPermission {
  const range = portRangeOf(rule);
  const ports = hasPorts(rule) ? { FromPort: range.from, ToPort: range.to } : {};
  const description = rule.description !== undefined ? { Description: rule.description } : {};
  const permission: IpPermission = { IpProtocol: rule.protocol, ...ports };
  const { source } = rule;
  if (source.kind === 'cidr') {
    if (source.cidr.includes(':')) permission.Ipv6Ranges = [{ CidrIpv6: source.cidr, ...description }];
    else permission.IpRanges = [{ CidrIp: source.cidr, ...description }];
  } else if (source.kind === 'securityGroup') {
    permission.UserIdGroupPairs = [{ GroupId: source.groupId, ...description }];
  } else {
    permission.PrefixListIds = [{ PrefixListId: source.prefixListId, ...description }];
  }
  return permission;
}

/**
 * The allowed ports a matched rule also opens (a 0-65535 rule covers 443): re-added as their own
 * rules before the wide one goes, so the fix closes only what the rule flagged.
 */
function keptPartsOf(rule: IngressRule, params: ParametersOf<typeof publicAppPorts>): IngressRule[] {
  const protocol = canonicalProtocol(rule.protocol);
  const byProtocol: [string, readonly PortRange[]][] =
    protocol === '-1' ? [['tcp', params.authorizedTcpPorts], ['udp', params.authorizedUdpPorts]]
    : protocol === 'tcp' ? [['tcp', params.authorizedTcpPorts]]
    : protocol === 'udp' ? [['udp', params.authorizedUdpPorts]]
    : [];
  return byProtocol.flatMap(([name, allowed]) =>
    allowedPartsOf(portRangeOf(rule), allowed).map((part) => ({ ...rule, protocol: name, fromPort: part.from, toPort: part.to, ruleId: undefined })),
  );
}

function authorize(groupId: string, rule: IngressRule): ApiCall {
  return { service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', input: { GroupId: groupId, IpPermissions: [permissionOf(rule)] } };
}

function revoke(groupId: string, rule: IngressRule): ApiCall {
  const input = rule.ruleId ? { GroupId: groupId, SecurityGroupRuleIds: [rule.ruleId] } : { GroupId: groupId, IpPermissions: [permissionOf(rule)] };
  return { service: 'ec2', operation: 'RevokeSecurityGroupIngress', input };
}

function sameRule(a: IngressRule, b: IngressRule): boolean {
  if (a.ruleId && b.ruleId) return a.ruleId === b.ruleId;
  return describeIngress(a) === describeIngress(b);
}

export default defineRemediation<typeof publicAppPorts>({
  id: 'revoke-public-ingress',
  title: 'Revoke exactly the public ingress the rule flagged, keeping allowed ports and private sources',
  resourceTypes: ['AWS::EC2::SecurityGroup'],
  permissions: [
    {
      actions: ['ec2:RevokeSecurityGroupIngress'],
      resources: [SECURITY_GROUPS, SECURITY_GROUP_RULES],
      reason: 'revoke the flagged rules',
    },
    {
      actions: ['ec2:AuthorizeSecurityGroupIngress'],
      resources: [SECURITY_GROUPS, SECURITY_GROUP_RULES],
      // IAM cannot bound ports or sources; it can keep the function off groups a person exempted.
      condition: { Null: { [`aws:ResourceTag/${EXEMPT_TAG}`]: 'true' } },
      reason: 're-add the allowed ports a wide rule covered, on groups not tagged exempt',
    },
  ],
  undoPermissions: [
    {
      actions: ['ec2:AuthorizeSecurityGroupIngress'],
      resources: [SECURITY_GROUPS, SECURITY_GROUP_RULES],
      reason: 'restore the revoked rules',
    },
    {
      actions: ['ec2:RevokeSecurityGroupIngress'],
      resources: [SECURITY_GROUPS, SECURITY_GROUP_RULES],
      reason: 'take back the narrower rules the fix added',
    },
  ],
  plan(input) {
    const group = input.resource;
    const matches = input.evaluation.matches ?? [];
    const steps: PlannedStep[] = [];
    const kept = new Set<string>();
    for (const match of matches) {
      for (const part of keptPartsOf(match, input.parameters)) {
        kept.add(describeIngress(part));
        steps.push({
          description: `Keep ${describeIngress(part)} (an allowed port ${describeIngress(match)} also opened) as a rule of its own`,
          call: authorize(group.id, part),
          undo: [revoke(group.id, part)],
        });
      }
    }
    for (const match of matches) {
      steps.push({
        description: `Revoke ${describeIngress(match)}${match.ruleId ? ` (${match.ruleId})` : ''}`,
        call: revoke(group.id, match),
        undo: [authorize(group.id, match)],
      });
    }
    const keeps = group.properties.ingress
      .filter((rule) => !matches.some((match) => sameRule(rule, match)))
      .map((rule) => `${describeIngress(rule)}${rule.ruleId ? ` (${rule.ruleId})` : ''}`);
    const name = group.name ? `${group.id} (${group.name})` : group.id;
    return {
      ...planFor('revoke-public-ingress', input),
      summary:
        matches.length === 0
          ? `Nothing to revoke on ${name}: no public ingress outside the allow-lists.`
          : `Revoke ${matches.map(describeIngress).join(', ')} on ${name}${kept.size > 0 ? `, keeping ${[...kept].join(', ')}` : ''}.`,
      steps,
      keeps: [...keeps, ...[...kept].map((rule) => `${rule} (re-added as its own rule)`)],
      beforeState: { groupId: group.id, ingress: group.properties.ingress },
    };
  },
  apply: (plan, clients) => applySteps(plan.steps, clients),
});
