/**
 * One periodic sweep in a process of its own, so its peak memory is its own: `node sweep-worker.js
 * <ruleId> <resources> <latencyMs> <first|steady>`. Prints one JSON line.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { awsClientConfig, forManyCalls } from '../lib/aws/client-config';
import { createAwsClients } from '../lib/aws/clients';
import { awsRuleRunSources } from '../lib/config-rule/aws-sources';
import { handleRuleInvocation } from '../lib/config-rule/handle';
import { parseSettings } from '../lib/settings';
import { RULES } from '../rules';
import { buildSdkAccount, minimumCalls } from './sdk-account';
import type { FakeAws } from '../test/fake-aws/server';
import { ACCOUNT_ID, BENCH_NOW, REGION } from './synthetic';

export type SweepScenario = 'first' | 'steady';

export interface SweepWorkerResult {
  ruleId: string;
  resources: number;
  latencyMs: number;
  scenario: SweepScenario;
  wallMs: number;
  /** CPU time of the sweep's process (user + system) during the sweep: the SDK and the code, not the endpoint. */
  cpuMs: number;
  calls: Record<string, number>;
  minimum: Record<string, number>;
  reported: number;
  unchanged: number;
  batches: number;
  /** Resident memory once the synthetic account (standing in for AWS) is built, before the sweep. */
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  resourcesByType: Record<string, number>;
}

function scheduledEvent(ruleId: string) {
  return {
    version: '1.0',
    invokingEvent: JSON.stringify({ awsAccountId: ACCOUNT_ID, notificationCreationTime: BENCH_NOW.toISOString(), messageType: 'ScheduledNotification', recordVersion: '1.0' }),
    ruleParameters: '{}',
    resultToken: 'bench-result-token',
    eventLeftScope: false,
    executionRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/driftwarden-config-rule`,
    configRuleArn: `arn:aws:config:${REGION}:${ACCOUNT_ID}:config-rule/config-rule-bench`,
    configRuleName: `driftwarden-prod-${ruleId}`,
    configRuleId: 'config-rule-bench',
    accountId: ACCOUNT_ID,
  };
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const [ruleId, resourcesArg, latencyArg, scenarioArg] = process.argv.slice(2);
  const resources = Number(resourcesArg);
  const latencyMs = Number(latencyArg);
  const scenario = scenarioArg as SweepScenario;
  if (!ruleId || !Number.isInteger(resources) || !Number.isFinite(latencyMs) || (scenario !== 'first' && scenario !== 'steady')) {
    throw new Error('usage: sweep-worker <ruleId> <resources> <latencyMs> <first|steady>');
  }
  const account = buildSdkAccount(ruleId, resources);
  const settings = parseSettings({ costAwareReporting: true }, RULES);
  const fake = await startFakeEndpoint(ruleId, resources);
  const sweep = () => {
    const config = forManyCalls(new ConfigServiceClient(awsClientConfig(fake.clientConfig)));
    const clients = createAwsClients(fake.clientConfig);
    return handleRuleInvocation(scheduledEvent(ruleId), {
      rules: RULES,
      settings,
      config,
      sources: awsRuleRunSources({ config, clients, region: REGION, accountId: ACCOUNT_ID }),
      now: () => BENCH_NOW,
    });
  };
  // The functions load an AWS service's code on its first call. The load rows time that; here it
  // happens before the clock starts, so a first sweep is timed as a function with its code loaded
  // runs it (and this worker's unbundled node_modules, far larger than a function's chunks, stay out).
  await loadSdkServices(fake.clientConfig);
  // A steady-state sweep finds Config already holding every verdict: the sweep before it put them there.
  if (scenario === 'steady') await sweep();
  const { recorded: recordedResults } = await fake.calls();
  await fake.reset();
  await fake.setLatency(latencyMs);

  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  // Resident memory every 5 ms, the heap every 50: a full memoryUsage() reads /proc and walks the
  // heap's spaces, and every 5 ms it cost the sweep's own thread about 3% of its CPU.
  let ticks = 0;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (ticks++ % 10 !== 0) return;
    const { heapUsed } = process.memoryUsage();
    if (heapUsed > peakHeap) peakHeap = heapUsed;
  };
  const sampler = setInterval(sample, 5);
  const startCpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const outcome = await sweep();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(startCpu);
  clearInterval(sampler);
  ticks = 0;
  sample();

  const reported = outcome.reported.COMPLIANT + outcome.reported.NON_COMPLIANT + outcome.reported.NOT_APPLICABLE;
  const result: SweepWorkerResult = {
    ruleId,
    resources,
    latencyMs,
    scenario,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    calls: (await fake.calls()).calls,
    minimum: minimumCalls(ruleId, account, recordedResults, reported),
    reported,
    unchanged: outcome.unchanged,
    batches: outcome.batches,
    baselineRssMb: baselineRss / MB,
    peakRssMb: peakRss / MB,
    peakHeapUsedMb: peakHeap / MB,
    resourcesByType: account.counts as Record<string, number>,
  };
  await fake.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Loads the SDK module of every service `AwsClients` can create, and the Config service's. */
async function loadSdkServices(clientConfig: FakeEndpoint['clientConfig']): Promise<void> {
  const clients = createAwsClients(clientConfig);
  const services = Object.values(clients).filter((value): value is () => Promise<unknown> => typeof value === 'function');
  await Promise.all([...services.map((load) => load()), import('../lib/aws/sdk/config-service')]);
  clients.destroy();
}

/**
 * The fake AWS endpoint in another process: the sweep's real SDK clients (signing, middleware,
 * retries, XML/JSON parsing) send it HTTP requests on loopback.
 */
interface FakeEndpoint {
  clientConfig: ReturnType<FakeAws['clientConfig']>;
  calls(): Promise<{ calls: Record<string, number>; recorded: number }>;
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Sends `message` to the fake endpoint's process and waits for its answer. */
function ask<T>(host: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    host.once('message', (answer) => resolve(answer as T));
    host.send(message as object);
  });
}

async function startFakeEndpoint(ruleId: string, resources: number): Promise<FakeEndpoint> {
  const host = fork(join(__dirname, 'fake-host.js'), [ruleId, String(resources), scheduledEvent(ruleId).configRuleName], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { clientConfig } = await new Promise<Pick<FakeEndpoint, 'clientConfig'>>((resolve, reject) => {
    host.once('message', (message) => resolve(message as Pick<FakeEndpoint, 'clientConfig'>));
    host.once('exit', (code) => reject(new Error(`The fake AWS endpoint exited with ${code}`)));
  });
  return {
    clientConfig,
    calls: () => ask(host, 'calls'),
    reset: () => ask(host, 'reset'),
    setLatency: (ms) => ask(host, { latencyMs: ms }),
    close: async () => {
      const exited = new Promise((resolve) => host.once('exit', resolve));
      host.disconnect();
      await exited;
    },
  };
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
