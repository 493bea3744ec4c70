import { findingFingerprint } from '../baseline';
import { describeRule } from '../rule-catalogue';
import type { AnyRule } from '../rule';
import type { ScanReport } from '../scan';
import { parseSettings } from '../settings';

/**
 * DESIGN.md's CLI output contract: `{ summary, findings }`, every evaluation with every verdict, each
 * with its stable fingerprint and its rule's page; `rules` carries the AWS managed rule and Security
 * Hub mapping of the rules that ran.
 */
export function renderJson(report: ScanReport, rules: readonly AnyRule[]): string {
  const ran = rules.filter((rule) => rule.id in report.summary.byRule);
  const defaults = parseSettings({}, rules);
  const findings = report.evaluations.map((evaluation) => ({ ...evaluation, fingerprint: findingFingerprint(evaluation) }));
  const described = ran.map((rule) => describeRule(rule, defaults));
  return `${JSON.stringify({ summary: { source: report.origin, ...report.summary }, findings, rules: described }, null, 2)}\n`;
}
