import { appliesTo, findRule } from '../evaluate';
import { EventOutOfScopeError } from '../errors';
import type { Finding } from '../finding';
import type { AnyRule } from '../rule';

/** What one remediation function may act on. */
export interface RemediationScope {
  /** The function's own account and region (from its ARN and the runtime). */
  accountId: string;
  region: string;
  /** Exactly this stage's Config rule names: `driftwarden-prod-…`, never `driftwarden-prod-eu-…`. */
  configRuleNames: readonly string[];
}

/**
 * Whether the function may act in the finding's account and region: today only its own. An
 * organization mode widens this one check to the accounts and regions in scope.
 */
export function actsIn(scope: RemediationScope, accountId: string, region: string): boolean {
  return accountId === scope.accountId && region === scope.region;
}

/**
 * Refuses a finding the function must not act on: another account or region (it would fix the
 * same-id resource here and audit the claimed one), a Config rule of another stage or tool, or a
 * resource type its rule does not cover.
 */
export function checkFindingScope(finding: Finding, rules: readonly AnyRule[], scope: RemediationScope): void {
  if (!actsIn(scope, finding.accountId, finding.region)) {
    throw new EventOutOfScopeError(
      `Event ${finding.eventId} names account ${finding.accountId} region ${finding.region}; this function acts only in ${scope.accountId} ${scope.region}`,
    );
  }
  if (!scope.configRuleNames.includes(finding.configRuleName)) {
    throw new EventOutOfScopeError(`Event ${finding.eventId} names Config rule ${finding.configRuleName}, which is not one of this stage's rules`);
  }
  const rule = findRule(rules, finding.ruleId);
  if (!appliesTo(rule, finding.resourceType)) {
    throw new EventOutOfScopeError(`Event ${finding.eventId} names ${finding.resourceType}, which rule ${rule.id} does not cover`);
  }
}
