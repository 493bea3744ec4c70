import type { Evaluation } from '../evaluate';
import { awsMapping, ruleDocumentationUrl } from '../rule-catalogue';
import { SEVERITIES, type AnyRule, type Severity } from '../rule';
import type { ScanReport } from '../scan';
import { accountsOf, accountTableLines } from '../organization/report';
import { byRuleThenResource, describeSource, findingsBySeverity, incompleteNotes, locationText, resourceLabel, skippedNote, verdictOf } from './common';

export interface TableOptions {
  /** ANSI colour: only when writing to a terminal. */
  color: boolean;
  /** Also list compliant, not-applicable and exempt evaluations. */
  all: boolean;
  /** The rules that ran, for their AWS mapping and documentation under the findings. */
  rules: readonly AnyRule[];
}

const SEVERITY_COLOURS: Record<Severity, string> = { critical: '35;1', high: '31;1', medium: '33;1', low: '36;1' };

function paint(enabled: boolean, code: string, text: string): string {
  return enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Appends to `lines` in place: `lines.push(...rows)` would spread 300,000 arguments and overflow the stack. */
function appendRows(lines: string[], evaluations: readonly Evaluation[], color: boolean, report: ScanReport): void {
  // A loop, not Math.max(...list): spreading 150,000 arguments overflows the stack.
  let ruleWidth = 0;
  for (const evaluation of evaluations) ruleWidth = Math.max(ruleWidth, evaluation.ruleId.length);
  for (const evaluation of evaluations) {
    const location = locationText(evaluation, report);
    const where = location && evaluation.line !== undefined ? `  ${paint(color, '2', location)}` : '';
    lines.push(`  ${evaluation.ruleId.padEnd(ruleWidth)}  ${paint(color, '1', resourceLabel(evaluation))}${where}`, `  ${' '.repeat(ruleWidth)}  ${paint(color, '2', evaluation.annotation)}`);
  }
}

/** The report for people: findings grouped by severity, then totals. */
export function renderTable(report: ScanReport, options: TableOptions): string {
  const { summary } = report;
  const lines: string[] = [`driftwarden: ${describeSource(report)}`, ''];
  for (const [severity, findings] of findingsBySeverity(report)) {
    if (findings.length === 0) continue;
    lines.push(paint(options.color, SEVERITY_COLOURS[severity], `${severity.toUpperCase()} (${findings.length})`));
    appendRows(lines, findings, options.color, report);
    lines.push('');
  }
  if (options.all) {
    const sections: [string, string, (evaluation: Evaluation) => boolean][] = [
      ['EXEMPT', '34', (evaluation) => evaluation.compliance === 'NON_COMPLIANT' && evaluation.exemption !== undefined],
      ['COMPLIANT', '32', (evaluation) => evaluation.compliance === 'COMPLIANT'],
      ['NOT APPLICABLE', '2', (evaluation) => evaluation.compliance === 'NOT_APPLICABLE'],
    ];
    for (const [title, code, belongs] of sections) {
      const evaluations = report.evaluations.filter(belongs).sort(byRuleThenResource);
      if (evaluations.length === 0) continue;
      const shown = title === 'EXEMPT' ? evaluations.map((evaluation) => ({ ...evaluation, annotation: `${evaluation.annotation} [exempt: ${evaluation.exemption!.reason}${evaluation.exemption!.until ? ` until ${evaluation.exemption!.until}` : ''}]` })) : evaluations;
      lines.push(paint(options.color, code, `${title} (${evaluations.length})`));
      appendRows(lines, shown, options.color, report);
      lines.push('');
    }
  }
  const unknown = report.evaluations.filter((evaluation) => verdictOf(evaluation) === 'unknown').sort(byRuleThenResource);
  if (unknown.length > 0) {
    lines.push(paint(options.color, '35', `UNKNOWN (${unknown.length})`));
    appendRows(lines, unknown, options.color, report);
    lines.push('');
  }
  const flagged = new Set(report.evaluations.filter((evaluation) => ['finding', 'unknown'].includes(verdictOf(evaluation))).map((evaluation) => evaluation.ruleId));
  const explained = options.rules.filter((rule) => flagged.has(rule.id));
  if (explained.length > 0) {
    const idWidth = Math.max(0, ...explained.map((rule) => rule.id.length));
    lines.push('Rules:', ...explained.map((rule) => `  ${rule.id.padEnd(idWidth)}  ${[awsMapping(rule), ruleDocumentationUrl(rule.id)].filter(Boolean).join(' · ')}`), '');
  }
  const accounts = accountsOf(report);
  if (accounts) lines.push(...accountTableLines(accounts));
  if (summary.nonCompliant === 0 && summary.insufficientData === 0 && summary.incomplete.length === 0) lines.push(paint(options.color, '32;1', 'No findings.'));
  const bySeverity = SEVERITIES.filter((severity) => summary.findingsBySeverity[severity] > 0)
    .map((severity) => `${summary.findingsBySeverity[severity]} ${severity}`)
    .join(', ');
  lines.push(
    `${summary.nonCompliant} finding${summary.nonCompliant === 1 ? '' : 's'}${bySeverity ? ` (${bySeverity})` : ''}, ` +
      `${summary.insufficientData > 0 ? `${summary.insufficientData} unknown, ` : ''}${summary.compliant} compliant, ${summary.exempt} exempt, ${summary.baselined > 0 ? `${summary.baselined} in the baseline, ` : ''}${summary.notApplicable} not applicable — ` +
      `${summary.evaluations} evaluations of ${summary.resources} resources.`,
  );
  if (summary.incomplete.length > 0) {
    lines.push(paint(options.color, '31;1', `INCOMPLETE: ${summary.incomplete.length} part(s) of the input could not be read; what they hold was not judged.`), ...incompleteNotes(report).map((note) => `  ${note}`));
  }
  const skipped = skippedNote(report);
  if (skipped) lines.push(skipped);
  if (summary.destroyed > 0) lines.push(`Not evaluated: ${summary.destroyed} resource${summary.destroyed === 1 ? '' : 's'} the plan destroys.`);
  if (!options.all && summary.compliant + summary.exempt + summary.notApplicable > 0) lines.push('Use --all to list compliant and exempt resources too.');
  return `${lines.join('\n')}\n`;
}
