import { UnknownRuleError } from './errors';
import { activeExemption, type Exemption } from './exemption';
import type { Lookups } from './lookups';
import type { Resource, ResourceType } from './model';
import { truncateAnnotation, type AnyRule, type Compliance, type EvaluationContext, type Severity } from './rule';

/** One rule's verdict on one resource, whatever the source. */
export interface Evaluation<Match = unknown> {
  ruleId: string;
  severity: Severity;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  /** Terraform address, for resources read from a plan or state. */
  address?: string;
  /** Where the resource is declared, relative to the scanned folder, when the source is known. */
  file?: string;
  line?: number;
  compliance: Compliance;
  annotation: string;
  matches?: Match[];
  /** Present when the resource carries an exemption in force: reported, but not acted on. */
  exemption?: Exemption;
  /** A finding the `--baseline` file already records: listed, but not counted as new. */
  baselined?: true;
  /** When the evaluated state was observed (Config: the item's capture time). */
  orderingTimestamp: string;
}

/** The rule a name refers to: its id, or a Config rule name ending in `-<id>` (`driftwarden-prod-vpc-flow-logs`). */
export function findRule(rules: readonly AnyRule[], name: string): AnyRule {
  const rule = rules.find((candidate) => name === candidate.id || name.endsWith(`-${candidate.id}`));
  if (!rule) {
    throw new UnknownRuleError(`No driftwarden rule matches "${name}" (known rules: ${rules.map((known) => known.id).join(', ')})`);
  }
  return rule;
}

export function notApplicable(
  rule: AnyRule,
  resource: { resourceType: string; resourceId: string },
  annotation: string,
  orderingTimestamp: string,
): Evaluation {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    compliance: 'NOT_APPLICABLE',
    annotation: truncateAnnotation(annotation),
    orderingTimestamp,
  };
}

export function appliesTo(rule: AnyRule, resourceType: string): resourceType is ResourceType {
  return (rule.resourceTypes as readonly string[]).includes(resourceType);
}

/** Why the attributes the rule judges could not be evaluated from source, after the rule's own words. */
function withUnknownReasons(rule: AnyRule, resource: Resource, annotation: string): string {
  const reasons = resource.unknownReasons;
  if (!reasons) return annotation;
  const relevant = (rule.terraformAttributes ?? []).filter((name) => reasons[name] !== undefined).map((name) => reasons[name]!);
  return relevant.length > 0 ? `${annotation} ${relevant.join('; ')}.` : annotation;
}

/** The line of the first attribute the rule judges (an unknown one first, for an unknown verdict), else the block's. */
function sourceLine(rule: AnyRule, resource: Resource, compliance: Compliance): number | undefined {
  const lines = resource.attributeLines;
  const judged = (rule.terraformAttributes ?? []).filter((name) => lines?.[name] !== undefined);
  const unknown = compliance === 'INSUFFICIENT_DATA' ? judged.find((name) => resource.unknownReasons?.[name] !== undefined) : undefined;
  const name = unknown ?? judged[0];
  return name !== undefined ? lines![name] : resource.line;
}

export function evaluateResource(
  rule: AnyRule,
  params: unknown,
  resource: Resource,
  lookups: Lookups,
  now: Date,
): Evaluation {
  const orderingTimestamp = resource.capturedAt ?? now.toISOString();
  if (!appliesTo(rule, resource.type)) {
    return notApplicable(rule, { resourceType: resource.type, resourceId: resource.id }, `Rule ${rule.id} does not evaluate ${resource.type}.`, orderingTimestamp);
  }
  // Named field by field: spreading an object of functions (`{ ...lookups, now }`) takes V8's slow
  // path, microseconds per resource, more than most rules' whole evaluation.
  const context: EvaluationContext = { flowLogs: lookups.flowLogs, secretRotation: lookups.secretRotation, keyManager: lookups.keyManager, now };
  const result = rule.evaluate(resource, params, context);
  const inlineReason = resource.ruleExemptions?.[rule.id];
  const exemption = inlineReason !== undefined ? { reason: inlineReason } : activeExemption(resource.tags, now);
  // Filled in field by field, not with conditional spreads (each a throw-away object copied on V8's
  // slow path): the order of the fields is the order of the JSON report's keys, so it stays as declared.
  const evaluation = { ruleId: rule.id, severity: rule.severity, resourceType: resource.type, resourceId: resource.id } as Evaluation;
  if (resource.name !== undefined) evaluation.resourceName = resource.name;
  if (resource.arn !== undefined) evaluation.arn = resource.arn;
  if (resource.accountId !== undefined) evaluation.accountId = resource.accountId;
  if (resource.region !== undefined) evaluation.region = resource.region;
  if (resource.address !== undefined) evaluation.address = resource.address;
  if (resource.file !== undefined) evaluation.file = resource.file;
  if (resource.line !== undefined) evaluation.line = sourceLine(rule, resource, result.compliance);
  evaluation.compliance = result.compliance;
  evaluation.annotation = truncateAnnotation(result.compliance === 'INSUFFICIENT_DATA' ? withUnknownReasons(rule, resource, result.annotation) : result.annotation);
  if (result.matches !== undefined) evaluation.matches = result.matches;
  if (exemption !== undefined) evaluation.exemption = exemption;
  evaluation.orderingTimestamp = orderingTimestamp;
  return evaluation;
}
