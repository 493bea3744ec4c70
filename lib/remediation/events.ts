import type { AuditOutcome, AuditRecord } from './audit';
import type { ManualRunbook, StepResult } from './plan';

/** `source` of every event driftwarden puts on the default bus. */
export const EVENT_SOURCE = 'driftwarden';

export const DETAIL_TYPES = {
  planned: 'Remediation Planned',
  applied: 'Remediation Applied',
  skipped: 'Remediation Skipped',
  failed: 'Remediation Failed',
} as const;
export type RemediationDetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/**
 * The `detail` of a remediation event (version 1). Consumers: the notifier and users' own
 * EventBridge rules. Fields are only ever added; a breaking change gets `version: "2"`. The fields
 * shared with the audit record mean the same there: `auditId` is what `driftwarden undo` takes,
 * `eventId` the triggering Config compliance change, `reason` why a skipped run did nothing.
 */
export interface RemediationEventDetail
  extends Pick<AuditRecord, 'auditId' | 'eventId' | 'ruleId' | 'remediation' | 'resourceType' | 'resourceId' | 'accountId' | 'accountName' | 'region' | 'mode' | 'reason' | 'summary' | 'exemption' | 'error'> {
  version: '1';
  outcome: Exclude<AuditOutcome, 'in-progress'>;
  /** One line per API call: planned (`Revoke tcp 5173 from 0.0.0.0/0 (RevokeSecurityGroupIngress)`), or made, with its status. */
  actions: string[];
  /** The planned changes in words, what stays as it is, and what a person must do. */
  plan?: {
    steps: { description: string; operation: string }[];
    keeps: string[];
    manual?: ManualRunbook;
  };
  /** For applied and failed runs: each step's status and AWS's error, if any. */
  result?: { message: string; steps: StepResult[] };
  /** True when `undo` can restore the before-state. */
  reversible: boolean;
  /** When the run recorded this (ISO 8601). */
  time: string;
  /** The deployment stage whose remediation Lambda published the event, so each stage's notifier hears only its own. */
  stage?: string;
}

export function detailTypeOf(outcome: RemediationEventDetail['outcome']): RemediationDetailType {
  switch (outcome) {
    case 'planned':
      return DETAIL_TYPES.planned;
    case 'applied':
    case 'already-fixed':
      return DETAIL_TYPES.applied;
    case 'skipped':
      return DETAIL_TYPES.skipped;
    case 'failed':
      return DETAIL_TYPES.failed;
  }
}

function actionsOf(record: AuditRecord): string[] {
  if (record.result) return record.result.steps.map((step) => `${step.description} (${step.operation}): ${step.status}${step.errorCode ? ` ${step.errorCode}` : ''}`);
  return (record.plan?.steps ?? []).map((step) => `${step.description} (${step.call.operation})`);
}

/** The event detail of a record in one of its final states. */
export function eventDetailOf(record: AuditRecord & { outcome: RemediationEventDetail['outcome'] }): RemediationEventDetail {
  const plan = record.plan;
  return {
    version: '1',
    auditId: record.auditId,
    eventId: record.eventId,
    ruleId: record.ruleId,
    ...(record.remediation !== undefined && { remediation: record.remediation }),
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    ...(record.accountId !== undefined && { accountId: record.accountId }),
    ...(record.accountName !== undefined && { accountName: record.accountName }),
    ...(record.region !== undefined && { region: record.region }),
    mode: record.mode,
    outcome: record.outcome,
    ...(record.reason !== undefined && { reason: record.reason }),
    summary: record.summary,
    actions: actionsOf(record),
    ...(record.exemption !== undefined && { exemption: record.exemption }),
    ...(plan && {
      plan: {
        steps: plan.steps.map((step) => ({ description: step.description, operation: step.call.operation })),
        keeps: plan.keeps,
        ...(plan.manual && { manual: plan.manual }),
      },
    }),
    ...(record.result && { result: { message: record.result.message, steps: record.result.steps } }),
    reversible: (record.undo ?? []).length > 0,
    ...(record.error !== undefined && { error: record.error }),
    time: record.updatedAt,
  };
}

/** Puts remediation events on a bus. EventBridge in production. */
export interface EventPublisher {
  publish(detailType: RemediationDetailType, detail: RemediationEventDetail, resources: readonly string[]): Promise<void>;
}
