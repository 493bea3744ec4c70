import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findingFingerprint } from '../baseline';
import type { Evaluation } from '../evaluate';
import { awsMapping, describeRule, ruleDocumentationUrl } from '../rule-catalogue';
import type { AnyRule, Severity } from '../rule';
import type { ScanReport } from '../scan';
import { parseSettings } from '../settings';
import { exemptionText, fileOf, resourceLabel, verdictOf } from './common';

/**
 * SARIF 2.1.0 (docs.oasis-open.org/sarif/sarif/v2.1.0) as GitHub code scanning takes it: every rule
 * with a full description, help and a help link; every result with a location and a stable
 * fingerprint. A finding read from AWS (live, snapshot, demo) has no source file: it points at a
 * stable logical artifact, `aws/<account>/<region>/<type>/<id>`, and names the resource.
 */

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

/** GitHub code scanning ranks results by this rule property (0-10, CVSS-like bands). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

function artifactUri(file: string): string {
  return isAbsolute(file) ? pathToFileURL(file).href : file.split('\\').join('/');
}

function logicalArtifact(evaluation: Evaluation): string {
  const segment = (text: string) => encodeURIComponent(text.replace(/::/g, '-'));
  return ['aws', evaluation.accountId ?? 'account', evaluation.region ?? 'global', evaluation.resourceType, evaluation.resourceId].map(segment).join('/');
}

/** A declaration's file is relative to the source root; code scanning wants it from where the scan ran. */
function artifactPath(evaluation: Evaluation, report: ScanReport): string | undefined {
  const sourceRoot = report.origin.sourceRoot;
  return evaluation.file !== undefined && sourceRoot !== undefined ? join(sourceRoot, evaluation.file) : fileOf(evaluation, report);
}

function locationOf(evaluation: Evaluation, report: ScanReport) {
  const file = artifactPath(evaluation, report);
  const uri = file ? artifactUri(file) : logicalArtifact(evaluation);
  const logicalLocation = evaluation.address
    ? { name: evaluation.address, fullyQualifiedName: evaluation.address, kind: 'resource' }
    : { name: resourceLabel(evaluation), fullyQualifiedName: evaluation.arn ?? `${evaluation.resourceType}/${evaluation.resourceId}`, kind: 'resource' };
  return {
    physicalLocation: {
      artifactLocation: { uri, ...(!isAbsolute(file ?? '') && { uriBaseId: '%SRCROOT%' as const }) },
      region: { startLine: evaluation.line ?? 1 },
    },
    logicalLocations: [logicalLocation],
    message: { text: `${evaluation.resourceType} ${resourceLabel(evaluation)}` },
  };
}

function ruleDescriptor(rule: AnyRule) {
  const description = describeRule(rule, parseSettings({}, [rule]));
  const parameters = description.parameters.map((parameter) => `${parameter.name}${parameter.default !== undefined ? ` (default ${JSON.stringify(parameter.default)})` : ''}`).join(', ');
  const mapping = awsMapping(rule);
  const text = [
    `${rule.title}.`,
    `Resource types: ${description.resourceTypes.join(', ')}.`,
    ...(mapping ? [`AWS Config managed rule · Security Hub: ${mapping}.`] : []),
    ...(parameters ? [`Parameters: ${parameters}.`] : []),
    ...(rule.remediation ? [`Remediation: ${rule.remediation}.`] : []),
    `How to fix it in Terraform and in the console, and how to exempt a resource: ${ruleDocumentationUrl(rule.id)}`,
  ];
  const markdown = [
    `**${rule.title}**`,
    '',
    `- Resource types: ${description.resourceTypes.map((type) => `\`${type}\``).join(', ')}`,
    ...(description.configManagedRules.length ? [`- AWS Config managed rule: ${description.configManagedRules.map((name) => `\`${name}\``).join(', ')}`] : []),
    ...(description.securityHubControls.length ? [`- Security Hub: ${description.securityHubControls.join(', ')}`] : []),
    ...(parameters ? [`- Parameters: ${parameters}`] : []),
    ...(rule.remediation ? [`- Remediation: \`${rule.remediation}\``] : []),
    '',
    `[How to fix it and how to exempt a resource](${ruleDocumentationUrl(rule.id)})`,
  ];
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: text.slice(0, 3).join(' ') },
    help: { text: text.join('\n'), markdown: markdown.join('\n') },
    helpUri: ruleDocumentationUrl(rule.id),
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: {
      tags: ['security', 'drift', ...description.securityHubControls.map((control) => `security-hub/${control}`)],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      ...(description.configManagedRules.length && { configManagedRules: description.configManagedRules }),
    },
  };
}

export function renderSarif(report: ScanReport, rules: readonly AnyRule[], toolVersion: string, informationUri: string): string {
  const ruleIds = rules.map((rule) => rule.id);
  const results = report.evaluations
    .filter((evaluation) => ['finding', 'unknown', 'exempt', 'baselined'].includes(verdictOf(evaluation)))
    .map((evaluation) => {
      const verdict = verdictOf(evaluation);
      const exemption = exemptionText(evaluation);
      return {
        ruleId: evaluation.ruleId,
        ruleIndex: ruleIds.indexOf(evaluation.ruleId),
        // An unknown verdict is something to look at, not a proven problem.
        level: verdict === 'unknown' ? 'note' : LEVELS[evaluation.severity],
        message: { text: `${verdict === 'unknown' ? 'Unknown: ' : ''}${evaluation.annotation} (${evaluation.resourceType} ${resourceLabel(evaluation)})` },
        locations: [locationOf(evaluation, report)],
        partialFingerprints: { 'driftwarden/finding/v1': findingFingerprint(evaluation) },
        ...(verdict === 'baselined' && { baselineState: 'unchanged' }),
        ...(exemption && { suppressions: [{ kind: 'external', justification: exemption }] }),
        properties: { resourceType: evaluation.resourceType, resourceId: evaluation.resourceId, compliance: evaluation.compliance, verdict, ...(evaluation.address && { address: evaluation.address }) },
      };
    });
  const usesSourceRoot = results.some((result) => 'uriBaseId' in result.locations[0]!.physicalLocation.artifactLocation);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'driftwarden', version: toolVersion, semanticVersion: toolVersion, informationUri, rules: rules.map(ruleDescriptor) } },
        ...(usesSourceRoot && { originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${process.cwd()}/`).href } } }),
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
