import { z } from 'zod';
import { homepage } from '../package.json';
import type { AnyRule, Severity, Trigger } from './rule';
import { ruleSettingsFor, type RemediationMode, type Settings } from './settings';

/** Where each rule's page (`docs/rules/<id>.md`) is published; every output links to it. */
export function ruleDocumentationUrl(ruleId: string): string {
  return `${homepage}/blob/main/docs/rules/${ruleId}.md`;
}

export interface RuleParameterDescription {
  name: string;
  /** The rule's default, in the form a Config rule's InputParameters takes; absent when the parameter is optional. */
  default?: unknown;
  /** What this run uses: the settings file's value, else the default. */
  value?: unknown;
}

/** What `driftwarden rules` lists, and what every report says about a rule. */
export interface RuleDescription {
  id: string;
  title: string;
  severity: Severity;
  resourceTypes: string[];
  triggers: Trigger[];
  parameters: RuleParameterDescription[];
  configManagedRules: string[];
  securityHubControls: string[];
  remediation?: { id: string; mode: RemediationMode };
  enabled: boolean;
  documentation: string;
}

function parameterDefault(schema: z.ZodTypeAny): unknown {
  return schema instanceof z.ZodDefault ? (schema._def.defaultValue() as unknown) : undefined;
}

export function configManagedRules(rule: AnyRule): string[] {
  const managed = rule.references.configManagedRule;
  return managed === undefined ? [] : typeof managed === 'string' ? [managed] : [...managed];
}

/** "vpc-flow-logs-enabled · EC2.6": the AWS managed rule and Security Hub mapping in one line. */
export function awsMapping(rule: AnyRule): string {
  return [configManagedRules(rule).join(', '), (rule.references.securityHub ?? []).join(', ')].filter(Boolean).join(' · ');
}

export function describeRule(rule: AnyRule, settings: Settings): RuleDescription {
  const ruleSettings = ruleSettingsFor(settings, rule.id);
  const shape: Record<string, z.ZodTypeAny> = rule.parameters instanceof z.ZodObject ? rule.parameters.shape : {};
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    resourceTypes: [...rule.resourceTypes],
    triggers: [...rule.triggers],
    parameters: Object.entries(shape).map(([name, schema]) => {
      const fallback = parameterDefault(schema);
      const value = ruleSettings.parameters[name] ?? fallback;
      return { name, ...(fallback !== undefined && { default: fallback }), ...(value !== undefined && { value }) };
    }),
    configManagedRules: configManagedRules(rule),
    securityHubControls: [...(rule.references.securityHub ?? [])],
    ...(rule.remediation !== undefined && { remediation: { id: rule.remediation, mode: ruleSettings.mode } }),
    enabled: ruleSettings.enabled,
    documentation: ruleDocumentationUrl(rule.id),
  };
}
