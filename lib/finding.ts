import { z } from 'zod';
import { describeIssues, InvalidEventError } from './errors';
import { findRule, type Evaluation } from './evaluate';
import { timeField } from './sources/values';
import type { AnyRule, Compliance, Severity } from './rule';

/**
 * What remediation and alerts act on: one rule's verdict on one resource, with where and when. Every
 * source of findings (today AWS Config's compliance-change events) converts into this here, once.
 */
export interface Finding {
  /** The delivering event's id: EventBridge delivers at least once, so this is the dedup key. */
  eventId: string;
  ruleId: string;
  severity: Severity;
  configRuleName: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  /** The account's name in Organizations (organization mode). */
  accountName?: string;
  region: string;
  compliance: Compliance;
  previousCompliance?: Compliance | 'INSUFFICIENT_DATA';
  annotation?: string;
  /** When the evaluated state was observed (the evaluation's ordering timestamp). */
  observedAt: string;
  /** When AWS Config recorded the verdict. */
  recordedAt: string;
}

const evaluationResult = z.object({
  evaluationResultIdentifier: z.object({
    evaluationResultQualifier: z.object({ configRuleName: z.string(), resourceType: z.string(), resourceId: z.string() }),
    orderingTimestamp: timeField,
  }),
  complianceType: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']),
  resultRecordedTime: timeField,
  annotation: z.string().optional(),
});

const complianceChangeEvent = z.object({
  id: z.string(),
  'detail-type': z.literal('Config Rules Compliance Change'),
  source: z.literal('aws.config'),
  account: z.string(),
  region: z.string(),
  detail: z.object({
    resourceId: z.string(),
    resourceType: z.string(),
    awsRegion: z.string().optional(),
    awsAccountId: z.string().optional(),
    configRuleName: z.string(),
    newEvaluationResult: evaluationResult,
    oldEvaluationResult: evaluationResult.optional().nullable(),
  }),
});

export function findingFromComplianceChange(event: unknown, rules: readonly AnyRule[]): Finding {
  const parsed = complianceChangeEvent.safeParse(event);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, '');
    throw new InvalidEventError(`Not a "Config Rules Compliance Change" event: ${problems}`, { cause: parsed.error });
  }
  const { id, account, region, detail } = parsed.data;
  const rule = findRule(rules, detail.configRuleName);
  const result = detail.newEvaluationResult;
  if (result.complianceType === 'INSUFFICIENT_DATA') {
    throw new InvalidEventError(`Event ${id}: INSUFFICIENT_DATA is not a verdict driftwarden acts on`);
  }
  return {
    eventId: id,
    ruleId: rule.id,
    severity: rule.severity,
    configRuleName: detail.configRuleName,
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    accountId: detail.awsAccountId ?? account,
    region: detail.awsRegion ?? region,
    compliance: result.complianceType,
    ...(detail.oldEvaluationResult && { previousCompliance: detail.oldEvaluationResult.complianceType }),
    ...(result.annotation !== undefined && { annotation: result.annotation }),
    observedAt: result.evaluationResultIdentifier.orderingTimestamp,
    recordedAt: result.resultRecordedTime,
  };
}

/**
 * A finding from an evaluation made outside AWS Config (the CLI's scan of a snapshot, a plan or a
 * live account), so the remediation core treats both alike. `runId` takes the place of the event id.
 */
export function findingFromEvaluation(evaluation: Evaluation, runId: string, defaults: { accountId?: string; region?: string } = {}): Finding {
  return {
    eventId: runId,
    ruleId: evaluation.ruleId,
    severity: evaluation.severity,
    configRuleName: evaluation.ruleId,
    resourceType: evaluation.resourceType,
    resourceId: evaluation.resourceId,
    accountId: evaluation.accountId ?? defaults.accountId ?? '',
    region: evaluation.region ?? defaults.region ?? '',
    compliance: evaluation.compliance,
    annotation: evaluation.annotation,
    observedAt: evaluation.orderingTimestamp,
    recordedAt: evaluation.orderingTimestamp,
  };
}
