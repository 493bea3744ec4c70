import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { Evaluation } from '../evaluate';
import { DriftwardenError } from '../errors';
import type { AnyRule, ReportableCompliance } from '../rule';
import type { Settings } from '../settings';
import { readRuleInvocation } from './invocation';
import { reportEvaluations } from './report';
import { runRuleInvocation, type RuleRunSources } from './run';

export interface RuleHandlerDeps {
  rules: readonly AnyRule[];
  settings: Settings;
  config: ConfigServiceClient;
  sources: RuleRunSources;
  now: () => Date;
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

/**
 * One Config rule invocation end to end: read, evaluate, report. What could be evaluated is always
 * reported before a partial failure (a resource type that could not be listed) fails the invocation.
 */
export async function handleRuleInvocation(event: unknown, deps: RuleHandlerDeps): Promise<RuleHandlerOutcome> {
  const invocation = readRuleInvocation(event);
  const run = await runRuleInvocation(deps.rules, invocation, deps.sources, {
    now: deps.now(),
    costAwareReporting: deps.settings.costAwareReporting,
  });
  const batches = await reportEvaluations(deps.config, invocation.resultToken, run.evaluations);
  const outcome: RuleHandlerOutcome = {
    ruleId: run.rule.id,
    messageType: invocation.invokingEvent.messageType,
    reported: countByCompliance(run.evaluations),
    unchanged: run.unchanged,
    batches,
  };
  deps.record?.(outcome);
  if (run.failedTypes.length > 0) {
    const failures = run.failedTypes.map(({ resourceType, error }) => `${resourceType}: ${error.name}: ${error.message}`);
    throw new DriftwardenError(`Sweep of ${run.rule.id} could not list ${failures.join('; ')}; their earlier verdicts stand`, { cause: run.failedTypes[0]!.error });
  }
  return outcome;
}
