import { inventoryPermissions } from '../lib/aws/inventory';
import type { AnyRule } from '../lib/rule';
import { RULES } from '../rules';
import { alertStack } from './alerts';
import type { StackNames } from './config-rules';
import { remediationStack } from './remediation';
import { configRuleStack, loadStackSettings } from './stack';

/** A periodic rule lists every resource of its types; a change-only rule reads nothing beyond the item. */
function sweepActions(rule: AnyRule): string[] {
  return rule.triggers.includes('periodic') ? rule.resourceTypes.flatMap(inventoryPermissions) : [];
}

/** Everything serverless.yml adds under `resources.Resources`. */
export function stackResources(projectDir: string, names: StackNames): Record<string, object> {
  return {
    ...configRuleStack(projectDir, names, sweepActions),
    ...remediationStack(projectDir, names),
    ...alertStack(RULES, loadStackSettings(projectDir, names.stage), names),
  };
}

/** The validated settings, handed to the functions that act on them at run time. */
export function stackSettingsJson(projectDir: string, names: StackNames): string {
  return JSON.stringify(loadStackSettings(projectDir, names.stage));
}
