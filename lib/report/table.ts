import type { Evaluation } from '../evaluate';
import { SEVERITIES, type Severity } from '../rule';
import type { ScanReport } from '../scan';
import { accountsOf, accountTableLines } from '../organization/report';
import { byRuleThenResource, describeSource, findingsBySeverity, resourceLabel, skippedNote } from './common';

export interface TableOptions {
  /** ANSI colour: only when writing to a terminal. */
  color: boolean;
  /** Also list compliant, not-applicable and exempt evaluations. */
  all: boolean;
}

const SEVERITY_COLOURS: Record<Severity, string> = { critical: '35;1', high: '31;1', medium: '33;1', low: '36;1' };

function paint(enabled: boolean, code: string, text: string): string {
  return enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function rows(evaluations: readonly Evaluation[], color: boolean): string[] {
  const ruleWidth = Math.max(...evaluations.map((evaluation) => evaluation.ruleId.length));
  return evaluations.flatMap((evaluation) => [
    `  ${evaluation.ruleId.padEnd(ruleWidth)}  ${paint(color, '1', resourceLabel(evaluation))}`,
    `  ${' '.repeat(ruleWidth)}  ${paint(color, '2', evaluation.annotation)}`,
  ]);
}

/** The report for people: findings grouped by severity, then totals. */
export function renderTable(report: ScanReport, options: TableOptions): string {
  const { summary } = report;
  const lines: string[] = [`driftwarden: ${describeSource(report)}`, ''];
  for (const [severity, findings] of findingsBySeverity(report)) {
    if (findings.length === 0) continue;
    lines.push(paint(options.color, SEVERITY_COLOURS[severity], `${severity.toUpperCase()} (${findings.length})`), ...rows(findings, options.color), '');
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
      lines.push(paint(options.color, code, `${title} (${evaluations.length})`), ...rows(shown, options.color), '');
    }
  }
  const accounts = accountsOf(report);
  if (accounts) lines.push(...accountTableLines(accounts));
  if (summary.nonCompliant === 0) lines.push(paint(options.color, '32;1', 'No findings.'));
  const bySeverity = SEVERITIES.filter((severity) => summary.findingsBySeverity[severity] > 0)
    .map((severity) => `${summary.findingsBySeverity[severity]} ${severity}`)
    .join(', ');
  lines.push(
    `${summary.nonCompliant} finding${summary.nonCompliant === 1 ? '' : 's'}${bySeverity ? ` (${bySeverity})` : ''}, ` +
      `${summary.compliant} compliant, ${summary.exempt} exempt, ${summary.notApplicable} not applicable — ` +
      `${summary.evaluations} evaluations of ${summary.resources} resources.`,
  );
  const skipped = skippedNote(report);
  if (skipped) lines.push(skipped);
  if (summary.destroyed > 0) lines.push(`Not evaluated: ${summary.destroyed} resource${summary.destroyed === 1 ? '' : 's'} the plan destroys.`);
  if (!options.all && summary.compliant + summary.exempt + summary.notApplicable > 0) lines.push('Use --all to list compliant and exempt resources too.');
  return `${lines.join('\n')}\n`;
}
