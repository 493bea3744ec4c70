import { ruleDocumentationUrl } from '../rule-catalogue';
import type { AnyRule, Severity } from '../rule';
import { awsMapping } from '../rule-catalogue';
import type { ScanReport } from '../scan';
import { byRuleThenResource, fileOf, incompleteNotes, resourceLabel, verdictOf } from './common';

/**
 * GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`): each finding becomes an
 * annotation on the file and line, or on the run when the source has no file.
 */

const COMMANDS: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice' };

/** The escaping the Actions runner undoes: `%`, CR and LF in data; also `:` and `,` in properties. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(report: ScanReport, rules: readonly AnyRule[]): string {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const lines = report.evaluations
    .filter((evaluation) => ['finding', 'unknown'].includes(verdictOf(evaluation)))
    .sort(byRuleThenResource)
    .map((evaluation) => {
      const unknown = verdictOf(evaluation) === 'unknown';
      const file = fileOf(evaluation, report);
      const properties = [
        ...(file ? [`file=${escapeProperty(file)}`] : []),
        ...(file && evaluation.line !== undefined ? [`line=${evaluation.line}`] : []),
        `title=${escapeProperty(`driftwarden ${evaluation.ruleId} (${unknown ? 'unknown' : evaluation.severity}): ${resourceLabel(evaluation)}`)}`,
      ];
      const rule = byId.get(evaluation.ruleId);
      const mapping = rule ? awsMapping(rule) : '';
      const message = `${unknown ? 'Unknown: ' : ''}${evaluation.annotation}\n${evaluation.resourceType} ${evaluation.resourceId}${mapping ? ` · ${mapping}` : ''}\n${ruleDocumentationUrl(evaluation.ruleId)}`;
      return `::${unknown ? 'notice' : COMMANDS[evaluation.severity]} ${properties.join(',')}::${escapeData(message)}`;
    });
  for (const note of incompleteNotes(report)) lines.push(`::error title=driftwarden incomplete scan::${escapeData(note)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
