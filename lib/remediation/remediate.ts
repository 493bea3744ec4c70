import { DeadlineExceededError, EventPublishError, RemediationError } from '../errors';
import { evaluateResource, findRule } from '../evaluate';
import type { Finding } from '../finding';
import type { Lookups } from '../lookups';
import type { Resource } from '../model';
import { parseRuleParameters, type AnyRule } from '../rule';
import { ruleSettingsFor, type RemediationMode, type Settings } from '../settings';
import type { AuditLog, AuditRecord, SkipReason } from './audit';
import { detailTypeOf, eventDetailOf, type EventPublisher, type RemediationEventDetail } from './events';
import type { AnyRemediation, ApplyResult, RemediationClients, RemediationPlan, StackResources } from './plan';

/** Everything the remediation core reads or changes, injected so it runs the same in Lambda, the CLI and tests. */
export interface RemediationDependencies {
  rules: readonly AnyRule[];
  remediations: readonly AnyRemediation[];
  settings: Settings;
  stack: StackResources;
  audit: AuditLog;
  events: EventPublisher;
  clients: RemediationClients;
  /** Reads the resource as it is now; `undefined` when it no longer exists. */
  readLiveResource(finding: Finding): Promise<Resource | undefined>;
  /** Loads what the rule looks up for this resource (its flow logs, its key's manager…). */
  loadLookups(rule: AnyRule, resource: Resource): Promise<Lookups>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** True once too little time is left to start a step that must finish (from the Lambda context). */
  outOfTime?: () => boolean;
}

/** How a run was started: the Lambda for a Config event, or a person with `driftwarden remediate --apply`. */
export interface RunOptions {
  origin: 'lambda' | 'cli';
  /** Overrides the rule's deployed mode: `--apply` is a person's explicit decision to act. */
  mode?: RemediationMode;
}

export interface RemediationRun {
  auditId: string;
  /** `duplicate` when another delivery of the same event already holds or finished the run. */
  outcome: AuditRecord['outcome'] | 'duplicate';
  reason?: SkipReason;
  summary: string;
}

type FinalRecord = AuditRecord & { outcome: RemediationEventDetail['outcome'] };

/** Longer than one remediation run can take (the function's timeout is 10 minutes); a dead holder's lease runs out. */
export const RESOURCE_LEASE_MS = 11 * 60_000;
/** How often a run waiting for a resource asks for its lease again. */
const LEASE_POLL_MS = 500;

/** One rule on one resource, wherever it lives: runs with the same key take turns. */
function resourceLeaseKey(finding: Finding, ruleId: string): string {
  return [finding.accountId, finding.region, ruleId, finding.resourceType, finding.resourceId].join('#');
}

/**
 * Waits for the resource's lease: distinct events for one resource arrive together (one change,
 * several rules' re-evaluations, Config's retries), and only one run may change it at a time.
 * Gives up, loudly and retryably, when the invocation runs out of time or a lease outlives its term.
 */
async function takeResourceLease(key: string, holder: string, deps: RemediationDependencies): Promise<void> {
  const giveUpAt = deps.now().getTime() + RESOURCE_LEASE_MS;
  while (!(await deps.audit.acquireLease(key, holder, deps.now(), new Date(deps.now().getTime() + RESOURCE_LEASE_MS)))) {
    if (deps.outOfTime?.() || deps.now().getTime() >= giveUpAt) {
      throw new DeadlineExceededError(`not started: another run holds ${key} and this one ran out of time waiting`);
    }
    await deps.sleep(LEASE_POLL_MS);
  }
}

function resourceArn(resource?: Resource): string[] {
  return resource?.arn ? [resource.arn] : [];
}

/**
 * Acts on one finding: mode, re-read, re-evaluation with the same rule, exemption, plan, circuit
 * breaker, apply. Every outcome is written to the audit log and published; a failure another
 * delivery may fix is thrown after that, so Lambda retries it and, in the end, dead-letters it.
 */
