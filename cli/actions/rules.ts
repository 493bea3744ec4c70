import { describeRule, type RuleDescription } from '../../lib/rule-catalogue';
import { RULES } from '../../rules';
import type { RulesFlags } from '../commands/rules';
import type { CliContext } from '../context';
import { loadSettings } from '../settings';

function formatValue(value: unknown): string {
  return typeof value === 'string' ? (value === '' ? '""' : value) : JSON.stringify(value);
}

function renderRule(rule: RuleDescription): string[] {
  const parameters = rule.parameters.map((parameter) =>
    parameter.value === undefined ? `${parameter.name} (optional)` : `${parameter.name}=${formatValue(parameter.value)}`,
  );
  const fields: [string, string][] = [
    ['resource types', rule.resourceTypes.join(', ')],
    ['triggers', rule.triggers.join(', ')],
    ['parameters', parameters.join(', ') || 'none'],
    ['AWS managed rule', rule.configManagedRules.join(', ') || 'none'],
    ['Security Hub', rule.securityHubControls.join(', ') || 'none'],
    ['remediation', rule.remediation ? `${rule.remediation.id} (mode: ${rule.remediation.mode})` : 'none'],
    ['documentation', rule.documentation],
  ];
  return [
    `${rule.id}  ${rule.severity}${rule.enabled ? '' : '  (disabled in settings)'}`,
    `  ${rule.title}`,
    ...fields.map(([name, value]) => `  ${name.padEnd(16)}  ${value}`),
    '',
  ];
}

export async function runRules(flags: RulesFlags, context: CliContext): Promise<void> {
  const settings = await loadSettings(flags.config);
  const rules = RULES.map((rule) => describeRule(rule, settings));
  context.stdout.write(flags.format === 'json' ? `${JSON.stringify({ rules }, null, 2)}\n` : `${rules.flatMap(renderRule).join('\n')}`);
}

