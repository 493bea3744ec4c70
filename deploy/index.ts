import { inventoryPermissions } from '../lib/aws/inventory';
import type { AnyRule } from '../lib/rule';
import { RULES } from '../rules';
import { alertStack } from './alerts';
import type { StackNames } from '../lib/config-rule/names';
import { centralStack } from './organization';
import { remediationStack } from './remediation';
import { configRuleStack, loadStackSettings } from './stack';

/** A periodic rule lists every resource of its types; a change-only rule reads nothing beyond the item. */
function sweepActions(rule: AnyRule): string[] {
  return rule.triggers.includes('periodic') ? rule.resourceTypes.flatMap(inventoryPermissions) : [];
}

/** Everything serverless.yml adds under `resources.Resources`. */
export function stackResources(projectDir: string, names: StackNames): Record<string, object> {
  const settings = loadStackSettings(projectDir, names.stage);
  const resources = {
    ...configRuleStack(projectDir, names, sweepActions),
    ...remediationStack(projectDir, names),
    ...alertStack(RULES, settings, names),
  };
  return settings.organization ? centralStack(resources as Parameters<typeof centralStack>[0], settings, settings.organization, names, sweepActions) : resources;
}

/** The validated settings, handed to the functions that act on them at run time. */
export function stackSettingsJson(projectDir: string, names: StackNames): string {
  return JSON.stringify(loadStackSettings(projectDir, names.stage));
}

/** The remediation function's entry: in organization mode the one that can enter member accounts (and bundles their SDK clients). */
export function remediateHandler(projectDir: string, names: StackNames): string {
  return loadStackSettings(projectDir, names.stage).organization ? 'handlers/remediate-organization.handler' : 'handlers/remediate.handler';
}