export async function remediateFinding(finding: Finding, deps: RemediationDependencies, options: RunOptions = { origin: 'lambda' }): Promise<RemediationRun> {
  const rule = findRule(deps.rules, finding.ruleId);
  const ruleSettings = ruleSettingsFor(deps.settings, rule.id);
  const mode = options.mode ?? ruleSettings.mode;
  const remediation = deps.remediations.find((candidate) => candidate.id === rule.remediation);
  const startedAt = deps.now().toISOString();
  let record: AuditRecord = {
    auditId: finding.eventId,
    eventId: finding.eventId,
    origin: options.origin,
    ruleId: rule.id,
    ...(remediation && { remediation: remediation.id }),
    resourceType: finding.resourceType,
    resourceId: finding.resourceId,
    accountId: finding.accountId,
    ...(finding.accountName !== undefined && { accountName: finding.accountName }),
    region: finding.region,
    mode,
    outcome: 'in-progress',
    summary: `Remediation of ${finding.resourceId} started.`,
    createdAt: startedAt,
    updatedAt: startedAt,
  };
  if (!(await deps.audit.claim(record, deps.now()))) {
    return { auditId: record.auditId, outcome: 'duplicate', summary: `Event ${finding.eventId} is already handled by another delivery.` };
  }

  let resource: Resource | undefined;
  const finish = async (changes: Partial<AuditRecord> & { outcome: FinalRecord['outcome'] }, publish = true): Promise<RemediationRun> => {
    record = { ...record, ...changes, updatedAt: deps.now().toISOString() };
    await deps.audit.save(record);
    if (publish) {
      const detail = eventDetailOf(record as FinalRecord);
      await deps.events.publish(detailTypeOf(detail.outcome), detail, resourceArn(resource));
    }
    return { auditId: record.auditId, outcome: record.outcome, ...(record.reason && { reason: record.reason }), summary: record.summary };
  };
  const skip = (reason: SkipReason, summary: string, extra: Pick<AuditRecord, 'plan' | 'exemption'> = {}) =>
    finish({ ...extra, outcome: 'skipped', reason, summary }, reason !== 'mode-off');

  if (mode === 'off') return skip('mode-off', `Remediation of ${rule.id} is off.`);
  if (finding.compliance !== 'NON_COMPLIANT') return skip('not-non-compliant', `${finding.resourceId} is ${finding.compliance} for ${rule.id}: nothing to fix.`);
  if (!remediation) return skip('no-remediation', `Rule ${rule.id} has no remediation.`);

  const leaseKey = resourceLeaseKey(finding, rule.id);
  try {
    await takeResourceLease(leaseKey, record.auditId, deps);
  } catch (error) {
    return failRetryable(error as Error);
  }
  try {
    resource = await deps.readLiveResource(finding);
    if (!resource) return await skip('resource-gone', `${finding.resourceType} ${finding.resourceId} no longer exists.`);
    const parameters = parseRuleParameters(rule, ruleSettings.parameters);
    const evaluation = evaluateResource(rule, parameters, resource, await deps.loadLookups(rule, resource), deps.now());
    if (evaluation.compliance !== 'NON_COMPLIANT') {
      return await skip('now-compliant', `${finding.resourceId} is ${evaluation.compliance} now (${evaluation.annotation}); the event was older than the fix.`);
    }
    if (evaluation.exemption) {
      const until = evaluation.exemption.until ? ` until ${evaluation.exemption.until}` : '';
      return await skip('exempt', `${finding.resourceId} is exempt${until}: ${evaluation.exemption.reason}.`, { exemption: evaluation.exemption });
    }
    const plan = remediation.plan({ resource, evaluation, parameters, settings: deps.settings.remediation, stack: deps.stack });
    if (mode === 'notify') return await skip('mode-notify', `${evaluation.annotation} Planned fix, not applied (mode notify): ${plan.summary}`, { plan });
    if (mode === 'dry-run' || plan.steps.length === 0) {
      return await finish({ outcome: 'planned', plan, summary: plan.summary });
    }
    return await applyPlan(plan, remediation);
  } catch (error) {
    // A lost event must not rewrite the record: it already holds the outcome and the undo.
    if (error instanceof RemediationError || error instanceof EventPublishError) throw error;
    return failRetryable(error as Error);
  } finally {
    await deps.audit.releaseLease(leaseKey, record.auditId);
  }

  async function failRetryable(error: Error): Promise<never> {
    await finish({ outcome: 'failed', summary: `Remediation of ${finding.resourceId} failed: ${error.message}`, error: error.message, retryable: true });
    throw new RemediationError(`Remediation of ${finding.resourceId} (event ${finding.eventId}) failed: ${error.message}`, { cause: error, retryable: true });
  }

  async function applyPlan(plan: RemediationPlan, chosen: AnyRemediation): Promise<RemediationRun> {
    const limit = deps.settings.remediation.maxChangesPerHour;
    // The breaker stops runaway automation; a person's confirmed --apply is not automation.
    if (options.origin === 'lambda' && !(await deps.audit.reserveChange(deps.now(), limit))) {
      return skip('circuit-breaker-open', `Not applied: more than ${limit} automatic changes this hour opened the circuit breaker. ${plan.summary}`, { plan });
    }
    if (deps.outOfTime?.()) throw new DeadlineExceededError(`not applied: too little time left to finish ${plan.steps.length} change(s) before the invocation ends`);
    await deps.events.publish(detailTypeOf('planned'), eventDetailOf({ ...record, outcome: 'planned', plan, summary: plan.summary, updatedAt: deps.now().toISOString() }), resourceArn(resource));
    const result: ApplyResult = await chosen.apply(plan, deps.clients, { sleep: deps.sleep, clientToken: finding.eventId.slice(0, 64) });
    const run = await finish({
      outcome: result.outcome,
      plan,
      result,
      undo: result.undo,
      summary: result.outcome === 'failed' ? `${plan.summary} Failed: ${result.message}` : `${plan.summary} ${result.message}`,
      ...(result.outcome === 'failed' && { error: result.message, retryable: result.retryable ?? false }),
    });
    if (result.outcome === 'failed' && result.retryable) {
      throw new RemediationError(`Remediation of ${finding.resourceId} (event ${finding.eventId}) failed and may succeed on retry: ${result.message}`, { retryable: true });
    }
    return run;
  }
}
