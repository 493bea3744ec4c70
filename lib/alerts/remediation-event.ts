import { z } from 'zod';
import { InvalidEventError } from '../errors';
import { REMEDIATION_MODES, type RemediationMode } from '../settings';

/**
 * The part of a `source: driftwarden` remediation event that alerts read. The remediation Lambda owns
 * the full event; this schema names only what a message shows, and lets the rest through.
 */
export const REMEDIATION_OUTCOMES = ['planned', 'applied', 'skipped', 'failed'] as const;
export type RemediationOutcome = (typeof REMEDIATION_OUTCOMES)[number];

const DETAIL_TYPES: Record<string, RemediationOutcome> = {
  'Remediation Planned': 'planned',
  'Remediation Applied': 'applied',
  'Remediation Skipped': 'skipped',
  'Remediation Failed': 'failed',
};

export const REMEDIATION_DETAIL_TYPES = Object.keys(DETAIL_TYPES);

const remediationEvent = z.object({
  id: z.string(),
  'detail-type': z.enum(REMEDIATION_DETAIL_TYPES as [string, ...string[]]),
  source: z.literal('driftwarden'),
  time: z.string(),
  detail: z
    .object({
      auditId: z.string(),
      ruleId: z.string(),
      resourceType: z.string(),
      resourceId: z.string(),
      accountId: z.string(),
      region: z.string(),
      mode: z.enum(REMEDIATION_MODES),
      /** What happened, in a sentence ("revoked 2 ingress rules", "resource is exempt until 2026-01-31"). */
      outcome: z.string(),
      /** The remediation Lambda's sentence (lib/remediation/events.ts); its `outcome` is then the bare outcome. */
      summary: z.string().optional(),
      /** One line per API call planned or made. */
      actions: z.array(z.string()).default([]),
      error: z.string().optional(),
      /** Id of the compliance-change event that led to this remediation. */
      eventId: z.string(),
    })
    .passthrough(),
});

export interface RemediationNotice {
  /** The remediation event's own id (the dedup key of its delivery). */
  eventId: string;
  findingEventId: string;
  auditId: string;
  ruleId: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  region: string;
  mode: RemediationMode;
  outcome: RemediationOutcome;
  summary: string;
  actions: string[];
  error?: string;
  time: string;
}

export function isRemediationEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { source?: unknown }).source === 'driftwarden';
}

export function remediationFromEvent(event: unknown): RemediationNotice {
  const parsed = remediationEvent.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new InvalidEventError(`Not a driftwarden remediation event: ${problems}`, { cause: parsed.error });
  }
  const { id, time, detail } = parsed.data;
  return {
    eventId: id,
    findingEventId: detail.eventId,
    auditId: detail.auditId,
    ruleId: detail.ruleId,
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    accountId: detail.accountId,
    region: detail.region,
    mode: detail.mode,
    outcome: DETAIL_TYPES[parsed.data['detail-type']] as RemediationOutcome,
    summary: detail.summary ?? detail.outcome,
    actions: detail.actions,
    ...(detail.error !== undefined && { error: detail.error }),
    time,
  };
}
