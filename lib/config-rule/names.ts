import type { AnyRule } from '../rule';
import { ruleSettingsFor, type Settings } from '../settings';

/** The service and stage a stack is deployed as: every name it gives carries both. */
export interface StackNames {
  service: string;
  stage: string;
}

/** What every name the stack gives begins with, e.g. `driftwarden-prod-` (its Config rules, its roles). */
export function stackPrefix(names: StackNames): string {
  return `${names.service}-${names.stage}-`;
}

/** The deployed Config rule of a rule, e.g. `driftwarden-prod-vpc-flow-logs`. */
export function configRuleName(names: StackNames, rule: Pick<AnyRule, 'id'>): string {
  return `${stackPrefix(names)}${rule.id}`;
}

/** The rules the settings turn on: the ones deployed as Config rules. */
export function enabledRules(rules: readonly AnyRule[], settings: Settings): AnyRule[] {
  return rules.filter((rule) => ruleSettingsFor(settings, rule.id).enabled);
}
