import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Evaluation } from '../evaluate';
import type { AnyRule, Severity } from '../rule';
import type { ScanReport } from '../scan';
import type { SourceOrigin } from '../sources/source';

/** SARIF 2.1.0 (docs.oasis-open.org/sarif/sarif/v2.1.0), so findings show in code-scanning tools. */

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

/** GitHub code scanning ranks results by this rule property (0-10, CVSS-like bands). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

function artifactUri(file: string): string {
  return isAbsolute(file) ? pathToFileURL(file).href : file.split('\\').join('/');
}

/** The declaration's file (relative to the source root) as a path from where the scan ran, else the file read. */
function artifactOf(evaluation: Evaluation, origin: SourceOrigin): { file?: string; line?: number } {
  if (evaluation.file === undefined) return { file: origin.file };
  return { file: origin.sourceRoot ? join(origin.sourceRoot, evaluation.file) : evaluation.file, line: evaluation.line };
}

function locationOf(evaluation: Evaluation, origin: SourceOrigin): Record<string, unknown> {
  const { file, line } = artifactOf(evaluation, origin);
  const logicalLocation = evaluation.address
    ? { fullyQualifiedName: evaluation.address, kind: 'resource' }
    : { name: evaluation.resourceId, fullyQualifiedName: evaluation.arn ?? `${evaluation.resourceType}/${evaluation.resourceId}`, kind: 'resource' };
  return {
    ...(file && {
      physicalLocation: {
        artifactLocation: { uri: artifactUri(file), ...(!isAbsolute(file) && { uriBaseId: '%SRCROOT%' }) },
        ...(line !== undefined && { region: { startLine: line } }),
      },
    }),
    logicalLocations: [logicalLocation],
  };
}

/** What GitHub code scanning shows under a result: the check, where it comes from, how to exempt. */
function helpText(rule: AnyRule): string {
  const managed = [rule.references.configManagedRule ?? []].flat();
  const sources = [
    ...(managed.length > 0 ? [`AWS Config managed rule ${managed.join(', ')}`] : []),
    ...(rule.references.securityHub?.length ? [`Security Hub ${rule.references.securityHub.join(', ')}`] : []),
  ];
  return [
    `${rule.title}.`,
    ...(sources.length > 0 ? [`Same check as ${sources.join('; ')}.`] : []),
    ...(rule.remediation ? [`driftwarden can fix it with the ${rule.remediation} remediation.`] : []),
    `To accept a finding, tag the resource driftwarden:exempt with the reason, or write "# driftwarden:exempt ${rule.id} <reason>" above its Terraform block.`,
  ].join(' ');
}

export function renderSarif(report: ScanReport, rules: readonly AnyRule[], toolVersion: string): string {
  const ruleIds = rules.map((rule) => rule.id);
  const results = report.evaluations
    .filter((evaluation) => evaluation.compliance === 'NON_COMPLIANT')
    .map((evaluation) => ({
      ruleId: evaluation.ruleId,
      ruleIndex: ruleIds.indexOf(evaluation.ruleId),
      level: LEVELS[evaluation.severity],
      message: { text: evaluation.annotation },
      locations: [locationOf(evaluation, report.origin)],
      partialFingerprints: { 'driftwarden/resource/v1': `${evaluation.ruleId}:${evaluation.address ?? evaluation.resourceId}` },
      ...(evaluation.exemption && {
        suppressions: [{ kind: 'external', justification: `${evaluation.exemption.reason}${evaluation.exemption.until ? ` (until ${evaluation.exemption.until})` : ''}` }],
      }),
      properties: { resourceType: evaluation.resourceType, resourceId: evaluation.resourceId },
    }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'driftwarden',
            version: toolVersion,
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.title },
              help: { text: helpText(rule) },
              defaultConfiguration: { level: LEVELS[rule.severity] },
              properties: { tags: ['security', 'drift'], 'security-severity': SECURITY_SEVERITY[rule.severity], severity: rule.severity },
            })),
          },
        },
        ...(report.origin.file && !isAbsolute(report.origin.file) && { originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${process.cwd()}/`).href } } }),
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
