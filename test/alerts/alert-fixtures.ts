import { evaluateResource, findRule } from '../../lib/evaluate';
import type { Alert, AlertContext, KnownActor } from '../../lib/alerts/alert';
import { alertFromEvent } from '../../lib/alerts/alert';
import { parseRuleParameters } from '../../lib/rule';
import { parseSettings, type Settings } from '../../lib/settings';
import { RULES } from '../../rules';
import { fixture, itemResource, lookups, NOW } from '../helpers';

export function alertContext(settings: Settings = parseSettings({}, RULES)): AlertContext {
  return { rules: RULES, settings, configRuleName: (ruleId) => `driftwarden-dev-${ruleId}` };
}

/** One non-compliant resource per rule, with the annotation the rule itself writes for it. */
export const RULE_CASES = [
  { ruleId: 'public-app-ports', item: 'sg-public-app', data: {} },
  { ruleId: 'vpc-flow-logs', item: 'vpc', data: { flowLogsByVpc: new Map() } },
  { ruleId: 'encryption-at-rest', item: 'rds-instance-unencrypted', data: {} },
  { ruleId: 'secret-rotation', item: 'secret-never-rotated', data: {} },
] as const;

export interface ChangeOptions {
  id?: string;
  compliance?: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  previous?: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  annotation?: string;
  resourceId?: string;
}

/** A "Config Rules Compliance Change" event shaped like the fixture, for any rule and resource. */
export function complianceChange(ruleId: string, resourceType: string, resourceId: string, options: ChangeOptions = {}): any {
  const event = structuredClone(fixture('config/compliance-change-noncompliant.json'));
  const configRuleName = `driftwarden-dev-${ruleId}`;
  const compliance = options.compliance ?? 'NON_COMPLIANT';
  event.id = options.id ?? `${ruleId}-${resourceId}-${compliance}`;
  Object.assign(event.detail, { configRuleName, resourceType, resourceId });
  for (const result of [event.detail.newEvaluationResult, event.detail.oldEvaluationResult]) {
    Object.assign(result.evaluationResultIdentifier.evaluationResultQualifier, { configRuleName, resourceType, resourceId });
  }
  event.detail.newEvaluationResult.complianceType = compliance;
  event.detail.oldEvaluationResult.complianceType = options.previous ?? 'COMPLIANT';
  if (options.annotation === undefined) delete event.detail.newEvaluationResult.annotation;
  else event.detail.newEvaluationResult.annotation = options.annotation;
  return event;
}

/** The compliance-change event each rule's real verdict on its fixture resource would produce. */
export function ruleCaseEvent(ruleCase: (typeof RULE_CASES)[number]): any {
  const rule = findRule(RULES, ruleCase.ruleId);
  const resource = itemResource(ruleCase.item);
  const evaluation = evaluateResource(rule, parseRuleParameters(rule, {}), resource, lookups(ruleCase.data), NOW);
  if (evaluation.compliance !== 'NON_COMPLIANT') throw new Error(`${ruleCase.item} is ${evaluation.compliance} for ${rule.id}`);
  return complianceChange(rule.id, resource.type, resource.id, { annotation: evaluation.annotation });
}

export function alertOf(event: unknown, context: AlertContext = alertContext()): Alert {
  const alert = alertFromEvent(event, context);
  if (!alert) throw new Error('event carries no alert');
  return alert;
}

export const ALICE: KnownActor = {
  known: true,
  identityType: 'AssumedRole',
  principalArn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUser_0a1b2c3d4e5f6a7b/alice@example.com',
  roleArn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUser_0a1b2c3d4e5f6a7b',
  sessionName: 'alice@example.com',
  sourceIp: '203.0.113.24',
  apiCall: 'AuthorizeSecurityGroupIngress',
  eventSource: 'ec2.amazonaws.com',
  time: '2025-06-12T09:41:02.000Z',
  cloudTrailEventId: '5f0c7d1e-8a2b-4c3d-9e4f-a1b2c3d4e5f6',
};

/** The public security group alert as the notifier sends it: named, and with who opened the port. */
export function enrichedSecurityGroupAlert(): Alert {
  return { ...alertOf(ruleCaseEvent(RULE_CASES[0])), resourceName: 'driftwarden-dev-app', actor: ALICE };
}

/** `count` distinct non-compliant security groups, for floods. */
export function manySecurityGroupEvents(count: number): any[] {
  return Array.from({ length: count }, (_, index) => {
    const resourceId = `sg-${index.toString(16).padStart(17, '0')}`;
    return complianceChange('public-app-ports', 'AWS::EC2::SecurityGroup', resourceId, {
      id: `flood-${index}`,
      annotation: `Open to the internet: tcp ${3000 + index} from 0.0.0.0/0`,
    });
  });
}
