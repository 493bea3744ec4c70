import { appliesTo, findRule } from '../evaluate';
import { EventOutOfScopeError } from '../errors';
import type { Finding } from '../finding';
import { organizationRefusal, type OrganizationSettings } from '../organization/settings';
import type { AnyRule } from '../rule';

/** What one remediation function may act on. */
export interface RemediationScope {
  /** The function's own account and region (from its ARN and the runtime). */
  accountId: string;
  region: string;
  /** Exactly this stage's Config rule names: `driftwarden-prod-…`, never `driftwarden-prod-eu-…`. */
  configRuleNames: readonly string[];
  /** Organization mode: the member accounts the settings select, instead of the function's own account. */
  organization?: OrganizationSettings;
}

/**
 * Why the function may not act in an account and region, or undefined when it may: its own region
 * always (each region has its own central stack), and its own account, or in organization mode the
 * accounts the settings select. An account's organizational units are checked, against
 * Organizations, when its role is assumed (lib/organization/member-access.ts).
 */
function refusalOf(scope: RemediationScope, accountId: string, region: string): string | undefined {
  if (region !== scope.region || (!scope.organization && accountId !== scope.accountId)) {
    return `this function acts only in ${scope.organization ? 'the selected accounts of the organization in' : scope.accountId} ${scope.region}`;
  }
  return scope.organization && organizationRefusal(scope.organization, accountId, region);
}

/** Whether the function may act in the finding's account and region. */
export function actsIn(scope: RemediationScope, accountId: string, region: string): boolean {
  return refusalOf(scope, accountId, region) === undefined;
}

/**
 * Refuses a finding the function must not act on: another account or region (it would fix the
 * same-id resource here and audit the claimed one), a Config rule of another stage or tool, or a
 * resource type its rule does not cover.
 */
export function checkFindingScope(finding: Finding, rules: readonly AnyRule[], scope: RemediationScope): void {
  const refusal = refusalOf(scope, finding.accountId, finding.region);
  if (refusal) throw new EventOutOfScopeError(`Event ${finding.eventId} names account ${finding.accountId} region ${finding.region}; ${refusal}`);
  if (!scope.configRuleNames.includes(finding.configRuleName)) {
    throw new EventOutOfScopeError(`Event ${finding.eventId} names Config rule ${finding.configRuleName}, which is not one of this stage's rules`);
  }
  const rule = findRule(rules, finding.ruleId);
  if (!appliesTo(rule, finding.resourceType)) {
    throw new EventOutOfScopeError(`Event ${finding.eventId} names ${finding.resourceType}, which rule ${rule.id} does not cover`);
  }
}
