import { awsMapping, ruleDocumentationUrl } from '../rule-catalogue';
import type { AnyRule } from '../rule';
import type { ScanReport } from '../scan';
import { byRuleThenResource, exemptionText, incompleteNotes, locationText, resourceLabel, verdictOf } from './common';

/** JUnit XML (the Ant/Jenkins schema CI systems read): a testsuite per rule, a testcase per evaluation. */

function escapeXml(text: string): string {
  // XML 1.0 forbids most control characters even as references; an annotation never needs them.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

export function renderJunit(report: ScanReport, rules: readonly AnyRule[], generatedAt: Date): string {
  const timestamp = generatedAt.toISOString().slice(0, 19);
  const suites = rules
    .filter((rule) => rule.id in report.summary.byRule)
    .map((rule) => {
      const evaluations = report.evaluations.filter((evaluation) => evaluation.ruleId === rule.id).sort(byRuleThenResource);
      let failures = 0;
      let skipped = 0;
      const cases = evaluations.map((evaluation) => {
        const verdict = verdictOf(evaluation);
        const location = locationText(evaluation, report);
        const name = `${resourceLabel(evaluation)} (${evaluation.resourceType})`;
        const open = `    <testcase${attributes({ classname: `driftwarden.${rule.id}`, name, time: 0 })}`;
        const detail = `${evaluation.annotation}${location ? `\nat ${location}` : ''}\nsee ${ruleDocumentationUrl(rule.id)}`;
        switch (verdict) {
          case 'finding':
            failures++;
            return `${open}>\n      <failure${attributes({ message: evaluation.annotation, type: evaluation.severity })}>${escapeXml(detail)}</failure>\n    </testcase>`;
          case 'unknown':
          case 'exempt':
          case 'baselined':
          case 'not applicable': {
            skipped++;
            const why = verdict === 'exempt' ? `exempt: ${exemptionText(evaluation)}` : verdict === 'unknown' ? `unknown: ${evaluation.annotation}` : `${verdict}: ${evaluation.annotation}`;
            return `${open}>\n      <skipped${attributes({ message: why })}/>\n    </testcase>`;
          }
          case 'compliant':
            return `${open}/>`;
        }
      });
      const properties = [
        ['severity', rule.severity],
        ['aws-mapping', awsMapping(rule)],
        ['documentation', ruleDocumentationUrl(rule.id)],
      ]
        .filter(([, value]) => value)
        .map(([name, value]) => `      <property${attributes({ name: name!, value: value! })}/>`);
      return [
        `  <testsuite${attributes({ name: `${rule.id}: ${rule.title}`, tests: evaluations.length, failures, errors: 0, skipped, time: 0, timestamp, hostname: 'driftwarden' })}>`,
        `    <properties>\n${properties.join('\n')}\n    </properties>`,
        ...cases,
        '  </testsuite>',
      ].join('\n');
    });
  // What was not read is an error: the scan could not judge it.
  const notes = incompleteNotes(report);
  if (notes.length > 0) {
    suites.push(
      [
        `  <testsuite${attributes({ name: 'driftwarden: input', tests: notes.length, failures: 0, errors: notes.length, skipped: 0, time: 0, timestamp, hostname: 'driftwarden' })}>`,
        ...notes.map((note) => `    <testcase${attributes({ classname: 'driftwarden.input', name: note, time: 0 })}>\n      <error${attributes({ message: note, type: 'incomplete' })}/>\n    </testcase>`),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  const totals = { tests: report.evaluations.length + notes.length, failures: report.summary.nonCompliant, errors: notes.length };
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes({ name: 'driftwarden', ...totals })}>`, ...suites, '</testsuites>', ''].join('\n');
}
