import type { Evaluation } from '../evaluate';
import { SEVERITIES, type Severity } from '../rule';
import { isFinding, type ScanReport } from '../scan';

export const OUTPUT_FORMATS = ['table', 'json', 'sarif', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** How a person finds the resource: its Terraform address, else its name, else its id. */
export function resourceLabel(evaluation: Evaluation): string {
  return evaluation.address ?? evaluation.resourceName ?? evaluation.resourceId;
}

/** Findings (non-compliant, not exempt), most severe first, then by rule and resource. */
export function findingsBySeverity(report: ScanReport): Map<Severity, Evaluation[]> {
  const groups = new Map<Severity, Evaluation[]>(SEVERITIES.map((severity) => [severity, []]));
  for (const evaluation of report.evaluations) {
    if (isFinding(evaluation)) groups.get(evaluation.severity)!.push(evaluation);
  }
  for (const list of groups.values()) list.sort(byRuleThenResource);
  return groups;
}

export function byRuleThenResource(a: Evaluation, b: Evaluation): number {
  return a.ruleId.localeCompare(b.ruleId) || resourceLabel(a).localeCompare(resourceLabel(b));
}

export function describeSource(report: ScanReport): string {
  const { kind, file } = report.origin;
  if (kind === 'demo') return 'the embedded demo account';
  if (kind === 'live') return 'the live account';
  if (kind === 'organization') return 'the organization';
  if (kind === 'aggregator') return `Config aggregator ${report.origin.aggregator ?? ''}`.trimEnd();
  return `${kind === 'terraform' ? 'Terraform' : 'Config snapshot'} ${file ?? ''}`.trimEnd();
}

export function skippedNote(report: ScanReport): string | undefined {
  const entries = Object.entries(report.summary.skippedTypes);
  if (entries.length === 0) return undefined;
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return `Skipped ${total} resource${total === 1 ? '' : 's'} of types driftwarden does not evaluate: ${entries
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `${type} (${count})`)
    .join(', ')}.`;
}
