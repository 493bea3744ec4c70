import type { Evaluation } from '../evaluate';
import { findingFingerprint } from '../baseline';
import { configManagedRules, ruleDocumentationUrl } from '../rule-catalogue';
import type { AnyRule, Severity } from '../rule';
import type { ScanReport } from '../scan';
import { exemptionText, resourceLabel, verdictOf } from './common';

/**
 * OCSF 1.3 Detection Finding (class 2004, category 2 Findings), one event per finding, unknown,
 * exempt or baselined evaluation; compliant ones are not detections. JSON Lines would suit a
 * stream; an array suits a file and Security Lake's custom-source loaders alike.
 */

const OCSF_VERSION = '1.3.0';
const SEVERITY_IDS: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAMES: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

/** status_id: 1 New, 3 Suppressed, 99 Other (with `status` naming it). */
function statusOf(evaluation: Evaluation): { status_id: number; status: string } {
  switch (verdictOf(evaluation)) {
    case 'exempt':
      return { status_id: 3, status: 'Suppressed' };
    case 'unknown':
      return { status_id: 99, status: 'Unknown' };
    case 'baselined':
      return { status_id: 99, status: 'Baselined' };
    default:
      return { status_id: 1, status: 'New' };
  }
}

export function renderOcsf(report: ScanReport, rules: readonly AnyRule[], toolVersion: string, generatedAt: Date): string {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const events = report.evaluations
    .filter((evaluation) => ['finding', 'unknown', 'exempt', 'baselined'].includes(verdictOf(evaluation)))
    .map((evaluation) => {
      const rule = byId.get(evaluation.ruleId);
      const exemption = exemptionText(evaluation);
      return {
        activity_id: 1,
        activity_name: 'Create',
        category_uid: 2,
        category_name: 'Findings',
        class_uid: 2004,
        class_name: 'Detection Finding',
        type_uid: 200401,
        type_name: 'Detection Finding: Create',
        severity_id: SEVERITY_IDS[evaluation.severity],
        severity: SEVERITY_NAMES[evaluation.severity],
        time: generatedAt.getTime(),
        ...statusOf(evaluation),
        message: evaluation.annotation,
        ...(exemption && { status_detail: `exempt: ${exemption}` }),
        metadata: {
          version: OCSF_VERSION,
          product: { name: 'driftwarden', vendor_name: 'driftwarden', version: toolVersion },
        },
        finding_info: {
          uid: `${evaluation.ruleId}/${findingFingerprint(evaluation)}`,
          title: rule?.title ?? evaluation.ruleId,
          desc: evaluation.annotation,
          created_time: Date.parse(evaluation.orderingTimestamp) || generatedAt.getTime(),
          analytic: { uid: evaluation.ruleId, name: evaluation.ruleId, type_id: 1, type: 'Rule' },
          types: ['Software and Configuration Checks/AWS Security Best Practices'],
        },
        // OCSF has no attribute for another product's equivalent check: `unmapped` is its place for such fields.
        unmapped: {
          verdict: verdictOf(evaluation),
          ...(rule && configManagedRules(rule).length > 0 && { aws_config_managed_rules: configManagedRules(rule) }),
          ...(rule?.references.securityHub?.length && { aws_security_hub_controls: rule.references.securityHub }),
          ...(evaluation.address && { terraform_address: evaluation.address }),
        },
        resources: [
          {
            uid: evaluation.arn ?? evaluation.resourceId,
            name: resourceLabel(evaluation),
            type: evaluation.resourceType,
            ...(evaluation.region && { region: evaluation.region }),
            ...(evaluation.accountId && { owner: { account: { uid: evaluation.accountId, type_id: 10, type: 'AWS Account' } } }),
          },
        ],
        cloud: {
          provider: 'AWS',
          ...(evaluation.region && { region: evaluation.region }),
          ...(evaluation.accountId && { account: { uid: evaluation.accountId, type_id: 10, type: 'AWS Account' } }),
        },
        remediation: { desc: `How to fix it in Terraform and in the console: ${ruleDocumentationUrl(evaluation.ruleId)}`, references: [ruleDocumentationUrl(evaluation.ruleId)] },
      };
    });
  return `${JSON.stringify(events, null, 2)}\n`;
}
