import { UnknownRuleError } from './errors';
import { activeExemption, type Exemption } from './exemption';
import type { Lookups } from './lookups';
import type { Resource, ResourceType } from './model';
import { truncateAnnotation, type AnyRule, type Compliance, type Severity } from './rule';

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
  const result = rule.evaluate(resource, params, { ...lookups, now });
  const inlineReason = resource.ruleExemptions?.[rule.id];
  const exemption = inlineReason !== undefined ? { reason: inlineReason } : activeExemption(resource.tags, now);
  return {
    ruleId: rule.id,
    severity: rule.severity,
    resourceType: resource.type,
    resourceId: resource.id,
    ...(resource.name !== undefined && { resourceName: resource.name }),
    ...(resource.arn !== undefined && { arn: resource.arn }),
    ...(resource.accountId !== undefined && { accountId: resource.accountId }),
    ...(resource.region !== undefined && { region: resource.region }),
    ...(resource.address !== undefined && { address: resource.address }),
    ...(resource.file !== undefined && { file: resource.file }),
    ...(resource.line !== undefined && { line: sourceLine(rule, resource, result.compliance) }),
    compliance: result.compliance,
    annotation: truncateAnnotation(result.compliance === 'INSUFFICIENT_DATA' ? withUnknownReasons(rule, resource, result.annotation) : result.annotation),
    ...(result.matches !== undefined && { matches: result.matches }),
    ...(exemption !== undefined && { exemption }),
    orderingTimestamp,
  };
}
