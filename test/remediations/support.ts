import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import { createAwsClients } from '../../lib/aws/clients';
import { findRule } from '../../lib/evaluate';
import { evaluateResource } from '../../lib/evaluate';
import type { LookupData } from '../../lib/lookups';
import type { IngressRule, Resource, ResourceOf } from '../../lib/model';
import type { PlanInput, RemediationClients, StackResources } from '../../lib/remediation/plan';
import { parseRuleParameters } from '../../lib/rule';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { fixture, itemResource, lookups, NOW } from '../helpers';

export const STACK: StackResources = {
  kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a',
  flowLogRoleArn: 'arn:aws:iam::123456789012:role/driftwarden-dev-flow-log-delivery',
};

export interface PlanOptions {
  parameters?: unknown;
  remediation?: Record<string, unknown>;
  stack?: StackResources;
  lookupData?: LookupData;
}

/** The input a remediation gets: the live resource and the same rule's verdict on it. */
export function planInput<R extends Resource>(ruleId: string, resource: R, options: PlanOptions = {}): PlanInput<R['type']> {
  const rule = findRule(RULES, ruleId);
  const parameters = parseRuleParameters(rule, options.parameters ?? {});
  const evaluation = evaluateResource(rule, parameters, resource, lookups(options.lookupData ?? {}), NOW);
  const settings = parseSettings({ remediation: options.remediation ?? {} }, RULES).remediation;
  return { resource: resource as ResourceOf<R['type']>, evaluation, parameters, settings, stack: options.stack ?? STACK };
}

function ingressOf(rule: SecurityGroupRule): IngressRule {
  const source: IngressRule['source'] = rule.CidrIpv4
    ? { kind: 'cidr', cidr: rule.CidrIpv4 }
    : rule.CidrIpv6
      ? { kind: 'cidr', cidr: rule.CidrIpv6 }
      : rule.PrefixListId
        ? { kind: 'prefixList', prefixListId: rule.PrefixListId }
        : { kind: 'securityGroup', groupId: rule.ReferencedGroupInfo!.GroupId! };
  return {
    protocol: rule.IpProtocol!,
    ...(rule.IpProtocol !== '-1' && { fromPort: rule.FromPort, toPort: rule.ToPort }),
    source,
    ruleId: rule.SecurityGroupRuleId,
    ...(rule.Description && { description: rule.Description }),
  };
}

/** The app security group as a live read sees it: DescribeSecurityGroupRules, with rule ids. */
export function liveAppGroup(): ResourceOf<'AWS::EC2::SecurityGroup'> {
  const rules = fixture<{ SecurityGroupRules: SecurityGroupRule[] }>('config/api-describe-security-group-rules.json').SecurityGroupRules;
  const fromItem = itemResource('sg-public-app') as ResourceOf<'AWS::EC2::SecurityGroup'>;
  return { ...fromItem, properties: { ...fromItem.properties, ingress: rules.filter((rule) => !rule.IsEgress).map(ingressOf) } };
}

export function clients(): RemediationClients {
  return createAwsClients({ region: 'eu-west-1' });
}

/** An SDK service exception the way the SDK builds one from an error response. */
export function awsError(code: string, message: string, fault: 'client' | 'server' = 'client', status = 400): Error {
  return Object.assign(new Error(message), { name: code, $fault: fault, $metadata: { httpStatusCode: status } });
}

/** Apply options whose sleep records the waits instead of waiting. */
export function applyOptions(clientToken = 'evt-8e1f3a52') {
  return { sleep: jest.fn(async (_ms: number) => undefined), clientToken };
}
