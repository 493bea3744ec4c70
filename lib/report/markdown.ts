import { awsMapping, ruleDocumentationUrl } from '../rule-catalogue';
import { SEVERITIES, type AnyRule } from '../rule';
import type { ScanReport } from '../scan';
import { byRuleThenResource, describeSource, exemptionText, findingsBySeverity, incompleteNotes, locationText, resourceLabel, skippedNote, verdictOf } from './common';
import type { Evaluation } from '../evaluate';

/** GitHub-flavoured Markdown, sized for a job summary (`$GITHUB_STEP_SUMMARY`). */

const MAX_ROWS = 1000;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function renderMarkdown(report: ScanReport, rules: readonly AnyRule[]): string {
  const { summary } = report;
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const ruleLink = (ruleId: string) => `[${ruleId}](${ruleDocumentationUrl(ruleId)})`;
  const mapping = (ruleId: string) => cell(byId.has(ruleId) ? awsMapping(byId.get(ruleId)!) : '');
  const row = (evaluation: Evaluation, note: string) => {
    const location = locationText(evaluation, report);
    return `| ${evaluation.severity} | ${ruleLink(evaluation.ruleId)} | ${code(resourceLabel(evaluation))}${location ? `<br>${cell(location)}` : ''} | ${cell(note)} | ${mapping(evaluation.ruleId)} |`;
  };
  const header = ['| severity | rule | resource | what is wrong | AWS managed rule · Security Hub |', '|---|---|---|---|---|'];
  const findings = [...findingsBySeverity(report).values()].flat();
  const bySeverity = SEVERITIES.filter((severity) => summary.findingsBySeverity[severity] > 0).map((severity) => `${summary.findingsBySeverity[severity]} ${severity}`);
  const lines = [
    `## driftwarden: ${summary.nonCompliant === 0 ? 'no findings' : `${summary.nonCompliant} finding${summary.nonCompliant === 1 ? '' : 's'}${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''}`}`,
    '',
    `Scanned ${describeSource(report)}: ${summary.evaluations} evaluations of ${summary.resources} resources — ${summary.compliant} compliant, ${summary.insufficientData} unknown, ${summary.exempt} exempt, ${summary.baselined} in the baseline, ${summary.notApplicable} not applicable.`,
    '',
  ];
  const incomplete = incompleteNotes(report);
  if (incomplete.length > 0) lines.push('> [!WARNING]', '> **Incomplete scan.** Parts of the input were not read, so they were not judged:', ...incomplete.map((note) => `> - ${note}`), '');
  // GitHub keeps at most 1 MiB of a job summary: the first rows, and a count of the rest.
  const shown = findings.slice(0, MAX_ROWS);
  if (findings.length > 0) lines.push('### Findings', '', ...header, ...shown.map((evaluation) => row(evaluation, evaluation.annotation)), '');
  if (findings.length > MAX_ROWS) lines.push(`…and ${findings.length - MAX_ROWS} more findings: see the full report.`, '');
  const unknown = report.evaluations.filter((evaluation) => verdictOf(evaluation) === 'unknown').sort(byRuleThenResource).slice(0, MAX_ROWS);
  if (unknown.length > 0) lines.push('### Unknown', '', 'The input cannot tell whether these comply; they are not counted as compliant.', '', ...header, ...unknown.map((evaluation) => row(evaluation, evaluation.annotation)), '');
  const exempt = report.evaluations.filter((evaluation) => verdictOf(evaluation) === 'exempt').sort(byRuleThenResource).slice(0, MAX_ROWS);
  if (exempt.length > 0) lines.push('<details><summary>Exempt (' + exempt.length + ')</summary>', '', ...header, ...exempt.map((evaluation) => row(evaluation, `${evaluation.annotation} — exempt: ${exemptionText(evaluation)}`)), '', '</details>', '');
  const skipped = skippedNote(report);
  if (skipped) lines.push(skipped, '');
  return `${lines.join('\n')}`;
}
