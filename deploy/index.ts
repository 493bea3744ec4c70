import type { StackNames } from './config-rules';
import { configRuleStack, loadStackSettings } from './stack';

/** Everything serverless.yml adds under `resources.Resources`. */
export function stackResources(projectDir: string, names: StackNames): Record<string, object> {
  return { ...configRuleStack(projectDir, names, () => []) };
}

/** The validated settings, handed to the functions that act on them at run time. */
export function stackSettingsJson(projectDir: string, names: StackNames): string {
  return JSON.stringify(loadStackSettings(projectDir, names.stage));
}
