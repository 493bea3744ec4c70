import { z } from 'zod';
import { describeIssues, InvalidEventError } from '../errors';
import { DETAIL_TYPES, EVENT_SOURCE, type RemediationEventDetail } from '../remediation/events';
import type { RemediationResult } from './alert';
import { REMEDIATION_MODES, type RemediationMode } from '../settings';
import { timeField } from '../sources/values';

/** How a message reports a run: `already-fixed` is announced as applied, with its summary. */
export type RemediationOutcome = 'planned' | 'applied' | 'skipped' | 'failed';

const detailTypes = Object.values(DETAIL_TYPES) as [string, ...string[]];

/**
 * The part of a remediation event (`lib/remediation/events.ts`, version 1) that a message shows.
 * Fields are only ever added to version 1; the ones not read here are dropped.
 */
const remediationDetail = z.object({
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
/** The remediation Lambda's own detail type must always parse here: this stops compiling otherwise. */
export type RemediationDetailContract = Assignable<RemediationEventDetail, z.input<typeof remediationDetail>>;

const remediationEvent = z.object({
  id: z.string(),
  'detail-type': z.enum(detailTypes),
  source: z.literal(EVENT_SOURCE),
  account: z.string(),
  region: z.string(),
  detail: remediationDetail,
});

export interface RemediationNotice extends RemediationResult {
  /** The remediation event's own id (the dedup key of its delivery). */
  eventId: string;
  ruleId: string;
  remediation?: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  accountName?: string;
  region: string;
  mode: RemediationMode;
  time: string;
}

export function isRemediationEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === EVENT_SOURCE;
}

export function remediationFromEvent(event: unknown): RemediationNotice {
  const parsed = remediationEvent.safeParse(event);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, '');
    throw new InvalidEventError(`Not a driftwarden remediation event: ${problems}`, { cause: parsed.error });
  }
  const { id, account, region, detail } = parsed.data;
  const manual = detail.plan?.manual;
  return {
    eventId: id,
    auditId: detail.auditId,
    ruleId: detail.ruleId,
    ...(detail.remediation !== undefined && { remediation: detail.remediation }),
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    accountId: detail.accountId ?? account,
    ...(detail.accountName !== undefined && { accountName: detail.accountName }),
    region: detail.region ?? region,
    mode: detail.mode,
    outcome: detail.outcome === 'already-fixed' ? 'applied' : detail.outcome,
    ...(detail.reason !== undefined && { skipReason: detail.reason }),
    summary: detail.summary,
    actions: detail.actions,
    ...(manual !== undefined && { manual }),
    reversible: detail.reversible,
    ...(detail.error !== undefined && { error: detail.error }),
    time: detail.time,
  };
}
