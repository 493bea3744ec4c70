import { z } from 'zod';
import { InvalidParameterError } from './errors';
import { lookupPermissions, type LookupName, type Lookups } from './lookups';
import type { ResourceOf, ResourceType } from './model';
import type { Severity } from './severity';

// Defined apart from the rules (and zod) so the CLI can declare its options without loading them.
export { SEVERITIES, type Severity } from './severity';

export type Compliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

/** The verdicts AWS Config accepts from a custom rule; `INSUFFICIENT_DATA` (cannot be known here) is the CLI's alone. */
export type ReportableCompliance = Exclude<Compliance, 'INSUFFICIENT_DATA'>;
export type Trigger = 'change' | 'periodic';

/** AWS Config rejects annotations longer than this. */
export const MAX_ANNOTATION_LENGTH = 256;

export interface RuleResult<Match = unknown> {
  /** `INSUFFICIENT_DATA` when the input cannot tell (offline, before apply): the annotation says what is missing. */
  compliance: Compliance;
  /** A sentence a person can act on: names the port, CIDR, key or date. */
  annotation: string;
  /** What was found, for the remediation to fix exactly that (e.g. the offending ingress rules). */
  matches?: Match[];
}

export interface EvaluationContext extends Lookups {
  /** The time a rule measures ages against (secret rotation); injected so rules stay pure. */
  now: Date;
}

export interface RuleReferences {
  /** The AWS Config managed rule with the same intent, whose parameter names we reuse. */
  configManagedRule?: string | string[];
  /** AWS Security Hub (Foundational Security Best Practices) control ids. */
  securityHub?: string[];
}

export interface RuleDefinition<
  T extends ResourceType = ResourceType,
  Params extends z.ZodTypeAny = z.ZodTypeAny,
  Match = unknown,
> {
  id: string;
  title: string;
  severity: Severity;
  resourceTypes: readonly T[];
  /**
   * Resource types AWS Config does not record: the rule evaluates them in its periodic sweep from
   * the AWS API, and they are left out of the change-triggered scope.
   */
  sweepOnlyResourceTypes?: readonly T[];
  triggers: readonly Trigger[];
  parameters: Params;
  references: RuleReferences;
  /** Name of the remediation in `remediations/` that fixes this rule's findings. */
  remediation?: string;
  /** Lookups the rule calls; whoever runs it loads them first, and is granted what loading them calls (`rulePermissions`). */
  lookups: readonly LookupName[];
  /**
   * The Terraform attributes and blocks the rule judges, most telling first: a finding from source
   * points at the first one written, and an unknown verdict names why those could not be evaluated.
   */
  terraformAttributes?: readonly string[];
  evaluate(resource: ResourceOf<T>, params: z.output<Params>, context: EvaluationContext): RuleResult<Match>;
}

/** A rule as the registry holds it: the resource type is checked by the runner before `evaluate`. */
export type AnyRule = RuleDefinition<ResourceType, z.ZodTypeAny, unknown>;

/** Keeps the rule's own types (its resource type, parameters and matches) for the remediation that fixes it. */
export function defineRule<T extends ResourceType, Params extends z.ZodTypeAny, Match>(
  rule: RuleDefinition<T, Params, Match>,
): RuleDefinition<T, Params, Match> {
  return rule;
}

/** The resource types a rule evaluates. */
export type ResourceTypeOf<Rule> = Rule extends RuleDefinition<infer T, z.ZodTypeAny, unknown> ? T : never;
/** The validated parameters a rule evaluates with. */
export type ParametersOf<Rule> = Rule extends RuleDefinition<ResourceType, infer Params, unknown> ? z.output<Params> : never;
/** What a rule reports it found (its `matches`). */
export type MatchOf<Rule> = Rule extends RuleDefinition<ResourceType, z.ZodTypeAny, infer Match> ? Match : never;

/** IAM actions a rule's lookups call, granted to the rule Lambda (and the CLI's caller). */
export function rulePermissions(rule: AnyRule): string[] {
  return [...new Set(rule.lookups.flatMap(lookupPermissions))].sort();
}

export function truncateAnnotation(annotation: string): string {
  if (annotation.length <= MAX_ANNOTATION_LENGTH) return annotation;
  return `${annotation.slice(0, MAX_ANNOTATION_LENGTH - 1)}…`;
}

/** Resource types the rule's Config rule is scoped to (the ones AWS Config records). */
export function recordedResourceTypes(rule: AnyRule): ResourceType[] {
  return rule.resourceTypes.filter((type) => !rule.sweepOnlyResourceTypes?.includes(type));
}

/**
 * Validates a rule's parameters. Accepts the `ruleParameters` JSON string of a Config invocation, or
 * an object from settings or `--param`. A bad value is an error naming the parameter, never a
 * silent default.
 */
export function parseRuleParameters(rule: AnyRule, raw: unknown): unknown {
  let input: unknown = raw ?? {};
  if (typeof input === 'string') {
    const text = input.trim();
    try {
      input = text === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new InvalidParameterError(`Rule ${rule.id}: ruleParameters is not valid JSON: ${text.slice(0, 80)}`, {
        cause: error,
      });
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidParameterError(`Rule ${rule.id}: parameters must be a JSON object of name → value`);
  }
  const schema = rule.parameters instanceof z.ZodObject ? rule.parameters.strict() : rule.parameters;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.map((key) => `"${key}"`).join(', ')} (known: ${knownParameters(rule).join(', ') || 'none'})`
        : `parameter "${issue.path.join('.')}": ${issue.message}`,
    );
    throw new InvalidParameterError(`Rule ${rule.id}: ${problems.join('; ')}`, { cause: parsed.error });
  }
  return parsed.data;
}

export function knownParameters(rule: AnyRule): string[] {
  return rule.parameters instanceof z.ZodObject ? Object.keys(rule.parameters.shape) : [];
}

/**
 * `prefix` followed by as many `items` as fit in an annotation, then "(+N more)" for the rest, so a
 * long list is cut at an item boundary and says how much was left out.
 */
export function annotationList(prefix: string, items: readonly string[], separator = '; '): string {
  const full = prefix + items.join(separator);
  if (full.length <= MAX_ANNOTATION_LENGTH) return full;
  let text = prefix;
  for (let shown = 0; shown < items.length; shown++) {
    const candidate = text + (shown > 0 ? separator : '') + items[shown];
    const suffix = ` (+${items.length - shown - 1} more)`;
    if (candidate.length + suffix.length > MAX_ANNOTATION_LENGTH) {
      return truncateAnnotation(`${text} (+${items.length - shown} more)`);
    }
    text = candidate;
  }
  return text;
}
