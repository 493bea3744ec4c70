import { z } from 'zod';
import { describeIssues, InvalidEventError } from '../errors';
import { REMEDIATION_MODES } from '../settings';
import { timeField } from '../sources/values';
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

const detailTypes = Object.values(DETAIL_TYPES) as [RemediationDetailType, ...RemediationDetailType[]];

/**
 * A remediation event as a consumer reads it back (version 1): the fields a message shows.
 * Fields are only ever added to version 1; the ones not read here are dropped.
 */
const deliveredDetail = z.object({
  version: z.literal('1'),
  auditId: z.string(),
  eventId: z.string(),
  ruleId: z.string(),
  remediation: z.string().optional(),
  resourceType: z.string(),
  resourceId: z.string(),
  accountId: z.string().optional(),
  accountName: z.string().optional(),
  region: z.string().optional(),
  mode: z.enum(REMEDIATION_MODES),
  outcome: z.enum(['planned', 'applied', 'already-fixed', 'skipped', 'failed']),
  reason: z.string().optional(),
  summary: z.string(),
  actions: z.array(z.string()),
  plan: z.object({ manual: z.object({ reason: z.string(), commands: z.array(z.string()) }).optional() }).optional(),
  reversible: z.boolean(),
  error: z.string().optional(),
  time: timeField,
});

type Assignable<From extends To, To> = [From, To];
/** What `eventDetailOf` publishes must always parse back: this stops compiling otherwise. */
export type RemediationDetailContract = Assignable<RemediationEventDetail, z.input<typeof deliveredDetail>>;

const deliveredEvent = z.object({
  id: z.string(),
  'detail-type': z.enum(detailTypes),
  source: z.literal(EVENT_SOURCE),
  account: z.string(),
  region: z.string(),
  detail: deliveredDetail,
});

/** A remediation event as EventBridge delivers it: the envelope around its detail. */
export type DeliveredRemediationEvent = z.output<typeof deliveredEvent>;

export function isRemediationEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === EVENT_SOURCE;
}

export function parseRemediationEvent(event: unknown): DeliveredRemediationEvent {
  const parsed = deliveredEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidEventError(`Not a driftwarden remediation event: ${describeIssues(parsed.error, '')}`, { cause: parsed.error });
  }
  return parsed.data;
}
