import { findRule } from '../evaluate';
import { findingFromComplianceChange, type Finding } from '../finding';
import type { AnyRule, Compliance, Severity } from '../rule';
import { ruleSettingsFor, type RemediationMode, type Settings } from '../settings';
import type { ManualRunbook } from '../remediation/plan';
import { isRemediationEvent, parseRemediationEvent, type DeliveredRemediationEvent } from '../remediation/events';

/** `new`: a resource became non-compliant. `resolved`: it no longer is. `remediation`: driftwarden planned or acted. */
export type AlertKind = 'new' | 'resolved' | 'remediation';

/** The principal behind the API call that changed the resource, from CloudTrail. */
export interface KnownActor {
  known: true;
  /** `IAMUser`, `AssumedRole`, `Root`, `AWSService`, … (CloudTrail's userIdentity.type). */
  identityType: string;
  /** The caller: a user ARN, or the assumed-role session ARN. */
  principalArn: string;
  /** For assumed roles: the role behind the session. */
  roleArn?: string;
  sessionName?: string;
  sourceIp?: string;
  apiCall: string;
  eventSource?: string;
  time: string;
  cloudTrailEventId: string;
}

export interface UnknownActor {
  known: false;
  /** Why nobody could be named, said plainly in the alert. */
  reason: string;
}

export type Actor = KnownActor | UnknownActor;

/** How a message reports a run: `already-fixed` is announced as applied, with its summary. */
export type RemediationOutcome = 'planned' | 'applied' | 'skipped' | 'failed';

/** What a remediation run did, as an alert tells it. */
export interface RemediationResult {
  outcome: RemediationOutcome;
  /** Why nothing was done (`mode-notify`, `exempt`, …), for skips. */
  skipReason?: string;
  summary: string;
  actions: string[];
  /** What a person must do when driftwarden will not (encrypting a running database). */
  manual?: ManualRunbook;
  /** `driftwarden undo <auditId>` can take the change back. */
  reversible: boolean;
  error?: string;
  auditId: string;
}

/** One thing to tell people about: everything a message shows, whatever the channel. */
export interface Alert {
  kind: AlertKind;
  /** Id of the event that carried this alert: the dedup key of its delivery. */
  eventId: string;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  configRuleName: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  accountId: string;
  /** The account's name in Organizations, where the event carries it (organization mode). */
  accountName?: string;
  region: string;
  compliance?: Compliance;
  previousCompliance?: Compliance | 'INSUFFICIENT_DATA';
  annotation?: string;
  /** When the state announced was observed (the evaluation), or when the remediation reported. */
  since: string;
  mode: RemediationMode;
  /** The remediation that fixes this rule's findings, when there is one. */
  remediation?: string;
  result?: RemediationResult;
  actor: Actor;
}

export interface AlertContext {
  rules: readonly AnyRule[];
  settings: Settings;
  /** The deployed Config rule's name for a rule id (`driftwarden-prod-public-app-ports`). */
  configRuleName(ruleId: string): string;
}

const NOT_LOOKED_UP: UnknownActor = { known: false, reason: 'not looked up' };

/**
 * What a finding means to a person, or nothing when it is no news: a resource found compliant that
 * never was otherwise is not worth a message.
 */
export function alertFromFinding(finding: Finding, context: AlertContext, resource: { name?: string; arn?: string } = {}): Alert | undefined {
  const wasNonCompliant = finding.previousCompliance === 'NON_COMPLIANT';
  let kind: AlertKind;
  if (finding.compliance === 'NON_COMPLIANT') kind = 'new';
  else if (wasNonCompliant) kind = 'resolved';
  else return undefined;
  const rule = findRule(context.rules, finding.ruleId);
  return {
    kind,
    eventId: finding.eventId,
    ruleId: rule.id,
    ruleTitle: rule.title,
    severity: finding.severity,
    configRuleName: finding.configRuleName,
    resourceType: finding.resourceType,
    resourceId: finding.resourceId,
    ...(resource.name !== undefined && { resourceName: resource.name }),
    ...(resource.arn !== undefined && { arn: resource.arn }),
    accountId: finding.accountId,
    region: finding.region,
    compliance: finding.compliance,
    ...(finding.previousCompliance !== undefined && { previousCompliance: finding.previousCompliance }),
    ...(finding.annotation !== undefined && { annotation: finding.annotation }),
    since: finding.observedAt,
    mode: ruleSettingsFor(context.settings, rule.id).mode,
    ...(rule.remediation !== undefined && { remediation: rule.remediation }),
    actor: NOT_LOOKED_UP,
  };
}

function alertFromRemediation({ id, account, region, detail }: DeliveredRemediationEvent, context: AlertContext): Alert {
  const rule = findRule(context.rules, detail.ruleId);
  const remediation = detail.remediation ?? rule.remediation;
  const manual = detail.plan?.manual;
  return {
    kind: 'remediation',
    eventId: id,
    ruleId: rule.id,
    ruleTitle: rule.title,
    severity: rule.severity,
    configRuleName: context.configRuleName(rule.id),
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    accountId: detail.accountId ?? account,
    ...(detail.accountName !== undefined && { accountName: detail.accountName }),
    region: detail.region ?? region,
    since: detail.time,
    mode: detail.mode,
    ...(remediation !== undefined && { remediation }),
    result: {
      outcome: detail.outcome === 'already-fixed' ? 'applied' : detail.outcome,
      ...(detail.reason !== undefined && { skipReason: detail.reason }),
      summary: detail.summary,
      actions: detail.actions,
      ...(manual !== undefined && { manual }),
      reversible: detail.reversible,
      ...(detail.error !== undefined && { error: detail.error }),
      auditId: detail.auditId,
    },
    actor: NOT_LOOKED_UP,
  };
}

/** The alert an EventBridge event carries: a Config compliance change or a driftwarden remediation event. */
export function alertFromEvent(event: unknown, context: AlertContext): Alert | undefined {
  if (isRemediationEvent(event)) return alertFromRemediation(parseRemediationEvent(event), context);
  return alertFromFinding(findingFromComplianceChange(event, context.rules), context);
}
