import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { SweepScenario, SweepWorkerResult } from './sweep-worker';

/**
 * The concurrency the design runs at: per-resource calls 16 at a time within a listing page
 * (lib/aws/inventory.ts), PutEvaluations batches 4 at a time (lib/config-rule/report.ts), and the
 * reading of Config's results beside the listing (lib/config-rule/run.ts). Every listing is a chain
 * of pages, each needing the previous page's token.
 */
export const DESIGN_CONCURRENCY = { perResource: 16, putEvaluations: 4 };
const SNS_TOPICS_PER_PAGE = 100;
const RECORDED = 'ConfigService:GetComplianceDetailsByConfigRule';
const PUT = 'ConfigService:PutEvaluations';

export interface SweepResult extends SweepWorkerResult {
  callsTotal: number;
  minimumTotal: number;
  /** Calls made beyond the minimum, by operation (absent when none). */
  extraCalls: Record<string, number>;
  /** The wall time of the minimum calls at the design's concurrency: rounds × latency. */
  latencyBoundMs: number;
  latencyRatio: number;
}

/**
 * Rounds of calls the minimum needs when each round costs one latency: the longer of the two
 * chains read side by side (Config's results; the listings one type after another), then the reports.
 */
function minimumRounds(minimum: Record<string, number>, resourcesByType: Record<string, number>): number {
  let listing = 0;
  for (const [operation, calls] of Object.entries(minimum)) {
    if (operation === RECORDED || operation === PUT) continue;
    if (operation === 'S3:GetBucketEncryption') listing += Math.ceil(calls / DESIGN_CONCURRENCY.perResource);
    else if (operation === 'SNS:GetTopicAttributes') {
      const topics = resourcesByType['AWS::SNS::Topic'] ?? 0;
      const fullPages = Math.floor(topics / SNS_TOPICS_PER_PAGE);
      listing += fullPages * Math.ceil(SNS_TOPICS_PER_PAGE / DESIGN_CONCURRENCY.perResource) + Math.ceil((topics % SNS_TOPICS_PER_PAGE) / DESIGN_CONCURRENCY.perResource);
    } else listing += calls;
  }
  return Math.max(listing, minimum[RECORDED] ?? 0) + Math.ceil((minimum[PUT] ?? 0) / DESIGN_CONCURRENCY.putEvaluations);
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);

export function runSweep(buildDir: string, ruleId: string, resources: number, latencyMs: number, scenario: SweepScenario): SweepResult {
  const child = spawnSync(process.execPath, ['--expose-gc', join(buildDir, 'sweep-worker.js'), ruleId, String(resources), String(latencyMs), scenario], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'eu-west-1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`Sweep of ${ruleId} over ${resources} resources failed:\n${child.stderr}`);
  const result = JSON.parse(child.stdout) as SweepWorkerResult;
  const extraCalls: Record<string, number> = {};
  for (const operation of new Set([...Object.keys(result.calls), ...Object.keys(result.minimum)])) {
    const extra = (result.calls[operation] ?? 0) - (result.minimum[operation] ?? 0);
    if (extra !== 0) extraCalls[operation] = extra;
  }
  const latencyBoundMs = minimumRounds(result.minimum, result.resourcesByType) * latencyMs;
  return {
    ...result,
    callsTotal: sum(result.calls),
    minimumTotal: sum(result.minimum),
    extraCalls,
    latencyBoundMs,
    latencyRatio: latencyBoundMs > 0 ? result.wallMs / latencyBoundMs : 0,
  };
}
