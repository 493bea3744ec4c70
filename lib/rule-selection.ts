import { UnknownRuleError } from './errors';
import { globMatches } from './text-file';
import { SEVERITIES, type AnyRule, type Severity } from './rule';

/** Which rules a scan runs: `--rule` / `--skip-rule` (ids or globs) and a minimum `--severity`. */
export interface RuleSelection {
  rule?: readonly string[];
  skipRule?: readonly string[];
  severity?: Severity;
}

/** The rules a list of ids or globs names; a pattern that names none is a typo, not an empty choice. */
function matching(rules: readonly AnyRule[], patterns: readonly string[], flag: string): Set<AnyRule> {
  const chosen = new Set<AnyRule>();
  for (const pattern of patterns) {
    const matched = rules.filter((rule) => globMatches(pattern, rule.id));
    if (matched.length === 0) {
      throw new UnknownRuleError(`${flag} ${pattern}: no rule matches (known rules: ${rules.map((rule) => rule.id).join(', ')})`);
    }
    for (const rule of matched) chosen.add(rule);
  }
  return chosen;
}

export function selectRules(rules: readonly AnyRule[], selection: RuleSelection): AnyRule[] {
  const included = selection.rule?.length ? matching(rules, selection.rule, '--rule') : new Set(rules);
  const skipped = matching(rules, selection.skipRule ?? [], '--skip-rule');
  const limit = selection.severity === undefined ? SEVERITIES.length - 1 : SEVERITIES.indexOf(selection.severity);
  return rules.filter((rule) => included.has(rule) && !skipped.has(rule) && SEVERITIES.indexOf(rule.severity) <= limit);
}
