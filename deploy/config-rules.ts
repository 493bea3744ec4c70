import { recordedResourceTypes, rulePermissions, type AnyRule } from '../lib/rule';
import { ruleSettingsFor, type Settings } from '../lib/settings';
import { configRuleName, enabledRules, type StackNames } from '../lib/config-rule/names';

/** The function logical id serverless gives the `configRule` function. */
const RULE_FUNCTION = 'ConfigRuleLambdaFunction';
const RULE_FUNCTION_PERMISSION = 'ConfigRuleInvokePermission';

/** Config's own calls: report verdicts, fetch oversized items, read earlier verdicts for sweeps. */
const CONFIG_ACTIONS = ['config:PutEvaluations', 'config:GetResourceConfigHistory', 'config:GetComplianceDetailsByConfigRule'];


function logicalIdFor(rule: AnyRule): string {
  const pascal = rule.id.replace(/(^|-)([a-z0-9])/g, (_match, _dash, letter: string) => letter.toUpperCase());
  return `${pascal}ConfigRule`;
}

function sourceDetails(rule: AnyRule, settings: Settings): object[] {
  const details: object[] = [];
  if (rule.triggers.includes('change')) {
    // Items over 256 KB arrive as a pointer only; without this source those changes go unevaluated.
    details.push(
      { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
      { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
    );
  }
  if (rule.triggers.includes('periodic')) {
    details.push({ EventSource: 'aws.config', MessageType: 'ScheduledNotification', MaximumExecutionFrequency: settings.periodicFrequency });
  }
  return details;
}

/** Config hands rules their parameters as strings, the way managed rules take them ("80,443", "90"); lists become comma-separated. */
function inputParameters(parameters: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]));
}

/** One custom Config rule per enabled rule, each scoped to what Config records for it. */
export function configRuleResources(rules: readonly AnyRule[], settings: Settings, names: StackNames): Record<string, object> {
  const resources: Record<string, object> = {
    [RULE_FUNCTION_PERMISSION]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [RULE_FUNCTION, 'Arn'] },
        Principal: 'config.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
      },
    },
  };
  for (const rule of enabledRules(rules, settings)) {
    const parameters = ruleSettingsFor(settings, rule.id).parameters;
    resources[logicalIdFor(rule)] = {
      Type: 'AWS::Config::ConfigRule',
      DependsOn: [RULE_FUNCTION_PERMISSION],
      Properties: {
        ConfigRuleName: configRuleName(names, rule),
        Description: rule.title,
        Scope: { ComplianceResourceTypes: recordedResourceTypes(rule) },
        ...(Object.keys(parameters).length > 0 && { InputParameters: inputParameters(parameters) }),
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: { 'Fn::GetAtt': [RULE_FUNCTION, 'Arn'] },
          SourceDetails: sourceDetails(rule, settings),
        },
      },
    };
  }
  return resources;
}

/** The rule function's policy: Config's calls plus exactly what the enabled rules and their sweeps declare. */
export function configRuleActions(rules: readonly AnyRule[], settings: Settings, sweepActions: (rule: AnyRule) => readonly string[]): string[] {
  const actions = new Set(CONFIG_ACTIONS);
  for (const rule of enabledRules(rules, settings)) {
    for (const action of [...rulePermissions(rule), ...sweepActions(rule)]) actions.add(action);
  }
  return [...actions].sort();
}
