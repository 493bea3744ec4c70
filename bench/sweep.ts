import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './stats';
import type { SweepScenario, SweepWorkerResult } from './sweep-worker';

/**
 * The design-independent bound assumes what any sweep of the account must do and no more: the
 * fewest calls (bench/sdk-account.ts `minimumCalls`, from the APIs' largest pages), every listing
 * chain started at once (each resource type, the flow-log listing, Config's results: a chain is a
 * run of pages, each needing the previous page's token), per-resource calls (S3 bucket encryption,
 * SNS topic attributes) 16 at a time per listing, and reports sent 4 PutEvaluations at a time, all
 * at the same per-account request rate. It does not depend on the order or concurrency the code chose.
 */
export const ACCOUNT_REQUEST_RATE = { perResource: 16, putEvaluations: 4 };
const SNS_TOPICS_PER_PAGE = 100;
const RECORDED = 'ConfigService:GetComplianceDetailsByConfigRule';
const PUT = 'ConfigService:PutEvaluations';
/** Per-resource calls and the listing whose pages they follow. */
const PER_RESOURCE: Record<string, string> = { 'S3:GetBucketEncryption': 'S3:ListBuckets', 'SNS:GetTopicAttributes': 'SNS:ListTopics' };

export interface SweepResult extends SweepWorkerResult {
  /** Fresh processes run; `wallMs` and `cpuMs` are their medians. */
  runs: number;
  callsTotal: number;
  minimumTotal: number;
  /** Calls made beyond the minimum, by operation (absent when none). */
  extraCalls: Record<string, number>;
  /** rounds × latency: the longest chain of calls, with every chain in parallel, then the reports. */
  latencyBoundMs: number;
  latencyRatio: number;
  /**
   * The Lambda memory size at which this sweep's measured CPU, run on the share of a vCPU Lambda
   * gives (1 vCPU at 1,769 MB, proportionally less below), would take at most 1.2× the bound.
   */
  memoryForCpuMb: number;
}

/** Lambda's CPU share is proportional to memory: one full vCPU at 1,769 MB. */
export const MB_PER_VCPU = 1769;

/**
 * Rounds of calls the sweep needs when each round costs one latency:
 * `max(longest listing chain, Config's results chain) + ceil(PutEvaluations ÷ 4)`, where a
 * listing chain is its pages plus, for S3 and SNS, ceil(resources in a page ÷ 16) rounds a page.
 */
export function minimumRounds(minimum: Record<string, number>, resourcesByType: Record<string, number>): number {
  const chains: Record<string, number> = {};
  for (const [operation, calls] of Object.entries(minimum)) {
    if (operation === PUT || PER_RESOURCE[operation]) continue;
    chains[operation] = calls;
  }
  if (minimum['S3:GetBucketEncryption']) chains['S3:ListBuckets'] = (chains['S3:ListBuckets'] ?? 0) + Math.ceil(minimum['S3:GetBucketEncryption'] / ACCOUNT_REQUEST_RATE.perResource);
  if (minimum['SNS:GetTopicAttributes']) {
    const topics = resourcesByType['AWS::SNS::Topic'] ?? 0;
    const fullPages = Math.floor(topics / SNS_TOPICS_PER_PAGE);
    chains['SNS:ListTopics'] =
      (chains['SNS:ListTopics'] ?? 0) + fullPages * Math.ceil(SNS_TOPICS_PER_PAGE / ACCOUNT_REQUEST_RATE.perResource) + Math.ceil((topics % SNS_TOPICS_PER_PAGE) / ACCOUNT_REQUEST_RATE.perResource);
  }
  return Math.max(0, ...Object.values(chains), minimum[RECORDED] ?? 0) + Math.ceil((minimum[PUT] ?? 0) / ACCOUNT_REQUEST_RATE.putEvaluations);
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);

function runSweepProcess(buildDir: string, ruleId: string, resources: number, latencyMs: number, scenario: SweepScenario): SweepWorkerResult {
  const child = spawnSync(process.execPath, ['--expose-gc', join(buildDir, 'sweep-worker.js'), ruleId, String(resources), String(latencyMs), scenario], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'eu-west-1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`Sweep of ${ruleId} over ${resources} resources failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as SweepWorkerResult;
}

export interface SweepCase {
  ruleId: string;
  resources: number;
  scenario: SweepScenario;
}

/**
 * Runs every case `runs` times, each in a fresh process, case after case and then again (so load
 * on the machine falls on every case alike), and keeps the median wall time and the median CPU time.
 */
export function runSweeps(buildDir: string, cases: readonly SweepCase[], latencyMs: number, runs: number): SweepResult[] {
  const results = cases.map(() => [] as SweepWorkerResult[]);
  for (let run = 0; run < runs; run++) {
    cases.forEach((sweepCase, index) => results[index]!.push(runSweepProcess(buildDir, sweepCase.ruleId, sweepCase.resources, latencyMs, sweepCase.scenario)));
  }
  return results.map((runsOfCase) => summarise(runsOfCase, latencyMs));
}

function summarise(runs: readonly SweepWorkerResult[], latencyMs: number): SweepResult {
  const byWall = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const result = { ...byWall[byWall.length >> 1]!, wallMs: median(runs.map((run) => run.wallMs)), cpuMs: median(runs.map((run) => run.cpuMs)), runs: runs.length };
  const extraCalls: Record<string, number> = {};
  for (const operation of new Set([...Object.keys(result.calls), ...Object.keys(result.minimum)])) {
    const extra = (result.calls[operation] ?? 0) - (result.minimum[operation] ?? 0);
    if (extra !== 0) extraCalls[operation] = extra;
  }
  const latencyBoundMs = minimumRounds(result.minimum, result.resourcesByType) * latencyMs;
  const memoryForCpuMb = latencyBoundMs > 0 ? Math.ceil((MB_PER_VCPU * result.cpuMs) / (1.2 * latencyBoundMs)) : 0;
  return {
    ...result,
    callsTotal: sum(result.calls),
    minimumTotal: sum(result.minimum),
    extraCalls,
    latencyBoundMs,
    latencyRatio: latencyBoundMs > 0 ? result.wallMs / latencyBoundMs : 0,
    memoryForCpuMb,
  };
}
