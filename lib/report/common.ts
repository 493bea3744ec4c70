import type { Evaluation } from '../evaluate';
import { SEVERITIES, type Severity } from '../rule';
import { isFinding, type ScanReport } from '../scan';

export { OUTPUT_FORMATS, type OutputFormat } from './formats';

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

/** A verdict in words, the same in every format: an INSUFFICIENT_DATA verdict is "unknown", never a pass. */
export type Verdict = 'finding' | 'unknown' | 'exempt' | 'baselined' | 'compliant' | 'not applicable';

export function verdictOf(evaluation: Evaluation): Verdict {
  switch (evaluation.compliance) {
    case 'COMPLIANT':
      return 'compliant';
    case 'NOT_APPLICABLE':
      return 'not applicable';
    case 'INSUFFICIENT_DATA':
      return 'unknown';
    case 'NON_COMPLIANT':
      return evaluation.exemption ? 'exempt' : evaluation.baselined ? 'baselined' : 'finding';
  }
}

export function exemptionText(evaluation: Evaluation): string | undefined {
  const { exemption } = evaluation;
  return exemption && `${exemption.reason}${exemption.until ? ` (until ${exemption.until})` : ''}`;
}

/** The file a finding points at: its own (Terraform source), else the file the scan read. */
export function fileOf(evaluation: Evaluation, report: ScanReport): string | undefined {
  return evaluation.file ?? report.origin.file;
}

/** "file:line", "file", or undefined. */
export function locationText(evaluation: Evaluation, report: ScanReport): string | undefined {
  const file = fileOf(evaluation, report);
  return file && (evaluation.line !== undefined ? `${file}:${evaluation.line}` : file);
}

/** One line per part of the input that was not read. */
export function incompleteNotes(report: ScanReport): string[] {
  return report.summary.incomplete.map((part) => `Not read: ${part.resourceType}${part.region ? ` in ${part.region}` : ''} (${part.reason}).`);
}
