import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { Evaluation } from '../evaluate';
import { SweepIncompleteError, UndecidedVerdictError } from '../errors';
import type { AnyRule, ReportableCompliance } from '../rule';
import type { Settings } from '../settings';
import { readRuleInvocation } from './invocation';
import { startReporting } from './report';
import { runRuleInvocation, type RuleRun, type RuleRunSources } from './run';

export interface RuleHandlerDeps {
  rules: readonly AnyRule[];
  settings: Settings;
  config: ConfigServiceClient;
  sources: RuleRunSources;
  now: () => Date;
  /** True once too little time is left to start another call (from the Lambda context). */
  outOfTime?: () => boolean;
  /** Counts by verdict, for metrics; called once per invocation. */
  record?: (outcome: RuleHandlerOutcome) => void;
}

export interface RuleHandlerOutcome {
  ruleId: string;
  messageType: string;
  reported: Record<ReportableCompliance, number>;
  unchanged: number;
  batches: number;
}

function countByCompliance(evaluations: readonly Evaluation[]): Record<ReportableCompliance, number> {
  const counts: Record<ReportableCompliance, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  for (const { compliance } of evaluations) if (compliance !== 'INSUFFICIENT_DATA') counts[compliance] += 1;
  return counts;
}

/** What a sweep could not do, each naming its step; empty when it did everything. */
export function sweepProblems(run: RuleRun): string[] {
  const problems = run.failedTypes.map(({ resourceType, error }) => `could not list ${resourceType}: ${error.name}: ${error.message} (its earlier verdicts stand)`);
  if (run.recordedResultsError) {
    const { name, message } = run.recordedResultsError;
    problems.push(`reading the verdicts Config holds (GetComplianceDetailsByConfigRule) failed: ${name}: ${message} (every fresh verdict was reported; the clean-up of vanished resources was skipped)`);
  }
  return problems;
}

/** Names each resource that could not be decided and why, within what a log line holds. */
export function undecidedError(rule: AnyRule, undecided: readonly Evaluation[]): UndecidedVerdictError {
  const shown = undecided.slice(0, 5).map((evaluation) => `${evaluation.resourceType} ${evaluation.resourceId}: ${evaluation.annotation}`);
  const more = undecided.length > shown.length ? ` (+${undecided.length - shown.length} more)` : '';
  return new UndecidedVerdictError(`${rule.id} could not decide ${undecided.length} verdict(s); their earlier verdicts stand: ${shown.join('; ')}${more}`);
}

/**
 * One Config rule invocation end to end: read, evaluate, report (a sweep's verdicts leave in batches
 * while it reads on). What could be evaluated is always reported before a partial failure (a
 * resource type that could not be listed) fails the invocation.
 */
export async function handleRuleInvocation(event: unknown, deps: RuleHandlerDeps): Promise<RuleHandlerOutcome> {
  const invocation = readRuleInvocation(event);
  const reporter = startReporting(deps.config, invocation.resultToken, deps.outOfTime ? { outOfTime: deps.outOfTime } : {});
  const run = await runRuleInvocation(deps.rules, invocation, deps.sources, {
    now: deps.now(),
    costAwareReporting: deps.settings.costAwareReporting,
    report: (evaluations) => reporter.add(evaluations),
    ...(deps.outOfTime && { outOfTime: deps.outOfTime }),
  });
  const batches = await reporter.finish();
  const outcome: RuleHandlerOutcome = {
    ruleId: run.rule.id,
    messageType: invocation.invokingEvent.messageType,
    reported: countByCompliance(run.evaluations),
    unchanged: run.unchanged,
    batches,
  };
  deps.record?.(outcome);
  const problems = sweepProblems(run);
  if (problems.length > 0) {
    throw new SweepIncompleteError(`Sweep of ${run.rule.id} reported ${run.evaluations.length} evaluation(s) but is incomplete: ${problems.join('; ')}`, {
      cause: run.failedTypes[0]?.error ?? run.recordedResultsError,
    });
  }
  if (run.undecided.length > 0) throw undecidedError(run.rule, run.undecided);
  return outcome;
}
