import { SEVERITIES, type Severity } from '../rule';
import type { Actor, Alert } from './alert';

/** What a message says, whichever channel carries it: the words are written once, here. */

export function formatTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function cut(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - ellipsis.length)) + ellipsis;
}

export function resourceLabel(alert: Pick<Alert, 'resourceId' | 'resourceName'>): string {
  return alert.resourceName && alert.resourceName !== alert.resourceId ? `${alert.resourceId} (${alert.resourceName})` : alert.resourceId;
}

export function headline(alert: Alert): string {
  switch (alert.kind) {
    case 'new':
      return 'non-compliant';
    case 'resolved':
      return alert.compliance === 'NOT_APPLICABLE' ? 'resolved (no longer in scope)' : 'resolved';
    case 'remediation':
      return `remediation ${alert.result?.outcome ?? 'reported'}`;
  }
}

export function whatIsWrong(alert: Alert): string {
  if (alert.kind === 'remediation' && alert.result) {
    return `Follow-up to the earlier ${alert.ruleId} finding on this resource: ${alert.result.summary.replace(/\.$/, '')}.`;
  }
  if (alert.kind === 'resolved') {
    return alert.compliance === 'NOT_APPLICABLE'
      ? 'The rule no longer applies to this resource (it was deleted or left the rule scope).'
      : `Compliant again${alert.annotation ? `: ${alert.annotation}` : '.'}`;
  }
  return alert.annotation ?? `The resource does not satisfy the rule "${alert.ruleTitle}" (AWS Config gave no detail).`;
}

export function sinceLine(alert: Alert): string {
  const when = formatTime(alert.since);
  switch (alert.kind) {
    case 'new':
      return `Non-compliant since ${when}${alert.previousCompliance ? ` (was ${alert.previousCompliance})` : ' (first evaluation)'}`;
    case 'resolved':
      return `Resolved at ${when}`;
    case 'remediation':
      return `Reported at ${when}`;
  }
}

/** A short name for lists: the session or user name, else the last part of the ARN. */
export function actorShort(actor: Actor): string {
  if (!actor.known) return 'unknown';
  return `${actor.sessionName ?? actor.principalArn.split('/').pop() ?? actor.principalArn} (${actor.apiCall})`;
}

/** What driftwarden does about a new finding, given the rule's mode. */
export function plannedResponse(alert: Alert): string {
  if (!alert.remediation) return `No automatic remediation exists for rule ${alert.ruleId}: fix it by hand.`;
  switch (alert.mode) {
    case 'off':
      return `Mode off: driftwarden does not remediate rule ${alert.ruleId}. Fix it by hand.`;
    case 'notify':
      return `Mode notify: driftwarden only reports this. Fix it by hand, or set the rule's mode to dry-run or auto to use remediation ${alert.remediation}.`;
    case 'dry-run':
      return `Mode dry-run: driftwarden plans remediation ${alert.remediation} and changes nothing; a follow-up message lists the planned API calls.`;
    case 'auto':
      return `Mode auto: driftwarden re-checks the resource and, if it is still non-compliant and not exempt, applies remediation ${alert.remediation}; a follow-up message reports the result.`;
  }
}

/** What driftwarden did: the follow-up of a remediation event. `summary` is the run's own sentence. */
export function remediationReport(alert: Alert): string {
  const result = alert.result;
  if (!result) return plannedResponse(alert);
  const name = alert.remediation ?? 'remediation';
  const summary = result.summary.replace(/\.$/, '');
  switch (result.outcome) {
    case 'planned':
      return `Planned ${name} (mode ${alert.mode}): ${summary}. Nothing was changed.`;
    case 'applied':
      return `Applied ${name} (mode ${alert.mode}): ${summary}.${result.reversible ? ` To take it back: driftwarden undo ${result.auditId}` : ''}`;
    case 'skipped':
      return `Skipped ${name} (mode ${alert.mode}${result.skipReason ? `, ${result.skipReason}` : ''}): ${summary}.`;
    case 'failed':
      return `FAILED ${name} (mode ${alert.mode}): ${summary}.${result.error ? ` Error: ${result.error}` : ''} Fix it by hand; the audit record is ${result.auditId}.`;
  }
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Most severe first, then by rule and resource, so digests and lists read the same every time. */
export function bySeverity(a: Alert, b: Alert): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.resourceId.localeCompare(b.resourceId)
  );
}

export interface DigestRow {
  ruleId: string;
  severity: Severity;
  counts: Record<Alert['kind'], number>;
}

export function digestRows(alerts: readonly Alert[]): DigestRow[] {
  const rows = new Map<string, DigestRow>();
  for (const alert of alerts) {
    const key = `${alert.ruleId}\u0000${alert.severity}`;
    const row = rows.get(key) ?? { ruleId: alert.ruleId, severity: alert.severity, counts: { new: 0, resolved: 0, remediation: 0 } };
    row.counts[alert.kind] += 1;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.ruleId.localeCompare(b.ruleId));
}

export function severityCounts(alerts: readonly Alert[]): string {
  return SEVERITIES.map((severity) => [severity, alerts.filter((alert) => alert.severity === severity).length] as const)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ');
}

/** "123456789012 eu-west-1", or "3 accounts/regions" when a batch spans several. */
export function scopeLabel(alerts: readonly Alert[]): string {
  const scopes = [...new Set(alerts.map((alert) => `${alert.accountId} ${alert.region}`))];
  return scopes.length === 1 ? (scopes[0] as string) : `${scopes.length} accounts/regions`;
}
